"""Reads of the diagnosis app shared by pages, API, indicators and other apps."""

from dataclasses import dataclass

import numpy as np

from maillage.diagnosis.coverage import CommuneSet, Coverage, PlaceSet, compute_coverage, densities
from maillage.diagnosis.enums import RunKind
from maillage.diagnosis.models import IndexRun, TerritoryScore
from maillage.places import standard as places_standard
from maillage.places.selectors import published_place_points
from maillage.territories.enums import Level
from maillage.territories.models import Commune, Epci
from maillage.territories.territory import TerritoryRef

# A commune is "fragile" when its total score reaches this value (IFN v3 scale 1–10).
DEFAULT_THRESHOLD = 6.0
DEFAULT_DISTANCE_KM = 10.0
# The 5 risk classes of the maps, on the 1–10 scale of decile methods.
RISK_CLASSES = [
    (1.0, 4.0, "risque faible"),
    (4.0, 5.0, "risque modéré"),
    (5.0, 6.0, "risque intermédiaire"),
    (6.0, 7.0, "risque élevé"),
    (7.0, 10.0, "risque fort"),
]


def current_run(run_id: int | str | None = None, *, kinds=(RunKind.OFFICIAL, RunKind.DEMO)) -> IndexRun | None:
    """The run asked for, or the latest official one (the demo's when there is none)."""
    runs = IndexRun.objects.all()
    if run_id:
        try:
            return runs.filter(pk=int(run_id)).first()
        except (TypeError, ValueError):
            return None
    for kind in kinds:
        run = runs.filter(kind=kind).first()
        if run is not None:
            return run
    return None


def run_for_territory(ref: TerritoryRef, run_id=None) -> IndexRun | None:
    """Like current_run, but the latest run that scores this territory."""
    if run_id:
        return current_run(run_id)
    for kind in (RunKind.OFFICIAL, RunKind.DEMO):
        run = IndexRun.objects.filter(kind=kind).covering(ref.level, ref.code).first()
        if run is not None:
            return run
    return None


def territory_score(run: IndexRun, ref: TerritoryRef) -> TerritoryScore | None:
    return run.scores.filter(level=ref.level, code=ref.code).first()


def child_level(ref: TerritoryRef) -> str:
    return {Level.REGION: Level.DEPARTEMENT, Level.DEPARTEMENT: Level.EPCI, Level.EPCI: Level.COMMUNE}.get(
        ref.level, Level.COMMUNE
    )


def commune_codes(ref: TerritoryRef) -> list[str]:
    """Communes of the territory (arrondissements instead of Paris, Lyon, Marseille where scored)."""
    return list(ref.communes().values_list("code", flat=True))


def scores_in(run: IndexRun, ref: TerritoryRef, level: str) -> dict[str, TerritoryScore]:
    """Scores at `level` of the territories inside `ref`."""
    communes = ref.communes()
    if level == Level.COMMUNE:
        codes = set(communes.values_list("code", flat=True))
        codes |= set(ref.communes().values_list("former_communes__code", flat=True)) - {None}
    elif level == Level.EPCI:
        codes = set(communes.exclude(epci=None).values_list("epci_id", flat=True))
    elif level == Level.DEPARTEMENT:
        codes = set(communes.values_list("departement_id", flat=True))
    else:
        codes = set(communes.values_list("region_id", flat=True))
    return {score.code: score for score in run.scores.filter(level=level, code__in=codes)}


def commune_set(ref: TerritoryRef | None, run: IndexRun | None = None, threshold: float = DEFAULT_THRESHOLD):
    """Communes (not arrondissements) with a position, and their fragility from `run` if given."""
    communes = Commune.objects.communes().filter(latitude__isnull=False)
    if ref is not None:
        communes = communes.filter(ref.commune_q())
    rows = list(communes.order_by("code").values_list("code", "nom", "latitude", "longitude", "population", "epci_id"))
    codes = [row[0] for row in rows]
    fragile = score = None
    if run is not None:
        totals = dict(run.scores.filter(level=Level.COMMUNE, code__in=codes).values_list("code", "total"))
        score = np.array([np.nan if totals.get(code) is None else totals[code] for code in codes], dtype=float)
        fragile = np.nan_to_num(score, nan=-np.inf) >= threshold
    return CommuneSet(
        codes=codes,
        names=[row[1] for row in rows],
        latitude=np.array([row[2] for row in rows], dtype=float),
        longitude=np.array([row[3] for row in rows], dtype=float),
        population=np.array([row[4] or 0 for row in rows], dtype=float),
        epci=[row[5] or "" for row in rows],
        fragile=fragile,
        score=score,
    )


@dataclass
class PlaceData:
    places: PlaceSet
    commune_codes: list[str]


def place_set(ref: TerritoryRef | None = None) -> PlaceData:
    """Published places (all of them: a place across the border still serves the commune)."""
    points = published_place_points(ref)
    categories = {}
    for dispositif in places_standard.DISPOSITIFS:
        mask = np.array([dispositif in values for values in points.dispositifs], dtype=bool)
        if mask.any():
            categories[dispositif] = mask
    for service in places_standard.SERVICES:
        mask = np.array([service in values for values in points.services], dtype=bool)
        if mask.any():
            categories[f"Service : {service}"] = mask
    return PlaceData(
        places=PlaceSet(
            latitude=points.latitude,
            longitude=points.longitude,
            weekly_hours=points.weekly_hours,
            categories=categories,
        ),
        commune_codes=points.commune_codes,
    )


def territory_coverage(
    ref: TerritoryRef,
    *,
    distance_km: float = DEFAULT_DISTANCE_KM,
    run: IndexRun | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> Coverage:
    return compute_coverage(commune_set(ref, run, threshold), place_set().places, distance_km=distance_km)


def epci_densities(ref: TerritoryRef):
    """Places per 10,000 inhabitants and hours per 1,000, for each EPCI of the territory (whole EPCI,
    including its communes in a neighbouring département)."""
    epcis = ref.communes().exclude(epci=None).values_list("epci_id", flat=True).distinct()
    out = []
    for epci in Epci.objects.filter(code__in=set(epcis)):
        data = place_set(TerritoryRef(Level.EPCI, epci.code))
        out += densities(
            {epci.code: (epci.nom, epci.population or 0)},
            [epci.code] * len(data.commune_codes),
            data.places.weekly_hours,
        )
    return sorted(out, key=lambda d: (d.places_per_10000 if d.places_per_10000 is not None else 1e9, d.code))


def territory_density(ref: TerritoryRef, name: str, population: float):
    """The same figures for the whole territory."""
    data = place_set(ref)
    return densities({ref.code: (name, population)}, [ref.code] * len(data.commune_codes), data.places.weekly_hours)[0]


def fragile_population(ref: TerritoryRef, *, threshold: float = DEFAULT_THRESHOLD, run: IndexRun | None = None):
    """(population of the communes scoring ≥ threshold, population of the scored communes), or None."""
    run = run or run_for_territory(ref)
    if run is None:
        return None
    codes = commune_codes(ref)
    rows = run.scores.filter(level=Level.COMMUNE, code__in=codes).values_list("code", "total")
    totals = dict(rows)
    if not totals:
        return None
    population = dict(Commune.objects.filter(code__in=totals).values_list("code", "population"))
    scored = sum(population.get(code) or 0 for code, total in totals.items() if total is not None)
    fragile = sum(
        population.get(code) or 0 for code, total in totals.items() if total is not None and total >= threshold
    )
    return fragile, scored


def risk_class(value: float | None) -> int | None:
    """1…5 (risque faible → risque fort) on a 1–10 scale; None without a value."""
    if value is None:
        return None
    for position, (_, upper, _) in enumerate(RISK_CLASSES, start=1):
        if value < upper:
            return position
    return len(RISK_CLASSES)


def commune_matrix(run: IndexRun, ref: TerritoryRef):
    """The commune scores of `run` inside `ref`, as a matrix for variants and sensitivity."""
    from maillage.diagnosis.variants import CommuneMatrix

    scores = scores_in(run, ref, Level.COMMUNE)
    communes = {c.code: c for c in Commune.objects.filter(code__in=scores)}
    codes = sorted(code for code in scores if code in communes)
    indicators = run.indicator_columns
    values = np.array(
        [
            [np.nan if scores[code].values.get(key) is None else scores[code].values[key] for key in indicators]
            for code in codes
        ],
        dtype=float,
    ).reshape(len(codes), len(indicators))
    return CommuneMatrix(
        codes=codes,
        names=[communes[code].nom for code in codes],
        population=np.array([communes[code].population or 0 for code in codes], dtype=float),
        indicators=indicators,
        values=values,
        labels=run.labels,
    )


def maillage_indicator(key: str, codes: list[str] | None, *, distance_km: float = DEFAULT_DISTANCE_KM) -> np.ndarray:
    """Raw values of an indicator computed by maillage for these communes (all when None; NaN where unknown)."""
    communes = Commune.objects.communes().filter(latitude__isnull=False)
    if codes is not None:
        communes = communes.filter(code__in=codes)
    if key == "densite":
        areas = dict(communes.values_list("code", "area_km2"))
        codes = sorted(areas) if codes is None else codes
        populations = dict(communes.values_list("code", "population"))
        return np.array(
            [
                populations[c] / areas[c] if c in areas and areas[c] and populations[c] is not None else np.nan
                for c in codes
            ],
            dtype=float,
        )
    rows = sorted(communes.values_list("code", "nom", "latitude", "longitude", "population"))
    subset = CommuneSet(
        codes=[row[0] for row in rows],
        names=[row[1] for row in rows],
        latitude=np.array([row[2] for row in rows], dtype=float),
        longitude=np.array([row[3] for row in rows], dtype=float),
        population=np.array([row[4] or 0 for row in rows], dtype=float),
    )
    coverage = compute_coverage(subset, place_set().places, distance_km=distance_km)
    position = {code: i for i, code in enumerate(coverage.communes.codes)}
    codes = coverage.communes.codes if codes is None else codes
    source = coverage.nearest_km if key == "distance_lieu" else coverage.hours_within
    out = np.array([source[position[code]] if code in position else np.nan for code in codes], dtype=float)
    return np.where(np.isinf(out), np.nan, out)
