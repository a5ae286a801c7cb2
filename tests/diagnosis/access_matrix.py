"""Access rows of the diagnosis pages and API (see tests/core/test_access_matrix.py)."""

from tests.access import everyone, only


def prepare(world):
    from tests.diagnosis.factories import make_run

    world.extra["diagnosis_run"] = make_run(departements=("28",))


COORDINATION = {"coordinateur", "observateur", "admin"}
DEP = {"level": "departement", "code": "28"}

PAGES = {
    "diagnosis:home": (lambda w: {}, everyone(200)),
    "diagnosis:methods": (lambda w: {}, everyone(200)),
    "diagnosis:method_yaml": (lambda w: {"key": "ifn-v3"}, everyone(200)),
    "diagnosis:comparison": (lambda w: {"code": "24"}, everyone(200)),
    "diagnosis:territory": (lambda w: DEP, everyone(200)),
    "diagnosis:map_download": (lambda w: {**DEP, "fmt": "csv"}, everyone(200)),
    "diagnosis:coverage": (lambda w: DEP, everyone(200)),
    "diagnosis:coverage_csv": (lambda w: DEP, everyone(200)),
    "diagnosis:report": (lambda w: DEP, everyone(200)),
    "diagnosis:report_pdf": (lambda w: {"level": "commune", "code": "28085"}, everyone(200)),
    "diagnosis:variant": (lambda w: DEP, only(COORDINATION)),
    "diagnosis:sensitivity": (lambda w: DEP, only(COORDINATION)),
}

API_OPERATIONS = {
    ("get", "/api/v1/diagnostic/methodes"): (lambda w: {}, "", everyone(200)),
    ("get", "/api/v1/diagnostic/indice"): (lambda w: {}, "?territoire=departement:28", everyone(200)),
    ("get", "/api/v1/diagnostic/couverture"): (lambda w: {}, "?territoire=departement:28", everyone(200)),
}
