import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from maillage.activity import perms, services
from maillage.activity.models import Accompagnement, Beneficiary
from maillage.activity.selectors import activity_figures
from maillage.core.models import AuditEntry
from tests.activity.factories import ActivityFactory, BeneficiaryFactory
from tests.structures.factories import MembershipFactory
from tests.users.factories import UserFactory


def _values(date):
    return {"type": "individuel", "date": date, "duree": 30, "type_lieu": "lieu_activite", "thematiques": ["email"]}


@pytest.fixture
def team():
    mediateur = MembershipFactory()
    manager = MembershipFactory(gestionnaire=True, structure=mediateur.structure)
    return mediateur.user, manager.user, mediateur.structure


def test_only_the_following_structure_sees_a_beneficiary_and_each_read_is_journaled(team):
    mediateur, manager, structure = team
    person = services.beneficiary_create(actor=mediateur, structure=structure, prenom="Jeanne", nom="Martin")
    for outsider in (
        MembershipFactory().user,
        MembershipFactory(coordinateur=True).user,
        MembershipFactory(observateur=True).user,
        UserFactory(superuser=True),
    ):
        assert not perms.can_view_beneficiary(outsider, person)
        with pytest.raises(PermissionDenied):
            services.beneficiary_read(actor=outsider, beneficiary=person)
    services.beneficiary_read(actor=mediateur, beneficiary=person)
    entry = AuditEntry.objects.filter(action="activity.beneficiary_viewed", object_id=str(person.pk)).get()
    assert entry.personal_data and entry.actor == mediateur
    found = services.beneficiary_search(actor=mediateur, structure=structure, query="mart")
    assert found == [person]
    assert AuditEntry.objects.filter(action="activity.beneficiary_viewed", payload__purpose="recherche").exists()


def test_first_accompaniment_flag_and_followed_counted_once(team):
    mediateur, manager, structure = team
    person = BeneficiaryFactory(structure=structure)
    today = timezone.localdate()
    later = services.activity_create(actor=mediateur, structure=structure, values=_values(today), followed=[person])
    earlier = services.activity_create(
        actor=mediateur, structure=structure, values=_values(today - dt.timedelta(days=3)), followed=[person]
    )
    flags = dict(Accompagnement.objects.values_list("activity_id", "premier_accompagnement"))
    assert flags == {later.pk: False, earlier.pk: True}
    figures = activity_figures()
    assert (figures["accompagnements"], figures["beneficiaires"], figures["beneficiaires_suivis"]) == (2, 1, 1)
    services.activity_delete(actor=mediateur, activity=earlier)
    assert Accompagnement.objects.get(activity=later).premier_accompagnement
    person.refresh_from_db()
    assert person.last_activity_on == today


def test_a_beneficiary_of_another_structure_cannot_be_linked(team):
    mediateur, _, structure = team
    stranger = BeneficiaryFactory()
    with pytest.raises(Exception, match="inconnu"):
        services.activity_create(
            actor=mediateur, structure=structure, values=_values(timezone.localdate()), followed=[stranger]
        )


def test_export_and_erase_on_request(team):
    mediateur, manager, structure = team
    person = BeneficiaryFactory(structure=structure, prenom="Paul", telephone="0600000000")
    services.activity_create(
        actor=mediateur, structure=structure, values=_values(timezone.localdate()), followed=[person]
    )
    with pytest.raises(PermissionDenied):
        services.beneficiary_export(actor=mediateur, beneficiary=person)
    data = services.beneficiary_export(actor=manager, beneficiary=person)
    assert data["prenom"] == "Paul" and len(data["accompagnements"]) == 1
    services.beneficiary_erase(actor=manager, beneficiary=person)
    person.refresh_from_db()
    assert (person.prenom, person.nom, person.telephone, person.anonymised_at is not None) == ("", "", "", True)
    assert activity_figures()["beneficiaires"] == 1  # statistics do not change
    actions = set(AuditEntry.objects.filter(object_id=str(person.pk)).values_list("action", flat=True))
    assert {"activity.beneficiary_exported", "activity.beneficiary_erased"} <= actions


def test_purge_anonymises_inactive_followed_beneficiaries(team, settings, capsys):
    mediateur, _, structure = team
    settings.ACTIVITY_RETENTION_MONTHS = 24
    stale = BeneficiaryFactory(structure=structure, last_activity_on=timezone.localdate() - dt.timedelta(days=800))
    active = BeneficiaryFactory(structure=structure, last_activity_on=timezone.localdate() - dt.timedelta(days=300))
    call_command("activity", "purge", "--dry-run")
    assert "1 bénéficiaire" in capsys.readouterr().out
    assert not Beneficiary.objects.filter(anonymised_at__isnull=False).exists()
    call_command("activity", "purge")
    stale.refresh_from_db(), active.refresh_from_db()
    assert stale.anonymised_at and not stale.nom and active.anonymised_at is None
    assert services.beneficiaries_purge(months=6) == 1  # a shorter delay reaches the other one


def test_edit_rules(team):
    mediateur, manager, structure = team
    colleague = MembershipFactory(structure=structure).user
    recent = ActivityFactory(structure=structure, mediateur=mediateur, date=timezone.localdate())
    old = ActivityFactory(structure=structure, mediateur=mediateur, date=timezone.localdate() - dt.timedelta(days=120))
    assert perms.can_edit_activity(mediateur, recent)
    assert not perms.can_edit_activity(mediateur, old)
    assert not perms.can_edit_activity(colleague, recent)
    assert perms.can_edit_activity(manager, old)
    assert not perms.can_edit_activity(MembershipFactory(coordinateur=True).user, recent)
