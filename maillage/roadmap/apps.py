from django.apps import AppConfig


class RoadmapConfig(AppConfig):
    name = "maillage.roadmap"
    label = "roadmap"
    verbose_name = "Feuille de route"

    def ready(self):
        from maillage.core.panels import register_territory_panel
        from maillage.roadmap.panels import territory_roadmap_panel

        register_territory_panel(territory_roadmap_panel)
