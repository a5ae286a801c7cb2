"""Browser checks (axe-core, keyboard) of the structure and médiateur dashboards and of the
workshop participants' detail block."""

import datetime as dt

import pytest

from maillage.activity.generate import generate_activities
from maillage.activity.models import Activity
from tests.a11y.conftest import assert_accessible, sign_in
from tests.structures.factories import MembershipFactory
from tests.users.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.a11y


@pytest.fixture
def gestionnaire(reference_data):
    membership = MembershipFactory(gestionnaire=True)
    generate_activities(n=300, seed=6, structures=[membership.structure], start=dt.date(2024, 1, 1))
    Activity.objects.update(mediateur=membership.user)
    return membership


@pytest.mark.parametrize(
    "kind,query",
    [
        ("structure", ""),
        ("structure", "?du=2025-01-01&au=2025-06-30&comparer_du=2024-01-01&comparer_au=2024-06-30"),
        ("mediateur", "?du=2024-01-01&au=2025-12-31"),
    ],
)
def test_scope_dashboards_have_no_axe_violation(page, gestionnaire, kind, query):
    sign_in(page, gestionnaire.user.email, DEFAULT_PASSWORD)
    pk = gestionnaire.structure.pk if kind == "structure" else gestionnaire.user.pk
    page.goto(f"/activite/{kind}/{pk}/{query}")
    assert page.locator("svg.chart").count() >= 7  # five charts and three publics charts (some may be empty)
    assert page.get_by_role("heading", name="Publics").count() == 1
    assert_accessible(page)


def test_participants_detail_block_with_the_keyboard(page, reference_data):
    membership = MembershipFactory()
    sign_in(page, membership.user.email, DEFAULT_PASSWORD)
    page.goto("/activite/saisie/")
    page.get_by_label("Atelier collectif").check()
    page.get_by_label("E-mail", exact=True).check()
    page.get_by_label("Participants anonymes", exact=True).fill("6")
    summary = page.locator("summary", has_text="Détail des participants anonymes")
    summary.focus()
    page.keyboard.press("Enter")  # a native <details>: opens with the keyboard
    feminin = page.locator("#id_anonymes_genre_feminin")
    assert feminin.is_visible()
    feminin.focus()
    page.keyboard.type("4")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "id_anonymes_tranche_age_soixante_dix_plus"
    assert_accessible(page)
    page.get_by_role("button", name="Enregistrer").click()
    page.get_by_text("Prêt pour le suivant").wait_for()
    assert Activity.objects.get().participants_anonymes_detail == {"genre_feminin": 4}
