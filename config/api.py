"""The public API (django-ninja): /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import AuthenticationError

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
    message = str(exc) or "Ressource introuvable."
    return api.create_response(request, {"detail": message}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": str(exc) or "Accès refusé."}, status=403)


@api.exception_handler(AuthenticationError)
def unauthenticated(request, exc):
    return api.create_response(request, {"detail": "Authentification requise."}, status=401)


@api.exception_handler(ValidationError)
def invalid(request, exc):
    return api.create_response(request, {"detail": exc.messages}, status=400)
