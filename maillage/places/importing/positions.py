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
    """`rows`: (code_insee, code_postal, commune, latitude, longitude) per row."""
    rows = list(rows)
    located: list[Location | None] = [None] * len(rows)
    memo: dict[tuple, Location] = {}
    communes: dict[tuple, tuple] = {}
    inside_candidates: dict[str, list[int]] = {}
    for index, row in enumerate(rows):
        code_insee, code_postal, name, latitude, longitude = row
        if latitude is None or longitude is None:
            location = memo.get(row)
            if location is None:
                location = memo[row] = resolver.locate(*row)
            located[index] = location
            continue
        key = (code_insee, code_postal, name)
        commune = communes.get(key)
        if commune is None:
            notes: list = []
            commune = communes[key] = (resolver.commune(code_insee, code_postal, name, notes), tuple(notes))
        if commune[0] is None:
            located[index] = resolver.locate(*row)
        else:
            inside_candidates.setdefault(commune[0], []).append(index)
    # The outlines of the communes that rows with coordinates fall in, loaded at once.
    resolver.prefetch((code, "") for code in inside_candidates)
    for code, indexes in inside_candidates.items():
        shape = resolver.shape(code)
        if shape is None:
            inside = np.ones(len(indexes), dtype=bool)
        else:
            inside = shapely.contains_xy(
                shape, np.array([rows[i][4] for i in indexes]), np.array([rows[i][3] for i in indexes])
            )
        for index, is_inside in zip(indexes, inside, strict=True):
            row = rows[index]
            if is_inside:
                notes = communes[row[:3]][1]
                located[index] = Location(code, row[3], row[4], PositionOrigin.GIVEN, list(notes))
            else:
                located[index] = resolver.locate(*row)
    return located
