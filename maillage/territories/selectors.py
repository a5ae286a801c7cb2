"""Reads shared by territory pages and the API: figures and map layers of any territory."""

from dataclasses import dataclass

import shapely
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Count, Sum

from maillage.territories import maps
from maillage.territories.enums import Level
from maillage.territories.models import Commune, Departement, Epci, ReferenceLoad
from maillage.territories.normalize import normalize
from maillage.territories.search import search_communes
from maillage.territories.territory import TerritoryRef

DENSITY_UNIT = "hab./km²"


@dataclass(frozen=True)
class Figures:
    population: int
    communes: int
    area_km2: float
    epcis: int
    departements: int

    @property
    def density(self) -> float | None:
        return self.population / self.area_km2 if self.area_km2 else None


def territory_figures(ref: TerritoryRef) -> Figures:
    """Population and area are sums over communes (never arrondissements: no double counting)."""
    communes = Commune.objects.communes().filter(is_current=True).in_territory(ref)
    if ref.level == Level.COMMUNE:
        communes = Commune.objects.filter(code=ref.code)
    totals = communes.aggregate(
        population=Sum("population"),
        area=Sum("area_km2"),
        count=Count("code"),
        epcis=Count("epci", distinct=True),
        departements=Count("departement", distinct=True),
    )
    return Figures(
        population=totals["population"] or 0,
        communes=totals["count"],
        area_km2=totals["area"] or 0.0,
        epcis=totals["epcis"],
        departements=totals["departements"],
    )


def _version() -> int | None:
    return ReferenceLoad.objects.order_by("-id").values_list("id", flat=True).first()


def _density(population, area) -> float | None:
    return population / area if population is not None and area else None


def commune_density_map(ref: TerritoryRef, *, title: str, highlight: str | None = None) -> maps.Choropleth:
    """Population density of the communes of `ref` (its arrondissements for Paris, Lyon, Marseille)."""
    key = f"territories:map:communes:{ref}:{highlight}:{_version()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    communes = Commune.objects.filter(is_current=True).in_territory(ref)
    if ref.level == Level.COMMUNE:
        arrondissements = Commune.objects.filter(parent_id=ref.code)
        communes = arrondissements if arrondissements.exists() else communes.filter(code=ref.code)
    else:
        communes = communes.communes()
    rows = communes.order_by("nom").values_list("code", "nom", "population", "area_km2", "geometry")
    areas = [
        maps.Area(
            code=code,
            label=nom,
            value=_density(population, area),
            geometry=shapely.from_wkb(bytes(geometry)) if geometry is not None else None,
            highlighted=code == highlight,
        )
        for code, nom, population, area, geometry in rows
    ]
    result = maps.render(
        areas,
        title=title,
        unit=DENSITY_UNIT,
        map_id=f"carte-{ref.level}-{ref.code}",
        description="Carte choroplèthe : plus la couleur est foncée, plus la densité est forte. "
        "Les mêmes données figurent dans le tableau qui suit la carte.",
    )
    cache.set(key, result, 60 * 60)
    return result


def departement_density_map(region_code: str, *, title: str) -> maps.Choropleth:
    """Départements of a région, each drawn as the union of its communes."""
    key = f"territories:map:departements:{region_code}:{_version()}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    areas = []
    for departement in Departement.objects.filter(region_id=region_code).order_by("code"):
        communes = Commune.objects.communes().filter(departement=departement, is_current=True)
        rows = list(communes.values_list("population", "area_km2", "geometry"))
        shapes = [shapely.from_wkb(bytes(geometry)) for _, _, geometry in rows if geometry is not None]
        population = sum(population or 0 for population, _, _ in rows)
        area = sum(area or 0 for _, area, _ in rows)
        areas.append(
            maps.Area(
                code=departement.code,
                label=str(departement),
                value=_density(population, area),
                geometry=shapely.union_all(shapes, grid_size=1e-5) if shapes else None,
            )
        )
    result = maps.render(
        areas,
        title=title,
        unit=DENSITY_UNIT,
        map_id=f"carte-region-{region_code}",
        description="Carte choroplèthe des départements de la région : plus la couleur est foncée, plus la "
        "densité est forte. Les mêmes données figurent dans le tableau qui suit la carte.",
    )
    cache.set(key, result, 60 * 60 * 24)
    return result


def find_territory(query: str) -> TerritoryRef | None:
    """The territory a person means by what they typed: "departement:28"; a département's code or
    name ("28", "2A", "eure et loir"); an EPCI's SIREN or name ("CA Chartres Métropole"); otherwise
    the best commune for a name or a postal code ("Châteaudun", "28200"). None when nothing fits."""
    query = (query or "").strip()
    if not query:
        return None
    if ":" in query:
        try:
            ref = TerritoryRef.parse(query)
        except ValidationError:
            return None
        return ref if ref.exists() else None
    wanted = normalize(query)
    for model in (Departement, Epci):
        for code, nom in model.objects.values_list("code", "nom"):
            if query.upper() == code or wanted == normalize(nom):
                return TerritoryRef(Level.DEPARTEMENT if model is Departement else Level.EPCI, code)
    communes = search_communes(query, limit=1)
    return communes[0].ref if communes else None


def resolve_commune(code: str) -> Commune | None:
    """The current commune for `code`, following former codes (communes nouvelles, mergers)."""
    commune = Commune.objects.select_related("departement", "region", "epci", "parent").filter(code=code).first()
    if commune is not None:
        return commune
    former = (
        Commune.objects.select_related("departement", "region", "epci", "parent")
        .filter(former_communes__code=code, is_current=True)
        .order_by("-population")
        .first()
    )
    return former


def territory_map(territory) -> maps.Choropleth:
    """The density map shown on a territory's page (and offered for download).

    A région shows its départements; a département or an EPCI its communes; a commune is shown
    within its EPCI (or its département when it has none); Paris, Lyon and Marseille show their
    arrondissements.
    """
    ref = territory.ref
    if ref.level == Level.REGION:
        return departement_density_map(ref.code, title=f"Densité de population des départements — {territory.nom}")
    if ref.level == Level.DEPARTEMENT:
        return commune_density_map(ref, title=f"Densité de population des communes {territory.nom_de}")
    if ref.level == Level.EPCI:
        return commune_density_map(ref, title=f"Densité de population des communes — {territory.nom}")
    if Commune.objects.filter(parent_id=territory.code).exists():
        return commune_density_map(ref, title=f"Densité de population des arrondissements de {territory.nom}")
    surroundings = territory.epci.ref if territory.epci_id else territory.departement.ref
    around = f"l'EPCI {territory.epci.nom}" if territory.epci_id else f"le département {territory.departement.nom}"
    return commune_density_map(
        surroundings,
        title=f"{territory.nom} (contour noir) et la densité des communes de {around}",
        highlight=territory.code,
    )
