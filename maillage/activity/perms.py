"""Who may do what with activities and beneficiaries. Pure functions of (user, object)."""

import datetime as dt

from django.utils import timezone

from maillage.core.roles import STRUCTURE_ROLES, Role
from maillage.structures.perms import structure_ids_of, territories_of
from maillage.territories.enums import Level

RECORDING_ROLES = (Role.MEDIATEUR, Role.GESTIONNAIRE, Role.AIDANT)
# A médiateur corrects his own activities for this many days; a gestionnaire at any time.
EDIT_WINDOW_DAYS = 90


def _authenticated(user) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def can_record_activity(user, structure) -> bool:
    """Médiateurs, aidants and gestionnaires record the activity of their own structure."""
    if not _authenticated(user) or structure is None:
        return False
    return user.is_superuser or structure.pk in structure_ids_of(user, *RECORDING_ROLES)


def can_edit_activity(user, activity, today: dt.date | None = None) -> bool:
    """The author within EDIT_WINDOW_DAYS of the activity (if still in the structure); the
    structure's gestionnaires at any time (they answer for the structure's figures)."""
    if not _authenticated(user) or activity.deleted_at is not None:
        return False
    if user.is_superuser or activity.structure_id in structure_ids_of(user, Role.GESTIONNAIRE):
        return True
    today = today or timezone.localdate()
    return (
        activity.mediateur_id == user.pk
        and activity.structure_id in structure_ids_of(user, *RECORDING_ROLES)
        and activity.date >= today - dt.timedelta(days=EDIT_WINDOW_DAYS)
    )


def can_view_beneficiary(user, beneficiary) -> bool:
    """Only the structure that follows a person sees who they are (not coordinateurs, not
    observateurs, not platform administrators): personal data stay where the help happens."""
    return _authenticated(user) and beneficiary.structure_id in structure_ids_of(user, *RECORDING_ROLES)


def can_follow_in(user, structure) -> bool:
    """Members of a structure create and search the people it follows."""
    return _authenticated(user) and structure.pk in structure_ids_of(user, *RECORDING_ROLES)


def can_erase_beneficiary(user, beneficiary) -> bool:
    """Export and erasure on request are handled by the following structure's gestionnaires."""
    return _authenticated(user) and beneficiary.structure_id in structure_ids_of(user, Role.GESTIONNAIRE)


def can_import_activities(user) -> bool:
    """Coordinateurs (for the territory) and gestionnaires (for their structure) import files."""
    if not _authenticated(user):
        return False
    return user.is_superuser or bool(
        territories_of(user, Role.COORDINATEUR) or structure_ids_of(user, Role.GESTIONNAIRE)
    )


def can_see_exact_figures(user, ref) -> bool:
    """Counts of 1 to 10 people are masked (secret statistique) except for administrators and the
    coordinateurs of the territory, who steer the policy and already see the activities' details."""
    if not _authenticated(user):
        return False
    if user.is_superuser:
        return True
    for territory in territories_of(user, Role.COORDINATEUR):
        if territory == ref:
            return True
        if territory.level == Level.DEPARTEMENT and ref.level in (Level.COMMUNE, Level.EPCI):
            communes = ref.communes()
            if communes.exists() and not communes.exclude(departement_id=territory.code).exists():
                return True
    return False


def importable_structure_ids(user) -> set[int] | None:
    """The structures whose activity a person may import: None (all) for administrators and the
    command line; a coordinateur's territory; a gestionnaire's own structures."""
    if user is None or user.is_superuser:
        return None
    from maillage.structures.models import Structure

    allowed = set(structure_ids_of(user, Role.GESTIONNAIRE))
    for territory in territories_of(user, Role.COORDINATEUR):
        allowed |= set(Structure.objects.in_territory(territory).values_list("pk", flat=True))
    return allowed


def can_view_structure_statistics(user, structure) -> bool:
    """A structure's members see its statistics (they make them); the coordinateurs of its
    territory steer the policy there. Observateurs keep to territorial aggregates."""
    if not _authenticated(user) or structure is None:
        return False
    if user.is_superuser or structure.pk in structure_ids_of(user, *STRUCTURE_ROLES):
        return True
    return any(territory.contains(structure.commune) for territory in territories_of(user, Role.COORDINATEUR))


def can_see_exact_structure_figures(user, structure) -> bool:
    """Small counts of a structure are shown to those who answer for all its activities (its
    gestionnaires, the coordinateurs of its territory); its médiateurs and aidants, who see only
    their own activities' details, get them masked (secret statistique)."""
    if not can_view_structure_statistics(user, structure):
        return False
    if user.is_superuser or structure.pk in structure_ids_of(user, Role.GESTIONNAIRE):
        return True
    return any(territory.contains(structure.commune) for territory in territories_of(user, Role.COORDINATEUR))


def mediateur_statistics_territories(user, mediateur, mediateur_structures) -> list | None:
    """Whether `user` may see the statistics of `mediateur` (a person recording activity in
    `mediateur_structures`): None if not; [] for all of the médiateur's activities (the médiateur
    himself, administrators); else the coordinateur's territories that hold one of the médiateur's
    structures, which bound the figures (a coordinateur sees what happens in his territory only)."""
    if not _authenticated(user) or mediateur is None or not mediateur_structures:
        return None
    if user.is_superuser or user.pk == mediateur.pk:
        return []
    found = [
        territory
        for territory in territories_of(user, Role.COORDINATEUR)
        if any(territory.contains(structure.commune) for structure in mediateur_structures)
    ]
    return found or None
