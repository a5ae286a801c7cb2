from django.conf import settings
from django.db import models

from maillage.core.actions import action_label


class TimestampedModel(models.Model):
    created_at = models.DateTimeField("créé le", auto_now_add=True)
    updated_at = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete an audit entry."""


class AuditEntryQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Le journal est en ajout seul : une entrée ne peut pas être modifiée.")

    def delete(self):
        raise AppendOnlyError("Le journal est en ajout seul : une entrée ne peut pas être supprimée.")

    def in_territory(self, *, departements=(), epcis=()):
        query = models.Q(pk__in=[])
        if departements:
            query |= models.Q(departement_code__in=departements)
        if epcis:
            query |= models.Q(epci_code__in=epcis)
        return self.filter(query)


class AuditEntry(models.Model):
    """One line of the append-only journal: who did what, to which object, when, on whose behalf.

    Territory and structure are stored as plain values, not foreign keys: the journal must keep
    saying what happened even after the object it talks about has changed.
    """

    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="pour le compte de",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField("action", max_length=64)
    object_type = models.CharField("type d'objet", max_length=64, blank=True)
    object_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    object_repr = models.CharField("objet", max_length=255, blank=True)
    departement_code = models.CharField("département", max_length=3, blank=True)
    epci_code = models.CharField("EPCI", max_length=9, blank=True)
    structure_id = models.BigIntegerField("structure", null=True, blank=True, db_index=True)
    payload = models.JSONField("détails", default=dict, blank=True)
    personal_data = models.BooleanField("données personnelles", default=False)
    run_id = models.CharField("exécution de commande", max_length=36, blank=True)

    objects = AuditEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "entrée du journal"
        verbose_name_plural = "journal"
        ordering = ["-created_at", "-id"]
        # Plain btree indexes, without the `varchar_pattern_ops` twin that `db_index=True` adds to a
        # CharField: the journal is filtered by equality only (decision 007).
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["action"], name="audit_action_idx"),
            models.Index(fields=["departement_code"], name="audit_departement_idx"),
            models.Index(fields=["epci_code"], name="audit_epci_idx"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Le journal est en ajout seul : une entrée ne peut pas être modifiée.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Le journal est en ajout seul : une entrée ne peut pas être supprimée.")

    @property
    def action_label(self) -> str:
        return action_label(self.action)
