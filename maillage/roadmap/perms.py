"""Who may do what with a roadmap. Coordinateurs of its territory edit it; observateurs read it;
members of the structures that carry or partner an action read it and update their own actions;
the public sees only the transparency page."""

from maillage.core.roles import STRUCTURE_ROLES, Role
from maillage.structures.perms import structure_ids_of, territories_of
from maillage.territories.models import Commune


def _covers(user_territory, roadmap_territory) -> bool:
    if user_territory == roadmap_territory:
        return True
    if user_territory.level.value == "departement" and roadmap_territory.level.value in ("epci", "commune"):
        return roadmap_territory.communes().filter(departement_id=user_territory.code).exists()
    if user_territory.level.value == "region" and roadmap_territory.level.value != "region":
        return Commune.objects.filter(roadmap_territory.commune_q(), region_id=user_territory.code).exists()
    return False


def _holds(user, roadmap, *roles) -> bool:
    return any(_covers(territory, roadmap.territory) for territory in territories_of(user, *roles))


def is_coordinator(user, roadmap) -> bool:
    return getattr(user, "is_authenticated", False) and (user.is_superuser or _holds(user, roadmap, Role.COORDINATEUR))


def can_edit_roadmap(user, roadmap) -> bool:
    """The coordinateurs of the roadmap's territory run it: structure, financing, gouvernance, import."""
    return is_coordinator(user, roadmap)


def _partner_structure_ids(user, roadmap) -> set[int]:
    mine = structure_ids_of(user, *STRUCTURE_ROLES)
    if not mine:
        return set()
    from maillage.roadmap.models import Action

    carried = Action.objects.filter(roadmap=roadmap, porteurs__in=mine).values_list("porteurs", flat=True)
    partnered = Action.objects.filter(roadmap=roadmap, partners__in=mine).values_list("partners", flat=True)
    return mine & (set(carried) | set(partnered))


def can_view_roadmap(user, roadmap) -> bool:
    """Coordinateurs and observateurs of the territory, and members of a porteur or partner structure."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or _holds(user, roadmap, Role.COORDINATEUR, Role.OBSERVATEUR):
        return True
    return bool(_partner_structure_ids(user, roadmap))


def can_update_action(user, action) -> bool:
    """Porteurs (members of a porteur structure) update their own actions; coordinateurs update all."""
    if is_coordinator(user, action.roadmap):
        return True
    mine = structure_ids_of(user, *STRUCTURE_ROLES)
    return bool(mine) and action.porteurs.filter(pk__in=mine).exists()


def can_see_confidential_amounts(user, roadmap) -> bool:
    """Amounts marked confidential stay with those who run the roadmap."""
    return is_coordinator(user, roadmap)


def can_see_member_names(user, roadmap) -> bool:
    """Names of the people sitting in bodies are personal data: coordinateurs only (journaled)."""
    return is_coordinator(user, roadmap)


def can_read_reports(user, roadmap) -> bool:
    """COPIL reports go to those who steer or observe the territory's policy."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or _holds(user, roadmap, Role.COORDINATEUR, Role.OBSERVATEUR)
