"""The fiche d'orientation: one or several places on a page to hand to a person (print, PDF, short link)."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from maillage.core.pdf import pdf_response
from maillage.core.policy import PUBLIC, access
from maillage.places import presentation, services
from maillage.places.forms import OrientationForm
from maillage.places.models import OrientationLink, Place

MAX_PLACES = services.ORIENTATION_MAX_PLACES
MAX_ASKED = 50  # ids read from one request at most: the work stays bounded whatever is sent
MAX_ID_DIGITS = 18  # below PostgreSQL's bigint


def _ids(values) -> list[int]:
    """The distinct place ids asked for, in their order (at most MAX_ASKED); what is not a
    positive integer is ignored."""
    ids: dict[int, None] = {}
    for value in values:
        for part in str(value).split(","):
            part = part.strip()
            if part.isdecimal() and len(part) <= MAX_ID_DIGITS and part.isascii():
                ids[int(part)] = None
                if len(ids) == MAX_ASKED:
                    return list(ids)
    return list(ids)


class NothingToShow(Exception):
    """No published place among those asked for."""


def _published(place_ids: list[int]) -> list[Place]:
    places = Place.objects.published().select_related("commune").in_bulk(place_ids)
    return [places[pk] for pk in place_ids if pk in places]


def _sheet_context(place_ids: list[int], note: str) -> dict:
    published = _published(place_ids)
    if not published:
        raise NothingToShow
    ordered = published[:MAX_PLACES]
    now = timezone.now()
    return {
        "left_out": len(published) - len(ordered),
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


def _nothing_to_show(request, reason: str):
    return render(request, "places/orientation_empty.html", {"reason": reason}, status=404)


@access(PUBLIC)
def orientation_sheet(request):
    """The printable page (large type, plain words): ?lieux=1,2&note=…"""
    form = OrientationForm(request.GET or None)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        context = _sheet_context(_ids(request.GET.getlist("lieux")), note)
    except NothingToShow:
        return _nothing_to_show(request, "Aucun des lieux demandés n'est publié, ou la fiche n'en désigne aucun.")
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
    place_ids = _ids(request.POST.getlist("lieux"))
    if not form.is_valid():  # the note as typed, with its error, to correct
        try:
            context = _sheet_context(place_ids, "")
        except NothingToShow:
            return _nothing_to_show(request, "Aucun des lieux demandés n'est publié.")
        context["form"] = form
        return render(request, "places/orientation.html", context, status=400)
    try:
        link, created = services.orientation_link_create(place_ids=place_ids, note=form.cleaned_data["note"])
    except ValidationError:
        return _nothing_to_show(request, "Aucun des lieux demandés n'est publié.")
    return redirect(
        reverse("places:orientation_link", args=[link.code]) + ("?nouveau=1" if created else "?existant=1")
    )


@access(PUBLIC)
def orientation_link(request, code):
    link = OrientationLink.objects.filter(code=code).first()
    if link is None:
        raise Http404("Ce lien de fiche d'orientation n'existe pas : vérifiez qu'il a été recopié en entier.")
    try:
        context = _sheet_context(link.places, link.note)
    except NothingToShow:
        return _nothing_to_show(request, "Les lieux de cette fiche ne sont plus publiés.")
    context.update(
        form=None,
        link=link,
        short_url=request.build_absolute_uri(reverse("places:orientation_link", args=[code])),
        just_created=request.GET.get("nouveau") == "1",
        already_existed=request.GET.get("existant") == "1",
    )
    if request.GET.get("format") == "pdf":
        return pdf_response("places/orientation_pdf.html", context, request, f"fiche-orientation-{code}.pdf")
    return render(request, "places/orientation.html", context)
