"""Former vocabularies (standard v0.1, 2022 Conseiller numérique lists, data·inclusion slugs) and
their v1.0 equivalents, as lieux-standard.md §9 maps them. Keys are `label_key()` forms, so that
"Gratuit : Je peux accéder…", "gratuit" and "Seniors (+65 ans)" all find their entry.
"""

import re
import unicodedata

from maillage.places import standard as std

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def label_key(label: str) -> str:
    """A legacy label reduced to its words: text before " :", no accents, no punctuation."""
    head = label.split(" :", 1)[0].split(":", 1)[0] if " :" in label or ": " in label else label
    text = unicodedata.normalize("NFKD", head.replace("’", "'")).encode("ascii", "ignore").decode().lower()
    text = text.removeprefix("numerique--")
    return " ".join(_NON_ALNUM.sub(" ", text).split())


ADMIN, OUTILS, INSERTION = std.SERVICES[0], std.SERVICES[1], std.SERVICES[2]
COMPREHENSION, ACCES, ACQUISITION = std.SERVICES[6], std.SERVICES[7], std.SERVICES[8]
LOISIRS, PARENTALITE = std.SERVICES[5], std.SERVICES[4]

SERVICES = {
    "devenir autonome dans les demarches administratives": ADMIN,
    "realiser des demarches administratives avec un accompagnement": ADMIN,
    "accompagner les demarches de sante": ADMIN,
    "prendre en main un smartphone ou une tablette": OUTILS,
    "prendre en main un ordinateur": OUTILS,
    "utiliser le numerique au quotidien": OUTILS,
    "approfondir ma culture numerique": COMPREHENSION,
    "promouvoir la citoyennete numerique": COMPREHENSION,
    "favoriser mon insertion professionnelle": INSERTION,
    "creer et developper mon entreprise": INSERTION,
    "acceder a une connexion internet": ACCES,
    "acceder a du materiel": ACCES,
    "s equiper en materiel informatique": ACQUISITION,
    "creer avec le numerique": LOISIRS,
    "soutenir la parentalite et l education avec le numerique": PARENTALITE,
}
# data·inclusion's thematic root: it names the whole theme and carries no service of its own.
IGNORED_SERVICES = frozenset({"numerique"})

FRAIS = {
    "gratuit": "Gratuit",
    "gratuit sous condition": "Gratuit sous condition",
    "gratuit sous conditions": "Gratuit sous condition",
    "payant": "Payant",
    "adhesion": "Payant",
    "accepte le pass numerique": "Gratuit sous condition",
    "pass numerique": "Gratuit sous condition",
}

MODALITES = {
    "seul": "En autonomie",
    "autonomie": "En autonomie",
    "avec de l aide": "Accompagnement individuel",
    "accompagnement": "Accompagnement individuel",
    "dans un atelier": "Dans un atelier collectif",
    "atelier": "Dans un atelier collectif",
    "a ma place": "Accompagnement individuel",
    "delegation": "Accompagnement individuel",
}

# publics_accueillis → (target field, value); None: the default public, nothing to record.
PUBLICS = {
    "jeunes 16 26 ans": ("publics_specifiquement_adresses", "Jeunes"),
    "jeunes 16 26": ("publics_specifiquement_adresses", "Jeunes"),
    "seniors 65 ans": ("publics_specifiquement_adresses", "Seniors"),
    "seniors 65": ("publics_specifiquement_adresses", "Seniors"),
    "familles enfants": ("publics_specifiquement_adresses", "Familles et/ou enfants"),
    "familles enfant": ("publics_specifiquement_adresses", "Familles et/ou enfants"),
    "uniquement femmes": ("publics_specifiquement_adresses", "Femmes"),
    "adultes": None,
    "surdite": ("prise_en_charge_specifique", "Surdité"),
    "deficience visuelle": ("prise_en_charge_specifique", "Déficience visuelle"),
    "personnes en situation d illettrisme": ("prise_en_charge_specifique", "Illettrisme"),
    "personnes en situation illettrisme": ("prise_en_charge_specifique", "Illettrisme"),
    "public langues etrangeres": ("prise_en_charge_specifique", "Langues étrangères (autres)"),
    "handicaps mentaux": ("prise_en_charge_specifique", "Handicaps mentaux"),
    "handicaps psychiques": ("prise_en_charge_specifique", "Handicaps mentaux"),
}

# labels_nationaux → (target field, value); labels without an equivalent go to autres_formations_labels.
LABELS = {
    "cnfs": ("dispositif_programmes_nationaux", "Conseillers numériques"),
    "conseiller numerique": ("dispositif_programmes_nationaux", "Conseillers numériques"),
    "conseillers numeriques": ("dispositif_programmes_nationaux", "Conseillers numériques"),
    "france services": ("dispositif_programmes_nationaux", "France Services"),
    "france service": ("dispositif_programmes_nationaux", "France Services"),
    "aidants connect": ("dispositif_programmes_nationaux", "Aidants Connect"),
    "point numerique caf": ("dispositif_programmes_nationaux", "Point d'accès numérique CAF"),
    "point relais caf": ("dispositif_programmes_nationaux", "Point d'accès numérique CAF"),
    "grandes ecoles du numerique": ("dispositif_programmes_nationaux", "Grande école du numérique"),
    "fabriques de territoire": ("formations_labels", "Fabriques de Territoire"),
    "aptic": ("autres_formations_labels", "APTIC"),
    "relais pole emploi": ("autres_formations_labels", "Relais pôle emploi"),
    "french tech": ("autres_formations_labels", "French Tech"),
    "campus connecte": ("autres_formations_labels", "Campus connecté"),
}

# A v0.1 or hand-made file sometimes already uses v1 values: they map to themselves.
for _value in std.SERVICES:
    SERVICES.setdefault(label_key(_value), _value)
for _value in std.FRAIS:
    FRAIS.setdefault(label_key(_value), _value)
for _value in std.MODALITES_ACCOMPAGNEMENT:
    MODALITES.setdefault(label_key(_value), _value)
for _field, _values in (
    ("publics_specifiquement_adresses", std.PUBLICS),
    ("prise_en_charge_specifique", std.PRISE_EN_CHARGE),
):
    for _value in _values:
        PUBLICS.setdefault(label_key(_value), (_field, _value))
for _alias in ("familles", "enfant", "enfants"):
    PUBLICS.setdefault(_alias, ("publics_specifiquement_adresses", "Familles et/ou enfants"))
for _field, _values in (
    ("dispositif_programmes_nationaux", std.DISPOSITIFS),
    ("formations_labels", std.FORMATIONS_LABELS),
):
    for _value in _values:
        LABELS.setdefault(label_key(_value), (_field, _value))
