"""Finding places that may be the same, with a score that explains itself.

Blocking: places are points on the sphere in a KD-tree; every pair closer than `radius_km` is a
candidate, and so is every pair of the same commune where one position is only the commune's centre
(an approximate position says nothing about the distance). Scoring: each criterion gives a
similarity from 0 to 100 and has a weight; criteria that cannot be compared (no phone on one side,
placeholder SIRET…) are left out. The score is the weighted mean of the compared criteria, and each
criterion's contribution (weight × similarity / sum of the compared weights) is kept so that the
page can show where the score comes from: the contributions add up to the score.

Names and addresses are compared like the Cartographie nationale does (Indel ratio, see
docs lieux-standard §10), after a French normalisation (accents folded, street-type abbreviations
expanded). Thresholds and weights come from the `PLACES_DEDUP` setting (see DEFAULTS).
"""

import math
import re
from dataclasses import dataclass, field

import numpy as np
from django.conf import settings
from rapidfuzz import fuzz
from scipy.spatial import cKDTree

from maillage.places import standard as std
from maillage.places.search import EARTH_RADIUS_KM, km_to_chord, to_xyz
from maillage.territories.normalize import normalize

DEFAULTS = {
    # Pairs scoring at least this much are listed for review (0–100).
    "threshold": 65,
    # Blocking: places closer than this are compared.
    "radius_km": 1.5,
    # Distance similarity: 100 under `near_m`, then 100 / (1 + d / half_km) (50 at `half_km`).
    "near_m": 40,
    "half_km": 0.15,
    # Criterion weights (0 switches a criterion off).
    "weights": {"nom": 3.0, "adresse": 2.0, "distance": 2.0, "telephone": 1.5, "siret": 1.5},
    # Merge defaults: datasets (or `source` values) by decreasing priority; otherwise, the most
    # recent `date_maj` wins (the national rule), then the lowest id.
    "source_priority": [],
}

CRITERIA = ("nom", "adresse", "distance", "telephone", "siret")
CRITERION_LABELS = {
    "nom": "Nom",
    "adresse": "Adresse",
    "distance": "Distance",
    "telephone": "Téléphone",
    "siret": "SIRET / RNA",
}
STREET_WORDS = {
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "r": "rue",
    "pl": "place",
    "ch": "chemin",
    "che": "chemin",
    "rte": "route",
    "imp": "impasse",
    "all": "allee",
    "sq": "square",
    "fg": "faubourg",
    "fbg": "faubourg",
    "qu": "quai",
    "crs": "cours",
    "res": "residence",
    "gal": "general",
    "gen": "general",
    "mal": "marechal",
    "pdt": "president",
    "zac": "zac",
    "za": "za",
    "zi": "zi",
}
NUMBER_SUFFIX = re.compile(r"^(\d+)(bis|ter|quater|b|t)$")


def config() -> dict:
    """The defaults overridden by `settings.PLACES_DEDUP` (weights merged key by key)."""
    configured = dict(getattr(settings, "PLACES_DEDUP", {}) or {})
    merged = {**DEFAULTS, **configured}
    merged["weights"] = {**DEFAULTS["weights"], **(configured.get("weights") or {})}
    return merged


NAME_STOP_WORDS = frozenset({"de", "du", "des", "la", "le", "les", "l", "d", "a", "au", "aux", "et", "en"})


def name_key(text: str, commune: str = "") -> str:
    """The normalised name without little words and without the commune's name, so that
    "France Services de Vence" and "Médiathèque de Vence" are compared on what differs."""
    words = [word for word in normalize(text).split() if word not in NAME_STOP_WORDS] or normalize(text).split()
    town = [word for word in normalize(commune).split() if word not in NAME_STOP_WORDS]
    if town:
        for start in range(len(words) - len(town) + 1):
            if words[start : start + len(town)] == town:
                stripped = words[:start] + words[start + len(town) :]
                if stripped:
                    words = stripped
                break
    return " ".join(words)


def address_key(text: str) -> str:
    """ "12 bis, Av. du Gal de Gaulle" → "12 bis avenue du general de gaulle"."""
    words = []
    for word in normalize(text).split():
        suffix = NUMBER_SUFFIX.match(word)
        if suffix:
            words += [suffix.group(1), {"b": "bis", "t": "ter"}.get(suffix.group(2), suffix.group(2))]
        else:
            words.append(STREET_WORDS.get(word, word))
    return " ".join(words)


def ratio(a: str, b: str) -> int:
    """Indel similarity ×100 (0 when either side is empty), as the national pipeline computes it."""
    if not a or not b:
        return 0
    return round(fuzz.ratio(a, b))


def name_similarity(a: str, b: str) -> int:
    """The Indel ratio, or the token-set ratio when one name is contained in the other
    ("Médiathèque" vs "Médiathèque municipale Jean Moulin"), slightly discounted."""
    if not a or not b:
        return 0
    return max(ratio(a, b), round(0.9 * fuzz.token_set_ratio(a, b)))


def distance_similarity(km: float, cfg: dict) -> int:
    if km * 1000 < cfg["near_m"]:
        return 100
    return math.trunc(100 / (1 + km / cfg["half_km"]))


def haversine_km(lat1, lon1, lat2, lon2) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


@dataclass
class Candidate:
    """What a place brings to the comparison, prepared once."""

    pk: int
    dataset: str
    nom: str
    adresse: str
    telephone: str
    pivot: str
    commune: str
    commune_nom: str
    latitude: float | None
    longitude: float | None
    approximate: bool
    name_key: str = field(init=False)
    address_key: str = field(init=False)

    def __post_init__(self):
        self.name_key = name_key(self.nom, self.commune_nom)
        self.address_key = address_key(self.adresse)

    @property
    def siret(self) -> str:
        """The pivot when it identifies something (never the 00000000000000 placeholder)."""
        return "" if not self.pivot or set(self.pivot) == {"0"} else self.pivot


@dataclass
class Scored:
    first: int
    second: int
    score: int
    details: dict


def score_pair(a: Candidate, b: Candidate, cfg: dict | None = None) -> Scored:
    """The explained score of two places: per criterion, similarity, weight and contribution."""
    cfg = cfg or config()
    if a.pk > b.pk:  # values are shown as [first, second], the pair's stored order
        a, b = b, a
    weights = cfg["weights"]
    criteria: dict[str, dict] = {}

    def compare(name, similarity, left, right, compared=True, note=""):
        criteria[name] = {
            "label": CRITERION_LABELS[name],
            "similarity": similarity if compared else None,
            "weight": float(weights.get(name, 0)) if compared else 0.0,
            "values": [left, right],
            "note": note,
        }

    compare("nom", name_similarity(a.name_key, b.name_key), a.nom, b.nom)
    compare(
        "adresse",
        ratio(a.address_key, b.address_key),
        a.adresse,
        b.adresse,
        compared=bool(a.address_key and b.address_key),
        note="" if a.address_key and b.address_key else "adresse absente d'un côté",
    )
    if a.latitude is None or b.latitude is None or a.approximate or b.approximate:
        compare("distance", None, "", "", compared=False, note="position approximative ou absente d'un côté")
    else:
        km = haversine_km(a.latitude, a.longitude, b.latitude, b.longitude)
        compare("distance", distance_similarity(km, cfg), "", "", note=f"{round(km * 1000)} m")
    if a.telephone and b.telephone:
        compare("telephone", 100 if a.telephone == b.telephone else 0, a.telephone, b.telephone)
    else:
        compare("telephone", None, a.telephone, b.telephone, compared=False, note="absent d'un côté")
    if a.siret and b.siret:
        if a.siret == b.siret:
            compare("siret", 100, a.pivot, b.pivot)
        elif a.siret[:9] == b.siret[:9] and a.siret[0].isdigit():
            compare("siret", 50, a.pivot, b.pivot, note="même SIREN, établissements différents")
        else:
            compare("siret", 0, a.pivot, b.pivot)
    else:
        compare("siret", None, a.pivot, b.pivot, compared=False, note="inconnu d'un côté (ou 00000000000000)")

    total_weight = sum(item["weight"] for item in criteria.values())
    exact = 0.0
    for item in criteria.values():
        share = item["weight"] * item["similarity"] / total_weight if total_weight and item["weight"] else 0.0
        item["contribution"] = round(share, 1)
        exact += share
    score = math.floor(exact + 1e-9)
    return Scored(a.pk, b.pk, score, {"criteria": criteria, "threshold": cfg["threshold"]})


def candidate_pairs(candidates: list[Candidate], radius_km: float) -> set[tuple[int, int]]:
    """Index pairs (i < j) to compare: close positions, or same commune with an approximate one."""
    pairs: set[tuple[int, int]] = set()
    located = [i for i, c in enumerate(candidates) if c.latitude is not None]
    if len(located) > 1:
        xyz = to_xyz(
            np.array([candidates[i].latitude for i in located]), np.array([candidates[i].longitude for i in located])
        )
        tree = cKDTree(xyz)
        for i, j in tree.query_pairs(km_to_chord(radius_km), output_type="ndarray"):
            a, b = located[i], located[j]
            pairs.add((min(a, b), max(a, b)))
    by_commune: dict[str, list[int]] = {}
    for index, candidate in enumerate(candidates):
        if candidate.commune:
            by_commune.setdefault(candidate.commune, []).append(index)
    for members in by_commune.values():
        vague = [i for i in members if candidates[i].approximate or candidates[i].latitude is None]
        for i in vague:
            for j in members:
                if i != j:
                    pairs.add((min(i, j), max(i, j)))
    return pairs


def find_duplicates(candidates: list[Candidate], cfg: dict | None = None) -> list[Scored]:
    """Every pair at or above the threshold, best first."""
    cfg = cfg or config()
    found = []
    for i, j in candidate_pairs(candidates, cfg["radius_km"]):
        scored = score_pair(candidates[i], candidates[j], cfg)
        if scored.score >= cfg["threshold"]:
            found.append(scored)
    found.sort(key=lambda s: (-s.score, s.first, s.second))
    return found


CANDIDATE_FIELDS = (
    "pk",
    "dataset",
    "nom",
    "adresse",
    "telephone",
    "pivot",
    "commune_id",
    "commune_nom",
    "position_latitude",
    "position_longitude",
    "position_origin",
)


def candidates_from(places) -> list[Candidate]:
    """Candidates from a Place queryset (one query)."""
    return [
        Candidate(
            pk=pk,
            dataset=dataset,
            nom=nom,
            adresse=adresse,
            telephone=telephone,
            pivot=pivot,
            commune=commune or "",
            commune_nom=commune_nom,
            latitude=latitude,
            longitude=longitude,
            approximate=origin != "given",
        )
        for (
            pk,
            dataset,
            nom,
            adresse,
            telephone,
            pivot,
            commune,
            commune_nom,
            latitude,
            longitude,
            origin,
        ) in places.values_list(*CANDIDATE_FIELDS)
    ]


# --- Merging: which fields, and which value by default -------------------------------------------

# What a merge may take from either place, item by item. The position travels with the address
# (commune, codes, coordinates and the position maillage retained), so that it stays consistent.
# The producer's identifier stays the kept place's own.
LOCATION = "localisation"
LOCATION_FIELDS = ("adresse", "complement_adresse", "commune", "code_postal", "code_insee", "latitude", "longitude")
LOCATION_MODEL_FIELDS = (
    "adresse",
    "complement_adresse",
    "commune_nom",
    "code_postal",
    "code_insee",
    "latitude",
    "longitude",
    "commune_id",
    "commune_nom",
    "position_latitude",
    "position_longitude",
    "position_origin",
)
MERGE_ITEMS: dict[str, tuple[str, ...]] = {
    "nom": ("nom",),
    LOCATION: LOCATION_MODEL_FIELDS,
    **{name: (name,) for name in std.FIELD_NAMES if name not in ("id", "nom", *LOCATION_FIELDS)},
}
MERGE_LABELS = {
    LOCATION: "Adresse et position",
    **{name: std.FIELDS_BY_NAME[name].label for name in std.FIELD_NAMES if name in MERGE_ITEMS},
}
UNION_FIELDS = frozenset(
    {
        "services",
        "modalites_accompagnement",
        "modalites_acces",
        "frais_a_charge",
        "prise_en_charge_specifique",
        "publics_specifiquement_adresses",
        "formations_labels",
        "autres_formations_labels",
        "courriels",
        "site_web",
        "typologie",
        "dispositif_programmes_nationaux",
        "itinerance",
    }
)
UNION = "union"


def priority_key(place, cfg: dict | None = None):
    """Sort key: higher priority first (configured source order, then most recent date, then id)."""
    cfg = cfg or config()
    order = list(cfg.get("source_priority") or [])
    rank = len(order)
    for position, name in enumerate(order):
        if name in (place.dataset, place.source):
            rank = position
            break
    return (rank, -place.date_maj.toordinal(), place.pk)


def _empty(value) -> bool:
    return value in (None, "", [], {})


def item_value(place, item: str):
    """What a place holds for a merge item (a tuple of values for the location)."""
    fields = MERGE_ITEMS[item]
    if len(fields) == 1:
        return getattr(place, fields[0])
    return tuple(getattr(place, name) for name in fields)


def _filled(place, item: str) -> bool:
    if item == LOCATION:
        return bool(place.adresse) and place.position_origin == "given"
    if item == "pivot":
        return bool(place.pivot) and set(place.pivot) != {"0"}
    return not _empty(getattr(place, MERGE_ITEMS[item][0]))


def default_choices(places: list, cfg: dict | None = None) -> dict[str, str]:
    """For each merge item: the pk (as text) of the place whose value is kept, or "union".

    The highest-priority place with a value wins (a precise position over a commune centre, a real
    SIRET over the placeholder); list fields whose values differ are unioned."""
    ordered = sorted(places, key=lambda p: priority_key(p, cfg))
    choices = {}
    for item in MERGE_ITEMS:
        values = [item_value(place, item) for place in ordered]
        if item in UNION_FIELDS and len({tuple(v) for v in values if not _empty(v)}) > 1:
            choices[item] = UNION
            continue
        filled = [place for place in ordered if _filled(place, item)]
        choices[item] = str((filled or ordered)[0].pk)
    return choices


def differing_items(places: list) -> list[str]:
    """Merge items on which the places do not all agree."""
    return [item for item in MERGE_ITEMS if len({repr(item_value(place, item)) for place in places}) > 1]


def union(lists) -> list:
    result = []
    for items in lists:
        for item in items or []:
            if item not in result and item not in ("", None):
                result.append(item)
    return result
