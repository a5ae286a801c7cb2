from django.apps import AppConfig


class StructuresConfig(AppConfig):
    name = "maillage.structures"
    label = "structures"
    verbose_name = "Structures"
