from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "maillage.structures"
    label = "structures"
    verbose_name = "Structures"

    def ready(self):
        from maillage.core.panels import register_territory_panel
        from maillage.structures.panels import territory_structures_panel

        register_territory_panel(territory_structures_panel)
