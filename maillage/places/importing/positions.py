"""Locating many rows at once, with the same result as `CommuneResolver.locate` row by row.

Rows without coordinates are located once per distinct (code INSEE, postal code, commune, latitude,
longitude). Rows with coordinates are tested against their commune's outline in one vectorised
`shapely.contains_xy` call (one outline per point); those outside it (swapped, or within the
tolerance, or far) go through `locate`, which decides.
"""

from collections.abc import Iterable

import numpy as np
import shapely

from maillage.places.enums import PositionOrigin
from maillage.places.geo import CommuneResolver, Location


class Locator:
    """Locates rows against one resolver. `prefetch(rows)` loads the outlines their coordinates are
    tested against (the only database reads); `locate(rows)` afterwards reads nothing, so that it
    can run while a COPY holds the connection."""

    def __init__(self, resolver: CommuneResolver):
        self.resolver = resolver
        self._communes: dict[tuple, tuple] = {}  # (code_insee, code_postal, name) → (commune, notes)
        self._located: dict[tuple, Location] = {}  # rows without coordinates, from one call to the next

    def _commune(self, key: tuple) -> tuple:
        commune = self._communes.get(key)
        if commune is None:
            notes: list = []
            commune = self._communes[key] = (self.resolver.commune(*key, notes), tuple(notes))
        return commune

    def prefetch(self, rows: Iterable[tuple]) -> None:
        """Load the outlines of the communes of the rows that have coordinates."""
        codes = {self._commune(row[:3])[0] for row in dict.fromkeys(rows) if row[3] is not None and row[4] is not None}
        codes.discard(None)
        self.resolver.prefetch((code, "") for code in codes)

    def locate(self, rows: Iterable[tuple]) -> list[Location]:
        """`rows`: (code_insee, code_postal, commune, latitude, longitude) per row. Rows that are equal
        share their Location (never changed afterwards)."""
        rows = list(rows)
        resolver = self.resolver
        located: dict[tuple, Location] = {}
        inside_candidates: dict[str, list[tuple]] = {}
        for row in dict.fromkeys(rows):  # each distinct row once
            if row[3] is None or row[4] is None:
                location = self._located.get(row)
                if location is None:
                    location = self._located[row] = resolver.locate(*row)
                located[row] = location
                continue
            code = self._commune(row[:3])[0]
            if code is None:
                located[row] = resolver.locate(*row)
            else:
                inside_candidates.setdefault(code, []).append(row)
        resolver.prefetch((code, "") for code in inside_candidates)  # nothing to load once prefetched
        candidates = [(code, row) for code, group in inside_candidates.items() for row in group]
        shapes = [resolver.shape(code) for code, _ in candidates]
        known = [index for index, shape in enumerate(shapes) if shape is not None]
        inside = np.ones(len(candidates), dtype=bool)  # no outline: the coordinates are kept
        if known:  # every point against its own commune's outline, in one vectorised call
            inside[known] = shapely.contains_xy(
                np.array([shapes[i] for i in known], dtype=object),
                np.array([candidates[i][1][4] for i in known]),
                np.array([candidates[i][1][3] for i in known]),
            )
        for (code, row), is_inside in zip(candidates, inside.tolist(), strict=True):
            if is_inside:
                notes = self._communes[row[:3]][1]
                located[row] = Location(code, row[3], row[4], PositionOrigin.GIVEN, list(notes))
            else:
                located[row] = resolver.locate(*row)
        return list(map(located.__getitem__, rows))


def locate_rows(resolver: CommuneResolver, rows: Iterable[tuple]) -> list[Location]:
    """`rows`: (code_insee, code_postal, commune, latitude, longitude) per row."""
    return Locator(resolver).locate(rows)
