"""The national standard « Lieux de médiation numérique » (v1.0.1, with v1.0.2's label), as code.

Field order, required fields, patterns and vocabularies follow ../shared/docs/lieux-standard.md
(§3–§5). Tests check this module against the official schema files in ../shared/data/lieux/schema.
"""

import re
from dataclasses import dataclass

# maillage's own bound on `id` (the standard sets none): identifiers are indexed, so bounded; a
# longer one rejects its row with a clear reason rather than failing the write.
ID_MAX_LENGTH = 300

STANDARD_VERSION = "1.0.1"
LIST_SEPARATOR = "|"
PLACEHOLDER_PIVOT = "00000000000000"
# Dates the national pipeline writes when it does not know (Unix epoch and the day before).
PLACEHOLDER_DATES = frozenset({"1970-01-01", "1969-12-31"})

ITINERANCE = ("Itinérant", "Fixe")
SERVICES = (
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Insertion professionnelle via le numérique",
    "Utilisation sécurisée du numérique",
    "Parentalité et éducation avec le numérique",
    "Loisirs et créations numériques",
    "Compréhension du monde numérique",
    "Accès internet et matériel informatique",
    "Acquisition de matériel informatique à prix solidaire",
)
PUBLICS = ("Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes")
PRISE_EN_CHARGE = (
    "Surdité",
    "Handicaps moteurs",
    "Handicaps mentaux",
    "Illettrisme",
    "Langues étrangères (anglais)",
    "Langues étrangères (autres)",
    "Déficience visuelle",
)
FRAIS = ("Gratuit", "Gratuit sous condition", "Payant")
DISPOSITIFS = (
    "Aidants Connect",
    "Bibliothèques numérique de référence",
    "Certification PIX",
    "Conseillers numériques",
    "Emmaüs Connect",
    "France Services",
    "Grande école du numérique",
    "La Croix Rouge",
    "Point d'accès numérique CAF",
    "Promeneurs du net",
    "Relais numérique (Emmaüs Connect)",
)
ETAPES_NUMERIQUES = "Étapes numériques (La Poste)"
FORMATIONS_LABELS = (
    "Formé à « Mon Espace Santé »",
    "Formé à « DUPLEX » (illettrisme)",
    "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
    "Collectif ressources et acteurs réemploi (Normandie)",
    ETAPES_NUMERIQUES,
    "Fabriques de Territoire",
    "Les Éclaireurs du numérique (Drôme)",
    "Mes Papiers (Métropole de Lyon)",
    "ORDI 3.0",
    "SUD LABS (PACA)",
)
NO_PUBLIC = "Ce lieu n'accueille pas de public"
MODALITES_ACCES = (
    "Se présenter",
    "Téléphoner",
    "Contacter par mail",
    "Prendre un RDV en ligne",
    NO_PUBLIC,
    "Envoyer un mail avec une fiche de prescription",
)
MODALITES_ACCOMPAGNEMENT = ("En autonomie", "Accompagnement individuel", "Dans un atelier collectif", "À distance")
# data·inclusion typology codes accepted by the ANCT library (§4.10): unknown codes are a warning.
TYPOLOGIES = (
    "ACI ACIPHC AFPA AI ASE ASSO ASSO_CHOMEUR Autre AVIP BIB CAARUD CADA CAF CAP_EMPLOI CAVA CC CCAS CCONS "
    "CD CDAS CFP CHRS CHU CIAS CIDFF CITMET CMP CMS CPAM CPH CS CSAPA CSC DEETS DEPT DIPLP E2C EA EATT EI EITI "
    "ENM EPCI EPI EPIDE EPN ES ESAT ESS ETTI EVS FABLAB FABRIQUE FAIS FT GEIQ HUDA LA_POSTE MDE MDH MDEF MDPH "
    "MDS MJC ML MQ MSA MSAP MUNI OACAS ODC OF OIL OPCS PAD PENSION PI PIJ_BIJ PIMMS PJJ PLIE PREF PREVENTION "
    "REG RELAIS_LECTURE RESSOURCERIE RFS RS_FJT SCP SPIP TIERS_LIEUX UDAF"
).split()
TYPOLOGY_LABELS = {
    "RFS": "Réseau France Services",
    "BIB": "Bibliothèque / médiathèque",
    "EPN": "Espace public numérique",
    "TIERS_LIEUX": "Tiers-lieu",
    "MUNI": "Mairie",
    "CCAS": "CCAS",
    "CIAS": "CIAS",
    "CS": "Centre social",
    "FABLAB": "Fablab",
    "LA_POSTE": "La Poste",
    "PIMMS": "Point information médiation multi services",
    "MQ": "Maison de quartier",
    "ASSO": "Association",
    "MSAP": "Maison de services au public",
    "PIJ_BIJ": "Point information jeunesse",
    "ML": "Mission locale",
    "MJC": "MJC",
}

TELEPHONE = re.compile(r"(\+33|\+590|\+594|\+262|\+596|\+269|\+687|\+689|\+508|\+681)\d{6,9}")
PIVOT = re.compile(r"[a-zA-Z0-9]{9,14}")
CODE_POSTAL = re.compile(r"\d{5}")
CODE_INSEE = re.compile(r"([013-9]\d|2[AB1-9])\d{3}")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    required: bool = False
    multiple: bool = False
    choices: tuple[str, ...] | None = None
    pattern: re.Pattern | None = None
    max_length: int | None = None
    kind: str = "string"  # string, number, date


FIELDS = (
    Field("id", "identifiant", required=True),
    Field("pivot", "SIRET ou RNA", required=True, pattern=PIVOT),
    Field("nom", "nom", required=True),
    Field("commune", "commune", required=True),
    Field("code_postal", "code postal", required=True, pattern=CODE_POSTAL),
    Field("code_insee", "code INSEE", pattern=CODE_INSEE),
    Field("adresse", "adresse", required=True),
    Field("complement_adresse", "complément d'adresse"),
    Field("latitude", "latitude", kind="number"),
    Field("longitude", "longitude", kind="number"),
    Field("typologie", "typologie", multiple=True),
    Field("telephone", "téléphone", pattern=TELEPHONE),
    Field("courriels", "courriels", multiple=True),
    Field("site_web", "sites web", multiple=True),
    Field("horaires", "horaires"),
    Field("presentation_resume", "présentation courte", max_length=280),
    Field("presentation_detail", "présentation détaillée"),
    Field("source", "source"),
    Field("itinerance", "itinérance", multiple=True, choices=ITINERANCE),
    Field("structure_parente", "structure parente"),
    Field("date_maj", "date de mise à jour", required=True, kind="date"),
    Field("services", "services", multiple=True, choices=SERVICES),
    Field("publics_specifiquement_adresses", "publics spécifiquement adressés", multiple=True, choices=PUBLICS),
    Field("prise_en_charge_specifique", "prise en charge spécifique", multiple=True, choices=PRISE_EN_CHARGE),
    Field("frais_a_charge", "frais à charge", multiple=True, choices=FRAIS),
    Field("dispositif_programmes_nationaux", "dispositifs nationaux", multiple=True, choices=DISPOSITIFS),
    Field("formations_labels", "formations et labels", multiple=True, choices=FORMATIONS_LABELS),
    Field("autres_formations_labels", "autres formations et labels", multiple=True),
    Field("modalites_acces", "modalités d'accès", multiple=True, choices=MODALITES_ACCES),
    Field("modalites_accompagnement", "modalités d'accompagnement", multiple=True, choices=MODALITES_ACCOMPAGNEMENT),
    Field("fiche_acces_libre", "fiche Acceslibre"),
    Field("prise_rdv", "prise de rendez-vous en ligne"),
)
FIELD_NAMES = tuple(field.name for field in FIELDS)
FIELDS_BY_NAME = {field.name: field for field in FIELDS}
LIST_FIELDS = tuple(field.name for field in FIELDS if field.multiple)
REQUIRED_FIELDS = tuple(field.name for field in FIELDS if field.required)
