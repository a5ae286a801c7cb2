"""The exchange format of a whole roadmap (YAML or JSON): reading with line numbers, checking, writing.

`parse_document` reads a file and remembers the line of every value; `check_document` returns every
error at once (line, field, value, reason) and a clean plan; services.roadmap_import applies the plan
all-or-nothing. `export_document` writes the same format back (docs/roadmap/format.md).
"""

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import yaml
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from maillage.roadmap.enums import (
    ActionStatus,
    BodyKind,
    DocumentKind,
    FundingType,
    RoadmapStatus,
    TargetRule,
)
from maillage.roadmap.targets import NATIONAL_TARGETS
from maillage.territories.territory import TerritoryRef

FORMAT = "maillage-feuille-de-route"
VERSION = 1


class DocumentError(Exception):
    """The file cannot be read at all (syntax): one error with its line."""

    def __init__(self, line: int | None, reason: str):
        super().__init__(reason)
        self.line = line
        self.reason = reason


@dataclass
class Problem:
    line: int | None
    field: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {"ligne": self.line, "champ": self.field, "valeur": self.value, "raison": self.reason}

    def __str__(self):
        where = f"ligne {self.line}" if self.line else "fichier"
        return f"{where}, {self.field} = {self.value!r} : {self.reason}"


# --- Reading with line numbers ------------------------------------------------------------------


def _construct(node, path: tuple, lines: dict):
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        result = {}
        for key_node, value_node in node.value:
            key = str(key_node.value)
            lines[(*path, key)] = key_node.start_mark.line + 1
            result[key] = _construct(value_node, (*path, key), lines)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_construct(item, (*path, index), lines) for index, item in enumerate(node.value)]
    return _SCALARS.construct_object(node)


_SCALARS = yaml.constructor.SafeConstructor()


def parse_document(data: bytes) -> tuple[dict, dict]:
    """(document, lines): `lines` maps a path such as ("axes", 0, "titre") to its line in the file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DocumentError(None, "Le fichier doit être encodé en UTF-8.") from error
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        raise DocumentError(mark.line + 1 if mark else None, f"Syntaxe YAML/JSON invalide : {error}") from error
    if node is None:
        raise DocumentError(None, "Le fichier est vide.")
    lines: dict = {}
    document = _construct(node, (), lines)
    if not isinstance(document, dict):
        raise DocumentError(1, "Le fichier doit contenir un objet (feuille_de_route, axes…).")
    return document, lines


# --- Checking -------------------------------------------------------------------------------------


@dataclass
class Plan:
    """What the import will write, references resolved."""

    roadmap: dict = field(default_factory=dict)
    themes: list = field(default_factory=list)
    axes: list = field(default_factory=list)
    indicators: list = field(default_factory=list)
    documents: list = field(default_factory=list)
    funders: list = field(default_factory=list)
    financing: list = field(default_factory=list)
    allocations: list = field(default_factory=list)
    funds: list = field(default_factory=list)
    bodies: list = field(default_factory=list)
    workshops: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def action_count(self) -> int:
        return sum(len(group["actions"]) for axis in self.axes for group in axis["groups"])


class Checker:
    def __init__(self, lines: dict, structures: dict, places: dict):
        self.lines = lines
        self.structures = structures  # lower-cased name → Structure
        self.places = places  # "dataset:local_id" → Place
        self.problems: list[Problem] = []

    def line(self, path: tuple) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return None

    @staticmethod
    def name(path: tuple) -> str:
        return ".".join(f"[{part}]" if isinstance(part, int) else str(part) for part in path).replace(".[", "[")

    def error(self, path: tuple, value, reason: str) -> None:
        shown = "" if value is None else (value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
        self.problems.append(Problem(self.line(path), self.name(path), str(shown)[:200], reason))

    # Typed getters: they record a problem and return None (or the default) when the value is wrong.
    def text(self, data: dict, key: str, path: tuple, *, required=False, max_length=None, default=""):
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error((*path, key), value, "Champ obligatoire.")
            return default
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            self.error((*path, key), value, "Texte attendu.")
            return default
        value = value.strip()
        if max_length and len(value) > max_length:
            self.error((*path, key), value, f"Trop long ({len(value)} caractères, {max_length} au plus).")
            return default
        return value

    def integer(self, data: dict, key: str, path: tuple, *, required=False, minimum=None):
        value = data.get(key)
        if value is None:
            if required:
                self.error((*path, key), value, "Champ obligatoire.")
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.error((*path, key), value, "Nombre entier attendu.")
            return None
        if minimum is not None and value < minimum:
            self.error((*path, key), value, f"Doit valoir au moins {minimum}.")
            return None
        return value

    def number(self, data: dict, key: str, path: tuple, *, required=False, minimum=None):
        value = data.get(key)
        if value is None:
            if required:
                self.error((*path, key), value, "Champ obligatoire.")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.error((*path, key), value, "Nombre attendu.")
            return None
        if minimum is not None and value < minimum:
            self.error((*path, key), value, f"Doit valoir au moins {minimum}.")
            return None
        return float(value)

    def amount(self, data: dict, key: str, path: tuple, *, required=False, positive=False):
        value = data.get(key)
        if value is None:
            if required:
                self.error((*path, key), value, "Montant obligatoire.")
            return None
        try:
            if isinstance(value, bool):
                raise InvalidOperation
            amount = Decimal(str(value)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            self.error((*path, key), value, "Montant en euros attendu (nombre, point décimal).")
            return None
        if amount < 0 or (positive and amount == 0):
            self.error((*path, key), value, "Le montant doit être positif.")
            return None
        return amount

    def date(self, data: dict, key: str, path: tuple, *, required=False):
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error((*path, key), value, "Date obligatoire.")
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            self.error((*path, key), value, "Date attendue au format AAAA-MM-JJ.")
            return None

    def boolean(self, data: dict, key: str, path: tuple) -> bool:
        value = data.get(key, False)
        if not isinstance(value, bool):
            self.error((*path, key), value, "true ou false attendu.")
            return False
        return value

    def choice(self, data: dict, key: str, path: tuple, choices, *, default=None, required=False):
        default = None if default is None else str(default)
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error((*path, key), value, "Champ obligatoire.")
            return default
        if value not in choices.values:
            self.error((*path, key), value, "Valeur inconnue ; valeurs possibles : " + ", ".join(choices.values) + ".")
            return default
        return value

    def items(self, data: dict, key: str, path: tuple, *, of=dict) -> list:
        value = data.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.error((*path, key), value, "Liste attendue.")
            return []
        good = []
        for index, item in enumerate(value):
            if not isinstance(item, of):
                self.error((*path, key, index), item, "Objet attendu." if of is dict else "Texte attendu.")
            else:
                good.append((index, item))
        return good

    def mapping(self, data: dict, key: str, path: tuple, *, required=False) -> dict:
        value = data.get(key)
        if value is None:
            if required:
                self.error((*path, key), None, "Section obligatoire.")
            return {}
        if not isinstance(value, dict):
            self.error((*path, key), value, "Objet attendu.")
            return {}
        return value

    def structure(self, name: str, path: tuple, *, required=True):
        found = self.structures.get(name.strip().lower())
        if found is None and required:
            self.error(path, name, "Structure inconnue de maillage (nom exact attendu, à créer d'abord).")
        return found

    def code_slug(self, data: dict, key: str, path: tuple, *, required=True) -> str:
        value = self.text(data, key, path, required=required, max_length=60)
        if value and slugify(value) != value:
            self.error((*path, key), value, "Code attendu en minuscules, chiffres et tirets (ex. : sante).")
            return ""
        return value


def check_document(document: dict, lines: dict, *, structures: dict, places: dict) -> tuple[Plan, list[Problem]]:
    """Check the whole document; return the plan and every problem found (nothing is written)."""
    c = Checker(lines, structures, places)
    plan = Plan()
    if document.get("format") != FORMAT:
        c.error(("format",), document.get("format"), f"Le fichier doit déclarer « format: {FORMAT} ».")
    if document.get("version", VERSION) != VERSION:
        c.error(("version",), document.get("version"), f"Version {VERSION} seulement.")
    _check_roadmap(c, plan, document)
    themes = _check_themes(c, plan, document)
    action_codes = _check_axes(c, plan, document, themes)
    _check_indicators(c, plan, document, action_codes)
    documents = _check_documents(c, plan, document)
    funders = _check_funders(c, plan, document)
    _check_financing(c, plan, document, funders, action_codes)
    _check_governance(c, plan, document, themes, action_codes, documents)
    _check_workshops(c, plan, document, themes, action_codes)
    return plan, c.problems


def _check_roadmap(c: Checker, plan: Plan, document: dict) -> None:
    path = ("feuille_de_route",)
    data = c.mapping(document, "feuille_de_route", (), required=True)
    slug = c.code_slug(data, "identifiant", path)
    territory = c.text(data, "territoire", path, required=True)
    ref = None
    if territory:
        try:
            ref = TerritoryRef.parse(territory)
        except ValidationError as error:
            c.error((*path, "territoire"), territory, error.messages[0])
        else:
            if not ref.exists():
                c.error((*path, "territoire"), territory, "Territoire absent du référentiel.")
                ref = None
    start = c.integer(data, "debut", path, required=True, minimum=2000)
    end = c.integer(data, "fin", path, required=True, minimum=2000)
    if start and end and end < start:
        c.error((*path, "fin"), end, "La dernière année doit suivre la première.")
    co_porteurs = [value.strip() for _, value in c.items(data, "co_porteurs", path, of=str)]
    plan.roadmap = {
        "slug": slug,
        "name": c.text(data, "nom", path, required=True, max_length=200),
        "territory_level": ref.level.value if ref else "",
        "territory_code": ref.code if ref else "",
        "start_year": start,
        "end_year": end,
        "vision": c.text(data, "vision", path),
        "objective": c.text(data, "objectif", path),
        "co_porteurs": co_porteurs,
        "support": c.text(data, "appui", path, max_length=200),
        "national_framework": c.text(data, "cadre_national", path, max_length=200) or "France Numérique Ensemble",
        "status": c.choice(data, "statut", path, RoadmapStatus, default=RoadmapStatus.PREFIGURATION),
        "target_rule": c.choice(data, "regle_objectifs", path, TargetRule, default=TargetRule.POPULATION),
    }


def _check_themes(c: Checker, plan: Plan, document: dict) -> set:
    codes = set()
    for index, data in c.items(document, "thematiques", ()):
        path = ("thematiques", index)
        code = c.code_slug(data, "code", path)
        if code in codes:
            c.error((*path, "code"), code, "Thématique en double.")
        codes.add(code)
        plan.themes.append(
            {
                "code": code,
                "label": c.text(data, "libelle", path, required=True, max_length=120),
                "is_priority": c.boolean(data, "prioritaire", path),
                "aliases": [alias for _, alias in c.items(data, "alias", path, of=str)],
                "order": index,
            }
        )
    return codes


def _theme_refs(c: Checker, data: dict, key: str, path: tuple, themes: set) -> list[str]:
    found = []
    for index, code in c.items(data, key, path, of=str):
        if code not in themes:
            c.error((*path, key, index), code, "Thématique non déclarée dans « thematiques ».")
        else:
            found.append(code)
    return found


def _structure_refs(c: Checker, data: dict, key: str, path: tuple) -> list:
    found = []
    for index, name in c.items(data, key, path, of=str):
        structure = c.structure(name, (*path, key, index))
        if structure is not None:
            found.append(structure)
    return found


def _check_axes(c: Checker, plan: Plan, document: dict, themes: set) -> set:
    numbers, codes = set(), set()
    axes = c.items(document, "axes", ())
    if not axes:
        c.error(("axes",), None, "Au moins un axe est attendu.")
    for index, data in axes:
        path = ("axes", index)
        number = c.integer(data, "numero", path, required=True, minimum=1)
        if number in numbers:
            c.error((*path, "numero"), number, "Numéro d'axe en double.")
        numbers.add(number)
        axis = {
            "number": number,
            "title": c.text(data, "titre", path, required=True, max_length=300),
            "diagnosis": c.text(data, "diagnostic", path),
            "groups": [],
        }
        for group_index, group_data in c.items(data, "groupes", path):
            group_path = (*path, "groupes", group_index)
            theme = group_data.get("thematique")
            if theme is not None and theme not in themes:
                c.error((*group_path, "thematique"), theme, "Thématique non déclarée dans « thematiques ».")
                theme = None
            group = {
                "order": group_index + 1,
                "title": c.text(group_data, "titre", group_path, required=True, max_length=300),
                "theme": theme,
                "actions": [],
            }
            for action_index, action_data in c.items(group_data, "actions", group_path):
                action = _check_action(c, action_data, (*group_path, "actions", action_index), themes)
                action["order"] = action_index + 1
                if action["code"] in codes:
                    c.error(
                        (*group_path, "actions", action_index, "numero"), action["code"], "Numéro d'action en double."
                    )
                codes.add(action["code"])
                group["actions"].append(action)
            axis["groups"].append(group)
        plan.axes.append(axis)
    return codes


def _check_action(c: Checker, data: dict, path: tuple, themes: set) -> dict:
    start, end = c.date(data, "debut", path), c.date(data, "fin", path)
    if start and end and end < start:
        c.error((*path, "fin"), str(end), "La fin doit suivre le début.")
    places = []
    for index, key in c.items(data, "lieux", path, of=str):
        place = c.places.get(key)
        if place is None:
            c.error((*path, "lieux", index), key, "Lieu inconnu (attendu : jeu_de_donnees:identifiant).")
        else:
            places.append(place)
    milestones = []
    for index, item in c.items(data, "jalons", path):
        item_path = (*path, "jalons", index)
        milestones.append(
            {
                "title": c.text(item, "titre", item_path, required=True, max_length=300),
                "due_date": c.date(item, "echeance", item_path, required=True),
                "done_on": c.date(item, "atteint_le", item_path),
            }
        )
    budget = []
    for index, item in c.items(data, "budget", path):
        item_path = (*path, "budget", index)
        budget.append(
            {
                "label": c.text(item, "libelle", item_path, required=True, max_length=300),
                "amount": c.amount(item, "montant", item_path, required=True),
                "spent": c.amount(item, "depense", item_path) or Decimal("0"),
                "is_confidential": c.boolean(item, "confidentiel", item_path),
            }
        )
    return {
        "code": c.text(data, "numero", path, required=True, max_length=20),
        "title": c.text(data, "titre", path, required=True, max_length=500),
        "description": c.text(data, "description", path),
        "status": c.choice(data, "statut", path, ActionStatus, default=ActionStatus.PROPOSEE),
        "themes": _theme_refs(c, data, "thematiques", path, themes),
        "porteurs": _structure_refs(c, data, "porteurs", path),
        "partners": _structure_refs(c, data, "partenaires", path),
        "places": places,
        "start_date": start,
        "end_date": end,
        "resources": c.text(data, "ressources", path),
        "milestones": milestones,
        "budget": budget,
    }


def _check_indicators(c: Checker, plan: Plan, document: dict, action_codes: set) -> None:
    from maillage.core.indicators import indicator_sources

    sources = indicator_sources()
    codes = set()
    for index, data in c.items(document, "indicateurs", ()):
        path = ("indicateurs", index)
        code = c.code_slug(data, "code", path)
        if code in codes:
            c.error((*path, "code"), code, "Indicateur en double.")
        codes.add(code)
        perimeter = c.mapping(data, "perimetre", path)
        level, territory_code = "", ""
        if perimeter.get("territoire"):
            try:
                ref = TerritoryRef.parse(str(perimeter["territoire"]))
                level, territory_code = ref.level.value, ref.code
            except ValidationError as error:
                c.error((*path, "perimetre", "territoire"), perimeter["territoire"], error.messages[0])
        period = c.mapping(data, "periode", path)
        computation = c.mapping(data, "calcul", path)
        key = c.text(computation, "source", (*path, "calcul"), max_length=100)
        params = c.mapping(computation, "parametres", (*path, "calcul"))
        if key and key in sources:
            unknown = set(params) - set(sources[key].params)
            if unknown:
                c.error((*path, "calcul", "parametres"), sorted(unknown), f"Paramètres inconnus pour {key}.")
        elif key:
            plan.warnings.append(f"Indicateur {code} : source {key} indisponible pour l'instant.")
        baseline, target = c.mapping(data, "reference", path), c.mapping(data, "cible", path)
        national = data.get("objectif_national") or ""
        if national and national not in NATIONAL_TARGETS:
            c.error((*path, "objectif_national"), national, "Valeurs possibles : " + ", ".join(NATIONAL_TARGETS) + ".")
            national = ""
        actions = []
        for action_index, action_code in c.items(data, "actions", path, of=str):
            if action_code not in action_codes:
                c.error((*path, "actions", action_index), action_code, "Action inconnue dans ce fichier.")
            else:
                actions.append(action_code)
        values = []
        for value_index, item in c.items(data, "valeurs", path):
            item_path = (*path, "valeurs", value_index)
            values.append(
                {
                    "date": c.date(item, "date", item_path, required=True),
                    "value": c.number(item, "valeur", item_path, required=True),
                    "comment": c.text(item, "commentaire", item_path, max_length=500),
                }
            )
        plan.indicators.append(
            {
                "code": code,
                "name": c.text(data, "nom", path, required=True, max_length=300),
                "definition": c.text(data, "definition", path),
                "unit": c.text(data, "unite", path, required=True, max_length=60),
                "perimeter_level": level,
                "perimeter_code": territory_code,
                "perimeter_scheme": c.text(perimeter, "dispositif", (*path, "perimetre"), max_length=200),
                "perimeter_employer": c.text(perimeter, "employeur", (*path, "perimetre"), max_length=200),
                "period_start": c.date(period, "debut", (*path, "periode")),
                "period_end": c.date(period, "fin", (*path, "periode")),
                "source": c.text(data, "source", path, max_length=300),
                "source_key": key,
                "source_params": params,
                "baseline": c.number(baseline, "valeur", (*path, "reference")),
                "baseline_date": c.date(baseline, "date", (*path, "reference")),
                "target": c.number(target, "valeur", (*path, "cible")),
                "target_date": c.date(target, "date", (*path, "cible")),
                "national_target": national,
                "actions": actions,
                "values": values,
            }
        )


def _check_documents(c: Checker, plan: Plan, document: dict) -> set:
    codes = set()
    for index, data in c.items(document, "documents", ()):
        path = ("documents", index)
        code = c.code_slug(data, "code", path)
        if code in codes:
            c.error((*path, "code"), code, "Document en double.")
        codes.add(code)
        plan.documents.append(
            {
                "code": code,
                "title": c.text(data, "titre", path, required=True, max_length=300),
                "kind": c.choice(data, "nature", path, DocumentKind, default=DocumentKind.AUTRE),
                "reference": c.text(data, "reference", path, max_length=500),
                "date": c.date(data, "date", path),
            }
        )
    return codes


def _check_funders(c: Checker, plan: Plan, document: dict) -> set:
    names = set()
    for index, data in c.items(document, "financeurs", ()):
        path = ("financeurs", index)
        name = c.text(data, "nom", path, required=True, max_length=200)
        if name in names:
            c.error((*path, "nom"), name, "Financeur en double.")
        names.add(name)
        structure_name = c.text(data, "structure", path)
        plan.funders.append(
            {
                "name": name,
                "kind": c.text(data, "type", path, max_length=100),
                "structure": c.structure(structure_name, (*path, "structure")) if structure_name else None,
            }
        )
    return names


def _funder_ref(c: Checker, data: dict, path: tuple, funders: set, *, required=True) -> str:
    name = c.text(data, "financeur", path, required=required)
    if name and name not in funders:
        c.error((*path, "financeur"), name, "Financeur non déclaré dans « financeurs ».")
        return ""
    return name


def _action_ref(c: Checker, data: dict, path: tuple, action_codes: set) -> str:
    code = c.text(data, "action", path)
    if code and code not in action_codes:
        c.error((*path, "action"), code, "Action inconnue dans ce fichier.")
        return ""
    return code


def _beneficiary(c: Checker, data: dict, path: tuple) -> tuple:
    name = c.text(data, "beneficiaire", path, max_length=200)
    structure = c.structure(name, (*path, "beneficiaire"), required=False) if name else None
    return structure, "" if structure else name


def _check_financing(c: Checker, plan: Plan, document: dict, funders: set, action_codes: set) -> None:
    for index, data in c.items(document, "financements", ()):
        path = ("financements", index)
        start, end = c.date(data, "debut", path), c.date(data, "fin", path)
        if start and end and end < start:
            c.error((*path, "fin"), str(end), "La fin doit suivre le début.")
        structure, name = _beneficiary(c, data, path)
        plan.financing.append(
            {
                "funder": _funder_ref(c, data, path, funders),
                "beneficiary": structure,
                "beneficiary_name": name,
                "scheme": c.text(data, "dispositif", path, max_length=200),
                "purpose": c.text(data, "objet", path, max_length=300),
                "type": c.choice(data, "type", path, FundingType, default=FundingType.SUBVENTION),
                "amount": c.amount(data, "montant", path, required=True),
                "start_date": start,
                "end_date": end,
                "action": _action_ref(c, data, path, action_codes),
                "is_confidential": c.boolean(data, "confidentiel", path),
            }
        )
    for index, data in c.items(document, "postes", ()):
        path = ("postes", index)
        shares = []
        for share_index, item in c.items(data, "parts", path):
            share_path = (*path, "parts", share_index)
            shares.append(
                {
                    "funder": _funder_ref(c, item, share_path, funders),
                    "percent": c.number(item, "pourcentage", share_path, required=True, minimum=0.01),
                }
            )
        total = sum(share["percent"] or 0 for share in shares)
        if shares and abs(total - 100) > 0.01:
            c.error((*path, "parts"), total, "Les parts des co-signataires doivent totaliser 100 %.")
        plan.allocations.append(
            {
                "label": c.text(data, "intitule", path, required=True, max_length=300),
                "scheme": c.text(data, "dispositif", path, max_length=200),
                "posts": c.integer(data, "postes", path, required=True, minimum=1),
                "unit_amount": c.amount(data, "montant_par_poste", path, required=True),
                "start_date": c.date(data, "debut", path),
                "end_date": c.date(data, "fin", path),
                "is_confidential": c.boolean(data, "confidentiel", path),
                "shares": shares,
            }
        )
    for index, data in c.items(document, "fonds", ()):
        path = ("fonds", index)
        contributions, allocations = [], []
        for item_index, item in c.items(data, "contributions", path):
            item_path = (*path, "contributions", item_index)
            contributions.append(
                {
                    "funder": _funder_ref(c, item, item_path, funders),
                    "date": c.date(item, "date", item_path, required=True),
                    "amount": c.amount(item, "montant", item_path, required=True, positive=True),
                    "label": c.text(item, "objet", item_path, max_length=300),
                    "is_confidential": c.boolean(item, "confidentiel", item_path),
                }
            )
        for item_index, item in c.items(data, "attributions", path):
            item_path = (*path, "attributions", item_index)
            structure, _name = _beneficiary(c, item, item_path)
            allocations.append(
                {
                    "date": c.date(item, "date", item_path, required=True),
                    "amount": c.amount(item, "montant", item_path, required=True, positive=True),
                    "label": c.text(item, "objet", item_path, max_length=300),
                    "action": _action_ref(c, item, item_path, action_codes),
                    "beneficiary": structure,
                    "is_confidential": c.boolean(item, "confidentiel", item_path),
                }
            )
        given = sum(item["amount"] or 0 for item in contributions)
        spent = sum(item["amount"] or 0 for item in allocations)
        if spent > given:
            c.error((*path, "attributions"), str(spent), f"Les attributions dépassent les contributions ({given} €).")
        plan.funds.append(
            {
                "name": c.text(data, "nom", path, required=True, max_length=200),
                "contributions": contributions,
                "allocations": allocations,
            }
        )


def _check_governance(c, plan, document, themes, action_codes, document_codes) -> None:
    for index, data in c.items(document, "gouvernance", ()):
        path = ("gouvernance", index)
        theme = data.get("thematique")
        if theme is not None and theme not in themes:
            c.error((*path, "thematique"), theme, "Thématique non déclarée dans « thematiques ».")
            theme = None
        members = []
        for member_index, item in c.items(data, "membres", path):
            member_path = (*path, "membres", member_index)
            name = c.text(item, "organisation", member_path, required=True, max_length=200)
            members.append(
                {
                    "organisation": name,
                    "structure": c.structure(name, (*member_path, "organisation"), required=False) if name else None,
                    "function": c.text(item, "fonction", member_path, max_length=200),
                }
            )
        member_names = {member["organisation"] for member in members}
        meetings = []
        for meeting_index, item in c.items(data, "reunions", path):
            meeting_path = (*path, "reunions", meeting_index)
            present = []
            for present_index, name in c.items(item, "presents", meeting_path, of=str):
                if name not in member_names:
                    c.error((*meeting_path, "presents", present_index), name, "Pas membre de cette instance.")
                else:
                    present.append(name)
            decisions = []
            for decision_index, decision in c.items(item, "decisions", meeting_path):
                decision_path = (*meeting_path, "decisions", decision_index)
                linked_actions = [code for _, code in c.items(decision, "actions", decision_path, of=str)]
                for bad in set(linked_actions) - action_codes:
                    c.error((*decision_path, "actions"), bad, "Action inconnue dans ce fichier.")
                linked_documents = [code for _, code in c.items(decision, "documents", decision_path, of=str)]
                for bad in set(linked_documents) - document_codes:
                    c.error((*decision_path, "documents"), bad, "Document non déclaré dans « documents ».")
                axes = [number for number in decision.get("axes") or [] if isinstance(number, int)]
                known_axes = {axis["number"] for axis in plan.axes}
                for bad in set(axes) - known_axes:
                    c.error((*decision_path, "axes"), bad, "Axe inconnu dans ce fichier.")
                decisions.append(
                    {
                        "text": c.text(decision, "texte", decision_path, required=True),
                        "actions": [code for code in linked_actions if code in action_codes],
                        "documents": [code for code in linked_documents if code in document_codes],
                        "axes": [number for number in axes if number in known_axes],
                    }
                )
            meetings.append(
                {
                    "date": c.date(item, "date", meeting_path, required=True),
                    "title": c.text(item, "titre", meeting_path, required=True, max_length=300),
                    "location": c.text(item, "lieu", meeting_path, max_length=300),
                    "agenda": c.text(item, "ordre_du_jour", meeting_path),
                    "minutes": c.text(item, "compte_rendu", meeting_path),
                    "present": present,
                    "decisions": decisions,
                }
            )
        plan.bodies.append(
            {
                "kind": c.choice(data, "type", path, BodyKind, required=True),
                "name": c.text(data, "nom", path, required=True, max_length=200),
                "mission": c.text(data, "mission", path),
                "theme": theme,
                "members": members,
                "meetings": meetings,
            }
        )


def _check_workshops(c, plan, document, themes, action_codes) -> None:
    for index, data in c.items(document, "ateliers", ()):
        path = ("ateliers", index)
        theme = data.get("thematique")
        if theme is not None and theme not in themes:
            c.error((*path, "thematique"), theme, "Thématique non déclarée dans « thematiques ».")
            theme = None
        actions = []
        for action_index, code in c.items(data, "actions", path, of=str):
            if code not in action_codes:
                c.error((*path, "actions", action_index), code, "Action inconnue dans ce fichier.")
            else:
                actions.append(code)
        invited = [name for _, name in c.items(data, "invites", path, of=str)]
        participants = [name for _, name in c.items(data, "participants", path, of=str)]
        plan.workshops.append(
            {
                "title": c.text(data, "titre", path, required=True, max_length=300),
                "date": c.date(data, "date", path, required=True),
                "theme": theme,
                "location": c.text(data, "lieu", path, max_length=300),
                "summary": c.text(data, "synthese", path),
                "invited": invited,
                "participants": participants,
                "participant_count": c.integer(data, "nombre_participants", path, minimum=0) or len(participants),
                "actions": actions,
            }
        )


# --- Writing ------------------------------------------------------------------------------------


def _date(value) -> str | None:
    return value.isoformat() if value else None


def _amount(value):
    return int(value) if value == value.to_integral_value() else float(value)


def _clean(data: dict) -> dict:
    """Drop empty optional values so that exported files stay readable."""
    return {key: value for key, value in data.items() if value not in (None, "", [], {}, False)}


def export_document(roadmap) -> dict:
    """The whole roadmap in the exchange format (importing the result gives the same roadmap)."""
    from maillage.roadmap.enums import FundMovementKind

    actions_by_group = {}
    for action in (
        roadmap.actions.select_related("group")
        .prefetch_related("themes", "porteurs", "partners", "places", "milestones", "budget_lines")
        .order_by("group_id", "order", "id")
    ):
        actions_by_group.setdefault(action.group_id, []).append(action)
    axes = []
    for axis in roadmap.axes.prefetch_related("groups__theme").order_by("number"):
        groups = []
        for group in axis.groups.all():
            groups.append(
                _clean(
                    {
                        "titre": group.title,
                        "thematique": group.theme.code if group.theme_id else None,
                        "actions": [_export_action(action) for action in actions_by_group.get(group.pk, [])],
                    }
                )
            )
        axes.append(
            _clean({"numero": axis.number, "titre": axis.title, "diagnostic": axis.diagnosis, "groupes": groups})
        )
    document = {
        "format": FORMAT,
        "version": VERSION,
        "feuille_de_route": _clean(
            {
                "identifiant": roadmap.slug,
                "nom": roadmap.name,
                "territoire": str(roadmap.territory),
                "debut": roadmap.start_year,
                "fin": roadmap.end_year,
                "vision": roadmap.vision,
                "objectif": roadmap.objective,
                "co_porteurs": list(roadmap.co_porteurs),
                "appui": roadmap.support,
                "cadre_national": roadmap.national_framework,
                "statut": roadmap.status,
                "regle_objectifs": roadmap.target_rule,
            }
        ),
        "thematiques": [
            _clean({"code": t.code, "libelle": t.label, "prioritaire": t.is_priority, "alias": list(t.aliases)})
            for t in roadmap.themes.all()
        ],
        "axes": axes,
        "indicateurs": [
            _export_indicator(indicator) for indicator in roadmap.indicators.prefetch_related("actions", "values")
        ],
        "documents": [
            _clean(
                {"code": d.code, "titre": d.title, "nature": d.kind, "reference": d.reference, "date": _date(d.date)}
            )
            for d in roadmap.documents.all()
        ],
        "financeurs": [
            _clean({"nom": f.name, "type": f.kind, "structure": f.structure.nom if f.structure_id else None})
            for f in roadmap.funders.select_related("structure")
        ],
        "financements": [
            _clean(
                {
                    "financeur": line.funder.name,
                    "beneficiaire": line.beneficiary_label,
                    "dispositif": line.scheme,
                    "objet": line.purpose,
                    "type": line.type,
                    "montant": _amount(line.amount),
                    "debut": _date(line.start_date),
                    "fin": _date(line.end_date),
                    "action": line.action.code if line.action_id else None,
                    "confidentiel": line.is_confidential,
                }
            )
            for line in roadmap.financing_lines.select_related("funder", "beneficiary", "action")
        ],
        "postes": [
            _clean(
                {
                    "intitule": allocation.label,
                    "dispositif": allocation.scheme,
                    "postes": allocation.posts,
                    "montant_par_poste": _amount(allocation.unit_amount),
                    "debut": _date(allocation.start_date),
                    "fin": _date(allocation.end_date),
                    "confidentiel": allocation.is_confidential,
                    "parts": [
                        {"financeur": share.funder.name, "pourcentage": float(share.percent)}
                        for share in allocation.shares.select_related("funder")
                    ],
                }
            )
            for allocation in roadmap.post_allocations.all()
        ],
        "fonds": [
            {
                "nom": fund.name,
                "contributions": [
                    _clean(
                        {
                            "financeur": m.funder.name,
                            "date": _date(m.date),
                            "montant": _amount(m.amount),
                            "objet": m.label,
                            "confidentiel": m.is_confidential,
                        }
                    )
                    for m in fund.movements.select_related("funder")
                    if m.kind == FundMovementKind.CONTRIBUTION
                ],
                "attributions": [
                    _clean(
                        {
                            "date": _date(m.date),
                            "montant": _amount(m.amount),
                            "objet": m.label,
                            "action": m.action.code if m.action_id else None,
                            "beneficiaire": m.beneficiary.nom if m.beneficiary_id else None,
                            "confidentiel": m.is_confidential,
                        }
                    )
                    for m in fund.movements.select_related("action", "beneficiary")
                    if m.kind == FundMovementKind.ALLOCATION
                ],
            }
            for fund in roadmap.funds.all()
        ],
        "gouvernance": [_export_body(body) for body in roadmap.bodies.select_related("theme")],
        "ateliers": [
            _clean(
                {
                    "titre": w.title,
                    "date": _date(w.date),
                    "thematique": w.theme.code if w.theme_id else None,
                    "lieu": w.location,
                    "synthese": w.summary,
                    "invites": [s.nom for s in w.invited.all()] + list(w.invited_names),
                    "participants": [s.nom for s in w.participants.all()] + list(w.participant_names),
                    "nombre_participants": w.participant_count,
                    "actions": [a.code for a in w.actions.all()],
                }
            )
            for w in roadmap.workshops.select_related("theme")
        ],
    }
    return {key: value for key, value in document.items() if value != []}


def _export_action(action) -> dict:
    return _clean(
        {
            "numero": action.code,
            "titre": action.title,
            "description": action.description,
            "statut": action.status,
            "thematiques": [theme.code for theme in action.themes.all()],
            "porteurs": [s.nom for s in action.porteurs.all()],
            "partenaires": [s.nom for s in action.partners.all()],
            "lieux": [f"{p.dataset}:{p.local_id}" for p in action.places.all()],
            "debut": _date(action.start_date),
            "fin": _date(action.end_date),
            "ressources": action.resources,
            "jalons": [
                _clean({"titre": m.title, "echeance": _date(m.due_date), "atteint_le": _date(m.done_on)})
                for m in action.milestones.all()
            ],
            "budget": [
                _clean(
                    {
                        "libelle": line.label,
                        "montant": _amount(line.amount),
                        "depense": _amount(line.spent) if line.spent else None,
                        "confidentiel": line.is_confidential,
                    }
                )
                for line in action.budget_lines.all()
            ],
        }
    )


def _export_indicator(indicator) -> dict:
    perimeter = _clean(
        {
            "territoire": f"{indicator.perimeter_level}:{indicator.perimeter_code}"
            if indicator.perimeter_code
            else None,
            "dispositif": indicator.perimeter_scheme,
            "employeur": indicator.perimeter_employer,
        }
    )
    return _clean(
        {
            "code": indicator.code,
            "nom": indicator.name,
            "definition": indicator.definition,
            "unite": indicator.unit,
            "source": indicator.source,
            "perimetre": perimeter,
            "periode": _clean({"debut": _date(indicator.period_start), "fin": _date(indicator.period_end)}),
            "calcul": _clean({"source": indicator.source_key, "parametres": indicator.source_params}),
            "reference": _clean({"valeur": indicator.baseline, "date": _date(indicator.baseline_date)}),
            "cible": _clean({"valeur": indicator.target, "date": _date(indicator.target_date)}),
            "objectif_national": indicator.national_target,
            "actions": [action.code for action in indicator.actions.all()],
            "valeurs": [
                _clean({"date": _date(v.date), "valeur": v.value, "commentaire": v.comment})
                for v in indicator.values.all()
            ],
        }
    )


def _export_body(body) -> dict:
    members = list(body.members.select_related("structure"))
    return _clean(
        {
            "type": body.kind,
            "nom": body.name,
            "mission": body.mission,
            "thematique": body.theme.code if body.theme_id else None,
            "membres": [_clean({"organisation": m.organisation_label, "fonction": m.function}) for m in members],
            "reunions": [
                _clean(
                    {
                        "date": _date(meeting.date),
                        "titre": meeting.title,
                        "lieu": meeting.location,
                        "ordre_du_jour": meeting.agenda,
                        "compte_rendu": meeting.minutes,
                        "presents": [m.organisation_label for m in meeting.attendees.all()],
                        "decisions": [
                            _clean(
                                {
                                    "texte": d.text,
                                    "actions": [a.code for a in d.actions.all()],
                                    "documents": [doc.code for doc in d.documents.all()],
                                    "axes": [axis.number for axis in d.axes.all()],
                                }
                            )
                            for d in meeting.decisions.all()
                        ],
                    }
                )
                for meeting in body.meetings.order_by("date", "id")
            ],
        }
    )


def dump_document(document: dict, fmt: str = "yaml") -> str:
    if fmt == "json":
        return json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False, width=120)
