from django.db import models

from maillage.territories.enums import CommuneType, EpciType, FormerCommuneType, Level, Zone

# INSEE "type de nom en clair" (TNCC): the article of a name and how it combines with "de".
_ARTICLES = {
    0: ("", "de "),
    1: ("", "d'"),
    2: ("Le ", "du "),
    3: ("La ", "de la "),
    4: ("Les ", "des "),
    5: ("L'", "de l'"),
    6: ("Aux ", "des "),
    7: ("Las ", "de las "),
    8: ("Los ", "de los "),
}


class NamedTerritory(models.Model):
    """Shared by régions, départements, EPCI and communes: an official code and a name."""

    level: Level

    code = models.CharField("code", max_length=9, primary_key=True)
    nom = models.CharField("nom", max_length=200)

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return self.nom

    @property
    def ref(self):
        from maillage.territories.territory import TerritoryRef

        return TerritoryRef(self.level, self.code)


class Region(NamedTerritory):
    level = Level.REGION

    type_liaison = models.PositiveSmallIntegerField("type de nom (TNCC)", default=0)
    chef_lieu = models.CharField("chef-lieu", max_length=5, blank=True)
    zone = models.CharField("zone", max_length=5, choices=Zone.choices)

    class Meta(NamedTerritory.Meta):
        verbose_name = "région"


class Departement(NamedTerritory):
    level = Level.DEPARTEMENT

    type_liaison = models.PositiveSmallIntegerField("type de nom (TNCC)", default=0)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="departements")
    chef_lieu = models.CharField("chef-lieu", max_length=5, blank=True)
    zone = models.CharField("zone", max_length=5, choices=Zone.choices)

    class Meta(NamedTerritory.Meta):
        verbose_name = "département"

    def __str__(self):
        return f"{self.nom} ({self.code})"

    @property
    def nom_de(self) -> str:
        """ "de l'Eure-et-Loir" / "du Loiret": the name after « de »."""
        return _ARTICLES.get(self.type_liaison, ("", "de "))[1] + self.nom


class Epci(NamedTerritory):
    level = Level.EPCI

    type = models.CharField("type", max_length=5, choices=EpciType.choices)
    mode_financement = models.CharField("fiscalité", max_length=3, blank=True)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)

    class Meta(NamedTerritory.Meta):
        verbose_name = "EPCI"
        verbose_name_plural = "EPCI"


class CommuneQuerySet(models.QuerySet):
    def communes(self):
        """Communes only (no arrondissements municipaux): what population sums must use."""
        return self.filter(type=CommuneType.COMMUNE)

    def in_territory(self, ref):
        return self.filter(ref.commune_q())


class Commune(NamedTerritory):
    level = Level.COMMUNE

    type = models.CharField("type", max_length=3, choices=CommuneType.choices, default=CommuneType.COMMUNE)
    type_liaison = models.PositiveSmallIntegerField("type de nom (TNCC)", default=0)
    departement = models.ForeignKey(Departement, on_delete=models.PROTECT, related_name="communes")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="communes")
    epci = models.ForeignKey(Epci, on_delete=models.PROTECT, related_name="communes", null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name="commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="arrondissements",
    )
    siren = models.CharField("SIREN", max_length=9, blank=True)
    population = models.PositiveIntegerField("population municipale", null=True, blank=True)
    area_km2 = models.FloatField("superficie (km²)", null=True, blank=True)
    latitude = models.FloatField("latitude", null=True, blank=True)
    longitude = models.FloatField("longitude", null=True, blank=True)
    geometry = models.BinaryField("contour (WKB, WGS84)", null=True, blank=True)
    search_name = models.CharField("nom normalisé", max_length=200, db_index=True)
    mairie_adresse = models.TextField("adresse de la mairie", blank=True)
    mairie_telephone = models.CharField("téléphone de la mairie", max_length=40, blank=True)
    mairie_email = models.CharField("courriel de la mairie", max_length=254, blank=True)
    mairie_site = models.CharField("site de la mairie", max_length=500, blank=True)
    is_current = models.BooleanField("en vigueur", default=True)

    objects = CommuneQuerySet.as_manager()

    class Meta(NamedTerritory.Meta):
        verbose_name = "commune"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type=CommuneType.COMMUNE) | models.Q(parent__isnull=False),
                name="territories_commune_arrondissement_has_parent",
            ),
        ]

    def __str__(self):
        return f"{self.nom} ({self.departement_id})"

    @property
    def density(self) -> float | None:
        if self.population is None or not self.area_km2:
            return None
        return self.population / self.area_km2


class PostalCode(models.Model):
    code = models.CharField("code postal", max_length=5, db_index=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="postal_codes")

    class Meta:
        verbose_name = "code postal"
        verbose_name_plural = "codes postaux"
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["code", "commune"], name="territories_postalcode_unique")]

    def __str__(self):
        return self.code


class FormerCommune(models.Model):
    """A code (and, where known, a name) that no longer designates a current commune.

    Communes déléguées and associées of communes nouvelles, and codes absorbed by mergers:
    user data that carries them is resolved to the current commune.
    """

    code = models.CharField("ancien code", max_length=5)
    nom = models.CharField("nom", max_length=200, blank=True)
    type = models.CharField("type", max_length=4, choices=FormerCommuneType.choices, blank=True)
    commune = models.ForeignKey(Commune, on_delete=models.CASCADE, related_name="former_communes")

    class Meta:
        verbose_name = "ancienne commune"
        verbose_name_plural = "anciennes communes"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["code", "type", "commune"], name="territories_formercommune_unique"),
        ]

    def __str__(self):
        return f"{self.nom or self.code} → {self.commune_id}"


class ReferenceLoad(models.Model):
    """One load of the territory reference: what was loaded, from which sources, with what result."""

    loaded_at = models.DateTimeField("chargé le", auto_now_add=True)
    checksum = models.CharField("empreinte des sources", max_length=64, db_index=True)
    sources = models.JSONField("sources", default=dict)
    counts = models.JSONField("résultat", default=dict)
    scope = models.CharField("périmètre", max_length=200, blank=True)
    duration_seconds = models.FloatField("durée (s)", default=0)

    class Meta:
        verbose_name = "chargement du référentiel"
        verbose_name_plural = "chargements du référentiel"
        ordering = ["-loaded_at", "-id"]

    def __str__(self):
        return f"{self.loaded_at:%Y-%m-%d %H:%M} ({self.scope or 'France entière'})"
