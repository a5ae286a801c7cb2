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
