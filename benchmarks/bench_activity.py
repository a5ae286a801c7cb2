"""Activity statistics and ingest: 100,000 synthetic activities by default, 10 million with --full.

1. Dashboard queries (the figures of GET /api/v1/statistiques/activites: totals, themes, channels,
   durations, autonomy, distinct followed beneficiaries, structure-days) for random territories
   (commune, EPCI, département, région) and random periods (a few days to two years), from the
   monthly + daily rollups, against the same figures computed with GROUP BY on the raw activities.
   Both answers are compared on every query (they must be equal).
2. Ingest: pre-validated activity rows through the product's bulk path (bulk.insert_activities:
   COPY on PostgreSQL, executemany on SQLite, then the rollup deltas summed in memory and upserted
   once per rollup table), against row-by-row ORM inserts. Times are per 1,000 activities, rollups
   up to date at the end of each chunk. The load comes as activity does: chunk after chunk in date
   order (each chunk covers the next weeks of the three years, like monthly imports from another
   tool). The worst case is measured too, then rolled back: chunks whose dates are spread over the
   whole three years, so that each one updates rollup rows all over the daily table.

The PostgreSQL settings that matter for bulk loads are printed with the results (see
docs/decisions/006-postgresql-server-settings.md).
"""

import datetime as dt
import json
import os
import random
import time

from django.db import connection, transaction

from benchmarks.common import Comparison, Timing, measure
from maillage.activity import rollups
from maillage.activity.bulk import insert_activities
from maillage.activity.generate import generated_rows
from maillage.activity.ingest import COLUMNS
from maillage.activity.models import (
    Accompagnement,
    Activity,
    ActivityImport,
    DailyRollup,
    MonthlyDepartementRollup,
    MonthlyRollup,
)
from maillage.activity.selectors import activity_figures, raw_figures
from maillage.structures.models import Structure
from maillage.territories.models import Commune
from maillage.territories.territory import TerritoryRef

SEED = 20261207
STRUCTURES = 400
START, END = dt.date(2023, 1, 1), dt.date(2025, 12, 31)
# BENCH_ACTIVITY_CHUNK: activities per transaction (one import batch each).
CHUNK = int(os.environ.get("BENCH_ACTIVITY_CHUNK", "250000"))
DISTINCT_CHUNKS = 5
# --full: the 10 million; BENCH_ACTIVITY_N overrides the size (e.g. on a shared machine).
FULL_SIZE = int(os.environ.get("BENCH_ACTIVITY_N", "10000000"))


def _rate(per_thousand: list[float]) -> float:
    return 1000 / (sum(per_thousand) / len(per_thousand) / 1000)


def _timing(label: str, per_thousand: list[float], **extra) -> Timing:
    values = sorted(per_thousand)
    return Timing(
        label=label,
        samples=len(values),
        p50_ms=values[len(values) // 2],
        p95_ms=values[int(0.95 * (len(values) - 1))],
        mean_ms=sum(values) / len(values),
        total_s=sum(values) / 1000,
        extra=extra,
    )


def _reset() -> None:
    with connection.cursor() as cursor:
        for model in (Accompagnement, DailyRollup, MonthlyRollup, MonthlyDepartementRollup, Activity, ActivityImport):
            table = model._meta.db_table
            if connection.vendor == "postgresql":
                cursor.execute(f"TRUNCATE {table} RESTART IDENTITY CASCADE")
            else:
                cursor.execute(f"DELETE FROM {table}")  # noqa: S608


def _structures(rng) -> list[tuple[int, str]]:
    existing = list(Structure.objects.filter(nom__startswith="Bench activité").values_list("pk", "commune_id"))
    if len(existing) >= STRUCTURES:
        return sorted(existing)
    communes = list(Commune.objects.communes().filter(is_current=True).values_list("code", flat=True))
    rng.shuffle(communes)
    Structure.objects.bulk_create(
        [Structure(nom=f"Bench activité {i}", commune_id=code) for i, code in enumerate(communes[:STRUCTURES])]
    )
    return sorted(Structure.objects.filter(nom__startswith="Bench activité").values_list("pk", "commune_id"))


class _RolledBack(Exception):
    pass


def _chunk_rows(structures, communes, size: int, seed: int, start: dt.date, end: dt.date) -> list[tuple]:
    batch = ActivityImport.objects.create(filename=f"bench-{seed}")
    return list(
        generated_rows(
            n=size,
            seed=seed,
            structures=structures,
            communes=communes,
            start=start,
            end=end,
            batch_id=batch.pk,
        )
    )


def _ingest(structures, communes, total: int):
    """Bulk path by chunks in date order; returns (ms per 1,000 activities per chunk, activities/s,
    time shares)."""
    per_thousand, done, elapsed, timings = [], 0, 0.0, {}
    chunks = -(-total // CHUNK)
    days = (END - START).days + 1
    for index in range(chunks):
        size = min(CHUNK, total - done)
        start = START + dt.timedelta(days=days * index // chunks)
        end = START + dt.timedelta(days=days * (index + 1) // chunks - 1)
        with transaction.atomic():
            rows = _chunk_rows(structures, communes, size, SEED + index, start, end)
            t0 = time.perf_counter()
            insert_activities(rows, block=CHUNK, timings=timings)
        took = time.perf_counter() - t0
        elapsed += took
        per_thousand.append(took * 1000 / (size / 1000))
        done += size
        print(f"  ingest: {done:,} / {total:,} activities ({done / elapsed:,.0f}/s)", flush=True)
    shares = {key: seconds / elapsed for key, seconds in timings.items()}
    shares["commit"] = 1 - sum(shares.values())
    return per_thousand, total / elapsed, shares


def _spread_ingest(structures, communes, chunks: int, size: int) -> list[float]:
    """Worst case: chunks dated over the whole three years, each rolled back after it is timed (the
    dashboard keeps its data set); ms per 1,000 activities per chunk, commit excluded."""
    per_thousand = []
    for index in range(chunks):
        try:
            with transaction.atomic():
                rows = _chunk_rows(structures, communes, size, SEED + 1000 + index, START, END)
                t0 = time.perf_counter()
                insert_activities(rows, block=CHUNK)
                per_thousand.append((time.perf_counter() - t0) * 1000 / (size / 1000))
                raise _RolledBack
        except _RolledBack:
            pass
    return per_thousand


def _server_settings() -> str:
    if connection.vendor != "postgresql":
        return "SQLite"
    names = ["shared_buffers", "max_wal_size", "checkpoint_timeout"]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)", [names])
        found = dict(cursor.fetchall())
    return ", ".join(f"{name}={found[name]}" for name in names)


def _row_by_row(structures, communes, count: int) -> list[float]:
    batch = ActivityImport.objects.create(filename="bench-row-by-row")
    fields = [f.attname for f in Activity._meta.concrete_fields if f.attname != "id" and f.attname != "deleted_at"]
    rows = list(
        generated_rows(
            n=count,
            seed=SEED - 1,
            structures=structures,
            communes=communes,
            start=START,
            end=END,
            batch_id=batch.pk,
        )
    )
    assert set(COLUMNS) <= set(fields)
    per_thousand = []
    for start in range(0, count, 200):
        t0 = time.perf_counter()
        for row in rows[start : start + 200]:
            values = dict(zip(COLUMNS, row, strict=True))

            values["thematiques"] = json.loads(values["thematiques"])
            values["materiel"] = json.loads(values["materiel"])
            Activity.objects.create(**values)
        per_thousand.append((time.perf_counter() - t0) * 1000 * 5)
    rollups.apply("a.import_batch_id = %s", [batch.pk])  # untimed: the rows above are the baseline
    return per_thousand


def _queries(rng, structures, count: int) -> list[tuple]:
    codes = [code for _, code in structures]
    communes = {c.code: c for c in Commune.objects.filter(code__in=codes)}
    queries = []
    for _ in range(count):
        commune = communes[rng.choice(codes)]
        level = rng.choice(["commune", "epci", "departement", "region"])
        code = {
            "commune": commune.code,
            "epci": commune.epci_id,
            "departement": commune.departement_id,
            "region": commune.region_id,
        }[level]
        if not code:
            level, code = "departement", commune.departement_id
        start = START + dt.timedelta(days=rng.randrange((END - START).days))
        end = min(END, start + dt.timedelta(days=rng.choice([6, 30, 91, 182, 365, 730])))
        queries.append((TerritoryRef(level, code), start, end))
    return queries


def run(*, full: bool) -> list[Comparison]:
    rng = random.Random(SEED)
    total = FULL_SIZE if full else 100_000
    _reset()
    structures = _structures(rng)
    communes = sorted({code for _, code in structures})
    ours_ingest, rate, shares = _ingest(structures, communes, total)
    spread = _spread_ingest(structures, communes, 4 if full else 1, min(CHUNK, total))
    if connection.vendor == "postgresql":
        # What autovacuum does after a large load (visibility map: index-only counts).
        with connection.cursor() as cursor:
            for model in (Activity, DailyRollup, MonthlyRollup, MonthlyDepartementRollup):
                cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    queries = _queries(rng, structures, 300)
    for query in queries[:5]:
        activity_figures(*query)  # warm-up: first connection queries, commune arrondissements
    mismatches = []

    def ours(query):
        ref, start, end = query
        activity_figures(ref, start, end)

    def naive(query):
        ref, start, end = query
        raw_figures(ref, start, end)

    for query in queries[:20]:
        if activity_figures(*query) != raw_figures(*query):
            mismatches.append(query)
    baseline_queries = queries if not full else queries[:40]
    dashboard = Comparison(
        name=f"Activity dashboard figures, {total:,} activities ({connection.vendor})",
        ours=measure("rollups (monthly + daily)", ours, queries),
        baseline=measure("GROUP BY on raw activities", naive, baseline_queries),
        notes=[
            f"{len(queries)} random territory × period queries (baseline: {len(baseline_queries)})",
            f"rollup rows: {DailyRollup.objects.count():,} daily, {MonthlyRollup.objects.count():,} monthly",
            f"answers compared on 20 queries: {'all equal' if not mismatches else f'{len(mismatches)} DIFFERENT'}",
        ],
    )
    baseline_rows = 2_000
    naive_ingest = _row_by_row(structures, communes, baseline_rows)
    ingest = Comparison(
        name=f"Activity ingest, {total:,} activities ({connection.vendor})",
        ours=_timing("COPY + rollup deltas (ms / 1,000)", ours_ingest, activities_per_s=round(rate)),
        baseline=_timing(
            "row-by-row ORM inserts (ms / 1,000)",
            naive_ingest,
            activities_per_s=round(_rate(naive_ingest)),
            sample=baseline_rows,
        ),
        notes=[
            f"chunks of {CHUNK:,} pre-validated activities, one transaction each; rollups up to date after each;",
            "chunks in date order (each covers the next weeks, like monthly imports)",
            f"share of the time in COPY (rollup deltas summed meanwhile): {shares['copy']:.0%}, "
            f"in the rollup upserts: {shares['rollups']:.0%}, in COMMIT: {shares['commit']:.0%}",
            f"worst case, {len(spread)} chunk(s) dated over the whole three years (then rolled back): "
            f"{_rate(spread):,.0f} activities/s",
            f"server: {_server_settings()}",
        ],
    )
    return [dashboard, ingest]
