"""Checking one row against the standard, field by field.

A row is rejected only for what the standard makes invalid (a required field missing, a value
outside a vocabulary, a malformed code or date…). What is merely odd is kept with a warning:
placeholder SIRET or date, free-text opening hours, unknown typology codes, e-mails or URLs that look
wrong. Equivalent forms are repaired with a warning that shows the value before and after: French
phone numbers, codes that lost their leading zero, `;` instead of `|`, typographic apostrophes,
near-miss spellings of vocabulary values, dates in French format, hours written with spaces.
"""

import datetime as dt
import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from maillage.places import hours
from maillage.places import standard as std
from maillage.places.importing.hours_text import french_to_osm, tidy_osm

SPACES = re.compile(r"\s+")
EMAIL = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")
URL = re.compile(r"^[a-zA-Z]{3,9}:(//)?[^\s/?#]+[^\s]*$")
OVERSEAS_PREFIXES = {
    "0590": "+590",
    "0690": "+590",
    "0691": "+590",
    "0594": "+594",
    "0694": "+594",
    "0596": "+596",
    "0696": "+596",
    "0697": "+596",
    "0262": "+262",
    "0263": "+262",
    "0692": "+262",
    "0693": "+262",
    "0269": "+262",
    "0639": "+262",
}
DATE_FORMATS = (
    "%Y-%m-%d",
    "%d/%m/%Y",
    "%Y/%m/%d",
    "%d-%m-%Y",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M:%S",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
    "%Y-%m-%dT%H:%M:%S",
)
EPOCH = "1970-01-01"
SINGLE_LINE = ("nom", "commune", "adresse", "complement_adresse", "source", "structure_parente")
# What spreadsheets write for "nothing": read as an absent value (with a warning).
ID_MAX_LENGTH = std.ID_MAX_LENGTH


def id_too_long(text: str) -> str:
    return f"identifiant trop long : {len(text)} caractères, {ID_MAX_LENGTH} au plus"


ABSENT = frozenset(
    {"-", "--", "—", "–", "/", "+", "+33", "n/a", "na", "nc", "n.c.", "#n/d", "null", "none", "néant", "neant"}
)
COUNTRY_CODE_WITH_ZERO = re.compile(r"^\+(33|590|594|262|596|269|687|689|508|681)0(\d{6,9})$")


MEMO_SIZE = 50_000


class _Recorder:
    """Stands for a row's warning list inside a memoised check: keeps (is_error, field, value,
    reason) in call order, whether a check appends an Issue itself or calls error()/warn()."""

    def __init__(self):
        self.items: list[tuple] = []

    def append(self, issue) -> None:
        self.items.append((False, issue.field, issue.value, issue.reason))


@dataclass(frozen=True)
class Issue:
    line: int
    field: str
    value: str
    reason: str

    def as_dict(self) -> dict:
        return {"line": self.line, "field": self.field, "value": self.value, "reason": self.reason}


@dataclass
class Checked:
    values: dict = field(default_factory=dict)  # standard field name → clean value (lists for lists)
    errors: list[Issue] = field(default_factory=list)
    warnings: list[Issue] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _key(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text.replace("’", "'")).encode("ascii", "ignore").decode().casefold()
    return " ".join(re.sub(r"[^a-z0-9/()+'«»]+", " ", folded).split())


class Vocabulary:
    """A closed list of values, matched exactly, then loosely (case, accents), then by near spelling."""

    def __init__(self, values: tuple[str, ...], aliases: dict[str, str] | None = None):
        self.values = frozenset(values)
        self.by_key = {_key(value): value for value in values}
        for alias, value in (aliases or {}).items():
            self.by_key[_key(alias)] = value
        self.keys = list(self.by_key)

    def match(self, item: str) -> tuple[str | None, bool]:
        """(value, repaired) — value None when nothing is close enough."""
        if item in self.values:
            return item, False
        key = _key(item)
        if key in self.by_key:
            return self.by_key[key], True
        best = process.extractOne(key, self.keys, scorer=fuzz.ratio, score_cutoff=90)
        return (self.by_key[best[0]], True) if best else (None, False)


VOCABULARIES = {
    name: Vocabulary(
        spec.choices,
        {"Étapes numériques(La Poste)": std.ETAPES_NUMERIQUES} if name == "formations_labels" else None,
    )
    for name, spec in std.FIELDS_BY_NAME.items()
    if spec.choices
}
TYPOLOGIES = frozenset(std.TYPOLOGIES)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, list):
        value = "|".join(str(item) for item in value)
    return str(value).strip()


def _items(value, name: str, line: int, warnings: list[Issue]) -> list[str]:
    """Split a list field: `|` in v1; `;`, `, ` or ` / ` are repaired with a warning."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        items = [str(item) for item in value]
    else:
        text = str(value)
        if "|" in text:
            items = text.split("|")
        else:
            items = [text]
            for separator in (";", " / ") + ((", ",) if name in VOCABULARIES else ()):
                if separator in text:
                    if not (name in VOCABULARIES and VOCABULARIES[name].match(text.strip())[0]):
                        items = text.split(separator)
                        warnings.append(
                            Issue(line, name, text, f"séparateur « {separator.strip()} » remplacé par « | »")
                        )
                    break
    cleaned = []
    for item in items:
        item = SPACES.sub(" ", item.replace("’", "'")).strip()
        if item and item not in cleaned:
            cleaned.append(item)
    return cleaned


class RowChecker:
    """Validates rows of one import. `lenient`: rows converted from a non-standard export, where the
    national pipeline writes placeholders for a missing pivot or date instead of rejecting."""

    def __init__(self, *, lenient: bool = False):
        self.lenient = lenient
        self._memo: dict = {}
        # Field checks that depend only on the cell: (value, error, warn, warnings) → clean value.
        self._computes = {
            "pivot": lambda v, e, w, r: self._pivot(v, e, w),
            "code_postal": lambda v, e, w, r: self._code(v, "code_postal", std.CODE_POSTAL, e, w),
            "code_insee": lambda v, e, w, r: self._code(v, "code_insee", std.CODE_INSEE, e, w),
            "telephone": lambda v, e, w, r: self._telephone(v, e, w, 0, r),
            "horaires": lambda v, e, w, r: self._hours(v, w),
            "date_maj": lambda v, e, w, r: self._date(v, e, w),
            **{name: functools.partial(self._list, name) for name in std.LIST_FIELDS},
        }

    def _cached(self, name: str, value, line: int, errors: list, warnings: list):
        """The result of a field check that depends only on the cell's value, computed once per
        distinct value (files repeat the same lists, codes, dates and hours on many rows); its
        issues are replayed, in the same order, with the row's line."""
        key = (name, value.__class__, tuple(value) if value.__class__ is list else value)
        try:
            hit = self._memo.get(key)
        except TypeError:  # an unhashable cell (a dict): no memo
            hit, key = None, None
        if hit is None:
            issues = _Recorder()

            def error(name, value, reason):
                issues.items.append((True, name, _text(value), reason))

            def warn(name, value, reason):
                issues.items.append((False, name, _text(value), reason))

            hit = (self._computes[name](value, error, warn, issues), tuple(issues.items))
            if key is not None:
                if len(self._memo) >= MEMO_SIZE:
                    self._memo.clear()
                self._memo[key] = hit
        result, issues = hit
        for is_error, name, value, reason in issues:
            (errors if is_error else warnings).append(Issue(line, name, value, reason))
        return list(result) if isinstance(result, list) else result

    def check(self, line: int, row: dict) -> Checked:
        checked = Checked()
        values, errors, warnings = checked.values, checked.errors, checked.warnings

        def error(name, value, reason):
            errors.append(Issue(line, name, _text(value), reason))

        def warn(name, value, reason):
            warnings.append(Issue(line, name, _text(value), reason))

        row = dict(row)
        for name, value in row.items():
            if isinstance(value, str) and value.strip().lower() in ABSENT:
                warn(name, value, "valeur de remplacement lue comme absente")
                row[name] = ""

        for name in ("id", "nom", "commune", "adresse", "complement_adresse", "source", "structure_parente"):
            text = _text(row.get(name))
            if name in SINGLE_LINE:
                text = SPACES.sub(" ", text)
            if not text and std.FIELDS_BY_NAME[name].required:
                error(name, "", f"le champ {std.FIELDS_BY_NAME[name].label} est obligatoire")
            elif name == "id" and len(text) > ID_MAX_LENGTH:
                error(name, text, id_too_long(text))
            values[name] = text

        def cached(name):
            return self._cached(name, row.get(name), line, errors, warnings)

        values["pivot"] = cached("pivot")
        values["code_postal"] = cached("code_postal")
        values["code_insee"] = cached("code_insee")
        values["latitude"] = self._coordinate(row.get("latitude"), "latitude", 90, error, warn)
        values["longitude"] = self._coordinate(row.get("longitude"), "longitude", 180, error, warn)
        values["telephone"] = cached("telephone")
        values["horaires"] = cached("horaires")
        values["date_maj"] = cached("date_maj")
        for name in ("presentation_resume", "presentation_detail", "fiche_acces_libre", "prise_rdv"):
            values[name] = _text(row.get(name)).replace("\r\n", "\n")
        self._presentation(values, error, warn)
        for name in ("fiche_acces_libre", "prise_rdv"):
            if values[name] and not URL.match(values[name]):
                warn(name, values[name], "adresse web qui ne semble pas valide (conservée)")

        for name in std.LIST_FIELDS:
            values[name] = cached(name)
        for code in values["typologie"]:
            if code not in TYPOLOGIES:
                warn("typologie", code, "code de typologie inconnu de la liste data·inclusion (conservé)")
        for email in values["courriels"]:
            if not EMAIL.match(email):
                warn("courriels", email, "adresse électronique qui ne semble pas valide (conservée)")
        for url in values["site_web"]:
            if not URL.match(url):
                warn("site_web", url, "adresse web qui ne semble pas valide (conservée)")
        self._coupling(values, warn)
        return checked

    def _list(self, name, value, error, warn, warnings) -> list[str]:
        items = _items(value, name, 0, warnings)
        if name in VOCABULARIES:
            items = self._vocabulary(name, items, error, warn)
        return items

    def _pivot(self, value, error, warn) -> str:
        text = _text(value).replace(" ", "").replace(".", "")
        if not text:
            if self.lenient:
                warn("pivot", "", "pivot absent : remplacé par 00000000000000 (inconnu)")
                return std.PLACEHOLDER_PIVOT
            error("pivot", "", "le pivot (SIRET ou RNA) est obligatoire ; indiquez 00000000000000 s'il est inconnu")
            return ""
        if isinstance(value, int | float) and len(text) == 13:
            warn("pivot", text, "zéro initial restitué (SIRET lu comme un nombre)")
            text = text.zfill(14)
        if not std.PIVOT.fullmatch(text):
            error("pivot", text, "le pivot doit compter 9 à 14 lettres ou chiffres (SIRET, SIREN ou RNA)")
        elif text == std.PLACEHOLDER_PIVOT:
            warn("pivot", text, "SIRET inconnu (valeur de remplacement 00000000000000)")
        return text

    @staticmethod
    def _code(value, name, pattern, error, warn) -> str:
        text = _text(value).replace(" ", "").upper()
        if not text:
            if std.FIELDS_BY_NAME[name].required:
                error(name, "", f"le champ {std.FIELDS_BY_NAME[name].label} est obligatoire")
            return ""
        if text.isdigit() and len(text) == 4:
            warn(name, text, "zéro initial restitué (code lu comme un nombre)")
            text = "0" + text
        if not pattern.fullmatch(text):
            expected = "5 chiffres attendus" if name == "code_postal" else "code commune INSEE attendu"
            error(name, text, f"{std.FIELDS_BY_NAME[name].label} invalide : {expected}")
        return text

    @staticmethod
    def _coordinate(value, name, limit, error, warn) -> float | None:
        text = _text(value)
        if not text:
            return None
        try:
            number = float(text.replace(",", "."))
        except ValueError:
            error(name, text, f"la {name} doit être un nombre")
            return None
        if math.isinf(number):  # as far out as can be: out of range below
            number = math.copysign(limit + 1, number)
        if math.isnan(number):  # what spreadsheets write for an empty number
            warn(name, text, f"{name} non numérique (NaN) : considérée comme absente")
            return None
        if "," in text:
            warn(name, text, "virgule décimale remplacée par un point")
        if number == 0:
            warn(name, text, "coordonnée 0 : considérée comme absente")
            return None
        if abs(number) > limit:
            warn(name, text, f"{name} hors de l'intervalle [-{limit}, {limit}] : ignorée")
            return None
        return number

    @staticmethod
    def _telephone(value, error, warn, line, warnings) -> str:
        text = _text(value)
        if not text:
            return ""
        numbers = [part for part in re.split(r"\s*(?:\||/|;| ou |,)\s*", text) if part.strip()]
        first = numbers[0]
        compact = re.sub(r"[\s.\-()]", "", first).replace("+33(0)", "+33")
        if compact.startswith("0033"):
            compact = "+" + compact[2:]
        if compact.startswith("+0"):
            compact = compact[1:]
        compact = COUNTRY_CODE_WITH_ZERO.sub(r"+\1\2", compact)
        if re.fullmatch(r"[1-9]\d{8}", compact):
            warnings.append(Issue(line, "telephone", text, "zéro initial restitué"))
            compact = "0" + compact
        if re.fullmatch(r"0\d{9}", compact):
            prefix = OVERSEAS_PREFIXES.get(compact[:4], "+33")
            compact = prefix + compact[1:]
        if compact != text:
            if std.TELEPHONE.fullmatch(compact):
                warn("telephone", text, f"numéro mis au format international : {compact}")
            if len(numbers) > 1:
                warnings.append(Issue(line, "telephone", text, "plusieurs numéros : seul le premier est gardé"))
        if not std.TELEPHONE.fullmatch(compact):
            error("telephone", text, "numéro de téléphone invalide (format attendu : +33XXXXXXXXX)")
        return compact

    @staticmethod
    def _hours(value, warn) -> str:
        text = SPACES.sub(" ", _text(value)) if "\n" not in _text(value) else _text(value)
        if not text or hours.is_valid(text):
            return text
        converted = tidy_osm(text) or french_to_osm(text)
        if converted:
            warn("horaires", text, f"horaires convertis au format OpenStreetMap : {converted}")
            return converted
        warn("horaires", text, "horaires hors du format OpenStreetMap : conservés tels quels, non évaluables")
        return text

    def _date(self, value, error, warn) -> str:
        text = _text(value)
        if not text:
            if self.lenient:
                warn("date_maj", "", "date de mise à jour absente : date inconnue (1970-01-01)")
                return EPOCH
            error("date_maj", "", "la date de mise à jour est obligatoire (AAAA-MM-JJ)")
            return ""
        if std.DATE.fullmatch(text):
            try:
                dt.date.fromisoformat(text)
            except ValueError:
                error("date_maj", text, "date impossible")
                return ""
            if text in std.PLACEHOLDER_DATES:
                warn("date_maj", text, "date de remplacement : date de mise à jour inconnue")
            return text
        cut = text.split(".")[0].split("+")[0].strip()
        if cut.isdigit() and len(cut) == 10:
            parsed = dt.datetime.fromtimestamp(int(cut), tz=dt.UTC).date()
            warn("date_maj", text, f"horodatage converti en date : {parsed.isoformat()}")
            return parsed.isoformat()
        for pattern in DATE_FORMATS:
            try:
                parsed = dt.datetime.strptime(cut, pattern).date()  # noqa: DTZ007 (a calendar date)
            except ValueError:
                continue
            warn("date_maj", text, f"date convertie au format AAAA-MM-JJ : {parsed.isoformat()}")
            return parsed.isoformat()
        error("date_maj", text, "date illisible (format attendu : AAAA-MM-JJ)")
        return ""

    @staticmethod
    def _presentation(values, error, warn) -> None:
        resume = values["presentation_resume"]
        if len(resume) > 280:
            if not values["presentation_detail"]:
                values["presentation_detail"] = resume
                values["presentation_resume"] = resume[:277].rsplit(" ", 1)[0] + "…"
                warn(
                    "presentation_resume",
                    resume[:60] + "…",
                    "plus de 280 caractères : texte complet déplacé dans la présentation détaillée, résumé raccourci",
                )
            else:
                error("presentation_resume", resume[:60] + "…", "la présentation courte dépasse 280 caractères")

    @staticmethod
    def _vocabulary(name, items, error, warn) -> list[str]:
        vocabulary = VOCABULARIES[name]
        result = []
        for item in items:
            value, repaired = vocabulary.match(item)
            if value is None:
                error(name, item, f"valeur hors du vocabulaire du standard pour {std.FIELDS_BY_NAME[name].label}")
                continue
            if repaired:
                warn(name, item, f"valeur corrigée : « {value} »")
            if value not in result:
                result.append(value)
        return result

    @staticmethod
    def _coupling(values, warn) -> None:
        """§5.5: a place without any service does not receive the public; with services, it does."""
        if not values["services"]:
            warn(
                "services", "", "aucun service : le lieu est considéré comme n'accueillant pas de public (non publié)"
            )
        elif std.NO_PUBLIC in values["modalites_acces"]:
            values["modalites_acces"] = [item for item in values["modalites_acces"] if item != std.NO_PUBLIC]
            warn("modalites_acces", std.NO_PUBLIC, "retiré : le lieu propose des services au public")
