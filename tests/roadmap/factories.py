import datetime as dt
from decimal import Decimal

import factory

from maillage.roadmap.enums import BodyKind, FundMovementKind
from maillage.roadmap.models import (
    Action,
    Axis,
    Body,
    BodyMember,
    BudgetLine,
    FinancingLine,
    Fund,
    Funder,
    FundMovement,
    Indicator,
    IndicatorValue,
    Meeting,
    Milestone,
    ObjectiveGroup,
    Roadmap,
    Theme,
)


class RoadmapFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Roadmap

    slug = factory.Sequence(lambda n: f"feuille-{n}")
    name = factory.Sequence(lambda n: f"Feuille de route {n}")
    territory_level = "departement"
    territory_code = "28"
    start_year = 2024
    end_year = 2027
    co_porteurs = factory.LazyFunction(lambda: ["Préfecture", "Conseil départemental"])


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme

    roadmap = factory.SubFactory(RoadmapFactory)
    code = factory.Sequence(lambda n: f"theme-{n}")
    label = factory.Sequence(lambda n: f"Thématique {n}")
    is_priority = True


class AxisFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Axis

    roadmap = factory.SubFactory(RoadmapFactory)
    number = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Axe {n}")


class ObjectiveGroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ObjectiveGroup

    axis = factory.SubFactory(AxisFactory)
    order = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Groupe {n}")


class ActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Action

    group = factory.SubFactory(ObjectiveGroupFactory)
    roadmap = factory.LazyAttribute(lambda o: o.group.axis.roadmap)
    code = factory.Sequence(lambda n: f"9.9.{n}")
    title = factory.Sequence(lambda n: f"Action {n}")


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    action = factory.SubFactory(ActionFactory)
    title = "Lancement"
    due_date = dt.date(2025, 6, 30)


class BudgetLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BudgetLine

    action = factory.SubFactory(ActionFactory)
    label = "Prestation"
    amount = Decimal("10000")


class FunderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Funder

    roadmap = factory.SubFactory(RoadmapFactory)
    name = factory.Sequence(lambda n: f"Financeur {n}")
    kind = "État"


class FinancingLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FinancingLine

    funder = factory.SubFactory(FunderFactory)
    roadmap = factory.LazyAttribute(lambda o: o.funder.roadmap)
    purpose = "Ingénierie"
    amount = Decimal("5000")
    start_date = dt.date(2025, 1, 1)
    end_date = dt.date(2025, 12, 31)


class FundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Fund

    roadmap = factory.SubFactory(RoadmapFactory)
    name = "Fonds d'inclusion numérique"


class FundMovementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FundMovement

    fund = factory.SubFactory(FundFactory)
    kind = FundMovementKind.CONTRIBUTION
    date = dt.date(2025, 3, 1)
    amount = Decimal("10000")
    funder = factory.LazyAttribute(lambda o: FunderFactory(roadmap=o.fund.roadmap))


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator

    roadmap = factory.SubFactory(RoadmapFactory)
    code = factory.Sequence(lambda n: f"indicateur-{n}")
    name = factory.Sequence(lambda n: f"Indicateur {n}")
    unit = "lieux"


class IndicatorValueFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IndicatorValue

    indicator = factory.SubFactory(IndicatorFactory)
    date = dt.date(2025, 1, 1)
    value = 10


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Body

    roadmap = factory.SubFactory(RoadmapFactory)
    kind = BodyKind.COPIL
    name = factory.Sequence(lambda n: f"Comité {n}")


class BodyMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BodyMember

    body = factory.SubFactory(BodyFactory)
    organisation = "Préfecture"


class MeetingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Meeting

    body = factory.SubFactory(BodyFactory)
    date = dt.date(2025, 3, 10)
    title = "Réunion"
