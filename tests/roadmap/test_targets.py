import csv
import gzip
import json
from pathlib import Path

from django.core.management import call_command

from maillage.core import indicators
from maillage.roadmap.targets import NATIONAL_POPULATION, territorialise
from maillage.territories.territory import TerritoryRef
from tests.places.factories import PlaceFactory

REFERENCE = Path(__file__).resolve().parents[2] / "maillage/territories/data/communes.csv.gz"


def test_national_population_is_the_sum_of_the_committed_reference():
    with gzip.open(REFERENCE, "rt", encoding="utf-8") as handle:
        total = sum(int(row["population"] or 0) for row in csv.DictReader(handle) if row["type"] == "COM")
    assert total == NATIONAL_POPULATION


def test_eure_et_loir_share_of_the_four_national_targets():
    result = territorialise(TerritoryRef("departement", "28"))
    local = {row.target.key: row.local for row in result.targets}
    assert round(100 * result.share, 3) == 0.634
    assert local == {"personnes": 50_695, "aidants": 127, "equipements": 12_674, "lieux": 158}


def test_progress_on_lieux_follows_the_places_registry():
    ref = TerritoryRef("departement", "28")
    before = {row.target.key: row for row in territorialise(ref).targets}["lieux"]
    PlaceFactory.create_batch(3)
    after = {row.target.key: row for row in territorialise(ref).targets}["lieux"]
    assert after.actual == before.actual + 3
    assert after.progress == round(100 * after.actual / 158, 1)


def test_fragile_rule_falls_back_to_population_without_the_diagnosis_source(monkeypatch):
    monkeypatch.delitem(indicators._sources, "diagnosis.population_fragile", raising=False)
    result = territorialise(TerritoryRef("departement", "28"), "fragile")
    assert result.rule == "population"
    assert "diagnostic" in result.explanation


def test_fragile_rule_uses_the_diagnosis_source_when_registered(monkeypatch):
    source = indicators.IndicatorSource(
        key="diagnosis.population_fragile",
        label="Population fragile",
        unit="personnes",
        compute=lambda *a, **k: 130_000,
    )
    monkeypatch.setitem(indicators._sources, source.key, source)
    result = territorialise(TerritoryRef("departement", "28"), "fragile")
    assert result.rule == "fragile"
    assert {row.target.key: row.local for row in result.targets}["lieux"] == 250  # 25,000 × 1 %


def test_objectifs_command(capsys):
    call_command("roadmap", "objectifs", "--territoire", "departement:28", "--json")
    payload = json.loads(capsys.readouterr().out)
    assert [row["territorial"] for row in payload["objectifs"]] == [50_695, 127, 12_674, 158]
    call_command("roadmap", "objectifs", "--territoire", "departement:28")
    assert "0,634 %" in capsys.readouterr().out


def test_a_failing_source_of_another_app_gives_source_indisponible(monkeypatch):
    from maillage.roadmap.targets import live_value

    def broken(*args, **kwargs):
        raise RuntimeError("base de données du diagnostic absente")

    source = indicators.IndicatorSource(key="diagnosis.population_fragile", label="", unit="", compute=broken)
    monkeypatch.setitem(indicators._sources, source.key, source)
    assert live_value(source.key, TerritoryRef("departement", "28")) == (
        None,
        "source indisponible (erreur de calcul)",
    )
    assert territorialise(TerritoryRef("departement", "28"), "fragile").rule == "population"
