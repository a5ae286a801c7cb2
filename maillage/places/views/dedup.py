"""Reviewing duplicates (coordinateurs): pairs with explained scores, field-by-field merges, history
of merges with exact undo. Scoring lives in dedup.py; writes in services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from maillage.core.policy import access, any_role
from maillage.core.roles import Role
from maillage.places import dedup, perms, services
from maillage.places.enums import DuplicateStatus
from maillage.places.forms import DuplicateDismissForm
from maillage.places.models import DuplicateCandidate, PlaceMerge
from maillage.places.presentation import merge_rows
from maillage.structures.perms import territories_of

COORDINATORS = any_role(Role.COORDINATEUR)
STATUS_TABS = [(status.value, status.label) for status in DuplicateStatus]


def _require_reviewer(user):
    if not perms.can_review_duplicates(user):
        raise PermissionDenied


def _visible(user, prefix_pairs: tuple[str, ...]) -> Q | None:
    """Pairs (or merges) whose places all lie in the user's territories (None: everything)."""
    if user.is_superuser:
        return None
    query = Q(pk__in=[])
    for territory in territories_of(user, Role.COORDINATEUR):
        both = Q()
        for prefix in prefix_pairs:
            both &= territory.commune_q(prefix)
        query |= both
    return query


def _pairs_for(user):
    pairs = DuplicateCandidate.objects.select_related("first", "second")
    visible = _visible(user, ("first__commune__", "second__commune__"))
    return pairs if visible is None else pairs.filter(visible)


@access(COORDINATORS)
def duplicate_list(request):
    _require_reviewer(request.user)
    if request.method == "POST":
        territories = territories_of(request.user, Role.COORDINATEUR)
        summaries = [
            services.duplicates_refresh(actor=request.user, territory=territory)
            for territory in (territories or [None])
        ]
        found, new = sum(s["found"] for s in summaries), sum(s["new"] for s in summaries)
        messages.success(request, f"Recherche terminée : {found} paire(s) au-dessus du seuil, dont {new} nouvelle(s).")
        return redirect("places:duplicates")
    status = request.GET.get("etat") or DuplicateStatus.PENDING
    if status not in DuplicateStatus.values:
        status = DuplicateStatus.PENDING
    pairs = _pairs_for(request.user).filter(status=status)
    if status == DuplicateStatus.PENDING:
        pairs = pairs.filter(first__merged_into__isnull=True, second__merged_into__isnull=True)
    page = Paginator(pairs.order_by("-score", "id"), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "places/duplicates.html",
        {
            "page_obj": page,
            "status": status,
            "tabs": STATUS_TABS,
            "threshold": dedup.config()["threshold"],
            "query_string": f"etat={status}&",
            "criteria_labels": dedup.CRITERION_LABELS,
        },
    )


@access(COORDINATORS)
def duplicate_detail(request, pk):
    _require_reviewer(request.user)
    pair = get_object_or_404(_pairs_for(request.user), pk=pk)
    places = [pair.first, pair.second]
    if not perms.can_merge_places(request.user, places):
        raise PermissionDenied
    defaults = dedup.default_choices(places)
    kept_default = str(sorted(places, key=dedup.priority_key)[0].pk)
    errors = []
    if request.method == "POST" and pair.status == DuplicateStatus.PENDING:
        kept_pk = request.POST.get("conserve", kept_default)
        by_pk = {str(place.pk): place for place in places}
        if kept_pk not in by_pk:
            errors.append("Choisissez le lieu conservé.")
        else:
            choices = {item: request.POST.get(f"choix-{item}", defaults[item]) for item in dedup.MERGE_ITEMS}
            kept = by_pk[kept_pk]
            other = next(place for pk, place in by_pk.items() if pk != kept_pk)
            try:
                merge = services.places_merge(
                    actor=request.user, kept=kept, others=[other], choices=choices, candidate=pair
                )
            except ValidationError as error:
                errors += error.messages
            else:
                messages.success(
                    request,
                    f"« {other.nom} » est fusionné dans « {merge.kept.nom} ». "
                    "Le lieu fusionné est conservé (non publié) ; la fusion peut être annulée.",
                )
                return redirect("places:merges")
    return render(
        request,
        "places/duplicate_detail.html",
        {
            "pair": pair,
            "places": places,
            "rows": merge_rows(places, defaults),
            "kept_default": kept_default,
            "errors": errors,
            "dismiss_form": DuplicateDismissForm(),
            "criteria": pair.details.get("criteria", {}),
        },
    )


@access(COORDINATORS)
@require_POST
def duplicate_dismiss(request, pk):
    _require_reviewer(request.user)
    pair = get_object_or_404(_pairs_for(request.user), pk=pk)
    form = DuplicateDismissForm(request.POST)
    reopen = request.POST.get("action") == "reouvrir"
    if not reopen and not form.is_valid():
        messages.error(
            request, "La paire n'est pas écartée : " + " ".join(e for errs in form.errors.values() for e in errs)
        )
        return redirect("places:duplicate_detail", pk=pk)
    try:
        if reopen:
            services.duplicate_reopen(actor=request.user, candidate=pair)
        else:
            services.duplicate_dismiss(actor=request.user, candidate=pair, reason=form.cleaned_data["motif"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if reopen:
            messages.success(request, "La paire est proposée à nouveau.")
        else:
            messages.success(request, "Paire écartée : elle ne sera plus proposée (décision réversible).")
    return redirect("places:duplicates")


@access(COORDINATORS)
def merge_list(request):
    _require_reviewer(request.user)
    merges = PlaceMerge.objects.select_related("kept", "actor", "undone_by").prefetch_related("merged")
    visible = _visible(request.user, ("kept__commune__",))
    if visible is not None:
        merges = merges.filter(visible)
    page = Paginator(merges, 20).get_page(request.GET.get("page"))
    for merge in page.object_list:
        merge.undo_refusal = services.merge_undo_refusal(merge) if merge.undone_at is None else ""
    return render(request, "places/merges.html", {"page_obj": page, "query_string": ""})


@access(COORDINATORS)
@require_POST
def merge_undo(request, pk):
    _require_reviewer(request.user)
    merge = get_object_or_404(PlaceMerge, pk=pk)
    try:
        services.place_merge_undo(actor=request.user, merge=merge)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Fusion annulée : « {merge.kept.nom} » et les lieux fusionnés sont rétablis.")
    return redirect("places:merges")
