"""Rollup deltas of a batch of new activities, computed in memory with numpy.

The counters are simple functions of a few columns of the ingest rows (the same definitions as the
SQL expressions of rollups.EXPRESSIONS; the tests compare both paths), so a bulk ingest sums them
here, grouped by day × structure × commune, month × structure × commune and month × département,
and the database only upserts those grouped rows instead of re-reading the batch.

Keys stay arrays: days as ordinals, structure ids, and an index into `communes` (whose territories,
EPCI, département and région, come from one query on the batch's distinct communes).
"""

import datetime as dt
import json
from dataclasses import dataclass
from itertools import chain

import numpy as np

from maillage.activity.enums import DUREE_BUCKETS, THEMATIQUE_BITS, Autonomie, TypeActivite, TypeLieu
from maillage.activity.ingest import COLUMNS
from maillage.activity.models import COUNTER_COLUMNS
from maillage.activity.publics import DEJA_ACCOMPAGNES, GROUPS, group_keys, known_values
from maillage.territories.models import Commune

_COMMUNE = COLUMNS.index("commune_id")
_UNIX_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()


@dataclass
class Delta:
    """Grouped sums: one entry per key in `days` (ordinals), `structures`, `communes` (indexes into
    BatchDeltas.communes) and a (keys × COUNTER_COLUMNS) int64 matrix `counters`."""

    days: np.ndarray
    structures: np.ndarray
    communes: np.ndarray
    counters: np.ndarray


@dataclass
class BatchDeltas:
    communes: list[str]
    territories: list[tuple[str, str, str]]  # (epci or "", département, région) of each commune
    daily: Delta
    monthly: Delta
    departement: Delta  # `communes` holds one commune of the département; `structures` is unused

    def rows(self, delta: Delta, *, departement: bool = False) -> list[tuple]:
        """The grouped rows as rollup key columns + counters (Python values)."""
        counters = delta.counters.tolist()
        rows = []
        for day, structure, commune, values in zip(
            delta.days.tolist(), delta.structures.tolist(), delta.communes.tolist(), counters, strict=True
        ):
            epci, departement_code, region = self.territories[commune]
            period = dt.date.fromordinal(day)
            if departement:
                rows.append((period, departement_code, region, *values))
            else:
                rows.append((period, structure, self.communes[commune], epci, departement_code, region, *values))
        return rows


class _Blocks(dict):
    """The rows' columns by COLUMNS name, from blocks already transposed (ingest.copy_rows), each
    joined on first use."""

    def __init__(self, blocks: list[list[tuple]]):
        super().__init__()
        self.blocks = blocks

    def __missing__(self, name: str) -> list:
        position = COLUMNS.index(name)
        self[name] = values = list(chain.from_iterable(block[position] for block in self.blocks))
        return values


def _codes(values, choices: list) -> np.ndarray:
    """Position of each value in `choices` (-1 for anything else: blank, None)."""
    lookup = {value: position for position, value in enumerate(choices)}
    return np.fromiter(map(lookup.get, values, [-1] * len(values)), dtype=np.int64, count=len(values))


def _integers(values) -> np.ndarray:
    return np.fromiter(values, dtype=np.int64, count=len(values))


def _counters(table: dict[str, list]) -> list[np.ndarray]:
    """Each activity's own contribution to each of COUNTER_COLUMNS (one array per counter)."""
    weight = _integers(table["accompagnements_count"])
    kind = _codes(table["type"], [TypeActivite.INDIVIDUEL.value, TypeActivite.COLLECTIF.value])
    duree = _integers(table["duree"])
    lieu = _codes(table["type_lieu"], list(TypeLieu.values))
    autonomie = _codes(table["autonomie"], list(Autonomie.values))
    mask = _integers(table["thematiques_mask"])
    oriente = _codes(table["oriente_vers_structure"], [True]) == 0
    individual, collective = kind == 0, kind == 1
    columns = {
        "activites_individuelles": individual,
        "activites_collectives": collective,
        "accompagnements": weight,
        "accompagnements_individuels": individual * weight,
        "participants_ateliers": collective * weight,
        "beneficiaires_anonymes": _integers(table["participants_anonymes"]),
        "duree_minutes": duree,
        "orientes": oriente * weight,
    }
    for position, value in enumerate(TypeLieu.values):
        columns[f"canal_{value}"] = (lieu == position) * weight
    for key, low, high, _ in DUREE_BUCKETS:
        inside = duree >= low
        if high:
            inside &= duree < high
        columns[f"duree_{key}"] = inside * weight
    for position, value in enumerate(Autonomie.values):
        columns[f"autonomie_{value}"] = (autonomie == position) * weight
    for value, bit in THEMATIQUE_BITS.items():
        columns[f"th_{value}"] = ((mask & bit) != 0) * weight
    columns.update(_anonymous_publics(table, collective))
    assert list(columns) == COUNTER_COLUMNS
    return list(columns.values())


def _anonymous_publics(table: dict[str, list], collective: np.ndarray) -> dict[str, np.ndarray]:
    """Anonymous people per known publics value: a workshop's counts (its JSON detail, parsed only
    where it is not empty), else the anonymous individual's own fields."""
    anonymous = _integers(table["participants_anonymes"]) * ~collective
    columns = {}
    for group in GROUPS:
        values = _codes(table[f"beneficiaire_{group}"], known_values(group))
        for position, key in enumerate(group_keys(group)):
            columns[f"anonymes_{key}"] = (values == position) * anonymous
    details = table["participants_anonymes_detail"]
    for index in np.flatnonzero(collective):
        detail = details[index]
        if detail and detail != "{}":
            for key, count in json.loads(detail).items():
                if key != DEJA_ACCOMPAGNES:
                    columns[f"anonymes_{key}"][index] = count
    return columns


def _group(key: np.ndarray, columns) -> tuple[np.ndarray, np.ndarray]:
    """(index of the first row of each distinct key, (keys × columns) int64 sums), keys ascending.

    One np.bincount per column over the key's rank: no sorted copy of the whole matrix (its
    float64 sums are exact far beyond any counter's 32-bit range)."""
    _, members, inverse = np.unique(key, return_index=True, return_inverse=True)
    inverse = inverse.reshape(-1)
    sums = np.empty((len(columns), len(members)), dtype=np.int64)
    for position, column in enumerate(columns):
        sums[position] = np.bincount(inverse, weights=column, minlength=len(members))
    return members, np.ascontiguousarray(sums.T)


def territories_of(rows: list[tuple]) -> dict[str, tuple[str, str, str]]:
    """{commune code: (epci or "", département, région)} for the communes of the rows (one query;
    the bulk path runs it before its COPY, so that the deltas need no query)."""
    codes = {row[_COMMUNE] for row in rows}
    found = {
        code: (epci or "", departement, region)
        for code, epci, departement, region in Commune.objects.filter(code__in=codes).values_list(
            "code", "epci_id", "departement_id", "region_id"
        )
    }
    missing = sorted(codes - set(found))
    if missing:
        raise ValueError(f"Communes inconnues : {', '.join(missing[:5])}")
    return found


def _first_of_month(days: np.ndarray) -> np.ndarray:
    unix = (days - _UNIX_EPOCH_ORDINAL).astype("datetime64[D]")
    return unix.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + _UNIX_EPOCH_ORDINAL


def batch_deltas(rows: list[tuple], territories: dict | None = None) -> BatchDeltas:
    """The rollup deltas of new live activities given as ingest.COLUMNS tuples (at least one);
    `territories` as territories_of(rows) gives them (read here when not given)."""
    return blocks_deltas([list(zip(*rows, strict=True))], territories or territories_of(rows))


def blocks_deltas(blocks: list[list[tuple]], territories: dict) -> BatchDeltas:
    """batch_deltas of rows given as transposed blocks (what ingest.ingest_rows hands over)."""
    return _deltas(_Blocks(blocks), territories)


def _deltas(table: dict[str, list], territories: dict) -> BatchDeltas:
    counters = _counters(table)
    dates = table["date"]
    days = np.fromiter(map(dt.date.toordinal, dates), dtype=np.int64, count=len(dates))
    seen: dict[str, int] = {}
    commune = np.fromiter(
        (seen.setdefault(code, len(seen)) for code in table["commune_id"]), dtype=np.int64, count=len(dates)
    )
    communes = list(seen)
    territories = [territories[code] for code in communes]
    structure = _integers(table["structure_id"])
    structures, structure_index = np.unique(structure, return_inverse=True)
    structure_index = structure_index.reshape(-1)

    def combined(day_key: np.ndarray, structure_key: np.ndarray, commune_key: np.ndarray) -> np.ndarray:
        return ((day_key - day_key.min()) * len(structures) + structure_key) * len(communes) + commune_key

    members, daily_counters = _group(combined(days, structure_index, commune), counters)
    daily = Delta(days[members], structure[members], commune[members], daily_counters)

    # Months and départements: regroup the (fewer) daily rows.
    months = _first_of_month(daily.days)
    daily_structure = structure_index[members]
    daily_columns = np.ascontiguousarray(daily.counters.T)
    members, monthly_counters = _group(combined(months, daily_structure, daily.communes), daily_columns)
    monthly = Delta(months[members], daily.structures[members], daily.communes[members], monthly_counters)

    departement_of: dict[str, int] = {}
    departement = np.array([departement_of.setdefault(t[1], len(departement_of)) for t in territories], dtype=np.int64)
    key = (months - months.min()) * len(departement_of) + departement[daily.communes]
    members, departement_counters = _group(key, daily_columns)
    by_departement = Delta(months[members], daily.structures[members], daily.communes[members], departement_counters)
    return BatchDeltas(communes, territories, daily, monthly, by_departement)
