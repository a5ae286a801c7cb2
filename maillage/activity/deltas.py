"""Rollup deltas of a batch of new activities, computed in memory with numpy.

The counters are simple functions of a few columns of the ingest rows (the same definitions as the
SQL expressions of rollups.EXPRESSIONS, checked against them by the tests), so a bulk ingest sums
them here, grouped by day × structure × commune, month × structure × commune and month ×
département, and the database only upserts those few rows instead of re-reading the batch.
"""

import datetime as dt
from dataclasses import dataclass

import numpy as np

from maillage.activity.enums import DUREE_BUCKETS, THEMATIQUE_BITS, Autonomie, TypeActivite, TypeLieu
from maillage.activity.ingest import COLUMNS
from maillage.activity.models import COUNTER_COLUMNS
from maillage.territories.models import Commune

_AT = {name: COLUMNS.index(name) for name in COLUMNS}


@dataclass
class Delta:
    """Grouped sums: `keys` are tuples of key columns, `counters` an int64 (keys × COUNTER_COLUMNS) matrix."""

    keys: list[tuple]
    counters: np.ndarray

    def rows(self):
        """(key columns…, counters…) tuples, counters as Python ints."""
        return [(*key, *values) for key, values in zip(self.keys, self.counters.tolist(), strict=True)]


@dataclass
class BatchDeltas:
    daily: Delta
    monthly: Delta
    departement: Delta


def _column(rows, name) -> list:
    index = _AT[name]
    return [row[index] for row in rows]


def _codes(values: list, choices: list) -> np.ndarray:
    """Position of each value in `choices` (-1 for anything else: blank, None)."""
    lookup = {value: position for position, value in enumerate(choices)}
    return np.fromiter((lookup.get(value, -1) for value in values), dtype=np.int64, count=len(values))


def _counters(rows) -> np.ndarray:
    """The (rows × COUNTER_COLUMNS) matrix of each activity's own contribution."""
    n = len(rows)
    weight = np.fromiter(_column(rows, "accompagnements_count"), dtype=np.int64, count=n)
    kind = _codes(_column(rows, "type"), [TypeActivite.INDIVIDUEL.value, TypeActivite.COLLECTIF.value])
    duree = np.fromiter(_column(rows, "duree"), dtype=np.int64, count=n)
    lieu = _codes(_column(rows, "type_lieu"), list(TypeLieu.values))
    autonomie = _codes(_column(rows, "autonomie"), list(Autonomie.values))
    mask = np.fromiter(_column(rows, "thematiques_mask"), dtype=np.int64, count=n)
    oriente = np.fromiter((value is True for value in _column(rows, "oriente_vers_structure")), dtype=bool, count=n)
    anonymes = np.fromiter(_column(rows, "participants_anonymes"), dtype=np.int64, count=n)
    individual, collective = kind == 0, kind == 1
    columns = {
        "activites_individuelles": individual.astype(np.int64),
        "activites_collectives": collective.astype(np.int64),
        "accompagnements": weight,
        "accompagnements_individuels": individual * weight,
        "participants_ateliers": collective * weight,
        "beneficiaires_anonymes": anonymes,
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
    assert list(columns) == COUNTER_COLUMNS
    return np.column_stack(list(columns.values())).astype(np.int64, copy=False)


def _group(key: np.ndarray, counters: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(distinct keys, index of one member row per key, summed counters per key)."""
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    return sorted_key[starts], order[starts], np.add.reduceat(counters[order], starts, axis=0)


def _territories(codes: list[str]) -> dict[str, tuple[str, str, str]]:
    """commune code → (epci or "", département, région), for the communes of the batch."""
    found = {
        code: (epci or "", departement, region)
        for code, epci, departement, region in Commune.objects.filter(code__in=codes).values_list(
            "code", "epci_id", "departement_id", "region_id"
        )
    }
    missing = set(codes) - set(found)
    if missing:
        raise ValueError(f"Communes inconnues : {', '.join(sorted(missing)[:5])}")
    return found


def batch_deltas(rows: list[tuple]) -> BatchDeltas:
    """The rollup deltas of new live activities given as ingest.COLUMNS tuples."""
    n = len(rows)
    counters = _counters(rows)
    days = np.fromiter((day.toordinal() for day in _column(rows, "date")), dtype=np.int64, count=n)
    structures, structure_index = np.unique(
        np.fromiter(_column(rows, "structure_id"), dtype=np.int64, count=n), return_inverse=True
    )
    communes, commune_index = np.unique(np.array(_column(rows, "commune_id"), dtype=object), return_inverse=True)
    communes = communes.tolist()
    territories = _territories(communes)
    first_day = int(days.min()) if n else 0
    day_offset = days - first_day
    combined = (day_offset * len(structures) + structure_index) * len(communes) + commune_index
    _, members, daily = _group(combined, counters)

    def day_of(member) -> dt.date:
        return dt.date.fromordinal(int(days[member]))

    daily_keys = []
    for member in members.tolist():
        commune = communes[commune_index[member]]
        daily_keys.append((day_of(member), int(structures[structure_index[member]]), commune, *territories[commune]))

    # Months: regroup the (few) daily rows by the first day of their month.
    month_of = {}
    month_index = np.fromiter(
        (month_of.setdefault(key[0].replace(day=1), len(month_of)) for key in daily_keys),
        dtype=np.int64,
        count=len(daily_keys),
    )
    months = list(month_of)
    daily_structure = structure_index[members]
    daily_commune = commune_index[members]
    combined = (month_index * len(structures) + daily_structure) * len(communes) + daily_commune
    _, month_members, monthly = _group(combined, daily)
    monthly_keys = [(months[month_index[m]], *daily_keys[m][1:]) for m in month_members.tolist()]

    departement_of = {}
    departement_index = np.fromiter(
        (departement_of.setdefault(territories[commune][1], len(departement_of)) for commune in communes),
        dtype=np.int64,
        count=len(communes),
    )
    combined = month_index * max(len(departement_of), 1) + departement_index[daily_commune]
    _, dep_members, departement = _group(combined, daily)
    departement_keys = [(months[month_index[m]], daily_keys[m][4], daily_keys[m][5]) for m in dep_members.tolist()]
    return BatchDeltas(
        daily=Delta(daily_keys, daily),
        monthly=Delta(monthly_keys, monthly),
        departement=Delta(departement_keys, departement),
    )
