from django.conf import settings
from django.db import models

from maillage.core.models import TimestampedModel
from maillage.diagnosis.enums import RunKind, StartingStage
from maillage.territories.enums import Level


class IndexRunQuerySet(models.QuerySet):
    def official(self):
        return self.filter(kind=RunKind.OFFICIAL)

    def covering(self, level: str, code: str):
        return self.filter(scores__level=level, scores__code=code).distinct()


class IndexRun(TimestampedModel):
    """One computation of an index (a method on some data), stored with its method and data vintage."""

    method_key = models.CharField("méthode", max_length=80, db_index=True)
    method_version = models.CharField("version de la méthode", max_length=40)
    method_label = models.CharField("libellé de la méthode", max_length=200)
    method_text = models.TextField("méthode (YAML)")
    method_digest = models.CharField("empreinte de la méthode", max_length=12)
    kind = models.CharField("nature", max_length=10, choices=RunKind.choices, default=RunKind.OFFICIAL)
    stage = models.CharField("point de départ", max_length=10, choices=StartingStage.choices)
    data_vintage = models.CharField("millésime des données", max_length=500, blank=True)
    population_vintage = models.CharField("populations de pondération", max_length=300, blank=True)
    inputs = models.CharField("entrées", max_length=500, blank=True)
    columns = models.JSONField("colonnes", default=list)
    labels = models.JSONField("libellés", default=dict)
    agreement = models.JSONField("accord avec l'indice publié", default=list, blank=True)
    notes = models.JSONField("remarques", default=list, blank=True)
    counts = models.JSONField("territoires calculés", default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = IndexRunQuerySet.as_manager()

    class Meta:
        verbose_name = "calcul d'indice"
        verbose_name_plural = "calculs d'indice"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.method_label} — {self.created_at:%d/%m/%Y %H:%M}" if self.created_at else self.method_label

    @property
    def total_key(self) -> str:
        return self.columns[-1] if self.columns else "total"

    @property
    def indicator_columns(self) -> list[str]:
        return self.columns[:-1]


class TerritoryScore(models.Model):
    """The scores of one territory (commune, EPCI, département or région) in one run."""

    run = models.ForeignKey(IndexRun, on_delete=models.CASCADE, related_name="scores")
    level = models.CharField("niveau", max_length=12, choices=Level.choices)
    code = models.CharField("code", max_length=9)
    population = models.FloatField("population de pondération", null=True, blank=True)
    total = models.FloatField("score total", null=True, blank=True)
    values = models.JSONField("scores par indicateur", default=dict)

    class Meta:
        verbose_name = "score d'un territoire"
        verbose_name_plural = "scores des territoires"
        ordering = ["level", "code"]
        constraints = [
            models.UniqueConstraint(fields=["run", "level", "code"], name="diagnosis_territoryscore_unique"),
        ]
        indexes = [models.Index(fields=["level", "code"], name="diagnosis_score_territory_idx")]

    def __str__(self):
        return f"{self.level}:{self.code} = {self.total}"
