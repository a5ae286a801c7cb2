from django.db import models

from maillage.core.actions import register_actions


class Level(models.TextChoices):
    COMMUNE = "commune", "Commune"
    EPCI = "epci", "EPCI"
    DEPARTEMENT = "departement", "Département"
    REGION = "region", "Région"


class CommuneType(models.TextChoices):
    COMMUNE = "COM", "Commune"
    ARRONDISSEMENT = "ARM", "Arrondissement municipal"


class FormerCommuneType(models.TextChoices):
    DELEGUEE = "COMD", "Commune déléguée"
    ASSOCIEE = "COMA", "Commune associée"


class EpciType(models.TextChoices):
    CC = "CC", "Communauté de communes"
    CA = "CA", "Communauté d'agglomération"
    CU = "CU", "Communauté urbaine"
    METRO = "METRO", "Métropole"
    MET69 = "MET69", "Métropole de Lyon"


class Zone(models.TextChoices):
    METRO = "metro", "Métropole"
    DROM = "drom", "Outre-mer (DROM)"


@register_actions
class AuditAction(models.TextChoices):
    REFERENCE_LOADED = "territories.reference_loaded", "Référentiel territorial chargé"
