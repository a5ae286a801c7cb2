"""Financing overview and COPIL report of a large roadmap: grouped aggregates against per-action queries.

A synthetic roadmap (`bench-feuille-de-route`, rebuilt at each run) of 500 actions (`--full`; 200 by
default) in 5 axes, each with 2 budget lines, 3 financing lines from 6 funders (one in ten
confidential), an allocation from the fonds d'inclusion numérique for one action in five, and a
status history. maillage's `selectors.financing_overview` and `selectors.copil_report` (a fixed
number of queries) are timed against the naive way: for each action, query its budget lines, its
financing per funder, its fund allocations and its status changes. Both give the same totals, which
is checked before timing.
"""

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from benchmarks.common import Comparison, measure
from maillage.roadmap import selectors
from maillage.roadmap.enums import ActionStatus, FundMovementKind
from maillage.roadmap.models import (
    Action,
    ActionStatusChange,
    Axis,
    BudgetLine,
    FinancingLine,
    Fund,
    Funder,
    FundMovement,
    ObjectiveGroup,
    Roadmap,
)

SLUG = "bench-feuille-de-route"
SEED = 20261207


@transaction.atomic
def build(actions: int) -> Roadmap:
    Roadmap.objects.filter(slug=SLUG).delete()
    rng = random.Random(SEED)
    roadmap = Roadmap.objects.create(
        slug=SLUG,
        name="Banc d'essai",
        territory_level="departement",
        territory_code="28",
        start_year=2024,
        end_year=2027,
    )
    groups = []
    for number in range(1, 6):
        axis = Axis.objects.create(roadmap=roadmap, number=number, title=f"Axe {number}")
        groups += [
            ObjectiveGroup.objects.create(axis=axis, order=o, title=f"Groupe {number}.{o}") for o in range(1, 5)
        ]
    funders = [Funder.objects.create(roadmap=roadmap, name=f"Financeur {i}") for i in range(6)]
    fund = Fund.objects.create(roadmap=roadmap, name="Fonds")
    FundMovement.objects.create(
        fund=fund,
        kind=FundMovementKind.CONTRIBUTION,
        funder=funders[0],
        amount=Decimal("10000000"),
        date=dt.date(2025, 1, 1),
    )
    created = Action.objects.bulk_create(
        Action(roadmap=roadmap, group=groups[i % len(groups)], code=f"{i % 5 + 1}.{i}", order=i, title=f"Action {i}")
        for i in range(actions)
    )
    budget, financing, moves, changes = [], [], [], []
    now = timezone.now()
    statuses = list(ActionStatus)
    for action in created:
        for k in range(2):
            budget.append(BudgetLine(action=action, label=f"Poste {k}", amount=Decimal(rng.randint(1000, 50000))))
        for _ in range(3):
            financing.append(
                FinancingLine(
                    roadmap=roadmap,
                    funder=rng.choice(funders),
                    action=action,
                    amount=Decimal(rng.randint(500, 30000)),
                    is_confidential=rng.random() < 0.1,
                )
            )
        if rng.random() < 0.2:
            moves.append(
                FundMovement(
                    fund=fund,
                    kind=FundMovementKind.ALLOCATION,
                    action=action,
                    amount=Decimal(1000),
                    date=dt.date(2025, 2, 1),
                )
            )
        changes.append(ActionStatusChange(action=action, from_status="", to_status="proposee", changed_at=now))
        changes.append(
            ActionStatusChange(
                action=action, from_status="proposee", to_status=rng.choice(statuses[1:]), changed_at=now
            )
        )
    BudgetLine.objects.bulk_create(budget)
    FinancingLine.objects.bulk_create(financing)
    FundMovement.objects.bulk_create(moves)
    ActionStatusChange.objects.bulk_create(changes)
    return roadmap


def naive_overview(roadmap: Roadmap, show_confidential: bool) -> dict:
    """What a first version does: a handful of queries per action."""
    rows = {}
    for action in Action.objects.filter(roadmap=roadmap):
        lines = BudgetLine.objects.filter(action=action)
        financing = FinancingLine.objects.filter(action=action)
        if not show_confidential:
            lines = lines.filter(is_confidential=False)
            financing = financing.filter(is_confidential=False)
        budget = sum((line.amount for line in lines), Decimal(0))
        by_funder = {}
        for funder in Funder.objects.filter(roadmap=roadmap):
            amount = sum((line.amount for line in financing.filter(funder=funder)), Decimal(0))
            if amount:
                by_funder[funder.name] = amount
        allocated = sum(
            (m.amount for m in FundMovement.objects.filter(action=action, kind=FundMovementKind.ALLOCATION)),
            Decimal(0),
        )
        if allocated:
            by_funder["Fonds d'inclusion numérique"] = allocated
        list(ActionStatusChange.objects.filter(action=action))
        rows[action.code] = (budget, sum(by_funder.values(), Decimal(0)))
    return rows


def run(*, full: bool) -> list[Comparison]:
    size = 500 if full else 200
    roadmap = build(size)
    ours = selectors.financing_overview(roadmap, show_confidential=False)
    naive = naive_overview(roadmap, False)
    mine = {row.action.code: (row.budget, row.financed) for row in ours["actions"]}
    assert mine == naive, "the naive and maillage overviews disagree"
    start, end = dt.date(2024, 1, 1), timezone.localdate()
    repeats = 20 if full else 10
    comparisons = [
        Comparison(
            f"Financement par action, {size} actions",
            measure(
                "maillage financing_overview",
                lambda _: selectors.financing_overview(roadmap, show_confidential=False),
                range(repeats),
            ),
            measure("naive per-action queries", lambda _: naive_overview(roadmap, False), range(3 if full else 2)),
            notes=[f"{size} actions, {len(mine)} budgeted; the same budget and financed totals for every action"],
        ),
        Comparison(
            f"Rapport COPIL (page data), {size} actions",
            measure(
                "maillage copil_report",
                lambda _: selectors.copil_report(roadmap, start, end, show_confidential=True),
                range(repeats),
            ),
            measure(
                "naive per-action queries",
                lambda _: (naive_overview(roadmap, True), selectors.indicator_rows(roadmap)),
                range(3 if full else 2),
            ),
        ),
    ]
    Roadmap.objects.filter(slug=SLUG).delete()
    return comparisons
