"""Named queries that compute an indicator's live value from maillage's own data.

Apps register their sources in AppConfig.ready() (places: lieux per programme; activity:
accompaniments, beneficiaries; diagnosis: population beyond reach…). A roadmap indicator names a
source and its parameters; its actual value is computed for any territory and period, so that no
dashboard needs a spreadsheet. Apps never import each other for this: they meet here.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class IndicatorSource:
    key: str  # "places.lieux"
    label: str  # "Lieux de médiation numérique publiés"
    unit: str  # "lieux"
    compute: Callable  # (territory: TerritoryRef, start: date | None, end: date | None, **params) -> float | None
    params: dict = field(default_factory=dict)  # parameter name → allowed values (empty list: free text)
    description: str = ""


_sources: dict[str, IndicatorSource] = {}


def register_indicator_source(source: IndicatorSource) -> IndicatorSource:
    _sources[source.key] = source
    return source


def indicator_sources() -> dict[str, IndicatorSource]:
    return dict(sorted(_sources.items()))


def compute_indicator(
    key: str, territory, start: dt.date | None = None, end: dt.date | None = None, **params
) -> float | None:
    """The live value of source `key` for a TerritoryRef and an optional period."""
    try:
        source = _sources[key]
    except KeyError:
        raise KeyError(f"Source d'indicateur inconnue : {key}") from None
    unknown = set(params) - set(source.params)
    if unknown:
        raise ValueError(f"Paramètres inconnus pour {key} : {', '.join(sorted(unknown))}")
    return source.compute(territory, start, end, **params)
