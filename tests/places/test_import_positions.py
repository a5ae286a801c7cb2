"""Locating rows by commune group (one vectorised outline test per commune) gives the same result as
`CommuneResolver.locate` row by row."""

from dataclasses import astuple

from maillage.places.geo import CommuneResolver
from maillage.places.importing.positions import locate_rows

ROWS = [
    ("28088", "28200", "Châteaudun", 48.0707, 1.3379),  # inside
    ("28088", "28200", "Châteaudun", 48.0707, 1.3379),  # the same again
    ("28088", "28200", "Châteaudun", 1.3379, 48.0707),  # swapped
    ("28088", "28200", "Châteaudun", 48.08, 1.25),  # near, maybe outside the simplified outline
    ("28088", "28200", "Châteaudun", 45.0, 5.0),  # far: the commune's centre
    ("28088", "28200", "Châteaudun", None, None),  # missing: the centre
    ("28088", "28200", "Châteaudun", 48.07, None),  # half missing
    ("", "28200", "Châteaudun", 48.0707, 1.3379),  # found by postal code and name
    ("99999", "00000", "Nulle part", 48.0707, 1.3379),  # unknown commune: position kept as given
    ("99999", "00000", "Nulle part", None, None),
    ("28085", "28000", "Chartres", 48.4469, 1.4892),
    ("28085", "28000", "Chartres", 48.0707, 1.3379),  # in another commune
]


def test_same_locations_as_row_by_row():
    resolver = CommuneResolver()
    expected = [astuple(resolver.locate(*row)) for row in ROWS]
    found = [astuple(location) for location in locate_rows(CommuneResolver(), ROWS)]
    assert found == expected
    origins = {location[3] for location in expected}
    assert {"given", "commune"} <= origins  # the rows exercise both outcomes
