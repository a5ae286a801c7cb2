import json

import pytest
from frictionless import Resource, Schema, system

from maillage.places.export import export_places
from maillage.places.services import place_import_file
from tests.shared_data import shared_file

HUB_DU_SUD = "lieux/v1/20230517-hub-du-sud-lieux-de-mediation-numeriques-provence-alpes-cote-d-azur.v1.csv"


def _import(data, name, dataset):
    return place_import_file(actor=None, data=data, filename=name, dataset=dataset)[0]


@pytest.fixture
def exported():
    path = shared_file(HUB_DU_SUD)
    _import(path.read_bytes(), path.name, "hub-du-sud")
    return export_places(fmt="csv", dataset="hub-du-sud")


def test_round_trip_is_byte_identical(exported):
    _import(exported, "export.csv", "copie")
    again = export_places(fmt="csv", dataset="copie")
    assert again == exported
    # And re-importing an export into its own dataset changes nothing.
    report = _import(exported, "export.csv", "copie")
    assert report["updated"] == [] and report["created"] == []


def test_json_round_trip_is_byte_identical(exported):
    as_json = export_places(fmt="json", dataset="hub-du-sud")
    _import(as_json, "export.json", "copie-json")
    assert export_places(fmt="json", dataset="copie-json") == as_json
    items = json.loads(as_json)
    assert all(isinstance(item.get("latitude", 0.0), float) for item in items)
    assert all("" not in item.values() for item in items)  # absent values are omitted


@pytest.mark.parametrize("version", ["1.0.1", "1.0.2"])
def test_export_validates_against_the_official_schema(exported, tmp_path, version):
    path = tmp_path / "export.csv"
    path.write_bytes(exported)
    schema = Schema.from_descriptor(json.loads(shared_file(f"lieux/schema/schema-v{version}.json").read_text()))
    with system.use_context(trusted=True):
        report = Resource(path=str(path), schema=schema).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_several_datasets_get_prefixed_unique_ids(exported):
    _import(exported, "export.csv", "copie")
    mixed = export_places(fmt="csv")
    ids = [line.split(",", 1)[0] for line in mixed.decode().splitlines()[1:]]
    assert len(ids) == len(set(ids)) == 2 * 646
    assert all(value.startswith(('"copie_', '"hub-du-sud_')) for value in ids)


def test_standard_module_agrees_with_the_official_schema():
    from maillage.places import standard as std

    schema = json.loads(shared_file("lieux/schema/schema-v1.0.1.json").read_text())
    assert [field["name"] for field in schema["fields"]] == list(std.FIELD_NAMES)
    required = [field["name"] for field in schema["fields"] if field.get("constraints", {}).get("required")]
    assert required == list(std.REQUIRED_FIELDS)
    for field in schema["fields"]:
        pattern = field.get("constraints", {}).get("pattern", "")
        spec = std.FIELDS_BY_NAME[field["name"]]
        if spec.choices and field["name"] != "formations_labels":
            for value in spec.choices:
                assert value in pattern.replace("\\(", "(").replace("\\)", ")"), (field["name"], value)
