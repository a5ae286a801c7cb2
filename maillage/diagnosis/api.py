"""Diagnostic de fragilité numérique: API endpoints under /api/v1/ (public, aggregated data only)."""

import math

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Router, Schema
from ninja.errors import HttpError

from maillage.core.policy import api_public
from maillage.diagnosis import selectors
from maillage.diagnosis.methods import load_method, preset_names
from maillage.territories.territory import TerritoryRef

router = Router(tags=["diagnostic"])
LEVELS = ("commune", "epci", "departement", "region")


class DiagnosticErrorOut(Schema):
    detail: str


class IndicatorOut(Schema):
    cle: str
    libelle: str
    niveau: str
    sens: str


class MethodOut(Schema):
    cle: str
    version: str
    libelle: str
    description: str
    notation: str
    indicateurs: list[IndicatorOut]
    composites: dict[str, dict[str, float]]


class RunOut(Schema):
    id: int
    methode: str
    version: str
    nature: str
    millesime: str
    ponderation: str
    cree_le: str


class MethodsOut(Schema):
    methodes: list[MethodOut]
    calculs: list[RunOut]


class ScoreOut(Schema):
    code: str
    niveau: str
    total: float | None
    classe_de_risque: str | None
    indicateurs: dict[str, float | None]


class IndexOut(Schema):
    territoire: str
    calcul: RunOut
    score: ScoreOut | None
    niveau: str
    territoires: list[ScoreOut]


class WhiteZoneOut(Schema):
    code: str
    nom: str
    population: int
    population_fragile: int
    score: float | None
    distance_km: float | None


class DensityOut(Schema):
    code: str
    nom: str
    population: int
    lieux: int
    heures_hebdo: float
    lieux_pour_10000: float | None
    heures_pour_1000: float | None


class CoverageOut(Schema):
    territoire: str
    distance_km: float
    seuil: float
    calcul: int | None
    communes: int
    population: int
    population_hors_portee: int
    population_fragile_hors_portee: int | None = Field(None, description="Sans calcul d'indice : null")
    lieux: int
    zones_blanches: list[WhiteZoneOut]
    densite_par_epci: list[DensityOut]


def _territory(value: str) -> TerritoryRef:
    try:
        ref = TerritoryRef.parse(value)
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from error
    if not ref.exists():
        raise Http404(f"Territoire inconnu : {value}.")
    return ref


def _run_out(run) -> dict:
    return {
        "id": run.pk,
        "methode": run.method_key,
        "version": run.method_version,
        "nature": run.kind,
        "millesime": run.data_vintage,
        "ponderation": run.population_vintage,
        "cree_le": run.created_at.isoformat(),
    }


def _label(total):
    position = selectors.risk_class(total)
    return None if position is None else selectors.RISK_CLASSES[position - 1][2]


def _score_out(score) -> dict:
    return {
        "code": score.code,
        "niveau": score.level,
        "total": score.total,
        "classe_de_risque": _label(score.total),
        "indicateurs": {k: v for k, v in score.values.items()},
    }


@router.get("/diagnostic/methodes", response={200: MethodsOut}, auth=api_public)
def methods(request):
    """The shipped index methods (presets) and the stored runs."""
    from maillage.diagnosis.models import IndexRun

    out = []
    for name in preset_names():
        method = load_method(name)
        out.append(
            {
                "cle": method.key,
                "version": method.version,
                "libelle": method.label,
                "description": method.description,
                "notation": method.scoring.get("type", ""),
                "indicateurs": [
                    {"cle": i.key, "libelle": i.label, "niveau": i.level, "sens": i.direction}
                    for i in method.indicators
                ],
                "composites": {c.key: c.of for c in method.composites},
            }
        )
    return {"methodes": out, "calculs": [_run_out(run) for run in IndexRun.objects.all()[:50]]}


@router.get(
    "/diagnostic/indice", response={200: IndexOut, 400: DiagnosticErrorOut, 404: DiagnosticErrorOut}, auth=api_public
)
def index(request, territoire: str, niveau: str | None = None, calcul: int | None = None):
    """The index of a territory and of the territories inside it at `niveau` (default: the level below)."""
    ref = _territory(territoire)
    if niveau is not None and niveau not in LEVELS:
        raise HttpError(400, "niveau : commune, epci, departement ou region.")
    run = selectors.run_for_territory(ref, calcul)
    if run is None:
        raise Http404("Aucun indice calculé pour ce territoire (maillage diagnosis compute … --store).")
    level = niveau or selectors.child_level(ref)
    own = selectors.territory_score(run, ref)
    children = selectors.scores_in(run, ref, level)
    return {
        "territoire": str(ref),
        "calcul": _run_out(run),
        "score": _score_out(own) if own else None,
        "niveau": level,
        "territoires": [_score_out(children[code]) for code in sorted(children)],
    }


@router.get(
    "/diagnostic/couverture",
    response={200: CoverageOut, 400: DiagnosticErrorOut, 404: DiagnosticErrorOut},
    auth=api_public,
)
def coverage(request, territoire: str, distance: float = 10.0, seuil: float = 6.0, limite: int = 50):
    """Coverage of the mesh: population beyond `distance` km of a place, white zones, density by EPCI."""
    ref = _territory(territoire)
    if not (0 < distance <= 200) or math.isnan(distance):
        raise HttpError(400, "distance : entre 0 et 200 km.")
    run = selectors.run_for_territory(ref)
    result = selectors.territory_coverage(ref, distance_km=distance, run=run, threshold=seuil)
    fragile = result.fragile_population_beyond()
    return {
        "territoire": str(ref),
        "distance_km": distance,
        "seuil": seuil,
        "calcul": run.pk if run else None,
        "communes": len(result.communes.codes),
        "population": int(result.communes.population.sum()),
        "population_hors_portee": int(result.population_beyond()),
        "population_fragile_hors_portee": None if fragile is None else int(fragile),
        "lieux": result.places_total,
        "zones_blanches": result.white_zones(max(1, min(limite, 500))),
        "densite_par_epci": [
            {
                "code": d.code,
                "nom": d.nom,
                "population": d.population,
                "lieux": d.places,
                "heures_hebdo": d.weekly_hours,
                "lieux_pour_10000": d.places_per_10000,
                "heures_pour_1000": d.hours_per_1000,
            }
            for d in selectors.epci_densities(ref)
        ],
    }
