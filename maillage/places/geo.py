"""Where a place is: its commune in the reference, and a position checked against that commune.

No network geocoding. Given coordinates are kept when they fall inside the stated commune (or within
`TOLERANCE_KM` of its outline, since contours are simplified); swapped latitude/longitude are put
back in order; otherwise, and when coordinates are missing, the place gets the commune's centre and
the position is flagged as approximate.
"""

import math
from dataclasses import dataclass

import shapely

from maillage.places.enums import PositionOrigin
from maillage.territories.models import Commune, FormerCommune, PostalCode
from maillage.territories.normalize import normalize

TOLERANCE_KM = 1.5
KM_PER_DEGREE = 111.32


@dataclass
class Location:
    commune: str | None
    latitude: float | None
    longitude: float | None
    origin: str
    notes: list[tuple[str, str, str]]  # (field, value, reason) warnings


def _arrondissement(commune_code: str, postal: str) -> str | None:
    """Paris, Lyon, Marseille: the arrondissement that a postal code designates."""
    if commune_code == "75056" and postal.startswith("750") and postal[3:] != "00":
        return "751" + ("16" if postal == "75116" else postal[3:])
    if commune_code == "69123" and postal.startswith("6900"):
        return "6938" + postal[4]
    if commune_code == "13055" and postal.startswith("130"):
        return "132" + postal[3:]
    return None


_REFERENCE: dict = {}


def _reference() -> tuple[dict, dict, dict]:
    """Communes, postal codes and former codes, read once per process and read again when the
    reference changes (its sizes are checked at each import: three counts)."""
    version = (
        Commune.objects.filter(is_current=True).count(),
        PostalCode.objects.count(),
        FormerCommune.objects.count(),
    )
    if _REFERENCE.get("version") != version:
        communes = {
            code: (search_name, latitude, longitude)
            for code, search_name, latitude, longitude in Commune.objects.filter(is_current=True).values_list(
                "code", "search_name", "latitude", "longitude"
            )
        }
        by_postal: dict[str, list[str]] = {}
        for postal, code in PostalCode.objects.values_list("code", "commune_id"):
            by_postal.setdefault(postal, []).append(code)
        former = {
            code: current
            for code, current in FormerCommune.objects.values_list("code", "commune_id")
            if code not in communes
        }
        _REFERENCE.update(version=version, data=(communes, by_postal, former))
    return _REFERENCE["data"]


class CommuneResolver:
    """The reference in memory for one import: codes, postal codes, former codes, names, shapes."""

    def __init__(self):
        self.communes, self.by_postal, self.former = _reference()
        self._shapes: dict[str, shapely.Geometry | None] = {}

    def prefetch(self, codes) -> None:
        """Load at once the outlines of the communes that rows name (by INSEE or postal code)."""
        wanted = set()
        for code_insee, code_postal in codes:
            if code_insee:
                wanted.add(self.former.get(code_insee, code_insee))
            wanted.update(self.by_postal.get(code_postal, ()))
        wanted = sorted(code for code in wanted if code not in self._shapes)
        for start in range(0, len(wanted), 2000):
            chunk = wanted[start : start + 2000]
            found = dict(Commune.objects.filter(code__in=chunk).values_list("code", "geometry"))
            for code in chunk:
                wkb = found.get(code)
                geometry = shapely.from_wkb(bytes(wkb)) if wkb else None
                if geometry is not None:
                    shapely.prepare(geometry)
                self._shapes[code] = geometry

    def shape(self, code: str):
        if code not in self._shapes:
            wkb = Commune.objects.filter(code=code).values_list("geometry", flat=True).first()
            geometry = shapely.from_wkb(bytes(wkb)) if wkb else None
            if geometry is not None:
                shapely.prepare(geometry)
            self._shapes[code] = geometry
        return self._shapes[code]

    def commune(self, code_insee: str, code_postal: str, name: str, notes: list) -> str | None:
        if code_insee:
            if code_insee in self.communes:
                return _arrondissement(code_insee, code_postal) or code_insee
            if code_insee in self.former:
                current = self.former[code_insee]
                notes.append(
                    ("code_insee", code_insee, f"ancien code de commune : rattaché à la commune actuelle {current}")
                )
                return current
            notes.append(
                ("code_insee", code_insee, "code INSEE inconnu du référentiel : commune cherchée par code postal")
            )
        candidates = self.by_postal.get(code_postal, [])
        wanted = normalize(name)
        if len(candidates) == 1:
            return _arrondissement(candidates[0], code_postal) or candidates[0]
        exact = [code for code in candidates if self.communes.get(code, ("",))[0] == wanted]
        if len(exact) == 1:
            return exact[0]
        starting = [code for code in candidates if wanted.startswith(self.communes.get(code, ("",))[0] or "\0")]
        if starting:
            best = max(starting, key=lambda code: len(self.communes[code][0]))
            return _arrondissement(best, code_postal) or best
        if candidates:
            notes.append(("commune", name, f"commune non identifiée parmi celles du code postal {code_postal}"))
        else:
            notes.append(("code_postal", code_postal, "code postal inconnu du référentiel : commune non identifiée"))
        return None

    def locate(self, code_insee: str, code_postal: str, name: str, latitude, longitude) -> Location:
        notes: list = []
        code = self.commune(code_insee, code_postal, name, notes)
        if code is None:
            origin = PositionOrigin.GIVEN if latitude is not None and longitude is not None else PositionOrigin.NONE
            return Location(None, latitude, longitude, origin, notes)
        _, centre_lat, centre_lon = self.communes[code]
        if latitude is not None and longitude is not None:
            shape = self.shape(code)
            if shape is None or self._near(shape, longitude, latitude):
                return Location(code, latitude, longitude, PositionOrigin.GIVEN, notes)
            if self._near(shape, latitude, longitude):
                notes.append(
                    ("latitude", f"{latitude}, {longitude}", "latitude et longitude inversées : remises dans l'ordre")
                )
                return Location(code, longitude, latitude, PositionOrigin.GIVEN, notes)
            distance = self._distance_km(shape, longitude, latitude)
            notes.append(
                (
                    "latitude",
                    f"{latitude}, {longitude}",
                    f"coordonnées à {distance:.0f} km de la commune indiquée : "
                    "position approximative (centre de la commune)",
                )
            )
        elif centre_lat is not None:
            notes.append(("latitude", "", "coordonnées absentes : position approximative (centre de la commune)"))
        if centre_lat is None:
            return Location(code, None, None, PositionOrigin.NONE, notes)
        return Location(code, centre_lat, centre_lon, PositionOrigin.COMMUNE, notes)

    @staticmethod
    def _distance_km(shape, x, y) -> float:
        degrees = shapely.distance(shape, shapely.Point(x, y))
        return degrees * KM_PER_DEGREE * max(math.cos(math.radians(y)), 0.3)

    def _near(self, shape, x, y) -> bool:
        return bool(shapely.contains_xy(shape, x, y)) or self._distance_km(shape, x, y) <= TOLERANCE_KM
