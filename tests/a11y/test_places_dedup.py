import datetime as dt

import pytest

from maillage.places import services
from maillage.places.models import DuplicateCandidate
from tests.a11y.conftest import assert_accessible, sign_in
from tests.places.factories import PlaceFactory
from tests.structures.factories import MembershipFactory
from tests.users.factories import DEFAULT_PASSWORD

pytestmark = pytest.mark.a11y


@pytest.fixture
def pair(reference_data):
    PlaceFactory(dataset="france-services", nom="France Services de Châteaudun", telephone="+33237451191")
    PlaceFactory(
        dataset="cnfs",
        nom="FRANCE SERVICES CHATEAUDUN",
        pivot="21280088800015",
        date_maj=dt.date(2025, 6, 1),
        services=["Maîtrise des outils numériques du quotidien"],
    )
    services.duplicates_refresh(actor=None)
    return DuplicateCandidate.objects.get()


def test_duplicate_review_pages_have_no_axe_violation_and_merge_with_the_keyboard(page, pair):
    membership = MembershipFactory(coordinateur=True)
    sign_in(page, membership.user.email, DEFAULT_PASSWORD)
    page.goto("/lieux/doublons/")
    assert_accessible(page)
    page.goto(f"/lieux/doublons/{pair.pk}/")
    assert_accessible(page)
    page.get_by_role("button", name="Fusionner les deux lieux").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/lieux/fusions/")
    assert "est fusionné dans" in page.content()
    assert_accessible(page)
    page.goto("/lieux/doublons/?etat=merged")
    assert_accessible(page)
