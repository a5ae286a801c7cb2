"""The fast entry form (remembers the last choices in the session), my activities, edit, delete."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone

from maillage.activity import perms, services
from maillage.activity.forms import ActivityForm, initial_from_activity
from maillage.activity.models import Activity, Beneficiary
from maillage.activity.perms import RECORDING_ROLES
from maillage.activity.selectors import activity_figures, raw_figures
from maillage.core.policy import access, any_role
from maillage.core.roles import Role
from maillage.structures.models import Structure
from maillage.structures.perms import structure_ids_of

RECORDERS = any_role(*RECORDING_ROLES)
SESSION_KEY = "activity_last_choices"


def _structures(user):
    return list(Structure.objects.filter(pk__in=structure_ids_of(user, *RECORDING_ROLES)).select_related("commune"))


def _form(request, structures, *, data=None, initial=None, structure=None):
    structure = structure or structures[0]
    if data is not None:
        chosen = next((s for s in structures if str(s.pk) == data.get("structure")), None)
        structure = chosen or structure
    beneficiaries = Beneficiary.objects.filter(structure=structure, anonymised_at__isnull=True)
    if not perms.can_follow_in(request.user, structure):
        beneficiaries = []  # not a member of the structure: names stay hidden (and links unchanged)
    elif beneficiaries.exists():
        # The names listed in the form are a read of personal data: journaled.
        beneficiaries = services.beneficiary_search(actor=request.user, structure=structure, limit=500)
    form = ActivityForm(
        data,
        initial=initial,
        structures=structures,
        places=list(structure.places.all()[:200]),
        beneficiaries=beneficiaries,
    )
    return form, structure


def _save(request, form, structures, activity=None):
    structure = next(s for s in structures if str(s.pk) == form.cleaned_data["structure"])
    followed = list(
        Beneficiary.objects.filter(pk__in=form.followed_ids(), structure=structure, anonymised_at__isnull=True)
    )
    if not perms.can_follow_in(request.user, structure):
        followed = None if activity is not None else []
    values = form.service_values()
    lieu = form.cleaned_data.get("lieu")
    values["place"] = structure.places.filter(pk=lieu).first() if lieu else None
    try:
        if activity is None:
            return services.activity_create(actor=request.user, structure=structure, values=values, followed=followed)
        return services.activity_update(actor=request.user, activity=activity, values=values, followed=followed)
    except ValidationError as error:
        for field, reasons in (error.message_dict if hasattr(error, "error_dict") else {None: error.messages}).items():
            form.add_error(field if field in form.fields else None, reasons)
    return None


@access(RECORDERS)
def record(request):
    structures = _structures(request.user)
    if not structures:
        return render(request, "activity/no_structure.html", status=403)
    remembered = request.session.get(SESSION_KEY, {})
    initial = {
        "type": "individuel",
        "duree": "30",
        "type_lieu": "lieu_activite",
        **{key: value for key, value in remembered.items() if value not in (None, "")},
        "date": timezone.localdate(),
    }
    form, structure = _form(request, structures, data=request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        activity = _save(request, form, structures)
        if activity is not None:
            request.session[SESSION_KEY] = form.remembered()
            count = activity.accompagnements_count
            messages.success(
                request,
                f"{activity.get_type_display()} du {activity.date:%d/%m/%Y} enregistré "
                f"({count} accompagnement{'s' if count > 1 else ''}). Prêt pour le suivant.",
            )
            return redirect("activity:record")
    return render(request, "activity/record.html", {"form": form, "structure": structure, "editing": None})


@access(RECORDERS)
def my_activities(request):
    structures = structure_ids_of(request.user, *RECORDING_ROLES)
    managed = structure_ids_of(request.user, Role.GESTIONNAIRE)
    activities = Activity.objects.live().select_related("structure", "mediateur")
    activities = activities.filter(structure_id__in=managed) | activities.filter(
        mediateur=request.user, structure_id__in=structures
    )
    page = Paginator(activities.order_by("-date", "-id"), 30).get_page(request.GET.get("page"))
    for activity in page.object_list:
        activity.editable = perms.can_edit_activity(request.user, activity)
    today = timezone.localdate()
    start = today.replace(month=1, day=1)
    summaries = [("Mes activités", raw_figures(start=start, end=today, mediateur=request.user, with_days=False))]
    for structure in Structure.objects.filter(pk__in=managed).order_by("nom"):
        summaries.append((structure.nom, activity_figures(start=start, end=today, structure_ids=[structure.pk])))
    dashboards = [("Mes activités", reverse("activity:mediateur_dashboard", args=[request.user.pk]))]
    for structure in Structure.objects.filter(pk__in=structures).order_by("nom"):
        dashboards.append((structure.nom, reverse("activity:structure_dashboard", args=[structure.pk])))
    return render(
        request,
        "activity/my_activities.html",
        {
            "page_obj": page,
            "query_string": "",
            "summaries": summaries,
            "dashboards": dashboards,
            "start": start,
            "end": today,
        },
    )


def _editable(request, pk) -> Activity:
    activity = get_object_or_404(Activity.objects.live().select_related("structure"), pk=pk)
    if not perms.can_edit_activity(request.user, activity):
        raise PermissionDenied
    return activity


@access(RECORDERS)
def edit(request, pk):
    activity = _editable(request, pk)
    structures = [activity.structure]
    followed = list(services.activity_followed(activity))
    form, _ = _form(
        request,
        structures,
        data=request.POST or None,
        initial=initial_from_activity(activity, followed),
        structure=activity.structure,
    )
    if request.method == "POST" and form.is_valid():
        if _save(request, form, structures, activity=activity) is not None:
            messages.success(request, "L'activité est modifiée.")
            return redirect("activity:mine")
    return render(
        request, "activity/record.html", {"form": form, "structure": activity.structure, "editing": activity}
    )


@access(RECORDERS)
def delete(request, pk):
    activity = _editable(request, pk)
    if request.method == "POST":
        services.activity_delete(actor=request.user, activity=activity)
        messages.success(request, "L'activité est supprimée : elle ne compte plus dans les statistiques.")
        return redirect("activity:mine")
    return render(request, "activity/delete_confirm.html", {"activity": activity})
