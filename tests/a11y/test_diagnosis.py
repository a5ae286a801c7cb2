import pytest

from tests.a11y.conftest import assert_accessible, sign_in
from tests.diagnosis.factories import make_run
from tests.places.factories import PlaceFactory
from tests.structures.factories import MembershipFactory
from tests.users.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.a11y


@pytest.fixture
def run(reference_data):
    PlaceFactory(dispositif_programmes_nationaux=["France Services"])
    PlaceFactory(in_chartres=True)
    return make_run()


@pytest.mark.parametrize(
    "path",
    [
        "/diagnostic/",
        "/diagnostic/methodes/",
        "/diagnostic/departement/28/",
        "/diagnostic/departement/28/?niveau=commune",
        "/diagnostic/region/24/",
        "/diagnostic/region/24/comparaison/",
        "/diagnostic/departement/28/couverture/",
        "/diagnostic/departement/28/rapport/",
        "/diagnostic/commune/28085/",
    ],
)
def test_diagnosis_pages_have_no_axe_violation(page, run, path):
    page.goto(path)
    assert_accessible(page)


def test_empty_state_has_no_axe_violation(page, reference_data):
    page.goto("/diagnostic/departement/28/")
    assert "Aucun indice" in page.content()
    assert_accessible(page)


def test_variant_and_sensitivity_for_a_coordinator(page, run):
    user = MembershipFactory(coordinateur=True).user
    sign_in(page, user.email, DEFAULT_PASSWORD)
    page.goto("/diagnostic/departement/28/variante/")
    assert_accessible(page)
    # Keyboard only: untick the first indicator and submit.
    page.focus("#garder_no_thd_coverage_rate")
    page.keyboard.press("Space")
    page.focus("button[name=envoyer]")
    page.keyboard.press("Enter")
    page.wait_for_url("**envoyer=1**")
    assert "Corrélation des rangs" in page.content()
    assert_accessible(page)
    page.goto("/diagnostic/departement/28/sensibilite/")
    assert_accessible(page)
