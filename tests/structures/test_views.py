import re

from django.core import mail
from django.urls import reverse

from maillage.structures.models import Membership, Structure
from tests.structures.factories import MembershipFactory, StructureFactory


def test_coordinateur_creates_a_structure_from_a_commune_name(client):
    coordinateur = MembershipFactory(coordinateur=True).user
    client.force_login(coordinateur)
    response = client.post(
        reverse("structures:create"),
        {"nom": "Tiers-lieu de Bonneval", "type": "tiers_lieu", "commune": "Bonneval", "siret": ""},
    )
    structure = Structure.objects.get(nom="Tiers-lieu de Bonneval")
    assert response.status_code == 302 and structure.commune_id == "28051"


def test_structure_form_errors_are_tied_to_their_fields(client):
    client.force_login(MembershipFactory(coordinateur=True).user)
    html = client.post(reverse("structures:create"), {"nom": "", "type": "association", "commune": "Zzzz"}).content
    html = html.decode()
    assert 'aria-invalid="true"' in html
    assert re.search(r'aria-describedby="id_commune_error', html)
    assert "Aucune commune ne correspond" in html


def test_structure_list_is_scoped_and_paginated(client):
    coordinateur = MembershipFactory(coordinateur=True).user
    StructureFactory.create_batch(35)
    StructureFactory(in_loiret=True, nom="Structure du Loiret")
    StructureFactory(nom="Médiathèque des Trois Rivières")
    client.force_login(coordinateur)
    first = client.get(reverse("structures:list")).content.decode()
    assert "Page 1 sur 2" in first and "Structure du Loiret" not in first
    filtered = client.get(reverse("structures:list"), {"q": "Trois Rivières"}).content.decode()
    # (not a factory name: their sequence numbers depend on which tests ran before)
    assert "Page 1 sur" not in filtered and "Médiathèque des Trois Rivières" in filtered


def test_gestionnaire_invites_and_newcomer_accepts_by_the_link(client, django_capture_on_commit_callbacks):
    gestionnaire = MembershipFactory(gestionnaire=True)
    client.force_login(gestionnaire.user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("structures:invite", args=[gestionnaire.structure.pk]),
            {"email": "recrue@exemple.fr", "role": "mediateur"},
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["recrue@exemple.fr"]
    link = re.search(r"http://testserver(/structures/invitations/\S+/)", mail.outbox[0].body).group(1)
    client.logout()
    page = client.get(link)
    assert page.status_code == 200 and gestionnaire.structure.nom in page.content.decode()
    password = "une-phrase-de-passe-solide"
    accepted = client.post(
        link, {"first_name": "Léa", "last_name": "Roux", "password1": password, "password2": password}
    )
    assert accepted.status_code == 302
    assert Membership.objects.filter(user__email="recrue@exemple.fr", structure=gestionnaire.structure).exists()
    assert client.get(reverse("users:account")).status_code == 200  # signed in
    client.logout()
    assert client.get(link).status_code == 410  # used once


def test_revoke_needs_confirmation(client):
    gestionnaire = MembershipFactory(gestionnaire=True)
    mediateur = MembershipFactory(structure=gestionnaire.structure)
    client.force_login(gestionnaire.user)
    url = reverse("structures:member_revoke", args=[gestionnaire.structure.pk, mediateur.pk])
    assert "Retirer le rôle" in client.get(url).content.decode()
    mediateur.refresh_from_db()
    assert mediateur.is_active
    client.post(url)
    mediateur.refresh_from_db()
    assert not mediateur.is_active


def test_territory_pages_count_the_active_structures_by_type(client):
    StructureFactory(commune_id="28085", type="france_services")
    StructureFactory(commune_id="28134", type="france_services")
    StructureFactory(commune_id="45234", type="france_services")  # another département
    html = client.get(reverse("territories:departement", args=["28"])).content.decode()
    assert "2 structures actives déclarées sur ce territoire" in html
    assert "France Services : 2" in html
