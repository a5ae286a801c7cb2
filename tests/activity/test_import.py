import io
import json

import openpyxl
import pytest
from django.core.management import call_command

from maillage.activity import services
from maillage.activity.enums import QuarantineStatus
from maillage.activity.importing import ImportRefused, template_file
from maillage.activity.models import Activity, ActivityImport, QuarantinedActivityRow
from maillage.activity.selectors import activity_figures, raw_figures
from maillage.core.models import AuditEntry
from tests.activity.helpers import VALID_COLLECTIVE, VALID_INDIVIDUAL, csv_bytes
from tests.structures.factories import MembershipFactory, StructureFactory

SIRET = "13002603200016"


@pytest.fixture
def structure():
    return StructureFactory(siret=SIRET)


def _import(data, **kwargs):
    return services.activity_import_file(actor=None, data=data, filename=kwargs.pop("filename", "a.csv"), **kwargs)


def test_valid_rows_are_created_with_the_report_shape(structure):
    rows = [{**VALID_INDIVIDUAL, "structure_siret": SIRET}, {**VALID_COLLECTIVE, "structure_siret": SIRET}]
    report, batch = _import(csv_bytes(*rows))
    assert {"rows", "accepted", "rejected", "errors", "warnings"} <= set(report)
    assert (report["rows"], report["accepted"], report["rejected"], report["created"]) == (2, 2, 0, 2)
    individual = Activity.objects.get(type="individuel")
    assert individual.thematiques == ["aide_aux_demarches_administratives", "social_sante"]
    assert individual.accompagnements_count == 1 and individual.beneficiaire_commune_id == "28085"
    assert individual.structure == structure and individual.oriente_vers_structure is False
    collective = Activity.objects.get(type="collectif")
    assert collective.accompagnements_count == 8 and collective.niveau == "debutant"
    figures = activity_figures()
    assert figures["accompagnements"] == 9 and figures["participants_ateliers"] == 8
    assert AuditEntry.objects.filter(action="activity.imported", object_id=str(batch.pk)).exists()


def test_reimporting_the_same_file_changes_nothing_but_keeps_identical_rows(structure):
    row = {**VALID_INDIVIDUAL, "structure_siret": SIRET}
    data = csv_bytes(row, row)  # two identical accompaniments on the same day are two activities
    first, _ = _import(data)
    second, _ = _import(data)
    assert first["created"] == 2
    assert (second["created"], second["already_imported"]) == (0, 2)
    assert Activity.objects.count() == 2
    assert activity_figures()["accompagnements"] == 2


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("structure_siret", "99999999999999", "structure inconnue"),
        ("thematiques", "email|cuisine", "valeur(s) inconnue(s) : cuisine"),
        ("beneficiaire_commune", "99999", "commune inconnue"),
        ("type_lieu", "jardin", "valeur inconnue"),
        ("date", "14/03/2025", "AAAA-MM-JJ"),
        ("duree_minutes", "0", "compris entre"),
        ("participants", "3", "1 participant"),
        ("thematiques", "logement", "Aide aux démarches administratives"),
    ],
)
def test_bad_rows_are_rejected_with_line_field_value_reason_and_quarantined(structure, field, value, reason):
    rows = [
        {**VALID_INDIVIDUAL, "structure_siret": SIRET},
        {**VALID_INDIVIDUAL, "structure_siret": SIRET, field: value},
    ]
    report, batch = _import(csv_bytes(*rows))
    assert (report["accepted"], report["rejected"]) == (1, 1)
    error = report["errors"][0]
    assert error["line"] == 3 and error["field"] == field and reason in error["reason"]
    row = QuarantinedActivityRow.objects.get(batch=batch)
    assert row.raw[field] == value and row.status == QuarantineStatus.PENDING


def test_quarantined_row_is_fixed_and_resubmitted(structure):
    report, batch = _import(csv_bytes({**VALID_INDIVIDUAL, "structure_siret": SIRET, "beneficiaire_commune": "28999"}))
    row = QuarantinedActivityRow.objects.get(batch=batch)
    admin = MembershipFactory(coordinateur=True).user
    with pytest.raises(Exception, match="commune"):
        services.quarantine_resubmit(actor=admin, row=row, raw=row.raw)
    activity = services.quarantine_resubmit(actor=admin, row=row, raw={**row.raw, "beneficiaire_commune": "28085"})
    row.refresh_from_db()
    assert row.status == QuarantineStatus.RESUBMITTED and row.activity == activity
    assert activity_figures()["accompagnements"] == 1
    # Importing the broken file again does not quarantine the same row twice.
    _import(csv_bytes({**VALID_INDIVIDUAL, "structure_siret": SIRET, "beneficiaire_commune": "28999"}))
    assert QuarantinedActivityRow.objects.filter(status=QuarantineStatus.PENDING).count() == 0


def test_structure_option_overrides_the_column_and_dry_run_saves_nothing(structure):
    other = StructureFactory(siret="21280085600015")
    data = csv_bytes({**VALID_INDIVIDUAL, "structure_siret": "inconnu"})
    report, _ = _import(data, structure=other, dry_run=True)
    assert report["accepted"] == 1 and Activity.objects.count() == 0 and not ActivityImport.objects.exists()
    _import(data, structure=other)
    assert Activity.objects.get().structure == other


def test_xlsx_template_round_trip(structure):
    workbook = openpyxl.load_workbook(io.BytesIO(template_file("xlsx")))
    sheet = workbook.active
    for row in sheet.iter_rows(min_row=2):
        row[2].value = SIRET
    buffer = io.BytesIO()
    workbook.save(buffer)
    report, _ = _import(buffer.getvalue(), filename="modele.xlsx")
    assert (report["rows"], report["accepted"]) == (2, 2), report["errors"]
    assert b"date,type,structure_siret" in template_file("csv")


def test_semicolon_csv_and_missing_columns():
    with pytest.raises(ImportRefused, match="thematiques"):
        _import(b"date;type\n2025-01-01;individuel\n")


def test_command_writes_the_report(tmp_path, structure, capsys):
    path = tmp_path / "activites.csv"
    path.write_bytes(
        csv_bytes({**VALID_INDIVIDUAL, "structure_siret": "x"}, {**VALID_COLLECTIVE, "duree_minutes": "abc"})
    )
    report_path = tmp_path / "rapport.json"
    call_command("activity", "import", str(path), "--structure", SIRET, "--report", str(report_path))
    report = json.loads(report_path.read_text())
    assert (report["rows"], report["accepted"], report["rejected"]) == (2, 1, 1)
    assert report["errors"][0] == {
        "line": 3,
        "field": "duree_minutes",
        "value": "abc",
        "reason": "nombre entier attendu",
    }
    assert "1 acceptée(s), 1 rejetée(s)" in capsys.readouterr().out
    assert raw_figures()["accompagnements"] == activity_figures()["accompagnements"] == 1


def test_free_text_survives_the_bulk_path(structure):
    title = 'Atelier "C:\\Users" \t et ; virgule, fin'
    report, _ = _import(csv_bytes({**VALID_COLLECTIVE, "structure_siret": SIRET, "titre_atelier": title}))
    assert report["created"] == 1
    assert Activity.objects.get().titre_atelier == title


def test_a_coordinator_imports_only_for_the_structures_of_his_territory(structure):
    from maillage.structures.models import Structure
    from maillage.territories.models import Commune

    elsewhere = Structure.objects.create(
        nom="Loiret", siret="21450234500010", commune=Commune.objects.get(code="45234")
    )
    coordinator = MembershipFactory(coordinateur=True).user  # Eure-et-Loir
    rows = [{**VALID_INDIVIDUAL, "structure_siret": SIRET}, {**VALID_INDIVIDUAL, "structure_siret": elsewhere.siret}]
    report, _ = services.activity_import_file(actor=coordinator, data=csv_bytes(*rows), filename="a.csv")
    assert (report["accepted"], report["rejected"]) == (1, 1)
    assert report["errors"][0]["reason"] == "structure hors de votre périmètre"
