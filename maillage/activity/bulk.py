"""Bulk insertion of pre-validated activities with their rollups: the one path of imports, the
generator and the benchmark.

Rows (ingest.COLUMNS tuples) are taken by blocks: each block is copied into the activity table
and its rollup deltas, summed in memory, are upserted; everything runs in the caller's
transaction, so the rollups are exact when this returns.
"""

from itertools import islice

from django.db import transaction

from maillage.activity import rollups
from maillage.activity.ingest import ingest_rows

BLOCK = 250_000


def insert_activities(rows, *, block: int = BLOCK) -> int:
    """Insert the rows and add them to the rollups; returns how many."""
    rows = iter(rows)
    count = 0
    with transaction.atomic():
        while chunk := list(islice(rows, block)):
            ingest_rows(chunk)
            rollups.add_rows(chunk)
            count += len(chunk)
    return count
