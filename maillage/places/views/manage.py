"""Managing the registry: imports (with progress), quarantine, editing a place and its history."""

import hashlib

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from maillage.core.policy import access, any_role
from maillage.core.roles import Role
from maillage.places import perms, presentation, selectors, services, tasks
from maillage.places import standard as std
from maillage.places.enums import ImportStatus, QuarantineStatus
from maillage.places.forms import DiscardForm, ImportForm, PlaceForm
from maillage.places.importing.files import MAX_UPLOAD
from maillage.places.importing.runner import dataset_for
from maillage.places.importing.variants import load_mapping
from maillage.places.models import STANDARD_TO_MODEL, ImportBatch, QuarantinedRow
from maillage.places.views.public import get_place_for_user

COORDINATORS = any_role(Role.COORDINATEUR)
EDITORS = any_role(Role.COORDINATEUR, Role.GESTIONNAIRE)


def _require_importer(user):
    if not perms.can_import_places(user):
        raise PermissionDenied


@access(COORDINATORS)
def import_list(request):
    _require_importer(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["fichier"]
        if upload.size > MAX_UPLOAD:
            form.add_error("fichier", "Fichier trop volumineux (50 Mo au plus).")
        else:
            mapping = None
            if form.cleaned_data["correspondance"]:
                try:
                    mapping = _mapping_from_upload(form.cleaned_data["correspondance"])
                except ValueError as error:
                    form.add_error("correspondance", str(error))
            dataset = dataset_for(form.cleaned_data["jeu"], upload.name)
            if not perms.can_import_dataset(request.user, dataset):
                form.add_error("jeu", perms.OUTSIDE_DATASET.format(dataset=dataset))
            if not form.errors:
                data = upload.read()
                batch = ImportBatch.objects.create(
                    dataset=dataset,
                    filename=upload.name,
                    dry_run=form.cleaned_data["simulation"],
                    actor=request.user,
                    file_sha256=hashlib.sha256(data).hexdigest(),
                    status=ImportStatus.PENDING,
                )
                tasks.start_import(
                    batch=batch,
                    data=data,
                    filename=upload.name,
                    dataset=form.cleaned_data["jeu"] or None,
                    dry_run=form.cleaned_data["simulation"],
                    mapping=mapping,
                    actor=request.user,
                )
                return redirect("places:import_detail", pk=batch.pk)
    page = Paginator(selectors.import_batches(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "places/imports.html", {"form": form, "page_obj": page, "query_string": ""})


def _mapping_from_upload(upload):
    import json
    import tempfile
    from pathlib import Path

    content = upload.read()
    try:
        json.loads(content)
    except ValueError as error:
        raise ValueError("La correspondance doit être un fichier JSON.") from error
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / (Path(upload.name).name or "correspondance.config.json")
        path.write_bytes(content)
        return load_mapping(path)


@access(COORDINATORS)
def import_detail(request, pk):
    _require_importer(request.user)
    batch = get_object_or_404(ImportBatch, pk=pk)
    if not perms.can_see_import(request.user, batch):
        raise Http404("Import introuvable.")
    report = batch.report or {}
    warnings_by_reason = {}
    for warning in report.get("warnings", []):
        key = (warning["field"], warning["reason"])
        warnings_by_reason.setdefault(key, []).append(warning)
    context = {
        "batch": batch,
        "report": report,
        "running": batch.status in (ImportStatus.PENDING, ImportStatus.RUNNING),
        "errors": report.get("errors", [])[:500],
        "warning_groups": sorted(
            ((field, reason, items) for (field, reason), items in warnings_by_reason.items()),
            key=lambda group: -len(group[2]),
        ),
        "percent": round(100 * batch.rows_done / batch.rows_total) if batch.rows_total else 0,
        "quarantined": batch.quarantined_rows.filter(status=QuarantineStatus.PENDING).count(),
    }
    template = "places/includes/import_progress.html" if request.htmx else "places/import_detail.html"
    return render(request, template, context)


@access(COORDINATORS)
def quarantine_list(request):
    _require_importer(request.user)
    pending = perms.quarantine_in_reach(request.user, QuarantinedRow.objects.filter(status=QuarantineStatus.PENDING))
    rows = pending.select_related("batch")
    dataset = request.GET.get("jeu")
    if dataset:
        rows = rows.filter(dataset=dataset)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    datasets = pending.values_list("dataset", flat=True).distinct()
    return render(
        request,
        "places/quarantine.html",
        {
            "page_obj": page,
            "datasets": sorted(set(datasets)),
            "dataset": dataset,
            "query_string": f"jeu={dataset}&" if dataset else "",
        },
    )


def _row_initial(row: QuarantinedRow) -> dict:
    """The row's values as the fix form shows them: what validation kept, else the raw cells."""
    initial = dict(row.data)
    for name in std.FIELD_NAMES:
        if initial.get(name) in (None, "", []):
            raw = row.raw.get(name, row.raw.get(name.capitalize(), ""))
            if raw not in (None, ""):
                initial[name] = raw if not isinstance(raw, float | int) else str(raw)
    return initial


@access(COORDINATORS)
def quarantine_fix(request, pk):
    row = get_object_or_404(QuarantinedRow.objects.select_related("batch"), pk=pk)
    if not perms.can_fix_quarantined_row(request.user, row):
        raise PermissionDenied
    if row.status != QuarantineStatus.PENDING:
        messages.info(request, "Cette ligne a déjà été traitée.")
        return redirect("places:quarantine")
    form = PlaceForm(request.POST or None, initial_values=_row_initial(row))
    errors_by_field = {}
    for error in row.errors:
        errors_by_field.setdefault(error["field"], []).append(error["reason"])
    if request.method == "POST" and form.is_valid():
        try:
            place = services.quarantine_resubmit(actor=request.user, row=row, values=form.standard_values())
        except ValidationError as error:
            for field, reasons in error.message_dict.items():
                form.add_error(field if field in form.fields else None, reasons)
        else:
            messages.success(request, f"Ligne corrigée : « {place.nom} » est importé.")
            return redirect("places:quarantine")
    return render(
        request,
        "places/quarantine_fix.html",
        {
            "row": row,
            "form": form,
            "original_errors": row.errors,
            "discard_form": DiscardForm(),
        },
    )


@access(COORDINATORS)
def quarantine_discard(request, pk):
    row = get_object_or_404(QuarantinedRow, pk=pk)
    form = DiscardForm(request.POST or None)
    if request.method != "POST":
        return redirect("places:quarantine_fix", pk=pk)
    if not form.is_valid():
        limit = form.fields["motif"].max_length
        messages.error(request, f"Indiquez pourquoi cette ligne est écartée ({limit} caractères au plus).")
        return redirect("places:quarantine_fix", pk=pk)
    try:
        services.quarantine_discard(actor=request.user, row=row, reason=form.cleaned_data["motif"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("places:quarantine_fix", pk=pk)
    messages.success(request, "La ligne est écartée (elle reste consultable dans le rapport de son import).")
    return redirect("places:quarantine")


def _same(value, current) -> bool:
    """An unchanged field: equal, or the same items of a list in another order (checkboxes follow the
    vocabulary's order, not the place's)."""
    if isinstance(value, list) and isinstance(current, list):
        return sorted(map(str, value)) == sorted(map(str, current))
    return value == current


@access(EDITORS)
def place_edit(request, pk):
    place = get_place_for_user(request.user, pk)
    if not perms.can_edit_place(request.user, place):
        raise PermissionDenied
    current = {name: getattr(place, STANDARD_TO_MODEL.get(name, name)) for name in std.FIELD_NAMES}
    current["date_maj"] = place.date_maj.isoformat()
    current["latitude"] = "" if place.latitude is None else str(place.latitude)
    current["longitude"] = "" if place.longitude is None else str(place.longitude)
    form = PlaceForm(request.POST or None, initial_values=current)
    if request.method == "POST" and form.is_valid():
        values = form.standard_values()
        changes = {name: value for name, value in values.items() if not _same(value, current.get(name))}
        if not values.get("date_maj"):
            changes.pop("date_maj", None)  # an edit without a date is dated today by the service
        if not changes:
            messages.info(request, "Aucune modification : le lieu est inchangé.")
            return redirect("places:detail", pk=place.pk)
        was_published = place.is_published
        try:
            services.place_update(actor=request.user, place=place, changes=changes)
        except ValidationError as error:
            for field, reasons in error.message_dict.items():
                form.add_error(field if field in form.fields else None, reasons)
        else:
            messages.success(request, "Le lieu est mis à jour.")
            if was_published and not place.is_published:
                messages.warning(request, "Ce lieu ne propose plus aucun service : il n'est plus publié sur la carte.")
            elif place.is_published and not was_published:
                messages.info(request, "Ce lieu propose de nouveau des services : il est publié sur la carte.")
            return redirect("places:detail", pk=place.pk)
    return render(request, "places/edit.html", {"place": place, "form": form})


@access(EDITORS)
def place_history(request, pk):
    place = get_place_for_user(request.user, pk)
    if not perms.can_edit_place(request.user, place):
        raise PermissionDenied
    page = Paginator(selectors.place_history(place), 30).get_page(request.GET.get("page"))
    for entry in page.object_list:
        entry.change_rows = presentation.change_rows((entry.payload or {}).get("changes") or {})
    return render(request, "places/history.html", {"place": place, "page_obj": page, "query_string": ""})
