"""Coverage of the mesh: distance from each commune to the nearest place, what is reachable, white zones.

Positions are turned into 3-D points on the Earth's sphere (x, y, z in km): a KD-tree on them finds
nearest neighbours by chord length, which orders exactly like great-circle distance and converts
back to it exactly — no projection error anywhere in France, overseas included.
"""

from dataclasses import dataclass, field

import numpy as np
from scipy.spatial import cKDTree

EARTH_RADIUS_KM = 6371.0088


def to_xyz(latitude: np.ndarray, longitude: np.ndarray) -> np.ndarray:
    lat = np.radians(np.asarray(latitude, dtype=float))
    lon = np.radians(np.asarray(longitude, dtype=float))
    cos_lat = np.cos(lat)
    return EARTH_RADIUS_KM * np.column_stack([cos_lat * np.cos(lon), cos_lat * np.sin(lon), np.sin(lat)])


def chord_to_km(chord: np.ndarray) -> np.ndarray:
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(chord / (2 * EARTH_RADIUS_KM), 0, 1))


def km_to_chord(km: float) -> float:
    return 2 * EARTH_RADIUS_KM * np.sin(km / (2 * EARTH_RADIUS_KM))


@dataclass
class PlaceSet:
    """Places as arrays; `categories` maps a label (service, dispositif) to a boolean mask."""

    latitude: np.ndarray
    longitude: np.ndarray
    weekly_hours: np.ndarray  # NaN when unknown
    categories: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self):
        return len(self.latitude)


@dataclass
class CommuneSet:
    codes: list[str]
    names: list[str]
    latitude: np.ndarray
    longitude: np.ndarray
    population: np.ndarray
    epci: list[str] = field(default_factory=list)
    fragile: np.ndarray | None = None  # bool per commune (score ≥ threshold), None without an index run
    score: np.ndarray | None = None


@dataclass
class Coverage:
    communes: CommuneSet
    distance_km: float
    nearest_km: np.ndarray  # inf when there is no place at all
    places_within: np.ndarray
    hours_within: np.ndarray  # known weekly hours of the places within reach
    unknown_hours_within: np.ndarray  # places within reach whose hours are unknown
    nearest_by_category: dict[str, np.ndarray]
    places_total: int

    @property
    def covered(self) -> np.ndarray:
        return self.nearest_km <= self.distance_km

    def population_beyond(self) -> float:
        return float(self.communes.population[~self.covered].sum())

    def fragile_population_beyond(self) -> float | None:
        if self.communes.fragile is None:
            return None
        return float(self.communes.population[~self.covered & self.communes.fragile].sum())

    def white_zones(self, limit: int | None = None) -> list[dict]:
        """Communes beyond reach, most fragile population uncovered first (then population)."""
        beyond = np.flatnonzero(~self.covered)
        fragile = self.communes.fragile
        fragile_population = (
            np.where(fragile, self.communes.population, 0.0) if fragile is not None else np.zeros(len(self.nearest_km))
        )
        order = sorted(
            beyond, key=lambda i: (-fragile_population[i], -self.communes.population[i], self.communes.codes[i])
        )
        rows = []
        for i in order[:limit] if limit else order:
            rows.append(
                {
                    "code": self.communes.codes[i],
                    "nom": self.communes.names[i],
                    "population": int(self.communes.population[i]),
                    "population_fragile": int(fragile_population[i]),
                    "score": None
                    if self.communes.score is None or np.isnan(self.communes.score[i])
                    else float(self.communes.score[i]),
                    "distance_km": None if np.isinf(self.nearest_km[i]) else round(float(self.nearest_km[i]), 1),
                }
            )
        return rows

    def rows(self) -> list[dict]:
        out = []
        for i, code in enumerate(self.communes.codes):
            row = {
                "code": code,
                "nom": self.communes.names[i],
                "population": int(self.communes.population[i]),
                "distance_km": None if np.isinf(self.nearest_km[i]) else round(float(self.nearest_km[i]), 2),
                "lieux_a_portee": int(self.places_within[i]),
                "heures_hebdo_a_portee": round(float(self.hours_within[i]), 1),
                "lieux_sans_horaires_a_portee": int(self.unknown_hours_within[i]),
                "couverte": bool(self.covered[i]),
                "fragile": None if self.communes.fragile is None else bool(self.communes.fragile[i]),
            }
            for label, distances in self.nearest_by_category.items():
                row[f"distance_km:{label}"] = None if np.isinf(distances[i]) else round(float(distances[i]), 2)
            out.append(row)
        return out


def nearest(tree: cKDTree | None, points: np.ndarray) -> np.ndarray:
    if tree is None or tree.n == 0:
        return np.full(len(points), np.inf)
    chord, _ = tree.query(points, k=1)
    return chord_to_km(chord)


def compute_coverage(communes: CommuneSet, places: PlaceSet, *, distance_km: float = 10.0) -> Coverage:
    """Nearest place (overall and per category), places and opening hours within `distance_km`."""
    points = to_xyz(communes.latitude, communes.longitude)
    place_points = to_xyz(places.latitude, places.longitude)
    tree = cKDTree(place_points) if len(places) else None
    nearest_km = nearest(tree, points)
    radius = km_to_chord(distance_km)
    if tree is not None:
        within = tree.query_ball_point(points, r=radius)
        counts = np.fromiter((len(ids) for ids in within), dtype=np.int64, count=len(within))
        hours = np.nan_to_num(places.weekly_hours, nan=0.0)
        unknown = np.isnan(places.weekly_hours)
        hours_within = np.fromiter(
            (hours[ids].sum() if ids else 0.0 for ids in within), dtype=float, count=len(within)
        )
        unknown_within = np.fromiter(
            (int(unknown[ids].sum()) if ids else 0 for ids in within), dtype=np.int64, count=len(within)
        )
    else:
        counts = np.zeros(len(points), dtype=np.int64)
        hours_within = np.zeros(len(points))
        unknown_within = np.zeros(len(points), dtype=np.int64)
    by_category = {}
    for label, mask in places.categories.items():
        subset = place_points[mask]
        by_category[label] = nearest(cKDTree(subset) if len(subset) else None, points)
    return Coverage(
        communes=communes,
        distance_km=distance_km,
        nearest_km=nearest_km,
        places_within=counts,
        hours_within=hours_within,
        unknown_hours_within=unknown_within,
        nearest_by_category=by_category,
        places_total=len(places),
    )


def nearest_and_count(
    commune_xyz: np.ndarray, place_xyz: np.ndarray, distance_km: float
) -> tuple[np.ndarray, np.ndarray]:
    """The benchmarked core: distance to the nearest place and number of places within reach."""
    tree = cKDTree(place_xyz)
    chord, _ = tree.query(commune_xyz, k=1)
    counts = tree.query_ball_point(commune_xyz, r=km_to_chord(distance_km), return_length=True)
    return chord_to_km(chord), np.asarray(counts)


@dataclass
class TerritoryDensity:
    code: str
    nom: str
    population: int
    places: int
    weekly_hours: float
    places_per_10000: float | None
    hours_per_1000: float | None


def densities(
    groups: dict[str, tuple[str, float]], place_group: list[str], place_hours: np.ndarray
) -> list[TerritoryDensity]:
    """Places per 10,000 inhabitants and weekly hours per 1,000, per group (EPCI…)."""
    out = []
    hours = np.nan_to_num(place_hours, nan=0.0)
    for code, (nom, population) in groups.items():
        mask = np.array([group == code for group in place_group], dtype=bool)
        count = int(mask.sum())
        weekly = float(hours[mask].sum()) if count else 0.0
        out.append(
            TerritoryDensity(
                code=code,
                nom=nom,
                population=int(population),
                places=count,
                weekly_hours=round(weekly, 1),
                places_per_10000=round(count * 10_000 / population, 2) if population else None,
                hours_per_1000=round(weekly * 1_000 / population, 1) if population else None,
            )
        )
    return sorted(out, key=lambda d: (d.places_per_10000 if d.places_per_10000 is not None else 1e9, d.code))
