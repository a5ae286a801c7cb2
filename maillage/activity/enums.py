"""Enumerations of the compte rendu d'activité, with La Coop's stored values and French labels.

Order matters: the form and the statistics list values in this order
(see ../shared/docs/activity-model.md §2–§4).
"""

from django.db import models

from maillage.core.actions import register_actions


class TypeActivite(models.TextChoices):
    INDIVIDUEL = "individuel", "Accompagnement individuel"
    COLLECTIF = "collectif", "Atelier collectif"


class Thematique(models.TextChoices):
    # A. Médiation numérique (19)
    DIAGNOSTIC_NUMERIQUE = "diagnostic_numerique", "Diagnostic numérique"
    PRENDRE_EN_MAIN_DU_MATERIEL = "prendre_en_main_du_materiel", "Prendre en main du matériel"
    MAINTENANCE_DE_MATERIEL = "maintenance_de_materiel", "Maintenance de matériel"
    GERE_SES_CONTENUS_NUMERIQUES = "gere_ses_contenus_numeriques", "Gérer ses contenus numériques"
    NAVIGATION_SUR_INTERNET = "navigation_sur_internet", "Navigation sur internet"
    EMAIL = "email", "E-mail"
    BUREAUTIQUE = "bureautique", "Bureautique"
    RESEAUX_SOCIAUX = "reseaux_sociaux", "Réseaux sociaux communication"
    SANTE = "sante", "Santé"
    BANQUE_ET_ACHATS_EN_LIGNE = "banque_et_achats_en_ligne", "Banque et achats en ligne"
    ENTREPRENEURIAT = "entrepreneuriat", "Accompagner un professionnel"
    INSERTION_PROFESSIONNELLE = "insertion_professionnelle", "Insertion professionnelle"
    SECURITE_NUMERIQUE = "securite_numerique", "Prévention en sécurité numérique"
    PARENTALITE = "parentalite", "Parentalité"
    SCOLARITE_ET_NUMERIQUE = "scolarite_et_numerique", "Scolarité et numérique"
    CREER_AVEC_LE_NUMERIQUE = "creer_avec_le_numerique", "Créer avec le numérique"
    CULTURE_NUMERIQUE = "culture_numerique", "Culture numérique"
    INTELLIGENCE_ARTIFICIELLE = "intelligence_artificielle", "Intelligence artificielle (IA)"
    AIDE_AUX_DEMARCHES_ADMINISTRATIVES = "aide_aux_demarches_administratives", "Aide aux démarches administratives"
    # B. Démarches administratives (11)
    PAPIERS_ELECTIONS_CITOYENNETE = "papiers_elections_citoyennete", "Papiers - Élections - Citoyenneté"
    FAMILLE_SCOLARITE = "famille_scolarite", "Famille - Scolarité"
    SOCIAL_SANTE = "social_sante", "Social - Santé"
    TRAVAIL_FORMATION = "travail_formation", "Travail - Formation - Entreprise"
    LOGEMENT = "logement", "Logement"
    TRANSPORTS_MOBILITE = "transports_mobilite", "Transports - Mobilité"
    ARGENT_IMPOTS = "argent_impots", "Argent - Impôts"
    JUSTICE = "justice", "Justice"
    ETRANGERS_EUROPE = "etrangers_europe", "Étrangers - Europe"
    LOISIRS_SPORTS_CULTURE = "loisirs_sports_culture", "Loisirs - Sports - Culture"
    ASSOCIATIONS = "associations", "Associations"


THEMATIQUES_MEDIATION = Thematique.values[:19]
THEMATIQUES_ADMINISTRATIVES = Thematique.values[19:]
# Bit of each thématique in Activity.thematiques_mask (its position in the enumeration).
THEMATIQUE_BITS = {value: 1 << index for index, value in enumerate(Thematique.values)}


class TypeLieu(models.TextChoices):
    LIEU_ACTIVITE = "lieu_activite", "Lieu d'activité"
    DOMICILE = "domicile", "À domicile"
    A_DISTANCE = "a_distance", "À distance"
    AUTRE = "autre", "Autre lieu"


class Materiel(models.TextChoices):
    ORDINATEUR = "ordinateur", "Ordinateur"
    TELEPHONE = "telephone", "Téléphone"
    TABLETTE = "tablette", "Tablette"
    AUTRE = "autre", "Autre"
    AUCUN = "aucun", "Pas de matériel"


class Autonomie(models.TextChoices):
    ENTIEREMENT_ACCOMPAGNE = "entierement_accompagne", "Avec guidage"
    PARTIELLEMENT_AUTONOME = "partiellement_autonome", "Autonome avec guidage en cas de besoin"
    AUTONOME = "autonome", "Autonome"


class StructureDeRedirection(models.TextChoices):
    ADMINISTRATION = "administration", "Administration (mairie, préfecture…)"
    MEDIATION_NUMERIQUE = "mediation_numerique", "Autre structure de médiation numérique"
    OPERATEUR_OU_ORGANISME_EN_CHARGE = (
        "operateur_ou_organisme_en_charge",
        "Opérateur ou organisme en charge de la démarche administrative",
    )
    AIDE_SOCIALE = "aide_sociale", "Structure d'aide sociale (maison des solidarités, centre social…)"
    INSERTION_PROFESSIONNELLE = (
        "insertion_professionnelle",
        "Structure d'insertion professionnelle (France Travail, mission locale, chambre de commerce…)",
    )
    AIDE_AUX_DEMARCHES_ADMINISTRATIVES = (
        "aide_aux_demarches_administratives",
        "Structure d'aide aux démarches administratives (France Services…)",
    )
    AUTRE = "autre", "Autre"


class NiveauAtelier(models.TextChoices):
    DEBUTANT = "debutant", "Débutant"
    INTERMEDIAIRE = "intermediaire", "Intermédiaire"
    AVANCE = "avance", "Avancé"


class Genre(models.TextChoices):
    MASCULIN = "masculin", "Masculin"
    FEMININ = "feminin", "Féminin"
    NON_COMMUNIQUE = "non_communique", "Non communiqué"


class TrancheAge(models.TextChoices):
    SOIXANTE_DIX_PLUS = "soixante_dix_plus", "70 ans et plus"
    SOIXANTE_SOIXANTE_NEUF = "soixante_soixante_neuf", "60 - 69 ans"
    QUARANTE_CINQUANTE_NEUF = "quarante_cinquante_neuf", "40 - 59 ans"
    VINGT_CINQ_TRENTE_NEUF = "vingt_cinq_trente_neuf", "25 - 39 ans"
    DIX_HUIT_VINGT_QUATRE = "dix_huit_vingt_quatre", "18 - 24 ans"
    DOUZE_DIX_HUIT = "douze_dix_huit", "12 - 17 ans"
    MOINS_DE_DOUZE = "moins_de_douze", "Moins de 12 ans"
    NON_COMMUNIQUE = "non_communique", "Non communiqué"


class StatutSocial(models.TextChoices):
    RETRAITE = "retraite", "Retraité"
    SANS_EMPLOI = "sans_emploi", "Sans emploi"
    EN_EMPLOI = "en_emploi", "En emploi"
    SCOLARISE = "scolarise", "Scolarisé"
    NON_COMMUNIQUE = "non_communique", "Non communiqué ou hétérogène"


# Duration buckets of the statistics: half-open intervals [low, high) in minutes.
DUREE_BUCKETS = [
    ("moins_30", 0, 30, "Moins de 30 min"),
    ("de_30_a_60", 30, 60, "30 min à 1 h"),
    ("de_60_a_120", 60, 120, "1 h à 2 h"),
    ("plus_120", 120, None, "2 h et plus"),
]
DUREE_PRESETS = [15, 30, 45, 60, 90, 120]


class ImportStatus(models.TextChoices):
    DONE = "done", "Terminé"
    FAILED = "failed", "Échec"


class QuarantineStatus(models.TextChoices):
    PENDING = "pending", "À corriger"
    RESUBMITTED = "resubmitted", "Corrigée et importée"
    DISCARDED = "discarded", "Écartée"


class Dispositif(models.TextChoices):
    CONSEILLER_NUMERIQUE = "conseiller_numerique", "Conseillers numériques"
    AIDANTS_CONNECT = "aidants_connect", "Aidants Connect"
    FRANCE_SERVICES = "france_services", "France Services"


@register_actions
class AuditAction(models.TextChoices):
    ACTIVITY_CREATED = "activity.created", "Activité enregistrée"
    ACTIVITY_UPDATED = "activity.updated", "Activité modifiée"
    ACTIVITY_DELETED = "activity.deleted", "Activité supprimée"
    ACTIVITIES_IMPORTED = "activity.imported", "Activités importées"
    QUARANTINE_RESUBMITTED = "activity.quarantine_resubmitted", "Ligne d'activité corrigée et importée"
    QUARANTINE_DISCARDED = "activity.quarantine_discarded", "Ligne d'activité écartée"
    BENEFICIARY_CREATED = "activity.beneficiary_created", "Bénéficiaire suivi créé"
    BENEFICIARY_UPDATED = "activity.beneficiary_updated", "Bénéficiaire suivi modifié"
    BENEFICIARY_VIEWED = "activity.beneficiary_viewed", "Fiche d'un bénéficiaire suivi consultée"
    BENEFICIARY_EXPORTED = "activity.beneficiary_exported", "Données d'un bénéficiaire exportées"
    BENEFICIARY_ERASED = "activity.beneficiary_erased", "Données d'un bénéficiaire effacées"
    BENEFICIARIES_PURGED = "activity.beneficiaries_purged", "Bénéficiaires inactifs anonymisés"
    ROLLUPS_REBUILT = "activity.rollups_rebuilt", "Agrégats d'activité reconstruits"
    SCHEME_FIGURES_IMPORTED = "activity.scheme_figures_imported", "Chiffres des dispositifs nationaux importés"
    ACTIVITIES_GENERATED = "activity.generated", "Activités de démonstration générées"
