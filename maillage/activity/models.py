"""Activities (comptes rendus d'activité), beneficiaries, imports, rollups and national scheme figures.

Field names and stored values follow La Coop de la médiation numérique (../shared/docs/activity-model.md).
Anonymous beneficiaries are not materialised: an anonymous individual accompaniment or anonymous
workshop participants are counts on the activity (`participants_anonymes`), each one counting as a
new beneficiary, as la Coop states. Followed beneficiaries are rows, linked by `Accompagnement`.
"""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Now

from maillage.activity.enums import (
    DUREE_BUCKETS,
    Autonomie,
    Dispositif,
    Genre,
    ImportStatus,
    NiveauAtelier,
    QuarantineStatus,
    StatutSocial,
    StructureDeRedirection,
    Thematique,
    TrancheAge,
    TypeActivite,
    TypeLieu,
)
from maillage.activity.publics import ANONYMOUS_PUBLIC_KEYS, breakdown_errors
from maillage.core.models import TimestampedModel
from maillage.territories.models import Commune

PSEUDONYM_BYTES = 9


def new_pseudonym() -> str:
    return "B-" + secrets.token_hex(PSEUDONYM_BYTES // 2 + 1)[:10].upper()


class ActivityQuerySet(models.QuerySet):
    def live(self):
        return self.filter(deleted_at__isnull=True)

    def in_territory(self, ref):
        return self.filter(ref.commune_q("commune__"))

    def between(self, start=None, end=None):
        qs = self
        if start:
            qs = qs.filter(date__gte=start)
        if end:
            qs = qs.filter(date__lte=end)
        return qs


class Beneficiary(TimestampedModel):
    """A followed person (bénéficiaire suivi): found again by the structure that follows them only.

    Personal fields are minimal (la Coop's list, year of birth only). Statistics and exports use the
    stable `pseudonyme`, never the name. After `ACTIVITY_RETENTION_MONTHS` without activity the
    record is anonymised (personal fields emptied, `anonymised_at` set); statistics keep working.
    """

    structure = models.ForeignKey(
        "structures.Structure", verbose_name="structure qui suit", on_delete=models.PROTECT, related_name="+"
    )
    mediateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="médiateur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    pseudonyme = models.CharField("pseudonyme", max_length=12, unique=True, default=new_pseudonym, editable=False)
    prenom = models.CharField("prénom", max_length=100, blank=True)
    nom = models.CharField("nom", max_length=100, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    pas_de_telephone = models.BooleanField("pas de téléphone", default=False)
    email = models.EmailField("courriel", blank=True)
    annee_naissance = models.PositiveSmallIntegerField("année de naissance", null=True, blank=True)
    commune = models.ForeignKey(
        Commune, verbose_name="commune de résidence", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    genre = models.CharField("genre", max_length=20, choices=Genre.choices, default=Genre.NON_COMMUNIQUE)
    statut_social = models.CharField(
        "statut social", max_length=20, choices=StatutSocial.choices, default=StatutSocial.NON_COMMUNIQUE
    )
    notes = models.TextField("notes", blank=True)
    last_activity_on = models.DateField("dernier accompagnement", null=True, blank=True)
    anonymised_at = models.DateTimeField("anonymisé le", null=True, blank=True)

    class Meta:
        verbose_name = "bénéficiaire suivi"
        verbose_name_plural = "bénéficiaires suivis"
        ordering = ["nom", "prenom", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(annee_naissance__isnull=True) | models.Q(annee_naissance__gte=1900),
                name="activity_beneficiary_birth_year_plausible",
            ),
        ]

    def __str__(self):
        return self.pseudonyme

    @property
    def display_name(self) -> str:
        if self.anonymised_at:
            return f"Bénéficiaire anonymisé ({self.pseudonyme})"
        return f"{self.prenom} {self.nom}".strip() or self.pseudonyme

    def tranche_age(self, year: int) -> str:
        """Derived from the birth year, never typed in (la Coop's rule)."""
        if not self.annee_naissance:
            return TrancheAge.NON_COMMUNIQUE
        return tranche_age_for(year - self.annee_naissance)


def tranche_age_for(age: int) -> str:
    for limit, value in (
        (12, TrancheAge.MOINS_DE_DOUZE),
        (18, TrancheAge.DOUZE_DIX_HUIT),
        (25, TrancheAge.DIX_HUIT_VINGT_QUATRE),
        (40, TrancheAge.VINGT_CINQ_TRENTE_NEUF),
        (60, TrancheAge.QUARANTE_CINQUANTE_NEUF),
        (70, TrancheAge.SOIXANTE_SOIXANTE_NEUF),
    ):
        if age < limit:
            return value
    return TrancheAge.SOIXANTE_DIX_PLUS


class Activity(models.Model):
    """One compte rendu d'activité: an individual accompaniment or a collective workshop."""

    type = models.CharField("type", max_length=12, choices=TypeActivite.choices)
    # Foreign keys covered by a (key, date) index below, or rarely followed backwards, have no index
    # of their own: every index costs at insertion time (millions of rows per import). Nor do they
    # have a database constraint (docs/decisions/005-activity-foreign-keys.md): the importer and the
    # forms check every reference, Django applies on_delete, `maillage activity rollups --check`
    # counts orphans.
    mediateur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="médiateur",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name="structure",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    place = models.ForeignKey(
        "places.Place",
        verbose_name="lieu d'activité",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    date = models.DateField("date")
    duree = models.PositiveIntegerField("durée (minutes)")
    type_lieu = models.CharField("lieu", max_length=14, choices=TypeLieu.choices)
    # Where the activity took place: the place's commune, the commune given for a home visit or
    # another place, else the structure's. Every territorial statistic uses it.
    commune = models.ForeignKey(
        Commune,
        verbose_name="commune",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    thematiques = models.JSONField("thématiques", default=list)
    thematiques_mask = models.BigIntegerField("thématiques (masque)", default=0)
    precisions_demarche = models.CharField("précisions sur la démarche", max_length=500, blank=True)
    materiel = models.JSONField("matériel utilisé", default=list, blank=True)
    autonomie = models.CharField("autonomie", max_length=24, choices=Autonomie.choices, blank=True)
    oriente_vers_structure = models.BooleanField("orienté vers une autre structure", null=True, blank=True)
    structure_de_redirection = models.CharField(
        "structure de redirection", max_length=40, choices=StructureDeRedirection.choices, blank=True
    )
    titre_atelier = models.CharField("titre de l'atelier", max_length=200, blank=True)
    niveau = models.CharField("niveau de l'atelier", max_length=14, choices=NiveauAtelier.choices, blank=True)
    notes = models.TextField("notes", blank=True)
    # Anonymous people: 1 for an anonymous individual accompaniment, the anonymous participants of a
    # workshop. `accompagnements_count` adds the followed beneficiaries (la Coop's weight).
    participants_anonymes = models.PositiveIntegerField("participants anonymes", default=0)
    # A workshop's anonymous participants by genre, tranche d'âge and statut social (publics.py):
    # known non-zero counts only. A database default, so that bulk COPY (ingest.py) may omit it.
    participants_anonymes_detail = models.JSONField(
        "détail des participants anonymes",
        default=dict,
        db_default=models.Value({}, output_field=models.JSONField()),
        blank=True,
    )
    accompagnements_count = models.PositiveIntegerField("accompagnements", default=1)
    beneficiaire_commune = models.ForeignKey(
        Commune,
        verbose_name="commune du bénéficiaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    beneficiaire_genre = models.CharField("genre", max_length=20, choices=Genre.choices, blank=True)
    beneficiaire_tranche_age = models.CharField("tranche d'âge", max_length=24, choices=TrancheAge.choices, blank=True)
    beneficiaire_statut_social = models.CharField(
        "statut social", max_length=20, choices=StatutSocial.choices, blank=True
    )
    source = models.CharField("origine", max_length=12, default="saisie")
    # NULL, not "": activities entered in the form have none (partial unique constraint below).
    fingerprint = models.CharField("empreinte d'import", max_length=64, null=True, blank=True)  # noqa: DJ001
    import_batch = models.ForeignKey(
        "ActivityImport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    # Database defaults too: the bulk COPY (ingest.py) leaves them to the server (the start of its
    # statement) instead of sending two timestamps per row.
    created_at = models.DateTimeField("créée le", auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField("modifiée le", auto_now=True, db_default=Now())
    deleted_at = models.DateTimeField("supprimée le", null=True, blank=True)

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = "activité"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["structure", "date"], name="activity_structure_date_idx"),
            # No (commune, date) index: territory figures come from the rollups, and no page reads
            # raw activities by commune; it cost every bulk insert ≈ 0.15 s per 250,000 rows.
            # Partial: imported and generated activities often have no médiateur.
            models.Index(
                fields=["mediateur", "date"],
                condition=models.Q(mediateur__isnull=False),
                name="activity_mediateur_date_idx",
            ),
            models.Index(fields=["import_batch"], name="activity_import_batch_idx"),
            # Partial: most activities have no place and no fingerprint (entered in the form).
            models.Index(fields=["place"], condition=models.Q(place__isnull=False), name="activity_place_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["fingerprint"],
                condition=models.Q(fingerprint__isnull=False),
                name="activity_fingerprint_unique",
            ),
            models.CheckConstraint(condition=models.Q(duree__gt=0), name="activity_duree_positive"),
            models.CheckConstraint(
                condition=models.Q(accompagnements_count__gte=1), name="activity_at_least_one_accompagnement"
            ),
        ]

    def __str__(self):
        return f"{self.get_type_display()} du {self.date:%d/%m/%Y}"

    def clean(self):
        errors = breakdown_errors(self.participants_anonymes, self.participants_anonymes_detail)
        if errors:
            raise ValidationError({"participants_anonymes_detail": list(errors.values())})

    @property
    def thematique_labels(self) -> list[str]:
        labels = dict(Thematique.choices)
        return [labels.get(value, value) for value in self.thematiques]


class Accompagnement(models.Model):
    """A followed beneficiary in an activity (la Coop's join table; anonymous people are counts)."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="accompagnements")
    beneficiary = models.ForeignKey(Beneficiary, on_delete=models.PROTECT, related_name="accompagnements")
    premier_accompagnement = models.BooleanField("premier accompagnement", default=False)
    # Copied from the activity by the services (kept in sync on every change), so that counting
    # distinct followed people of a territory and period reads this table alone.
    activity_date = models.DateField("date de l'activité", null=True)
    activity_commune = models.CharField("commune de l'activité", max_length=5, blank=True)
    activity_structure_id = models.IntegerField("structure de l'activité", null=True)
    live = models.BooleanField("activité en vigueur", default=True)

    class Meta:
        verbose_name = "accompagnement"
        constraints = [
            models.UniqueConstraint(fields=["beneficiary", "activity"], name="activity_accompagnement_unique"),
        ]
        indexes = [models.Index(fields=["activity_date"], name="activity_acc_date_idx")]

    def __str__(self):
        return f"{self.beneficiary} — {self.activity}"


class ActivityImport(TimestampedModel):
    """One run of the activity importer: file, counts and the report."""

    filename = models.CharField("fichier", max_length=300)
    file_sha256 = models.CharField("empreinte du fichier", max_length=64, blank=True)
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name="structure imposée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField("état", max_length=10, choices=ImportStatus.choices, default=ImportStatus.DONE)
    dry_run = models.BooleanField("simulation", default=False)
    report = models.JSONField("rapport", default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "import d'activités"
        verbose_name_plural = "imports d'activités"
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.filename


class QuarantinedActivityRow(TimestampedModel):
    """A rejected row of an activity import, kept until fixed and re-submitted (or discarded)."""

    batch = models.ForeignKey(ActivityImport, on_delete=models.CASCADE, related_name="quarantined_rows")
    line = models.PositiveIntegerField("ligne")
    raw = models.JSONField("ligne d'origine", default=dict)
    errors = models.JSONField("erreurs", default=list)
    fingerprint = models.CharField("empreinte", max_length=64, db_index=True)
    status = models.CharField(
        "état", max_length=12, choices=QuarantineStatus.choices, default=QuarantineStatus.PENDING, db_index=True
    )
    activity = models.ForeignKey(Activity, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "ligne d'activité en quarantaine"
        verbose_name_plural = "lignes d'activité en quarantaine"
        ordering = ["batch", "line"]

    def __str__(self):
        return f"{self.batch.filename}, ligne {self.line}"


# --- Rollups -----------------------------------------------------------------------------------

CANAL_COLUMNS = [f"canal_{value}" for value in TypeLieu.values]
DUREE_COLUMNS = [f"duree_{key}" for key, *_ in DUREE_BUCKETS]
AUTONOMIE_COLUMNS = [f"autonomie_{value}" for value in Autonomie.values]
THEME_COLUMNS = [f"th_{value}" for value in Thematique.values]
# Anonymous people by known genre, tranche d'âge and statut social ("non communiqué" is the
# anonymous total minus the group's known counts); followed people are read from their records.
PUBLIC_COLUMNS = [f"anonymes_{key}" for key in ANONYMOUS_PUBLIC_KEYS]
COUNTER_COLUMNS = [
    "activites_individuelles",
    "activites_collectives",
    "accompagnements",
    "accompagnements_individuels",
    "participants_ateliers",
    "beneficiaires_anonymes",
    "duree_minutes",
    "orientes",
    *CANAL_COLUMNS,
    *DUREE_COLUMNS,
    *AUTONOMIE_COLUMNS,
    *THEME_COLUMNS,
    *PUBLIC_COLUMNS,
]


def _counter_fields() -> dict:
    # integer, not bigint: SUM(integer) accumulates in int8, SUM(bigint) in numeric (several times slower).
    return {name: models.IntegerField(default=0) for name in COUNTER_COLUMNS}


class RollupBase(models.Model):
    """Sums of the live activities of one period × structure × commune (weights: accompagnements)."""

    period = models.DateField("jour ou premier jour du mois")
    structure_id = models.IntegerField("structure")
    commune_code = models.CharField("commune", max_length=5)
    epci_code = models.CharField("EPCI", max_length=9, blank=True)
    departement_code = models.CharField("département", max_length=3)
    region_code = models.CharField("région", max_length=3)
    vars().update(_counter_fields())

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.period} — structure {self.structure_id} — {self.commune_code}"


class DailyRollup(RollupBase):
    class Meta:
        verbose_name = "agrégat quotidien"
        verbose_name_plural = "agrégats quotidiens"
        constraints = [
            models.UniqueConstraint(fields=["period", "structure_id", "commune_code"], name="activity_daily_unique")
        ]
        indexes = [
            models.Index(fields=["departement_code", "period"], name="activity_daily_dep_idx"),
            models.Index(fields=["epci_code", "period"], name="activity_daily_epci_idx"),
            models.Index(fields=["region_code", "period"], name="activity_daily_region_idx"),
            models.Index(fields=["commune_code", "period"], name="activity_daily_commune_idx"),
            models.Index(fields=["structure_id", "period"], name="activity_daily_structure_idx"),
        ]


class MonthlyRollup(RollupBase):
    class Meta:
        verbose_name = "agrégat mensuel"
        verbose_name_plural = "agrégats mensuels"
        constraints = [
            models.UniqueConstraint(fields=["period", "structure_id", "commune_code"], name="activity_monthly_unique")
        ]
        indexes = [
            models.Index(fields=["departement_code", "period"], name="activity_monthly_dep_idx"),
            models.Index(fields=["epci_code", "period"], name="activity_monthly_epci_idx"),
            models.Index(fields=["region_code", "period"], name="activity_monthly_region_idx"),
            models.Index(fields=["commune_code", "period"], name="activity_monthly_commune_idx"),
            models.Index(fields=["structure_id", "period"], name="activity_monthly_structure_idx"),
        ]


class MonthlyDepartementRollup(models.Model):
    """The monthly sums of a whole département (all structures): département, région and national
    queries read a few dozen rows instead of one per structure × commune."""

    period = models.DateField("premier jour du mois")
    departement_code = models.CharField("département", max_length=3)
    region_code = models.CharField("région", max_length=3)
    vars().update(_counter_fields())

    class Meta:
        verbose_name = "agrégat mensuel départemental"
        verbose_name_plural = "agrégats mensuels départementaux"
        constraints = [
            models.UniqueConstraint(fields=["period", "departement_code"], name="activity_monthly_dep_unique")
        ]
        indexes = [models.Index(fields=["region_code", "period"], name="activity_mdep_region_idx")]

    def __str__(self):
        return f"{self.period} — {self.departement_code}"


# --- National schemes --------------------------------------------------------------------------


class SchemeFigure(models.Model):
    """One aggregate figure of a national scheme (France Services, Aidants Connect, conseillers
    numériques), imported from its own system: kept apart from the activities recorded here."""

    dispositif = models.CharField("dispositif", max_length=24, choices=Dispositif.choices)
    indicateur = models.CharField("indicateur", max_length=60)
    departement_code = models.CharField("département", max_length=3, db_index=True)
    commune_code = models.CharField("commune", max_length=5, blank=True, db_index=True)
    entity_id = models.CharField("identifiant dans la source", max_length=64, blank=True)
    entity_name = models.CharField("structure", max_length=300, blank=True)
    siret = models.CharField("SIRET", max_length=14, blank=True)
    is_active = models.BooleanField("active", default=True)
    period_start = models.DateField("début", null=True, blank=True)
    period_end = models.DateField("fin", null=True, blank=True)
    period_label = models.CharField("période", max_length=60)
    value = models.FloatField("valeur")
    source = models.CharField("source", max_length=200)
    source_sha256 = models.CharField("empreinte de la source", max_length=64)
    imported_at = models.DateTimeField("importé le", auto_now=True)

    class Meta:
        verbose_name = "chiffre d'un dispositif national"
        verbose_name_plural = "chiffres des dispositifs nationaux"
        ordering = ["dispositif", "indicateur", "departement_code", "commune_code", "entity_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dispositif", "indicateur", "departement_code", "commune_code", "entity_id", "period_label"],
                name="activity_scheme_figure_unique",
            )
        ]

    def __str__(self):
        return f"{self.get_dispositif_display()} — {self.indicateur} — {self.departement_code}: {self.value}"
