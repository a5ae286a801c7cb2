"""Access rows of the activity pages and API (see tests/core/test_access_matrix.py)."""

from tests.access import everyone

PAGES = {
    "activity:dashboard": (lambda w: {}, everyone(200)),
    "activity:export": (lambda w: {"fmt": "csv"}, everyone(200)),
}

API_OPERATIONS = {
    ("get", "/api/v1/statistiques/activites"): (lambda w: {}, "?territoire=departement:28", everyone(200)),
}
