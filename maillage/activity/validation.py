"""Checking one activity, whether it comes from an imported row or from the entry form.

`RowChecker.check(line, raw)` turns the columns of the import contract into the values of an
Activity, with every error as {line, field, value, reason} and warnings for what is set aside.
`rule_errors(values)` holds la Coop's cross-field rules, shared with the form.
"""

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.utils import timezone

from maillage.activity.enums import (
    THEMATIQUE_BITS,
    THEMATIQUES_ADMINISTRATIVES,
    Autonomie,
    Genre,
    Materiel,
    NiveauAtelier,
    StatutSocial,
    StructureDeRedirection,
    Thematique,
    TrancheAge,
    TypeActivite,
    TypeLieu,
)
from maillage.activity.models import Activity
from maillage.activity.publics import GROUPS, IMPORT_COLUMNS, IMPORT_PREFIX, breakdown_errors, group_keys
from maillage.structures.models import Structure
from maillage.territories.models import Commune

COLUMNS = [
    "date",
    "type",
    "structure_siret",
    "mediateur_email",
    "lieu_id",
    "duree_minutes",
    "thematiques",
    "type_lieu",
    "materiel",
    "autonomie",
    "niveau_atelier",
    "titre_atelier",
    "participants",
    "beneficiaire_commune",
    "beneficiaire_tranche_age",
    "beneficiaire_genre",
    "beneficiaire_statut_social",
    "oriente_vers_structure",
    "structure_de_redirection",
]
# Optional columns (publics.IMPORT_COLUMNS): a workshop's anonymous participants by genre, tranche
# d'âge and statut social. They extend the contract above, which stays unchanged.
OPTIONAL_COLUMNS = list(IMPORT_COLUMNS)
ALL_COLUMNS = [*COLUMNS, *OPTIONAL_COLUMNS]
REQUIRED = ("date", "type", "duree_minutes", "thematiques", "type_lieu")
EARLIEST = dt.date(2020, 1, 1)
MAX_DUREE = 24 * 60
MAX_PARTICIPANTS = 1000
AIDE_DEMARCHES = Thematique.AIDE_AUX_DEMARCHES_ADMINISTRATIVES.value


def thematiques_mask(values) -> int:
    mask = 0
    for value in values:
        mask |= THEMATIQUE_BITS[value]
    return mask


def rule_errors(values: dict) -> dict[str, str]:
    """La Coop's cross-field rules (activity-model.md §3.1), as {field: reason}."""
    errors = {}
    thematiques = values.get("thematiques") or []
    if not thematiques:
        errors["thematiques"] = "Choisissez au moins une thématique."
    elif any(t in THEMATIQUES_ADMINISTRATIVES for t in thematiques) and AIDE_DEMARCHES not in thematiques:
        errors["thematiques"] = (
            "Les thématiques de démarches administratives demandent aussi « Aide aux démarches administratives »."
        )
    if values.get("precisions_demarche") and AIDE_DEMARCHES not in thematiques:
        errors["precisions_demarche"] = "Précisions possibles seulement pour une aide aux démarches administratives."
    if (
        values.get("type") == TypeActivite.COLLECTIF
        and (values.get("participants_anonymes") or 0) + len(values.get("followed") or []) < 1
    ):
        errors["participants"] = "Un atelier collectif compte au moins un participant."
    return errors


def fingerprint(values: dict, occurrence: int) -> str:
    """Same row, same file position among identical rows → same fingerprint (re-import changes nothing)."""
    payload = json.dumps({**values, "__occurrence__": occurrence}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass
class Checked:
    line: int
    raw: dict
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, name, value, reason):
        self.errors.append({"line": self.line, "field": name, "value": value, "reason": reason})

    def warn(self, name, value, reason):
        self.warnings.append({"line": self.line, "field": name, "value": value, "reason": reason})


class RowChecker:
    """Validates rows against the reference data, loaded once per import."""

    def __init__(self, *, structure: Structure | None = None, allowed_structures: set[int] | None = None):
        self.forced_structure = structure
        # None: any structure (command line); else the structures the importing person answers for.
        self.allowed_structures = allowed_structures
        self.structures = {s.siret: s for s in Structure.objects.exclude(siret="").select_related("commune")}
        self.communes = dict(Commune.objects.values_list("code", "code"))
        self.users: dict[str, object] = {}
        self.place_model = Activity._meta.get_field("place").related_model
        self.places: dict[int, object] = {}

    def _user(self, email: str):
        if email not in self.users:
            self.users[email] = get_user_model().objects.filter(email__iexact=email).first()
        return self.users[email]

    def _place(self, pk: int):
        if pk not in self.places:
            self.places[pk] = self.place_model.objects.filter(pk=pk).only("pk", "commune_id").first()
        return self.places[pk]

    @staticmethod
    def _cell(raw: dict, name: str) -> str:
        value = raw.get(name)
        if value is None:
            return ""
        if isinstance(value, dt.datetime):
            return value.date().isoformat()
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()

    def _choice(self, checked, raw, name, choices, *, required=False):
        value = self._cell(raw, name)
        if not value:
            if required:
                checked.error(name, "", "valeur obligatoire")
            return ""
        if value not in choices.values:
            checked.error(name, value, f"valeur inconnue (valeurs possibles : {', '.join(choices.values)})")
            return ""
        return value

    def _multi(self, checked, raw, name, choices):
        text = self._cell(raw, name)
        values = [part.strip() for part in text.split("|") if part.strip()]
        unknown = [value for value in values if value not in choices.values]
        if unknown:
            checked.error(name, text, f"valeur(s) inconnue(s) : {', '.join(unknown)}")
            return []
        return list(dict.fromkeys(values))

    def _int(self, checked, name, text, low, high):
        try:
            number = int(text)
        except ValueError:
            checked.error(name, text, "nombre entier attendu")
            return None
        if not low <= number <= high:
            checked.error(name, text, f"doit être compris entre {low} et {high}")
            return None
        return number

    def _breakdown(self, checked, raw, kind, participants) -> dict[str, int]:
        """The optional counts of a workshop's anonymous participants (ignored for an individual)."""
        given = {column: self._cell(raw, column) for column in OPTIONAL_COLUMNS if self._cell(raw, column)}
        if not given:
            return {}
        if kind != TypeActivite.COLLECTIF:
            for column, text in given.items():
                checked.warn(column, text, "ignoré : réservé aux ateliers collectifs")
            return {}
        detail = {}
        for column, text in given.items():
            number = self._int(checked, column, text, 0, MAX_PARTICIPANTS)
            if number is not None:
                detail[column[len(IMPORT_PREFIX) :]] = number
        if len(detail) < len(given):
            return {}
        for key, reason in breakdown_errors(participants, detail).items():
            keys = group_keys(key) if key in GROUPS else [key]
            columns = [IMPORT_PREFIX + k for k in keys if IMPORT_PREFIX + k in given]
            shown = " + ".join(f"{column}={given[column]}" for column in columns)
            checked.error(" + ".join(columns), shown, reason.replace("participants anonymes", "participants"))
        return {key: value for key, value in detail.items() if value}

    def check(self, line: int, raw: dict) -> Checked:
        checked = Checked(line, raw)
        cell = lambda name: self._cell(raw, name)  # noqa: E731
        for name in REQUIRED:
            if not cell(name):
                checked.error(name, "", "valeur obligatoire")
        # Date
        date = None
        if cell("date"):
            try:
                date = dt.date.fromisoformat(cell("date"))
            except ValueError:
                checked.error("date", cell("date"), "date au format AAAA-MM-JJ attendue")
            else:
                if date < EARLIEST or date > timezone.localdate():
                    checked.error("date", cell("date"), "date hors période (2020-01-01 à aujourd'hui)")
                    date = None
        kind = self._choice(checked, raw, "type", TypeActivite) if cell("type") else ""
        # Structure: --structure overrides the column.
        structure = self.forced_structure
        if structure is None:
            siret = cell("structure_siret").replace(" ", "")
            if not siret:
                checked.error("structure_siret", "", "valeur obligatoire (ou option --structure)")
            else:
                structure = self.structures.get(siret)
                if structure is None:
                    checked.error("structure_siret", siret, "structure inconnue")
                elif self.allowed_structures is not None and structure.pk not in self.allowed_structures:
                    checked.error("structure_siret", siret, "structure hors de votre périmètre")
                    structure = None
        mediateur = None
        if cell("mediateur_email"):
            mediateur = self._user(cell("mediateur_email"))
            if mediateur is None:
                checked.warn("mediateur_email", cell("mediateur_email"), "médiateur inconnu : activité sans médiateur")
        place = None
        if cell("lieu_id"):
            pk = self._int(checked, "lieu_id", cell("lieu_id"), 1, 2**31 - 1)
            if pk is not None:
                place = self._place(pk)
                if place is None:
                    checked.error("lieu_id", cell("lieu_id"), "lieu inconnu")
        duree = (
            self._int(checked, "duree_minutes", cell("duree_minutes"), 1, MAX_DUREE) if cell("duree_minutes") else None
        )
        thematiques = self._multi(checked, raw, "thematiques", Thematique)
        type_lieu = self._choice(checked, raw, "type_lieu", TypeLieu) if cell("type_lieu") else ""
        materiel = self._multi(checked, raw, "materiel", Materiel)
        autonomie = self._choice(checked, raw, "autonomie", Autonomie)
        niveau = self._choice(checked, raw, "niveau_atelier", NiveauAtelier)
        titre = cell("titre_atelier")[:200]
        tranche = self._choice(checked, raw, "beneficiaire_tranche_age", TrancheAge)
        genre = self._choice(checked, raw, "beneficiaire_genre", Genre)
        statut = self._choice(checked, raw, "beneficiaire_statut_social", StatutSocial)
        redirection = self._choice(checked, raw, "structure_de_redirection", StructureDeRedirection)
        commune_code = cell("beneficiaire_commune")
        if commune_code:
            commune_code = commune_code.zfill(5)
            if commune_code not in self.communes:
                checked.error("beneficiaire_commune", cell("beneficiaire_commune"), "commune inconnue (code INSEE)")
                commune_code = ""
        oriente = None
        if cell("oriente_vers_structure"):
            text = cell("oriente_vers_structure").lower()
            if text not in ("oui", "non"):
                checked.error("oriente_vers_structure", cell("oriente_vers_structure"), "« oui » ou « non » attendu")
            else:
                oriente = text == "oui"
        participants = 1
        text = cell("participants")
        if kind == TypeActivite.COLLECTIF:
            if not text:
                checked.error("participants", "", "nombre de participants obligatoire pour un atelier collectif")
            else:
                participants = self._int(checked, "participants", text, 1, MAX_PARTICIPANTS) or 1
        elif kind == TypeActivite.INDIVIDUEL and text not in ("", "1"):
            checked.error("participants", text, "un accompagnement individuel compte 1 participant (ou vide)")
        detail = self._breakdown(checked, raw, kind, participants)
        # What does not apply to the type is set aside, with a warning.
        if kind == TypeActivite.COLLECTIF:
            for name, value in (
                ("autonomie", autonomie),
                ("oriente_vers_structure", oriente),
                ("structure_de_redirection", redirection),
            ):
                if value not in ("", None):
                    checked.warn(name, cell(name), "ignoré : réservé aux accompagnements individuels")
            autonomie, oriente, redirection = "", None, ""
        elif kind == TypeActivite.INDIVIDUEL:
            for name, value in (("niveau_atelier", niveau), ("titre_atelier", titre)):
                if value:
                    checked.warn(name, cell(name), "ignoré : réservé aux ateliers collectifs")
            niveau, titre = "", ""
        if redirection and oriente is not True:
            checked.warn("structure_de_redirection", redirection, "ignoré : le bénéficiaire n'est pas orienté")
            redirection = ""
        values = {
            "type": kind,
            "date": date,
            "duree": duree,
            "type_lieu": type_lieu,
            "thematiques": thematiques,
            "materiel": materiel,
            "autonomie": autonomie,
            "niveau": niveau,
            "titre_atelier": titre,
            "oriente_vers_structure": oriente,
            "structure_de_redirection": redirection,
            "participants_anonymes": participants,
            "beneficiaire_commune_id": commune_code or None,
            "beneficiaire_tranche_age": tranche,
            "beneficiaire_genre": genre,
            "beneficiaire_statut_social": statut,
        }
        if detail:
            # Only when given: the fingerprints of rows without a breakdown stay what they were.
            values["participants_anonymes_detail"] = detail
        for name, reason in rule_errors({**values, "precisions_demarche": ""}).items():
            checked.error(name, cell(name) if name in COLUMNS else "", reason)
        if checked.ok:
            values["structure_id"] = structure.pk
            values["mediateur_id"] = mediateur.pk if mediateur else None
            values["place_id"] = place.pk if place else None
            values["commune_id"] = activity_commune(
                type_lieu=type_lieu,
                place_commune=getattr(place, "commune_id", None),
                lieu_commune=commune_code or None,
                structure_commune=structure.commune_id,
            )
            checked.values = values
        return checked


def activity_commune(*, type_lieu, place_commune, lieu_commune, structure_commune) -> str:
    """Where the activity took place (what territorial statistics count)."""
    if type_lieu == TypeLieu.LIEU_ACTIVITE and place_commune:
        return place_commune
    if type_lieu in (TypeLieu.DOMICILE, TypeLieu.AUTRE) and lieu_commune:
        return lieu_commune
    return place_commune or structure_commune
