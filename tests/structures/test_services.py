import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from maillage.core.models import AuditEntry
from maillage.core.roles import Role
from maillage.structures import services
from maillage.structures.models import Membership
from maillage.structures.validators import validate_siret
from maillage.territories.models import Commune
from maillage.territories.territory import TerritoryRef
from tests.structures.factories import MembershipFactory, StructureFactory
from tests.users.factories import UserFactory

VALID_SIRET = "13002526500013"  # a real-format SIRET with a valid Luhn key


@pytest.fixture
def chartres():
    return Commune.objects.get(code="28085")


def test_siret_validation():
    validate_siret(VALID_SIRET)
    validate_siret("35600000000051")  # La Poste: digits add up to a multiple of 5
    for wrong, code in [("123", "format"), ("00000000000000", "placeholder"), ("13002526500014", "checksum")]:
        with pytest.raises(ValidationError) as error:
            validate_siret(wrong)
        assert error.value.code == code


def test_structure_create_is_idempotent_by_siret_and_journaled(chartres):
    first, created = services.structure_create(actor=None, nom="Médiathèque", commune=chartres, siret=VALID_SIRET)
    again, created_again = services.structure_create(actor=None, nom="Autre nom", commune=chartres, siret=VALID_SIRET)
    assert created and not created_again and again.pk == first.pk
    entry = AuditEntry.objects.get(action="structures.structure_created", object_id=str(first.pk))
    assert entry.departement_code == "28" and entry.structure_id == first.pk


def test_structure_create_rejects_invalid_siret_and_other_territories(chartres):
    with pytest.raises(ValidationError):
        services.structure_create(actor=None, nom="X", commune=chartres, siret="12345678901234")
    coordinateur = MembershipFactory(coordinateur=True).user
    orleans = Commune.objects.get(code="45234")
    with pytest.raises(PermissionDenied):
        services.structure_create(actor=coordinateur, nom="Hors territoire", commune=orleans)
    structure, _ = services.structure_create(actor=coordinateur, nom="Dans le territoire", commune=chartres)
    assert structure.pk


def test_structure_update_journals_old_and_new_values():
    membership = MembershipFactory(gestionnaire=True)
    structure = membership.structure
    services.structure_update(actor=membership.user, structure=structure, nom="Nouveau nom", telephone="0237000000")
    entry = AuditEntry.objects.get(action="structures.structure_updated")
    assert entry.payload["changes"]["nom"][1] == "Nouveau nom"
    mediateur = MembershipFactory(structure=structure).user
    with pytest.raises(PermissionDenied):
        services.structure_update(actor=mediateur, structure=structure, nom="Refusé")


def test_membership_scope_is_enforced_by_the_database():
    user = UserFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.COORDINATEUR)  # no territory
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=user, role=Role.MEDIATEUR)  # no structure


def test_membership_grant_is_idempotent_and_defaults_territory_to_structure_departement():
    structure = StructureFactory()
    user = UserFactory()
    membership, created = services.membership_grant(actor=None, user=user, role=Role.COORDINATEUR, structure=structure)
    assert created and membership.territory == TerritoryRef("departement", "28")
    _, created_again = services.membership_grant(actor=None, user=user, role=Role.COORDINATEUR, structure=structure)
    assert not created_again
    with pytest.raises(ValidationError):
        services.membership_grant(actor=None, user=user, role=Role.OBSERVATEUR, territory=TerritoryRef("region", "24"))
    with pytest.raises(ValidationError):
        services.membership_grant(actor=None, user=user, role="roi")


def test_invitation_flow_creates_account_and_role(mailoutbox):
    gestionnaire = MembershipFactory(gestionnaire=True)
    invitation, token = services.invitation_send(
        actor=gestionnaire.user, email="Nouvelle@Exemple.fr", role=Role.MEDIATEUR, structure=gestionnaire.structure
    )
    assert invitation.token_hash != token and len(token) > 30
    membership = services.invitation_accept(
        invitation=invitation, first_name="Nora", last_name="Benali", password="phrase-de-passe-solide"
    )
    assert membership.user.email == "nouvelle@exemple.fr" and membership.role == Role.MEDIATEUR
    assert membership.user.check_password("phrase-de-passe-solide")
    invitation.refresh_from_db()
    with pytest.raises(ValidationError, match="plus valable"):
        services.invitation_accept(invitation=invitation, first_name="X", last_name="Y", password="z" * 12)


def test_only_managers_invite_and_only_to_their_scope():
    structure = StructureFactory()
    mediateur = MembershipFactory(structure=structure).user
    with pytest.raises(PermissionDenied):
        services.invitation_send(actor=mediateur, email="a@exemple.fr", role=Role.MEDIATEUR, structure=structure)
    coordinateur = MembershipFactory(coordinateur=True).user
    loiret = TerritoryRef("departement", "45")
    with pytest.raises(PermissionDenied):
        services.invitation_send(actor=coordinateur, email="a@exemple.fr", role=Role.OBSERVATEUR, territory=loiret)
    invitation, _ = services.invitation_send(
        actor=coordinateur,
        email="financeur@exemple.fr",
        role=Role.OBSERVATEUR,
        territory=TerritoryRef("departement", "28"),
    )
    assert invitation.territory_code == "28"


def test_revoke_keeps_history_and_refuses_self_revocation():
    gestionnaire = MembershipFactory(gestionnaire=True)
    mediateur = MembershipFactory(structure=gestionnaire.structure)
    services.membership_revoke(actor=gestionnaire.user, membership=mediateur)
    mediateur.refresh_from_db()
    assert not mediateur.is_active
    assert AuditEntry.objects.filter(action="structures.membership_revoked", personal_data=True).exists()
    with pytest.raises(ValidationError):
        services.membership_revoke(actor=gestionnaire.user, membership=gestionnaire)
