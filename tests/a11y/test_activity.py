import datetime as dt
import time

import pytest

from maillage.activity.generate import generate_activities
from maillage.activity.models import Activity
from maillage.activity.schemes import import_aidants_connect, import_conseillers_numeriques
from tests.a11y.conftest import assert_accessible, sign_in
from tests.activity.factories import BeneficiaryFactory
from tests.shared_data import shared_file
from tests.structures.factories import MembershipFactory
from tests.users.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.a11y


def _tab_to(page, predicate_js: str, limit: int = 120) -> None:
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(predicate_js):
            return
    pytest.fail(f"not reachable with Tab: {predicate_js}")


@pytest.fixture
def mediateur(reference_data):
    membership = MembershipFactory()
    BeneficiaryFactory(structure=membership.structure, prenom="Lucie", nom="Durand")
    return membership


def test_individual_accompaniment_recorded_with_the_keyboard_in_under_30_seconds(page, mediateur):
    sign_in(page, mediateur.user.email, DEFAULT_PASSWORD)
    started = time.monotonic()
    page.goto("/activite/saisie/")
    # Defaults: today, individual, 30 min, in the structure's place. Choose the themes and the person's age.
    _tab_to(page, "document.activeElement.value === 'aide_aux_demarches_administratives'")
    page.keyboard.press("Space")
    _tab_to(page, "document.activeElement.value === 'social_sante'")
    page.keyboard.press("Space")
    _tab_to(page, "document.activeElement.id === 'id_beneficiaire_tranche_age'")
    page.keyboard.type("70")
    _tab_to(page, "document.activeElement.type === 'submit'")
    page.keyboard.press("Enter")
    page.get_by_text("Prêt pour le suivant").wait_for()
    elapsed = time.monotonic() - started
    activity = Activity.objects.get()
    assert activity.thematiques == ["aide_aux_demarches_administratives", "social_sante"]
    assert activity.beneficiaire_tranche_age == "soixante_dix_plus" and activity.mediateur == mediateur.user
    print(f"keyboard entry: {elapsed:.1f} s")
    assert elapsed < 30, f"{elapsed:.1f} s"
    assert_accessible(page)  # the form again, with the confirmation message


def test_entry_form_on_a_phone_screen(browser, live_server, mediateur):
    context = browser.new_context(base_url=live_server.url, locale="fr-FR", viewport={"width": 375, "height": 740})
    phone = context.new_page()
    sign_in(phone, mediateur.user.email, DEFAULT_PASSWORD)
    phone.goto("/activite/saisie/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 375 + 1, f"horizontal scroll on a phone ({width}px)"
    assert_accessible(phone)
    context.close()


@pytest.mark.parametrize(
    "path", ["/activite/mes-activites/", "/activite/beneficiaires/", "/activite/beneficiaires/nouveau/"]
)
def test_member_pages_have_no_axe_violation(page, mediateur, path):
    generate_activities(n=30, seed=1, departement="28")
    Activity.objects.update(mediateur=mediateur.user)
    sign_in(page, mediateur.user.email, DEFAULT_PASSWORD)
    page.goto(path)
    assert_accessible(page)


@pytest.mark.parametrize(
    "query",
    [
        "?territoire=departement:28",
        "?territoire=departement:28&du=2025-01-01&au=2025-06-30&comparer_du=2024-01-01&comparer_au=2024-06-30",
        "?territoire=commune:28085&du=2025-01-01&au=2025-12-31&comparer_territoire=commune:28134",
    ],
)
def test_dashboards_have_no_axe_violation(page, reference_data, query):
    MembershipFactory()
    import_conseillers_numeriques(shared_file("stats/conum_departement-cras.json"))
    import_aidants_connect(shared_file("stats/aidants-connect_structures.csv"))
    generate_activities(n=1500, seed=4, departement="28", start=dt.date(2024, 1, 1))
    page.goto("/activite/" + query)
    assert page.locator("svg.chart").count() >= 4
    assert_accessible(page)


def test_import_pages_have_no_axe_violation(page, reference_data):
    coordinator = MembershipFactory(coordinateur=True)
    sign_in(page, coordinator.user.email, DEFAULT_PASSWORD)
    for path in ("/activite/imports/", "/activite/quarantaine/"):
        page.goto(path)
        assert_accessible(page)
