from django.apps import AppConfig


class PlacesConfig(AppConfig):
    name = "maillage.places"
    label = "places"
    verbose_name = "Lieux de médiation numérique"

    def ready(self):
        from maillage.core.panels import register_territory_panel
        from maillage.places import indicators
        from maillage.places.panels import territory_places_panel

        register_territory_panel(territory_places_panel)
        indicators.register()
