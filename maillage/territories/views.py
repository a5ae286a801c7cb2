import csv

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from maillage.core.panels import territory_panels
from maillage.core.policy import PUBLIC, access
from maillage.territories import selectors
from maillage.territories.models import Departement, Epci, Region
from maillage.territories.search import search_communes
from maillage.territories.territory import TerritoryRef

SEARCH_LIMIT = 20
MAP_FORMATS = ("svg", "csv")


def _territory_page(request, template, territory, **context):
    ref = territory.ref
    context.update(
        territory=territory,
        ref=ref,
        figures=selectors.territory_figures(ref),
        map=selectors.territory_map(territory),
        panels=territory_panels(request, ref),
    )
    return render(request, template, context)


@access(PUBLIC)
def index(request):
    regions = Region.objects.prefetch_related("departements").order_by("code")
    return render(request, "territories/index.html", {"regions": regions})


@access(PUBLIC)
def region_detail(request, code):
    region = get_object_or_404(Region, code=code)
    return _territory_page(request, "territories/region.html", region, departements=region.departements.all())


@access(PUBLIC)
def departement_detail(request, code):
    departement = get_object_or_404(Departement.objects.select_related("region"), code=code.upper())
    epcis = Epci.objects.filter(communes__departement=departement).distinct().order_by("nom")
    return _territory_page(request, "territories/departement.html", departement, epcis=epcis)


@access(PUBLIC)
def epci_detail(request, code):
    epci = get_object_or_404(Epci, code=code)
    departements = Departement.objects.filter(communes__epci=epci).distinct().order_by("code")
    return _territory_page(request, "territories/epci.html", epci, departements=departements)


@access(PUBLIC)
def commune_detail(request, code):
    commune = selectors.resolve_commune(code)
    if commune is None:
        raise Http404(f"Aucune commune n'a le code {code}.")
    if commune.code != code:
        # A former code (commune déléguée, merged commune) leads to the current commune.
        return redirect("territories:commune", code=commune.code, permanent=True)
    return _territory_page(
        request,
        "territories/commune.html",
        commune,
        postal_codes=list(commune.postal_codes.values_list("code", flat=True)),
        former_communes=commune.former_communes.exclude(nom=""),
        arrondissements=commune.arrondissements.order_by("code"),
    )


@access(PUBLIC)
def commune_search(request):
    query = request.GET.get("q", "").strip()[:100]
    communes = search_communes(query, limit=SEARCH_LIMIT) if query else []
    template = "territories/includes/search_results.html" if request.htmx else "territories/search.html"
    return render(request, template, {"query": query, "communes": communes})


@access(PUBLIC)
def map_data(request, level, code, fmt):
    """The drawing (SVG) or the data (CSV) of a territory page's map, for download."""
    if fmt not in MAP_FORMATS:
        raise Http404("Format inconnu : svg ou csv.")
    try:
        territory = TerritoryRef.parse(f"{level}:{code}").get_object()
    except Exception as error:
        raise Http404("Territoire inconnu.") from error
    choropleth = selectors.territory_map(territory)
    if fmt == "svg":
        response = HttpResponse(choropleth.svg, content_type="image/svg+xml; charset=utf-8")
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(["code", "nom", "densite_hab_km2", "classe"])
        for area, map_class in choropleth.rows:
            value = "" if area.value is None else f"{area.value:.2f}"
            writer.writerow([area.code, area.label, value, map_class.label(choropleth.unit, 0) if map_class else ""])
    response["Content-Disposition"] = f'attachment; filename="densite-{level}-{code}.{fmt}"'
    return response
