"""The printed directory: every place of a commune, an EPCI or a département, as a PDF booklet."""

from itertools import groupby
from urllib.parse import urlencode

from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from maillage.core.pdf import pdf_response
from maillage.core.policy import PUBLIC, access
from maillage.places import presentation
from maillage.places.models import Place
from maillage.territories.selectors import find_territory
from maillage.territories.territory import TerritoryRef


def _directory_context(ref: TerritoryRef) -> dict:
    territory = ref.get_object()
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


def _departements_with_places() -> list[dict]:
    """Départements that have published places, with their count: the directories on offer."""
    return list(
        Place.objects.published()
        .exclude(commune=None)
        .values("commune__departement_id", "commune__departement__nom")
        .annotate(total=Count("pk"))
        .order_by("commune__departement_id")
    )


def _choose(request, query: str = "", status: int = 200):
    context = {"query": query, "departements": _departements_with_places()}
    return render(request, "places/directory_choose.html", context, status=status)


@access(PUBLIC)
def directory(request):
    """`?territoire=` takes what a person types (a commune, a postal code, an EPCI, a département)
    and answers with the canonical address (`departement:28`), which the links and the PDF use."""
    query = request.GET.get("territoire", "").strip()[:100]
    if not query:
        return _choose(request)
    ref = find_territory(query)
    if ref is None:
        return _choose(request, query, status=404)
    if query != str(ref):
        params = {"territoire": str(ref)} | ({"format": "pdf"} if request.GET.get("format") == "pdf" else {})
        return redirect(f"{reverse('places:directory')}?{urlencode(params)}")
    context = _directory_context(ref)
    if request.GET.get("format") == "pdf":
        name = f"annuaire-lieux-{context['ref'].level}-{context['ref'].code}.pdf"
        return pdf_response("places/directory_pdf.html", context, request, name)
    return render(request, "places/directory.html", context)
