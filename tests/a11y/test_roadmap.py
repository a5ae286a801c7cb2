import datetime as dt
from decimal import Decimal

import pytest

from tests.a11y.conftest import assert_accessible, sign_in
from tests.roadmap.factories import BudgetLineFactory, FinancingLineFactory, FunderFactory, MilestoneFactory
from tests.roadmap.helpers import import_n28
from tests.structures.factories import MembershipFactory
from tests.users.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.a11y


@pytest.fixture
def roadmap(reference_data):
    roadmap = import_n28()
    action = roadmap.actions.get(code="1.3.1")
    action.start_date, action.end_date = dt.date(2025, 3, 1), dt.date(2026, 6, 30)
    action.save()
    MilestoneFactory(action=action, title="Achat du bus", due_date=dt.date(2025, 6, 30))
    BudgetLineFactory(action=action, amount=Decimal("180000"))
    FinancingLineFactory(funder=FunderFactory(roadmap=roadmap, name="État"), action=action, amount=Decimal("90000"))
    return roadmap


def test_public_transparency_page(page, roadmap):
    page.goto("/feuille-de-route/")
    assert_accessible(page)
    page.goto(f"/feuille-de-route/{roadmap.slug}/transparence/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Numérique 28 Ensemble")
    assert_accessible(page)


PAGES = [
    "",
    "?thematique=sante&statut=proposee",
    "actions/1.3.1/",
    "actions/1.3.1/modifier/",
    "matrice/",
    "calendrier/",
    "indicateurs/",
    "objectifs/",
    "gouvernance/",
    "financements/",
    "financements/ajouter/",
    "gouvernance/atelier/",
    "rapport/",
]


def test_coordinator_pages_have_no_axe_violation(page, roadmap):
    user = MembershipFactory(coordinateur=True).user
    sign_in(page, user.email, DEFAULT_PASSWORD)
    for path in PAGES:
        page.goto(f"/feuille-de-route/{roadmap.slug}/{path}")
        assert_accessible(page)
    page.goto(f"/feuille-de-route/{roadmap.slug}/gouvernance/{roadmap.bodies.get(kind='copil').pk}/reunion/")
    assert_accessible(page)
    fund = roadmap.funds.create(name="Fonds d'inclusion numérique")
    page.goto(f"/feuille-de-route/{roadmap.slug}/fonds/{fund.pk}/mouvement/")
    assert_accessible(page)
    page.goto("/feuille-de-route/import/")
    assert_accessible(page)


def test_status_change_with_the_keyboard_only(page, roadmap):
    user = MembershipFactory(coordinateur=True).user
    sign_in(page, user.email, DEFAULT_PASSWORD)
    page.goto(f"/feuille-de-route/{roadmap.slug}/actions/1.1.1/")
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id === 'id_status'"):
            break
    else:
        pytest.fail("status select not reachable with Tab")
    page.keyboard.press("Tab")  # comment
    page.keyboard.type("COPIL du 12 mars")
    page.keyboard.press("Enter")
    page.get_by_text("Statut de l'action 1.1.1 mis à jour.").wait_for()
    assert "COPIL du 12 mars" in page.content()
    assert roadmap.actions.get(code="1.1.1").status == "validee"
