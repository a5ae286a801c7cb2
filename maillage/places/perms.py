"""Who may do what with places. The public reads published places; the rest needs a role."""

from django.db.models import Q

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


def territories_q(territories, prefix: str = "commune__") -> Q:
    """A filter on whatever reaches a commune through `prefix` ("" for communes themselves):
    inside any of `territories` (none: nothing)."""
    q = Q(pk__in=[])
    for territory in territories:
        q |= territory.commune_q(prefix)
    return q


def datasets_in_reach(user) -> set[str] | None:
    """The datasets whose imports and quarantine a coordinateur sees and handles: those with a place
    in their territory (their own imports are in reach through their batches). None: every dataset
    (administrators)."""
    from maillage.places.models import Place

    if getattr(user, "is_superuser", False):
        return None
    if not can_import_places(user):
        return set()
    territories = territories_of(user, Role.COORDINATEUR)
    return set(Place.objects.filter(territories_q(territories)).values_list("dataset", flat=True).distinct())


def can_import_dataset(user, dataset: str) -> bool:
    """An import updates and withdraws the places of its dataset: a coordinateur imports into a new
    dataset, or one whose located places are all in their territory."""
    from maillage.places.models import Place

    if not can_import_places(user):
        return False
    if user.is_superuser:
        return True
    outside = Place.objects.filter(dataset=dataset).exclude(commune=None)
    return not outside.exclude(territories_q(territories_of(user, Role.COORDINATEUR))).exists()


def communes_in_reach(user) -> frozenset[str] | None:
    """The communes (INSEE codes) where an import by `user` may write places: those of a
    coordinateur's territories; None (anywhere) for administrators and the command line."""
    from maillage.territories.models import Commune

    if not getattr(user, "is_authenticated", False) or user.is_superuser:
        return None
    territories = territories_of(user, Role.COORDINATEUR)
    return frozenset(Commune.objects.filter(territories_q(territories, prefix="")).values_list("code", flat=True))


OUTSIDE_DATASET = (
    "Le jeu de données « {dataset} » contient des lieux hors de votre territoire : un import les modifierait ou "
    "les retirerait de la carte. Donnez un autre nom de jeu de données, ou demandez l'import à un administrateur."
)


def can_see_import(user, batch) -> bool:
    """An import is seen by whoever handles its dataset, ran it, or handles one of its rejected rows."""
    if not can_import_places(user):
        return False
    reach = datasets_in_reach(user)
    if reach is None or batch.dataset in reach or batch.actor_id == user.pk:
        return True
    return quarantine_in_reach(user, batch.quarantined_rows.all()).exists()


def quarantine_in_reach(user, rows):
    """The rejected rows (a QuarantinedRow queryset) a coordinateur handles: those of the datasets in
    their reach, of their own imports, or whose commune is in their territory."""
    if getattr(user, "is_superuser", False):
        return rows
    if not can_import_places(user):
        return rows.none()
    communes = list(communes_in_reach(user))
    in_reach = Q(dataset__in=datasets_in_reach(user)) | Q(batch__actor=user) | Q(data__code_insee__in=communes)
    return rows.filter(in_reach)


def can_fix_quarantined_row(user, row) -> bool:
    """Fixing or discarding a rejected row: for whoever handles it (`quarantine_in_reach`)."""
    from maillage.places.models import QuarantinedRow

    return quarantine_in_reach(user, QuarantinedRow.objects.filter(pk=row.pk)).exists()


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
