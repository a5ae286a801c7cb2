"""Agreement with the published IFN v3 (shared data, read in place)."""

import pytest

from maillage.diagnosis import engine, services
from maillage.diagnosis.methods import load_method
from tests.shared_data import shared_file

PUBLISHED = "fragility/published/ifn_v3_communes_cvl.csv"
# Figures of the seed roadmap (Numérique 28 Ensemble), to one decimal.
SEED_TOTALS = {"18": 6.1, "28": 5.3, "36": 6.8, "37": 5.3, "41": 6.4, "45": 5.3}
SEED_28 = {
    "no_thd_coverage_rate": 4.4,
    "no_4g_coverage_rate": 5.6,
    "poverty_rate": 5.2,
    "older_65_rate": 5.2,
    "nscol15p_rate": 6.3,
}


@pytest.fixture(scope="module")
def published_method():
    return load_method("ifn-v3")


def _departements(method, populations=None):
    scores = engine.load_commune_scores(method, shared_file(PUBLISHED))
    result = engine.aggregate_commune_scores(method, scores, engine.reference_geography(populations))
    assert result.unmatched == []
    return result.levels["departement"].as_dict(method.columns)


def test_published_commune_scores_give_the_seed_departement_totals(published_method):
    departements = _departements(published_method)  # populations légales 2023 of the reference
    for code, figure in SEED_TOTALS.items():
        assert round(departements[code]["total"], 1) == figure, code
    assert departements["18"]["total"] == pytest.approx(6.129, abs=5e-4)
    assert departements["36"]["total"] == pytest.approx(6.760, abs=5e-4)


def test_eure_et_loir_indicators_with_the_producers_population_year(published_method):
    populations = shared_file("fragility/inputs/communes_population_2017.csv")
    departements = _departements(published_method, populations)
    for column, figure in SEED_28.items():
        assert round(departements["28"][column], 1) == figure, column
    assert departements["28"]["older_65_rate"] == pytest.approx(5.172, abs=5e-4)
    # With 2023 populations, the 65+ figure is 5.148 → 5.1 (explained in docs/diagnosis/ifn-v3.md).
    assert round(_departements(published_method)["28"]["older_65_rate"], 1) == 5.1


def test_commune_total_is_the_mean_of_the_five_published_indicators(published_method):
    scores = engine.load_commune_scores(published_method, shared_file(PUBLISHED))
    result = engine.aggregate_commune_scores(published_method, scores, engine.reference_geography())
    computed = result.levels["commune"].values[:, -1]
    assert abs(computed - scores.given_total).max() < 1e-9


def test_raw_inputs_agreement_is_reported_per_indicator(published_method):
    computation = services.index_compute(
        method=published_method,
        inputs_dir=shared_file("fragility/inputs"),
        compare_with=shared_file(PUBLISHED),
    )
    single = {item.column: item for item in computation.agreement_single_iris}
    # Census indicators: same method, older vintage (RP 2017 instead of 2019).
    assert single["nscol15p_rate"].communes > 1600
    assert single["nscol15p_rate"].same_class > 0.75
    assert single["nscol15p_rate"].within_one > 0.90
    assert single["older_65_rate"].same_class > 0.55
    assert single["older_65_rate"].within_one > 0.90
    # THD 2019 vs 2022: fibre roll-out changed the distribution; the doc expects about 15 %.
    assert 0.10 < single["no_thd_coverage_rate"].same_class < 0.25
    # The whole of France is computed at every level.
    sizes = {level: len(data.codes) for level, data in computation.result.levels.items()}
    assert sizes["commune"] > 34_000 and sizes["epci"] > 1_200 and sizes["departement"] >= 100
