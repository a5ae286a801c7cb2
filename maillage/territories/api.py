"""Territory reference API: public, read-only."""

from django.http import Http404
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from maillage.core.policy import api_public
from maillage.territories import selectors
from maillage.territories.models import Commune, Departement, Epci, Region
from maillage.territories.search import search_communes

router = Router(tags=["territoires"])
MAX_LIMIT = 100


class CommuneOut(Schema):
    code: str = Field(description="Code INSEE")
    nom: str
    population: int | None = Field(description="Population municipale légale 2023")
    departement: str = Field(alias="departement_id")
    epci: str | None = Field(alias="epci_id", description="SIREN de l'EPCI")


class MairieOut(Schema):
    adresse: str
    telephone: str
    email: str
    site: str


class CommuneDetailOut(CommuneOut):
    type: str = Field(description="COM (commune) ou ARM (arrondissement municipal)")
    region: str = Field(alias="region_id")
    commune_parente: str | None = Field(alias="parent_id", description="Pour un arrondissement municipal")
    codes_postaux: list[str]
    superficie_km2: float | None = Field(alias="area_km2")
    latitude: float | None
    longitude: float | None
    code_demande: str | None = Field(None, description="Ancien code demandé, quand il a été résolu")
    mairie: MairieOut


class EpciOut(Schema):
    code: str = Field(description="SIREN")
    nom: str
    type: str
    population: int | None
    communes: list[str]
    departements: list[str]


class DepartementOut(Schema):
    code: str
    nom: str
    region: str
    population: int
    communes: int
    epci: list[str]


class RegionOut(Schema):
    code: str
    nom: str
    population: int
    departements: list[str]


class ErrorOut(Schema):
    detail: str


class CommuneFilters(Schema):
    q: str | None = Field(None, description="Nom (même approximatif) ou code postal", max_length=100)
    departement: str | None = None
    epci: str | None = None
    limit: int = Field(20, ge=1, le=MAX_LIMIT)
    offset: int = Field(0, ge=0)


@router.get("/communes", response={200: list[CommuneOut], 400: ErrorOut}, auth=api_public)
def list_communes(request, filters: Query[CommuneFilters]):
    """Search communes by name or postal code (`q`), or list those of a département or an EPCI."""
    if filters.q:
        return search_communes(filters.q, limit=filters.limit + filters.offset)[filters.offset :]
    if not (filters.departement or filters.epci):
        raise HttpError(400, "Précisez q (nom ou code postal), departement ou epci.")
    communes = Commune.objects.filter(is_current=True).order_by("code")
    if filters.departement:
        communes = communes.filter(departement_id=filters.departement.upper())
    if filters.epci:
        communes = communes.filter(epci_id=filters.epci)
    return communes[filters.offset : filters.offset + filters.limit]


@router.get("/communes/{code}", response={200: CommuneDetailOut, 404: ErrorOut}, auth=api_public)
def get_commune(request, code: str):
    """One commune; a former code (commune déléguée, merged commune) resolves to the current commune."""
    commune = selectors.resolve_commune(code)
    if commune is None:
        raise Http404(f"Commune inconnue : {code}.")
    commune.codes_postaux = list(commune.postal_codes.values_list("code", flat=True))
    commune.code_demande = code if code != commune.code else None
    commune.mairie = {
        "adresse": commune.mairie_adresse,
        "telephone": commune.mairie_telephone,
        "email": commune.mairie_email,
        "site": commune.mairie_site,
    }
    return commune


@router.get("/epci/{siren}", response={200: EpciOut, 404: ErrorOut}, auth=api_public)
def get_epci(request, siren: str):
    epci = Epci.objects.filter(code=siren).first()
    if epci is None:
        raise Http404(f"EPCI inconnu : {siren}.")
    members = epci.communes.filter(is_current=True).order_by("code")
    return {
        "code": epci.code,
        "nom": epci.nom,
        "type": epci.type,
        "population": epci.population,
        "communes": list(members.values_list("code", flat=True)),
        "departements": sorted(set(members.values_list("departement_id", flat=True))),
    }


@router.get("/departements/{code}", response={200: DepartementOut, 404: ErrorOut}, auth=api_public)
def get_departement(request, code: str):
    departement = Departement.objects.filter(code=code.upper()).first()
    if departement is None:
        raise Http404(f"Département inconnu : {code}.")
    figures = selectors.territory_figures(departement.ref)
    epcis = Epci.objects.filter(communes__departement=departement).distinct().order_by("code")
    return {
        "code": departement.code,
        "nom": departement.nom,
        "region": departement.region_id,
        "population": figures.population,
        "communes": figures.communes,
        "epci": list(epcis.values_list("code", flat=True)),
    }


@router.get("/regions/{code}", response={200: RegionOut, 404: ErrorOut}, auth=api_public)
def get_region(request, code: str):
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404(f"Région inconnue : {code}.")
    return {
        "code": region.code,
        "nom": region.nom,
        "population": selectors.territory_figures(region.ref).population,
        "departements": list(region.departements.order_by("code").values_list("code", flat=True)),
    }
