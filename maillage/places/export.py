"""Exporting places in the standard (v1.0.x): CSV and flat JSON, written like the national exports.

CSV: the 32 columns in the standard's order; header names and every non-empty value in double
quotes, empty values as nothing; `|` between the items of a list; line breaks removed from text;
double quotes removed from name, address and hours, replaced by ＂ in descriptions and lists.
JSON: an array of objects, absent values omitted, coordinates as numbers, lists as `|` strings.
The output is deterministic (places sorted by id), so that exporting, re-importing and exporting
again gives the same bytes.
"""

import io
import json
import re

from maillage.places import standard as std
from maillage.places.models import STANDARD_TO_MODEL, Place
from maillage.territories.territory import TerritoryRef

QUOTES_REMOVED = frozenset({"nom", "adresse", "complement_adresse", "horaires"})
QUOTES_REPLACED = frozenset({"presentation_resume", "presentation_detail", "services", "autres_formations_labels"})
COLLAPSED = frozenset({"adresse", "complement_adresse"})
SPACES = re.compile(r"\s+")


def _text(name: str, value) -> str:
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        value = std.LIST_SEPARATOR.join(value)
    elif isinstance(value, float):
        value = repr(value)
    else:
        value = str(value)
    value = value.replace("\r", " ").replace("\n", " ")
    if name in QUOTES_REMOVED:
        value = value.replace('"', "")
    elif name in QUOTES_REPLACED:
        value = value.replace('"', "＂")
    if name in COLLAPSED:
        value = SPACES.sub(" ", value).strip()
    return value


def export_rows(places, only_ids: set[int] | None = None) -> list[dict]:
    """Standard records (field → text) for `places` (those of `only_ids` among them, when given: a
    selection of any size, without one SQL parameter per place); ids carry their dataset when
    several are mixed."""
    model_fields = [STANDARD_TO_MODEL.get(name, name) for name in std.FIELD_NAMES]
    rows = [
        row[1:] for row in places.values_list("pk", "dataset", *model_fields) if only_ids is None or row[0] in only_ids
    ]
    several = len({row[0] for row in rows}) > 1
    records = []
    for dataset, *values in rows:
        record = {name: _text(name, value) for name, value in zip(std.FIELD_NAMES, values, strict=True)}
        if several:
            record["id"] = re.sub(r"\s+", "-", f"{dataset}_{record['id']}")
        record["date_maj"] = values[std.FIELD_NAMES.index("date_maj")].isoformat()
        records.append(record)
    records.sort(key=lambda record: record["id"])
    return records


def to_csv(records: list[dict]) -> bytes:
    out = io.StringIO(newline="")
    out.write(",".join(f'"{name}"' for name in std.FIELD_NAMES) + "\n")
    for record in records:
        cells = []
        for name in std.FIELD_NAMES:
            value = record[name]
            cells.append('"' + value.replace('"', '""') + '"' if value else "")
        out.write(",".join(cells) + "\n")
    return out.getvalue().encode("utf-8")


def to_json(records: list[dict]) -> bytes:
    items = []
    for record in records:
        item = {}
        for name in std.FIELD_NAMES:
            value = record[name]
            if not value:
                continue
            item[name] = float(value) if name in ("latitude", "longitude") else value
        items.append(item)
    return (json.dumps(items, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def places_for_export(*, territory: str | None = None, dataset: str | None = None, published_only: bool = False):
    places = Place.objects.published() if published_only else Place.objects.active()
    if territory:
        places = places.in_territory(TerritoryRef.parse(territory))
    if dataset:
        places = places.filter(dataset=dataset)
    return places


def export_places(
    *,
    fmt: str,
    territory: str | None = None,
    dataset: str | None = None,
    published_only=False,
    places=None,
    only_ids: set[int] | None = None,
) -> bytes:
    if fmt not in ("csv", "json"):
        raise ValueError("Format d'export inconnu : csv ou json.")
    if places is None:
        places = places_for_export(territory=territory, dataset=dataset, published_only=published_only)
    records = export_rows(places, only_ids)
    return to_csv(records) if fmt == "csv" else to_json(records)
