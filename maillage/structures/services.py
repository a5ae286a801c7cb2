"""Structures, memberships and invitations: every write goes through here (validated, journaled)."""

import secrets
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from maillage.core import audit
from maillage.core.roles import STRUCTURE_ROLES, TERRITORIAL_ROLES, Role
from maillage.structures import perms
from maillage.structures.enums import AuditAction, StructureType
from maillage.structures.models import Invitation, Membership, Structure
from maillage.territories.enums import Level
from maillage.territories.models import Commune
from maillage.territories.territory import TerritoryRef
from maillage.users.services import user_get_or_create

STRUCTURE_FIELDS = ("nom", "type", "siret", "adresse", "code_postal", "email", "telephone", "site_web", "is_active")
TERRITORY_SCOPES = (Level.DEPARTEMENT, Level.EPCI)


def structure_create(
    *, actor, nom: str, commune: Commune, siret: str = "", type: str = StructureType.AUTRE, **fields
) -> tuple[Structure, bool]:
    """Create a structure, or return the one that already has this SIRET (idempotent by SIRET)."""
    siret = (siret or "").replace(" ", "")
    if siret:
        existing = Structure.objects.filter(siret=siret).first()
        if existing is not None:
            return existing, False
    if actor is not None and not perms.can_create_structure(actor, commune):
        raise PermissionDenied("Vous ne pouvez déclarer une structure que dans votre territoire.")
    structure = Structure(nom=nom.strip(), commune=commune, siret=siret, type=type, **fields)
    structure.full_clean()
    with transaction.atomic():
        structure.save()
        audit.record(actor=actor, action=AuditAction.STRUCTURE_CREATED, obj=structure, structure=structure)
    return structure, True


def structure_update(*, actor, structure: Structure, **changes) -> Structure:
    """Apply `changes`; the journal keeps each changed field's old and new values."""
    if not perms.can_manage_structure(actor, structure):
        raise PermissionDenied
    before = {name: getattr(structure, name) for name in changes}
    for name, value in changes.items():
        setattr(structure, name, value)
    structure.full_clean()
    diff = {
        name: [str(before[name]), str(getattr(structure, name))]
        for name in changes
        if before[name] != getattr(structure, name)
    }
    if not diff:
        return structure
    with transaction.atomic():
        structure.save()
        audit.record(
            actor=actor,
            action=AuditAction.STRUCTURE_UPDATED,
            obj=structure,
            structure=structure,
            payload={"changes": diff},
        )
    return structure


def _check_scope(role: str, structure: Structure | None, territory: TerritoryRef | None) -> None:
    if role not in Role.values:
        raise ValidationError(f"Rôle inconnu : {role}. Rôles possibles : {', '.join(Role.values)}.")
    if role in STRUCTURE_ROLES and structure is None:
        raise ValidationError(f"Le rôle {role} s'exerce dans une structure : indiquez-la.")
    if role in TERRITORIAL_ROLES:
        if territory is None:
            raise ValidationError(f"Le rôle {role} s'exerce sur un territoire (département ou EPCI) : indiquez-le.")
        if territory.level not in TERRITORY_SCOPES:
            raise ValidationError("Un territoire de rôle est un département ou un EPCI.")
        if not territory.exists():
            raise ValidationError(f"Territoire inconnu : {territory}.")


def membership_grant(
    *, actor, user, role: str, structure: Structure | None = None, territory: TerritoryRef | None = None
) -> tuple[Membership, bool]:
    """Give `user` a role in a structure or over a territory (idempotent; reactivates a revoked one).

    A territorial role given with only a structure is scoped to the structure's département.
    """
    if role in TERRITORIAL_ROLES and territory is None and structure is not None:
        territory = structure.commune.departement.ref
    _check_scope(role, structure, territory)
    scope = (
        {"territory_level": territory.level, "territory_code": territory.code}
        if role in TERRITORIAL_ROLES
        else {"territory_level": "", "territory_code": ""}
    )
    lookup = {"user": user, "role": role, **scope}
    if role in STRUCTURE_ROLES:
        lookup["structure"] = structure
    with transaction.atomic():
        membership = Membership.objects.select_for_update(of=("self",)).filter(**lookup).first()
        created = membership is None
        if created:
            membership = Membership(**{"structure": structure, **lookup}, invited_by=actor)
            membership.full_clean()
            membership.save()
        elif not membership.is_active:
            membership.is_active = True
            membership.save(update_fields=["is_active", "updated_at"])
        else:
            return membership, False
        audit.record(
            actor=actor,
            action=AuditAction.MEMBERSHIP_CREATED,
            obj=membership,
            structure=structure,
            departement=territory.code if territory and territory.level == Level.DEPARTEMENT else "",
            epci=territory.code if territory and territory.level == Level.EPCI else "",
            payload={"user": user.email, "role": role},
            personal_data=True,
        )
    return membership, created


def can_manage_membership(actor, membership: Membership) -> bool:
    if membership.territory is not None:
        return perms.can_invite_to_territory(actor, membership.territory)
    return perms.can_manage_structure(actor, membership.structure)


def membership_revoke(*, actor, membership: Membership) -> Membership:
    if not can_manage_membership(actor, membership):
        raise PermissionDenied
    if membership.user_id == actor.pk and membership.role in (Role.GESTIONNAIRE, Role.COORDINATEUR):
        raise ValidationError("Vous ne pouvez pas retirer votre propre rôle de gestion : demandez-le à un autre.")
    with transaction.atomic():
        membership.is_active = False
        membership.save(update_fields=["is_active", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.MEMBERSHIP_REVOKED,
            obj=membership,
            structure=membership.structure,
            payload={"user": membership.user.email, "role": membership.role},
            personal_data=True,
        )
    return membership


def invitation_send(
    *,
    actor,
    email: str,
    role: str,
    structure: Structure | None = None,
    territory: TerritoryRef | None = None,
    accept_url_builder=None,
) -> tuple[Invitation, str]:
    """Invite `email` to a structure or a territory; returns the invitation and its secret token.

    `accept_url_builder(token)` gives the absolute link put in the e-mail.
    """
    _check_scope(role, structure, territory)
    if role in STRUCTURE_ROLES and not perms.can_manage_structure(actor, structure):
        raise PermissionDenied("Seuls les gestionnaires de la structure et les coordinateurs invitent ses membres.")
    if role in TERRITORIAL_ROLES and not perms.can_invite_to_territory(actor, territory):
        raise PermissionDenied("Seuls les coordinateurs du territoire y invitent coordinateurs et observateurs.")
    token = secrets.token_urlsafe(32)
    invitation = Invitation(
        email=email.strip().lower(),
        role=role,
        structure=structure if role in STRUCTURE_ROLES else None,
        territory_level=territory.level if role in TERRITORIAL_ROLES else "",
        territory_code=territory.code if role in TERRITORIAL_ROLES else "",
        token_hash=Invitation.hash_token(token),
        invited_by=actor,
        expires_at=timezone.now() + timedelta(days=settings.MAILLAGE_INVITATION_DAYS),
    )
    invitation.full_clean()
    with transaction.atomic():
        invitation.save()
        audit.record(
            actor=actor,
            action=AuditAction.INVITATION_SENT,
            obj=invitation,
            structure=invitation.structure,
            departement=invitation.territory_code if invitation.territory_level == Level.DEPARTEMENT else "",
            epci=invitation.territory_code if invitation.territory_level == Level.EPCI else "",
            payload={"email": invitation.email, "role": role},
            personal_data=True,
        )
        link = accept_url_builder(token) if accept_url_builder else token
        context = {"invitation": invitation, "link": link, "platform_name": settings.MAILLAGE_SITE_NAME}
        transaction.on_commit(
            lambda: send_mail(
                subject=f"Invitation à rejoindre {settings.MAILLAGE_SITE_NAME}",
                message=render_to_string("structures/emails/invitation.txt", context),
                from_email=None,
                recipient_list=[invitation.email],
            )
        )
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("structure", "invited_by")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )


def invitation_accept(
    *, invitation: Invitation, user=None, first_name: str = "", last_name: str = "", password: str = ""
) -> Membership:
    """Accept a pending invitation: create the account if needed, then grant the role."""
    if not invitation.is_pending:
        raise ValidationError("Cette invitation n'est plus valable (déjà acceptée, annulée ou expirée).")
    if user is not None and user.email.lower() != invitation.email:
        raise ValidationError("Cette invitation a été envoyée à une autre adresse électronique.")
    with transaction.atomic():
        if user is None:
            user, created = user_get_or_create(
                actor=invitation.invited_by,
                email=invitation.email,
                first_name=first_name,
                last_name=last_name,
                password=password,
            )
            if not created:
                raise ValidationError("Un compte existe déjà pour cette adresse : connectez-vous pour accepter.")
        membership, _ = membership_grant(
            actor=invitation.invited_by,
            user=user,
            role=invitation.role,
            structure=invitation.structure,
            territory=TerritoryRef(invitation.territory_level, invitation.territory_code)
            if invitation.territory_code
            else None,
        )
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at", "updated_at"])
        audit.record(
            actor=user,
            action=AuditAction.INVITATION_ACCEPTED,
            obj=invitation,
            structure=invitation.structure,
            on_behalf_of=None,
            payload={"role": invitation.role},
        )
    return membership


def invitation_cancel(*, actor, invitation: Invitation) -> Invitation:
    allowed = (
        perms.can_manage_structure(actor, invitation.structure)
        if invitation.structure_id
        else perms.can_invite_to_territory(actor, TerritoryRef(invitation.territory_level, invitation.territory_code))
    )
    if not allowed:
        raise PermissionDenied
    with transaction.atomic():
        invitation.cancelled_at = timezone.now()
        invitation.save(update_fields=["cancelled_at", "updated_at"])
        audit.record(
            actor=actor,
            action=AuditAction.INVITATION_CANCELLED,
            obj=invitation,
            structure=invitation.structure,
            payload={"email": invitation.email},
        )
    return invitation
