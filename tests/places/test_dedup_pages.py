"""The coordinateur's duplicate review pages: list, field-by-field merge, history with undo."""

import datetime as dt
import html as html_lib
import re

import pytest
from django.test import Client
from django.urls import reverse

from maillage.places import services
from maillage.places.enums import DuplicateStatus
from maillage.places.models import DuplicateCandidate, Place, PlaceMerge
from maillage.territories.models import Commune
from tests.places.factories import PlaceFactory
from tests.structures.factories import MembershipFactory


@pytest.fixture
def coordinator_client(client):
    client.force_login(MembershipFactory(coordinateur=True).user)
    return client


@pytest.fixture
def pair():
    # Large ids: the page must not write them with thousand separators (« 9 000 001 »).
    PlaceFactory(
        pk=9_000_001,
        dataset="france-services",
        nom="France Services de Châteaudun",
        telephone="+33237451191",
        date_maj=dt.date(2026, 2, 1),
    )
    PlaceFactory(
        pk=9_000_002,
        dataset="cnfs",
        nom="FRANCE SERVICES CHATEAUDUN",
        pivot="21280088800015",
        date_maj=dt.date(2025, 6, 1),
        services=["Maîtrise des outils numériques du quotidien"],
    )
    services.duplicates_refresh(actor=None)
    return DuplicateCandidate.objects.get()


def test_list_explains_each_score(coordinator_client, pair):
    html = coordinator_client.get(reverse("places:duplicates")).content.decode()
    assert "France Services de Châteaudun" in html and "FRANCE SERVICES CHATEAUDUN" in html
    assert f'<th scope="row">{pair.score}</th>' in html
    assert "Nom : 100 % →" in html and "Téléphone" not in html.split("<tbody>")[1].split("</tbody>")[0]
    assert reverse("places:duplicate_detail", args=[pair.pk]) in html


def test_refresh_from_the_page(coordinator_client, pair):
    DuplicateCandidate.objects.all().delete()
    response = coordinator_client.post(reverse("places:duplicates"), follow=True)
    assert "dont 1 nouvelle(s)" in response.content.decode()
    assert DuplicateCandidate.objects.count() == 1


def test_merge_page_proposes_source_priority_defaults_and_merges(coordinator_client, pair):
    url = reverse("places:duplicate_detail", args=[pair.pk])
    html = re.sub(r"\s+", " ", coordinator_client.get(url).content.decode())  # attributes may wrap
    recent, older = pair.first, pair.second
    assert "Score " + str(pair.score) + " sur 100" in html
    assert f'id="conserve-{recent.pk}" value="{recent.pk}" checked' in html  # the most recent is kept
    assert f'id="choix-pivot-{older.pk}" value="{older.pk}" checked' in html  # a real SIRET wins
    assert 'id="choix-services-union" value="union" checked' in html
    response = coordinator_client.post(
        url, {"conserve": str(recent.pk), "choix-nom": str(older.pk), "choix-services": str(recent.pk)}
    )
    assert response.status_code == 302 and response.url == reverse("places:merges")
    recent.refresh_from_db()
    older.refresh_from_db()
    assert recent.nom == "FRANCE SERVICES CHATEAUDUN" and recent.pivot == "21280088800015"
    assert recent.services == ["Aide aux démarches administratives"]
    assert older.merged_into == recent and not older.is_published
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.MERGED
    history = coordinator_client.get(reverse("places:merges")).content.decode()
    assert "Annuler la fusion" in history
    merge = PlaceMerge.objects.get()
    coordinator_client.post(reverse("places:merge_undo", args=[merge.pk]))
    recent.refresh_from_db()
    assert recent.nom == "France Services de Châteaudun" and recent.pivot == "00000000000000"
    assert Place.objects.get(pk=older.pk).merged_into is None
    assert "Annulée le" in coordinator_client.get(reverse("places:merges")).content.decode()


def test_a_merge_that_can_no_longer_be_undone_says_why_instead_of_offering_it(coordinator_client, pair):
    url = reverse("places:duplicate_detail", args=[pair.pk])
    coordinator_client.post(url, {"conserve": str(pair.first.pk)})
    kept = Place.objects.get(pk=pair.first.pk)
    kept.telephone = "+33237000000"  # changed since the merge (an import, an edit)
    kept.save()
    html = html_lib.unescape(coordinator_client.get(reverse("places:merges")).content.decode())
    assert "Ne peut plus être annulée : Le lieu conservé a été modifié depuis la fusion" in html
    assert "Annuler la fusion" not in html


def test_dismiss_and_reopen(coordinator_client, pair):
    url = reverse("places:duplicate_dismiss", args=[pair.pk])
    coordinator_client.post(url, {"motif": "Deux guichets"})
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.DISMISSED and pair.note == "Deux guichets"
    assert "Aucune paire à examiner" in coordinator_client.get(reverse("places:duplicates")).content.decode()
    dismissed = coordinator_client.get(reverse("places:duplicates"), {"etat": "dismissed"}).content.decode()
    assert "Deux guichets" in dismissed and "Proposer à nouveau" in dismissed
    coordinator_client.post(url, {"action": "reouvrir"})
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.PENDING


def test_a_too_long_reason_leaves_the_pair_pending_and_says_why(coordinator_client, pair):
    url = reverse("places:duplicate_dismiss", args=[pair.pk])
    page = coordinator_client.post(url, {"motif": "x" * 501}, follow=True).content.decode()
    pair.refresh_from_db()
    assert pair.status == DuplicateStatus.PENDING
    assert "La paire n&#x27;est pas écartée" in page and "Paire écartée" not in page


def test_a_coordinateur_sees_only_pairs_of_their_territory(coordinator_client):
    orleans = Commune.objects.get(code="45234")
    for name in ("Médiathèque d'Orléans", "Mediatheque Orleans"):
        PlaceFactory(nom=name, commune=orleans, commune_nom="Orléans", code_postal="45000", code_insee="45234")
    services.duplicates_refresh(actor=None)
    pair = DuplicateCandidate.objects.get()
    assert "Orléans" not in coordinator_client.get(reverse("places:duplicates")).content.decode()
    assert coordinator_client.get(reverse("places:duplicate_detail", args=[pair.pk])).status_code == 404
    assert coordinator_client.post(reverse("places:duplicate_dismiss", args=[pair.pk])).status_code == 404


def test_the_fiche_of_a_merged_place_leads_the_public_to_the_kept_place(coordinator_client, pair):
    kept, merged = pair.first, pair.second
    services.places_merge(actor=MembershipFactory(coordinateur=True).user, kept=kept, others=[merged], choices={})
    response = Client().get(reverse("places:detail", args=[merged.pk]))
    assert response.status_code == 302 and response.url == reverse("places:detail", args=[kept.pk])
    assert coordinator_client.get(reverse("places:detail", args=[merged.pk])).status_code == 200  # still there
