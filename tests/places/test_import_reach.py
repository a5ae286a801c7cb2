"""A coordinateur handles the imports and rejected rows of their own territory only."""

import html as html_lib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from maillage.places.models import ImportBatch, Place, QuarantinedRow
from maillage.places.services import place_import_file
from tests.places.helpers import VALID_ROW, csv_bytes
from tests.structures.factories import MembershipFactory


def _coordinator(client, departement: str):
    client.force_login(MembershipFactory(coordinateur=True, territory_code=departement).user)


def _imported_in_chartres_area():
    """A dataset with one place in Châteaudun (28) and one rejected row there."""
    rows = csv_bytes(VALID_ROW, {**VALID_ROW, "id": "lieu-2", "telephone": "3646"})
    return place_import_file(actor=None, data=rows, filename="reseau-28.csv")[1]


def test_another_territory_s_coordinateur_neither_sees_nor_handles_them(client):
    batch = _imported_in_chartres_area()
    row = QuarantinedRow.objects.get()
    _coordinator(client, "45")
    assert client.get(reverse("places:import_detail", args=[batch.pk])).status_code == 404
    assert client.get(f"/api/v1/lieux/imports/{batch.pk}").status_code == 404
    assert f"/lieux/imports/{batch.pk}/" not in client.get(reverse("places:imports")).content.decode()
    assert "reseau-28" not in client.get(reverse("places:quarantine")).content.decode()
    assert client.get(reverse("places:quarantine_fix", args=[row.pk])).status_code == 403
    client.post(reverse("places:quarantine_discard", args=[row.pk]), {"motif": "pas chez moi"})
    row.refresh_from_db()
    assert row.status == "pending"


def test_the_territory_s_coordinateur_does(client):
    batch = _imported_in_chartres_area()
    row = QuarantinedRow.objects.get()
    _coordinator(client, "28")
    assert client.get(reverse("places:import_detail", args=[batch.pk])).status_code == 200
    assert client.get(f"/api/v1/lieux/imports/{batch.pk}").status_code == 200
    assert "reseau-28" in client.get(reverse("places:quarantine")).content.decode()
    assert client.get(reverse("places:quarantine_fix", args=[row.pk])).status_code == 200


def test_a_coordinateur_cannot_import_into_a_dataset_with_places_outside_their_territory(client):
    _imported_in_chartres_area()
    _coordinator(client, "45")
    upload = SimpleUploadedFile("reseau-28.csv", csv_bytes({**VALID_ROW, "id": "autre"}), "text/csv")
    page = client.post(reverse("places:imports"), {"fichier": upload, "jeu": "reseau-28"})
    assert page.status_code == 200 and "contient des lieux hors de votre territoire" in html_lib.unescape(
        page.content.decode()
    )
    api = client.post("/api/v1/lieux/imports", {"fichier": SimpleUploadedFile("reseau-28.csv", b"x")})
    assert api.status_code == 403 and "hors de votre territoire" in api.json()["detail"]
    assert ImportBatch.objects.count() == 1 and Place.objects.get().missing_since is None
    fresh = SimpleUploadedFile("loiret.csv", csv_bytes({**VALID_ROW, "id": "autre"}), "text/csv")
    assert client.post(reverse("places:imports"), {"fichier": fresh, "jeu": "loiret"}).status_code == 302


def test_call_statistics_count_the_calls_of_the_user_s_territory(client):
    from maillage.places.models import PhoneCall
    from maillage.territories.models import Commune

    for code in ("28088", "28088", "45234"):
        PhoneCall.objects.create(commune=Commune.objects.get(code=code), need="démarches", outcome="oriente")
    _coordinator(client, "28")
    page = html_lib.unescape(client.get(reverse("places:operator_statistics")).content.decode())
    assert "Châteaudun" in page and "Orléans" not in page
    assert client.get(reverse("places:operator_statistics")).context["total"] == 2


def test_a_fixed_row_cannot_overwrite_or_create_a_place_outside_the_fixer_s_territory(client):
    from maillage.places.models import QuarantinedRow

    rows = csv_bytes(
        VALID_ROW,
        {
            **VALID_ROW,
            "id": "orleans",
            "code_insee": "45234",
            "code_postal": "45000",
            "commune": "Orléans",
            "telephone": "3646",
        },
    )
    place_import_file(actor=None, data=rows, filename="reseau-mixte.csv")
    row = QuarantinedRow.objects.get()  # in Orléans: in reach of the Loiret's coordinateur
    _coordinator(client, "45")
    form = {**VALID_ROW, "services": VALID_ROW["services"].split("|"), "frais_a_charge": ["Gratuit"]}
    page = client.post(reverse("places:quarantine_fix", args=[row.pk]), {**form, "nom": "Piraté"})  # id lieu-1: 28's
    assert "un lieu que vous ne pouvez pas modifier" in html_lib.unescape(page.content.decode())
    assert Place.objects.get(local_id="lieu-1").nom != "Piraté"
    page = client.post(reverse("places:quarantine_fix", args=[row.pk]), {**form, "id": "nouveau"})  # in 28
    assert "hors de votre territoire" in html_lib.unescape(page.content.decode())
    assert not Place.objects.filter(local_id="nouveau").exists()
    row.refresh_from_db()
    assert row.status == "pending"


def test_a_coordinateur_s_import_writes_places_of_their_territory_only():
    loiret = MembershipFactory(coordinateur=True, territory_code="45").user
    orleans = {**VALID_ROW, "id": "orleans", "code_insee": "45234", "code_postal": "45000", "commune": "Orléans"}
    report, _ = place_import_file(actor=loiret, data=csv_bytes(VALID_ROW, orleans), filename="nouveau-jeu.csv")
    assert (report["accepted"], report["rejected"]) == (1, 1)
    reason = "commune hors de votre territoire : lieu non importé (à importer par son coordinateur)"
    assert report["errors"] == [{"line": 2, "field": "code_insee", "value": "28088", "reason": reason}]
    assert list(Place.objects.values_list("local_id", flat=True)) == ["orleans"]
    assert QuarantinedRow.objects.get().line == 2  # kept, to be imported by the Eure-et-Loir's coordinateur
    everywhere, _ = place_import_file(actor=None, data=csv_bytes(VALID_ROW), filename="ligne-de-commande.csv")
    assert everywhere["accepted"] == 1  # the command line (administrators) writes anywhere
