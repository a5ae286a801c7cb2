"""Diagnosis pages: index maps, comparison of départements, coverage, report, variant, sensitivity.

Everything shown is aggregated public data (published index, published places): no personal data
is read here, so nothing needs journaling. Variants and sensitivity are tools for coordination.
"""

import csv
import math

import numpy as np
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.shortcuts import render as django_render
from django.utils import timezone

from maillage.core.indicators import compute_indicator, indicator_sources
from maillage.core.pdf import pdf_response
from maillage.core.policy import PUBLIC, access, any_role
from maillage.core.roles import Role
from maillage.diagnosis import charts, selectors, variants
from maillage.diagnosis.methods import load_method, preset_names, preset_path
from maillage.diagnosis.models import IndexRun
from maillage.places.selectors import place_count_by_dispositif
from maillage.territories.enums import Level
from maillage.territories.models import Departement
from maillage.territories.selectors import find_territory, territory_figures
from maillage.territories.territory import TerritoryRef

COORDINATION = any_role(Role.COORDINATEUR, Role.OBSERVATEUR)
MAP_FORMATS = ("svg", "png", "csv")
LEVEL_ORDER = [Level.COMMUNE, Level.EPCI, Level.DEPARTEMENT, Level.REGION]
LEVEL_PLURALS = {"commune": "communes", "epci": "intercommunalités (EPCI)", "departement": "départements"}
WHITE_ZONES_SHOWN = 30


def render(request, template: str, context: dict):
    """Render with what every diagnosis page needs (may the visitor open the coordination tabs?)."""
    context.setdefault("can_coordinate", COORDINATION.allows(request.user))
    return django_render(request, template, context)


def _territory(level: str, code: str):
    try:
        ref = TerritoryRef.parse(f"{level}:{code}")
        return ref, ref.get_object()
    except (ValidationError, ObjectDoesNotExist) as error:
        raise Http404("Territoire inconnu.") from error


def _number(request, name: str, default: float, low: float, high: float) -> float:
    try:
        value = float(request.GET.get(name, default))
    except (TypeError, ValueError):
        return default
    return default if math.isnan(value) else min(max(value, low), high)


def _levels_below(ref: TerritoryRef) -> list[str]:
    """Map levels available for a territory: its own level's children and below."""
    position = LEVEL_ORDER.index(ref.level)
    return [level.value for level in LEVEL_ORDER[:position]] or [Level.COMMUNE.value]


def _area_values(run: IndexRun, ref: TerritoryRef, level: str) -> dict[str, float | None]:
    scores = selectors.scores_in(run, ref, level)
    values = {code: score.total for code, score in scores.items()}
    if level == Level.COMMUNE:
        # Communes merged since the run: the mean of their former communes' scores.
        for commune in ref.communes().communes().prefetch_related("former_communes"):
            if commune.code not in values:
                former = [values[f.code] for f in commune.former_communes.all() if values.get(f.code) is not None]
                values[commune.code] = sum(former) / len(former) if former else None
    return values


def _area_codes(ref: TerritoryRef, level: str) -> list[str]:
    communes = ref.communes().communes()
    field = {"commune": "code", "epci": "epci_id", "departement": "departement_id", "region": "region_id"}[level]
    return sorted({code for code in communes.values_list(field, flat=True) if code})


def build_map(run: IndexRun, ref: TerritoryRef, level: str, territory) -> charts.RiskMap:
    codes = _area_codes(ref, level)
    values = _area_values(run, ref, level)
    names = charts.level_names(level, codes)
    shapes = charts.geometries(level, codes, within=ref)
    areas = [
        charts.MapArea(code=code, label=names.get(code, code), value=values.get(code), geometry=shapes.get(code))
        for code in codes
    ]
    areas.sort(key=lambda area: area.label)
    title = f"{run.method_label} : {LEVEL_PLURALS.get(level, level)} — {territory.nom}"
    return charts.risk_map(areas, title=title, map_id=f"carte-{level}")


def _run_or_empty(request, ref):
    return selectors.run_for_territory(ref, request.GET.get("calcul"))


@access(PUBLIC)
def home(request):
    query = request.GET.get("territoire", "").strip()[:100]
    if query:
        ref = find_territory(query)
        if ref is not None:
            return redirect("diagnosis:territory", ref.level.value, ref.code)
    runs = IndexRun.objects.all()[:20]
    departements = []
    run = selectors.current_run()
    if run is not None:
        codes = run.scores.filter(level=Level.DEPARTEMENT).values_list("code", flat=True)
        departements = list(Departement.objects.filter(code__in=list(codes)).select_related("region").order_by("code"))
    return render(
        request,
        "diagnosis/home.html",
        {"runs": runs, "run": run, "departements": departements, "invalid": bool(request.GET.get("territoire"))},
    )


@access(PUBLIC)
def territory(request, level, code):
    ref, obj = _territory(level, code)
    run = _run_or_empty(request, ref)
    levels = _levels_below(ref)
    niveau = request.GET.get("niveau") if request.GET.get("niveau") in levels else levels[-1]
    context = {
        "ref": ref,
        "territory": obj,
        "run": run,
        "levels": [(level, Level(level).label) for level in levels],
        "niveau": niveau,
    }
    if run is not None:
        score = selectors.territory_score(run, ref)
        context.update(
            score=score,
            indicators=_indicator_rows(run, score),
            map=build_map(run, ref, niveau, obj) if ref.level != Level.COMMUNE else None,
        )
    return render(request, "diagnosis/territory.html", context)


def _indicator_rows(run: IndexRun, score) -> list[dict]:
    if score is None:
        return []
    return [
        {"key": key, "label": run.labels.get(key, key), "value": score.values.get(key)}
        for key in run.indicator_columns
    ]


@access(PUBLIC)
def map_download(request, level, code, fmt):
    if fmt not in MAP_FORMATS:
        raise Http404("Format inconnu : svg, png ou csv.")
    ref, obj = _territory(level, code)
    run = _run_or_empty(request, ref)
    if run is None:
        raise Http404("Aucun indice calculé pour ce territoire.")
    levels = _levels_below(ref)
    niveau = request.GET.get("niveau") if request.GET.get("niveau") in levels else levels[-1]
    risk = build_map(run, ref, niveau, obj)
    filename = f"fragilite-{niveau}-{level}-{code}.{fmt}"
    if fmt == "svg":
        response = HttpResponse(risk.svg, content_type="image/svg+xml; charset=utf-8")
    elif fmt == "png":
        try:
            response = HttpResponse(charts.png(risk.areas, charts.RISK_COLORS), content_type="image/png")
        except ValueError as error:
            raise Http404(str(error)) from error
    else:
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        writer = csv.writer(response)
        writer.writerow(["code", "nom", "score_total", "classe"])
        for area in risk.areas:
            label = "" if area.css_class is None else charts.RISK_LABELS[area.css_class]
            writer.writerow([area.code, area.label, "" if area.value is None else f"{area.value:.4f}", label])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@access(PUBLIC)
def comparison(request, code):
    ref, region = _territory("region", code)
    run = _run_or_empty(request, ref)
    context = {"ref": ref, "territory": region, "run": run}
    if run is not None:
        scores = selectors.scores_in(run, ref, Level.DEPARTEMENT)
        names = {d.code: str(d) for d in Departement.objects.filter(region_id=code)}
        rows = sorted(
            (
                {"code": c, "nom": names.get(c, c), "total": s.total, "values": s.values}
                for c, s in scores.items()
                if c in names
            ),
            key=lambda row: -(row["total"] or 0),
        )
        for row in rows:
            row["indicators"] = [row["values"].get(key) for key in run.indicator_columns]
        context.update(
            rows=rows,
            columns=[run.labels.get(key, key) for key in run.indicator_columns],
            chart=charts.bar_chart(
                [(row["nom"], row["total"]) for row in rows],
                title=f"Score de fragilité numérique des départements — {region.nom}",
                chart_id="comparaison",
            )
            if rows
            else "",
        )
    return render(request, "diagnosis/comparison.html", context)


def _coverage_context(request, ref, run):
    distance = _number(request, "distance", selectors.DEFAULT_DISTANCE_KM, 1, 100)
    threshold = _number(request, "seuil", selectors.DEFAULT_THRESHOLD, 1, 10)
    coverage = selectors.territory_coverage(ref, distance_km=distance, run=run, threshold=threshold)
    population = float(coverage.communes.population.sum())
    beyond = coverage.population_beyond()
    fragile_beyond = coverage.fragile_population_beyond()
    fragile_total = (
        float(coverage.communes.population[coverage.communes.fragile].sum())
        if coverage.communes.fragile is not None
        else None
    )
    nearest = coverage.nearest_km[~np.isinf(coverage.nearest_km)]
    return {
        "distance": distance,
        "threshold": threshold,
        "coverage": coverage,
        "population": int(population),
        "beyond": int(beyond),
        "beyond_share": beyond / population if population else None,
        "fragile_beyond": None if fragile_beyond is None else int(fragile_beyond),
        "fragile_total": None if fragile_total is None else int(fragile_total),
        "white_zones": coverage.white_zones(WHITE_ZONES_SHOWN),
        "white_zone_count": int((~coverage.covered).sum()),
        "median_distance": float(np.median(nearest)) if len(nearest) else None,
        "categories": [
            {"label": label, "median": _median(values), "beyond": int((values > distance).sum())}
            for label, values in coverage.nearest_by_category.items()
        ],
        "densities": selectors.epci_densities(ref) if ref.level != Level.COMMUNE else [],
        "density": selectors.territory_density(ref, str(ref), population),
    }


def _median(values) -> float | None:
    finite = values[~np.isinf(values)]
    return float(np.median(finite)) if len(finite) else None


@access(PUBLIC)
def coverage(request, level, code):
    ref, obj = _territory(level, code)
    run = _run_or_empty(request, ref)
    context = {"ref": ref, "territory": obj, "run": run, **_coverage_context(request, ref, run)}
    return render(request, "diagnosis/coverage.html", context)


@access(PUBLIC)
def coverage_csv(request, level, code):
    ref, _ = _territory(level, code)
    run = _run_or_empty(request, ref)
    distance = _number(request, "distance", selectors.DEFAULT_DISTANCE_KM, 1, 100)
    threshold = _number(request, "seuil", selectors.DEFAULT_THRESHOLD, 1, 10)
    rows = selectors.territory_coverage(ref, distance_km=distance, run=run, threshold=threshold).rows()
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.DictWriter(response, fieldnames=list(rows[0]) if rows else ["code"])
    writer.writeheader()
    writer.writerows(rows)
    response["Content-Disposition"] = f'attachment; filename="couverture-{level}-{code}.csv"'
    return response


def _report_context(request, ref, obj):
    run = _run_or_empty(request, ref)
    context = {
        "ref": ref,
        "territory": obj,
        "run": run,
        "figures": territory_figures(ref),
        "places": place_count_by_dispositif(ref),
        "printed_on": timezone.localdate(),
    }
    if run is not None:
        score = selectors.territory_score(run, ref)
        context.update(score=score, indicators=_indicator_rows(run, score))
        if ref.level != Level.COMMUNE:
            context["map"] = build_map(run, ref, _levels_below(ref)[-1], obj)
    context.update(_coverage_context(request, ref, run))
    activity = []
    for key, source in indicator_sources().items():
        if key.startswith("activity."):
            try:
                value = compute_indicator(key, ref)
            except Exception:  # noqa: BLE001 (another app's source: show what works)
                value = None
            activity.append({"label": source.label, "unit": source.unit, "value": value})
    context["activity"] = activity
    return context


@access(PUBLIC)
def report(request, level, code):
    ref, obj = _territory(level, code)
    return render(request, "diagnosis/report.html", _report_context(request, ref, obj))


@access(PUBLIC)
def report_pdf(request, level, code):
    ref, obj = _territory(level, code)
    context = _report_context(request, ref, obj)
    return pdf_response("diagnosis/report_pdf.html", context, request, f"diagnostic-{level}-{code}.pdf")


@access(COORDINATION)
def variant(request, level, code):
    ref, obj = _territory(level, code)
    run = _run_or_empty(request, ref)
    context = {"ref": ref, "territory": obj, "run": run, "extras": variants.MAILLAGE_INDICATORS}
    if run is None:
        return render(request, "diagnosis/variant.html", context)
    matrix = selectors.commune_matrix(run, ref)
    submitted = "envoyer" in request.GET
    weights = {}
    for key in matrix.indicators:
        kept = (f"garder_{key}" in request.GET) if submitted else True
        weight = _number(request, f"poids_{key}", 1.0, 0, 10)
        weights[key] = weight if kept else 0.0
    extra = {}
    for key in variants.MAILLAGE_INDICATORS:
        if f"ajouter_{key}" in request.GET:
            extra[key] = selectors.maillage_indicator(key, matrix.codes)
            weights[key] = _number(request, f"poids_{key}", 1.0, 0, 10)
    context.update(
        matrix=matrix,
        submitted=submitted,
        weights=weights,
        form_rows=[
            {
                "key": key,
                "label": matrix.labels.get(key, key),
                "kept": weights[key] > 0 or not submitted,
                "weight": weights[key] if weights[key] > 0 else 1.0,
            }
            for key in matrix.indicators
        ],
        added=set(extra),
    )
    if submitted and matrix.codes:
        official = matrix.total()
        variant_total = variants.variant_totals(matrix, weights=weights, extra=extra)
        result = variants.compare(matrix, official, variant_total)
        shapes = charts.geometries(Level.COMMUNE, matrix.codes, within=ref)
        areas = [
            charts.MapArea(
                code=row["code"], label=row["nom"], value=row["difference"], geometry=shapes.get(row["code"])
            )
            for row in result.rows
        ]
        context.update(
            result=result,
            diff_map=charts.difference_map(
                areas, title=f"Écart variante − officiel — {obj.nom}", map_id="carte-ecart"
            ),
        )
    return render(request, "diagnosis/variant.html", context)


@access(COORDINATION)
def sensitivity(request, level, code):
    ref, obj = _territory(level, code)
    run = _run_or_empty(request, ref)
    context = {"ref": ref, "territory": obj, "run": run}
    if run is not None:
        matrix = selectors.commune_matrix(run, ref)
        if matrix.codes:
            context["report"] = variants.sensitivity(matrix)
            context["communes"] = len(matrix.codes)
    return render(request, "diagnosis/sensitivity.html", context)


@access(PUBLIC)
def methods(request):
    presets = [load_method(name) for name in preset_names()]
    return render(request, "diagnosis/methods.html", {"presets": presets, "runs": IndexRun.objects.all()[:50]})


@access(PUBLIC)
def method_yaml(request, key):
    if key not in preset_names():
        raise Http404("Méthode inconnue.")
    response = HttpResponse(preset_path(key).read_text(encoding="utf-8"), content_type="text/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{key}.yaml"'
    return response
