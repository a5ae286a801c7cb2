from django.db import models

from maillage.core.actions import register_actions


class RunKind(models.TextChoices):
    OFFICIAL = "officiel", "Indice officiel"
    VARIANT = "variante", "Variante locale"
    DEMO = "demo", "Démonstration"


class StartingStage(models.TextChoices):
    RAW = "brut", "Indicateurs bruts (notés en classes)"
    COMMUNE_SCORES = "communes", "Scores communaux déjà calculés (agrégés seulement)"
    COMPUTED = "maillage", "Indicateurs calculés par maillage"


@register_actions
class AuditAction(models.TextChoices):
    INDEX_RUN_STORED = "diagnosis.index_run_stored", "Indice de fragilité enregistré"
    INDEX_RUN_DELETED = "diagnosis.index_run_deleted", "Indice de fragilité supprimé"
