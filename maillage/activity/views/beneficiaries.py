"""Followed beneficiaries: seen only by the structure that follows them; every read journaled."""

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from maillage.activity import perms, services
from maillage.activity.forms import BeneficiaryForm
from maillage.activity.models import Beneficiary
from maillage.activity.views.entry import RECORDERS, _structures
from maillage.core.policy import access


def _beneficiary(request, pk) -> Beneficiary:
    beneficiary = get_object_or_404(Beneficiary.objects.select_related("structure"), pk=pk)
    if not perms.can_view_beneficiary(request.user, beneficiary):
        raise PermissionDenied
    return beneficiary


@access(RECORDERS)
def beneficiary_list(request):
    structures = _structures(request.user)
    query = request.GET.get("q", "").strip()
    found = []
    for structure in structures:
        found += [
            (structure, b)
            for b in services.beneficiary_search(actor=request.user, structure=structure, query=query, limit=100)
        ]
    return render(request, "activity/beneficiaries.html", {"found": found, "q": query, "structures": structures})


@access(RECORDERS)
def beneficiary_create(request):
    structures = _structures(request.user)
    if not structures:
        return render(request, "activity/no_structure.html", status=403)
    form = BeneficiaryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            beneficiary = services.beneficiary_create(actor=request.user, structure=structures[0], **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, f"{beneficiary.display_name} est suivi(e) par {structures[0].nom}.")
            return redirect("activity:beneficiary", pk=beneficiary.pk)
    return render(request, "activity/beneficiary_form.html", {"form": form, "structure": structures[0]})


@access(RECORDERS)
def beneficiary_detail(request, pk):
    beneficiary = services.beneficiary_read(actor=request.user, beneficiary=_beneficiary(request, pk))
    links = (
        beneficiary.accompagnements.filter(activity__deleted_at__isnull=True)
        .select_related("activity")
        .order_by("-activity__date")
    )
    return render(
        request,
        "activity/beneficiary.html",
        {
            "beneficiary": beneficiary,
            "links": links,
            "can_erase": perms.can_erase_beneficiary(request.user, beneficiary),
        },
    )


@access(RECORDERS)
def beneficiary_export(request, pk):
    beneficiary = _beneficiary(request, pk)
    data = services.beneficiary_export(actor=request.user, beneficiary=beneficiary)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False, default=str), content_type="application/json; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="beneficiaire-{beneficiary.pseudonyme}.json"'
    return response


@access(RECORDERS)
def beneficiary_erase(request, pk):
    beneficiary = _beneficiary(request, pk)
    if not perms.can_erase_beneficiary(request.user, beneficiary):
        raise PermissionDenied
    if request.method == "POST":
        services.beneficiary_erase(actor=request.user, beneficiary=beneficiary)
        messages.success(request, "Les données personnelles sont effacées ; les accompagnements restent comptés.")
        return redirect("activity:beneficiaries")
    return render(request, "activity/beneficiary_erase.html", {"beneficiary": beneficiary})
