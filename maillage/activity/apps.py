from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "maillage.activity"
    label = "activity"
    verbose_name = "Activité de médiation numérique"

    def ready(self):
        from maillage.activity import indicators
        from maillage.activity.panels import structure_activity_panel, territory_activity_panel
        from maillage.core.panels import register_structure_panel, register_territory_panel

        register_territory_panel(territory_activity_panel)
        register_structure_panel(structure_activity_panel)
        indicators.register()
