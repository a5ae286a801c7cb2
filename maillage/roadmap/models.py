"""Feuille de route: roadmap → axes → objective groups → actions, indicators, gouvernance, financing."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone

from maillage.core.models import TimestampedModel
from maillage.roadmap.enums import (
    ActionStatus,
    BodyKind,
    DocumentKind,
    FundingType,
    FundMovementKind,
    RoadmapStatus,
    TargetRule,
)
from maillage.territories.territory import TerritoryRef

AMOUNT = {"max_digits": 14, "decimal_places": 2}
USER = settings.AUTH_USER_MODEL


class Roadmap(TimestampedModel):
    """A feuille de route of a territory, co-carried by several organisations, over a period."""

    slug = models.SlugField("identifiant", max_length=80, unique=True)
    name = models.CharField("nom", max_length=200)
    territory_level = models.CharField("niveau du territoire", max_length=12)
    territory_code = models.CharField("code du territoire", max_length=9)
    start_year = models.PositiveSmallIntegerField("première année")
    end_year = models.PositiveSmallIntegerField("dernière année")
    vision = models.TextField("vision", blank=True)
    objective = models.TextField("objectif général", blank=True)
    co_porteurs = models.JSONField("co-porteurs", default=list, blank=True)
    support = models.CharField("structure d'appui", max_length=200, blank=True)
    national_framework = models.CharField("cadre national", max_length=200, default="France Numérique Ensemble")
    status = models.CharField(
        "statut", max_length=15, choices=RoadmapStatus.choices, default=RoadmapStatus.PREFIGURATION
    )
    target_rule = models.CharField(
        "règle de territorialisation", max_length=12, choices=TargetRule.choices, default=TargetRule.POPULATION
    )

    class Meta:
        verbose_name = "feuille de route"
        verbose_name_plural = "feuilles de route"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_year__gte=models.F("start_year")), name="roadmap_period_ok")
        ]

    def __str__(self):
        return self.name

    @property
    def territory(self) -> TerritoryRef:
        return TerritoryRef(self.territory_level, self.territory_code)

    @property
    def territory_label(self) -> str:
        """« Eure-et-Loir (28) »: the territory's name, or its reference if unknown."""
        found = self.territory.model.objects.filter(code=self.territory_code).values_list("nom", flat=True).first()
        return f"{found} ({self.territory_code})" if found else str(self.territory)


class Theme(models.Model):
    """A priority theme (the five of the national framework) or one a territory adds."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="themes")
    code = models.SlugField("code", max_length=60)
    label = models.CharField("libellé", max_length=120)
    is_priority = models.BooleanField("thématique prioritaire", default=False)
    aliases = models.JSONField("autres libellés", default=list, blank=True)
    order = models.PositiveSmallIntegerField("ordre", default=0)

    class Meta:
        verbose_name = "thématique"
        ordering = ["order", "id"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "code"], name="roadmap_theme_code_unique")]

    def __str__(self):
        return self.label


class Axis(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="axes")
    number = models.PositiveSmallIntegerField("numéro")
    title = models.CharField("titre", max_length=300)
    diagnosis = models.TextField("éléments de diagnostic", blank=True)

    class Meta:
        verbose_name = "axe"
        ordering = ["roadmap", "number"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "number"], name="roadmap_axis_number_unique")]

    def __str__(self):
        return f"{self.number} – {self.title}"


class ObjectiveGroup(models.Model):
    """A bold heading under an axis (« Aller-vers ») or the actions of one theme in that axis."""

    axis = models.ForeignKey(Axis, on_delete=models.CASCADE, related_name="groups")
    order = models.PositiveSmallIntegerField("ordre")
    title = models.CharField("titre", max_length=300)
    theme = models.ForeignKey(
        Theme, verbose_name="thématique", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "groupe d'objectifs"
        verbose_name_plural = "groupes d'objectifs"
        ordering = ["axis", "order"]
        constraints = [models.UniqueConstraint(fields=["axis", "order"], name="roadmap_group_order_unique")]

    def __str__(self):
        return self.title


class Action(TimestampedModel):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="actions")
    group = models.ForeignKey(ObjectiveGroup, on_delete=models.CASCADE, related_name="actions")
    code = models.CharField("numéro", max_length=20)
    order = models.PositiveSmallIntegerField("ordre", default=0)
    title = models.CharField("intitulé", max_length=500)
    description = models.TextField("description", blank=True)
    status = models.CharField("statut", max_length=12, choices=ActionStatus.choices, default=ActionStatus.PROPOSEE)
    themes = models.ManyToManyField(Theme, verbose_name="thématiques", blank=True, related_name="actions")
    porteurs = models.ManyToManyField(
        "structures.Structure", verbose_name="porteurs", blank=True, related_name="roadmap_actions_carried"
    )
    partners = models.ManyToManyField(
        "structures.Structure", verbose_name="partenaires", blank=True, related_name="roadmap_actions_partnered"
    )
    places = models.ManyToManyField("places.Place", verbose_name="lieux concernés", blank=True, related_name="+")
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    resources = models.TextField("ressources mobilisées", blank=True)

    class Meta:
        verbose_name = "action"
        ordering = ["roadmap", "group__axis__number", "group__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["roadmap", "code"], name="roadmap_action_code_unique"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(start_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="roadmap_action_dates_ok",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"


class ActionStatusChange(models.Model):
    """The history of an action's status: who moved it, when, from what to what."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField("ancien statut", max_length=12, choices=ActionStatus.choices, blank=True)
    to_status = models.CharField("nouveau statut", max_length=12, choices=ActionStatus.choices)
    changed_at = models.DateTimeField("le", default=timezone.now, db_index=True)
    actor = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    comment = models.CharField("commentaire", max_length=500, blank=True)

    class Meta:
        verbose_name = "changement de statut"
        ordering = ["changed_at", "id"]

    def __str__(self):
        return f"{self.action.code} : {self.from_status or '—'} → {self.to_status}"


class Milestone(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("jalon", max_length=300)
    due_date = models.DateField("échéance")
    done_on = models.DateField("atteint le", null=True, blank=True)

    class Meta:
        verbose_name = "jalon"
        ordering = ["due_date", "id"]

    def __str__(self):
        return self.title


class BudgetLine(models.Model):
    """A cost of an action: what is planned (amount) and what has been spent."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="budget_lines")
    label = models.CharField("poste de dépense", max_length=300)
    amount = models.DecimalField("montant prévu (€)", **AMOUNT)
    spent = models.DecimalField("dépensé (€)", default=Decimal("0"), **AMOUNT)
    is_confidential = models.BooleanField("montant confidentiel", default=False)

    class Meta:
        verbose_name = "ligne budgétaire"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount__gte=0, spent__gte=0), name="roadmap_budget_line_positive"
            )
        ]

    def __str__(self):
        return self.label


class Funder(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="funders")
    name = models.CharField("nom", max_length=200)
    kind = models.CharField("type", max_length=100, blank=True)
    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "financeur"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "name"], name="roadmap_funder_name_unique")]

    def __str__(self):
        return self.name


class PostAllocation(models.Model):
    """Posts financed per unit (N conseillers × unit subsidy), split between co-signatories."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="post_allocations")
    label = models.CharField("intitulé", max_length=300)
    scheme = models.CharField("dispositif", max_length=200, blank=True)
    posts = models.PositiveIntegerField("nombre de postes")
    unit_amount = models.DecimalField("montant par poste (€)", **AMOUNT)
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    is_confidential = models.BooleanField("montants confidentiels", default=False)

    class Meta:
        verbose_name = "attribution de postes"
        ordering = ["id"]

    def __str__(self):
        return self.label

    @property
    def total(self) -> Decimal:
        return self.unit_amount * self.posts


class AllocationShare(models.Model):
    allocation = models.ForeignKey(PostAllocation, on_delete=models.CASCADE, related_name="shares")
    funder = models.ForeignKey(Funder, on_delete=models.CASCADE, related_name="allocation_shares")
    percent = models.DecimalField("part (%)", max_digits=6, decimal_places=2)

    class Meta:
        verbose_name = "part d'un co-signataire"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(percent__gt=0, percent__lte=100), name="roadmap_share_percent"),
            models.UniqueConstraint(fields=["allocation", "funder"], name="roadmap_share_unique"),
        ]

    def __str__(self):
        return f"{self.funder} : {self.percent} %"

    @property
    def amount(self) -> Decimal:
        return (self.allocation.total * self.percent / 100).quantize(Decimal("0.01"))


class FinancingLine(TimestampedModel):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="financing_lines")
    funder = models.ForeignKey(Funder, verbose_name="financeur", on_delete=models.CASCADE, related_name="lines")
    beneficiary = models.ForeignKey(
        "structures.Structure",
        verbose_name="structure bénéficiaire",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    beneficiary_name = models.CharField("bénéficiaire", max_length=200, blank=True)
    scheme = models.CharField("dispositif", max_length=200, blank=True)
    purpose = models.CharField("objet", max_length=300, blank=True)
    type = models.CharField("type", max_length=20, choices=FundingType.choices, default=FundingType.SUBVENTION)
    amount = models.DecimalField("montant (€)", **AMOUNT)
    start_date = models.DateField("début", null=True, blank=True)
    end_date = models.DateField("fin", null=True, blank=True)
    action = models.ForeignKey(
        Action, verbose_name="action", on_delete=models.SET_NULL, null=True, blank=True, related_name="financing"
    )
    is_confidential = models.BooleanField("montant confidentiel", default=False)

    class Meta:
        verbose_name = "ligne de financement"
        verbose_name_plural = "lignes de financement"
        ordering = ["start_date", "id"]
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="roadmap_financing_positive")]

    def __str__(self):
        return f"{self.funder} — {self.purpose or self.scheme} ({self.amount} €)"

    @property
    def beneficiary_label(self) -> str:
        return self.beneficiary.nom if self.beneficiary_id else self.beneficiary_name


class Fund(models.Model):
    """A fonds d'inclusion numérique: funders contribute, actions and structures receive."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="funds")
    name = models.CharField("nom", max_length=200)

    class Meta:
        verbose_name = "fonds d'inclusion numérique"
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "name"], name="roadmap_fund_name_unique")]

    def __str__(self):
        return self.name


class FundMovement(models.Model):
    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="movements")
    kind = models.CharField("mouvement", max_length=12, choices=FundMovementKind.choices)
    date = models.DateField("date")
    amount = models.DecimalField("montant (€)", **AMOUNT)
    label = models.CharField("objet", max_length=300, blank=True)
    funder = models.ForeignKey(Funder, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    action = models.ForeignKey(Action, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    beneficiary = models.ForeignKey(
        "structures.Structure", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_confidential = models.BooleanField("montant confidentiel", default=False)

    class Meta:
        verbose_name = "mouvement du fonds"
        ordering = ["date", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="roadmap_fund_movement_positive"),
            models.CheckConstraint(
                condition=models.Q(kind=FundMovementKind.ALLOCATION) | models.Q(funder__isnull=False),
                name="roadmap_contribution_has_funder",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} de {self.amount} € le {self.date}"


class Indicator(TimestampedModel):
    """What is followed, how it is measured, against which target; entered or computed live."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="indicators")
    code = models.SlugField("code", max_length=60)
    name = models.CharField("nom", max_length=300)
    definition = models.TextField("définition", blank=True)
    unit = models.CharField("unité", max_length=60)
    perimeter_level = models.CharField("niveau du périmètre", max_length=12, blank=True)
    perimeter_code = models.CharField("code du périmètre", max_length=9, blank=True)
    perimeter_scheme = models.CharField("dispositif", max_length=200, blank=True)
    perimeter_employer = models.CharField("employeur ou porteur", max_length=200, blank=True)
    period_start = models.DateField("début de la période", null=True, blank=True)
    period_end = models.DateField("fin de la période", null=True, blank=True)
    source = models.CharField("source", max_length=300, blank=True)
    source_key = models.CharField("requête de calcul", max_length=100, blank=True)
    source_params = models.JSONField("paramètres", default=dict, blank=True)
    baseline = models.FloatField("valeur de référence", null=True, blank=True)
    baseline_date = models.DateField("date de la référence", null=True, blank=True)
    target = models.FloatField("cible", null=True, blank=True)
    target_date = models.DateField("échéance de la cible", null=True, blank=True)
    national_target = models.CharField("objectif national territorialisé", max_length=20, blank=True)
    actions = models.ManyToManyField(Action, verbose_name="actions", blank=True, related_name="indicators")

    class Meta:
        verbose_name = "indicateur"
        ordering = ["roadmap", "id"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "code"], name="roadmap_indicator_code_unique")]

    def __str__(self):
        return self.name

    @property
    def perimeter(self) -> TerritoryRef:
        if self.perimeter_code:
            return TerritoryRef(self.perimeter_level, self.perimeter_code)
        return self.roadmap.territory

    @property
    def is_live(self) -> bool:
        return bool(self.source_key)


class IndicatorValue(TimestampedModel):
    """An actual value entered by someone (who: entered_by; when: created_at) for a date."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="values")
    date = models.DateField("date de la valeur")
    value = models.FloatField("valeur")
    comment = models.CharField("commentaire", max_length=500, blank=True)
    entered_by = models.ForeignKey(USER, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "valeur d'indicateur"
        ordering = ["indicator", "date", "id"]


class Document(models.Model):
    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="documents")
    code = models.SlugField("code", max_length=60)
    title = models.CharField("titre", max_length=300)
    kind = models.CharField("nature", max_length=15, choices=DocumentKind.choices, default=DocumentKind.AUTRE)
    reference = models.CharField("référence ou adresse", max_length=500, blank=True)
    date = models.DateField("date", null=True, blank=True)

    class Meta:
        verbose_name = "document"
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "code"], name="roadmap_document_code_unique")]

    def __str__(self):
        return self.title


class Body(models.Model):
    """A governance body: comité de pilotage, comité technique, working group, conférence des financeurs."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="bodies")
    kind = models.CharField("type", max_length=12, choices=BodyKind.choices)
    name = models.CharField("nom", max_length=200)
    mission = models.TextField("mission", blank=True)
    theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "instance"
        ordering = ["roadmap", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["roadmap", "name"], name="roadmap_body_name_unique")]

    def __str__(self):
        return self.name


class BodyMember(models.Model):
    """A member: a structure, or a person (a user) for a structure, with a function."""

    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="members")
    structure = models.ForeignKey(
        "structures.Structure", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    organisation = models.CharField("organisation", max_length=200, blank=True)
    user = models.ForeignKey(USER, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    function = models.CharField("fonction", max_length=200, blank=True)

    class Meta:
        verbose_name = "membre d'une instance"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(structure__isnull=False)
                | ~models.Q(organisation="")
                | models.Q(user__isnull=False),
                name="roadmap_member_identified",
            )
        ]

    def __str__(self):
        return self.organisation_label

    @property
    def organisation_label(self) -> str:
        return self.structure.nom if self.structure_id else self.organisation


class Meeting(TimestampedModel):
    body = models.ForeignKey(Body, on_delete=models.CASCADE, related_name="meetings")
    date = models.DateField("date")
    title = models.CharField("titre", max_length=300)
    location = models.CharField("lieu", max_length=300, blank=True)
    agenda = models.TextField("ordre du jour", blank=True)
    minutes = models.TextField("compte rendu", blank=True)
    attendees = models.ManyToManyField(BodyMember, verbose_name="présents", blank=True, related_name="meetings")

    class Meta:
        verbose_name = "réunion"
        ordering = ["-date", "id"]

    def __str__(self):
        return f"{self.body} du {self.date:%d/%m/%Y}"


class Decision(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    text = models.TextField("décision")
    actions = models.ManyToManyField(Action, verbose_name="actions", blank=True, related_name="decisions")
    documents = models.ManyToManyField(Document, verbose_name="documents", blank=True, related_name="decisions")
    axes = models.ManyToManyField(Axis, verbose_name="axes", blank=True, related_name="decisions")

    class Meta:
        verbose_name = "décision"
        ordering = ["id"]

    def __str__(self):
        return self.text[:80]


class Workshop(TimestampedModel):
    """A co-construction workshop: who was invited, who came, which actions came out of it."""

    roadmap = models.ForeignKey(Roadmap, on_delete=models.CASCADE, related_name="workshops")
    title = models.CharField("titre", max_length=300)
    date = models.DateField("date")
    theme = models.ForeignKey(Theme, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    location = models.CharField("lieu", max_length=300, blank=True)
    summary = models.TextField("synthèse", blank=True)
    invited = models.ManyToManyField("structures.Structure", blank=True, related_name="+")
    participants = models.ManyToManyField("structures.Structure", blank=True, related_name="+")
    invited_names = models.JSONField("autres invités", default=list, blank=True)
    participant_names = models.JSONField("autres participants", default=list, blank=True)
    participant_count = models.PositiveIntegerField("nombre de participants", default=0)
    actions = models.ManyToManyField(Action, verbose_name="actions produites", blank=True, related_name="workshops")

    class Meta:
        verbose_name = "atelier de co-construction"
        ordering = ["date", "id"]

    def __str__(self):
        return self.title
