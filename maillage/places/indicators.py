"""Indicator sources of the places registry (see maillage.core.indicators)."""

from maillage.core.indicators import IndicatorSource, register_indicator_source
from maillage.places import standard as std
from maillage.places.models import Place
from maillage.territories.selectors import territory_figures


def _places(territory, start, end, dispositif: str = "", service: str = ""):
    places = Place.objects.published().in_territory(territory)
    if end:
        places = places.filter(created_at__date__lte=end)
    rows = places.values_list("dispositif_programmes_nationaux", "services")
    return sum(
        1
        for dispositifs, services in rows
        if (not dispositif or dispositif in dispositifs) and (not service or service in services)
    )


def _places_per_10000(territory, start, end, dispositif: str = ""):
    population = territory_figures(territory).population
    return (
        round(_places(territory, start, end, dispositif=dispositif) * 10_000 / population, 2) if population else None
    )


def register() -> None:
    register_indicator_source(
        IndicatorSource(
            key="places.lieux",
            label="Lieux de médiation numérique publiés",
            unit="lieux",
            compute=_places,
            params={"dispositif": list(std.DISPOSITIFS), "service": list(std.SERVICES)},
            description="Lieux publiés du territoire, éventuellement d'un dispositif ou offrant un service.",
        )
    )
    register_indicator_source(
        IndicatorSource(
            key="places.lieux_pour_10000_habitants",
            label="Lieux pour 10 000 habitants",
            unit="lieux / 10 000 hab.",
            compute=_places_per_10000,
            params={"dispositif": list(std.DISPOSITIFS)},
        )
    )
