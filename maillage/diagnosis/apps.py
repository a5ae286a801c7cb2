from django.apps import AppConfig


class DiagnosisConfig(AppConfig):
    name = "maillage.diagnosis"
    label = "diagnosis"
    verbose_name = "Diagnostic de fragilité numérique"

    def ready(self):
        from maillage.core.panels import register_territory_panel
        from maillage.diagnosis import indicators
        from maillage.diagnosis.panels import territory_diagnosis_panel

        register_territory_panel(territory_diagnosis_panel)
        indicators.register()
