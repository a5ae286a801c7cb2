"""The column-wise checker gives, row for row, the values and issues of `RowChecker.check`: on every
real file of ../shared/data/lieux (whatever its variant) and on tricky rows."""

import pytest

from maillage.places.importing.columns import ColumnChecker
from maillage.places.importing.files import read_path
from maillage.places.importing.validation import RowChecker
from maillage.places.importing.variants import detect, load_mapping, sibling_mapping
from tests.places.helpers import VALID_ROW
from tests.places.test_import_files import DATA_FILES, LIEUX
from tests.shared_data import shared_file


def _row_by_row(rows: list[dict], lenient: bool):
    checker = RowChecker(lenient=lenient)
    return [checker.check(index + 2, row) for index, row in enumerate(rows)]


def assert_same(rows: list[dict], *, lenient: bool = False) -> None:
    expected = _row_by_row(rows, lenient)
    found = ColumnChecker(lenient=lenient).check(rows)
    assert found.size == len(rows)
    for index, checked in enumerate(expected):
        issues = found.issues.get(index, [])
        assert [(item[1], item[2], item[3]) for item in issues if item[0]] == [
            (issue.field, issue.value, issue.reason) for issue in checked.errors
        ], index
        assert [(item[1], item[2], item[3]) for item in issues if not item[0]] == [
            (issue.field, issue.value, issue.reason) for issue in checked.warnings
        ], index
        assert (index in found.rejected) == (not checked.ok)
        assert found.row_values(index) == checked.values, index


@pytest.mark.parametrize("relative", sorted(DATA_FILES))
def test_same_values_and_issues_as_row_checker_on_real_files(relative):
    path = shared_file(f"{LIEUX}/{relative}")
    mapping = sibling_mapping(path)
    parsed = read_path(path)
    variant = detect(parsed.columns, load_mapping(mapping) if mapping else None)
    rows = [variant.convert(record.values).fields for record in parsed.records]
    lenient = variant.name in ("correspondance", "data-inclusion", "pre-standard")
    assert_same(rows, lenient=lenient)


TRICKY = [
    {"nom": "N/A", "commune": "  Chartres  ", "pivot": "#N/D"},
    {"nom": "Lieu\t  double   espace", "adresse": "néant", "telephone": "02 37 00 00 00 / 0600000000"},
    {"code_postal": 8000, "code_insee": 8105, "pivot": 1234567890123},
    {"code_postal": 8000.0, "latitude": "48,45", "longitude": "0"},
    {"latitude": 1, "longitude": 1.0, "date_maj": "17/05/2023"},
    {"date_maj": "", "services": "", "modalites_acces": "Ce lieu n'accueille pas de public"},
    {"services": ["Prendre en main un smartphone ou une tablette"], "typologie": "XYZ;MUNI"},
    {"services": [{"not": "hashable"}], "courriels": "pas-un-courriel", "site_web": "exemple.fr"},
    {"presentation_resume": "mot " * 90, "presentation_detail": ""},
    {"presentation_resume": "mot " * 90, "presentation_detail": "déjà là"},
    {"frais_a_charge": "gratuit; payant", "horaires": "lundi 9h-12h", "prise_rdv": "rdv"},
    {"id": "", "nom": "", "adresse": "-", "code_postal": "NC"},
    {"extra_column": "n/a", "horaires": {"dict": 1}},
]


@pytest.mark.parametrize("lenient", [False, True])
def test_same_values_and_issues_as_row_checker_on_tricky_rows(lenient):
    rows = [{**VALID_ROW, **changes} for changes in TRICKY] + [dict(changes) for changes in TRICKY]
    rows.append({**VALID_ROW})
    rows.append({**VALID_ROW})
    assert_same(rows, lenient=lenient)


def test_progress_is_reported_column_by_column_up_to_the_whole():
    shares = []
    rows = [dict(VALID_ROW, id=f"lieu-{n}") for n in range(3)]
    ColumnChecker(progress=shares.append).check(rows)
    assert len(shares) == ColumnChecker.COLUMN_STEPS  # one step per checked column
    assert shares == sorted(shares) and shares[0] > 0
    assert shares[-1] == 1.0


def _csv(header: list[str], rows: list[list[str]]) -> bytes:
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


@pytest.mark.django_db
def test_plain_csv_read_as_columns_reports_like_the_converted_rows():
    """A CSV spelt as the standard goes to the checker column by column (`_PlainColumns`); with one
    column spelt differently it goes row by row through the variant (`_ConvertedRows`). Both give
    the same report, the same stored extra columns, and drop the columns naming people."""
    from maillage.places.importing.files import read_bytes
    from maillage.places.importing.runner import ImportJob, _PlainColumns

    header = [*VALID_ROW, "contact", "autre_colonne"]
    rows = [
        [*VALID_ROW.values(), "Jeanne Martin", "gardée"],
        [*{**VALID_ROW, "id": "lieu-2", "nom": "N/A", "code_postal": "NC"}.values(), "", ""],
        [*{**VALID_ROW, "id": "lieu-3", "latitude": "", "commune": "  Chartres "}.values(), "#N/D", "x"],
        [*{**VALID_ROW, "id": "lieu-1"}.values(), "Paul", "doublon"],
    ]
    plain, renamed = _csv(header, rows), _csv(["ID", *header[1:]], rows)
    assert _PlainColumns.of(read_bytes(plain, "a.csv"), detect(header)) is not None
    assert _PlainColumns.of(read_bytes(renamed, "b.csv"), detect(["ID", *header[1:]])) is None

    def report(data: bytes):
        job = ImportJob(data=data, filename="lieux.csv", dataset="equivalence", dry_run=True)
        found = job.run()
        return found, job

    by_columns, _ = report(plain)
    by_rows, _ = report(renamed)
    assert by_columns["rows"] == 4 and by_columns["accepted"] == 2 and by_columns["rejected"] == 2
    renaming = [w for w in by_rows["warnings"] if w["field"] == "id" and "lue comme" in w["reason"]]
    assert len(renaming) == 4  # the only difference: « ID » read as « id », once per row
    assert [w for w in by_rows["warnings"] if w not in renaming] == by_columns["warnings"]
    assert by_rows["errors"] == by_columns["errors"]
    personal = [w for w in by_columns["warnings"] if w["field"] == "contact"]
    assert [w["line"] for w in personal] == [2, 5]


@pytest.mark.django_db
def test_plain_csv_keeps_extra_columns_without_people():
    from maillage.places.models import Place
    from maillage.places.services import place_import_file

    header = [*VALID_ROW, "contact", "autre_colonne"]
    data = _csv(header, [[*VALID_ROW.values(), "Jeanne Martin", "gardée"]])
    report, _ = place_import_file(actor=None, data=data, filename="lieux.csv", dataset="extra")
    assert report["accepted"] == 1
    assert Place.objects.get(dataset="extra").extra == {"autre_colonne": "gardée"}
