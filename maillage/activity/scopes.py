"""What a statistics dashboard covers: a territory, a structure or a médiateur.

Every scope answers the same questions (key figures, months, publics) with the selectors; a
structure reads the rollups (they are kept per structure), a médiateur the raw activities (the
rollups have no médiateur: a médiateur's activities are a few thousand rows at most). Fetching a
structure or a médiateur checks the viewer's right first and answers 404 otherwise (no enumeration).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.http import Http404

from maillage.activity import perms
from maillage.activity.selectors import (
    activity_figures,
    mask_publics,
    mask_small_counts,
    monthly_series,
    publics_figures,
    raw_figures,
    raw_monthly_series,
)
from maillage.structures.models import Structure
from maillage.structures.perms import structure_ids_of

TERRITOIRE, STRUCTURE, MEDIATEUR = "territoire", "structure", "mediateur"


@dataclass
class Scope:
    kind: str
    label: str
    slug: str  # for export file names
    exact: bool  # may the viewer see counts of 1 to 10 people?
    ref: object = None  # TerritoryRef (a territory, or the bound of a coordinateur's view)
    structure_ids: list | None = None
    mediateur: object = None
    obj: object = None

    def figures(self, start, end) -> tuple[dict, list[str]]:
        if self.kind == MEDIATEUR:
            figures = raw_figures(self.ref, start, end, mediateur=self.mediateur)
        else:
            figures = activity_figures(self.ref, start, end, self.structure_ids)
        return (figures, []) if self.exact else mask_small_counts(figures)

    def monthly(self, start, end) -> list:
        if self.kind == MEDIATEUR:
            return raw_monthly_series(self.ref, start, end, mediateur=self.mediateur)
        return monthly_series(self.ref, start, end, self.structure_ids)

    def publics(self, start, end) -> tuple[dict, list[str]]:
        publics = publics_figures(self.ref, start, end, self.structure_ids, self.mediateur)
        return (publics, []) if self.exact else mask_publics(publics)


def territory_scope(user, ref) -> Scope:
    return Scope(
        kind=TERRITOIRE,
        label=str(ref.get_object()),
        slug=f"{ref.level.value}-{ref.code}",
        exact=perms.can_see_exact_figures(user, ref),
        ref=ref,
        obj=ref.get_object(),
    )


def structure_scope(user, pk: int) -> Scope:
    structure = Structure.objects.select_related("commune").filter(pk=pk).first()
    if structure is None or not perms.can_view_structure_statistics(user, structure):
        raise Http404("Structure inconnue.")
    return Scope(
        kind=STRUCTURE,
        label=structure.nom,
        slug=f"structure-{structure.pk}",
        exact=perms.can_see_exact_structure_figures(user, structure),
        structure_ids=[structure.pk],
        obj=structure,
    )


def mediateur_scope(user, pk: int) -> Scope:
    mediateur = get_user_model().objects.filter(pk=pk, is_active=True).first()
    structures = []
    if mediateur is not None:
        ids = structure_ids_of(mediateur, *perms.RECORDING_ROLES)
        structures = list(Structure.objects.filter(pk__in=ids).select_related("commune"))
    territories = perms.mediateur_statistics_territories(user, mediateur, structures)
    if territories is None:
        raise Http404("Médiateur inconnu.")
    bound = territories[0] if territories else None
    label = f"{mediateur.get_full_name() or mediateur.email} (médiateur)"
    if bound is not None:
        label += f", activités en {bound.get_object()}"
    return Scope(
        kind=MEDIATEUR,
        label=label,
        slug=f"mediateur-{mediateur.pk}",
        exact=True,  # his own activities, or a coordinateur's territory
        ref=bound,
        mediateur=mediateur,
        obj=mediateur,
    )
