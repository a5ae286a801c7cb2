"""Locating many rows at once, with the same result as `CommuneResolver.locate` row by row.

Rows without coordinates are located once per distinct (code INSEE, postal code, commune, latitude,
longitude). Rows with coordinates are grouped by commune and tested against its outline in one
vectorised `shapely.contains_xy` call; those outside it (swapped, or within the tolerance, or far)
go through `locate`, which decides.
"""

from collections.abc import Iterable

import numpy as np
import shapely

from maillage.places.enums import PositionOrigin
from maillage.places.geo import CommuneResolver, Location


def locate_rows(resolver: CommuneResolver, rows: Iterable[tuple]) -> list[Location]:
    """`rows`: (code_insee, code_postal, commune, latitude, longitude) per row. Rows that are equal
    share their Location (never changed afterwards)."""
    rows = list(rows)
    located: dict[tuple, Location] = {}
    communes: dict[tuple, tuple] = {}
    inside_candidates: dict[str, list[tuple]] = {}
    for row in dict.fromkeys(rows):  # each distinct row once
        code_insee, code_postal, name, latitude, longitude = row
        if latitude is None or longitude is None:
            located[row] = resolver.locate(*row)
            continue
        key = (code_insee, code_postal, name)
        commune = communes.get(key)
        if commune is None:
            notes: list = []
            commune = communes[key] = (resolver.commune(code_insee, code_postal, name, notes), tuple(notes))
        if commune[0] is None:
            located[row] = resolver.locate(*row)
        else:
            inside_candidates.setdefault(commune[0], []).append(row)
    # The outlines of the communes that rows with coordinates fall in, loaded at once.
    resolver.prefetch((code, "") for code in inside_candidates)
    for code, candidates in inside_candidates.items():
        shape = resolver.shape(code)
        if shape is None:
            inside = np.ones(len(candidates), dtype=bool)
        else:
            inside = shapely.contains_xy(
                shape, np.array([row[4] for row in candidates]), np.array([row[3] for row in candidates])
            )
        for row, is_inside in zip(candidates, inside, strict=True):
            if is_inside:
                notes = communes[row[:3]][1]
                located[row] = Location(code, row[3], row[4], PositionOrigin.GIVEN, list(notes))
            else:
                located[row] = resolver.locate(*row)
    return list(map(located.__getitem__, rows))
