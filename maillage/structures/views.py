from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from maillage.core.panels import structure_panels
from maillage.core.policy import PUBLIC, access, any_role
from maillage.core.roles import Role
from maillage.structures import perms, selectors, services
from maillage.structures.forms import InvitationAcceptForm, InvitationForm, StructureFilterForm, StructureForm
from maillage.structures.models import Invitation, Membership
from maillage.territories.territory import TerritoryRef

ANY_ROLE = any_role(*Role)
MANAGERS = any_role(Role.COORDINATEUR, Role.GESTIONNAIRE)
PAGE_SIZE = 30


def _accept_url_builder(request):
    return lambda token: request.build_absolute_uri(reverse("structures:invitation_accept", args=[token]))


def _apply_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error.messages)


@access(ANY_ROLE)
def structure_list(request):
    form = StructureFilterForm(request.GET or None)
    structures = selectors.structures_visible_to(request.user)
    if form.is_valid():
        structures = form.filter(structures)
    page = Paginator(structures.order_by("nom", "id"), PAGE_SIZE).get_page(request.GET.get("page"))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "structures/list.html",
        {
            "form": form,
            "page_obj": page,
            "can_create": perms.can_create_structure(request.user),
            "query_string": params.urlencode() + "&" if params else "",
        },
    )


@access(any_role(Role.COORDINATEUR))
def structure_create(request):
    form = StructureForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            structure, created = services.structure_create(actor=request.user, **data)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            if created:
                messages.success(request, f"La structure « {structure.nom} » a été créée.")
            else:
                messages.info(request, f"Une structure a déjà ce SIRET : « {structure.nom} ».")
            return redirect("structures:detail", pk=structure.pk)
    return render(request, "structures/form.html", {"form": form, "title": "Déclarer une structure"})


@access(ANY_ROLE)
def structure_detail(request, pk):
    structure = selectors.get_structure_for_user(request.user, pk)
    can_manage = perms.can_manage_structure(request.user, structure)
    members = (
        structure.memberships.filter(is_active=True).select_related("user").order_by("role", "user__email")
        if perms.can_view_members(request.user, structure)
        else None
    )
    invitations = [i for i in structure.invitations.order_by("-created_at") if i.is_pending] if can_manage else []
    return render(
        request,
        "structures/detail.html",
        {
            "structure": structure,
            "can_manage": can_manage,
            "members": members,
            "invitations": invitations,
            "panels": structure_panels(request, structure),
        },
    )


@access(MANAGERS)
def structure_update(request, pk):
    structure = selectors.get_structure_for_user(request.user, pk)
    if not perms.can_manage_structure(request.user, structure):
        raise PermissionDenied
    form = StructureForm(request.POST or None, instance=structure)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            services.structure_update(actor=request.user, structure=structure, **changes)
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, "Les modifications ont été enregistrées.")
            return redirect("structures:detail", pk=structure.pk)
    return render(
        request, "structures/form.html", {"form": form, "structure": structure, "title": f"Modifier {structure}"}
    )


@access(MANAGERS)
def member_invite(request, pk):
    structure = selectors.get_structure_for_user(request.user, pk)
    if not perms.can_manage_structure(request.user, structure):
        raise PermissionDenied
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _ = services.invitation_send(
                actor=request.user,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                structure=structure,
                accept_url_builder=_accept_url_builder(request),
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Invitation envoyée à {invitation.email}.")
            return redirect("structures:detail", pk=structure.pk)
    return render(request, "structures/invite.html", {"form": form, "structure": structure})


@access(any_role(Role.COORDINATEUR))
def territory_invite(request):
    territories = perms.territories_of(request.user, Role.COORDINATEUR)
    if not territories:
        raise PermissionDenied
    form = InvitationForm(request.POST or None, territorial=True)
    if request.method == "POST" and form.is_valid():
        territory = territories[0]
        services.invitation_send(
            actor=request.user,
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            territory=territory,
            accept_url_builder=_accept_url_builder(request),
        )
        messages.success(request, f"Invitation envoyée à {form.cleaned_data['email']}.")
        return redirect("users:account")
    return render(request, "structures/invite.html", {"form": form, "territory": territories[0]})


@access(MANAGERS)
def member_revoke(request, pk, membership_pk):
    structure = selectors.get_structure_for_user(request.user, pk)
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_pk, structure=structure)
    if not services.can_manage_membership(request.user, membership):
        raise PermissionDenied
    error = None
    if request.method == "POST":
        try:
            services.membership_revoke(actor=request.user, membership=membership)
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, f"{membership.user} n'a plus le rôle {membership.get_role_display()}.")
            return redirect("structures:detail", pk=structure.pk)
    return render(
        request, "structures/revoke_confirm.html", {"structure": structure, "membership": membership, "error": error}
    )


@access(MANAGERS)
def invitation_cancel(request, pk, invitation_pk):
    structure = selectors.get_structure_for_user(request.user, pk)
    invitation = get_object_or_404(Invitation, pk=invitation_pk, structure=structure)
    if request.method == "POST":
        services.invitation_cancel(actor=request.user, invitation=invitation)
        messages.success(request, f"L'invitation de {invitation.email} est annulée.")
    return redirect("structures:detail", pk=structure.pk)


@access(PUBLIC)
def invitation_accept(request, token):
    invitation = services.invitation_for_token(token)
    if invitation is None or not invitation.is_pending:
        return render(request, "structures/invitation_invalid.html", status=410 if invitation else 404)
    signed_in = request.user.is_authenticated
    form = None if signed_in else InvitationAcceptForm(request.POST or None)
    error = None
    if request.method == "POST" and (signed_in or form.is_valid()):
        try:
            if signed_in:
                services.invitation_accept(invitation=invitation, user=request.user)
            else:
                membership = services.invitation_accept(
                    invitation=invitation,
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    password=form.cleaned_data["password1"],
                )
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
        except ValidationError as exc:
            if form is not None:
                _apply_errors(form, exc)
            else:
                error = " ".join(exc.messages)
        else:
            messages.success(request, "Bienvenue ! Votre rôle est actif.")
            return redirect("users:account")
    territory = (
        TerritoryRef(invitation.territory_level, invitation.territory_code) if invitation.territory_code else None
    )
    return render(
        request,
        "structures/invitation_accept.html",
        {"invitation": invitation, "form": form, "error": error, "territory": territory},
    )
