from datetime import timedelta

import factory
from django.utils import timezone

from maillage.core.roles import Role
from maillage.structures.enums import StructureType
from maillage.structures.models import Invitation, Membership, Structure
from maillage.territories.models import Commune
from tests.users.factories import UserFactory


class StructureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Structure

    nom = factory.Sequence(lambda n: f"Structure {n}")
    type = StructureType.ASSOCIATION
    commune = factory.LazyFunction(lambda: Commune.objects.get(code="28085"))  # Chartres

    class Params:
        for_snapshot = factory.Trait(nom="Médiathèque de Chartres", type=StructureType.MEDIATHEQUE)
        in_loiret = factory.Trait(commune=factory.LazyFunction(lambda: Commune.objects.get(code="45234")))


class MembershipFactory(factory.django.DjangoModelFactory):
    """A role in a structure by default; the traits give the territorial roles (Eure-et-Loir)."""

    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Role.MEDIATEUR
    structure = factory.SubFactory(StructureFactory)

    class Params:
        gestionnaire = factory.Trait(role=Role.GESTIONNAIRE)
        aidant = factory.Trait(role=Role.AIDANT)
        coordinateur = factory.Trait(
            role=Role.COORDINATEUR, structure=None, territory_level="departement", territory_code="28"
        )
        observateur = factory.Trait(
            role=Role.OBSERVATEUR, structure=None, territory_level="departement", territory_code="28"
        )


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    email = factory.Sequence(lambda n: f"invite{n}@exemple.fr")
    role = Role.MEDIATEUR
    structure = factory.SubFactory(StructureFactory)
    token_hash = factory.Sequence(lambda n: Invitation.hash_token(f"token-{n}"))
    invited_by = factory.SubFactory(UserFactory)
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=10))
