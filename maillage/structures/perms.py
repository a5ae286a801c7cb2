"""Who may see or manage which structure, member and invitation. Pure functions of (user, object)."""

from maillage.core.roles import STRUCTURE_ROLES, TERRITORIAL_ROLES, Role
from maillage.territories.territory import TerritoryRef


def _memberships(user):
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, "_maillage_memberships", None)
    if cached is None:
        cached = list(user.memberships.filter(is_active=True).select_related("structure"))
        user._maillage_memberships = cached
    return cached


def territories_of(user, *roles: Role) -> list[TerritoryRef]:
    """The territories the user holds one of `roles` over (coordinateur, observateur)."""
    return [m.territory for m in _memberships(user) if m.role in roles and m.territory is not None]


def structure_ids_of(user, *roles: Role) -> set[int]:
    return {m.structure_id for m in _memberships(user) if m.role in roles and m.structure_id and not m.territory_code}


def _in_territories(structure, territories) -> bool:
    return any(territory.contains(structure.commune) for territory in territories)


def can_view_structure(user, structure) -> bool:
    """Members see their structure; coordinateurs and observateurs see the structures of their territory."""
    if user.is_superuser:
        return True
    if structure.pk in structure_ids_of(user, *STRUCTURE_ROLES):
        return True
    return _in_territories(structure, territories_of(user, *TERRITORIAL_ROLES))


def can_manage_structure(user, structure) -> bool:
    """The structure's gestionnaires, and the coordinateurs of its territory, edit it and its members."""
    if user.is_superuser:
        return True
    if structure.pk in structure_ids_of(user, Role.GESTIONNAIRE):
        return True
    return _in_territories(structure, territories_of(user, Role.COORDINATEUR))


def can_view_members(user, structure) -> bool:
    """Members' names are personal data: colleagues and managers see them, observateurs never do."""
    return can_manage_structure(user, structure) or structure.pk in structure_ids_of(user, *STRUCTURE_ROLES)


def can_create_structure(user, commune=None) -> bool:
    """Coordinateurs declare the structures of their territory (and administrators anywhere)."""
    if user.is_superuser:
        return True
    territories = territories_of(user, Role.COORDINATEUR)
    if commune is None:
        return bool(territories)
    return any(territory.contains(commune) for territory in territories)


def can_invite_to_territory(user, territory: TerritoryRef) -> bool:
    """A coordinateur invites other coordinateurs and observateurs to his own territory."""
    return user.is_superuser or territory in territories_of(user, Role.COORDINATEUR)
