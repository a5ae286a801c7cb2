from django.urls import reverse

from tests.structures.factories import MembershipFactory


def test_an_action_address_opened_as_a_link_explains_itself(client):
    client.force_login(MembershipFactory(coordinateur=True).user)
    response = client.get(reverse("places:duplicate_dismiss", args=[1]))
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert "s'utilise avec le bouton de la page" in response.content.decode().replace("&#x27;", "'")


def test_the_api_keeps_its_own_answer():
    from django.test import Client

    response = Client().delete("/api/v1/communes")
    assert response.status_code == 405 and b"s'utilise" not in response.content
