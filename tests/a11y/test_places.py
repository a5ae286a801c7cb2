import re

import pytest

from maillage.places.search import invalidate_index
from tests.a11y.conftest import assert_accessible, sign_in
from tests.places.factories import PlaceFactory
from tests.structures.factories import MembershipFactory
from tests.users.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.a11y


@pytest.fixture
def places(reference_data):
    created = [
        PlaceFactory(
            nom="France Services de Châteaudun",
            telephone="+33237451191",
            dispositif_programmes_nationaux=["France Services"],
        ),
        PlaceFactory(nom="Médiathèque de Châteaudun", services=["Accès internet et matériel informatique"]),
        PlaceFactory(in_chartres=True, nom="Médiathèque de Chartres"),
    ]
    invalidate_index()
    return created


def _tab_to(page, predicate_js: str, limit: int = 80) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    pytest.fail(f"not reachable with Tab: {predicate_js}")


def test_search_fiche_and_printable_fiche_with_the_keyboard_only(page, places):
    page.goto("/lieux/")
    _tab_to(page, "document.activeElement.id === 'id_ou'")
    page.keyboard.type("chateaudun")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/lieux/\?.*ou=chateaudun"))
    target = f"/lieux/{places[0].pk}/"
    _tab_to(page, f"document.activeElement.getAttribute('href') === '{target}'")
    page.keyboard.press("Enter")
    page.wait_for_url(f"**{target}")
    assert page.get_by_role("heading", level=1).inner_text() == "France Services de Châteaudun"
    _tab_to(page, 'document.activeElement.textContent.trim() === "Fiche d\'orientation à imprimer"')
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/lieux/orientation/\?lieux="))
    assert "France Services de Châteaudun" in page.content() and "02 37 45 11 91" in page.content()


@pytest.mark.parametrize(
    "path", ["/lieux/", "/lieux/?ou=chateaudun", "/lieux/?ou=chateaudun&frais=Gratuit&ouvert=maintenant"]
)
def test_list_pages_have_no_axe_violation(page, places, path):
    page.goto(path)
    assert_accessible(page)


def test_fiche_and_printable_fiche_have_no_axe_violation(page, places):
    page.goto(f"/lieux/{places[0].pk}/")
    assert_accessible(page)
    page.goto(f"/lieux/orientation/?lieux={places[0].pk},{places[1].pk}")
    assert_accessible(page)
    page.goto("/lieux/annuaire/?territoire=departement:28")
    assert_accessible(page)


def test_directory_chosen_by_name_with_the_keyboard_only(page, places):
    page.goto("/lieux/annuaire/?territoire=99999")
    assert page.evaluate("document.activeElement.id") == "territoire"  # the field in error has the focus
    assert_accessible(page)
    page.goto("/lieux/annuaire/")
    assert_accessible(page)
    _tab_to(page, "document.activeElement.id === 'territoire'")
    page.keyboard.type("eure et loir")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Eure-et-Loir')")
    assert "territoire=departement:28" in page.url.replace("%3A", ":")
    assert_accessible(page)


def test_operator_screen_is_keyboard_first_and_accessible(page, places):
    membership = MembershipFactory()
    sign_in(page, membership.user.email, DEFAULT_PASSWORD)
    page.goto("/lieux/telephone/")
    assert page.evaluate("document.activeElement.id") == "id_ou"  # autofocus: type straight away
    page.keyboard.type("28200")
    page.keyboard.press("Enter")
    page.wait_for_selector(".read-aloud")
    assert page.locator(".read-aloud").count() == 3
    assert_accessible(page)
    _tab_to(page, "document.activeElement.name === 'issue'")
    page.keyboard.press("Space")
    _tab_to(page, 'document.activeElement.textContent.trim() === "Enregistrer l\'appel"')
    page.keyboard.press("Enter")
    page.wait_for_selector("text=Appel enregistré")
    assert page.evaluate("document.activeElement.id") == "id_ou"
