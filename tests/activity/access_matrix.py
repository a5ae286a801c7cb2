"""Access rows of the activity pages and API (see tests/core/test_access_matrix.py).

An observateur (and a coordinateur) never reaches a page with personal data: followed
beneficiaries are seen only by the members of the structure that follows them.
"""

from tests.access import everyone, only

MEMBERS = {"gestionnaire", "mediateur", "aidant"}
IMPORTERS = {"coordinateur", "gestionnaire", "admin"}
EDITORS = {"mediateur", "gestionnaire", "admin"}  # the author, the structure's gestionnaire


def prepare(world):
    import datetime as dt

    from maillage.activity import services
    from maillage.activity.models import QuarantinedActivityRow
    from tests.activity.factories import BeneficiaryFactory
    from tests.activity.helpers import VALID_INDIVIDUAL, csv_bytes

    world.extra["activity_activity"] = services.activity_create(
        actor=world.membership.user,
        structure=world.structure,
        values={
            "type": "individuel",
            "date": dt.date.today(),  # noqa: DTZ011
            "duree": 30,
            "type_lieu": "lieu_activite",
            "thematiques": ["email"],
        },
    )
    world.extra["activity_beneficiary"] = BeneficiaryFactory(structure=world.structure)
    _, batch = services.activity_import_file(
        actor=None, data=csv_bytes({**VALID_INDIVIDUAL, "structure_siret": "inconnu"}), filename="matrice.csv"
    )
    world.extra["activity_batch"] = batch
    world.extra["activity_row"] = QuarantinedActivityRow.objects.get(batch=batch)


def _pk(name):
    return lambda w: {"pk": w.extra[name].pk}


def _structure(w):
    return {"pk": w.structure.pk}


def _structure_csv(w):
    return {"pk": w.structure.pk, "fmt": "csv"}


def _mediateur(w):
    return {"pk": w.membership.user.pk}


def _mediateur_csv(w):
    return {"pk": w.membership.user.pk, "fmt": "csv"}


STRUCTURE_VIEWERS = {"coordinateur", "gestionnaire", "mediateur", "admin"}
MEDIATEUR_VIEWERS = {"coordinateur", "mediateur", "admin"}

PAGES = {
    "activity:dashboard": (lambda w: {}, everyone(200)),
    "activity:export": (lambda w: {"fmt": "csv"}, everyone(200)),
    # A structure's statistics: its members and the coordinateurs of its territory; others 404.
    "activity:structure_dashboard": (_structure, only(STRUCTURE_VIEWERS, denied=404)),
    "activity:structure_export": (_structure_csv, only(STRUCTURE_VIEWERS, denied=404)),
    # A médiateur's statistics: himself and the coordinateurs of his territory; others 404.
    "activity:mediateur_dashboard": (_mediateur, only(MEDIATEUR_VIEWERS, denied=404)),
    "activity:mediateur_export": (_mediateur_csv, only(MEDIATEUR_VIEWERS, denied=404)),
    "activity:record": (lambda w: {}, only(MEMBERS)),
    "activity:mine": (lambda w: {}, only(MEMBERS | {"admin"})),
    "activity:edit": (_pk("activity_activity"), only(EDITORS)),
    "activity:delete": (_pk("activity_activity"), only(EDITORS)),
    "activity:beneficiaries": (lambda w: {}, only(MEMBERS | {"admin"})),
    "activity:beneficiary_create": (lambda w: {}, only(MEMBERS)),
    "activity:beneficiary": (_pk("activity_beneficiary"), only({"gestionnaire", "mediateur"})),
    "activity:beneficiary_export": (_pk("activity_beneficiary"), only({"gestionnaire"})),
    "activity:beneficiary_erase": (_pk("activity_beneficiary"), only({"gestionnaire"})),
    "activity:imports": (lambda w: {}, only(IMPORTERS)),
    "activity:import_template": (lambda w: {"fmt": "xlsx"}, only(IMPORTERS)),
    "activity:import_detail": (_pk("activity_batch"), only(IMPORTERS)),
    "activity:quarantine": (lambda w: {}, only(IMPORTERS)),
    "activity:quarantine_fix": (_pk("activity_row"), only(IMPORTERS)),
    "activity:quarantine_discard": (_pk("activity_row"), only(IMPORTERS, code=302)),
}

API_OPERATIONS = {
    ("get", "/api/v1/statistiques/activites"): (lambda w: {}, "?territoire=departement:28", everyone(200)),
}
