"""The public API (django-ninja): /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as RequestInvalid

from maillage.activity.api import router as activity_router
from maillage.core.policy import ApiDenyAll
from maillage.diagnosis.api import router as diagnosis_router
from maillage.places.api import router as places_router
from maillage.roadmap.api import router as roadmap_router
from maillage.territories.api import router as territories_router

api = NinjaAPI(
    title="maillage API",
    version="1",
    description="Référentiel territorial, lieux, activité et diagnostic de l'inclusion numérique.",
    auth=ApiDenyAll(),
    urls_namespace="api",
)
api.add_router("", territories_router)
api.add_router("", places_router)
api.add_router("", activity_router)
api.add_router("", diagnosis_router)
api.add_router("", roadmap_router)


@api.exception_handler(Http404)
def not_found(request, exc):
    message = str(exc)
    if not message or "matches the given query" in message:  # Django's English get_object_or_404 text
        message = "Ressource introuvable."
    return api.create_response(request, {"detail": message}, status=404)


# French for the request errors people meet (pydantic's error types); others keep pydantic's text.
REQUEST_ERRORS = {
    "missing": "champ obligatoire",
    "int_parsing": "nombre entier attendu",
    "int_type": "nombre entier attendu",
    "float_parsing": "nombre attendu",
    "float_type": "nombre attendu",
    "bool_parsing": "booléen attendu (true ou false)",
    "string_type": "chaîne de caractères attendue",
    "date_from_datetime_parsing": "date attendue (AAAA-MM-JJ)",
    "date_parsing": "date attendue (AAAA-MM-JJ)",
    "datetime_parsing": "date et heure attendues (AAAA-MM-JJTHH:MM)",
    "enum": "valeur non permise",
    "literal_error": "valeur non permise",
    "list_type": "liste attendue",
    "dict_type": "objet attendu",
    "json_invalid": "JSON invalide",
    "less_than_equal": "valeur trop grande",
    "greater_than_equal": "valeur trop petite",
}


@api.exception_handler(RequestInvalid)
def request_invalid(request, exc):
    errors = [
        {**error, "msg": REQUEST_ERRORS.get(error.get("type"), error.get("msg", ""))}
        for error in exc.errors
        if isinstance(error, dict)
    ]
    return api.create_response(request, {"detail": errors}, status=422)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Accès refusé."}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "Authentification requise."}, status=401)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    return api.create_response(request, {"detail": exc.messages}, status=400)
