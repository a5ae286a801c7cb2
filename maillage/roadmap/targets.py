"""The four national targets of France Numérique Ensemble, territorialised for any territory.

Rule « population » (default): a territory's share of each national target is its share of the
population of France (populations légales 2023, sum of all communes of the reference). Rule
« fragile »: its share of the population in digital fragility, from the diagnosis source
`diagnosis.population_fragile` when that source is available (otherwise the population rule
applies, and the reason is said).
"""

import logging
import math
from dataclasses import dataclass

from maillage.core.indicators import compute_indicator, indicator_sources
from maillage.roadmap.enums import TargetRule
from maillage.territories.selectors import territory_figures

logger = logging.getLogger(__name__)

# Populations légales 2023 (in force on 1 January 2026), sum of the 34,875 communes of the committed
# reference (maillage/territories/data/communes.csv.gz); tests check this figure against the file.
NATIONAL_POPULATION = 68_350_798
# « 13 millions de Français éloignés du numérique » (source documents 001 and 004): the national
# population in digital fragility, against which the fragile-population rule measures a territory.
NATIONAL_FRAGILE_POPULATION = 13_000_000


@dataclass(frozen=True)
class NationalTarget:
    key: str
    label: str
    national: int
    unit: str
    # Indicator source measuring progress where one exists (an indicator of the roadmap may override it).
    source_key: str = ""


NATIONAL_TARGETS = {
    "personnes": NationalTarget(
        "personnes", "Personnes éloignées du numérique accompagnées", 8_000_000, "personnes", "activity.beneficiaires"
    ),
    "aidants": NationalTarget("aidants", "Aidants numériques formés", 20_000, "aidants"),
    "equipements": NationalTarget(
        "equipements", "Équipements reconditionnés accessibles aux ménages modestes", 2_000_000, "équipements"
    ),
    "lieux": NationalTarget("lieux", "Lieux d'inclusion numérique", 25_000, "lieux", "places.lieux"),
}


@dataclass
class TerritorialTarget:
    target: NationalTarget
    local: int
    actual: float | None
    actual_source: str  # what the actual value comes from, or why there is none

    @property
    def progress(self) -> float | None:
        if self.actual is None or not self.local:
            return None
        return round(100 * self.actual / self.local, 1)


@dataclass
class Territorialisation:
    territory: object
    rule: str
    rule_label: str
    share: float  # 0.00634 for Eure-et-Loir by population
    explanation: str
    targets: list[TerritorialTarget]


def territory_share(territory, rule: str = TargetRule.POPULATION) -> tuple[float, str, str]:
    """(share, rule actually applied, explanation in French)."""
    population = territory_figures(territory).population
    if rule == TargetRule.FRAGILE:
        if "diagnosis.population_fragile" in indicator_sources():
            fragile, _ = live_value("diagnosis.population_fragile", territory)
            if fragile is not None:
                share = fragile / NATIONAL_FRAGILE_POPULATION
                return (
                    share,
                    TargetRule.FRAGILE,
                    f"{_fr(fragile)} personnes en fragilité numérique sur {_fr(NATIONAL_FRAGILE_POPULATION)} "
                    f"en France, soit {_percent(share)}.",
                )
        reason = "le diagnostic de fragilité n'est pas disponible : la part de la population s'applique. "
    else:
        reason = ""
    share = population / NATIONAL_POPULATION if population else 0.0
    return (
        share,
        TargetRule.POPULATION,
        reason.capitalize()
        + f"{_fr(population)} habitants sur {_fr(NATIONAL_POPULATION)} en France, soit {_percent(share)}.",
    )


def territorialise(territory, rule: str = TargetRule.POPULATION, actuals: dict | None = None) -> Territorialisation:
    """Local share of each national target, with progress from live sources (or `actuals` given by key)."""
    share, applied, explanation = territory_share(territory, rule)
    rows = []
    for target in NATIONAL_TARGETS.values():
        local = math.floor(target.national * share + 0.5)
        actual, origin = None, "aucune mesure"
        if actuals and target.key in actuals:
            actual, origin = actuals[target.key]
        elif target.source_key:
            actual, origin = live_value(target.source_key, territory)
        rows.append(TerritorialTarget(target, local, actual, origin))
    return Territorialisation(territory, applied, TargetRule(applied).label, share, explanation, rows)


def live_value(key: str, territory, start=None, end=None, **params) -> tuple[float | None, str]:
    """(value, origin): never raises; an unregistered source gives (None, « source indisponible »)."""
    if key not in indicator_sources():
        return None, "source indisponible"
    try:
        value = compute_indicator(key, territory, start, end, **params)
    except (KeyError, ValueError, TypeError, LookupError) as error:
        return None, f"source indisponible ({error})"
    except Exception:  # a source of another app must never break a roadmap page
        logger.exception("Indicator source %s failed for %s", key, territory)
        return None, "source indisponible (erreur de calcul)"
    if value is None:
        return None, "pas de donnée"
    return float(value), f"calculé en direct ({key})"


def _fr(number: float) -> str:
    return f"{number:,.0f}".replace(",", "\u202f")


def _percent(share: float) -> str:
    return f"{100 * share:.3f}".replace(".", ",") + " %"


def as_payload(result: Territorialisation) -> dict:
    """The exchange shape of a territorialisation (API and `maillage roadmap objectifs --json`)."""
    return {
        "territoire": str(result.territory),
        "regle": result.rule,
        "part": result.share,
        "explication": result.explanation,
        "objectifs": [
            {
                "cle": row.target.key,
                "libelle": row.target.label,
                "national": row.target.national,
                "territorial": row.local,
                "realise": row.actual,
                "origine": row.actual_source,
                "progression_pct": row.progress,
            }
            for row in result.targets
        ],
    }
