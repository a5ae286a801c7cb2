from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Now

from maillage.core.models import TimestampedModel
from maillage.places.enums import CallOutcome, DuplicateStatus, ImportStatus, PositionOrigin, QuarantineStatus
from maillage.places.standard import FIELD_NAMES, ID_MAX_LENGTH
from maillage.territories.models import Commune

# Standard field → model field, where they differ (`id` is the producer's local id).
STANDARD_TO_MODEL = {"id": "local_id", "commune": "commune_nom"}
MODEL_FIELDS = tuple(STANDARD_TO_MODEL.get(name, name) for name in FIELD_NAMES)


class PlaceQuerySet(models.QuerySet):
    def published(self):
        """What the public sees: published, not merged into another place, still in its source."""
        return self.filter(is_published=True, merged_into__isnull=True, missing_since__isnull=True)

    def in_territory(self, ref):
        return self.filter(ref.commune_q("commune__"))

    def active(self):
        return self.filter(merged_into__isnull=True)


class Place(TimestampedModel):
    """A lieu de médiation numérique: every field of the national standard, plus provenance."""

    # Provenance: the dataset it was imported from and its identifier there (the natural key).
    # No index of its own: the unique (dataset, local_id) constraint's index starts with it.
    dataset = models.CharField("jeu de données", max_length=120)
    local_id = models.CharField("identifiant dans la source", max_length=ID_MAX_LENGTH)
    import_batch = models.ForeignKey(
        "ImportBatch",
        verbose_name="dernier import",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # decision 007
        db_index=False,  # no page lists a batch's places; deleting a batch (never done by maillage) scans
    )
    # The import that created it (its journal entry says who, when, from which file): decision 007.
    created_batch = models.ForeignKey(
        "ImportBatch",
        verbose_name="créé par l'import",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,
        db_index=False,
    )
    imported_at = models.DateTimeField("importé le", null=True, blank=True)
    missing_since = models.DateTimeField("absent de sa source depuis", null=True, blank=True)
    standard_version = models.CharField("version du standard", max_length=10, blank=True)
    extra = models.JSONField("colonnes hors standard", default=dict, blank=True)

    # The 32 fields of the standard, in its order. Texts the standard does not bound are not bounded
    # here either (a long name is not a reason to reject a place); codes and identifiers are.
    pivot = models.CharField("SIRET ou RNA", max_length=14)
    nom = models.TextField("nom")
    commune_nom = models.TextField("commune")
    code_postal = models.CharField("code postal", max_length=5)
    code_insee = models.CharField("code INSEE", max_length=5, blank=True)
    adresse = models.TextField("adresse")
    complement_adresse = models.TextField("complément d'adresse", blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    typologie = models.JSONField("typologie", default=list, blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)
    courriels = models.JSONField("courriels", default=list, blank=True)
    site_web = models.JSONField("sites web", default=list, blank=True)
    horaires = models.TextField("horaires (OpenStreetMap)", blank=True)
    presentation_resume = models.CharField("présentation courte", max_length=280, blank=True)
    presentation_detail = models.TextField("présentation détaillée", blank=True)
    source = models.TextField("source", blank=True)
    itinerance = models.JSONField("itinérance", default=list, blank=True)
    structure_parente = models.TextField("structure parente", blank=True)
    date_maj = models.DateField("date de mise à jour")
    services = models.JSONField("services", default=list, blank=True)
    publics_specifiquement_adresses = models.JSONField("publics spécifiquement adressés", default=list, blank=True)
    prise_en_charge_specifique = models.JSONField("prise en charge spécifique", default=list, blank=True)
    frais_a_charge = models.JSONField("frais à charge", default=list, blank=True)
    dispositif_programmes_nationaux = models.JSONField("dispositifs nationaux", default=list, blank=True)
    formations_labels = models.JSONField("formations et labels", default=list, blank=True)
    autres_formations_labels = models.JSONField("autres formations et labels", default=list, blank=True)
    modalites_acces = models.JSONField("modalités d'accès", default=list, blank=True)
    modalites_accompagnement = models.JSONField("modalités d'accompagnement", default=list, blank=True)
    fiche_acces_libre = models.TextField("fiche Acceslibre", blank=True)
    prise_rdv = models.TextField("prise de rendez-vous", blank=True)

    # Resolved by maillage.
    commune = models.ForeignKey(
        Commune,
        verbose_name="commune (référentiel)",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_constraint=False,  # decision 007
        db_index=False,  # the (commune, is_published) index starts with it
    )
    position_latitude = models.FloatField("latitude retenue", null=True, blank=True)
    position_longitude = models.FloatField("longitude retenue", null=True, blank=True)
    position_origin = models.CharField(
        "origine de la position", max_length=10, choices=PositionOrigin.choices, default=PositionOrigin.NONE
    )
    structure = models.ForeignKey(
        "structures.Structure",
        verbose_name="structure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="places",
        db_constraint=False,  # decision 007
        db_index=False,  # partial index below: imported places mostly have none
    )
    is_published = models.BooleanField("publié", default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name="fusionné dans",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="merged_places",
        db_index=False,  # partial index below: only merged places have one
    )

    # Database defaults too: the import's COPY (importing/copy.py) leaves them to the server instead of
    # sending two timestamps per row for it to parse (≈ 0.13 s per 50,000 places).
    created_at = models.DateTimeField("créé le", auto_now_add=True, db_default=Now())
    updated_at = models.DateTimeField("modifié le", auto_now=True, db_default=Now())

    objects = PlaceQuerySet.as_manager()

    class Meta:
        verbose_name = "lieu"
        ordering = ["nom", "id"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "local_id"], name="places_place_dataset_local_id_unique"),
        ]
        indexes = [
            models.Index(fields=["commune", "is_published"], name="places_commune_published_idx"),
            # Partial (decision 007): an index entry per place that has a structure or was merged.
            models.Index(fields=["structure"], name="places_structure_idx", condition=Q(structure__isnull=False)),
            models.Index(
                fields=["merged_into"], name="places_merged_into_idx", condition=Q(merged_into__isnull=False)
            ),
        ]

    def __str__(self):
        return f"{self.nom} ({self.commune_nom})"

    @property
    def position_approximate(self) -> bool:
        return self.position_origin != PositionOrigin.GIVEN


class ImportBatch(TimestampedModel):
    """One run of an import: file, detected format, counts, report, progress."""

    dataset = models.CharField("jeu de données", max_length=120)
    filename = models.CharField("fichier", max_length=300)
    file_sha256 = models.CharField("empreinte du fichier", max_length=64, blank=True)
    detected = models.JSONField("format détecté", default=dict, blank=True)
    status = models.CharField("état", max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING)
    dry_run = models.BooleanField("simulation", default=False)
    rows_total = models.PositiveIntegerField("lignes", default=0)
    rows_done = models.PositiveIntegerField("lignes traitées", default=0)
    report = models.JSONField("rapport", default=dict, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    finished_at = models.DateTimeField("terminé le", null=True, blank=True)

    class Meta:
        verbose_name = "import de lieux"
        verbose_name_plural = "imports de lieux"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"


class QuarantinedRow(TimestampedModel):
    """A rejected row, kept with its reasons until someone fixes and resubmits (or discards) it."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="quarantined_rows")
    dataset = models.CharField("jeu de données", max_length=120, db_index=True)
    fingerprint = models.CharField("empreinte de la ligne", max_length=64, db_index=True)
    line = models.PositiveIntegerField("ligne")
    data = models.JSONField("valeurs (standard)", default=dict)
    raw = models.JSONField("ligne d'origine", default=dict)
    errors = models.JSONField("erreurs", default=list)
    status = models.CharField(
        "état", max_length=12, choices=QuarantineStatus.choices, default=QuarantineStatus.PENDING, db_index=True
    )
    place = models.ForeignKey(Place, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = "ligne en quarantaine"
        verbose_name_plural = "lignes en quarantaine"
        ordering = ["batch", "line"]

    def __str__(self):
        return f"{self.batch.filename}, ligne {self.line}"


class DuplicateCandidate(TimestampedModel):
    """Two places that may be the same, with the explained score that made them candidates."""

    first = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    second = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField("score")
    details = models.JSONField("détail du score", default=dict)
    status = models.CharField(
        "état", max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING, db_index=True
    )
    note = models.CharField("motif", max_length=500, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField("examiné le", null=True, blank=True)

    class Meta:
        verbose_name = "doublon possible"
        verbose_name_plural = "doublons possibles"
        ordering = ["-score", "id"]
        constraints = [
            models.UniqueConstraint(fields=["first", "second"], name="places_duplicate_pair_unique"),
            models.CheckConstraint(condition=models.Q(first__lt=models.F("second")), name="places_duplicate_ordered"),
        ]

    def __str__(self):
        return f"{self.first} ≈ {self.second} ({self.score})"


class PlaceMerge(TimestampedModel):
    """A merge, kept so that it can be undone: the kept place's values before, and the merged ones."""

    kept = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="merges")
    merged = models.ManyToManyField(Place, related_name="+")
    before = models.JSONField("valeurs avant fusion", default=dict)
    choices = models.JSONField("choix par champ", default=dict)
    after = models.JSONField("valeurs après fusion", default=dict)
    candidates = models.ManyToManyField(DuplicateCandidate, blank=True, related_name="merges")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    undone_at = models.DateTimeField("annulée le", null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "fusion de lieux"
        verbose_name_plural = "fusions de lieux"
        ordering = ["-created_at"]

    def __str__(self):
        return f"Fusion dans {self.kept}"


class PhoneCall(models.Model):
    """An anonymous call to the numéro vert: where from, what need, what outcome. No caller data."""

    created_at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    need = models.CharField("besoin", max_length=100, blank=True)
    outcome = models.CharField("issue", max_length=12, choices=CallOutcome.choices)
    places = models.ManyToManyField(Place, blank=True, related_name="+")
    operator = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = "appel"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.get_outcome_display()}"


class OrientationLink(models.Model):
    """A short link to a fiche d'orientation (one or several places), to share with a person."""

    code = models.CharField("code", max_length=12, unique=True)
    places = models.JSONField("lieux", default=list)
    note = models.CharField("à apporter / remarque", max_length=500, blank=True)
    created_at = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "lien d'orientation"
        verbose_name_plural = "liens d'orientation"

    def __str__(self):
        return self.code
