import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from maillage.activity.models import Activity, Beneficiary, QuarantinedActivityRow
from maillage.activity.selectors import activity_figures
from maillage.core.models import AuditEntry
from tests.activity.factories import BeneficiaryFactory
from tests.activity.helpers import VALID_INDIVIDUAL, csv_bytes
from tests.structures.factories import MembershipFactory


def _post(client, **overrides):
    data = {
        "structure": overrides.pop("structure"),
        "type": "individuel",
        "date": timezone.localdate().isoformat(),
        "duree": "45",
        "type_lieu": "lieu_activite",
        "thematiques": ["email", "securite_numerique"],
        "materiel": ["telephone"],
        "beneficiaire_tranche_age": "soixante_dix_plus",
        "autonomie": "autonome",
    }
    data.update(overrides)
    return client.post(reverse("activity:record"), data)


def test_record_remembers_last_choices_and_updates_statistics(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    response = _post(client, structure=membership.structure.pk)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.mediateur, activity.duree, activity.thematiques) == (
        membership.user,
        45,
        ["email", "securite_numerique"],
    )
    assert activity.beneficiaire_tranche_age == "soixante_dix_plus" and activity.participants_anonymes == 1
    page = client.get(reverse("activity:record")).content.decode()
    assert 'value="45" selected' in page and 'value="securite_numerique"' in page
    assert 'value="securite_numerique" id="id_thematiques_12" checked' in page
    assert activity_figures()["accompagnements"] == 1


def test_collective_with_followed_participants_and_rule_errors(client):
    membership = MembershipFactory()
    person = BeneficiaryFactory(structure=membership.structure)
    client.force_login(membership.user)
    response = _post(
        client,
        structure=membership.structure.pk,
        type="collectif",
        participants="5",
        participants_suivis=[person.pk],
        titre_atelier="Smartphone",
        niveau="debutant",
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.accompagnements_count == 6 and activity.autonomie == ""
    response = _post(client, structure=membership.structure.pk, thematiques=["logement"])
    assert response.status_code == 200 and "Aide aux démarches administratives" in response.content.decode()
    response = _post(client, structure=membership.structure.pk, date="2999-01-01")
    assert "futur" in response.content.decode()


def test_edit_and_delete_pages(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    _post(client, structure=membership.structure.pk)
    activity = Activity.objects.get()
    response = client.post(
        reverse("activity:edit", args=[activity.pk]),
        {
            "structure": membership.structure.pk,
            "type": "individuel",
            "date": activity.date.isoformat(),
            "duree": "autre",
            "duree_autre": "75",
            "type_lieu": "domicile",
            "lieu_commune": "28134",
            "thematiques": ["sante"],
        },
    )
    assert response.status_code == 302
    activity.refresh_from_db()
    assert (activity.duree, activity.commune_id, activity.thematiques) == (75, "28134", ["sante"])
    mine = client.get(reverse("activity:mine"))
    assert mine.context["summaries"][0][1]["accompagnements"] == 1
    client.post(reverse("activity:delete", args=[activity.pk]))
    activity.refresh_from_db()
    assert activity.deleted_at is not None and activity_figures()["accompagnements"] == 0


def test_beneficiary_pages_journal_every_read(client):
    manager = MembershipFactory(gestionnaire=True)
    client.force_login(manager.user)
    response = client.post(
        reverse("activity:beneficiary_create"),
        {"prenom": "Lucie", "nom": "Durand", "genre": "feminin", "statut_social": "retraite"},
    )
    person = Beneficiary.objects.get()
    assert response.status_code == 302 and person.structure == manager.structure
    before = AuditEntry.objects.filter(action="activity.beneficiary_viewed").count()
    assert "Lucie Durand" in client.get(reverse("activity:beneficiary", args=[person.pk])).content.decode()
    assert AuditEntry.objects.filter(action="activity.beneficiary_viewed").count() == before + 1
    export = client.get(reverse("activity:beneficiary_export", args=[person.pk]))
    assert export.json()["nom"] == "Durand"
    client.post(reverse("activity:beneficiary_erase", args=[person.pk]))
    person.refresh_from_db()
    assert person.anonymised_at and person.nom == ""


def test_upload_page_and_quarantine_fix(client):
    manager = MembershipFactory(gestionnaire=True)
    client.force_login(manager.user)
    assert client.get(reverse("activity:import_template", args=["csv"])).content.startswith(b"date,type")
    data = csv_bytes(VALID_INDIVIDUAL, {**VALID_INDIVIDUAL, "beneficiaire_commune": "00000"})
    response = client.post(
        reverse("activity:imports"),
        {"fichier": SimpleUploadedFile("cra.csv", data), "structure": manager.structure.pk},
    )
    assert response.status_code == 302
    detail = client.get(response.url).content.decode()
    assert "1 acceptée(s), 1 rejetée(s)" in detail and "commune inconnue" in detail
    row = QuarantinedActivityRow.objects.get()
    fixed = {**row.raw, "beneficiaire_commune": "28085"}
    response = client.post(reverse("activity:quarantine_fix", args=[row.pk]), fixed)
    assert response.status_code == 302
    assert Activity.objects.filter(structure=manager.structure).count() == 2
    assert activity_figures(start=dt.date(2025, 3, 14), end=dt.date(2025, 3, 14))["accompagnements"] == 2
