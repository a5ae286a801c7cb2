import re

from django.core import mail
from django.urls import reverse

from maillage.core.models import AuditEntry
from tests.users.factories import DEFAULT_PASSWORD, UserFactory


def _login(client, email, password):
    return client.post(reverse("users:login"), {"username": email, "password": password})


def test_login_with_email_case_insensitive_and_journaled(client):
    user = UserFactory(email="camille@exemple.fr")
    response = _login(client, "Camille@Exemple.fr", DEFAULT_PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("users:account")
    assert AuditEntry.objects.filter(action="users.logged_in", actor=user).count() == 1


def test_wrong_password_gives_a_french_error_linked_to_the_form(client):
    UserFactory(email="camille@exemple.fr")
    html = _login(client, "camille@exemple.fr", "mauvais").content.decode()
    assert "Adresse électronique ou mot de passe incorrect" in html
    assert 'role="alert"' in html


def test_brute_force_is_locked_out_even_with_the_right_password(client):
    UserFactory(email="cible@exemple.fr")
    for _ in range(4):
        assert _login(client, "cible@exemple.fr", "mauvais").status_code == 200
    assert _login(client, "cible@exemple.fr", "mauvais").status_code == 429  # the fifth failure locks
    locked = _login(client, "cible@exemple.fr", DEFAULT_PASSWORD)
    assert locked.status_code == 429
    assert "Connexion temporairement bloquée" in locked.content.decode()
    # Another account from the same address is not locked (lockout is per account and address).
    UserFactory(email="autre@exemple.fr")
    assert _login(client, "autre@exemple.fr", DEFAULT_PASSWORD).status_code == 302


def test_logout_needs_post(client):
    client.force_login(UserFactory())
    assert client.get(reverse("users:logout")).status_code == 405
    assert client.post(reverse("users:logout")).status_code == 302
    assert client.get(reverse("users:account")).status_code == 302


def test_password_reset_by_email(client):
    user = UserFactory(email="oubli@exemple.fr")
    response = client.post(reverse("users:password_reset"), {"email": "oubli@exemple.fr"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "nouveau mot de passe" in message.subject
    link = re.search(r"http://testserver(/mot-de-passe/\S+/)", message.body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    new_password = "une-phrase-de-passe-neuve"
    done = client.post(form_page.redirect_chain[-1][0], {"new_password1": new_password, "new_password2": new_password})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    # Unknown addresses get the same answer and no e-mail (no account enumeration).
    mail.outbox = []
    assert client.post(reverse("users:password_reset"), {"email": "inconnu@exemple.fr"}).status_code == 302
    assert mail.outbox == []
