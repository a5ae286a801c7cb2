"""`maillage diagnosis …` commands."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command

from maillage.diagnosis.models import IndexRun
from tests.diagnosis.factories import COLUMNS, make_run, scores_csv

V3_HEADER = ["code", *COLUMNS, "total"]


def _rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))


def _call(*args) -> str:
    out = io.StringIO()
    call_command("diagnosis", *args, stdout=out)
    return out.getvalue()


def test_compute_from_commune_scores_writes_every_level_and_stores(tmp_path):
    scores = tmp_path / "scores.csv"
    scores.write_text(scores_csv(("28", "45")), encoding="utf-8")
    out = _call(
        "compute",
        "--method",
        "ifn-v3",
        "--commune-scores",
        str(scores),
        "--output",
        str(tmp_path / "out"),
        "--store",
        "--vintage",
        "essai",
    )
    for level in ("commune", "epci", "departement", "region"):
        rows = _rows(tmp_path / "out" / f"{level}.csv")
        assert rows[0] == V3_HEADER, level
        assert len(rows) > 1
    departements = {row[0] for row in _rows(tmp_path / "out" / "departement.csv")}
    assert departements == {"code", "28", "45"}
    run = IndexRun.objects.get()
    assert run.data_vintage == "essai" and run.stage == "communes"
    assert "Calcul enregistré" in out


def test_compute_needs_inputs_and_names_the_missing_file(tmp_path):
    with pytest.raises(CommandError, match="--inputs"):
        _call("compute", "--method", "ifn-v3", "--output", str(tmp_path))
    with pytest.raises(CommandError, match="introuvable"):
        _call("compute", "--method", "ifn-v3", "--inputs", str(tmp_path), "--output", str(tmp_path / "o"))
    with pytest.raises(CommandError, match="Méthode introuvable"):
        _call("compute", "--method", "ifn-v7", "--inputs", str(tmp_path), "--output", str(tmp_path / "o"))


def test_a_method_of_maillage_indicators_needs_no_input(tmp_path):
    from tests.places.factories import PlaceFactory

    PlaceFactory()
    out = _call("compute", "--method", "maillage-acces", "--output", str(tmp_path))
    assert "indicateurs calculés par maillage" in out
    header = (tmp_path / "commune.csv").read_text().splitlines()[0]
    assert header == "code,distance_lieu,heures_a_portee,densite,total"


def test_methods_lists_presets_and_shows_a_copyable_file():
    listing = _call("methods")
    assert "ifn-v3" in listing and "ifn-v1" in listing and "Aucun calcul" in listing
    assert _call("methods", "--show", "ifn-v3").startswith("# Indice de fragilité numérique, version 3")


def test_coverage_and_sensitivity_commands(tmp_path):
    run = make_run(departements=("28",))
    out = _call("coverage", "--territoire", "departement:28", "--output", str(tmp_path / "c.csv"))
    assert f"calcul n° {run.pk}" in out and "Zones blanches" in out
    rows = list(csv.DictReader(io.StringIO((tmp_path / "c.csv").read_text(encoding="utf-8"))))
    assert len(rows) > 300 and "distance_km" in rows[0]
    sensitivity = _call("sensitivity", "--territoire", "departement:28")
    assert "Sans un indicateur" in sensitivity
    with pytest.raises(CommandError, match="inconnu"):
        _call("coverage", "--territoire", "departement:99")


def test_delete_asks_for_confirmation():
    run = make_run(departements=("28",))
    with pytest.raises(CommandError, match="--yes"):
        _call("delete", str(run.pk))
    _call("delete", str(run.pk), "--yes")
    assert not IndexRun.objects.exists()


def test_variant_command_reports_rank_correlation_and_class_changes(tmp_path):
    make_run(departements=("28",))
    same = _call("variant", "--territoire", "departement:28")
    assert "Spearman) : 1.000" in same and "classe de risque : 0 " in same
    changed = _call(
        "variant",
        "--territoire",
        "departement:28",
        "--retirer",
        "no_thd_coverage_rate",
        "--poids",
        "poverty_rate=2",
        "--output",
        str(tmp_path / "v.csv"),
    )
    assert "Spearman) : 1.000" not in changed
    assert _rows(tmp_path / "v.csv")[0][:3] == ["code", "nom", "officiel"]
    with pytest.raises(CommandError, match="inconnu"):
        _call("variant", "--territoire", "departement:28", "--retirer", "zz")


def test_a_method_mixing_file_and_maillage_indicators(tmp_path):
    from maillage.diagnosis.methods import load_method, method_to_yaml
    from tests.places.factories import PlaceFactory

    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "rates.csv").write_text(
        "code;rate\n"
        + "".join(f"{c};{i % 17}\n" for i, c in enumerate(["28085", "28088", "28134", "28280", "45234"])),
        encoding="utf-8",
    )
    base = method_to_yaml(load_method("ifn-v3"), drop=COLUMNS[1:], key="essai", label="Essai")
    text = base.replace("taux_non_couverture_thd_2019.csv", "rates.csv").replace("CODE_INSEE", "code")
    text = text.replace("TAUX_COUVERTURE_THD", "rate").replace("geography:", "unused_geography:")
    method = tmp_path / "essai.yaml"
    method.write_text(text, encoding="utf-8")
    _call("compute", "--method", str(method), "--inputs", str(tmp_path / "in"), "--output", str(tmp_path / "o"))
    variant = method_to_yaml(
        load_method(str(method)), add=[{"key": "distance_lieu", "label": "Distance", "computed": "distance_lieu"}]
    )
    method.write_text(variant, encoding="utf-8")
    with pytest.raises(CommandError, match="aucun lieu publié"):
        _call("compute", "--method", str(method), "--inputs", str(tmp_path / "in"), "--output", str(tmp_path / "o"))
    PlaceFactory(in_chartres=True, position_latitude=48.4469, position_longitude=1.4892)
    _call("compute", "--method", str(method), "--inputs", str(tmp_path / "in"), "--output", str(tmp_path / "o"))
    rows = {row[0]: row for row in _rows(tmp_path / "o" / "commune.csv")}
    assert rows["code"] == ["code", "no_thd_coverage_rate", "distance_lieu", "total"]
    assert len(rows) > 600  # every loaded commune has a distance
    assert rows["28085"][2] == "1.0"  # Chartres is the closest commune to the only place
