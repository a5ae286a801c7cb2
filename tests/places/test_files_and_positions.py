import json

from maillage.places.enums import PositionOrigin
from maillage.places.models import Place
from maillage.places.services import place_import_file
from tests.places.helpers import VALID_ROW, csv_bytes


def _import(data: bytes, name="lieux.csv", **options):
    return place_import_file(actor=None, data=data, filename=name, **options)[0]


def test_cp1252_semicolon_file_is_detected_and_reported():
    report = _import(csv_bytes(VALID_ROW, separator=";", encoding="cp1252"))
    assert report["file"]["encoding"] == "cp1252" and report["file"]["separator"] == ";"
    assert Place.objects.get(local_id="lieu-1").nom == "Espace numérique de Châteaudun"


def test_utf8_bom_and_tab_separator():
    report = _import(b"\xef\xbb\xbf" + csv_bytes(VALID_ROW, separator="\t"))
    assert report["file"]["encoding"] == "utf-8 (avec BOM)" and report["file"]["separator"] == "tabulation"
    assert report["accepted"] == 1


def test_json_file_and_unknown_column_kept_with_warning():
    data = json.dumps([{**VALID_ROW, "mon_champ": "valeur"}]).encode()
    report = _import(data, "lieux.json")
    assert report["file"]["format"] == "json"
    assert Place.objects.get(local_id="lieu-1").extra == {"mon_champ": "valeur"}


def test_given_position_inside_the_commune_is_kept():
    _import(csv_bytes(VALID_ROW))
    place = Place.objects.get(local_id="lieu-1")
    assert place.position_origin == PositionOrigin.GIVEN and place.commune_id == "28088"
    assert (place.position_latitude, place.position_longitude) == (48.0707, 1.3379)


def test_position_far_from_the_commune_falls_back_to_its_centre():
    report = _import(csv_bytes({**VALID_ROW, "latitude": "43.52609", "longitude": "5.41423"}))
    place = Place.objects.get(local_id="lieu-1")
    assert place.position_origin == PositionOrigin.COMMUNE and place.position_approximate
    assert place.latitude == 43.52609  # the given value is kept for export
    assert abs(place.position_latitude - place.commune.latitude) < 1e-9
    assert any("position approximative" in w["reason"] for w in report["warnings"])


def test_swapped_coordinates_are_put_back():
    report = _import(csv_bytes({**VALID_ROW, "latitude": "1.3379", "longitude": "48.0707"}))
    place = Place.objects.get(local_id="lieu-1")
    assert place.position_origin == PositionOrigin.GIVEN and place.position_latitude == 48.0707
    assert any("inversées" in w["reason"] for w in report["warnings"])


def test_missing_coordinates_and_code_insee_are_derived_from_the_reference():
    report = _import(csv_bytes({**VALID_ROW, "latitude": "", "longitude": "", "code_insee": ""}))
    place = Place.objects.get(local_id="lieu-1")
    assert place.code_insee == "28088" and place.position_origin == PositionOrigin.COMMUNE
    assert any("déduit du code postal" in w["reason"] for w in report["warnings"])


def test_former_commune_code_resolves_to_current_commune():
    row = {
        **VALID_ROW,
        "code_insee": "01340",
        "code_postal": "01300",
        "commune": "Arbignieu",
        "latitude": "",
        "longitude": "",
    }
    _import(csv_bytes(row))
    assert Place.objects.get(local_id="lieu-1").commune_id == "01015"


def test_update_reports_what_changed_and_journals_it():
    _import(csv_bytes(VALID_ROW))
    report = _import(csv_bytes({**VALID_ROW, "nom": "Nouveau nom", "telephone": "+33237451191"}))
    assert report["updated"] == [
        {
            "id": "lieu-1",
            "changes": {"nom": ["Espace numérique de Châteaudun", "Nouveau nom"], "telephone": ["", "+33237451191"]},
        }
    ]
    from maillage.core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="places.place_updated").latest("id")
    assert entry.payload["changes"]["nom"][1] == "Nouveau nom"


def test_a_rejected_row_does_not_make_its_place_disappear():
    _import(csv_bytes(VALID_ROW, {**VALID_ROW, "id": "lieu-2"}))
    report = _import(csv_bytes(VALID_ROW, {**VALID_ROW, "id": "lieu-2", "telephone": "3646"}))
    assert report["rejected"] == 1 and report["disappeared"] == []
    assert Place.objects.get(local_id="lieu-2").missing_since is None


def test_a_file_whose_every_row_is_rejected_takes_no_place_off_the_map():
    _import(csv_bytes(VALID_ROW, {**VALID_ROW, "id": "lieu-2"}))
    report = _import(csv_bytes({**VALID_ROW, "id": "autre", "nom": ""}))
    assert (report["accepted"], report["rejected"], report["disappeared"]) == (0, 1, [])
    assert Place.objects.filter(missing_since__isnull=False).count() == 0
    report = _import(csv_bytes({**VALID_ROW, "id": "autre"}))  # one valid row: the others disappear
    assert sorted(report["disappeared"]) == ["lieu-1", "lieu-2"]


def test_long_texts_are_kept_and_a_too_long_identifier_is_rejected_with_its_reason():
    from maillage.places.importing.validation import RowChecker

    name, address = "Espace " + "numérique " * 60, "rue " * 200
    long_id = {**VALID_ROW, "id": "x" * 301}
    report = _import(csv_bytes({**VALID_ROW, "nom": name, "adresse": address}, long_id))
    assert (report["accepted"], report["rejected"]) == (1, 1)
    reason = "identifiant trop long : 301 caractères, 300 au plus"
    assert report["errors"] == [{"line": 3, "field": "id", "value": "x" * 301, "reason": reason}]
    place = Place.objects.get()
    assert (place.nom, place.adresse) == (name.strip(), address.strip())
    assert [issue.reason for issue in RowChecker().check(3, long_id).errors] == [reason]


def test_csv_lines_are_the_file_lines_with_blank_lines_and_line_breaks_in_cells():
    from maillage.places.importing.files import read_bytes

    plain = csv_bytes(VALID_ROW, {**VALID_ROW, "id": "lieu-2"}).decode()
    header, first, second = plain.rstrip("\n").split("\n")
    assert [r.line for r in read_bytes(plain.encode(), "a.csv").records] == [2, 3]
    blank = "\n".join([header, "", first, " , ,", second]) + "\n"
    parsed = read_bytes(blank.encode(), "b.csv")
    assert [(r.line, r.values["id"]) for r in parsed.records] == [(3, "lieu-1"), (5, "lieu-2")]
    broken = csv_bytes({**VALID_ROW, "adresse": "2 place\ndu 18-Octobre"}).decode().split("\n", 1)[1]
    multi = "\n".join([header, broken.rstrip("\n"), "", second]) + "\n"
    parsed = read_bytes(multi.encode(), "c.csv")
    assert [(r.line, r.values["id"]) for r in parsed.records] == [(2, "lieu-1"), (5, "lieu-2")]
    assert parsed.records[0].values["adresse"] == "2 place\ndu 18-Octobre"


def test_files_that_are_not_place_data_are_refused_with_a_reason():
    import pytest

    from maillage.places.importing.runner import ImportRefused

    unreadable = {
        "bruit.csv": (bytes(range(256)) * 4, "ni UTF-8 ni Windows-1252"),
        "image.png": (b"\x89PNG\r\n\x1a\n\x81\x8d\x8f\x90\x9d", "ni UTF-8 ni Windows-1252"),
        "faux.xlsx": (b"PK\x03\x04 pas un classeur", "classeur Excel illisible"),
    }
    for name, (data, reason) in unreadable.items():
        with pytest.raises(ImportRefused, match=reason):
            _import(data, name)


def test_nan_coordinates_and_nul_characters_are_read_as_nothing_not_written():
    nan_row = {**VALID_ROW, "id": "nan", "latitude": "nan", "longitude": "NaN"}
    rejected = {**VALID_ROW, "id": "sans-nom", "nom": "", "latitude": "nan"}
    nul = {**VALID_ROW, "id": "nul", "nom": "Lieu\x00 nul"}
    report = _import(csv_bytes(nan_row, rejected, nul))
    assert (report["accepted"], report["rejected"]) == (2, 1)
    assert {
        "line": 2,
        "field": "latitude",
        "value": "nan",
        "reason": "latitude non numérique (NaN) : considérée comme absente",
    } in report["warnings"]
    place = Place.objects.get(local_id="nan")
    assert place.latitude is None and place.position_origin == PositionOrigin.COMMUNE
    assert Place.objects.get(local_id="nul").nom == "Lieu nul"
    escaped = json.dumps([{**VALID_ROW, "id": "j", "nom": "A\x00B"}]).encode()  # written "A\\u0000B"
    assert b"\\u0000" in escaped
    assert _import(escaped, "lieux.json")["accepted"] == 1 and Place.objects.get(local_id="j").nom == "AB"
