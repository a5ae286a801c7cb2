"""The statistics dashboard and its exports: aggregates only (public), secret statistique applied."""

import csv
import datetime as dt
import io

import openpyxl
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from maillage.activity.charts import bar_chart
from maillage.activity.enums import DUREE_BUCKETS, Autonomie, Thematique, TypeLieu
from maillage.activity.publics import GROUPS, group_label
from maillage.activity.schemes import scheme_table
from maillage.activity.scopes import TERRITOIRE, mediateur_scope, structure_scope, territory_scope
from maillage.core.pdf import render_pdf
from maillage.core.policy import AUTHENTICATED, PUBLIC, access
from maillage.territories.models import Departement
from maillage.territories.territory import TerritoryRef

MONTHS = ["janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc."]
KEY_FIGURES = [
    ("accompagnements", "Accompagnements"),
    ("beneficiaires", "Bénéficiaires accompagnés"),
    ("activites_individuelles", "Accompagnements individuels (activités)"),
    ("activites_collectives", "Ateliers collectifs"),
    ("participants_ateliers", "Participants aux ateliers"),
    ("beneficiaires_suivis", "Bénéficiaires suivis"),
    ("orientes", "Accompagnements avec orientation"),
    ("accompagnements_par_jour_par_structure", "Accompagnements par jour et par structure"),
]


def _date(value: str | None):
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _default_territory(user) -> str:
    from maillage.structures.perms import territories_of

    mine = territories_of(user)
    if not mine and getattr(user, "is_authenticated", False):
        from maillage.core.roles import Role

        mine = territories_of(user, Role.COORDINATEUR, Role.OBSERVATEUR)
    if mine:
        return str(mine[0])
    first = Departement.objects.filter(code="28").first() or Departement.objects.order_by("code").first()
    return f"departement:{first.code}" if first else ""


def _ref(value: str):
    try:
        ref = TerritoryRef.parse(value)
    except ValidationError:
        return None
    return ref if ref.exists() else None


def _period(request):
    end = _date(request.GET.get("au")) or timezone.localdate()
    start = _date(request.GET.get("du")) or end.replace(month=1, day=1)
    return (end, start) if start > end else (start, end)


def _publics_charts(publics, compared=None) -> list:
    compared = compared or {}
    return [
        bar_chart(
            f"publics-{group}",
            f"{group_label(group)} des bénéficiaires (accompagnements)",
            [(value, label, publics[group][value]) for value, label in GROUPS[group][0].choices],
            compared=compared.get(group),
        )
        for group in GROUPS
    ]


def dashboard_context(request, scope=None) -> dict:
    """The dashboard of a territory (from the query string), or of a structure or médiateur scope."""
    start, end = _period(request)
    if scope is None:
        ref = _ref(request.GET.get("territoire") or _default_territory(request.user))
        if ref is None:
            raise Http404("Territoire inconnu.")
        scope = territory_scope(request.user, ref)
    figures, masked = scope.figures(start, end)
    publics, publics_masked = scope.publics(start, end)
    masked += publics_masked
    comparison = None
    territorial = scope.kind == TERRITOIRE
    compare_ref = None
    if territorial and request.GET.get("comparer_territoire"):
        compare_ref = _ref(request.GET["comparer_territoire"])
    compare_start = _date(request.GET.get("comparer_du"))
    compare_end = _date(request.GET.get("comparer_au"))
    compared_publics = None
    if compare_ref or (compare_start and compare_end):
        other_scope = territory_scope(request.user, compare_ref) if compare_ref else scope
        other_start, other_end = (compare_start, compare_end) if compare_start and compare_end else (start, end)
        other, other_masked = other_scope.figures(other_start, other_end)
        compared_publics, other_publics_masked = other_scope.publics(other_start, other_end)
        comparison = {
            "label": f"{other_scope.label} du {other_start:%d/%m/%Y} au {other_end:%d/%m/%Y}",
            "figures": other,
        }
        masked += other_masked + other_publics_masked
    compared = (comparison or {}).get("figures") or {}
    thematiques = dict(Thematique.choices)
    charts = [
        bar_chart(
            "mois",
            "Accompagnements par mois",
            [(month, f"{MONTHS[month.month - 1]} {month.year}", value) for month, value in scope.monthly(start, end)],
        ),
        bar_chart(
            "thematiques",
            "Thématiques des accompagnements",
            [(key, thematiques[key], value) for key, value in figures["thematiques"].items() if value != 0],
            compared=compared.get("thematiques"),
        ),
        bar_chart(
            "canaux",
            "Canaux des accompagnements",
            [(key, TypeLieu(key).label, value) for key, value in figures["canaux"].items()],
            compared=compared.get("canaux"),
        ),
        bar_chart(
            "durees",
            "Durée des accompagnements",
            [(key, label, figures["durees"][key]) for key, _, _, label in DUREE_BUCKETS],
            compared=compared.get("durees"),
        ),
        bar_chart(
            "autonomie",
            "Autonomie des bénéficiaires (accompagnements individuels)",
            [(key, Autonomie(key).label, value) for key, value in figures["autonomie"].items()],
            compared=compared.get("autonomie"),
        ),
    ]
    return {
        "scope": scope,
        "ref": scope.ref,
        "territory": scope.label,
        "start": start,
        "end": end,
        "figures": figures,
        "publics": publics,
        "key_figures": [(key, label, figures.get(key), compared.get(key)) for key, label in KEY_FIGURES],
        "masked": masked,
        "comparison": comparison,
        "charts": charts,
        "publics_charts": _publics_charts(publics, compared_publics),
        "schemes": scheme_table(scope.ref) if territorial else None,
        "query": request.GET.urlencode(),
        "exports": _export_links(scope, request.GET.urlencode()),
        "form": {
            "territoire": str(scope.ref) if territorial else "",
            "du": start.isoformat(),
            "au": end.isoformat(),
            "comparer_territoire": request.GET.get("comparer_territoire", "") if territorial else "",
            "comparer_du": request.GET.get("comparer_du", ""),
            "comparer_au": request.GET.get("comparer_au", ""),
        },
    }


def _export_links(scope, query: str) -> list[tuple[str, str]]:
    """(label, URL) of the CSV, XLSX and PDF exports of the scope and period shown."""
    links = []
    for fmt in ("csv", "xlsx", "pdf"):
        if scope.kind == TERRITOIRE:
            url = reverse("activity:export", args=[fmt])
        else:
            url = reverse(f"activity:{scope.kind}_export", args=[scope.obj.pk, fmt])
        links.append((fmt.upper(), f"{url}?{query}" if query else url))
    return links


@access(PUBLIC)
def dashboard(request):
    return render(request, "activity/dashboard.html", dashboard_context(request))


@access(AUTHENTICATED)
def structure_dashboard(request, pk):
    """A structure's statistics: its members, the coordinateurs of its territory (else 404)."""
    return render(request, "activity/dashboard.html", dashboard_context(request, structure_scope(request.user, pk)))


@access(AUTHENTICATED)
def mediateur_dashboard(request, pk):
    """A médiateur's statistics: himself, the coordinateurs of his territory (else 404)."""
    return render(request, "activity/dashboard.html", dashboard_context(request, mediateur_scope(request.user, pk)))


def _export_rows(context) -> list[list]:
    rows = [["indicateur", "valeur", "comparaison"]]
    for _key, label, value, other in context["key_figures"]:
        rows.append([label, "" if value is None else value, "" if other is None else other])
    for chart in [*context["charts"], *context["publics_charts"]]:
        for label, value, other in chart.rows:
            rows.append([f"{chart.title} — {label}", "" if value is None else value, "" if other is None else other])
    for scheme in context["schemes"] or []:
        rows.append([f"{scheme['label']} ({scheme['period']})", scheme["value"], ""])
    return rows


@access(PUBLIC)
def export(request, fmt):
    return _export(request, fmt, dashboard_context(request))


@access(AUTHENTICATED)
def structure_export(request, pk, fmt):
    return _export(request, fmt, dashboard_context(request, structure_scope(request.user, pk)))


@access(AUTHENTICATED)
def mediateur_export(request, pk, fmt):
    return _export(request, fmt, dashboard_context(request, mediateur_scope(request.user, pk)))


def _export(request, fmt, context):
    name = f"activite-{context['scope'].slug}-{context['start']}-{context['end']}"
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(_export_rows(context))
        response = HttpResponse(buffer.getvalue().encode("utf-8-sig"), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        workbook = openpyxl.Workbook()
        sheet = workbook.active
        sheet.title = "activite"
        for row in _export_rows(context):
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        response = HttpResponse(
            buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    elif fmt == "pdf":
        response = HttpResponse(
            render_pdf("activity/dashboard_pdf.html", context, request), content_type="application/pdf"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response
