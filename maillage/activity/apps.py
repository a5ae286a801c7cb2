from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "maillage.activity"
    label = "activity"
    verbose_name = "Activité de médiation numérique"
