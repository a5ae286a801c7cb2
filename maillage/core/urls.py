from django.urls import path

from maillage.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("accessibilite/", views.accessibility, name="accessibility"),
    path("donnees-personnelles/", views.privacy, name="privacy"),
    path("journal/", views.journal, name="journal"),
]
