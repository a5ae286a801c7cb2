import datetime as dt

import factory

from maillage.activity.models import Activity, Beneficiary
from maillage.activity.validation import thematiques_mask
from maillage.territories.models import Commune
from tests.structures.factories import StructureFactory


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    structure = factory.SubFactory(StructureFactory)
    prenom = factory.Faker("first_name", locale="fr_FR")
    nom = factory.Faker("last_name", locale="fr_FR")
    annee_naissance = 1950


class ActivityFactory(factory.django.DjangoModelFactory):
    """A raw activity row (no rollup update: use the services for that)."""

    class Meta:
        model = Activity

    type = "individuel"
    structure = factory.SubFactory(StructureFactory)
    date = factory.LazyFunction(lambda: dt.date(2025, 3, 14))
    duree = 30
    type_lieu = "lieu_activite"
    commune = factory.LazyAttribute(lambda o: o.structure.commune)
    thematiques = factory.LazyFunction(lambda: ["email"])
    thematiques_mask = factory.LazyAttribute(lambda o: thematiques_mask(o.thematiques))
    participants_anonymes = 1
    accompagnements_count = 1


def chartres():
    return Commune.objects.get(code="28085")
