"""Bulk insertion of pre-validated activities with their rollups: the one path of imports, the
generator and the benchmark.

Rows (ingest.COLUMNS tuples) are taken by blocks: each block is copied into the activity table,
its rollup deltas are summed in memory while PostgreSQL takes the rows in (the COPY data is
sent by a writer thread), then upserted; everything runs in the caller's transaction, so the
rollups are exact when this returns.
"""

import time
from itertools import islice
from operator import itemgetter

from django.db import transaction

from maillage.activity import rollups
from maillage.activity.deltas import blocks_deltas, territories_of
from maillage.activity.ingest import COLUMNS, ingest_rows

BLOCK = 250_000
# Rows are copied in the order of the activity table's (structure, date) index: consecutive
# insertions then land on the same index pages instead of random ones (×1.8 on a 10-million-row table).
_INDEX_ORDER = itemgetter(COLUMNS.index("structure_id"), COLUMNS.index("date"))


def insert_activities(rows, *, block: int = BLOCK, timings: dict | None = None) -> int:
    """Insert the rows and add them to the rollups; returns how many.

    `timings`, if given, accumulates the seconds spent in "copy" (with the deltas computed
    meanwhile) and in "rollups" (their upsert)."""
    rows = iter(rows)
    count = 0
    spent = {"copy": 0.0, "rollups": 0.0}
    with transaction.atomic():
        while chunk := list(islice(rows, block)):
            started = time.perf_counter()
            chunk.sort(key=_INDEX_ORDER)
            territories = territories_of(chunk)
            found = ingest_rows(chunk, meanwhile=lambda blocks, known=territories: blocks_deltas(blocks, known))
            copied = time.perf_counter()
            rollups.add_deltas(found)
            spent["copy"] += copied - started
            spent["rollups"] += time.perf_counter() - copied
            count += len(chunk)
    if timings is not None:
        for key, seconds in spent.items():
            timings[key] = timings.get(key, 0.0) + seconds
    return count
