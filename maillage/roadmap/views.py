"""Roadmap pages: the plan, an action, matrix, calendar, indicators, targets, gouvernance, financing,
the COPIL report (page, PDF, XLSX), import/export, and the public transparency page."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from maillage.core import audit
from maillage.core.pdf import pdf_response
from maillage.core.policy import PUBLIC, access, any_role
from maillage.core.roles import Role
from maillage.roadmap import charts, perms, selectors, services
from maillage.roadmap.enums import ActionStatus, AuditAction
from maillage.roadmap.forms import (
    ActionEditForm,
    FinancingLineForm,
    FundMovementForm,
    ImportForm,
    IndicatorValueForm,
    MeetingForm,
    MilestoneForm,
    PlanFilterForm,
    ReportForm,
    SpentForm,
    StatusForm,
    WorkshopForm,
)
from maillage.roadmap.models import Action, Body, Fund, Indicator, Roadmap

MEMBERS = any_role(Role.COORDINATEUR, Role.OBSERVATEUR, Role.GESTIONNAIRE, Role.MEDIATEUR, Role.AIDANT)
READERS = any_role(Role.COORDINATEUR, Role.OBSERVATEUR)
COORDINATORS = any_role(Role.COORDINATEUR)
MAX_UPLOAD = 5 * 1024 * 1024


def get_roadmap_for_user(user, slug: str) -> Roadmap:
    roadmap = get_object_or_404(Roadmap, slug=slug)
    if not perms.can_view_roadmap(user, roadmap):
        raise PermissionDenied
    return roadmap


def get_editable_roadmap(user, slug: str) -> Roadmap:
    roadmap = get_roadmap_for_user(user, slug)
    if not perms.can_edit_roadmap(user, roadmap):
        raise PermissionDenied
    return roadmap


def _journal_people(request, roadmap, action: str, obj=None) -> None:
    """Names of people shown to a coordinateur are personal data: the read goes to the journal."""
    audit.record(
        actor=request.user,
        action=action,
        obj=obj or roadmap,
        departement=roadmap.territory_code if roadmap.territory_level == "departement" else "",
        personal_data=True,
    )


def _context(request, roadmap, **extra) -> dict:
    return {
        "roadmap": roadmap,
        "can_edit": perms.can_edit_roadmap(request.user, roadmap),
        "is_reader": perms.can_read_reports(request.user, roadmap),
        **extra,
    }


@access(PUBLIC)
def roadmap_index(request):
    roadmaps = list(Roadmap.objects.all())
    visible = {roadmap.pk for roadmap in roadmaps if perms.can_view_roadmap(request.user, roadmap)}
    return render(
        request,
        "roadmap/index.html",
        {"roadmaps": roadmaps, "visible": visible, "can_import": COORDINATORS.allows(request.user)},
    )


@access(MEMBERS)
def roadmap_detail(request, slug):
    roadmap = get_roadmap_for_user(request.user, slug)
    form = PlanFilterForm(request.GET or None, roadmap=roadmap)
    status = theme = ""
    if form.is_valid():
        status, theme = form.cleaned_data["statut"], form.cleaned_data["thematique"]
    axes = selectors.axis_status_table(roadmap)
    return render(
        request,
        "roadmap/detail.html",
        _context(
            request,
            roadmap,
            form=form,
            filtered=bool(status or theme),
            tree=selectors.plan_tree(roadmap, status=status, theme=theme),
            status_counts=selectors.status_counts(roadmap),
            axes=axes,
            statuses=list(ActionStatus),
            chart=charts.status_chart(axes, list(ActionStatus)),
        ),
    )


def _action(request, slug, code) -> tuple[Roadmap, Action]:
    roadmap = get_roadmap_for_user(request.user, slug)
    action = get_object_or_404(
        Action.objects.select_related("group__axis", "roadmap").prefetch_related("themes", "porteurs", "partners"),
        roadmap=roadmap,
        code=code,
    )
    return roadmap, action


def _updatable_action(request, slug, code) -> tuple[Roadmap, Action]:
    roadmap, action = _action(request, slug, code)
    if not perms.can_update_action(request.user, action):
        raise PermissionDenied
    return roadmap, action


@access(MEMBERS)
def action_detail(request, slug, code):
    roadmap, action = _action(request, slug, code)
    can_update = perms.can_update_action(request.user, action)
    show_confidential = perms.can_see_confidential_amounts(request.user, roadmap)
    financing = [
        line for line in action.financing.select_related("funder") if show_confidential or not line.is_confidential
    ]
    budget_lines = [line for line in action.budget_lines.all() if show_confidential or not line.is_confidential]
    show_names = perms.is_coordinator(request.user, roadmap)
    history = list(action.status_changes.select_related("actor"))
    if show_names and any(change.actor_id for change in history):
        _journal_people(request, roadmap, AuditAction.CONTRIBUTORS_VIEWED, action)
    return render(
        request,
        "roadmap/action.html",
        _context(
            request,
            roadmap,
            action=action,
            can_update=can_update,
            status_form=StatusForm(action=action) if can_update else None,
            history=history,
            show_names=show_names,
            milestones=action.milestones.all(),
            budget_lines=budget_lines,
            financing=financing,
            indicators=action.indicators.all(),
            places=action.places.all(),
            decisions=action.decisions.select_related("meeting__body"),
            workshops=action.workshops.all(),
        ),
    )


@access(MEMBERS)
def action_status(request, slug, code):
    roadmap, action = _updatable_action(request, slug, code)
    if request.method != "POST":
        return redirect("roadmap:action", slug=slug, code=code)
    form = StatusForm(request.POST, action=action)
    if form.is_valid():
        try:
            services.action_status_change(
                actor=request.user,
                action=action,
                status=form.cleaned_data["status"],
                comment=form.cleaned_data["comment"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Statut de l'action {action.code} mis à jour.")
    else:
        messages.error(request, "Choisissez un statut possible.")
    return redirect("roadmap:action", slug=slug, code=code)


@access(MEMBERS)
def action_edit(request, slug, code):
    roadmap, action = _updatable_action(request, slug, code)
    initial = {name: getattr(action, name) for name in services.ACTION_EDITABLE}
    form = ActionEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.action_update(actor=request.user, action=action, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Action mise à jour.")
            return redirect("roadmap:action", slug=slug, code=code)
    return render(request, "roadmap/action_edit.html", _context(request, roadmap, action=action, form=form))


@access(MEMBERS)
def milestone_mark(request, slug, code, milestone_id):
    """Porteurs mark a milestone of their action as reached (or not yet)."""
    roadmap, action = _updatable_action(request, slug, code)
    milestone = get_object_or_404(action.milestones, pk=milestone_id)
    if request.method == "POST":
        form = MilestoneForm(request.POST)
        if form.is_valid():
            services.milestone_mark(actor=request.user, milestone=milestone, done_on=form.cleaned_data["done_on"])
            messages.success(request, f"Jalon « {milestone.title} » mis à jour.")
        else:
            messages.error(request, "Date invalide.")
    return redirect("roadmap:action", slug=slug, code=code)


@access(MEMBERS)
def budget_spent(request, slug, code, line_id):
    """Porteurs report what has been spent on a budget line of their action."""
    roadmap, action = _updatable_action(request, slug, code)
    line = get_object_or_404(action.budget_lines, pk=line_id)
    if request.method == "POST":
        form = SpentForm(request.POST)
        if form.is_valid():
            services.budget_line_spend(actor=request.user, line=line, spent=form.cleaned_data["spent"])
            messages.success(request, f"Dépense enregistrée pour « {line.label} ».")
        else:
            messages.error(request, "Montant invalide.")
    return redirect("roadmap:action", slug=slug, code=code)


@access(MEMBERS)
def theme_matrix(request, slug):
    roadmap = get_roadmap_for_user(request.user, slug)
    return render(request, "roadmap/matrix.html", _context(request, roadmap, matrix=selectors.theme_matrix(roadmap)))


@access(MEMBERS)
def roadmap_calendar(request, slug):
    roadmap = get_roadmap_for_user(request.user, slug)
    return render(request, "roadmap/calendar.html", _context(request, roadmap, months=selectors.calendar(roadmap)))


@access(MEMBERS)
def indicator_list(request, slug):
    roadmap = get_roadmap_for_user(request.user, slug)
    rows = selectors.indicator_rows(roadmap)
    editable = {
        row.indicator.pk
        for row in rows
        if not row.indicator.is_live
        and (
            perms.is_coordinator(request.user, roadmap)
            or any(perms.can_update_action(request.user, a) for a in row.indicator.actions.all())
        )
    }
    chart = charts.progress_bars(
        [(row.indicator.name, row.progress) for row in rows], title="Progression vers la cible", chart_id="progression"
    )
    show_names = perms.is_coordinator(request.user, roadmap)
    if show_names and any(value.entered_by_id for row in rows for value in row.history):
        _journal_people(request, roadmap, AuditAction.CONTRIBUTORS_VIEWED)
    return render(
        request,
        "roadmap/indicators.html",
        _context(
            request,
            roadmap,
            rows=rows,
            editable=editable,
            chart=chart,
            value_form=IndicatorValueForm(initial={"date": timezone.localdate()}),
            show_names=show_names,
        ),
    )


@access(MEMBERS)
def indicator_value(request, slug, code):
    roadmap = get_roadmap_for_user(request.user, slug)
    indicator = get_object_or_404(Indicator, roadmap=roadmap, code=code)
    if request.method != "POST":
        return redirect("roadmap:indicators", slug=slug)
    form = IndicatorValueForm(request.POST)
    if form.is_valid():
        try:
            services.indicator_value_enter(actor=request.user, indicator=indicator, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, f"Valeur enregistrée pour « {indicator.name} ».")
    else:
        messages.error(request, "Valeur refusée : " + " ".join(e for errors in form.errors.values() for e in errors))
    return redirect("roadmap:indicators", slug=slug)


@access(MEMBERS)
def roadmap_targets(request, slug):
    roadmap = get_roadmap_for_user(request.user, slug)
    result = selectors.roadmap_targets(roadmap)
    chart = charts.progress_bars(
        [(row.target.label, row.progress) for row in result.targets],
        title="Progression vers les objectifs nationaux territorialisés",
        chart_id="objectifs",
    )
    return render(request, "roadmap/targets.html", _context(request, roadmap, result=result, chart=chart))


@access(MEMBERS)
def governance(request, slug):
    roadmap = get_roadmap_for_user(request.user, slug)
    show_names = perms.can_see_member_names(request.user, roadmap)
    bodies = roadmap.bodies.prefetch_related(
        "members__structure",
        "members__user",
        "meetings__attendees",
        "meetings__decisions__actions",
        "meetings__decisions__documents",
        "meetings__decisions__axes",
    )
    if show_names and any(member.user_id for body in bodies for member in body.members.all()):
        _journal_people(request, roadmap, AuditAction.GOVERNANCE_VIEWED)
    return render(
        request,
        "roadmap/governance.html",
        _context(
            request,
            roadmap,
            bodies=bodies,
            show_names=show_names,
            documents=roadmap.documents.prefetch_related("decisions__meeting"),
            workshops=roadmap.workshops.prefetch_related("invited", "participants", "actions").select_related("theme"),
        ),
    )


@access(MEMBERS)
def financing(request, slug):
    roadmap = get_roadmap_for_user(request.user, slug)
    overview = selectors.financing_overview(
        roadmap, show_confidential=perms.can_see_confidential_amounts(request.user, roadmap)
    )
    lines = roadmap.financing_lines.select_related("funder", "beneficiary", "action")
    if not overview["show_confidential"]:
        lines = lines.filter(is_confidential=False)
    return render(request, "roadmap/financing.html", _context(request, roadmap, overview=overview, lines=lines))


@access(COORDINATORS)
def meeting_create(request, slug, body_id):
    """Record a meeting of a body: attendance, minutes, and a decision linked to actions and documents."""
    roadmap = get_editable_roadmap(request.user, slug)
    body = get_object_or_404(Body, roadmap=roadmap, pk=body_id)
    form = MeetingForm(request.POST or None, body=body)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        decisions = []
        if data["decision"]:
            decisions.append(
                {
                    "text": data["decision"],
                    "actions": data["decision_actions"],
                    "documents": data["decision_documents"],
                }
            )
        try:
            services.meeting_record(
                actor=request.user,
                body=body,
                date=data["date"],
                title=data["title"],
                location=data["location"],
                agenda=data["agenda"],
                minutes=data["minutes"],
                attendees=data["attendees"],
                decisions=decisions,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Réunion « {data['title']} » enregistrée.")
            return redirect("roadmap:governance", slug=slug)
    return render(request, "roadmap/meeting_form.html", _context(request, roadmap, body=body, form=form))


@access(COORDINATORS)
def workshop_create(request, slug):
    roadmap = get_editable_roadmap(request.user, slug)
    form = WorkshopForm(request.POST or None, roadmap=roadmap)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["participant_count"] = data["participant_count"] or 0
        try:
            services.workshop_record(actor=request.user, roadmap=roadmap, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"Atelier « {data['title']} » enregistré.")
            return redirect("roadmap:governance", slug=slug)
    return render(request, "roadmap/workshop_form.html", _context(request, roadmap, form=form))


@access(COORDINATORS)
def financing_create(request, slug):
    roadmap = get_editable_roadmap(request.user, slug)
    form = FinancingLineForm(request.POST or None, roadmap=roadmap)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        funder, amount = data.pop("funder"), data.pop("amount")
        try:
            services.financing_line_create(actor=request.user, roadmap=roadmap, funder=funder, amount=amount, **data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Ligne de financement enregistrée.")
            return redirect("roadmap:financing", slug=slug)
    return render(request, "roadmap/financing_form.html", _context(request, roadmap, form=form))


@access(COORDINATORS)
def fund_movement_create(request, slug, fund_id):
    """A contribution to, or an allocation from, the fonds d'inclusion numérique."""
    roadmap = get_editable_roadmap(request.user, slug)
    fund = get_object_or_404(Fund, roadmap=roadmap, pk=fund_id)
    form = FundMovementForm(request.POST or None, roadmap=roadmap)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            services.fund_movement_create(
                actor=request.user,
                fund=fund,
                kind=data.pop("kind"),
                amount=data.pop("amount"),
                date=data.pop("date"),
                **data,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, "Mouvement du fonds enregistré.")
            return redirect("roadmap:financing", slug=slug)
    context = _context(request, roadmap, fund=fund, form=form, balance=services.fund_balance(fund))
    return render(request, "roadmap/fund_form.html", context)


def _report(request, slug):
    roadmap = get_roadmap_for_user(request.user, slug)
    if not perms.can_read_reports(request.user, roadmap):
        raise PermissionDenied
    start, end = ReportForm.default_range(roadmap)
    form = ReportForm(request.GET or None, initial={"du": start, "au": end})
    if request.GET and form.is_valid():
        start, end = form.cleaned_data["du"], form.cleaned_data["au"]
    report = selectors.copil_report(
        roadmap, start, end, show_confidential=perms.can_see_confidential_amounts(request.user, roadmap)
    )
    report["status_chart"] = charts.status_chart(report["axes"], report["statuses"], chart_id="rapport-statuts")
    report["indicator_chart"] = charts.progress_bars(
        [(row.indicator.name, row.progress) for row in report["indicators"]],
        title="Indicateurs : progression vers la cible",
        chart_id="rapport-indicateurs",
    )
    audit.record(
        actor=request.user,
        action=AuditAction.REPORT_VIEWED,
        obj=roadmap,
        payload={"du": str(start), "au": str(end)},
    )
    return roadmap, form, report


@access(READERS)
def copil_report(request, slug):
    roadmap, form, report = _report(request, slug)
    query = f"du={report['start']:%Y-%m-%d}&au={report['end']:%Y-%m-%d}"
    context = {**_context(request, roadmap), **report, "form": form, "query": query}
    return render(request, "roadmap/report.html", context)


@access(READERS)
def copil_report_pdf(request, slug):
    roadmap, _, report = _report(request, slug)
    return pdf_response(
        "roadmap/report_pdf.html",
        {**report, "printed_on": timezone.localdate()},
        request,
        f"rapport-copil-{roadmap.slug}-{report['end']:%Y%m%d}.pdf",
    )


@access(READERS)
def copil_report_xlsx(request, slug):
    from maillage.roadmap.xlsx import report_workbook

    roadmap, _, report = _report(request, slug)
    response = HttpResponse(
        report_workbook(report), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="rapport-copil-{roadmap.slug}-{report["end"]:%Y%m%d}.xlsx"'
    )
    return response


@access(COORDINATORS)
def roadmap_import(request):
    form = ImportForm(request.POST or None, request.FILES or None)
    problems, result = [], None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fichier"]
        if upload.size > MAX_UPLOAD:
            form.add_error("fichier", "Fichier trop volumineux (5 Mo au plus).")
        else:
            try:
                result = services.roadmap_import(
                    actor=request.user,
                    data=upload.read(),
                    filename=upload.name,
                    dry_run=form.cleaned_data["simulation"],
                )
            except services.RoadmapImportError as error:
                problems = error.problems
            except PermissionDenied as error:
                form.add_error("fichier", str(error))
            else:
                if result.roadmap is not None and not result.dry_run:
                    messages.success(request, result.summary())
                    return redirect("roadmap:detail", slug=result.roadmap.slug)
    return render(request, "roadmap/import.html", {"form": form, "problems": problems, "result": result})


@access(COORDINATORS)
def roadmap_export(request, slug, fmt):
    roadmap = get_editable_roadmap(request.user, slug)
    if fmt not in ("yaml", "json"):
        raise Http404("Format inconnu : yaml ou json.")
    text = services.roadmap_export(actor=request.user, roadmap=roadmap, fmt=fmt)
    content_type = "application/json" if fmt == "json" else "application/yaml"
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{roadmap.slug}.{fmt}"'
    return response


@access(PUBLIC)
def transparency(request, slug):
    """What anyone may see: progress per axis and action, indicators, non-confidential financing totals."""
    roadmap = get_object_or_404(Roadmap, slug=slug)
    axes = selectors.axis_status_table(roadmap)
    rows = selectors.indicator_rows(roadmap)
    overview = selectors.financing_overview(roadmap, show_confidential=False)
    return render(
        request,
        "roadmap/transparency.html",
        {
            "roadmap": roadmap,
            "axes": axes,
            "statuses": list(ActionStatus),
            "status_counts": selectors.status_counts(roadmap),
            "chart": charts.status_chart(axes, list(ActionStatus)),
            "tree": selectors.plan_tree(roadmap),
            "rows": rows,
            "targets": selectors.roadmap_targets(roadmap, rows),
            "by_funder": overview["by_funder"],
            "total_financed": overview["total_financed"],
            "today": timezone.localdate(),
        },
    )
