import html as html_lib

from django.urls import reverse

from maillage.places.enums import QuarantineStatus
from maillage.places.models import Place, QuarantinedRow
from maillage.places.services import place_import_file
from tests.places.helpers import VALID_ROW, csv_bytes
from tests.structures.factories import MembershipFactory


def _quarantined():
    report, batch = place_import_file(
        actor=None, data=csv_bytes({**VALID_ROW, "telephone": "3646", "nom": ""}), filename="lieux.csv"
    )
    return batch.quarantined_rows.get()


def test_fix_form_shows_the_reasons_and_imports_the_fixed_row(client):
    row = _quarantined()
    client.force_login(MembershipFactory(coordinateur=True).user)
    page = client.get(reverse("places:quarantine_fix", args=[row.pk])).content.decode()
    assert "numéro de téléphone invalide" in page and "le champ nom est obligatoire" in page
    form = {name: value for name, value in VALID_ROW.items()}
    form["services"] = VALID_ROW["services"].split("|")
    form["frais_a_charge"] = ["Gratuit"]
    response = client.post(reverse("places:quarantine_fix", args=[row.pk]), form)
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == QuarantineStatus.RESUBMITTED
    assert row.place == Place.objects.get(dataset=row.dataset, local_id="lieu-1")


def test_fix_with_remaining_errors_stays_in_quarantine(client):
    row = _quarantined()
    client.force_login(MembershipFactory(coordinateur=True).user)
    form = {**VALID_ROW, "telephone": "3646", "services": ["Aide aux démarches administratives"]}
    page = client.post(reverse("places:quarantine_fix", args=[row.pk]), form).content.decode()
    assert "numéro de téléphone invalide" in page
    row.refresh_from_db()
    assert row.status == QuarantineStatus.PENDING and not Place.objects.exists()


def test_discard_needs_a_reason_and_keeps_the_row(client):
    row = _quarantined()
    client.force_login(MembershipFactory(coordinateur=True).user)
    blank = client.post(reverse("places:quarantine_discard", args=[row.pk]), {"motif": ""}, follow=True)
    row.refresh_from_db()
    assert row.status == QuarantineStatus.PENDING
    assert "Indiquez pourquoi cette ligne est écartée (300 caractères au plus)" in blank.content.decode()
    client.post(reverse("places:quarantine_discard", args=[row.pk]), {"motif": "lieu fermé"})
    row.refresh_from_db()
    assert row.status == QuarantineStatus.DISCARDED and QuarantinedRow.objects.filter(pk=row.pk).exists()


def test_a_row_already_fixed_or_discarded_cannot_be_discarded(client):
    from maillage.core.models import AuditEntry

    row = _quarantined()
    row.status = QuarantineStatus.RESUBMITTED
    row.save()
    client.force_login(MembershipFactory(coordinateur=True).user)
    page = client.post(reverse("places:quarantine_discard", args=[row.pk]), {"motif": "doublon"}, follow=True)
    row.refresh_from_db()
    assert row.status == QuarantineStatus.RESUBMITTED
    assert "n'est plus à corriger" in html_lib.unescape(page.content.decode())
    assert not AuditEntry.objects.filter(action="places.quarantine_discarded").exists()
