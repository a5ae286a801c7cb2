from django.urls import path

from maillage.diagnosis import views

app_name = "diagnosis"
urlpatterns = [
    path("", views.home, name="home"),
    path("methodes/", views.methods, name="methods"),
    path("methodes/<str:key>.yaml", views.method_yaml, name="method_yaml"),
    path("region/<str:code>/comparaison/", views.comparison, name="comparison"),
    path("<str:level>/<str:code>/", views.territory, name="territory"),
    path("<str:level>/<str:code>/carte.<str:fmt>", views.map_download, name="map_download"),
    path("<str:level>/<str:code>/couverture/", views.coverage, name="coverage"),
    path("<str:level>/<str:code>/couverture.csv", views.coverage_csv, name="coverage_csv"),
    path("<str:level>/<str:code>/rapport/", views.report, name="report"),
    path("<str:level>/<str:code>/rapport.pdf", views.report_pdf, name="report_pdf"),
    path("<str:level>/<str:code>/variante/", views.variant, name="variant"),
    path("<str:level>/<str:code>/sensibilite/", views.sensitivity, name="sensitivity"),
]
