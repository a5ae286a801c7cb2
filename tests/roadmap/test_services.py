import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from maillage.core.models import AuditEntry
from maillage.roadmap import services
from maillage.roadmap.enums import FundMovementKind
from tests.roadmap.factories import (
    ActionFactory,
    BodyFactory,
    BodyMemberFactory,
    FunderFactory,
    FundFactory,
    FundMovementFactory,
    MilestoneFactory,
    RoadmapFactory,
)
from tests.structures.factories import MembershipFactory, StructureFactory
from tests.users.factories import UserFactory


@pytest.fixture
def coordinateur():
    return MembershipFactory(coordinateur=True).user


def test_fund_allocations_never_exceed_the_balance(coordinateur):
    fund = FundFactory()
    FundMovementFactory(fund=fund, amount=Decimal("10000"))
    action = ActionFactory(group__axis__roadmap=fund.roadmap)
    services.fund_movement_create(
        actor=coordinateur,
        fund=fund,
        kind=FundMovementKind.ALLOCATION,
        amount=Decimal("6000"),
        date=dt.date(2025, 4, 1),
        action=action,
    )
    assert services.fund_balance(fund) == Decimal("4000")
    with pytest.raises(ValidationError):
        services.fund_movement_create(
            actor=coordinateur,
            fund=fund,
            kind=FundMovementKind.ALLOCATION,
            amount=Decimal("4000.01"),
            date=dt.date(2025, 4, 2),
        )
    assert services.fund_balance(fund) == Decimal("4000")


def test_only_coordinators_of_the_territory_record_financing():
    roadmap = RoadmapFactory()
    funder = FunderFactory(roadmap=roadmap)
    loiret = MembershipFactory(coordinateur=True, territory_code="45").user
    with pytest.raises(PermissionDenied):
        services.financing_line_create(actor=loiret, roadmap=roadmap, funder=funder, amount=Decimal("1"))
    other_roadmap_funder = FunderFactory()
    with pytest.raises(ValidationError):
        services.financing_line_create(
            actor=UserFactory(superuser=True), roadmap=roadmap, funder=other_roadmap_funder, amount=Decimal("1")
        )


def test_meeting_with_attendance_and_decisions_linked_to_actions(coordinateur):
    body = BodyFactory()
    present = BodyMemberFactory(body=body, organisation="Préfecture")
    stranger = BodyMemberFactory(organisation="Ailleurs")  # member of another body
    action = ActionFactory(group__axis__roadmap=body.roadmap)
    meeting = services.meeting_record(
        actor=coordinateur,
        body=body,
        date=dt.date(2025, 3, 12),
        title="COPIL",
        attendees=[present, stranger],
        decisions=[{"text": "L'action est validée", "actions": [action], "axes": [action.group.axis]}],
    )
    assert list(meeting.attendees.all()) == [present]
    decision = meeting.decisions.get()
    assert list(decision.actions.all()) == [action] and list(action.decisions.all()) == [decision]
    assert AuditEntry.objects.filter(action="roadmap.meeting_recorded").count() == 1


def test_porteur_marks_milestones_of_own_action_only():
    structure = StructureFactory()
    member = MembershipFactory(structure=structure).user
    milestone = MilestoneFactory()
    with pytest.raises(PermissionDenied):
        services.milestone_mark(actor=member, milestone=milestone, done_on=dt.date(2025, 5, 1))
    milestone.action.porteurs.add(structure)
    services.milestone_mark(actor=member, milestone=milestone, done_on=dt.date(2025, 5, 1))
    milestone.refresh_from_db()
    assert milestone.done_on == dt.date(2025, 5, 1)


def test_governance_page_shows_people_to_coordinators_only_and_journals_it(client, coordinateur):
    body = BodyFactory(roadmap=RoadmapFactory(slug="gouv"))
    person = UserFactory(email="president@exemple.fr")
    BodyMemberFactory(body=body, organisation="Préfecture", user=person, function="Président")
    client.force_login(MembershipFactory(observateur=True).user)
    html = client.get("/feuille-de-route/gouv/gouvernance/").content.decode()
    assert "Préfecture" in html and "president@exemple.fr" not in html
    client.force_login(coordinateur)
    assert "president@exemple.fr" in client.get("/feuille-de-route/gouv/gouvernance/").content.decode()
    entry = AuditEntry.objects.get(action="roadmap.governance_viewed")
    assert entry.personal_data and entry.actor == coordinateur
