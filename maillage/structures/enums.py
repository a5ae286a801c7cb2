from django.db import models

from maillage.core.actions import register_actions


class StructureType(models.TextChoices):
    ASSOCIATION = "association", "Association"
    COLLECTIVITE = "collectivite", "Collectivité territoriale"
    CCAS = "ccas", "CCAS / CIAS"
    FRANCE_SERVICES = "france_services", "France Services"
    MEDIATHEQUE = "mediatheque", "Médiathèque / bibliothèque"
    ETAT = "etat", "Service de l'État"
    TIERS_LIEU = "tiers_lieu", "Tiers-lieu"
    ENTREPRISE = "entreprise", "Entreprise / ESS"
    ETABLISSEMENT = "etablissement", "Établissement d'enseignement ou de santé"
    AUTRE = "autre", "Autre"


class TerritoryScope(models.TextChoices):
    """The territories a coordinateur or an observateur can be scoped to."""

    DEPARTEMENT = "departement", "Département"
    EPCI = "epci", "EPCI"


@register_actions
class AuditAction(models.TextChoices):
    STRUCTURE_CREATED = "structures.structure_created", "Structure créée"
    STRUCTURE_UPDATED = "structures.structure_updated", "Structure modifiée"
    MEMBERSHIP_CREATED = "structures.membership_created", "Membre ajouté"
    MEMBERSHIP_REVOKED = "structures.membership_revoked", "Membre retiré"
    INVITATION_SENT = "structures.invitation_sent", "Invitation envoyée"
    INVITATION_ACCEPTED = "structures.invitation_accepted", "Invitation acceptée"
    INVITATION_CANCELLED = "structures.invitation_cancelled", "Invitation annulée"
