"""Recognising which kind of file this is, and turning each record into the standard's fields.

Variants, as lieux-standard.md and shared/data/lieux describe them:
- `standard-v1`: the standard v1.0.x (legacy v0.1 columns left next to v1 ones are used as a fallback);
- `standard-v0.1`: the former standard, hand-made files close to it (Le Havre, Aix-en-Provence) and the
  2022 Conseiller numérique lists (v0.1 names, comma-joined services) — converted with §9's mapping;
- `data-inclusion`: data·inclusion extractions (slugs, siret/rna);
- `correspondance`: a raw export described by an ANCT mapping configuration (`*.config.json`).
Each conversion returns the standard's fields (strings or lists) and the columns it did not use.
"""

import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import fuzz, process

from maillage.places import standard as std
from maillage.places.importing import legacy
from maillage.places.importing.files import NotPlaceData
from maillage.places.importing.hours_text import half_days_to_osm

V1_MARKERS = frozenset(
    {
        "courriels",
        "frais_a_charge",
        "dispositif_programmes_nationaux",
        "modalites_acces",
        "publics_specifiquement_adresses",
        "fiche_acces_libre",
        "autres_formations_labels",
    }
)
V01_MARKERS = frozenset(
    {
        "courriel",
        "conditions_acces",
        "conditions_access",
        "labels_nationaux",
        "publics_accueillis",
        "public_accueillis",
        "labels_autres",
        "accessibilite",
        "cle_ban",
    }
)
DATA_INCLUSION_MARKERS = frozenset({"_di_surrogate_id", "thematiques", "antenne", "lien_source"})
# Misspelt or differently cased column names seen in real files.
COLUMN_ALIASES = {
    "conditions_access": "conditions_acces",
    "public_accueillis": "publics_accueillis",
    "courriels_": "courriels",
}


@dataclass
class Converted:
    fields: dict  # standard field name → raw value (str, number, list) or absent
    extra: dict = field(default_factory=dict)  # columns outside the standard, kept as they were
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (field, value, reason) warnings
    lenient: bool = False  # converted from a non-standard export: missing pivot/date get placeholders


@functools.lru_cache(maxsize=4096)
def _column_name(key) -> tuple[str, str]:
    name = str(key).strip()
    return COLUMN_ALIASES.get(name.lower(), name.lower()), name


def _columns(values: dict) -> dict:
    """Keys lower-cased, aliases resolved; remembers the original spelling when it differs."""
    result = {}
    for key, value in values.items():
        lowered, name = _column_name(key)
        result[lowered] = (name, value)
    return result


def standard_split(keys: tuple) -> tuple | None:
    """(standard columns, other columns) when `Variant.convert` would only split the row between
    `fields` and `extra` (no renamed column, no v0.1 fallback, no cells beyond the header); else None."""
    standard, extra = [], []
    for key in keys:
        lowered, name = _column_name(key)
        if name != key or lowered in ("__colonnes_en_trop__", "labels_nationaux", "publics_accueillis"):
            return None
        if lowered in std.FIELDS_BY_NAME:
            if lowered != key:
                return None
            standard.append(key)
        else:
            extra.append(key)
    if len({_column_name(key)[0] for key in keys}) != len(keys):
        return None
    return tuple(standard), tuple(extra)


LEGACY_SEPARATORS = re.compile(r"\s*(?:;|\n|\||\s/|/\s)\s*")


def _split_legacy(value, comma: bool = False) -> list[str]:
    """Items of a v0.1 list: `;` (standard), and what hand-made files use: ` / `, line breaks, `|`
    (and `, ` in the 2022 Conseiller numérique lists)."""
    if value is None:
        return []
    if isinstance(value, list):
        return [str(item).strip() for item in value if str(item).strip()]
    text = str(value).replace("’", "'")
    items = LEGACY_SEPARATORS.split(text)
    if comma:
        items = [part for item in items for part in item.split(", ")]
    return [item.strip(" .") for item in items if item.strip(" .")]


class Variant:
    name = "standard-v1"
    label = "standard v1.0.x"

    def convert(self, values: dict) -> Converted:
        columns = _columns(values)
        converted = Converted({})
        for key, (original, value) in columns.items():
            if key in std.FIELDS_BY_NAME:
                converted.fields[key] = value
                if original != key:
                    converted.notes.append((key, original, f"colonne « {original} » lue comme « {key} »"))
            elif key not in ("__colonnes_en_trop__",):
                converted.extra[original] = value
            else:
                converted.notes.append(("", str(value), "valeurs au-delà de la dernière colonne, conservées"))
                converted.extra[original] = value
        self._legacy_fallback(columns, converted)
        return converted

    def convert_all(self, rows: list[dict]) -> list[Converted]:
        """`convert` of every row. For the standard itself, rows whose columns are spelt as the
        standard (and columns outside it, kept in `extra`) are split once per set of columns."""
        if type(self) is not Variant:
            return [self.convert(values) for values in rows]
        plans: dict[tuple, tuple | None] = {}
        converted = []
        for values in rows:
            keys = tuple(values)
            plan = plans.get(keys, False)
            if plan is False:
                plan = plans[keys] = standard_split(keys)
            if plan is None:
                converted.append(self.convert(values))
            elif not plan[1]:  # only standard columns: the row is its own fields
                converted.append(Converted(values))
            else:
                standard, extra = plan
                converted.append(
                    Converted({key: values[key] for key in standard}, {key: values[key] for key in extra})
                )
        return converted

    def _legacy_fallback(self, columns, converted: Converted) -> None:
        """v1 files converted from v0.1 sometimes keep the old columns: use them where v1 is empty."""
        labels = columns.get("labels_nationaux")
        if labels and not converted.fields.get("dispositif_programmes_nationaux"):
            mapped = _map_legacy(labels[1], legacy.LABELS, "labels_nationaux", converted)
            for target, values in mapped.items():
                if values and not converted.fields.get(target):
                    converted.fields[target] = values
                    converted.notes.append(
                        (
                            target,
                            "|".join(values),
                            "repris de la colonne v0.1 labels_nationaux laissée dans le fichier",
                        )
                    )
        publics = columns.get("publics_accueillis")
        if publics and not (
            converted.fields.get("publics_specifiquement_adresses")
            or converted.fields.get("prise_en_charge_specifique")
        ):
            mapped = _map_legacy(publics[1], legacy.PUBLICS, "publics_accueillis", converted)
            for target, values in mapped.items():
                if values:
                    converted.fields[target] = values
                    converted.notes.append(
                        (
                            target,
                            "|".join(values),
                            "repris de la colonne v0.1 publics_accueillis laissée dans le fichier",
                        )
                    )


def _map_piece(piece: str, table: dict):
    """The table entry for one legacy item: exact, else nearly spelt (score ≥ 88), else None.
    Returns (entry, corrected)."""
    key = legacy.label_key(piece)
    if key in table:
        return table[key], False
    best = process.extractOne(key, list(table), scorer=fuzz.ratio, score_cutoff=88)
    return (table[best[0]], True) if best else (None, False)


def _map_legacy(value, table: dict, column: str, converted: Converted, default_field: str | None = None) -> dict:
    """Map each legacy item with `table` (key → (field, value) or value). Unknown items are kept in `extra`."""
    mapped: dict[str, list[str]] = {}
    unknown = []

    def add(entry):
        if entry is None:
            return
        target_field, target_value = entry if isinstance(entry, tuple) else (default_field, entry)
        bucket = mapped.setdefault(target_field, [])
        if target_value not in bucket:
            bucket.append(target_value)

    for item in _split_legacy(value, comma=column == "services"):
        if legacy.label_key(item) in legacy.IGNORED_SERVICES:
            continue
        entry, corrected = _map_piece(item, table)
        if entry is None and "/" in item and legacy.label_key(item) not in table:
            parts = [part.strip() for part in item.split("/") if part.strip()]
            matches = [_map_piece(part, table) for part in parts]
            if parts and all(
                match[0] is not None or legacy.label_key(part) in table
                for match, part in zip(matches, parts, strict=True)
            ):
                for match in matches:
                    add(match[0])
                converted.notes.append((column, item, "« / » lu comme séparateur de valeurs"))
                continue
        if entry is None and item.strip() and legacy.label_key(item) not in table:
            unknown.append(item)
            continue
        if corrected:
            shown = entry[1] if isinstance(entry, tuple) else entry
            converted.notes.append((column, item, f"valeur rapprochée de « {shown} »"))
        add(entry)
    if unknown:
        converted.extra.setdefault(f"{column} (non repris)", []).extend(unknown)
        converted.notes.append(
            (column, " ; ".join(unknown), "valeur(s) sans équivalent dans le standard v1, conservée(s)")
        )
    return mapped


class LegacyVariant(Variant):
    name = "standard-v0.1"
    label = "ancien standard v0.1 (conversion vers v1.0 selon le §9)"

    RENAMED = {
        "courriel": "courriels",
        "labels_autres": "autres_formations_labels",
        "accessibilite": "fiche_acces_libre",
    }
    MAPPED = {
        "services": (legacy.SERVICES, "services"),
        "conditions_acces": (legacy.FRAIS, "frais_a_charge"),
        "modalites_accompagnement": (legacy.MODALITES, "modalites_accompagnement"),
        "publics_accueillis": (legacy.PUBLICS, None),
        "labels_nationaux": (legacy.LABELS, None),
    }

    def convert(self, values: dict) -> Converted:
        columns = _columns(values)
        converted = Converted({})
        for key, (original, value) in columns.items():
            if key in self.MAPPED:
                table, default_field = self.MAPPED[key]
                for target, items in _map_legacy(value, table, key, converted, default_field).items():
                    converted.fields.setdefault(target, [])
                    converted.fields[target] += [item for item in items if item not in converted.fields[target]]
            elif key in self.RENAMED:
                converted.fields[self.RENAMED[key]] = _split_legacy(value) if key != "accessibilite" else value
            elif key in std.FIELDS_BY_NAME:
                converted.fields[key] = value
                if original != key:
                    converted.notes.append((key, original, f"colonne « {original} » lue comme « {key} »"))
            else:
                converted.extra[original] = value
        if isinstance(converted.fields.get("typologie"), str) and ";" in converted.fields["typologie"]:
            converted.fields["typologie"] = _split_legacy(converted.fields["typologie"])
        return converted


class PreStandardVariant(LegacyVariant):
    """The 2022 Conseiller numérique lists: v0.1 names, comma-joined services, no pivot required yet."""

    name = "pre-standard"
    label = "liste Conseiller numérique 2022 (avant le standard, convertie vers v1.0)"

    def convert(self, values: dict) -> Converted:
        converted = super().convert(values)
        converted.lenient = True
        return converted


class DataInclusionVariant(LegacyVariant):
    name = "data-inclusion"
    label = "extraction data·inclusion (slugs convertis vers le standard v1.0)"

    def convert(self, values: dict) -> Converted:
        values = dict(values)
        siret, rna = values.pop("siret", None), values.pop("rna", None)
        values["pivot"] = siret or rna or ""
        if values.get("horaires_ouverture") and not values.get("horaires"):
            values["horaires"] = values.pop("horaires_ouverture")
        labels = values.pop("labels_nat", None)
        if not values.get("labels_nationaux") and labels:
            values["labels_nationaux"] = labels
        converted = super().convert(values)
        converted.lenient = True
        return converted


@dataclass
class MappingVariant(Variant):
    """A raw export and its ANCT mapping configuration (the `mednum-cli transformer` format).

    For each standard field the configuration gives a column (`colonne`), or rules
    (`colonnes` + `termes` [+ `sauf`] → `cible`: the value is added when one of the columns contains
    one of the terms, compared in lower case; a rule without columns always applies), or, for
    `horaires`, a free-text column (`semaine`) or half-day columns per day (`jours`).
    """

    config: dict = field(default_factory=dict)
    config_name: str = ""
    name = "correspondance"

    @property
    def label(self) -> str:
        return f"export brut converti avec la correspondance {self.config_name}"

    def convert(self, values: dict) -> Converted:
        converted = Converted({}, lenient=True)
        used = set()
        for target, spec in self.config.items():
            if target not in std.FIELDS_BY_NAME:
                continue
            if target == "horaires":
                converted.fields[target] = self._hours(spec, values, used, converted)
            elif isinstance(spec, dict):
                column = spec.get("colonne") or ""
                used.add(column)
                converted.fields[target] = values.get(column, "") if column else spec.get("valeur", "")
            elif isinstance(spec, list):
                converted.fields[target] = self._rules(spec, values, used)
        converted.extra = {key: value for key, value in values.items() if key not in used}
        return converted

    @staticmethod
    def _rules(rules: list, values: dict, used: set) -> list[str]:
        found = []
        for rule in rules:
            columns = rule.get("colonnes")
            if columns is None:
                matched = True
            else:
                used.update(columns)
                matched = False
                for column in columns:
                    text = str(values.get(column) or "").lower()
                    terms = rule.get("termes")
                    if terms is None:
                        hit = text != ""
                    else:
                        hit = any(term.lower() in text for term in terms)
                    if hit and not any(forbidden in text for forbidden in rule.get("sauf", [])):
                        matched = True
                        break
            if matched and rule.get("cible") and rule["cible"] not in found:
                found.append(rule["cible"])
        return found

    @staticmethod
    def _hours(spec, values: dict, used: set, converted: Converted) -> str:
        if isinstance(spec, dict) and spec.get("semaine"):
            used.add(spec["semaine"])
            return str(values.get(spec["semaine"]) or "")
        if isinstance(spec, dict) and spec.get("jours"):
            days = []
            for day in spec["jours"]:
                columns = day["colonne"] if isinstance(day["colonne"], list) else [day["colonne"]]
                used.update(columns)
                days.append((day["osm"], [str(values.get(column) or "") for column in columns]))
            expression = half_days_to_osm(days)
            raw = " ; ".join(f"{d} {' '.join(c for c in cells if c)}" for d, cells in days if any(cells))
            if expression is None and raw:
                converted.notes.append(("horaires", raw, "horaires par demi-journée non convertibles, conservés"))
                converted.extra["horaires (demi-journées)"] = raw
            return expression or ""
        if isinstance(spec, dict) and spec.get("colonne"):
            used.add(spec["colonne"])
            return str(values.get(spec["colonne"]) or "")
        return ""


def load_mapping(path: Path) -> MappingVariant:
    config = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(config, dict) or not any(key in std.FIELDS_BY_NAME for key in config):
        raise ValueError(f"{Path(path).name} n'est pas une configuration de correspondance de colonnes.")
    return MappingVariant(config=config, config_name=Path(path).name)


def sibling_mapping(path: Path) -> Path | None:
    """A mapping configuration shipped next to a raw export (exactly one `*.config.json`)."""
    candidates = sorted(Path(path).parent.glob("*.config.json"))
    return candidates[0] if len(candidates) == 1 else None


def detect(columns: list[str], mapping: MappingVariant | None = None) -> Variant:
    names = {COLUMN_ALIASES.get(column.strip().lower(), column.strip().lower()) for column in columns}
    standard_names = names & set(std.FIELD_NAMES)
    if mapping is not None and len(standard_names) < 4:
        return mapping
    if names & DATA_INCLUSION_MARKERS:
        return DataInclusionVariant()
    if "conditions_access" in {column.strip().lower() for column in columns}:
        return PreStandardVariant()
    if names & V1_MARKERS:
        return Variant()
    if names & V01_MARKERS:
        return LegacyVariant()
    if mapping is not None:
        return mapping
    if len(standard_names & {"nom", "adresse", "code_postal", "commune", "id", "pivot"}) < 3:
        raise NotPlaceData(
            "Aucune colonne du standard des lieux (nom, adresse, code_postal, commune…) : ce fichier n'est pas une "
            "liste de lieux. Pour un export brut, fournissez une correspondance de colonnes (--mapping)."
        )
    return Variant()
