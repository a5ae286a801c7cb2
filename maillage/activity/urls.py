from django.urls import path

from maillage.activity.views import dashboard

app_name = "activity"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("export.<str:fmt>", dashboard.export, name="export"),
]
