"""PostgreSQL side of the bulk rollup update: the grouped deltas go in one binary COPY each into
temporary tables, then one INSERT … ON CONFLICT DO UPDATE per rollup table.

Binary COPY of fixed-width integer rows is a single numpy buffer (no per-value Python work); the
commune codes and their territories travel once in a small mapping table.
"""

import numpy as np

from maillage.activity.deltas import BatchDeltas, Delta
from maillage.activity.ingest import copy_rows
from maillage.activity.models import COUNTER_COLUMNS, DailyRollup, MonthlyDepartementRollup, MonthlyRollup

DELTA_TABLE = "activity_rollup_delta"
COMMUNE_TABLE = "activity_rollup_delta_commune"
_PG_EPOCH_ORDINAL = 730120  # date(2000, 1, 1).toordinal(): binary dates count days from there
_HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00" * 8
_TRAILER = b"\xff\xff"


def upsert_clause(model) -> str:
    """ON CONFLICT … DO UPDATE adding the incoming counters to the existing row."""
    table = model._meta.db_table
    unique = "period, departement_code" if model is MonthlyDepartementRollup else "period, structure_id, commune_code"
    updates = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in COUNTER_COLUMNS)
    return f"ON CONFLICT ({unique}) DO UPDATE SET {updates}"


def binary_copy_data(delta: Delta) -> bytes:
    """COPY BINARY payload of (period, structure_id, commune, counters…), all 4-byte fields."""
    fields = 3 + delta.counters.shape[1]
    if len(delta.days) and (delta.counters.max() >= 2**31 or delta.counters.min() < -(2**31)):
        raise OverflowError("Compteur hors des bornes d'un entier 32 bits.")
    records = np.empty(len(delta.days), dtype=[("count", ">i2"), ("fields", ">i4", (2 * fields,))])
    records["count"] = fields
    values = records["fields"]
    values[:, 0::2] = 4
    values[:, 1] = delta.days - _PG_EPOCH_ORDINAL
    values[:, 3] = delta.structures
    values[:, 5] = delta.communes
    values[:, 7::2] = delta.counters
    return _HEADER + records.tobytes() + _TRAILER


def _copy_binary(cursor, delta: Delta) -> None:
    cursor.execute(f"TRUNCATE {DELTA_TABLE}")
    with cursor.cursor.copy(f"COPY {DELTA_TABLE} FROM STDIN WITH (FORMAT binary)") as copy:
        copy.write(binary_copy_data(delta))


def _create_tables(cursor, found: BatchDeltas) -> None:
    counters = ", ".join(f"{column} integer" for column in COUNTER_COLUMNS)
    for table in (DELTA_TABLE, COMMUNE_TABLE):
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {DELTA_TABLE} (period date, structure_id integer, commune integer, {counters})"
    )
    cursor.execute(
        f"CREATE TEMPORARY TABLE {COMMUNE_TABLE} (commune integer, commune_code varchar(9), epci_code varchar(9), "
        "departement_code varchar(3), region_code varchar(3))"
    )
    copy_rows(
        cursor,
        COMMUNE_TABLE,
        ["commune", "commune_code", "epci_code", "departement_code", "region_code"],
        [(index, code, *found.territories[index]) for index, code in enumerate(found.communes)],
    )


def upsert_deltas(cursor, found: BatchDeltas) -> None:
    """Add the three deltas to their rollup tables (inside the caller's transaction)."""
    _create_tables(cursor, found)
    counters = ", ".join(COUNTER_COLUMNS)
    delta_counters = ", ".join(f"d.{column}" for column in COUNTER_COLUMNS)
    joined = f"FROM {DELTA_TABLE} d JOIN {COMMUNE_TABLE} m ON m.commune = d.commune WHERE true"
    for model, delta in ((DailyRollup, found.daily), (MonthlyRollup, found.monthly)):
        _copy_binary(cursor, delta)
        cursor.execute(
            f"INSERT INTO {model._meta.db_table} (period, structure_id, commune_code, epci_code, departement_code, "
            f"region_code, {counters}) SELECT d.period, d.structure_id, m.commune_code, m.epci_code, "
            f"m.departement_code, m.region_code, {delta_counters} {joined} "
            # In the unique index's order: consecutive upserts find their rows on the same pages.
            f"ORDER BY d.period, d.structure_id, m.commune_code {upsert_clause(model)}"
        )
    _copy_binary(cursor, found.departement)
    cursor.execute(
        f"INSERT INTO {MonthlyDepartementRollup._meta.db_table} (period, departement_code, region_code, {counters}) "
        f"SELECT d.period, m.departement_code, m.region_code, {delta_counters} {joined} "
        f"{upsert_clause(MonthlyDepartementRollup)}"
    )
    for table in (DELTA_TABLE, COMMUNE_TABLE):
        cursor.execute(f"DROP TABLE {table}")
