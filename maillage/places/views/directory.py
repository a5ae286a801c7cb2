"""The printed directory: every place of a commune, an EPCI or a département, as a PDF booklet."""

from itertools import groupby

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from maillage.core.pdf import pdf_response
from maillage.core.policy import PUBLIC, access
from maillage.places import presentation
from maillage.places.models import Place
from maillage.territories.territory import TerritoryRef


def _directory_context(territoire: str) -> dict:
    try:
        ref = TerritoryRef.parse(territoire)
        territory = ref.get_object()
    except Exception as error:
        raise Http404("Territoire inconnu.") from error
    places = list(
        Place.objects.published().in_territory(ref).select_related("commune").order_by("commune__nom", "nom")
    )
    monday = timezone.localdate() - timezone.timedelta(days=timezone.localdate().weekday())
    entries = [
        {
            "place": place,
            "week": presentation.week_schedule(place, monday=monday),
            "phone": presentation.phone_for_reading(place.telephone) if place.telephone else "",
        }
        for place in places
    ]
    sections = [
        (commune, list(items))
        for commune, items in groupby(
            entries,
            key=lambda entry: entry["place"].commune.nom if entry["place"].commune else entry["place"].commune_nom,
        )
    ]
    return {
        "territory": territory,
        "ref": ref,
        "sections": sections,
        "count": len(places),
        "printed_on": timezone.localdate(),
    }


@access(PUBLIC)
def directory(request):
    territoire = request.GET.get("territoire", "")
    if not territoire:
        return render(request, "places/directory_choose.html")
    context = _directory_context(territoire)
    if request.GET.get("format") == "pdf":
        name = f"annuaire-lieux-{context['ref'].level}-{context['ref'].code}.pdf"
        return pdf_response("places/directory_pdf.html", context, request, name)
    return render(request, "places/directory.html", context)
