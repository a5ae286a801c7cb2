"""Anonymous participants of a workshop by genre, tranche d'âge and statut social (activity-model §3.10)."""

import csv
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from maillage.activity import services
from maillage.activity.importing import template_file
from maillage.activity.models import Activity, QuarantinedActivityRow
from maillage.activity.publics import full_breakdown
from maillage.activity.validation import ALL_COLUMNS, COLUMNS
from tests.activity.helpers import VALID_COLLECTIVE, VALID_INDIVIDUAL
from tests.structures.factories import MembershipFactory, StructureFactory

SIRET = "13002603200016"
DETAIL_COLUMNS = {
    "participants_deja_accompagnes": "2",
    "participants_genre_feminin": "5",
    "participants_genre_masculin": "2",
    "participants_tranche_age_soixante_dix_plus": "4",
    "participants_statut_social_retraite": "6",
}


def _post(client, structure, **overrides):
    data = {
        "structure": structure.pk,
        "type": "collectif",
        "date": timezone.localdate().isoformat(),
        "duree": "120",
        "type_lieu": "lieu_activite",
        "thematiques": ["email"],
        "participants": "8",
        "titre_atelier": "Messagerie",
        **overrides,
    }
    return client.post(reverse("activity:record"), data)


def _csv(*rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ALL_COLUMNS, restval="", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def test_entry_form_stores_the_counts_and_shows_them_back_when_editing(client):
    membership = MembershipFactory(gestionnaire=True)
    client.force_login(membership.user)
    page = client.get(reverse("activity:record")).content.decode()
    assert "<details" in page and "Détail des participants anonymes" in page
    assert 'for="id_anonymes_genre_feminin"' in page  # labelled inputs
    response = _post(
        client,
        membership.structure,
        anonymes_deja_accompagnes="3",
        anonymes_genre_feminin="5",
        anonymes_genre_masculin="0",
        anonymes_tranche_age_moins_de_douze="8",
        anonymes_statut_social_scolarise="6",
    )
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert activity.participants_anonymes_detail == {
        "deja_accompagnes": 3,
        "genre_feminin": 5,
        "tranche_age_moins_de_douze": 8,
        "statut_social_scolarise": 6,
    }
    breakdown = full_breakdown(activity.participants_anonymes, activity.participants_anonymes_detail)
    assert breakdown["genre"] == {"masculin": 0, "feminin": 5, "non_communique": 3}
    assert breakdown["statut_social"]["non_communique"] == 2
    edit = client.get(reverse("activity:edit", args=[activity.pk])).content.decode()
    assert '<details class="participants-detail" open>' in edit
    assert 'name="anonymes_genre_feminin" value="5"' in edit


def test_entry_form_refuses_counts_above_the_total_with_french_messages(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    response = _post(client, membership.structure, anonymes_genre_feminin="6", anonymes_genre_masculin="3")
    html = response.content.decode()
    assert response.status_code == 200 and not Activity.objects.exists()
    assert "Genre : la somme des effectifs renseignés (9) dépasse le nombre de participants anonymes (8)." in html
    response = _post(client, membership.structure, anonymes_deja_accompagnes="9")
    assert "déjà accompagnés (9) ne peuvent pas dépasser" in response.content.decode()
    response = _post(client, membership.structure, anonymes_tranche_age_moins_de_douze="-1")
    assert response.status_code == 200 and not Activity.objects.exists()


def test_individual_accompaniment_keeps_no_detail(client):
    membership = MembershipFactory()
    client.force_login(membership.user)
    response = _post(client, membership.structure, type="individuel", participants="", anonymes_genre_feminin="1")
    assert response.status_code == 302
    assert Activity.objects.get().participants_anonymes_detail == {}


def test_model_clean_and_service_validate_the_counts():
    membership = MembershipFactory()
    values = {
        "type": "collectif",
        "date": timezone.localdate(),
        "duree": 60,
        "type_lieu": "lieu_activite",
        "thematiques": ["email"],
        "participants_anonymes": 4,
        "participants_anonymes_detail": {"statut_social_retraite": 3, "statut_social_en_emploi": 2},
    }
    with pytest.raises(ValidationError) as error:
        services.activity_create(actor=membership.user, structure=membership.structure, values=values)
    assert "Statut social : la somme des effectifs renseignés (5)" in str(error.value)
    values["participants_anonymes_detail"] = {"genre_feminin": "deux"}
    with pytest.raises(ValidationError, match="nombre entier positif ou nul"):
        services.activity_create(actor=membership.user, structure=membership.structure, values=values)
    values["participants_anonymes_detail"] = {"genre_feminin": 2, "genre_masculin": 0}
    activity = services.activity_create(actor=membership.user, structure=membership.structure, values=values)
    assert activity.participants_anonymes_detail == {"genre_feminin": 2}


def test_import_reads_the_optional_columns_and_rejects_inconsistent_counts():
    StructureFactory(siret=SIRET)
    good = {**VALID_COLLECTIVE, "structure_siret": SIRET, **DETAIL_COLUMNS}
    too_many = {**good, "titre_atelier": "Autre", "participants_genre_masculin": "4"}
    not_a_number = {**good, "titre_atelier": "Encore", "participants_statut_social_retraite": "six"}
    individual = {**VALID_INDIVIDUAL, "structure_siret": SIRET, "participants_genre_feminin": "1"}
    report, _ = services.activity_import_file(
        actor=None, data=_csv(good, too_many, not_a_number, individual), filename="a.csv"
    )
    assert (report["accepted"], report["rejected"]) == (2, 2)
    workshop = Activity.objects.get(type="collectif")
    assert workshop.participants_anonymes_detail == {
        "deja_accompagnes": 2,
        "genre_feminin": 5,
        "genre_masculin": 2,
        "tranche_age_soixante_dix_plus": 4,
        "statut_social_retraite": 6,
    }
    assert Activity.objects.get(type="individuel").participants_anonymes_detail == {}
    errors = {(e["line"], e["field"]): e for e in report["errors"]}
    genre = errors[(3, "participants_genre_masculin + participants_genre_feminin")]
    assert genre["value"] == "participants_genre_masculin=4 + participants_genre_feminin=5"
    assert "somme des effectifs renseignés (9) dépasse le nombre de participants (8)" in genre["reason"]
    assert errors[(4, "participants_statut_social_retraite")]["reason"] == "nombre entier attendu"
    assert any(w["field"] == "participants_genre_feminin" and w["line"] == 5 for w in report["warnings"])
    # Re-importing changes nothing (the fingerprint covers the counts).
    again, _ = services.activity_import_file(actor=None, data=_csv(good), filename="a.csv")
    assert (again["created"], again["already_imported"]) == (0, 1)


def test_rows_without_the_optional_columns_keep_their_fingerprint():
    """Files imported before the columns existed re-import as 'already imported'."""
    from maillage.activity.validation import RowChecker, fingerprint

    StructureFactory(siret=SIRET)
    checked = RowChecker().check(2, {**VALID_COLLECTIVE, "structure_siret": SIRET})
    assert "participants_anonymes_detail" not in checked.values
    assert fingerprint(checked.values, 1) == fingerprint({**checked.values}, 1)


def test_quarantine_fix_keeps_the_optional_columns(client):
    StructureFactory(siret=SIRET)
    row = {**VALID_COLLECTIVE, "structure_siret": SIRET, **DETAIL_COLUMNS, "participants": "3"}
    services.activity_import_file(actor=None, data=_csv(row), filename="q.csv")
    quarantined = QuarantinedActivityRow.objects.get()
    client.force_login(MembershipFactory(coordinateur=True).user)
    url = reverse("activity:quarantine_fix", args=[quarantined.pk])
    page = client.get(url).content.decode()
    assert 'name="participants_genre_feminin"' in page
    data = {name: row.get(name, "") for name in [*COLUMNS, *DETAIL_COLUMNS]}
    data.update(participants="9")
    assert client.post(url, data).status_code == 302
    assert Activity.objects.get().participants_anonymes_detail["genre_feminin"] == 5


def test_templates_document_the_optional_columns():
    header = template_file("csv").decode().splitlines()[0].split(",")
    assert header[: len(COLUMNS)] == COLUMNS and "participants_genre_feminin" in header
    sheet = openpyxl.load_workbook(io.BytesIO(template_file("xlsx"))).active
    assert [cell.value for cell in sheet[1]] == ALL_COLUMNS
    report, _ = services.activity_import_file(
        actor=None, data=template_file("csv"), filename="modele.csv", structure=StructureFactory(), dry_run=True
    )
    assert report["rejected"] == 0


def test_import_page_lists_the_optional_columns(client):
    client.force_login(MembershipFactory(coordinateur=True).user)
    html = client.get(reverse("activity:imports")).content.decode()
    assert "<code>participants_tranche_age_douze_dix_huit</code>" in html
    assert "<code>participants_deja_accompagnes</code>" in html
