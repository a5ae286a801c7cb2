from django.test import RequestFactory

from maillage.core.navigation import menu_for
from tests.users.factories import UserFactory


def _current(path, user):
    return [entry["label"] for entry in menu_for(_request(path, user)) if entry["current"]]


def test_only_the_most_specific_menu_entry_is_current(db):
    admin = UserFactory(is_superuser=True, is_staff=True)
    assert _current("/lieux/doublons/3/", admin) == ["Doublons"]
    assert _current("/lieux/imports/", admin) == ["Imports"]
    assert _current("/lieux/12/", admin) == ["Lieux"]
    assert _current("/", admin) == ["Accueil"]


def test_entries_the_user_cannot_open_are_hidden(db):
    from django.contrib.auth.models import AnonymousUser

    labels = [entry["label"] for entry in menu_for(_request("/", AnonymousUser()))]
    assert "Lieux" in labels and "Journal" not in labels and "Doublons" not in labels


def _request(path, user):
    request = RequestFactory().get(path)
    request.user = user
    return request
