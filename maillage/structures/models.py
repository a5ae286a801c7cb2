import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone

from maillage.core.models import TimestampedModel
from maillage.core.roles import STRUCTURE_ROLES, TERRITORIAL_ROLES, Role
from maillage.structures.enums import StructureType, TerritoryScope
from maillage.structures.validators import validate_siret
from maillage.territories.models import Commune
from maillage.territories.territory import TerritoryRef


class StructureQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def in_territory(self, ref: TerritoryRef):
        return self.filter(ref.commune_q("commune__"))


class Structure(TimestampedModel):
    """An organisation: association, collectivité, CCAS, France Services, médiathèque…"""

    nom = models.CharField("nom", max_length=200)
    type = models.CharField("type", max_length=20, choices=StructureType.choices, default=StructureType.AUTRE)
    siret = models.CharField("SIRET", max_length=14, blank=True, validators=[validate_siret])
    adresse = models.CharField("adresse", max_length=255, blank=True)
    code_postal = models.CharField("code postal", max_length=5, blank=True)
    commune = models.ForeignKey(Commune, verbose_name="commune", on_delete=models.PROTECT, related_name="+")
    email = models.EmailField("courriel de contact", blank=True)
    telephone = models.CharField("téléphone", max_length=30, blank=True)
    site_web = models.URLField("site web", blank=True)
    is_active = models.BooleanField("active", default=True)

    objects = StructureQuerySet.as_manager()

    class Meta:
        verbose_name = "structure"
        ordering = ["nom", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["siret"], condition=~models.Q(siret=""), name="structures_structure_siret_unique"
            ),
        ]

    def __str__(self):
        return self.nom


class MembershipQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Membership(TimestampedModel):
    """A role held by a user: in one structure, or over a territory (coordinateur, observateur).

    A territorial membership may also name the structure the person works for (the conseil
    départemental for its coordinateur).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    structure = models.ForeignKey(
        Structure,
        verbose_name="structure",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memberships",
    )
    territory_level = models.CharField(
        "niveau du territoire", max_length=12, choices=TerritoryScope.choices, blank=True
    )
    territory_code = models.CharField("code du territoire", max_length=9, blank=True)
    is_active = models.BooleanField("actif", default=True)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="invité par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = "rôle"
        verbose_name_plural = "rôles"
        ordering = ["role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(role__in=sorted(STRUCTURE_ROLES), structure__isnull=False, territory_code="")
                    | models.Q(role__in=sorted(TERRITORIAL_ROLES), territory_level__in=TerritoryScope.values)
                    & ~models.Q(territory_code="")
                ),
                name="structures_membership_scope_matches_role",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "structure"],
                condition=models.Q(structure__isnull=False, territory_code=""),
                name="structures_membership_unique_in_structure",
            ),
            models.UniqueConstraint(
                fields=["user", "role", "territory_level", "territory_code"],
                condition=~models.Q(territory_code=""),
                name="structures_membership_unique_in_territory",
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.scope_label}"

    @property
    def territory(self) -> TerritoryRef | None:
        return TerritoryRef(self.territory_level, self.territory_code) if self.territory_code else None

    @property
    def scope_label(self) -> str:
        if self.territory_code:
            return f"{self.get_territory_level_display()} {self.territory_code}"
        return str(self.structure)


class Invitation(TimestampedModel):
    """An invitation to join a structure (or a territory) with a role, sent by e-mail.

    Only a hash of the token is stored: the link in the e-mail is the only copy of the secret.
    """

    email = models.EmailField("adresse électronique")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, null=True, blank=True, related_name="invitations"
    )
    territory_level = models.CharField(
        "niveau du territoire", max_length=12, choices=TerritoryScope.choices, blank=True
    )
    territory_code = models.CharField("code du territoire", max_length=9, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    expires_at = models.DateTimeField("expire le")
    accepted_at = models.DateTimeField("acceptée le", null=True, blank=True)
    cancelled_at = models.DateTimeField("annulée le", null=True, blank=True)

    class Meta:
        verbose_name = "invitation"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} ({self.get_role_display()})"

    @staticmethod
    def hash_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_pending(self) -> bool:
        return self.accepted_at is None and self.cancelled_at is None and self.expires_at > timezone.now()
