from django.db import models

from maillage.core.actions import register_actions


class RoadmapStatus(models.TextChoices):
    PREFIGURATION = "prefiguration", "Préfiguration"
    VALIDEE = "validee", "Validée"
    EN_COURS = "en_cours", "En cours"
    EVALUEE = "evaluee", "Évaluée"


class ActionStatus(models.TextChoices):
    PROPOSEE = "proposee", "Proposée"
    VALIDEE = "validee", "Validée"
    EN_COURS = "en_cours", "En cours"
    REALISEE = "realisee", "Réalisée"
    ABANDONNEE = "abandonnee", "Abandonnée"


# The allowed moves of an action's status (proposée → validée → en cours → réalisée / abandonnée).
STATUS_TRANSITIONS = {
    ActionStatus.PROPOSEE: {ActionStatus.VALIDEE, ActionStatus.ABANDONNEE},
    ActionStatus.VALIDEE: {ActionStatus.EN_COURS, ActionStatus.ABANDONNEE},
    ActionStatus.EN_COURS: {ActionStatus.REALISEE, ActionStatus.ABANDONNEE},
    ActionStatus.REALISEE: set(),
    ActionStatus.ABANDONNEE: set(),
}


class FundingType(models.TextChoices):
    SUBVENTION = "subvention", "Subvention"
    POSTE_AIDE = "poste_aide", "Poste aidé"
    APPEL_A_PROJETS = "appel_a_projets", "Appel à projets"
    CONTRAT_AIDE = "contrat_aide", "Contrat aidé"
    FONDS = "fonds", "Fonds d'inclusion numérique"
    AUTOFINANCEMENT = "autofinancement", "Autofinancement"
    AUTRE = "autre", "Autre"


class FundMovementKind(models.TextChoices):
    CONTRIBUTION = "contribution", "Contribution"
    ALLOCATION = "allocation", "Attribution"


class BodyKind(models.TextChoices):
    COPIL = "copil", "Comité de pilotage"
    COTECH = "cotech", "Comité technique"
    GROUPE = "groupe", "Groupe de travail thématique"
    FINANCEURS = "financeurs", "Conférence des financeurs"
    AUTRE = "autre", "Autre instance"


class DocumentKind(models.TextChoices):
    DIAGNOSTIC = "diagnostic", "Diagnostic territorial"
    ORIENTATIONS = "orientations", "Orientations stratégiques"
    AXES = "axes", "Axes et plan d'actions"
    CONVENTION = "convention", "Convention"
    COMPTE_RENDU = "compte_rendu", "Compte rendu"
    AUTRE = "autre", "Autre document"


class TargetRule(models.TextChoices):
    POPULATION = "population", "Part de la population"
    FRAGILE = "fragile", "Part de la population fragile (diagnostic)"


@register_actions
class AuditAction(models.TextChoices):
    ROADMAP_IMPORTED = "roadmap.imported", "Feuille de route importée"
    ROADMAP_EXPORTED = "roadmap.exported", "Feuille de route exportée"
    ACTION_CREATED = "roadmap.action_created", "Action créée"
    ACTION_UPDATED = "roadmap.action_updated", "Action modifiée"
    ACTION_STATUS_CHANGED = "roadmap.action_status_changed", "Statut d'action modifié"
    MILESTONE_UPDATED = "roadmap.milestone_updated", "Jalon mis à jour"
    INDICATOR_VALUE_ENTERED = "roadmap.indicator_value_entered", "Valeur d'indicateur saisie"
    FINANCING_CREATED = "roadmap.financing_created", "Financement enregistré"
    FUND_MOVEMENT_CREATED = "roadmap.fund_movement_created", "Mouvement du fonds enregistré"
    MEETING_RECORDED = "roadmap.meeting_recorded", "Réunion enregistrée"
    DECISION_RECORDED = "roadmap.decision_recorded", "Décision enregistrée"
    WORKSHOP_RECORDED = "roadmap.workshop_recorded", "Atelier de co-construction enregistré"
    REPORT_VIEWED = "roadmap.report_viewed", "Rapport COPIL consulté"
    GOVERNANCE_VIEWED = "roadmap.governance_viewed", "Membres des instances consultés"
    CONTRIBUTORS_VIEWED = "roadmap.contributors_viewed", "Auteurs des saisies consultés"
