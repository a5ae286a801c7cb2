"""Public pages: finding places, their fiche, the standard export."""

import shapely
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from maillage.core.policy import PUBLIC, access
from maillage.places import perms, presentation
from maillage.places.export import export_places
from maillage.places.forms import PlaceSearchForm
from maillage.places.models import Place
from maillage.places.search import FILTERS, get_index
from maillage.territories.maps import MapPoint, points_map
from maillage.territories.models import Commune
from maillage.territories.search import search_communes
from maillage.territories.selectors import find_territory

PAGE_SIZE = 20
MAX_RESULTS = 200


def _background(commune: Commune | None, points) -> list:
    """Outlines drawn under the dots: the communes of the searched commune's département."""
    if commune is None:
        return []
    rows = Commune.objects.communes().filter(departement_id=commune.departement_id).values_list("geometry", flat=True)
    return [shapely.from_wkb(bytes(wkb)) for wkb in rows if wkb]


def _origin(form):
    """The search point: a commune chosen by its code, or typed (name or postal code), or else
    coordinates ("Autour de moi" empties the commune field); plus other matching communes."""
    data = form.cleaned_data
    chosen = data.get("commune") and Commune.objects.filter(code=data["commune"], latitude__isnull=False).first()
    if chosen:
        return chosen, chosen.latitude, chosen.longitude, []
    if not data.get("ou"):
        if data.get("lat") is not None and data.get("lon") is not None:
            return None, data["lat"], data["lon"], []
        return None, None, None, []
    communes = search_communes(data["ou"], limit=6)
    if not communes or communes[0].latitude is None:
        return None, None, None, communes
    return communes[0], communes[0].latitude, communes[0].longitude, communes[1:]


@access(PUBLIC)
def place_search(request):
    data = request.GET.copy() if request.GET else None
    if data is not None and not data.get("rayon"):
        data["rayon"] = "30"
    form = PlaceSearchForm(data)
    context = {"form": form, "searched": bool(request.GET)}
    if form.is_valid():
        now = timezone.now()
        commune, alternatives, radius, found = _search_results(form, now)
        context.update(commune=commune, alternatives=alternatives)
        if radius is not None:
            page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
            places = Place.objects.select_related("commune").in_bulk([item.id for item in page.object_list])
            results = [
                {
                    "place": places[item.id],
                    "km": item.km,
                    "today": presentation.today(places[item.id], now=now),
                    "number": page.start_index() + i,
                }
                for i, item in enumerate(page.object_list)
                if item.id in places
            ]
            params = request.GET.copy()
            params.pop("page", None)
            refine = params.copy()  # the same search from another commune: filters kept
            for name in ("ou", "commune", "lat", "lon"):
                refine.pop(name, None)
            context.update(
                refine_query=refine.urlencode() + "&" if refine else "",
                page_obj=page,
                results=results,
                radius=radius,
                query_string=params.urlencode() + "&",
                total=len(found),
                capped=len(found) >= MAX_RESULTS,
                map=points_map(
                    _background(commune, results),
                    [
                        MapPoint(
                            r["place"].position_longitude,
                            r["place"].position_latitude,
                            r["place"].nom,
                            r["number"],
                            r["place"].position_approximate,
                        )
                        for r in results
                    ],
                    title=f"Carte des lieux trouvés (page {page.number})",
                    description="Chaque point numéroté correspond au lieu du même numéro dans la liste ; un point "
                    "creux signale une position approximative (centre de la commune).",
                    map_id="carte-lieux",
                )
                if results
                else "",
            )
    template = "places/includes/results.html" if request.htmx else "places/search.html"
    return render(request, template, context)


def get_place_for_user(user, pk) -> Place:
    place = Place.objects.select_related("commune", "commune__departement", "structure").filter(pk=pk).first()
    if place is None or not perms.can_view_place(user, place):
        raise Http404("Lieu introuvable.")
    return place


@access(PUBLIC)
def place_detail(request, pk):
    merged_into = Place.objects.filter(pk=pk).values_list("merged_into_id", flat=True).first()
    if merged_into and not perms.can_edit_place(request.user, Place.objects.get(pk=pk)):
        return redirect("places:detail", pk=merged_into)  # old links to a merged place still lead somewhere
    place = get_place_for_user(request.user, pk)
    now = timezone.now()
    outline = place.commune.geometry if place.commune and place.commune.geometry else None
    map_svg = ""
    if place.position_latitude is not None:
        map_svg = points_map(
            [shapely.from_wkb(bytes(outline))] if outline else [],
            [MapPoint(place.position_longitude, place.position_latitude, place.nom, None, place.position_approximate)],
            title=f"Position de {place.nom} dans sa commune",
            description="Le point indique le lieu"
            + (" (position approximative : centre de la commune)." if place.position_approximate else "."),
            map_id="carte-lieu",
            width=420,
        )
    return render(
        request,
        "places/detail.html",
        {
            "place": place,
            "today": presentation.today(place, now=now),
            "week": presentation.week_schedule(place),
            "map": map_svg,
            "phone": presentation.phone_for_reading(place.telephone) if place.telephone else "",
            "date_known": presentation.date_known(place),
            "can_edit": perms.can_edit_place(request.user, place),
            "merged_into": place.merged_into_id,
            "today_date": timezone.localdate(),
        },
    )


def _search_results(form, now):
    """The places a valid search form finds (nearest first), with the search's origin."""
    commune, latitude, longitude, alternatives = _origin(form)
    if latitude is None:
        return commune, alternatives, None, []
    radius = int(form.cleaned_data.get("rayon") or 30)
    found = get_index().nearest(
        latitude, longitude, k=MAX_RESULTS, filters=form.filters, open_at=form.open_at(now), max_km=radius
    )
    return commune, alternatives, radius, found


def _export_selection(params):
    """(places, only_ids, name) of an export: the published places of a territory typed as people do
    (`?territoire=`) or of France, narrowed to those a search finds (`?ou=…` or `?lat=…&lon=…`, with
    its filters) or to those passing filters (`?services=…`, `?ouvert=…`) — `only_ids`, None when not
    narrowed. Raises Http404 for an unknown territory, ValueError for an invalid search."""
    places = Place.objects.published()
    typed = params.get("territoire", "").strip()
    name = "france"
    if typed:
        ref = find_territory(typed)
        if ref is None:
            raise Http404(f"Territoire inconnu : « {typed[:100]} ».")
        places, name = places.in_territory(ref), str(ref).replace(":", "-")
    if not any(params.get(key) for key in ("ou", "lat", "lon", "ouvert", *FILTERS)):
        return places, None, name
    data = params.copy()
    data.setdefault("rayon", "30")
    form = PlaceSearchForm(data)
    if not form.is_valid():
        raise ValueError(" ".join(error for errors in form.errors.values() for error in errors))
    cleaned, now = form.cleaned_data, timezone.now()
    if typed or not (cleaned.get("ou") or cleaned.get("lat") is not None or cleaned.get("lon") is not None):
        return places, set(get_index().matching(form.filters, form.open_at(now))), name
    if not cleaned.get("ou") and (cleaned.get("lat") is None or cleaned.get("lon") is None):
        raise ValueError("indiquez une commune, ou la latitude et la longitude")
    _, _, _, found = _search_results(form, now)
    return places, {item.id for item in found}, "recherche"


@access(PUBLIC)
def place_export(request, fmt):
    """Published places in the standard format (see `_export_selection`)."""
    if fmt not in ("csv", "json"):
        raise Http404("Format inconnu : csv ou json.")
    try:
        places, only_ids, name = _export_selection(request.GET)
    except ValueError as error:
        return HttpResponse(f"Recherche invalide : {error}", status=400, content_type="text/plain; charset=utf-8")
    data = export_places(fmt=fmt, places=places, only_ids=only_ids)
    content_type = "text/csv; charset=utf-8" if fmt == "csv" else "application/json; charset=utf-8"
    response = HttpResponse(data, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="lieux-de-mediation-numerique-{name}.{fmt}"'
    return response
