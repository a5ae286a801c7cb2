"""The fiche d'orientation: one or several places on a page to hand to a person (print, PDF, short link)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from maillage.core.pdf import pdf_response
from maillage.core.policy import PUBLIC, access
from maillage.places import presentation, services
from maillage.places.forms import OrientationForm
from maillage.places.models import OrientationLink, Place

MAX_PLACES = 6


def _ids(values) -> list[int]:
    ids = []
    for value in values:
        for part in str(value).split(","):
            if part.strip().isdigit() and int(part) not in ids:
                ids.append(int(part))
    return ids[:MAX_PLACES]


def _sheet_context(place_ids: list[int], note: str) -> dict:
    places = Place.objects.published().select_related("commune").in_bulk(place_ids)
    ordered = [places[pk] for pk in place_ids if pk in places]
    if not ordered:
        raise Http404("Aucun lieu publié à mettre sur la fiche.")
    now = timezone.now()
    return {
        "items": [
            {
                "place": place,
                "week": presentation.week_schedule(place),
                "today": presentation.today(place, now=now),
                "phone": presentation.phone_for_reading(place.telephone) if place.telephone else "",
                "to_bring": presentation.to_bring(place),
                "access": presentation.access_in_words(place),
            }
            for place in ordered
        ],
        "note": note,
        "printed_on": timezone.localdate(),
        "place_ids": ",".join(str(place.pk) for place in ordered),
    }


@access(PUBLIC)
def orientation_sheet(request):
    """The printable page (large type, plain words): ?lieux=1,2&note=…"""
    form = OrientationForm(request.GET or None)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    context = _sheet_context(_ids(request.GET.getlist("lieux")), note)
    context["form"] = form
    if request.GET.get("format") == "pdf":
        return pdf_response("places/orientation_pdf.html", context, request, "fiche-orientation.pdf")
    return render(request, "places/orientation.html", context)


@access(PUBLIC)
def orientation_link_create(request):
    """POST: make (or find) the short link of a fiche, then show it."""
    if request.method != "POST":
        return redirect("places:search")
    form = OrientationForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        link = services.orientation_link_create(place_ids=_ids(request.POST.getlist("lieux")), note=note)
    except ValidationError as error:
        raise Http404(" ".join(error.messages)) from error
    return redirect(reverse("places:orientation_link", args=[link.code]) + "?nouveau=1")


@access(PUBLIC)
def orientation_link(request, code):
    link = get_object_or_404(OrientationLink, code=code)
    context = _sheet_context(link.places, link.note)
    context.update(
        form=None,
        link=link,
        short_url=request.build_absolute_uri(reverse("places:orientation_link", args=[code])),
        just_created=request.GET.get("nouveau") == "1",
    )
    if request.GET.get("format") == "pdf":
        return pdf_response("places/orientation_pdf.html", context, request, f"fiche-orientation-{code}.pdf")
    return render(request, "places/orientation.html", context)
