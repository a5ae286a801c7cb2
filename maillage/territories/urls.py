from django.urls import path

from maillage.territories import views

app_name = "territories"
urlpatterns = [
    path("", views.index, name="index"),
    path("regions/<str:code>/", views.region_detail, name="region"),
    path("departements/<str:code>/", views.departement_detail, name="departement"),
    path("epci/<str:code>/", views.epci_detail, name="epci"),
    path("communes/", views.commune_search, name="search"),
    path("communes/<str:code>/", views.commune_detail, name="commune"),
    path("<str:level>/<str:code>/carte.<str:fmt>", views.map_data, name="map_data"),
]
