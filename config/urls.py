from django.contrib import admin
from django.urls import include, path

from config.api import api
from maillage.core.policy import mark_api_urls

urlpatterns = [
    path("", include("maillage.core.urls")),
    path("", include("maillage.users.urls")),
    path("territoires/", include("maillage.territories.urls")),
    path("structures/", include("maillage.structures.urls")),
    path("lieux/", include("maillage.places.urls")),
    path("activite/", include("maillage.activity.urls")),
    path("diagnostic/", include("maillage.diagnosis.urls")),
    path("feuille-de-route/", include("maillage.roadmap.urls")),
    path("api/v1/", mark_api_urls(api.urls)),
    path("admin/", admin.site.urls),
]

handler403 = "maillage.core.views.permission_denied"
handler404 = "maillage.core.views.page_not_found"
handler500 = "maillage.core.views.server_error"
