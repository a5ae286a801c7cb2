"""Indicator sources of the diagnosis (see maillage.core.indicators), used by roadmaps.

- `diagnosis.population_fragile`: inhabitants (populations légales of the reference) of the
  territory's communes whose total score reaches the threshold `seuil` (default 6 on the 1–10
  scale), in the latest official run scoring the territory (the demo run when there is none).
- `diagnosis.part_population_fragile`: that population as a percentage of the population of the
  territory's scored communes (a population-weighted share, not a share of communes).
Both are None when no run scores the territory. The period is ignored: a run is a snapshot.
"""

from maillage.core.indicators import IndicatorSource, register_indicator_source
from maillage.diagnosis import selectors


def _threshold(seuil) -> float:
    try:
        return float(seuil) if seuil not in (None, "") else selectors.DEFAULT_THRESHOLD
    except (TypeError, ValueError):
        raise ValueError(f"seuil : un nombre entre 1 et 10 (reçu {seuil!r})") from None


def _fragile_population(territory, start, end, seuil=None):
    figures = selectors.fragile_population(territory, threshold=_threshold(seuil))
    return None if figures is None else float(figures[0])


def _fragile_share(territory, start, end, seuil=None):
    figures = selectors.fragile_population(territory, threshold=_threshold(seuil))
    if figures is None or not figures[1]:
        return None
    return round(100 * figures[0] / figures[1], 2)


def _population_beyond(territory, start, end, distance=None):
    distance_km = float(distance) if distance not in (None, "") else selectors.DEFAULT_DISTANCE_KM
    return float(selectors.territory_coverage(territory, distance_km=distance_km).population_beyond())


def register() -> None:
    register_indicator_source(
        IndicatorSource(
            key="diagnosis.population_fragile",
            label="Population des communes fragiles (indice de fragilité numérique)",
            unit="habitants",
            compute=_fragile_population,
            params={"seuil": []},
            description="Habitants des communes dont le score total atteint le seuil (6 par défaut, échelle 1–10).",
        )
    )
    register_indicator_source(
        IndicatorSource(
            key="diagnosis.part_population_fragile",
            label="Part de la population vivant dans une commune fragile",
            unit="%",
            compute=_fragile_share,
            params={"seuil": []},
            description="Population des communes au score total ≥ seuil, rapportée à celle des communes notées.",
        )
    )
    register_indicator_source(
        IndicatorSource(
            key="diagnosis.population_hors_portee",
            label="Population à plus de 10 km d'un lieu de médiation",
            unit="habitants",
            compute=_population_beyond,
            params={"distance": []},
            description="Habitants des communes à plus de `distance` km (10) du lieu publié le plus proche.",
        )
    )
