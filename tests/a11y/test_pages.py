import re

import pytest

from tests.a11y.conftest import assert_accessible, sign_in
from tests.structures.factories import MembershipFactory
from tests.users.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.a11y

PUBLIC_PAGES = {
    "/": "Accueil — maillage",
    "/connexion/": "Se connecter — maillage",
    "/territoires/": "Territoires — maillage",
    "/territoires/departements/28/": "Eure-et-Loir (28) — maillage",
    "/territoires/communes/28088/": "Châteaudun (28) — maillage",
    "/territoires/communes/75056/": "Paris (75) — maillage",
    "/territoires/regions/24/": "Centre-Val de Loire (région) — maillage",
    "/territoires/communes/?q=chateaudun": "« chateaudun » — Rechercher une commune — maillage",
    "/accessibilite/": "Déclaration d'accessibilité — maillage",
    "/mot-de-passe-oublie/": "Mot de passe oublié — maillage",
}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_public_page_has_no_axe_violation_and_a_meaningful_title(page, path):
    page.goto(path)
    assert page.title() == PUBLIC_PAGES[path]
    assert_accessible(page)


def test_signed_in_pages_have_no_axe_violation(page):
    membership = MembershipFactory(coordinateur=True)
    sign_in(page, membership.user.email, DEFAULT_PASSWORD)
    for path in ["/compte/", "/structures/", "/structures/nouvelle/", "/journal/"]:
        page.goto(path)
        assert_accessible(page)


def test_login_errors_are_accessible(page):
    page.goto("/connexion/")
    page.get_by_role("button", name="Se connecter").click()
    assert page.locator("[aria-invalid=true]").count() >= 1
    assert_accessible(page)


SKIP_LINKS = [("Aller au contenu", "contenu"), ("Aller au menu", "menu"), ("Aller au pied de page", "pied")]


def test_skip_links_take_focus_become_visible_and_move_focus(page):
    for name, target in SKIP_LINKS:
        page.goto("/territoires/departements/28/")
        link = page.get_by_role("link", name=name)
        link.focus()
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["y"] >= 0, f"{name} stays off-screen when focused"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == target


def test_commune_search_with_the_keyboard_only(page):
    page.goto("/")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "recherche-commune":
            break
    else:
        pytest.fail("the search field cannot be reached with Tab")
    page.keyboard.type("chateau dun")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/territoires/communes/\?q=chateau"))
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == "/territoires/communes/28088/":
            break
    else:
        pytest.fail("the result for Châteaudun cannot be reached with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**/territoires/communes/28088/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Châteaudun")


def test_live_results_update_while_typing(page):
    page.goto("/territoires/communes/")
    page.get_by_role("searchbox").press_sequentially("nogent le rot", delay=20)
    page.wait_for_selector('#resultats-communes a[href="/territoires/communes/28280/"]')
    assert "q=nogent" in page.url
    assert_accessible(page)
