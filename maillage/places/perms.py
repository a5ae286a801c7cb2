"""Who may do what with places. The public reads published places; the rest needs a role."""

from maillage.core.roles import Role
from maillage.structures.perms import structure_ids_of, territories_of


def _in_territories(place, territories) -> bool:
    return place.commune is not None and any(territory.contains(place.commune) for territory in territories)


def can_view_place(user, place) -> bool:
    """Published places are public; unpublished ones are seen by those who may edit them."""
    if place.is_published and place.merged_into_id is None and place.missing_since is None:
        return True
    return can_edit_place(user, place)


def can_edit_place(user, place) -> bool:
    """A structure's gestionnaires edit its places; coordinateurs edit every place of their territory."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if place.structure_id and place.structure_id in structure_ids_of(user, Role.GESTIONNAIRE):
        return True
    return _in_territories(place, territories_of(user, Role.COORDINATEUR))


def can_import_places(user) -> bool:
    """Imports feed the whole territory's registry: coordinateurs (and administrators)."""
    return getattr(user, "is_authenticated", False) and (
        user.is_superuser or bool(territories_of(user, Role.COORDINATEUR))
    )


def can_fix_quarantined_row(user, row) -> bool:
    """Whoever may import may fix what an import rejected."""
    return can_import_places(user)


def can_review_duplicates(user) -> bool:
    """Duplicates span sources and structures: their review belongs to coordinateurs."""
    return can_import_places(user)


def can_merge_places(user, places) -> bool:
    """A coordinateur merges places of their own territory only (every place of the merge)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    territories = territories_of(user, Role.COORDINATEUR)
    return bool(territories) and all(_in_territories(place, territories) for place in places)
