"""Finding places: nearest with filters, in memory.

Published places are held as unit vectors on the sphere in a KD-tree (scipy), with one boolean mask
per filter value (a service, a fee, a programme…). A query combines masks (OR within a filter, AND
across filters) and searches the tree of that combination, built once and kept (LRU); small
combinations are scanned directly. "Open now / open on <day> at <time>" is checked on the nearest
candidates, in distance order, with each place's OSM opening hours and the holidays of its
département. Summaries of places are kept with the index, so that answering needs no database query.
"""

import datetime as dt
import math
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from django.db.models import Count, Max
from scipy.spatial import cKDTree

from maillage.places import hours
from maillage.places import standard as std
from maillage.places.models import Place

EARTH_RADIUS_KM = 6371.0088
SUBSET_TREE_MIN = 512
SUBSET_TREES = 64
RECHECK_SECONDS = 5.0

# Filter name (URL parameter) → model field and its vocabulary.
FILTERS = {
    "services": ("services", std.SERVICES),
    "publics": ("publics_specifiquement_adresses", std.PUBLICS),
    "accessibilite": ("prise_en_charge_specifique", std.PRISE_EN_CHARGE),
    "frais": ("frais_a_charge", std.FRAIS),
    "acces": ("modalites_acces", std.MODALITES_ACCES),
    "accompagnement": ("modalites_accompagnement", std.MODALITES_ACCOMPAGNEMENT),
    "dispositifs": ("dispositif_programmes_nationaux", std.DISPOSITIFS),
    "labels": ("formations_labels", std.FORMATIONS_LABELS),
}
SUMMARY_FIELDS = (
    "id",
    "nom",
    "adresse",
    "code_postal",
    "commune_nom",
    "commune_id",
    "telephone",
    "horaires",
    "services",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "prise_en_charge_specifique",
    "modalites_acces",
    "position_latitude",
    "position_longitude",
    "position_origin",
    "prise_rdv",
)


def to_xyz(latitude, longitude) -> np.ndarray:
    lat, lon = np.radians(latitude), np.radians(longitude)
    return np.column_stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def chord_to_km(chord):
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.clip(np.asarray(chord) / 2, 0, 1))


def km_to_chord(km: float) -> float:
    return 2 * math.sin(min(km / EARTH_RADIUS_KM, math.pi) / 2)


@dataclass(frozen=True)
class Found:
    summary: dict
    km: float

    @property
    def id(self) -> int:
        return self.summary["id"]


class PlaceIndex:
    def __init__(self, summaries: list[dict], version=None):
        self.version = version
        self.summaries = summaries
        self.ids = np.array([s["id"] for s in summaries], dtype=np.int64)
        latitude = np.array([s["position_latitude"] for s in summaries], dtype=np.float64)
        longitude = np.array([s["position_longitude"] for s in summaries], dtype=np.float64)
        self.xyz = to_xyz(latitude, longitude) if summaries else np.zeros((0, 3))
        self.tree = cKDTree(self.xyz) if summaries else None
        self.departements = [
            (s["commune_id"] or "")[:3] if (s["commune_id"] or "").startswith("97") else (s["commune_id"] or "")[:2]
            for s in summaries
        ]
        self.masks: dict[tuple[str, str], np.ndarray] = {}
        for name, (field, vocabulary) in FILTERS.items():
            values = [s.get(field) or [] for s in summaries]
            for value in vocabulary:
                self.masks[(name, value)] = np.fromiter((value in v for v in values), dtype=bool, count=len(values))
        self._subsets: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self):
        return len(self.summaries)

    @classmethod
    def build(cls, places=None, version=None) -> "PlaceIndex":
        places = places if places is not None else Place.objects.published()
        rows = places.filter(position_latitude__isnull=False).order_by("id").values(*SUMMARY_FIELDS)
        return cls(list(rows), version)

    def mask(self, filters: dict[str, list[str]]) -> np.ndarray | None:
        """OR within a filter, AND across filters; None when nothing is filtered."""
        combined = None
        for name, values in sorted(filters.items()):
            if not values:
                continue
            field_mask = np.zeros(len(self.summaries), dtype=bool)
            for value in values:
                found = self.masks.get((name, value))
                if found is not None:
                    field_mask |= found
            combined = field_mask if combined is None else combined & field_mask
        return combined

    def _subset(self, filters: dict[str, list[str]]):
        """(indices, tree or None) of the places that pass the filters, cached per combination."""
        signature = tuple(sorted((name, tuple(sorted(values))) for name, values in filters.items() if values))
        if not signature:
            return None, self.tree
        with self._lock:
            cached = self._subsets.get(signature)
            if cached is not None:
                self._subsets.move_to_end(signature)
                return cached
        indices = np.flatnonzero(self.mask(filters))
        tree = cKDTree(self.xyz[indices]) if len(indices) >= SUBSET_TREE_MIN else None
        with self._lock:
            self._subsets[signature] = (indices, tree)
            if len(self._subsets) > SUBSET_TREES:
                self._subsets.popitem(last=False)
        return indices, tree

    def _candidates(self, point, indices, tree, count: int, bound: float):
        """Up to `count` nearest (index, chord) among the subset, nearest first."""
        if indices is not None and tree is None:  # a small subset: scan it
            if len(indices) == 0:
                return np.array([], dtype=np.int64), np.array([])
            chords = np.linalg.norm(self.xyz[indices] - point, axis=1)
            order = np.argsort(chords)[:count]
            keep = chords[order] <= bound
            return indices[order][keep], chords[order][keep]
        if tree is None:
            return np.array([], dtype=np.int64), np.array([])
        count = min(count, tree.n)
        chords, positions = tree.query(point, k=count, distance_upper_bound=bound)
        chords, positions = np.atleast_1d(chords), np.atleast_1d(positions)
        keep = np.isfinite(chords)
        positions, chords = positions[keep], chords[keep]
        return (indices[positions] if indices is not None else positions), chords

    def nearest(
        self,
        latitude: float,
        longitude: float,
        *,
        k: int = 10,
        filters: dict | None = None,
        open_at: dt.datetime | None = None,
        max_km: float | None = None,
    ) -> list[Found]:
        if not self.summaries:
            return []
        lat, lon = math.radians(latitude), math.radians(longitude)  # one point: plain math is faster
        point = np.array([math.cos(lat) * math.cos(lon), math.cos(lat) * math.sin(lon), math.sin(lat)])
        indices, tree = self._subset(filters or {})
        bound = km_to_chord(max_km) if max_km else np.inf
        want = k if open_at is None else k * 4
        size = len(indices) if indices is not None else len(self.summaries)
        while True:
            found, chords = self._candidates(point, indices, tree, want, bound)
            if open_at is not None:
                opened = [
                    (i, c)
                    for i, c in zip(found, chords, strict=True)
                    if hours.is_open(self.summaries[i]["horaires"], open_at, self.departements[i])
                ]
                if len(opened) >= k or want >= size or len(found) < want:
                    found, chords = np.array([i for i, _ in opened[:k]], dtype=np.int64), [c for _, c in opened[:k]]
                    break
                want *= 4
                continue
            break
        kms = chord_to_km(chords[:k])
        return [Found(self.summaries[i], float(km)) for i, km in zip(found[:k], kms, strict=False)]

    def matching(self, filters: dict[str, list[str]], open_at: dt.datetime | None = None) -> list[int]:
        """Ids of the places that pass the filters (and are open at `open_at`), wherever they are."""
        mask = self.mask(filters)
        positions = range(len(self.summaries)) if mask is None else np.flatnonzero(mask).tolist()
        if open_at is not None:
            positions = [
                i for i in positions if hours.is_open(self.summaries[i]["horaires"], open_at, self.departements[i])
            ]
        return self.ids[list(positions)].tolist()

    def count(self, filters: dict | None = None) -> int:
        mask = self.mask(filters or {})
        return len(self.summaries) if mask is None else int(mask.sum())


_index: PlaceIndex | None = None
_checked_at = 0.0
_lock = threading.Lock()


def _version():
    return tuple(Place.objects.aggregate(latest=Max("updated_at"), total=Count("id")).values())


def get_index() -> PlaceIndex:
    """The shared index of published places, rebuilt when places change (checked every few seconds)."""
    global _index, _checked_at
    now = time.monotonic()
    if _index is not None and now - _checked_at < RECHECK_SECONDS:
        return _index
    with _lock:
        version = _version()
        if _index is None or _index.version != version:
            _index = PlaceIndex.build(version=version)
        _checked_at = now
    return _index


def invalidate_index() -> None:
    global _index
    with _lock:
        _index = None


def parse_filters(params) -> dict[str, list[str]]:
    """Filters from a query dict (`?services=…&services=…&frais=Gratuit`), keeping known values only."""
    filters = {}
    for name, (_, vocabulary) in FILTERS.items():
        values = (
            [value for value in params.getlist(name) if value in vocabulary]
            if hasattr(params, "getlist")
            else [value for value in params.get(name, []) if value in vocabulary]
        )
        if values:
            filters[name] = values
    return filters
