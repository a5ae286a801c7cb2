"""Activité de médiation numérique: API endpoints under /api/v1/."""

import datetime as dt

from django.core.exceptions import ValidationError
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from maillage.activity import perms
from maillage.activity.schemes import scheme_table
from maillage.activity.selectors import (
    activity_figures,
    mask_publics,
    mask_small_counts,
    publics_figures,
)
from maillage.core.policy import api_public
from maillage.territories.territory import TerritoryRef

router = Router(tags=["activite"])


class StatisticsQuery(Schema):
    territoire: str = Field(..., description="commune|epci|departement|region:<code>, par exemple departement:28")
    du: dt.date | None = Field(None, description="Premier jour (AAAA-MM-JJ)")
    au: dt.date | None = Field(None, description="Dernier jour (AAAA-MM-JJ)")


class SchemeOut(Schema):
    key: str
    dispositif: str
    label: str
    unit: str
    value: float
    period: str
    source: str


class StatisticsOut(Schema):
    territoire: str
    du: dt.date | None
    au: dt.date | None
    accompagnements: int | None
    beneficiaires: int | None
    beneficiaires_suivis: int | None
    beneficiaires_anonymes: int | None
    activites: int
    activites_individuelles: int
    activites_collectives: int
    accompagnements_individuels: int | None
    participants_ateliers: int | None
    duree_totale_minutes: int
    orientes: int | None
    accompagnements_par_jour_par_structure: float | None
    thematiques: dict[str, int | None]
    canaux: dict[str, int | None]
    durees: dict[str, int | None]
    autonomie: dict[str, int | None]
    publics: dict[str, dict[str, int | None]] = Field(
        description=(
            "Accompagnements par genre, tranche_age et statut_social : bénéficiaires suivis, accompagnements "
            "individuels anonymes et participants anonymes des ateliers (non renseigné : non_communique)."
        )
    )
    secret_statistique: list[str] = Field(
        description="Clés masquées : effectifs de 1 à 10 personnes (visibles des seuls coordinateurs du territoire)."
    )
    dispositifs: list[SchemeOut]


def territory_statistics(user, ref, start, end) -> dict:
    figures = activity_figures(ref, start, end)
    publics = publics_figures(ref, start, end)
    masked = []
    if not perms.can_see_exact_figures(user, ref):
        figures, masked = mask_small_counts(figures)
        publics, publics_masked = mask_publics(publics)
        masked += publics_masked
    return {
        "territoire": str(ref),
        "du": start,
        "au": end,
        **figures,
        "publics": publics,
        "secret_statistique": masked,
        "dispositifs": scheme_table(ref, start, end),
    }


@router.get("/statistiques/activites", response=StatisticsOut, auth=api_public)
def statistics(request, query: Query[StatisticsQuery]):
    """Aggregated activity of a territory (commune or larger) over a period: public, no personal data."""
    try:
        ref = TerritoryRef.parse(query.territoire)
    except ValidationError as error:
        raise HttpError(400, error.messages[0]) from error
    if not ref.exists():
        raise HttpError(404, f"Territoire inconnu : {query.territoire}")
    if query.du and query.au and query.du > query.au:
        raise HttpError(400, "La date « du » doit précéder la date « au ».")
    return territory_statistics(request.user, ref, query.du, query.au)
