"""Coverage of the mesh: distances, reach, white zones, densities, indicator sources."""

import math

import numpy as np
import pytest

from maillage.core.indicators import compute_indicator
from maillage.diagnosis.coverage import CommuneSet, PlaceSet, compute_coverage, nearest_and_count, to_xyz
from maillage.territories.territory import TerritoryRef
from tests.diagnosis.factories import make_run
from tests.places.factories import PlaceFactory


def haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _communes():
    return CommuneSet(
        codes=["A", "B", "C"],
        names=["A", "B", "C"],
        latitude=np.array([48.44, 48.0, 47.0]),
        longitude=np.array([1.49, 1.3, 1.0]),
        population=np.array([1000.0, 200.0, 50.0]),
        fragile=np.array([False, True, True]),
        score=np.array([4.0, 6.5, 7.0]),
    )


def test_distances_reach_and_white_zones():
    places = PlaceSet(
        latitude=np.array([48.45, 48.40, 48.02]),
        longitude=np.array([1.48, 1.50, 1.35]),
        weekly_hours=np.array([20.0, np.nan, 10.0]),
        categories={"France Services": np.array([False, False, True])},
    )
    coverage = compute_coverage(_communes(), places, distance_km=10)
    assert coverage.nearest_km[0] == pytest.approx(haversine(48.44, 1.49, 48.45, 1.48), rel=1e-9)
    assert coverage.places_within.tolist() == [2, 1, 0]
    assert coverage.hours_within.tolist() == [20.0, 10.0, 0.0]
    assert coverage.unknown_hours_within.tolist() == [1, 0, 0]
    assert coverage.covered.tolist() == [True, True, False]
    assert coverage.population_beyond() == 50
    assert coverage.fragile_population_beyond() == 50
    assert [row["code"] for row in coverage.white_zones()] == ["C"]
    by_fs = coverage.nearest_by_category["France Services"]
    assert by_fs[0] == pytest.approx(haversine(48.44, 1.49, 48.02, 1.35), rel=1e-9)


def test_no_place_at_all_means_everyone_is_beyond():
    empty = PlaceSet(latitude=np.array([]), longitude=np.array([]), weekly_hours=np.array([]))
    coverage = compute_coverage(_communes(), empty, distance_km=10)
    assert np.isinf(coverage.nearest_km).all()
    assert coverage.population_beyond() == 1250
    # White zones rank the fragile population uncovered first: B (200) before C (50) before A (0).
    assert [row["code"] for row in coverage.white_zones()] == ["B", "C", "A"]


def test_bench_core_matches_a_brute_force():
    rng = np.random.default_rng(1)
    communes = to_xyz(rng.uniform(43, 50, 200), rng.uniform(-1, 6, 200))
    places = to_xyz(rng.uniform(43, 50, 500), rng.uniform(-1, 6, 500))
    distance, count = nearest_and_count(communes, places, 25.0)
    from maillage.diagnosis.coverage import chord_to_km

    brute = chord_to_km(np.linalg.norm(communes[:, None, :] - places[None, :, :], axis=2))
    assert np.allclose(distance, brute.min(axis=1))
    assert (count == (brute <= 25.0).sum(axis=1)).all()


def test_territory_coverage_and_indicator_sources():
    ref = TerritoryRef("departement", "28")
    assert compute_indicator("diagnosis.population_fragile", ref) is None  # no run yet
    PlaceFactory(in_chartres=True, position_latitude=48.4469, position_longitude=1.4892)
    run = make_run(departements=("28",))
    fragile = compute_indicator("diagnosis.population_fragile", ref, seuil="6")
    share = compute_indicator("diagnosis.part_population_fragile", ref, seuil="6")
    scores = dict(run.scores.filter(level="commune").values_list("code", "total"))
    from maillage.territories.models import Commune

    population = dict(Commune.objects.filter(code__in=scores).values_list("code", "population"))
    expected = sum(population[c] or 0 for c, total in scores.items() if total >= 6)
    assert fragile == expected
    assert share == pytest.approx(100 * expected / sum(p or 0 for p in population.values()), abs=0.01)
    beyond = compute_indicator("diagnosis.population_hors_portee", ref, distance="10")
    total = sum(
        p or 0 for p in Commune.objects.communes().filter(departement_id="28").values_list("population", flat=True)
    )
    assert 0 < beyond < total  # Chartres and its neighbours are within 10 km of the place


def test_demo_stores_a_labelled_run_from_maillage_data_only(client):
    from maillage.diagnosis.demo import seed_diagnosis
    from maillage.diagnosis.models import IndexRun

    PlaceFactory(in_chartres=True, position_latitude=48.4469, position_longitude=1.4892)
    PlaceFactory(dispositif_programmes_nationaux=["France Services"])
    line = seed_diagnosis("28")
    run = IndexRun.objects.get()
    assert run.kind == "demo" and run.method_key == "maillage-acces"
    assert "démonstration" in line
    assert seed_diagnosis("28") == ""  # idempotent
    assert set(run.counts) == {"commune", "epci", "departement"} and run.counts["departement"] == 1
    chartres = run.scores.get(level="commune", code="28085").values
    remote = run.scores.filter(level="commune").order_by("-values__distance_lieu").first()
    assert chartres["distance_lieu"] <= remote.values["distance_lieu"]
    html = client.get("/diagnostic/departement/28/").content.decode()
    assert "Démonstration" in html or "démonstration" in html
    coverage = client.get("/diagnostic/departement/28/couverture/").content.decode()
    assert "Service : Aide aux démarches administratives" in coverage


def test_densities_per_epci_and_for_the_territory(client):
    from maillage.diagnosis import selectors
    from maillage.territories.models import Epci

    PlaceFactory(horaires="Mo-Fr 09:00-12:00")  # Châteaudun, 15 h a week
    PlaceFactory(horaires="")  # hours unknown: counted as a place, not as hours
    ref = TerritoryRef("departement", "28")
    epci = Epci.objects.get(communes__code="28088")
    rows = {row.code: row for row in selectors.epci_densities(ref)}
    assert rows[epci.code].places == 2
    assert rows[epci.code].weekly_hours == 15.0
    assert rows[epci.code].places_per_10000 == pytest.approx(round(2 * 10_000 / epci.population, 2))
    assert rows[epci.code].hours_per_1000 == pytest.approx(round(15 * 1_000 / epci.population, 1))
    others = [row for code, row in rows.items() if code != epci.code]
    assert others and all(row.places == 0 for row in others)
    whole = selectors.territory_density(ref, "Eure-et-Loir", 433129)
    assert whole.places == 2 and whole.places_per_10000 == pytest.approx(round(2 * 10_000 / 433129, 2))


def test_demo_without_places_explains_instead_of_failing():
    from maillage.diagnosis.demo import seed_diagnosis
    from maillage.diagnosis.models import IndexRun

    assert "pas d'indice de démonstration" in seed_diagnosis("28")
    assert not IndexRun.objects.exists()
