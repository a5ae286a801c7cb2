"""Writes on roadmaps: import (all-or-nothing), status changes, values, financing, gouvernance."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from maillage.core import audit
from maillage.places.models import Place
from maillage.roadmap import exchange, perms
from maillage.roadmap.enums import STATUS_TRANSITIONS, ActionStatus, AuditAction, FundMovementKind
from maillage.roadmap.models import (
    Action,
    ActionStatusChange,
    AllocationShare,
    Axis,
    Body,
    BodyMember,
    BudgetLine,
    Decision,
    Document,
    FinancingLine,
    Fund,
    Funder,
    FundMovement,
    Indicator,
    IndicatorValue,
    Meeting,
    Milestone,
    ObjectiveGroup,
    PostAllocation,
    Roadmap,
    Theme,
    Workshop,
)
from maillage.structures.models import Structure


class RoadmapImportError(Exception):
    """The file was refused: nothing was written. `problems` lists every error found."""

    def __init__(self, problems: list):
        super().__init__(f"{len(problems)} erreur(s) : rien n'a été importé.")
        self.problems = problems


@dataclass
class ImportResult:
    roadmap: Roadmap | None
    created: bool
    dry_run: bool
    counts: dict = field(default_factory=dict)
    warnings: list = field(default_factory=list)

    def summary(self) -> str:
        verb = (
            "vérifiée (simulation, rien n'est écrit)" if self.dry_run else ("créée" if self.created else "mise à jour")
        )
        counts = ", ".join(f"{value} {label}" for label, value in self.counts.items())
        return f"Feuille de route {verb} : {counts}."


def _structures_by_name() -> dict:
    structures = {}
    for structure in Structure.objects.order_by("-is_active", "id"):
        structures.setdefault(structure.nom.strip().lower(), structure)
    return structures


def _places_for(document: dict) -> dict:
    """Only the places the file names, looked up by « jeu_de_donnees:identifiant »."""
    keys = set()
    for axis in document.get("axes") or []:
        for group in (axis or {}).get("groupes") or [] if isinstance(axis, dict) else []:
            for action in (group or {}).get("actions") or [] if isinstance(group, dict) else []:
                if isinstance(action, dict) and isinstance(action.get("lieux"), list):
                    keys.update(key for key in action["lieux"] if isinstance(key, str))
    found = {}
    for key in keys:
        dataset, _, local_id = key.partition(":")
        place = Place.objects.filter(dataset=dataset, local_id=local_id).first()
        if place is not None:
            found[key] = place
    return found


def roadmap_import(*, actor, data: bytes, filename: str = "", dry_run: bool = False) -> ImportResult:
    """Import a whole roadmap; every error is reported at once and then nothing is written.

    Idempotent: the roadmap is found by its identifier; axes, groups, actions, themes and indicators
    by their numbers and codes (an action's status history is kept, and a status that changes is
    recorded in it); lists inside them (milestones, budget lines, financing, gouvernance) are replaced.
    """
    try:
        document, lines = exchange.parse_document(data)
    except exchange.DocumentError as error:
        raise RoadmapImportError([exchange.Problem(error.line, "fichier", filename, error.reason)]) from error
    structures = _structures_by_name()
    plan, problems = exchange.check_document(document, lines, structures=structures, places=_places_for(document))
    if problems:
        raise RoadmapImportError(problems)
    existing = Roadmap.objects.filter(slug=plan.roadmap["slug"]).first()
    if actor is not None:
        target = Roadmap(
            territory_level=plan.roadmap["territory_level"], territory_code=plan.roadmap["territory_code"]
        )
        if not perms.can_edit_roadmap(actor, target) or (existing and not perms.can_edit_roadmap(actor, existing)):
            raise PermissionDenied("Seuls les coordinateurs du territoire peuvent importer sa feuille de route.")
    counts = {
        "axes": len(plan.axes),
        "groupes": sum(len(axis["groups"]) for axis in plan.axes),
        "actions": plan.action_count,
        "indicateurs": len(plan.indicators),
        "financements": len(plan.financing),
        "instances": len(plan.bodies),
    }
    if dry_run:
        return ImportResult(existing, existing is None, True, counts, plan.warnings)
    with transaction.atomic():
        roadmap, created = _apply(plan, actor=actor, existing=existing)
        audit.record(
            actor=actor,
            action=AuditAction.ROADMAP_IMPORTED,
            obj=roadmap,
            departement=roadmap.territory_code if roadmap.territory_level == "departement" else "",
            payload={"fichier": filename, "cree": created, **counts},
        )
    return ImportResult(roadmap, created, False, counts, plan.warnings)


def _apply(plan: exchange.Plan, *, actor, existing: Roadmap | None) -> tuple[Roadmap, bool]:
    if existing is None:
        roadmap = Roadmap(**plan.roadmap)
    else:
        roadmap = existing
        for name, value in plan.roadmap.items():
            setattr(roadmap, name, value)
    roadmap.full_clean()
    roadmap.save()

    themes = {}
    for data in plan.themes:
        theme, _ = Theme.objects.update_or_create(
            roadmap=roadmap, code=data["code"], defaults={k: v for k, v in data.items() if k != "code"}
        )
        themes[theme.code] = theme
    roadmap.themes.exclude(code__in=themes).delete()

    actions = {}
    kept_axes = []
    for axis_data in plan.axes:
        axis, _ = Axis.objects.update_or_create(
            roadmap=roadmap,
            number=axis_data["number"],
            defaults={"title": axis_data["title"], "diagnosis": axis_data["diagnosis"]},
        )
        kept_axes.append(axis.pk)
        kept_groups = []
        for group_data in axis_data["groups"]:
            group, _ = ObjectiveGroup.objects.update_or_create(
                axis=axis,
                order=group_data["order"],
                defaults={"title": group_data["title"], "theme": themes.get(group_data["theme"])},
            )
            kept_groups.append(group.pk)
            for action_data in group_data["actions"]:
                actions[action_data["code"]] = _apply_action(roadmap, group, action_data, themes, actor)
        axis.groups.exclude(pk__in=kept_groups).delete()
    roadmap.actions.exclude(code__in=actions).delete()
    roadmap.axes.exclude(pk__in=kept_axes).delete()

    kept_indicators = []
    for data in plan.indicators:
        values = data.pop("values")
        linked = data.pop("actions")
        indicator, _ = Indicator.objects.update_or_create(
            roadmap=roadmap, code=data["code"], defaults={k: v for k, v in data.items() if k != "code"}
        )
        indicator.actions.set([actions[code] for code in linked])
        for value in values:
            IndicatorValue.objects.update_or_create(
                indicator=indicator,
                date=value["date"],
                defaults={"value": value["value"], "comment": value["comment"], "entered_by": actor},
            )
        kept_indicators.append(indicator.pk)
    roadmap.indicators.exclude(pk__in=kept_indicators).delete()

    # Lists replaced as a whole.
    roadmap.documents.all().delete()
    documents = {data["code"]: Document.objects.create(roadmap=roadmap, **data) for data in plan.documents}
    roadmap.financing_lines.all().delete()
    roadmap.post_allocations.all().delete()
    roadmap.funds.all().delete()
    roadmap.bodies.all().delete()
    roadmap.workshops.all().delete()
    roadmap.funders.all().delete()
    funders = {data["name"]: Funder.objects.create(roadmap=roadmap, **data) for data in plan.funders}
    for data in plan.financing:
        FinancingLine.objects.create(
            roadmap=roadmap,
            **{**data, "funder": funders[data["funder"]], "action": actions.get(data["action"])},
        )
    for data in plan.allocations:
        shares = data.pop("shares")
        allocation = PostAllocation.objects.create(roadmap=roadmap, **data)
        for share in shares:
            AllocationShare.objects.create(
                allocation=allocation, funder=funders[share["funder"]], percent=share["percent"]
            )
    for data in plan.funds:
        fund = Fund.objects.create(roadmap=roadmap, name=data["name"])
        for item in data["contributions"]:
            FundMovement.objects.create(
                fund=fund, kind=FundMovementKind.CONTRIBUTION, **{**item, "funder": funders[item["funder"]]}
            )
        for item in data["allocations"]:
            FundMovement.objects.create(
                fund=fund, kind=FundMovementKind.ALLOCATION, **{**item, "action": actions.get(item["action"])}
            )
    axes = {axis.number: axis for axis in roadmap.axes.all()}
    for data in plan.bodies:
        body = Body.objects.create(
            roadmap=roadmap,
            kind=data["kind"],
            name=data["name"],
            mission=data["mission"],
            theme=themes.get(data["theme"]),
        )
        members = {
            member["organisation"]: BodyMember.objects.create(
                body=body,
                structure=member["structure"],
                organisation="" if member["structure"] else member["organisation"],
                function=member["function"],
            )
            for member in data["members"]
        }
        for meeting_data in data["meetings"]:
            decisions = meeting_data.pop("decisions")
            present = meeting_data.pop("present")
            meeting = Meeting.objects.create(body=body, **meeting_data)
            meeting.attendees.set([members[name] for name in present])
            for decision_data in decisions:
                decision = Decision.objects.create(meeting=meeting, text=decision_data["text"])
                decision.actions.set([actions[code] for code in decision_data["actions"]])
                decision.documents.set([documents[code] for code in decision_data["documents"]])
                decision.axes.set([axes[number] for number in decision_data["axes"]])
    structures = _structures_by_name()
    for data in plan.workshops:
        invited, participants, linked = data.pop("invited"), data.pop("participants"), data.pop("actions")
        known_invited = [structures[name.lower()] for name in invited if name.lower() in structures]
        known_participants = [structures[name.lower()] for name in participants if name.lower() in structures]
        workshop = Workshop.objects.create(
            roadmap=roadmap,
            **{**data, "theme": themes.get(data["theme"])},
            invited_names=[name for name in invited if name.lower() not in structures],
            participant_names=[name for name in participants if name.lower() not in structures],
        )
        workshop.invited.set(known_invited)
        workshop.participants.set(known_participants)
        workshop.actions.set([actions[code] for code in linked])
    return roadmap, existing is None


def _apply_action(roadmap, group, data: dict, themes: dict, actor) -> Action:
    action = Action.objects.filter(roadmap=roadmap, code=data["code"]).first()
    fields = {key: data[key] for key in ("title", "description", "start_date", "end_date", "resources", "order")}
    if action is None:
        action = Action(roadmap=roadmap, group=group, code=data["code"], status=data["status"], **fields)
        action.full_clean(exclude=["group", "roadmap"])
        action.save()
        ActionStatusChange.objects.create(action=action, from_status="", to_status=action.status, actor=actor)
    else:
        for key, value in fields.items():
            setattr(action, key, value)
        action.group = group
        if action.status != data["status"]:
            ActionStatusChange.objects.create(
                action=action, from_status=action.status, to_status=data["status"], actor=actor, comment="import"
            )
            action.status = data["status"]
        action.save()
    action.themes.set([themes[code] for code in data["themes"]])
    action.porteurs.set(data["porteurs"])
    action.partners.set(data["partners"])
    action.places.set(data["places"])
    action.milestones.all().delete()
    Milestone.objects.bulk_create(Milestone(action=action, **item) for item in data["milestones"])
    action.budget_lines.all().delete()
    BudgetLine.objects.bulk_create(BudgetLine(action=action, **item) for item in data["budget"])
    return action


def roadmap_export(*, actor, roadmap: Roadmap, fmt: str = "yaml") -> str:
    text = exchange.dump_document(exchange.export_document(roadmap), fmt)
    audit.record(actor=actor, action=AuditAction.ROADMAP_EXPORTED, obj=roadmap, payload={"format": fmt})
    return text


# --- Actions ----------------------------------------------------------------------------------------


def action_status_change(*, actor, action: Action, status: str, comment: str = "") -> Action:
    """Move an action along proposée → validée → en cours → réalisée / abandonnée, with history."""
    if not perms.can_update_action(actor, action):
        raise PermissionDenied("Seuls les porteurs de l'action et les coordinateurs peuvent changer son statut.")
    if status not in ActionStatus.values:
        raise ValidationError({"status": "Statut inconnu."})
    current = ActionStatus(action.status)
    if status == current:
        raise ValidationError({"status": "L'action a déjà ce statut."})
    if status not in STATUS_TRANSITIONS[current]:
        allowed = ", ".join(ActionStatus(value).label for value in sorted(STATUS_TRANSITIONS[current])) or "aucun"
        target = ActionStatus(status).label
        raise ValidationError(
            {"status": f"Passage impossible de « {current.label} » à « {target} » (possibles : {allowed})."}
        )
    if status == ActionStatus.VALIDEE and not perms.is_coordinator(actor, action.roadmap):
        raise PermissionDenied(
            "La validation d'une action revient aux coordinateurs (décision du comité de pilotage)."
        )
    with transaction.atomic():
        action = Action.objects.select_for_update(of=("self",)).get(pk=action.pk)
        ActionStatusChange.objects.create(
            action=action, from_status=action.status, to_status=status, actor=actor, comment=comment[:500]
        )
        previous, action.status = action.status, status
        action.save(update_fields=["status", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.ACTION_STATUS_CHANGED,
            obj=action,
            payload={"de": previous, "vers": status, "commentaire": comment[:500]},
        )
    return action


ACTION_EDITABLE = ("description", "resources", "start_date", "end_date")


def action_update(*, actor, action: Action, **changes) -> Action:
    """Porteurs and coordinateurs update an action's description, resources and calendar."""
    if not perms.can_update_action(actor, action):
        raise PermissionDenied("Seuls les porteurs de l'action et les coordinateurs peuvent la modifier.")
    unknown = set(changes) - set(ACTION_EDITABLE)
    if unknown:
        raise ValidationError(f"Champs non modifiables : {', '.join(sorted(unknown))}.")
    before = {name: getattr(action, name) for name in changes}
    for name, value in changes.items():
        setattr(action, name, value)
    action.full_clean(exclude=["group", "roadmap"])
    diff = {
        name: [str(before[name] or ""), str(value or "")] for name, value in changes.items() if before[name] != value
    }
    with transaction.atomic():
        action.save()
        audit.record(actor=actor, action=AuditAction.ACTION_UPDATED, obj=action, payload={"changes": diff})
    return action


def milestone_mark(*, actor, milestone: Milestone, done_on: dt.date | None) -> Milestone:
    if not perms.can_update_action(actor, milestone.action):
        raise PermissionDenied
    milestone.done_on = done_on
    milestone.full_clean()
    with transaction.atomic():
        milestone.save(update_fields=["done_on"])
        audit.record(
            actor=actor,
            action=AuditAction.MILESTONE_UPDATED,
            obj=milestone.action,
            payload={"jalon": milestone.title, "atteint_le": str(done_on or "")},
        )
    return milestone


def budget_line_spend(*, actor, line: BudgetLine, spent: Decimal) -> BudgetLine:
    """A porteur reports what has been spent on a line of its action's budget."""
    if not perms.can_update_action(actor, line.action):
        raise PermissionDenied
    line.spent = spent
    line.full_clean()
    with transaction.atomic():
        line.save(update_fields=["spent"])
        audit.record(
            actor=actor,
            action=AuditAction.ACTION_UPDATED,
            obj=line.action,
            payload={"depense": [line.label, str(spent)]},
        )
    return line


# --- Indicators --------------------------------------------------------------------------------------


def indicator_value_enter(
    *, actor, indicator: Indicator, date: dt.date, value: float, comment: str = ""
) -> IndicatorValue:
    """Enter an actual value (who and when are kept). Coordinateurs, and porteurs of a linked action."""
    allowed = perms.is_coordinator(actor, indicator.roadmap) or any(
        perms.can_update_action(actor, action) for action in indicator.actions.all()
    )
    if not allowed:
        raise PermissionDenied("Seuls les coordinateurs et les porteurs des actions liées saisissent cet indicateur.")
    if date > timezone.localdate():
        raise ValidationError({"date": "La date d'une valeur constatée ne peut pas être dans le futur."})
    entry = IndicatorValue(indicator=indicator, date=date, value=value, comment=comment, entered_by=actor)
    entry.full_clean()
    with transaction.atomic():
        entry.save()
        audit.record(
            actor=actor,
            action=AuditAction.INDICATOR_VALUE_ENTERED,
            obj=indicator,
            payload={"date": str(date), "valeur": value},
        )
    return entry


# --- Financing ---------------------------------------------------------------------------------------


def financing_line_create(*, actor, roadmap: Roadmap, funder: Funder, amount: Decimal, **fields) -> FinancingLine:
    if not perms.can_edit_roadmap(actor, roadmap):
        raise PermissionDenied
    if funder.roadmap_id != roadmap.pk:
        raise ValidationError({"funder": "Ce financeur n'appartient pas à cette feuille de route."})
    action = fields.get("action")
    if action is not None and action.roadmap_id != roadmap.pk:
        raise ValidationError({"action": "Cette action n'appartient pas à cette feuille de route."})
    line = FinancingLine(roadmap=roadmap, funder=funder, amount=amount, **fields)
    line.full_clean()
    with transaction.atomic():
        line.save()
        audit.record(
            actor=actor,
            action=AuditAction.FINANCING_CREATED,
            obj=line,
            payload={"financeur": funder.name, "montant": "confidentiel" if line.is_confidential else str(amount)},
        )
    return line


def fund_balance(fund: Fund) -> Decimal:
    totals = dict(fund.movements.values_list("kind").annotate(total=Sum("amount")))
    return (totals.get(FundMovementKind.CONTRIBUTION) or Decimal("0")) - (
        totals.get(FundMovementKind.ALLOCATION) or Decimal("0")
    )


def fund_movement_create(*, actor, fund: Fund, kind: str, amount: Decimal, date: dt.date, **fields) -> FundMovement:
    """A contribution to, or an allocation from, the fonds d'inclusion numérique (never beyond its balance)."""
    if not perms.can_edit_roadmap(actor, fund.roadmap):
        raise PermissionDenied
    movement = FundMovement(fund=fund, kind=kind, amount=amount, date=date, **fields)
    movement.full_clean()
    with transaction.atomic():
        Fund.objects.select_for_update().filter(pk=fund.pk).first()
        if kind == FundMovementKind.ALLOCATION and amount > fund_balance(fund):
            raise ValidationError({"amount": f"Solde insuffisant : {fund_balance(fund)} € disponibles."})
        movement.save()
        audit.record(
            actor=actor,
            action=AuditAction.FUND_MOVEMENT_CREATED,
            obj=fund,
            payload={"mouvement": kind, "montant": "confidentiel" if movement.is_confidential else str(amount)},
        )
    return movement


def workshop_record(*, actor, roadmap: Roadmap, invited=(), participants=(), actions=(), **fields) -> Workshop:
    """A co-construction workshop: invitations, participants and the actions it produced."""
    if not perms.can_edit_roadmap(actor, roadmap):
        raise PermissionDenied
    participants = list(participants)
    if not fields.get("participant_count"):
        fields["participant_count"] = len(participants)
    workshop = Workshop(roadmap=roadmap, **fields)
    workshop.full_clean()
    with transaction.atomic():
        workshop.save()
        workshop.invited.set(invited)
        workshop.participants.set(participants)
        workshop.actions.set([action for action in actions if action.roadmap_id == roadmap.pk])
        audit.record(
            actor=actor, action=AuditAction.WORKSHOP_RECORDED, obj=workshop, payload={"actions": len(actions)}
        )
    return workshop


# --- Gouvernance --------------------------------------------------------------------------------------


def meeting_record(
    *,
    actor,
    body: Body,
    date: dt.date,
    title: str,
    agenda: str = "",
    minutes: str = "",
    location: str = "",
    attendees=(),
    decisions=(),
) -> Meeting:
    """Record a meeting with its attendance and decisions (each decision: text, actions, documents, axes)."""
    if not perms.can_edit_roadmap(actor, body.roadmap):
        raise PermissionDenied
    meeting = Meeting(body=body, date=date, title=title, agenda=agenda, minutes=minutes, location=location)
    meeting.full_clean()
    with transaction.atomic():
        meeting.save()
        meeting.attendees.set([member for member in attendees if member.body_id == body.pk])
        for item in decisions:
            decision = Decision.objects.create(meeting=meeting, text=item["text"])
            decision.actions.set([a for a in item.get("actions", ()) if a.roadmap_id == body.roadmap_id])
            decision.documents.set([d for d in item.get("documents", ()) if d.roadmap_id == body.roadmap_id])
            decision.axes.set([x for x in item.get("axes", ()) if x.roadmap_id == body.roadmap_id])
            audit.record(
                actor=actor, action=AuditAction.DECISION_RECORDED, obj=decision, payload={"reunion": meeting.pk}
            )
        audit.record(actor=actor, action=AuditAction.MEETING_RECORDED, obj=meeting, payload={"instance": body.name})
    return meeting
