"""Numéro vert: one keyboard-first screen to answer a call and record it anonymously."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils import timezone

from maillage.core.policy import access, any_role
from maillage.core.roles import Role
from maillage.places import perms, presentation, services
from maillage.places.enums import CallOutcome
from maillage.places.forms import CallForm, OperatorForm
from maillage.places.models import PhoneCall, Place
from maillage.places.search import get_index
from maillage.structures.perms import territories_of
from maillage.territories.models import Commune
from maillage.territories.search import search_communes

OPERATORS = any_role(Role.COORDINATEUR, Role.GESTIONNAIRE, Role.MEDIATEUR, Role.AIDANT)
BEST = 3
RADIUS_KM = 60


@access(OPERATORS)
def operator(request):
    form = OperatorForm(request.GET or None)
    context = {"form": form}
    if form.is_valid():
        communes = search_communes(form.cleaned_data["ou"], limit=4)
        commune = communes[0] if communes else None
        context.update(commune=commune, alternatives=communes[1:])
        if commune is not None and commune.latitude is not None:
            filters = {}
            if form.cleaned_data["besoin"]:
                filters["services"] = [form.cleaned_data["besoin"]]
            if form.cleaned_data["gratuit"]:
                filters["frais"] = ["Gratuit"]
            if form.cleaned_data["accessibilite"]:
                filters["accessibilite"] = [form.cleaned_data["accessibilite"]]
            now = timezone.now()
            found = get_index().nearest(commune.latitude, commune.longitude, k=BEST, filters=filters, max_km=RADIUS_KM)
            places = Place.objects.in_bulk([item.id for item in found])
            context["results"] = [
                {
                    "place": places[item.id],
                    "km": item.km,
                    "summary": presentation.summary_to_read(places[item.id], item.km, now=now),
                }
                for item in found
                if item.id in places
            ]
            context["call_form"] = CallForm(initial={"commune": commune.code, "besoin": form.cleaned_data["besoin"]})
    return render(request, "places/operator.html", context)


@access(OPERATORS)
def operator_record(request):
    """POST: record the call (commune, need, outcome, place given) — nothing about the caller."""
    if request.method != "POST":
        return redirect("places:operator")
    form = CallForm(request.POST)
    if not form.is_valid():
        if "issue" in form.errors:
            messages.error(request, "Choisissez l'issue de l'appel avant de l'enregistrer.")
        else:
            problems = ", ".join(f"{error}" for errors in form.errors.values() for error in errors)
            messages.error(request, f"Appel non enregistré ({problems}) : refaites la recherche.")
        return redirect("places:operator")
    commune = Commune.objects.filter(code=form.cleaned_data["commune"]).first()
    place_ids = [form.cleaned_data["lieu"]] if form.cleaned_data.get("lieu") else []
    services.phone_call_record(
        actor=request.user,
        commune=commune,
        need=form.cleaned_data["besoin"],
        outcome=form.cleaned_data["issue"],
        places=Place.objects.filter(pk__in=place_ids),
    )
    messages.success(request, "Appel enregistré. Prêt pour l'appel suivant.")
    return redirect("places:operator")


@access(any_role(Role.COORDINATEUR, Role.OBSERVATEUR))
def operator_statistics(request):
    """Aggregated calls of the user's territories (every call for administrators): by outcome, need
    and commune (no personal data exists)."""
    calls = PhoneCall.objects.all()
    if not request.user.is_superuser:
        territories = territories_of(request.user, Role.COORDINATEUR, Role.OBSERVATEUR)
        calls = calls.filter(perms.territories_q(territories))
    outcomes = dict(CallOutcome.choices)
    return render(
        request,
        "places/operator_statistics.html",
        {
            "total": calls.count(),
            "by_outcome": [
                (outcomes.get(row["outcome"], row["outcome"]), row["total"])
                for row in calls.values("outcome").annotate(total=Count("id")).order_by("-total")
            ],
            "by_need": list(calls.values("need").annotate(total=Count("id")).order_by("-total")[:20]),
            "by_commune": list(
                calls.values("commune__nom", "commune_id").annotate(total=Count("id")).order_by("-total")[:20]
            ),
        },
    )
