"""Diagnosis: the fragility index for all of France at every level, and coverage of the mesh.

1. Index: IFN v3 from loaded raw inputs (49,409 IRIS, shared data when present, otherwise synthetic
   values on the reference's communes) → classes → communes → EPCI, départements, régions, with
   maillage's numpy engine against a straightforward pandas implementation (rank, groupby sums for
   weighted means), both in the same run; results are checked equal.
2. Coverage: every commune of the reference against 100,000 places (distance to the nearest place
   and number of places within 10 km): maillage's KD-tree against one PostGIS statement (LATERAL KNN
   + ST_DWithin on geography with a GiST index; only when BENCH_DATABASE_URL is PostgreSQL with the
   postgis extension available) and against the naive loop (numpy haversine per commune; extrapolated
   from a sample unless --full).
"""

import math
import time
from pathlib import Path

import numpy as np

from benchmarks.common import Comparison, Timing, measure
from maillage.diagnosis import engine
from maillage.diagnosis.coverage import EARTH_RADIUS_KM, nearest_and_count, to_xyz
from maillage.diagnosis.methods import load_method

SHARED_INPUTS = Path(__file__).resolve().parents[2] / "shared" / "data" / "fragility" / "inputs"
PLACES = 100_000
RADIUS_KM = 10.0
SEED = 2023


# --- 1. index ------------------------------------------------------------------------------------


def _inputs(method):
    if SHARED_INPUTS.is_dir():
        return engine.load_raw_inputs(method, SHARED_INPUTS), "données partagées (49 409 IRIS)"
    geography = engine.reference_geography()
    rng = np.random.default_rng(SEED)
    codes = geography.codes
    raw = rng.gamma(2.0, 10.0, size=(len(codes), len(method.indicators)))
    raw[rng.random(raw.shape) < 0.05] = np.nan
    return (
        engine.RawInputs(
            unit_codes=codes,
            unit_commune=np.arange(len(codes)),
            commune_codes=codes,
            unit_weights=np.ones(len(codes)),
            raw=raw,
        ),
        "valeurs synthétiques (données partagées absentes)",
    )


def _pandas_index(method, inputs, geography):
    """What an analyst would write: rank per column, weighted means by groupby sums, merge parents."""
    import pandas as pd

    keys = method.indicator_keys
    units = pd.DataFrame(inputs.raw, columns=keys)
    units["commune"] = [inputs.commune_codes[i] for i in inputs.unit_commune]
    units["weight"] = inputs.unit_weights
    for key in keys:
        pct = units[key].rank(method="max", pct=True)
        units[key] = np.clip(np.ceil(10 * pct - 1e-9), 1, 10)

    def weighted(frame, by, weight):
        sums, totals = {}, {}
        for key in keys:
            w = frame[weight].where(frame[key].notna(), 0.0)
            sums[key] = (frame[key].fillna(0) * w).groupby(frame[by]).sum()
            totals[key] = w.groupby(frame[by]).sum()
        return pd.DataFrame({key: sums[key] / totals[key] for key in keys})

    communes = weighted(units, "commune", "weight")
    communes.index.name = "code"
    reference = pd.DataFrame(
        {"code": geography.codes, "population": geography.population, **geography.parents}
    ).set_index("code")
    former = pd.Series(geography.former, name="current")
    current = pd.Series(communes.index, index=communes.index).where(
        communes.index.isin(reference.index), communes.index.map(former)
    )
    communes = communes.assign(current=current.values).join(reference, on="current")
    communes["population"] = communes["population"] / communes.groupby("current")["current"].transform("size")
    communes["total"] = communes[keys].mean(axis=1)
    results = {"commune": communes}
    for level in ("epci", "departement", "region"):
        scoped = communes[communes[level].notna() & (communes[level] != "") & (communes[level] != engine.NO_EPCI)]
        grouped = weighted(scoped, level, "population")
        grouped["total"] = grouped[keys].mean(axis=1)
        results[level] = grouped
    return results


def _index_comparison() -> Comparison:
    method = load_method("ifn-v3")
    inputs, origin = _inputs(method)
    geography = engine.reference_geography()
    ours = measure("maillage (numpy)", lambda _: engine.compute_index(method, inputs, geography), range(5))
    result = engine.compute_index(method, inputs, geography)
    baseline = measure("pandas (rank + groupby)", lambda _: _pandas_index(method, inputs, geography), range(5))
    reference = _pandas_index(method, inputs, geography)
    ours_dep = result.levels["departement"].as_dict(method.columns)
    gap = max(
        abs(ours_dep[code]["total"] - reference["departement"].loc[code, "total"])
        for code in ours_dep
        if ours_dep[code]["total"] is not None
    )
    sizes = {level: len(data.codes) for level, data in result.levels.items()}
    return Comparison(
        name="Indice de fragilité v3, France entière, tous niveaux (depuis les entrées chargées)",
        ours=ours,
        baseline=baseline,
        notes=[
            f"entrées : {origin} ; territoires : {sizes}",
            f"écart maximal maillage / pandas sur les totaux départementaux : {gap:.1e}",
            "objectif : < 2 s et ≥ 5× plus rapide que pandas",
        ],
    )


# --- 2. coverage ---------------------------------------------------------------------------------


def _communes():
    from maillage.territories.models import Commune

    rows = list(Commune.objects.communes().filter(latitude__isnull=False).values_list("code", "latitude", "longitude"))
    return [r[0] for r in rows], np.array([r[1] for r in rows]), np.array([r[2] for r in rows])


def _places(latitude, longitude, count=PLACES):
    """Places scattered around communes (within about 5 km), as a national registry would be."""
    rng = np.random.default_rng(SEED)
    chosen = rng.integers(0, len(latitude), size=count)
    lat = latitude[chosen] + rng.normal(0, 0.03, size=count)
    lon = longitude[chosen] + rng.normal(0, 0.04, size=count)
    return lat, lon


def _haversine_loop(c_lat, c_lon, p_lat, p_lon, radius_km):
    p_lat_r, p_lon_r = np.radians(p_lat), np.radians(p_lon)
    cos_p = np.cos(p_lat_r)
    nearest = np.empty(len(c_lat))
    counts = np.empty(len(c_lat), dtype=np.int64)
    for i in range(len(c_lat)):
        lat, lon = math.radians(c_lat[i]), math.radians(c_lon[i])
        a = np.sin((p_lat_r - lat) / 2) ** 2 + math.cos(lat) * cos_p * np.sin((p_lon_r - lon) / 2) ** 2
        distance = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(a))
        nearest[i] = distance.min()
        counts[i] = int((distance <= radius_km).sum())
    return nearest, counts


def _postgis(codes, c_lat, c_lon, p_lat, p_lon):
    """One PostGIS statement (LATERAL KNN + ST_DWithin) on geography points; None when unavailable."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None, "base SQLite : PostGIS non mesuré (BENCH_DATABASE_URL=postgres://… pour le mesurer)"
    with connection.cursor() as cursor:
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS postgis")
        except Exception as error:  # noqa: BLE001
            return None, f"extension postgis indisponible ({error}) : apt-get install postgresql-15-postgis-3"
        cursor.execute("DROP TABLE IF EXISTS bench_places; DROP TABLE IF EXISTS bench_communes")
        cursor.execute("CREATE TABLE bench_places (id serial primary key, geog geography(Point, 4326))")
        cursor.execute("CREATE TABLE bench_communes (code text primary key, geog geography(Point, 4326))")
        with cursor.copy("COPY bench_places (geog) FROM STDIN") as copy:
            for lat, lon in zip(p_lat, p_lon, strict=True):
                copy.write_row([f"SRID=4326;POINT({lon} {lat})"])
        with cursor.copy("COPY bench_communes (code, geog) FROM STDIN") as copy:
            for code, lat, lon in zip(codes, c_lat, c_lon, strict=True):
                copy.write_row([code, f"SRID=4326;POINT({lon} {lat})"])
        cursor.execute("CREATE INDEX bench_places_geog ON bench_places USING gist (geog)")
        cursor.execute("ANALYZE bench_places; ANALYZE bench_communes")
        statement = """
            SELECT c.code, n.distance / 1000.0,
                   (SELECT count(*) FROM bench_places p WHERE ST_DWithin(p.geog, c.geog, %s, false))
            FROM bench_communes c
            CROSS JOIN LATERAL (
                SELECT ST_Distance(p.geog, c.geog, false) AS distance FROM bench_places p
                ORDER BY p.geog <-> c.geog LIMIT 1
            ) n
        """

        def run(_):
            cursor.execute(statement, [RADIUS_KM * 1000])
            return cursor.fetchall()

        timing = measure("PostGIS (LATERAL KNN + ST_DWithin)", run, range(1))
        rows = run(None)
        cursor.execute("DROP TABLE bench_places; DROP TABLE bench_communes")
    return (timing, rows), ""


def _coverage_comparisons(full: bool) -> list[Comparison]:
    codes, c_lat, c_lon = _communes()
    p_lat, p_lon = _places(c_lat, c_lon)
    commune_xyz, place_xyz = to_xyz(c_lat, c_lon), to_xyz(p_lat, p_lon)
    ours = measure(
        "maillage (KD-tree, index compris)",
        lambda _: nearest_and_count(commune_xyz, place_xyz, RADIUS_KM),
        range(5),
        communes=len(codes),
        lieux=PLACES,
    )
    nearest, counts = nearest_and_count(commune_xyz, place_xyz, RADIUS_KM)
    comparisons = []
    postgis, reason = _postgis(codes, c_lat, c_lon, p_lat, p_lon)
    if postgis is not None:
        timing, rows = postgis
        by_code = {row[0]: (row[1], row[2]) for row in rows}
        index = {code: i for i, code in enumerate(codes)}
        gap = max(abs(by_code[c][0] - nearest[index[c]]) for c in codes)
        count_mismatch = sum(1 for c in codes if by_code[c][1] != counts[index[c]])
        comparisons.append(
            Comparison(
                name="Couverture : toutes les communes × 100 000 lieux (plus proche + lieux à 10 km)",
                ours=ours,
                baseline=timing,
                notes=[
                    f"écart maximal des distances maillage / PostGIS (sphère) : {gap * 1000:.1f} m",
                    f"communes dont le compte à 10 km diffère (bord du cercle) : {count_mismatch}",
                    "objectif : < 0,5 s et ≥ 50× plus rapide que PostGIS",
                ],
            )
        )
    sample = len(codes) if full else min(len(codes), 1000)
    rng = np.random.default_rng(SEED)
    rows = np.sort(rng.choice(len(codes), size=sample, replace=False))
    started = time.perf_counter()
    loop_nearest, loop_counts = _haversine_loop(c_lat[rows], c_lon[rows], p_lat, p_lon, RADIUS_KM)
    elapsed = time.perf_counter() - started
    scaled_ms = elapsed * 1000 * len(codes) / sample
    naive = Timing(
        label="boucle naïve (haversine par commune)" + ("" if full else f", extrapolée de {sample}"),
        samples=1,
        p50_ms=scaled_ms,
        p95_ms=scaled_ms,
        mean_ms=scaled_ms,
        total_s=elapsed,
    )
    gap = float(np.max(np.abs(loop_nearest - nearest[rows])))
    notes = [f"écart maximal des distances maillage / boucle : {gap * 1000:.3f} m"]
    notes.append(f"comptes identiques : {bool((loop_counts == counts[rows]).all())}")
    if reason:
        notes.append(reason)
    comparisons.append(
        Comparison(
            name="Couverture : toutes les communes × 100 000 lieux, contre la boucle naïve",
            ours=ours,
            baseline=naive,
            notes=notes,
        )
    )
    return comparisons


def run(*, full: bool) -> list[Comparison]:
    return [_index_comparison(), *_coverage_comparisons(full)]
