"""The column-wise write (COPY text cells on PostgreSQL, bulk_create elsewhere) stores exactly what
the file says, including characters that COPY escapes; new places point to the import that created
them, whose journal entry is their creation (decision 007)."""

import json

from maillage.core.models import AuditEntry
from maillage.places.enums import AuditAction
from maillage.places.models import Place
from maillage.places.services import place_import_file
from tests.places.helpers import VALID_ROW


def _import_json(rows: list[dict], *, with_batch: bool = False):
    data = json.dumps(rows, ensure_ascii=False).encode()
    report, batch = place_import_file(actor=None, data=data, filename="copie.json", dataset="copie")
    return (report, batch) if with_batch else report


def test_characters_copy_escapes_are_stored_as_given():
    tricky = {
        **VALID_ROW,
        "id": "lieu\\1",
        "nom": "Espace « numérique » \\ d’Eure-et-Loir",
        "presentation_detail": "ligne 1\nligne 2\ttabulée\r\nfin \\N",
        "structure_parente": 'Association "Le lien"',
        "autre_colonne": {"clé": "va\\leur\n", "liste": [1, 2.5, None]},
    }
    plain = {**VALID_ROW, "id": "lieu-2", "latitude": "", "longitude": ""}
    report, batch = _import_json([tricky, plain], with_batch=True)
    assert report["accepted"] == 2 and report["created"] == ["lieu\\1", "lieu-2"]

    place = Place.objects.get(dataset="copie", local_id="lieu\\1")
    assert place.nom == tricky["nom"]
    assert place.presentation_detail == "ligne 1\nligne 2\ttabulée\nfin \\N"
    assert place.structure_parente == 'Association "Le lien"'
    assert place.extra == {"autre_colonne": {"clé": "va\\leur\n", "liste": [1, 2.5, None]}}
    assert place.services == VALID_ROW["services"].split("|")
    assert place.latitude == 48.0707 and place.position_latitude == 48.0707
    assert place.date_maj.isoformat() == "2026-01-15" and place.is_published
    other = Place.objects.get(dataset="copie", local_id="lieu-2")
    assert other.latitude is None and other.position_origin == "commune" and other.extra == {}

    assert place.created_batch == other.created_batch == batch
    assert not AuditEntry.objects.filter(action=AuditAction.PLACE_CREATED).exists()
    creation = AuditEntry.objects.get(action=AuditAction.IMPORT_RUN, object_id=str(batch.pk))
    assert creation.payload["created"] == 2 and creation.payload["dataset"] == "copie"


def test_reimport_finds_the_stored_values_equal():
    rows = [
        {**VALID_ROW, "id": "a", "presentation_detail": "tab\tet\\barre", "autre": {"x": [1, "é"]}},
        {**VALID_ROW, "id": "b", "typologie": "MUNI|BIB"},
    ]
    _import_json(rows)
    again = _import_json(rows)
    assert again["unchanged"] == 2 and again["created"] == [] and again["updated"] == []
    changed = _import_json([rows[0], {**rows[1], "typologie": "MUNI"}])
    assert changed["updated"] == [{"id": "b", "changes": {"typologie": [["MUNI", "BIB"], ["MUNI"]]}}]


def _stored(dataset: str) -> list[tuple]:
    fields = ["local_id", "nom", "commune_id", "code_insee", "position_latitude", "position_origin", "services"]
    return list(Place.objects.filter(dataset=dataset).order_by("local_id").values_list(*fields))


def test_places_written_in_located_chunks_are_those_of_one_chunk(monkeypatch):
    """New places are located and written LOCATE_CHUNK rows at a time: with chunks of 2 rows (all new,
    then new among known ones), the stored places and the report are those of a single chunk."""
    from maillage.places.importing import runner

    rows = [
        {**VALID_ROW, "id": f"lieu-{n}", "nom": f"Lieu {n}", **({"latitude": "", "code_insee": ""} if n % 2 else {})}
        for n in range(5)
    ]
    data = json.dumps(rows).encode()
    whole, _ = place_import_file(actor=None, data=data, filename="a.json", dataset="un-paquet")
    monkeypatch.setattr(runner, "LOCATE_CHUNK", 2)
    chunked, _ = place_import_file(actor=None, data=data, filename="a.json", dataset="paquets")
    assert _stored("paquets") == _stored("un-paquet") and len(_stored("paquets")) == 5
    assert [(w["line"], w["reason"]) for w in chunked["warnings"]] == [
        (w["line"], w["reason"]) for w in whole["warnings"]
    ]
    new = [{**VALID_ROW, "id": f"lieu-{n}", "latitude": "" if n == 6 else VALID_ROW["latitude"]} for n in (5, 6, 7)]
    more = json.dumps([rows[0], new[0], {**rows[1], "nom": "Renommé"}, *rows[2:], *new[1:]]).encode()
    again, _ = place_import_file(actor=None, data=more, filename="b.json", dataset="paquets")
    assert again["created"] == ["lieu-5", "lieu-6", "lieu-7"] and [u["id"] for u in again["updated"]] == ["lieu-1"]
    assert again["unchanged"] == 4
    origins = dict(Place.objects.filter(dataset="paquets").values_list("local_id", "position_origin"))
    assert [origins[f"lieu-{n}"] for n in (5, 6, 7)] == ["given", "commune", "given"]
