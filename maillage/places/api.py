"""Places API: public reads (search, nearest, fiche, export, figures); writes by role."""

import datetime as dt
import hashlib
import json
import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils import timezone
from ninja import Body, Field, File, Form, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from maillage.core.policy import ApiRoles, api_public
from maillage.core.roles import Role
from maillage.places import perms, presentation, services, tasks
from maillage.places import standard as std
from maillage.places.enums import ImportStatus
from maillage.places.export import export_places
from maillage.places.importing.files import MAX_UPLOAD
from maillage.places.importing.runner import dataset_for
from maillage.places.models import STANDARD_TO_MODEL, ImportBatch, Place
from maillage.places.search import FILTERS, get_index
from maillage.places.selectors import territory_place_figures
from maillage.territories.search import search_communes
from maillage.territories.territory import TerritoryRef

router = Router(tags=["lieux"])
MAX_K = 50
SEARCH_WINDOW = 500  # places a search counts (its `total`) and pages through with `offset`
MAX_RADIUS_KM = 1000


def _check_point(lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise HttpError(400, "Coordonnées hors limites : latitude entre -90 et 90, longitude entre -180 et 180.")


def _check_radius(rayon: float | None) -> None:
    if rayon is not None and not (math.isfinite(rayon) and 0 < rayon <= MAX_RADIUS_KM):
        raise HttpError(400, f"Le rayon est une distance en kilomètres, plus de 0 et au plus {MAX_RADIUS_KM}.")


class PlaceFilters(Schema):
    services: list[str] = Field(default_factory=list, description="Services (OU entre eux)")
    publics: list[str] = Field(default_factory=list)
    accessibilite: list[str] = Field(default_factory=list, description="Prise en charge spécifique")
    frais: list[str] = Field(default_factory=list)
    acces: list[str] = Field(default_factory=list, description="Modalités d'accès")
    accompagnement: list[str] = Field(default_factory=list)
    dispositifs: list[str] = Field(default_factory=list, description="Dispositifs nationaux")
    labels: list[str] = Field(default_factory=list, description="Formations et labels")
    ouvert: str | None = Field(None, description="« maintenant », ou une date et heure locales AAAA-MM-JJTHH:MM")

    def as_filters(self) -> dict:
        chosen = {}
        for name, (_, vocabulary) in FILTERS.items():
            values = getattr(self, name)
            unknown = [value for value in values if value not in vocabulary]
            if unknown:
                raise HttpError(400, f"Valeur inconnue pour {name} : {', '.join(unknown)}")
            if values:
                chosen[name] = values
        return chosen

    def open_at(self):
        if not self.ouvert:
            return None
        if self.ouvert == "maintenant":
            return timezone.now()
        try:
            return dt.datetime.fromisoformat(self.ouvert)
        except ValueError as error:
            raise HttpError(400, "ouvert : « maintenant » ou AAAA-MM-JJTHH:MM") from error


class NearbyOut(Schema):
    id: int
    nom: str
    adresse: str
    code_postal: str
    commune: str = Field(alias="commune_nom")
    code_insee: str | None = Field(None, alias="commune_id")
    telephone: str
    services: list[str]
    distance_km: float
    latitude: float = Field(alias="position_latitude")
    longitude: float = Field(alias="position_longitude")
    position_approximative: bool


class SearchOut(Schema):
    commune: dict | None
    total: int
    results: list[NearbyOut]


class FicheOut(Schema):
    id: int
    standard: dict = Field(description="Les 32 champs du standard v1.0.x")
    aujourd_hui: str
    ouvert_maintenant: bool | None
    horaires_semaine: list[dict] | None
    position: dict
    source: dict
    url: str


class FiguresOut(Schema):
    territoire: str
    total: int
    par_dispositif: dict[str, int]
    phrase: str


class ImportOut(Schema):
    id: int
    statut: str
    lignes_traitees: int
    lignes: int
    rapport: dict | None
    url: str


class ErrorOut(Schema):
    detail: str | list | dict


def _nearby(found) -> list[dict]:
    return [
        {
            **item.summary,
            "distance_km": round(item.km, 3),
            "position_approximative": item.summary["position_origin"] != "given",
        }
        for item in found
    ]


@router.get("/lieux", response={200: SearchOut, 400: ErrorOut}, auth=api_public)
def search_places(
    request,
    filters: Query[PlaceFilters],
    q: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
    rayon: float = 30,
    k: int = 20,
    offset: int = 0,
):
    """Places around a commune (name or postal code, `q`) or a point (`lat`, `lon`), nearest first:
    `k` of them from `offset`; `total` counts the places found (at most 500)."""
    _check_radius(rayon)
    if not 0 <= offset < SEARCH_WINDOW:
        raise HttpError(400, f"offset est un nombre entier entre 0 et {SEARCH_WINDOW - 1}.")
    commune = None
    if lat is not None and lon is not None:
        _check_point(lat, lon)
    else:
        if not q:
            raise HttpError(400, "Précisez q (commune ou code postal) ou lat et lon.")
        communes = search_communes(q, limit=1)
        if not communes or communes[0].latitude is None:
            return {"commune": None, "total": 0, "results": []}
        commune = communes[0]
        lat, lon = commune.latitude, commune.longitude
    found = get_index().nearest(
        lat, lon, k=SEARCH_WINDOW, filters=filters.as_filters(), open_at=filters.open_at(), max_km=rayon
    )
    return {
        "commune": {"code": commune.code, "nom": commune.nom} if commune else None,
        "total": len(found),
        "results": _nearby(found[offset : offset + max(1, min(k, MAX_K))]),
    }


@router.get("/lieux/proches", response={200: list[NearbyOut], 400: ErrorOut}, auth=api_public)
def nearest_places(
    request,
    lat: float,
    lon: float,
    filters: Query[PlaceFilters],
    k: int = 10,
    rayon: float | None = None,
):
    """The k nearest published places of a point, with filters (answered from memory)."""
    _check_point(lat, lon)
    _check_radius(rayon)
    found = get_index().nearest(
        lat, lon, k=max(1, min(k, MAX_K)), filters=filters.as_filters(), open_at=filters.open_at(), max_km=rayon
    )
    # The hot path of the phone operator and of partners' maps: written straight to JSON (the
    # same document as NearbyOut would give, see tests/places/test_api.py), without validating
    # each result again.
    return HttpResponse(json.dumps(nearby_documents(found), ensure_ascii=False), content_type="application/json")


NEARBY_KEYS = (
    ("id", "id"),
    ("nom", "nom"),
    ("adresse", "adresse"),
    ("code_postal", "code_postal"),
    ("commune", "commune_nom"),
    ("code_insee", "commune_id"),
    ("telephone", "telephone"),
    ("services", "services"),
    ("distance_km", "distance_km"),
    ("latitude", "position_latitude"),
    ("longitude", "position_longitude"),
    ("position_approximative", "position_approximative"),
)


def nearby_documents(found) -> list[dict]:
    """NearbyOut documents for the found places."""
    return [{key: item[source] for key, source in NEARBY_KEYS} for item in _nearby(found)]


@router.get("/lieux/chiffres", response={200: FiguresOut, 400: ErrorOut, 404: ErrorOut}, auth=api_public)
def place_figures(request, territoire: str):
    """Live figures of a territory: places in total and per national programme."""
    try:
        ref = TerritoryRef.parse(territoire)
    except ValidationError as error:
        raise HttpError(400, " ".join(error.messages)) from error
    if not ref.exists():
        raise Http404(f"Territoire inconnu : {territoire}.")
    figures = territory_place_figures(ref)
    return {
        "territoire": str(ref),
        "total": figures["total"],
        "par_dispositif": figures["by_dispositif"],
        "phrase": figures["sentence"],
    }


@router.get("/lieux/export", response={200: None, 400: ErrorOut}, auth=api_public)
def export(request, format: str = "csv", territoire: str | None = None):
    """Published places in the standard (CSV or flat JSON), for a territory or all of France."""
    if format not in ("csv", "json"):
        raise HttpError(400, "format : csv ou json.")
    if territoire:
        try:
            TerritoryRef.parse(territoire)
        except ValidationError as error:
            raise HttpError(400, " ".join(error.messages)) from error
    data = export_places(fmt=format, territory=territoire, published_only=True)
    content_type = "text/csv; charset=utf-8" if format == "csv" else "application/json; charset=utf-8"
    return HttpResponse(data, content_type=content_type)


def _standard(place: Place) -> dict:
    values = {}
    for name in std.FIELD_NAMES:
        value = getattr(place, STANDARD_TO_MODEL.get(name, name))
        values[name] = value.isoformat() if name == "date_maj" else value
    return values


@router.get("/lieux/{int:place_id}", response={200: FicheOut, 404: ErrorOut}, auth=api_public)
def place_fiche(request, place_id: int):
    place = Place.objects.filter(pk=place_id).first()
    if place is None or not perms.can_view_place(request.user, place):
        raise Http404(f"Lieu inconnu : {place_id}.")
    today = presentation.today(place)
    week = presentation.week_schedule(place)
    return {
        "id": place.pk,
        "standard": _standard(place),
        "aujourd_hui": today.label,
        "ouvert_maintenant": today.open_now,
        "horaires_semaine": [{"jour": day.name, "date": day.day.isoformat(), "horaires": day.label} for day in week]
        if week
        else None,
        "position": {
            "latitude": place.position_latitude,
            "longitude": place.position_longitude,
            "approximative": place.position_approximate,
        },
        "source": {"jeu_de_donnees": place.dataset, "identifiant": place.local_id, "date_maj": place.date_maj},
        "url": request.build_absolute_uri(f"/lieux/{place.pk}/"),
    }


@router.patch(
    "/lieux/{int:place_id}",
    response={200: FicheOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=ApiRoles(Role.COORDINATEUR, Role.GESTIONNAIRE),
)
def update_place(request, place_id: int, changes: Body[dict]):
    """Change standard fields of a place (validated like an import; journaled). Values as in the
    standard's JSON: text as strings, lists as arrays of strings (or one string), coordinates as
    numbers."""
    place = Place.objects.filter(pk=place_id).first()
    if place is None:
        raise HttpError(404, "Lieu introuvable.")
    unknown = set(changes) - set(std.FIELD_NAMES)
    if unknown:
        raise HttpError(400, f"Champs inconnus du standard : {', '.join(sorted(unknown))}")
    wrong = [f"{name} : {problem}" for name, value in changes.items() if (problem := _wrong_type(name, value))]
    if wrong:
        raise HttpError(400, "Valeurs d'un type inattendu — " + " ; ".join(wrong))
    try:
        services.place_update(actor=request.auth, place=place, changes=changes)
    except PermissionDenied as error:
        raise HttpError(403, "Vous ne pouvez pas modifier ce lieu.") from error
    except ValidationError as error:
        problems = error.message_dict.items() if hasattr(error, "error_dict") else [("", error.messages)]
        detail = " ; ".join(
            f"{name} : {' '.join(reasons)}" if name else " ".join(reasons) for name, reasons in problems
        )
        raise HttpError(400, detail) from error
    return place_fiche(request, place_id)


def _wrong_type(name: str, value) -> str:
    """Why `value` cannot be the field `name` as JSON sends it ("" when it can)."""
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        return "caractère nul interdit"
    if name in std.LIST_FIELDS:
        if isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value)):
            return ""
        return "une liste de chaînes de caractères attendue"
    if name in ("latitude", "longitude"):
        if value is None or value == "":
            return ""
        limit = 90 if name == "latitude" else 180
        if isinstance(value, int | float) and not isinstance(value, bool):
            return "" if math.isfinite(value) and -limit <= value <= limit else f"un nombre entre -{limit} et {limit}"
        return "un nombre attendu"
    return "" if isinstance(value, str) else "une chaîne de caractères attendue"


def _import_out(request, batch: ImportBatch) -> dict:
    return {
        "id": batch.pk,
        "statut": batch.status,
        "lignes_traitees": batch.rows_done,
        "lignes": batch.rows_total,
        "rapport": batch.report or None,
        "url": request.build_absolute_uri(f"/lieux/imports/{batch.pk}/"),
    }


@router.post(
    "/lieux/imports", response={202: ImportOut, 400: ErrorOut, 403: ErrorOut}, auth=ApiRoles(Role.COORDINATEUR)
)
def start_import(
    request, fichier: File[UploadedFile], source: Form[str | None] = None, simulation: Form[bool] = False
):
    """Start an import in the background; poll GET /lieux/imports/{id} for progress and report."""
    if not perms.can_import_places(request.auth):
        raise HttpError(403, "Réservé aux coordinateurs.")
    if not fichier.size:
        raise HttpError(400, "Le fichier est vide.")
    if fichier.size > MAX_UPLOAD:
        raise HttpError(400, "Fichier trop volumineux (50 Mo au plus).")
    source = source or request.GET.get("source")  # a form field; earlier clients sent it in the query
    dataset = dataset_for(source, fichier.name)
    if not perms.can_import_dataset(request.auth, dataset):
        raise HttpError(403, perms.OUTSIDE_DATASET.format(dataset=dataset))
    data = fichier.read()
    batch = ImportBatch.objects.create(
        dataset=dataset,
        filename=fichier.name,
        dry_run=simulation,
        actor=request.auth,
        file_sha256=hashlib.sha256(data).hexdigest(),
        status=ImportStatus.PENDING,
    )
    tasks.start_import(
        batch=batch,
        data=data,
        filename=fichier.name,
        dataset=source or None,
        dry_run=simulation,
        mapping=None,
        actor=request.auth,
    )
    batch.refresh_from_db()
    return Status(202, _import_out(request, batch))


@router.get(
    "/lieux/imports/{int:batch_id}", response={200: ImportOut, 404: ErrorOut}, auth=ApiRoles(Role.COORDINATEUR)
)
def import_status(request, batch_id: int):
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or not perms.can_see_import(request.auth, batch):
        raise HttpError(404, "Import introuvable.")
    return _import_out(request, batch)
