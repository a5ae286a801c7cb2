"""The index engine on small, hand-checked inputs."""

import math

import numpy as np
import pytest
from django.core.exceptions import ValidationError

from maillage.diagnosis import engine
from maillage.diagnosis.methods import load_method, method_to_yaml, parse_method, preset_names

SIMPLE = """
key: essai
version: "1"
scoring: {type: deciles, classes: 10}
combination:
  composites:
    - {key: total, of: {a: 1, b: 3}}
indicators:
  - {key: a, source: {file: a.csv, code: code, column: a}}
  - {key: b, direction: down, source: {file: a.csv, code: code, column: b}}
"""


def test_presets_are_shipped_and_parse():
    assert {"ifn-v1", "ifn-v3"} <= set(preset_names())
    v3 = load_method("ifn-v3")
    assert v3.columns == [
        "no_thd_coverage_rate",
        "no_4g_coverage_rate",
        "poverty_rate",
        "older_65_rate",
        "nscol15p_rate",
        "total",
    ]
    v1 = load_method("ifn-v1")
    assert v1.total_key == "score_global"
    assert v1.composites[4].of == {"acces_information": 2.0, "acces_interfaces_numeriques": 1.0}


def test_invalid_methods_get_french_errors():
    with pytest.raises(ValidationError, match="Méthode introuvable"):
        load_method("ifn-v9")
    with pytest.raises(ValidationError, match="scoring.type"):
        parse_method("key: x\nscoring: {type: magic}\nindicators: [{key: a, source: {file: f, code: c, column: v}}]")
    with pytest.raises(ValidationError, match="éléments inconnus"):
        parse_method(SIMPLE.replace("{a: 1, b: 3}", "{a: 1, zz: 3}"))


def test_deciles_take_the_upper_class_for_ties():
    # 6 of 10 units at 0: F(0) = 0.6 → class 6 for all of them, like 4G non-coverage in v3.
    values = np.array([0, 0, 0, 0, 0, 0, 1, 2, 3, 4], dtype=float)
    assert engine.decile_classes(values).tolist() == [6, 6, 6, 6, 6, 6, 7, 8, 9, 10]
    # Distinct values: one class each; direction down reverses; NaN stays missing.
    ramp = np.arange(1, 21, dtype=float)
    assert engine.decile_classes(ramp).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10]
    assert engine.decile_classes(ramp, direction="down")[0] == 10
    assert math.isnan(engine.decile_classes(np.array([1.0, np.nan]))[1])


def test_population_weighted_aggregation_and_weighted_total():
    method = parse_method(SIMPLE)
    values = np.array([[2.0, 4.0], [6.0, np.nan], [10.0, 10.0]])
    placement = engine.Placement(
        weights=np.array([100.0, 300.0, 0.0]),
        parents={"epci": np.array([0, 0, 1]), "departement": np.array([0, 0, 0]), "region": np.array([0, 0, 0])},
        level_codes={"epci": ["E1", "E2"], "departement": ["28"], "region": ["24"]},
        unmatched=[],
    )
    levels = engine.aggregate_up(method, ["c1", "c2", "c3"], values, placement)
    communes = levels["commune"].values
    assert communes[0, 2] == pytest.approx((2 + 3 * 4) / 4)
    assert communes[1, 2] == pytest.approx(6.0)  # b missing: mean of what is available
    e1 = levels["epci"].values[0]
    assert e1[0] == pytest.approx((2 * 100 + 6 * 300) / 400)
    assert e1[1] == pytest.approx(4.0)  # only c1 has b
    assert e1[2] == pytest.approx((e1[0] + 3 * e1[1]) / 4)  # total recombined from aggregated indicators
    # A group whose communes all weigh 0 still gets a value (unweighted mean).
    assert levels["epci"].values[1, 0] == pytest.approx(10.0)


def test_raw_inputs_are_scored_over_units_and_averaged_per_commune(tmp_path):
    (tmp_path / "a.csv").write_text("code;a;b\n" + "".join(f"{i:05d};{i};{20 - i}\n" for i in range(1, 21)))
    method = parse_method(SIMPLE)
    raw = engine.load_raw_inputs(method, tmp_path)
    assert raw.raw.shape == (20, 2)
    geography = engine.Geography(
        codes=[f"{i:05d}" for i in range(1, 21)],
        population=np.ones(20),
        parents={"epci": ["E"] * 20, "departement": ["28"] * 20, "region": ["24"] * 20},
    )
    result = engine.compute_index(method, raw, geography)
    communes = result.levels["commune"].as_dict(method.columns)
    assert communes["00001"]["a"] == 1 and communes["00020"]["a"] == 10
    assert communes["00001"]["b"] == 1  # b = 19 is the largest value but direction down
    out = engine.write_outputs(result, tmp_path / "out")
    assert [p.name for p in out] == ["commune.csv", "epci.csv", "departement.csv", "region.csv"]
    assert (tmp_path / "out" / "epci.csv").read_text().splitlines()[0] == "code,a,b,total"


def test_missing_input_file_is_a_clear_error(tmp_path):
    with pytest.raises(engine.InputError, match="introuvable"):
        engine.load_raw_inputs(parse_method(SIMPLE), tmp_path)
    (tmp_path / "a.csv").write_text("code;a\n1;2\n")
    with pytest.raises(engine.InputError, match="colonne"):
        engine.load_raw_inputs(parse_method(SIMPLE), tmp_path)


def test_merged_communes_share_the_current_commune_weight():
    geography = engine.Geography(
        codes=["28001"],
        population=np.array([900.0]),
        parents={"epci": ["E"], "departement": ["28"], "region": ["24"]},
        former={"28999": "28001"},
    )
    placement = engine.place_communes(["28001", "28999", "99999"], geography)
    assert placement.weights.tolist() == [450.0, 450.0, 0.0]
    assert placement.unmatched == ["99999"]


def test_a_variant_method_drops_adds_and_reweights():
    text = method_to_yaml(
        load_method("ifn-v3"),
        drop=["no_4g_coverage_rate"],
        weights={"poverty_rate": 2},
        add=[{"key": "distance_lieu", "label": "Distance au lieu le plus proche", "computed": "distance_lieu"}],
    )
    variant = parse_method(text)
    assert "no_4g_coverage_rate" not in variant.indicator_keys
    assert variant.composites[-1].of["poverty_rate"] == 2
    assert variant.composites[-1].of["distance_lieu"] == 1
    assert variant.key == "ifn-v3-variante"


def test_decile_boundaries_and_share_near_them():
    from maillage.diagnosis.variants import share_near_boundaries

    values = np.arange(1, 101, dtype=float)
    cuts = engine.decile_boundaries(values)
    assert cuts.tolist() == [10, 20, 30, 40, 50, 60, 70, 80, 90]
    # Values within 0.5 of a cut: exactly the nine cut values themselves.
    assert share_near_boundaries(values, cuts, 0.5) == pytest.approx(0.09)
