from django.db import models

from maillage.core.actions import register_actions


class ImportStatus(models.TextChoices):
    PENDING = "pending", "En attente"
    RUNNING = "running", "En cours"
    DONE = "done", "Terminé"
    FAILED = "failed", "Échec"


class QuarantineStatus(models.TextChoices):
    PENDING = "pending", "À corriger"
    RESUBMITTED = "resubmitted", "Corrigée et importée"
    DISCARDED = "discarded", "Écartée"


class PositionOrigin(models.TextChoices):
    GIVEN = "given", "Coordonnées fournies"
    COMMUNE = "commune", "Centre de la commune (position approximative)"
    NONE = "none", "Position inconnue"


class DuplicateStatus(models.TextChoices):
    PENDING = "pending", "À examiner"
    MERGED = "merged", "Fusionnés"
    DISMISSED = "dismissed", "Pas un doublon"


class CallOutcome(models.TextChoices):
    ORIENTED = "oriente", "Orienté vers un lieu"
    CALLBACK = "rappel", "À rappeler"
    NO_PLACE = "aucun_lieu", "Aucun lieu adapté"
    OUT_OF_SCOPE = "hors_sujet", "Hors du champ"


@register_actions
class AuditAction(models.TextChoices):
    PLACE_CREATED = "places.place_created", "Lieu créé"
    PLACE_UPDATED = "places.place_updated", "Lieu modifié"
    PLACE_DISAPPEARED = "places.place_disappeared", "Lieu absent de sa source"
    IMPORT_RUN = "places.import_run", "Import de lieux"
    QUARANTINE_RESUBMITTED = "places.quarantine_resubmitted", "Ligne corrigée et importée"
    QUARANTINE_DISCARDED = "places.quarantine_discarded", "Ligne écartée"
    PLACES_MERGED = "places.places_merged", "Lieux fusionnés"
    MERGE_UNDONE = "places.merge_undone", "Fusion annulée"
    DUPLICATE_DISMISSED = "places.duplicate_dismissed", "Doublon écarté"
    DUPLICATE_REOPENED = "places.duplicate_reopened", "Doublon proposé à nouveau"
    DUPLICATES_REFRESHED = "places.duplicates_refreshed", "Recherche de doublons"
