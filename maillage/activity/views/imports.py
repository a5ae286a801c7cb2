"""Importing activity files from the browser: upload, template, report, quarantine."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from maillage.activity import perms, services
from maillage.activity.enums import QuarantineStatus
from maillage.activity.forms import DiscardForm, ImportForm, QuarantineFixForm
from maillage.activity.importing import ImportRefused, template_file
from maillage.activity.models import ActivityImport, QuarantinedActivityRow
from maillage.activity.validation import OPTIONAL_COLUMNS
from maillage.core.policy import access, any_role
from maillage.core.roles import Role
from maillage.structures.models import Structure
from maillage.structures.perms import structure_ids_of, territories_of

IMPORTERS = any_role(Role.COORDINATEUR, Role.GESTIONNAIRE)
MAX_UPLOAD = 50 * 1024 * 1024


def _require(user):
    if not perms.can_import_activities(user):
        raise PermissionDenied


def _structures(user):
    if user.is_superuser:
        return Structure.objects.active()
    query = Structure.objects.filter(pk__in=structure_ids_of(user, Role.GESTIONNAIRE))
    for territory in territories_of(user, Role.COORDINATEUR):
        query = query | Structure.objects.in_territory(territory)
    return query.distinct().order_by("nom")


@access(IMPORTERS)
def import_list(request):
    _require(request.user)
    structures = list(_structures(request.user))
    form = ImportForm(request.POST or None, request.FILES or None, structures=structures)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fichier"]
        structure = next((s for s in structures if str(s.pk) == form.cleaned_data["structure"]), None)
        if upload.size > MAX_UPLOAD:
            form.add_error("fichier", "Fichier trop volumineux (50 Mo au plus).")
        elif (
            structure is None and not territories_of(request.user, Role.COORDINATEUR) and not request.user.is_superuser
        ):
            form.add_error("structure", "Choisissez votre structure.")
        else:
            try:
                report, batch = services.activity_import_file(
                    actor=request.user,
                    data=upload.read(),
                    filename=upload.name,
                    structure=structure,
                    dry_run=form.cleaned_data["simulation"],
                )
            except ImportRefused as error:
                form.add_error("fichier", f"Fichier refusé : {error}")
            else:
                if batch.pk:
                    return redirect("activity:import_detail", pk=batch.pk)
                messages.info(request, services.report_summary(report))
    imports = ActivityImport.objects.all()
    if not request.user.is_superuser and not territories_of(request.user, Role.COORDINATEUR):
        imports = imports.filter(actor=request.user)
    page = Paginator(imports, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "activity/imports.html",
        {"form": form, "page_obj": page, "query_string": "", "optional_columns": OPTIONAL_COLUMNS},
    )


@access(IMPORTERS)
def import_template(request, fmt):
    if fmt not in ("csv", "xlsx"):
        raise Http404
    content_type = (
        "text/csv; charset=utf-8"
        if fmt == "csv"
        else ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    )
    response = HttpResponse(template_file(fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="modele-activites.{fmt}"'
    return response


@access(IMPORTERS)
def import_detail(request, pk):
    _require(request.user)
    batch = get_object_or_404(ActivityImport, pk=pk)
    report = batch.report or {}
    return render(
        request,
        "activity/import_detail.html",
        {
            "batch": batch,
            "report": report,
            "errors": report.get("errors", [])[:500],
            "warnings": report.get("warnings", [])[:200],
            "quarantined": batch.quarantined_rows.filter(status=QuarantineStatus.PENDING).count(),
        },
    )


@access(IMPORTERS)
def quarantine_list(request):
    _require(request.user)
    rows = QuarantinedActivityRow.objects.filter(status=QuarantineStatus.PENDING).select_related("batch")
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "activity/quarantine.html", {"page_obj": page, "query_string": ""})


@access(IMPORTERS)
def quarantine_fix(request, pk):
    _require(request.user)
    row = get_object_or_404(QuarantinedActivityRow.objects.select_related("batch"), pk=pk)
    if row.status != QuarantineStatus.PENDING:
        messages.info(request, "Cette ligne a déjà été traitée.")
        return redirect("activity:quarantine")
    form = QuarantineFixForm(request.POST or None, raw=row.raw)
    if request.method == "POST" and form.is_valid():
        try:
            services.quarantine_resubmit(actor=request.user, row=row, raw=form.cleaned_data)
        except ValidationError as error:
            for field, reasons in (
                error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
            ).items():
                form.add_error(field if field in form.fields else None, reasons)
        else:
            messages.success(request, "Ligne corrigée : l'activité est importée.")
            return redirect("activity:quarantine")
    return render(request, "activity/quarantine_fix.html", {"row": row, "form": form, "discard_form": DiscardForm()})


@access(IMPORTERS)
def quarantine_discard(request, pk):
    _require(request.user)
    row = get_object_or_404(QuarantinedActivityRow, pk=pk)
    form = DiscardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.quarantine_discard(actor=request.user, row=row, reason=form.cleaned_data["motif"])
        messages.success(request, "La ligne est écartée (elle reste consultable dans l'import).")
        return redirect("activity:quarantine")
    return redirect("activity:quarantine_fix", pk=pk)
