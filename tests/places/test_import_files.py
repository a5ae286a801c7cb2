"""Every real file of ../shared/data/lieux: nothing is lost, and each rejection's reason is true."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from maillage.places.importing.runner import ImportRefused
from maillage.places.importing.variants import load_mapping, sibling_mapping
from maillage.places.models import Place, QuarantinedRow
from maillage.places.services import place_import_file
from tests.shared_data import SHARED_DATA, shared_file

LIEUX = "lieux"
DATA_FILES = {
    # file → (rows, variant name)
    "v1/20230517-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.v1.csv": (646, "standard-v1"),
    "v1/20230517-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.v1.json": (646, "standard-v1"),
    "v0.1/20230516-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.v0.1.json": (
        792,
        "standard-v0.1",
    ),
    "v0.1/20230517-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.v0.1.json": (
        646,
        "standard-v0.1",
    ),
    "v0.1/hinaura-lieux-de-mediation-numeriques-auvergne-rhone-alpes.v0.1.json": (687, "standard-v0.1"),
    "v0.1/aix-en-provence.v0.1.json": (38, "standard-v0.1"),
    "v0.1/le-havre.v0.1.json": (80, "standard-v0.1"),
    "pre-standard/2022-07-conseiller-numerique-lieux-france.json": (2733, "pre-standard"),
    "pre-standard/2022-08-conseiller-numerique-lieux-ile-de-france.json": (241, "pre-standard"),
    "hubs-raw/hub-lo-centre-val-de-loire/hub-lo.json": (426, "correspondance"),
    "hubs-raw/mednum-bfc/bfc-ternum-dataset.csv": (697, "correspondance"),
    "hubs-raw/etapes-numeriques-la-poste/etapes-numerique.json": (95, "correspondance"),
    "related/2023-04-data-inclusion-extraction-numi.json": (757, "data-inclusion"),
    "schema/exemple-valide-v1.0.2.csv": (1, "standard-v1"),
    "schema/exemple-valide-v0.1.csv": (1, "standard-v0.1"),
    "schema/gabarit-v0.1.xlsx": (0, "standard-v1"),
}
NOT_PLACES = [
    "schema/schema-v1.0.2.json",
    "schema/schema-v0.1.json",
    "hubs-raw/hub-lo-centre-val-de-loire/hub-lo.config.json",
    "hubs-raw/mednum-bfc/bfc-ternum-schema.json",
    "related/data-inclusion-typologies-de-structures.csv",
]


def _import(relative, **options):
    path = shared_file(f"{LIEUX}/{relative}")
    mapping = sibling_mapping(path)
    report, batch = place_import_file(
        actor=None,
        data=path.read_bytes(),
        filename=path.name,
        mapping=load_mapping(mapping) if mapping else None,
        **options,
    )
    return report, batch


def test_every_data_file_of_the_folder_is_listed_here():
    if not (SHARED_DATA / LIEUX).exists():
        pytest.skip("données partagées absentes")
    on_disk = {
        str(p.relative_to(SHARED_DATA / LIEUX))
        for p in (SHARED_DATA / LIEUX).rglob("*")
        if p.is_file() and p.suffix in (".csv", ".json", ".xlsx")
    }
    assert on_disk == set(DATA_FILES) | set(NOT_PLACES) | {
        "schema/schema-v1.0.0.json",
        "schema/schema-v1.0.1.json",
        "hubs-raw/mednum-bfc/mednum-bfc.config.json",
        "hubs-raw/etapes-numeriques-la-poste/etapes-numerique.config.json",
    }


@pytest.mark.parametrize("relative", sorted(DATA_FILES))
def test_variant_is_recognised(relative):
    from maillage.places.importing.files import read_path
    from maillage.places.importing.variants import detect

    path = shared_file(f"{LIEUX}/{relative}")
    mapping = sibling_mapping(path)
    parsed = read_path(path)
    if not parsed.records:
        return
    assert detect(parsed.columns, load_mapping(mapping) if mapping else None).name == DATA_FILES[relative][1]


@pytest.mark.parametrize("relative", sorted(DATA_FILES))
def test_every_row_is_accepted_or_quarantined(relative):
    rows, _variant = DATA_FILES[relative]
    report, batch = _import(relative)
    assert report["rows"] == rows
    assert report["rows"] == report["accepted"] + report["rejected"]
    assert len(report["created"]) == report["accepted"]
    assert {error["line"] for error in report["errors"]} <= {q.line for q in batch.quarantined_rows.all()}
    assert batch.quarantined_rows.count() == report["rejected"]
    assert all(set(issue) == {"line", "field", "value", "reason"} for issue in report["errors"] + report["warnings"])
    assert Place.objects.filter(dataset=report["dataset"]).count() == report["accepted"]
    assert batch.detected["variant"] == report["variant"]


@pytest.mark.parametrize("relative", NOT_PLACES)
def test_files_that_are_not_places_are_refused_with_a_reason(relative):
    with pytest.raises(ImportRefused, match="pas une liste de lieux|schéma|correspondance"):
        _import(relative)


def _errors(report):
    return {(error["line"], error["field"]): error for error in report["errors"]}


def test_le_havre_duplicate_id_is_the_only_rejection():
    report, _ = _import("v0.1/le-havre.v0.1.json")
    raw = json.loads(shared_file(f"{LIEUX}/v0.1/le-havre.v0.1.json").read_text())
    assert report["rejected"] == 1
    (line, field), error = next(iter(_errors(report).items()))
    assert field == "id" and raw[line - 1]["id"] == error["value"]
    assert [item["id"] for item in raw].count(error["value"]) == 2
    # Repairs are reported, not silent: French phone numbers, ` / ` lists, typos in v0.1 labels.
    reasons = {warning["reason"] for warning in report["warnings"]}
    assert any(reason.startswith("numéro mis au format international") for reason in reasons)
    assert "valeur rapprochée de « Déficience visuelle »" in reasons


def test_aix_rows_without_pivot_are_rejected_for_that_reason():
    report, _ = _import("v0.1/aix-en-provence.v0.1.json")
    raw = json.loads(shared_file(f"{LIEUX}/v0.1/aix-en-provence.v0.1.json").read_text())
    assert report["rejected"] == 2
    for (line, field), _error in _errors(report).items():
        assert field == "pivot" and not raw[line - 1]["pivot"]
    assert any("colonne « Adresse » lue comme « adresse »" == w["reason"] for w in report["warnings"])


def test_hub_lo_row_without_address_is_rejected():
    report, _ = _import("hubs-raw/hub-lo-centre-val-de-loire/hub-lo.json")
    raw = json.loads(shared_file(f"{LIEUX}/hubs-raw/hub-lo-centre-val-de-loire/hub-lo.json").read_text())
    assert set(_errors(report)) == {(line, "adresse") for line, _ in _errors(report)}
    for line, _field in _errors(report):
        assert not raw[line - 1]["c_adresse"].strip()
    # Placeholder "-" phones are read as absent, not rejected.
    assert any(w["reason"] == "valeur de remplacement lue comme absente" for w in report["warnings"])


def test_short_service_numbers_are_rejected_as_invalid_phones():
    report, _ = _import("related/2023-04-data-inclusion-extraction-numi.json")
    assert report["rejected"] and all(e["field"] == "telephone" for e in report["errors"])
    assert all(len("".join(ch for ch in e["value"] if ch.isdigit())) < 9 for e in report["errors"])


def test_pre_standard_missing_pivot_gets_the_placeholder_with_a_warning():
    report, _ = _import("pre-standard/2022-08-conseiller-numerique-lieux-ile-de-france.json")
    raw = json.loads(
        shared_file(f"{LIEUX}/pre-standard/2022-08-conseiller-numerique-lieux-ile-de-france.json").read_text()
    )
    missing = sum(1 for item in raw if not item.get("pivot"))
    placeholders = [w for w in report["warnings"] if w["reason"].startswith("pivot absent")]
    assert missing and len(placeholders) == missing
    converted = Place.objects.filter(dataset=report["dataset"]).exclude(services=[]).first()
    assert set(converted.services) <= {
        "Maîtrise des outils numériques du quotidien",
        "Compréhension du monde numérique",
    }
    assert "Conseillers numériques" in converted.dispositif_programmes_nationaux


def test_reimporting_the_same_file_changes_nothing():
    first, _ = _import("v0.1/aix-en-provence.v0.1.json")
    quarantined = QuarantinedRow.objects.count()
    second, _ = _import("v0.1/aix-en-provence.v0.1.json")
    assert second["created"] == [] and second["updated"] == [] and second["disappeared"] == []
    assert second["unchanged"] == first["accepted"]
    assert QuarantinedRow.objects.count() == quarantined


def test_a_newer_file_of_the_same_source_flags_what_disappeared():
    older, _ = _import("v0.1/20230516-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.v0.1.json")
    newer, _ = _import("v0.1/20230517-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.v0.1.json")
    assert older["dataset"] == newer["dataset"]  # the date prefix is not part of the source's name
    assert len(newer["disappeared"]) == 792 - 646
    assert newer["created"] == []
    flagged = Place.objects.filter(dataset=newer["dataset"], missing_since__isnull=False)
    assert flagged.count() == 146 and Place.objects.filter(dataset=newer["dataset"]).count() == 792
    assert not Place.objects.published().filter(pk__in=flagged.values("pk")).exists()


def test_dry_run_writes_nothing():
    report, _ = _import("v0.1/aix-en-provence.v0.1.json", dry_run=True)
    assert report["accepted"] == 36 and report["dry_run"]
    assert not Place.objects.filter(dataset=report["dataset"]).exists()
    assert not QuarantinedRow.objects.exists()


def test_command_writes_the_report_file(tmp_path):
    path = shared_file(f"{LIEUX}/v0.1/aix-en-provence.v0.1.json")
    report_path = tmp_path / "rapport.json"
    call_command("places", "import", str(path), "--source", "aix", "--report", str(report_path), "--no-progress")
    report = json.loads(report_path.read_text())
    assert report["dataset"] == "aix" and report["rows"] == report["accepted"] + report["rejected"] == 38
    with pytest.raises(CommandError, match="pas une liste de lieux|schéma"):
        call_command("places", "import", str(shared_file(f"{LIEUX}/schema/schema-v1.0.1.json")), "--no-progress")
    with pytest.raises(CommandError, match="introuvable"):
        call_command("places", "import", str(Path(tmp_path) / "absent.csv"))


def test_contact_persons_of_raw_exports_are_not_stored():
    report, batch = _import("hubs-raw/hub-lo-centre-val-de-loire/hub-lo.json")
    raw = json.loads(shared_file(f"{LIEUX}/hubs-raw/hub-lo-centre-val-de-loire/hub-lo.json").read_text())
    with_contacts = sum(1 for item in raw if item["c_contacts"] not in ("", "#N/D"))
    dropped = [w for w in report["warnings"] if w["field"] == "c_contacts"]
    assert with_contacts and len(dropped) == with_contacts
    assert not Place.objects.filter(dataset=report["dataset"], extra__has_key="c_contacts").exists()
    assert all("c_contacts" not in row.raw for row in batch.quarantined_rows.all())
