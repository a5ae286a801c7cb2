from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "maillage.roadmap"
    label = "roadmap"
    verbose_name = "Feuille de route"
