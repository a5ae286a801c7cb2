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

import numpy as np

from maillage.activity.enums import DUREE_BUCKETS, THEMATIQUE_BITS, Autonomie, TypeActivite, TypeLieu
from maillage.activity.ingest import COLUMNS
from maillage.activity.models import COUNTER_COLUMNS
from maillage.activity.publics import DEJA_ACCOMPAGNES, GROUPS, group_keys, known_values
from maillage.territories.models import Commune

_AT = {name: COLUMNS.index(name) for name in COLUMNS}
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


def _column(rows, name) -> list:
    index = _AT[name]
    return [row[index] for row in rows]


def _codes(values: list, choices: list) -> np.ndarray:
    """Position of each value in `choices` (-1 for anything else: blank, None)."""
    lookup = {value: position for position, value in enumerate(choices)}
    return np.fromiter(map(lookup.get, values, [-1] * len(values)), dtype=np.int64, count=len(values))


def _integers(rows, name) -> np.ndarray:
    return np.fromiter(_column(rows, name), dtype=np.int64, count=len(rows))


def _counters(rows) -> np.ndarray:
    """The (rows × COUNTER_COLUMNS) matrix of each activity's own contribution."""
    weight = _integers(rows, "accompagnements_count")
    kind = _codes(_column(rows, "type"), [TypeActivite.INDIVIDUEL.value, TypeActivite.COLLECTIF.value])
    duree = _integers(rows, "duree")
    lieu = _codes(_column(rows, "type_lieu"), list(TypeLieu.values))
    autonomie = _codes(_column(rows, "autonomie"), list(Autonomie.values))
    mask = _integers(rows, "thematiques_mask")
    oriente = _codes(_column(rows, "oriente_vers_structure"), [True]) == 0
    individual, collective = kind == 0, kind == 1
    columns = {
        "activites_individuelles": individual,
        "activites_collectives": collective,
        "accompagnements": weight,
        "accompagnements_individuels": individual * weight,
        "participants_ateliers": collective * weight,
        "beneficiaires_anonymes": _integers(rows, "participants_anonymes"),
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
    columns.update(_anonymous_publics(rows, collective))
    assert list(columns) == COUNTER_COLUMNS
    matrix = np.empty((len(rows), len(columns)), dtype=np.int64)
    for position, values in enumerate(columns.values()):
        matrix[:, position] = values
    return matrix


def _anonymous_publics(rows, collective: np.ndarray) -> dict[str, np.ndarray]:
    """Anonymous people per known publics value: a workshop's counts (its JSON detail, parsed only
    where it is not empty), else the anonymous individual's own fields."""
    anonymous = _integers(rows, "participants_anonymes") * ~collective
    columns = {}
    for group in GROUPS:
        values = _codes(_column(rows, f"beneficiaire_{group}"), known_values(group))
        for position, key in enumerate(group_keys(group)):
            columns[f"anonymes_{key}"] = (values == position) * anonymous
    for index in np.flatnonzero(collective):
        detail = rows[index][_AT["participants_anonymes_detail"]]
        if detail and detail != "{}":
            for key, count in json.loads(detail).items():
                if key != DEJA_ACCOMPAGNES:
                    columns[f"anonymes_{key}"][index] = count
    return columns


def _group(key: np.ndarray, counters: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(index of one member row per distinct key, summed counters per key), keys in ascending order."""
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.flatnonzero(np.r_[True, sorted_key[1:] != sorted_key[:-1]])
    return order[starts], np.add.reduceat(counters[order], starts, axis=0)


def _territories(codes: list[str]) -> list[tuple[str, str, str]]:
    """(epci or "", département, région) of each commune code."""
    found = {
        code: (epci or "", departement, region)
        for code, epci, departement, region in Commune.objects.filter(code__in=codes).values_list(
            "code", "epci_id", "departement_id", "region_id"
        )
    }
    missing = sorted(set(codes) - set(found))
    if missing:
        raise ValueError(f"Communes inconnues : {', '.join(missing[:5])}")
    return [found[code] for code in codes]


def _first_of_month(days: np.ndarray) -> np.ndarray:
    unix = (days - _UNIX_EPOCH_ORDINAL).astype("datetime64[D]")
    return unix.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64) + _UNIX_EPOCH_ORDINAL


def batch_deltas(rows: list[tuple]) -> BatchDeltas:
    """The rollup deltas of new live activities given as ingest.COLUMNS tuples (at least one)."""
    counters = _counters(rows)
    days = np.fromiter((day.toordinal() for day in _column(rows, "date")), dtype=np.int64, count=len(rows))
    seen: dict[str, int] = {}
    commune = np.fromiter(
        (seen.setdefault(code, len(seen)) for code in _column(rows, "commune_id")), dtype=np.int64, count=len(rows)
    )
    communes = list(seen)
    territories = _territories(communes)
    structure = _integers(rows, "structure_id")
    structures, structure_index = np.unique(structure, return_inverse=True)
    structure_index = structure_index.reshape(-1)

    def combined(day_key: np.ndarray, structure_key: np.ndarray, commune_key: np.ndarray) -> np.ndarray:
        return ((day_key - day_key.min()) * len(structures) + structure_key) * len(communes) + commune_key

    members, daily_counters = _group(combined(days, structure_index, commune), counters)
    daily = Delta(days[members], structure[members], commune[members], daily_counters)

    # Months and départements: regroup the (fewer) daily rows.
    months = _first_of_month(daily.days)
    daily_structure = structure_index[members]
    members, monthly_counters = _group(combined(months, daily_structure, daily.communes), daily.counters)
    monthly = Delta(months[members], daily.structures[members], daily.communes[members], monthly_counters)

    departement_of: dict[str, int] = {}
    departement = np.array([departement_of.setdefault(t[1], len(departement_of)) for t in territories], dtype=np.int64)
    key = (months - months.min()) * len(departement_of) + departement[daily.communes]
    members, departement_counters = _group(key, daily.counters)
    by_departement = Delta(months[members], daily.structures[members], daily.communes[members], departement_counters)
    return BatchDeltas(communes, territories, daily, monthly, by_departement)
