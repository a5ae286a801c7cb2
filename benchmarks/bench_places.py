"""Places: nearest-with-filters search and import throughput.

Search: places generated over France like its population (communes drawn in proportion to their
population, positions scattered around the commune's centre), written to the database; random
queries (a point drawn the same way, one service, half of them "free of charge too"), k = 10.
maillage answers from its in-memory index (`search.get_index().nearest`), in process and through
HTTP (`/api/v1/lieux/proches`, Django's threaded server in another process, a connection per query).
References measured in the same run: a full scan of every place (numpy: filter mask, every
distance, partial sort), and PostGIS KNN (`<->` on a GiST index over geography, prepared statement)
when the benchmark database is PostgreSQL and Debian's `postgresql-15-postgis-3` is installed — the
setup says plainly when it is not.

Import: a generated standard CSV (all valid rows) imported by maillage's importer (validation,
commune resolution, bulk write) against a row-by-row baseline (same validation, one ORM `save()`
per row), in rows per second.

Default: 20,000 places and 2,000 queries (naive scan on 500 of them), 5,000 import rows (baseline
on 1,000); `--full`: 100,000 places and 10,000 queries (all of them through every reference),
50,000 import rows (baseline on 5,000).
"""

import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import numpy as np
from django.db import connection, transaction

from benchmarks.common import Comparison, Timing, measure
from maillage.places import search
from maillage.places import standard as std
from maillage.places.models import Place
from maillage.territories.models import Commune

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261207
DATASET = "bench"
K = 10
TARGET_IN_PROCESS_P95_MS = 0.15
TARGET_HTTP_P95_MS = 5.0
TARGET_VS_POSTGIS = 10.0
TARGET_IMPORT_ROWS_S = 50_000


def _communes():
    rows = list(
        Commune.objects.communes()
        .filter(is_current=True, latitude__isnull=False, population__gt=0)
        .values_list("code", "nom", "latitude", "longitude", "population")
    )
    weights = np.array([row[4] for row in rows], dtype=np.float64)
    return rows, weights / weights.sum()


def _points(rng: np.random.Generator, rows, weights, count: int):
    """Points drawn like the population: a commune by population, then ~1.5 km around its centre."""
    chosen = rng.choice(len(rows), size=count, p=weights)
    lat = np.array([rows[i][2] for i in chosen]) + rng.normal(0, 0.012, count)
    lon = np.array([rows[i][3] for i in chosen]) + rng.normal(0, 0.017, count)
    return chosen, lat, lon


def _services(rng: random.Random) -> list[str]:
    return sorted(rng.sample(std.SERVICES, rng.randint(1, 4)), key=std.SERVICES.index)


def generate_places(count: int) -> int:
    """Replace the benchmark's places by `count` generated ones; returns the number written."""
    rng, prng = np.random.default_rng(SEED), random.Random(SEED)
    rows, weights = _communes()
    chosen, lat, lon = _points(rng, rows, weights, count)
    Place.objects.filter(dataset=DATASET).delete()
    places = []
    for n, (i, la, lo) in enumerate(zip(chosen, lat, lon, strict=True)):
        code, nom, *_ = rows[i]
        places.append(
            Place(
                dataset=DATASET,
                local_id=f"bench-{n}",
                pivot=std.PLACEHOLDER_PIVOT,
                nom=f"Lieu {n} de {nom}",
                commune_nom=nom,
                code_postal="00000",
                code_insee=code,
                adresse=f"{n % 200 + 1} rue de la Mairie",
                latitude=float(la),
                longitude=float(lo),
                position_latitude=float(la),
                position_longitude=float(lo),
                position_origin="given",
                commune_id=code,
                date_maj="2026-01-15",
                services=_services(prng),
                frais_a_charge=["Gratuit"] if prng.random() < 0.6 else ["Payant"],
                horaires="Mo-Fr 09:00-12:00,14:00-17:00",
            )
        )
    with transaction.atomic():
        Place.objects.bulk_create(places, batch_size=5000)
    search.invalidate_index()
    return count


def make_queries(count: int):
    rng, prng = np.random.default_rng(SEED + 1), random.Random(SEED + 1)
    rows, weights = _communes()
    _, lat, lon = _points(rng, rows, weights, count)
    queries = []
    for la, lo in zip(lat, lon, strict=True):
        filters = {"services": [prng.choice(std.SERVICES)]}
        if prng.random() < 0.5:
            filters["frais"] = ["Gratuit"]
        queries.append((float(la), float(lo), filters))
    return queries


class NaiveScan:
    """Every place, every query: filter mask, every distance, partial sort (numpy)."""

    def __init__(self, index: search.PlaceIndex):
        self.index = index
        self.services = [set(s["services"]) for s in index.summaries]
        self.frais = [set(s["frais_a_charge"]) for s in index.summaries]

    def nearest(self, lat, lon, filters):
        wanted_service = filters["services"][0]
        free = "frais" in filters
        mask = np.fromiter(
            (
                wanted_service in s and (not free or "Gratuit" in f)
                for s, f in zip(self.services, self.frais, strict=True)
            ),
            dtype=bool,
            count=len(self.services),
        )
        candidates = np.flatnonzero(mask)
        point = search.to_xyz(lat, lon)[0]
        chords = np.linalg.norm(self.index.xyz[candidates] - point, axis=1)
        best = np.argpartition(chords, min(K, len(chords) - 1))[:K] if len(chords) > K else np.arange(len(chords))
        best = best[np.argsort(chords[best])]
        return self.index.ids[candidates[best]]


# --- PostGIS ------------------------------------------------------------------------------------


def postgis_setup() -> str | None:
    """Install PostGIS into the local PostgreSQL if needed; None when ready, else the reason."""
    if connection.vendor != "postgresql":
        return "the benchmark database is SQLite (set BENCH_DATABASE_URL to a PostgreSQL URL for PostGIS)"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
        available = cursor.fetchone() is not None
    if not available and shutil.which("apt-get"):
        print("PostGIS absent: apt-get install -y postgresql-15-postgis-3 …", flush=True)
        done = subprocess.run(
            ["apt-get", "install", "-y", "--no-install-recommends", "postgresql-15-postgis-3"],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            return f"apt-get install postgresql-15-postgis-3 failed: {done.stderr.strip()[-300:]}"
    try:
        with connection.cursor() as cursor:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
    except Exception as error:  # noqa: BLE001 (reported, not hidden)
        return f"CREATE EXTENSION postgis failed: {error}"
    return None


def postgis_load() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_places_gis")
        cursor.execute(
            "CREATE TABLE bench_places_gis AS SELECT id, "
            "ST_SetSRID(ST_MakePoint(position_longitude, position_latitude), 4326)::geography AS geog, "
            "ARRAY(SELECT jsonb_array_elements_text(services::jsonb)) AS services, "
            "ARRAY(SELECT jsonb_array_elements_text(frais_a_charge::jsonb)) AS frais "
            "FROM places_place WHERE is_published AND merged_into_id IS NULL AND missing_since IS NULL "
            "AND position_latitude IS NOT NULL"
        )
        cursor.execute("CREATE INDEX bench_places_gis_geog ON bench_places_gis USING gist (geog)")
        cursor.execute("ANALYZE bench_places_gis")
        cursor.execute("DEALLOCATE ALL")
        cursor.execute(
            "PREPARE bench_knn(float8, float8, text, text[]) AS "
            "SELECT id FROM bench_places_gis WHERE $3 = ANY(services) AND frais @> $4 "
            "ORDER BY geog <-> ST_SetSRID(ST_MakePoint($2, $1), 4326)::geography LIMIT 10"
        )


def postgis_query(cursor, query):
    lat, lon, filters = query
    cursor.execute("EXECUTE bench_knn(%s, %s, %s, %s)", [lat, lon, filters["services"][0], filters.get("frais", [])])
    return [row[0] for row in cursor.fetchall()]


# --- HTTP ---------------------------------------------------------------------------------------


class HttpClient:
    """A maillage server in its own process, as deployed (gunicorn, 2 sync workers, DEBUG off; see
    docs/decisions/004-production-server.md) on the benchmark database, one connection per query."""

    def __init__(self):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        env = {**os.environ, "DEBUG": "false", "DJANGO_SETTINGS_MODULE": "config.settings.dev"}
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                "--workers=2",
                f"--bind=127.0.0.1:{self.port}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                self.get("/api/v1/lieux/proches?lat=48.07&lon=1.33")
                break
            except (OSError, http.client.HTTPException):
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.close()
                    raise RuntimeError("the benchmark server did not start") from None
                time.sleep(0.3)

    def get(self, path: str) -> bytes:
        # A new connection per query, as a partner's one-off request makes (gunicorn's sync workers
        # close the connection after each response anyway).
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request("GET", path, headers={"Host": "localhost", "Connection": "close"})
            response = conn.getresponse()
            body = response.read()
        finally:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"HTTP {response.status}: {body[:200]!r}")
        return body

    def nearest(self, query) -> list[int]:
        lat, lon, filters = query
        params = [("lat", f"{lat:.6f}"), ("lon", f"{lon:.6f}"), ("k", str(K))]
        params += [(name, value) for name, values in filters.items() for value in values]
        return [item["id"] for item in json.loads(self.get("/api/v1/lieux/proches?" + urllib.parse.urlencode(params)))]

    def close(self):
        self.process.terminate()
        self.process.wait(timeout=20)


def _target(label: str, value: float, target: float, *, lower_is_better=True) -> str:
    met = value <= target if lower_is_better else value >= target
    return f"{label}: {value:.3f} (target {'≤' if lower_is_better else '≥'} {target}) — {'met' if met else 'NOT met'}"


def run_search(*, full: bool) -> list[Comparison]:
    places, count = (100_000, 10_000) if full else (20_000, 2_000)
    naive_count = count if full else 500
    started = time.perf_counter()
    generate_places(places)
    print(f"places: {places} generated places written in {time.perf_counter() - started:.1f} s", flush=True)
    queries = make_queries(count)
    started = time.perf_counter()
    index = search.get_index()
    build_s = time.perf_counter() - started
    for query in queries[:300]:  # warm the per-filter trees (as a running server has them)
        index.nearest(query[0], query[1], k=K, filters=query[2])

    ours = measure(
        "maillage index (in process)", lambda q: search.get_index().nearest(q[0], q[1], k=K, filters=q[2]), queries
    )
    naive = NaiveScan(index)
    agree = sum(
        [f.id for f in index.nearest(q[0], q[1], k=K, filters=q[2])] == list(naive.nearest(*q)) for q in queries[:200]
    )
    naive_timing = measure("naive full scan (numpy)", lambda q: naive.nearest(*q), queries[:naive_count])
    common = [
        f"{places} places spread like the population, {count} queries, k={K}, filter: one service (+ free for half)",
        f"index built from the database in {build_s:.2f} s; answers identical to the scan on {agree}/200 queries",
    ]
    comparisons = [
        Comparison(
            f"Places nearest-with-filters, in process vs naive scan ({places} places)",
            ours,
            naive_timing,
            [*common, _target("in-process p95 ms", ours.p95_ms, TARGET_IN_PROCESS_P95_MS)]
            + ([f"naive scan on the first {naive_count} queries; --full for all"] if naive_count < count else []),
        )
    ]

    client = HttpClient()
    try:
        for query in queries[:300]:  # the server's own index and per-filter trees
            client.nearest(query)
        over_http = measure("maillage via HTTP (/api/v1/lieux/proches)", client.nearest, queries)
    finally:
        client.close()

    problem = postgis_setup()
    if problem:
        print(f"PostGIS reference skipped: {problem}", flush=True)
        comparisons.append(
            Comparison(
                f"Places nearest-with-filters via HTTP vs naive scan ({places} places)",
                over_http,
                naive_timing,
                [f"PostGIS reference NOT measured: {problem}", _target("HTTP p95 ms", over_http.p95_ms, 5.0)],
            )
        )
        return comparisons
    postgis_load()
    with connection.cursor() as cursor:
        for query in queries[:200]:
            postgis_query(cursor, query)
        postgis_agree = sum(
            postgis_query(cursor, q) == [f.id for f in index.nearest(q[0], q[1], k=K, filters=q[2])]
            for q in queries[:200]
        )
        gis = measure("PostGIS KNN <-> GiST (prepared)", lambda q: postgis_query(cursor, q), queries)
    ratio = gis.p95_ms / ours.p95_ms
    comparisons.append(
        Comparison(
            f"Places nearest-with-filters, in process vs PostGIS KNN ({places} places)",
            ours,
            gis,
            [
                f"PostGIS: geography points, GiST index, prepared statement, same filters; same 10 ids as maillage "
                f"on {postgis_agree}/200 queries (ties and the sphere vs spheroid may reorder equals)",
                _target("p95 ratio PostGIS / maillage", ratio, TARGET_VS_POSTGIS, lower_is_better=False),
            ],
        )
    )
    comparisons.append(
        Comparison(
            f"Places nearest-with-filters via HTTP vs PostGIS KNN in the database ({places} places)",
            over_http,
            gis,
            [
                "HTTP: gunicorn (2 sync workers, DEBUG off) in its own process, one new connection per "
                "query, JSON decoded by the client; PostGIS: the SQL alone, without HTTP",
                _target("HTTP p95 ms", over_http.p95_ms, TARGET_HTTP_P95_MS),
            ],
        )
    )
    return comparisons


# --- Import throughput ---------------------------------------------------------------------------

IMPORT_DATASET = "bench-import"
BASELINE_DATASET = "bench-import-orm"
WARM_DATASET = "bench-import-warm"
FLOOR_DATASET = "bench-import-floor"


def import_csv(count: int) -> bytes:
    """`count` valid rows of the standard, in communes drawn like the population."""
    from maillage.places.export import to_csv
    from maillage.territories.models import PostalCode

    prng = random.Random(SEED + 2)
    rows, weights = _communes()
    chosen, lat, lon = _points(np.random.default_rng(SEED + 2), rows, weights, count)
    postal = dict(PostalCode.objects.order_by("-code").values_list("commune_id", "code"))
    records = []
    for n, (i, la, lo) in enumerate(zip(chosen, lat, lon, strict=True)):
        code, nom, centre_lat, centre_lon, _ = rows[i]
        near = abs(la - centre_lat) < 0.01 and abs(lo - centre_lon) < 0.01
        records.append(
            dict.fromkeys(std.FIELD_NAMES, "")
            | {
                "id": f"import-{n}",
                "pivot": "13002526500013" if n % 3 else std.PLACEHOLDER_PIVOT,
                "nom": f"Espace numérique {n} de {nom}",
                "commune": nom,
                "code_postal": postal.get(code, ""),
                "code_insee": code,
                "adresse": f"{n % 90 + 1} rue de la République",
                "latitude": f"{la:.6f}" if near else "",
                "longitude": f"{lo:.6f}" if near else "",
                "telephone": f"+332{prng.randint(10000000, 99999999)}",
                "courriels": f"contact{n}@exemple.fr",
                "horaires": prng.choice(["Mo-Fr 09:00-12:00,14:00-17:00", "Tu-Sa 10:00-18:00", ""]),
                "date_maj": prng.choice(["2026-01-15", "2025-11-30", "2024-06-01"]),
                "services": "|".join(_services(prng)),
                "frais_a_charge": prng.choice(["Gratuit", "Payant", "Gratuit sous condition"]),
                "modalites_acces": "Se présenter|Téléphoner",
                "typologie": prng.choice(["BIB", "MUNI", "RFS", "ASSO"]),
                "dispositif_programmes_nationaux": prng.choice(["Conseillers numériques", "France Services", ""]),
            }
        )
    return to_csv(records)


def _row_by_row(data: bytes) -> int:
    """The baseline: the same reading, validation and positioning, then one ORM save per row
    (and one journal entry per row through audit.record), in one transaction."""
    from maillage.core import audit
    from maillage.places.enums import AuditAction
    from maillage.places.geo import CommuneResolver
    from maillage.places.importing.files import read_bytes
    from maillage.places.importing.runner import _model_values
    from maillage.places.importing.validation import RowChecker
    from maillage.places.importing.variants import detect

    parsed = read_bytes(data, "baseline.csv")
    variant = detect(parsed.columns, None)
    checker, resolver = RowChecker(), CommuneResolver()
    written = 0
    with transaction.atomic():
        for record in parsed.records:
            converted = variant.convert(record.values)
            checked = RowChecker.check(checker, record.line, converted.fields)
            checker._memo.clear()  # row by row: nothing shared between rows
            if not checked.ok:
                continue
            v = checked.values
            location = resolver.locate(v["code_insee"], v["code_postal"], v["commune"], v["latitude"], v["longitude"])
            values = _model_values(checked, location, converted.extra, {})
            place = Place(dataset=BASELINE_DATASET, standard_version=std.STANDARD_VERSION, **values)
            place.save()
            audit.record(actor=None, action=AuditAction.PLACE_CREATED, obj=place, payload={"id": place.local_id})
            written += 1
    return written


def _throughput(label: str, rows: int, seconds: float) -> Timing:
    per_row = seconds * 1000 / rows
    return Timing(label, rows, per_row, per_row, per_row, seconds, {"rows_per_s": round(rows / seconds)})


def _validation_seconds(data: bytes) -> float:
    """The importer's own validation alone (read, convert, check by column, locate), no write: the
    same ImportJob steps `import_places` runs before writing."""
    from maillage.places.importing.files import read_bytes
    from maillage.places.importing.runner import ImportJob, cyclic_gc_paused
    from maillage.places.importing.variants import detect

    started = time.perf_counter()
    with cyclic_gc_paused():  # as import_places runs it
        job = ImportJob(data=data, filename="bench-import.csv", dataset=IMPORT_DATASET)
        job.parsed = read_bytes(data, job.filename)
        job.variant = detect(job.parsed.columns)
        table = job._check_rows()
        job._prepare_locating(table)  # in the import, rows are located while the COPY runs
        job._locate(table, range(len(table.accepted)))
    return time.perf_counter() - started


def _postgresql_alone(batch) -> float | None:
    """PostgreSQL's own share of an import, measured without Python between the rows: the places
    the import wrote, read back as COPY text, copied again into the same table (under another
    dataset), the import's report stored again, one commit — the least an import of these rows
    costs the server, whatever the importer does before. PostgreSQL only (None elsewhere)."""
    if connection.vendor != "postgresql":
        return None
    from django.db import models

    fields = [f for f in Place._meta.concrete_fields if not f.primary_key and f.db_default is models.NOT_PROVIDED]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    selected = ", ".join(
        "%s" if field.attname == "dataset" else connection.ops.quote_name(field.column) for field in fields
    )
    table = Place._meta.db_table
    data = bytearray()
    with connection.cursor() as cursor:
        query = f"COPY (SELECT {selected} FROM {table} WHERE dataset = %s) TO STDOUT"  # noqa: S608
        with cursor.cursor.copy(query, [FLOOR_DATASET, batch.dataset]) as copy:
            for block in copy:
                data += block
    report = json.dumps(batch.report)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for start in range(0, len(data), 1 << 20):
                copy.write(data[start : start + (1 << 20)])
        cursor.execute(f"UPDATE {batch._meta.db_table} SET report = %s::jsonb WHERE id = %s", [report, batch.pk])
    seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE dataset = %s", [FLOOR_DATASET])  # noqa: S608
    return seconds


def _server_share(rows: int, seconds: float | None) -> list[str]:
    if seconds is None:
        return []
    return [
        f"PostgreSQL's own work, measured alone (the same rows by COPY, the same report, one commit): "
        f"{seconds:.2f} s = {rows / seconds:,.0f} rows/s at most on this machine, however fast the "
        f"importer's Python ({seconds * 1_000_000 / rows:.1f} µs per row; the target allows 20 µs for everything)"
    ]


def run_import(*, full: bool) -> list[Comparison]:
    from maillage.places.importing.runner import import_places

    rows, baseline_rows = (50_000, 5_000) if full else (5_000, 1_000)
    data = import_csv(rows)
    Place.objects.filter(dataset__in=[IMPORT_DATASET, BASELINE_DATASET, WARM_DATASET, FLOOR_DATASET]).delete()
    started, cpu = time.perf_counter(), time.process_time()
    report, batch = import_places(actor=None, data=data, filename="bench-import.csv", dataset=IMPORT_DATASET)
    ours_s, ours_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert report["rows"] == report["accepted"] + report["rejected"] == rows
    server_s = _postgresql_alone(batch)
    started = time.perf_counter()
    again, _ = import_places(actor=None, data=data, filename="bench-import.csv", dataset=IMPORT_DATASET)
    reimport_s = time.perf_counter() - started
    # The same rows as new places of another dataset, in a process that has already read the
    # territory reference (as a server has after its first import).
    started = time.perf_counter()
    import_places(actor=None, data=data, filename="bench-import.csv", dataset=WARM_DATASET)
    warm_s = time.perf_counter() - started
    validation_s = _validation_seconds(data)
    load = os.getloadavg()[0]
    sample = data.split(b"\n", baseline_rows + 1)
    baseline_data = b"\n".join(sample[: baseline_rows + 1]) + b"\n"
    started = time.perf_counter()
    written = _row_by_row(baseline_data)
    baseline_s = time.perf_counter() - started
    ours = _throughput("maillage importer (COPY / bulk)", rows, ours_s)
    baseline = _throughput("row-by-row ORM save()", written, baseline_s)
    Place.objects.filter(dataset__in=[IMPORT_DATASET, BASELINE_DATASET, WARM_DATASET, FLOOR_DATASET]).delete()
    return [
        Comparison(
            f"Places import throughput ({rows} rows, {connection.vendor})",
            ours,
            baseline,
            [
                f"whole import: read, convert, validate field by field, locate in the commune, write, journal; "
                f"{report['accepted']} accepted, {report['rejected']} rejected, {len(report['warnings'])} warnings",
                f"re-importing the same file (nothing changes): {rows / reimport_s:,.0f} rows/s, "
                f"{again['unchanged']} unchanged",
                f"the same rows as new places of another dataset, territory reference already read by "
                f"this process: {rows / warm_s:,.0f} rows/s (the figure above includes reading it)",
                f"breakdown: validation alone (read, convert, check, locate) {validation_s:.2f} s = "
                f"{rows / validation_s:,.0f} rows/s; the rest (COPY and what it does not hide, report, commit) ≈ "
                f"{max(ours_s - validation_s, 0):.2f} s; load average {load:.1f} on {os.cpu_count()} CPUs",
                f"CPU time of the importing process (without PostgreSQL's own work): {ours_cpu:.2f} s = "
                f"{rows / ours_cpu:,.0f} rows/s",
                *_server_share(rows, server_s),
                f"baseline on the first {written} rows (same validation, one INSERT and one journal entry per row)",
                _target("rows/s", rows / ours_s, TARGET_IMPORT_ROWS_S, lower_is_better=False),
            ],
        )
    ]


def run(*, full: bool) -> list[Comparison]:
    """`BENCH_PLACES_PART=import` (or `search`) runs only that part."""
    part = os.environ.get("BENCH_PLACES_PART", "")
    comparisons = run_search(full=full) if part in ("", "search") else []
    if part in ("", "import"):
        comparisons += run_import(full=full)
    Place.objects.filter(dataset=DATASET).delete()
    search.invalidate_index()
    return comparisons
