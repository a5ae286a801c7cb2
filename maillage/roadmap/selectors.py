"""Reads of roadmaps: live indicators, the axis × theme matrix, the calendar, financing overview, reports.

Each function runs a fixed number of queries whatever the number of actions (aggregates grouped by
action and funder), so that a COPIL report of hundreds of actions stays fast (benchmarks/bench_roadmap.py).
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Prefetch, Sum
from django.utils import timezone

from maillage.roadmap.enums import ActionStatus, FundMovementKind
from maillage.roadmap.models import (
    Action,
    ActionStatusChange,
    BudgetLine,
    FinancingLine,
    FundMovement,
    Indicator,
    IndicatorValue,
    Milestone,
    Roadmap,
)
from maillage.roadmap.targets import NATIONAL_TARGETS, live_value, territorialise

ZERO = Decimal("0")


# --- Indicators ------------------------------------------------------------------------------------


@dataclass
class IndicatorRow:
    indicator: Indicator
    actual: float | None
    actual_date: dt.date | None
    origin: str  # « calculé en direct (…) », « saisi par … le … », « source indisponible », « aucune valeur »
    is_live: bool
    unavailable: bool
    history: list = field(default_factory=list)

    @property
    def progress(self) -> float | None:
        """Share of the way from the baseline (or zero) to the target."""
        target, actual = self.indicator.target, self.actual
        if target is None or actual is None:
            return None
        base = self.indicator.baseline if self.indicator.baseline is not None else 0
        if target == base:
            return 100.0 if actual >= target else 0.0
        return round(100 * (actual - base) / (target - base), 1)


def indicator_rows(
    roadmap: Roadmap, *, start: dt.date | None = None, end: dt.date | None = None
) -> list[IndicatorRow]:
    """Every indicator with its actual value: computed live for the period, or the last value entered."""
    indicators = roadmap.indicators.prefetch_related(
        Prefetch("values", queryset=IndicatorValue.objects.select_related("entered_by").order_by("date", "id"))
    )
    rows = []
    for indicator in indicators:
        values = [v for v in indicator.values.all() if end is None or v.date <= end]
        if indicator.source_key:
            period_start = start or indicator.period_start
            period_end = end or indicator.period_end
            actual, origin = live_value(
                indicator.source_key, indicator.perimeter, period_start, period_end, **indicator.source_params
            )
            rows.append(
                IndicatorRow(
                    indicator,
                    actual,
                    period_end or timezone.localdate(),
                    origin,
                    True,
                    origin.startswith("source indisponible"),
                    history=values,
                )
            )
        elif values:
            last = values[-1]
            origin = "importé" if last.entered_by_id is None else "saisi"
            rows.append(
                IndicatorRow(
                    indicator, last.value, last.date, f"{origin} le {last.created_at:%d/%m/%Y}", False, False, values
                )
            )
        else:
            rows.append(IndicatorRow(indicator, None, None, "aucune valeur saisie", False, False, history=[]))
    return rows


def roadmap_targets(roadmap: Roadmap, rows: list[IndicatorRow] | None = None):
    """The four national targets for the roadmap's territory; progress from the roadmap's own indicators."""
    rows = rows if rows is not None else indicator_rows(roadmap)
    actuals = {}
    for row in rows:
        key = row.indicator.national_target
        if key in NATIONAL_TARGETS and row.actual is not None and key not in actuals:
            actuals[key] = (row.actual, f"indicateur « {row.indicator.name} » ({row.origin})")
    return territorialise(roadmap.territory, roadmap.target_rule, actuals)


# --- Structure of the plan ----------------------------------------------------------------------------


def plan_tree(roadmap: Roadmap, *, status: str = "", theme: str = ""):
    """Axes → groups → actions, filtered by status and theme, in one query per level."""
    actions = roadmap.actions.prefetch_related("themes", "porteurs")
    if status:
        actions = actions.filter(status=status)
    if theme:
        actions = actions.filter(themes__code=theme)
    by_group = defaultdict(list)
    for action in actions.order_by("order", "id"):
        by_group[action.group_id].append(action)
    tree = []
    for axis in roadmap.axes.prefetch_related("groups__theme"):
        groups = [(group, by_group.get(group.pk, [])) for group in axis.groups.all()]
        tree.append((axis, [(group, items) for group, items in groups if items or not (status or theme)]))
    return tree


def status_counts(roadmap: Roadmap) -> dict:
    counts = dict(roadmap.actions.values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status.value, 0) for status in ActionStatus}


def axis_status_table(roadmap: Roadmap) -> list[dict]:
    """Per axis, the number of actions in each status (for the stacked bar chart and its table)."""
    counts = defaultdict(dict)
    for number, status, n in roadmap.actions.values_list("group__axis__number", "status").annotate(n=Count("id")):
        counts[number][status] = n
    return [
        {
            "axis": axis,
            "counts": [counts[axis.number].get(status.value, 0) for status in ActionStatus],
            "total": sum(counts[axis.number].values()),
        }
        for axis in roadmap.axes.all()
    ]


def theme_matrix(roadmap: Roadmap) -> dict:
    """Axis × theme: number of actions of each axis in each theme (an action may have several)."""
    themes = list(roadmap.themes.all())
    cells = defaultdict(int)
    for number, theme_id, n in (
        Action.themes.through.objects.filter(action__roadmap=roadmap)
        .values_list("action__group__axis__number", "theme_id")
        .annotate(n=Count("action_id"))
    ):
        cells[(number, theme_id)] = n
    rows = []
    for axis in roadmap.axes.all():
        values = [cells[(axis.number, theme.pk)] for theme in themes]
        rows.append({"axis": axis, "values": values, "total": sum(values)})
    totals = [sum(row["values"][i] for row in rows) for i in range(len(themes))]
    return {"themes": themes, "rows": rows, "totals": totals}


def calendar(roadmap: Roadmap, *, year: int | None = None) -> list[dict]:
    """Months of the roadmap (or of one year) with the milestones due and the actions starting or ending."""
    milestones = Milestone.objects.filter(action__roadmap=roadmap).select_related("action")
    actions = roadmap.actions.exclude(start_date__isnull=True, end_date__isnull=True)
    if year:
        milestones = milestones.filter(due_date__year=year)
    months = defaultdict(lambda: {"milestones": [], "starts": [], "ends": []})
    for milestone in milestones:
        months[(milestone.due_date.year, milestone.due_date.month)]["milestones"].append(milestone)
    for action in actions:
        if action.start_date and (not year or action.start_date.year == year):
            months[(action.start_date.year, action.start_date.month)]["starts"].append(action)
        if action.end_date and (not year or action.end_date.year == year):
            months[(action.end_date.year, action.end_date.month)]["ends"].append(action)
    return [{"month": dt.date(y, m, 1), **content} for (y, m), content in sorted(months.items())]


# --- Financing ------------------------------------------------------------------------------------------


@dataclass
class ActionFinancing:
    action: Action
    budget: Decimal
    spent: Decimal
    financed: Decimal
    by_funder: list  # (funder name, amount, share %)
    confidential: bool

    @property
    def gap(self) -> Decimal:
        return max(self.budget - self.financed, ZERO)

    @property
    def rate(self) -> float | None:
        return round(float(100 * self.financed / self.budget), 1) if self.budget else None

    @property
    def alert(self) -> bool:
        return self.budget > 0 and self.financed < self.budget


def financing_overview(roadmap: Roadmap, *, show_confidential: bool) -> dict:
    """Per action: budget vs financed (by funder) vs spent, with shares and alerts; per funder and type;
    per-post allocations and funds. Amounts marked confidential are left out unless `show_confidential`."""
    lines = FinancingLine.objects.filter(roadmap=roadmap)
    budget_lines = BudgetLine.objects.filter(action__roadmap=roadmap)
    movements = FundMovement.objects.filter(fund__roadmap=roadmap)
    if not show_confidential:
        lines = lines.filter(is_confidential=False)
        budget_lines = budget_lines.filter(is_confidential=False)
        movements = movements.filter(is_confidential=False)
    budgets = {
        row["action_id"]: row
        for row in budget_lines.values("action_id").annotate(budget=Sum("amount"), spent=Sum("spent"))
    }
    confidential_actions = set(
        BudgetLine.objects.filter(action__roadmap=roadmap, is_confidential=True).values_list("action_id", flat=True)
    ) | set(FinancingLine.objects.filter(roadmap=roadmap, is_confidential=True).values_list("action_id", flat=True))
    financed = defaultdict(dict)
    for action_id, funder, amount in (
        lines.filter(action__isnull=False).values_list("action_id", "funder__name").annotate(total=Sum("amount"))
    ):
        financed[action_id][funder] = amount
    for action_id, amount in (
        movements.filter(kind=FundMovementKind.ALLOCATION, action__isnull=False)
        .values_list("action_id")
        .annotate(total=Sum("amount"))
    ):
        financed[action_id]["Fonds d'inclusion numérique"] = (
            financed[action_id].get("Fonds d'inclusion numérique", ZERO) + amount
        )
    action_ids = set(budgets) | set(financed)
    per_action = []
    for action in roadmap.actions.filter(pk__in=action_ids).select_related("group__axis"):
        funders = financed.get(action.pk, {})
        total = sum(funders.values(), ZERO)
        budget = budgets.get(action.pk, {}).get("budget") or ZERO
        base = budget if budget > total else total
        per_action.append(
            ActionFinancing(
                action=action,
                budget=budget,
                spent=budgets.get(action.pk, {}).get("spent") or ZERO,
                financed=total,
                by_funder=[
                    (name, amount, round(float(100 * amount / base), 1) if base else None)
                    for name, amount in sorted(funders.items(), key=lambda item: -item[1])
                ],
                confidential=action.pk in confidential_actions,
            )
        )
    by_funder = list(lines.values("funder__name").annotate(total=Sum("amount")).order_by("-total"))
    by_type = list(lines.values("type").annotate(total=Sum("amount")).order_by("-total"))
    allocations = []
    for allocation in roadmap.post_allocations.prefetch_related("shares__funder"):
        if allocation.is_confidential and not show_confidential:
            continue
        allocations.append(
            {
                "allocation": allocation,
                "total": allocation.total,
                "shares": [(share.funder.name, share.percent, share.amount) for share in allocation.shares.all()],
            }
        )
    funds = []
    fund_totals = defaultdict(dict)
    for fund_id, kind, total in movements.values_list("fund_id", "kind").annotate(total=Sum("amount")):
        fund_totals[fund_id][kind] = total
    for fund in roadmap.funds.all():
        given = fund_totals[fund.pk].get(FundMovementKind.CONTRIBUTION.value, ZERO)
        allocated = fund_totals[fund.pk].get(FundMovementKind.ALLOCATION.value, ZERO)
        funds.append({"fund": fund, "contributions": given, "allocations": allocated, "balance": given - allocated})
    total_budget = sum((row.budget for row in per_action), ZERO)
    total_financed = sum((row["total"] for row in by_funder), ZERO)
    return {
        "actions": sorted(per_action, key=lambda row: row.action.code),
        "alerts": [row for row in per_action if row.alert],
        "by_funder": by_funder,
        "by_type": by_type,
        "allocations": allocations,
        "funds": funds,
        "total_budget": total_budget,
        "total_financed": total_financed,
        "total_spent": sum((row.spent for row in per_action), ZERO),
        "show_confidential": show_confidential,
    }


# --- COPIL report -----------------------------------------------------------------------------------------


def status_changes(roadmap: Roadmap, start: dt.date, end: dt.date) -> list[ActionStatusChange]:
    return list(
        ActionStatusChange.objects.filter(
            action__roadmap=roadmap, changed_at__date__gte=start, changed_at__date__lte=end
        )
        .exclude(from_status="")
        .select_related("action__group__axis")
        .order_by("action__group__axis__number", "action__code", "changed_at")
    )


def copil_report(roadmap: Roadmap, start: dt.date, end: dt.date, *, show_confidential: bool) -> dict:
    """Everything a comité de pilotage follows for a date range: statuses, changes, indicators, financing."""
    changes = status_changes(roadmap, start, end)
    changes_by_axis = defaultdict(list)
    for change in changes:
        changes_by_axis[change.action.group.axis.number].append(change)
    rows = indicator_rows(roadmap, start=start, end=end)
    axes = axis_status_table(roadmap)
    for row in axes:
        row["changes"] = changes_by_axis.get(row["axis"].number, [])
    return {
        "roadmap": roadmap,
        "start": start,
        "end": end,
        "axes": axes,
        "statuses": list(ActionStatus),
        "status_counts": status_counts(roadmap),
        "tree": plan_tree(roadmap),
        "changes": changes,
        "indicators": rows,
        "targets": roadmap_targets(roadmap, rows),
        "financing": financing_overview(roadmap, show_confidential=show_confidential),
        "milestones_due": list(
            Milestone.objects.filter(action__roadmap=roadmap, due_date__gte=start, due_date__lte=end)
            .select_related("action")
            .order_by("due_date")
        ),
    }
