"""Access rows of the places pages and API (see tests/core/test_access_matrix.py)."""

from tests.access import MANAGERS, everyone, only


def prepare(world):
    from maillage.places.models import OrientationLink, QuarantinedRow
    from maillage.places.services import place_import_file
    from tests.places.factories import PlaceFactory
    from tests.places.helpers import VALID_ROW, csv_bytes

    world.extra["place"] = PlaceFactory(structure=world.structure)
    world.extra["link"] = OrientationLink.objects.create(code="lien1234", places=[world.extra["place"].pk])
    _, batch = place_import_file(
        actor=None, data=csv_bytes({**VALID_ROW, "telephone": "3646"}), filename="matrice.csv"
    )
    world.extra["batch"] = batch
    world.extra["row"] = QuarantinedRow.objects.get(batch=batch)
    from maillage.places.models import DuplicateCandidate, PlaceMerge

    twin = PlaceFactory(nom=world.extra["place"].nom)
    first, second = sorted([world.extra["place"], twin], key=lambda place: place.pk)
    world.extra["pair"] = DuplicateCandidate.objects.create(first=first, second=second, score=95, details={})
    world.extra["merge"] = PlaceMerge.objects.create(kept=first, actor=world.users["admin"])


COORDINATION = {"coordinateur", "admin"}
OPERATORS = {"coordinateur", "gestionnaire", "mediateur", "aidant", "admin"}

PAGES = {
    "places:search": (lambda w: {}, everyone(200)),
    "places:detail": (lambda w: {"pk": w.extra["place"].pk}, everyone(200)),
    "places:export": (lambda w: {"fmt": "csv"}, everyone(200)),
    "places:orientation": (lambda w: {}, everyone(404)),  # no place chosen: nothing to print
    "places:orientation_link_create": (lambda w: {}, everyone(302)),  # GET goes back to the search
    "places:orientation_link": (lambda w: {"code": w.extra["link"].code}, everyone(200)),
    "places:directory": (lambda w: {}, everyone(200)),
    "places:operator": (lambda w: {}, only(OPERATORS)),
    "places:operator_record": (lambda w: {}, only(OPERATORS, code=302)),
    "places:operator_statistics": (lambda w: {}, only({"coordinateur", "observateur", "admin"})),
    "places:imports": (lambda w: {}, only(COORDINATION)),
    "places:import_detail": (lambda w: {"pk": w.extra["batch"].pk}, only(COORDINATION)),
    "places:quarantine": (lambda w: {}, only(COORDINATION)),
    "places:quarantine_fix": (lambda w: {"pk": w.extra["row"].pk}, only(COORDINATION)),
    "places:quarantine_discard": (lambda w: {"pk": w.extra["row"].pk}, only(COORDINATION, code=302)),
    "places:duplicates": (lambda w: {}, only(COORDINATION)),
    "places:duplicate_detail": (lambda w: {"pk": w.extra["pair"].pk}, only(COORDINATION)),
    "places:duplicate_dismiss": (lambda w: {"pk": w.extra["pair"].pk}, only(COORDINATION, code=405)),
    "places:merges": (lambda w: {}, only(COORDINATION)),
    "places:merge_undo": (lambda w: {"pk": w.extra["merge"].pk}, only(COORDINATION, code=405)),
    "places:edit": (lambda w: {"pk": w.extra["place"].pk}, only(MANAGERS)),
    "places:history": (lambda w: {"pk": w.extra["place"].pk}, only(MANAGERS)),
}

API_OPERATIONS = {
    ("get", "/api/v1/lieux"): (lambda w: {}, "?q=28200", everyone(200)),
    ("get", "/api/v1/lieux/proches"): (lambda w: {}, "?lat=48.07&lon=1.33", everyone(200)),
    ("get", "/api/v1/lieux/chiffres"): (lambda w: {}, "?territoire=departement:28", everyone(200)),
    ("get", "/api/v1/lieux/export"): (lambda w: {}, "", everyone(200)),
    ("get", "/api/v1/lieux/{place_id}"): (lambda w: {"place_id": w.extra["place"].pk}, "", everyone(200)),
    ("patch", "/api/v1/lieux/{place_id}"): (
        lambda w: {"place_id": w.extra["place"].pk},
        "",
        # Allowed roles get 422: access is granted, then the missing body is refused.
        {**only(MANAGERS, code=422, denied=403), "anonyme": 401},
    ),
    ("post", "/api/v1/lieux/imports"): (lambda w: {}, "", {**only(COORDINATION, code=422), "anonyme": 401}),
    ("get", "/api/v1/lieux/imports/{batch_id}"): (
        lambda w: {"batch_id": w.extra["batch"].pk},
        "",
        {**only(COORDINATION), "anonyme": 401},
    ),
}
