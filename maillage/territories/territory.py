"""`TerritoryRef`: a territory named by its level and code ("departement:28"), whatever its level.

Every app scopes data with it: memberships of coordinateurs, statistics (`?territoire=epci:200069961`),
diagnosis and roadmaps. It knows which communes it contains and how to filter any model that
reaches a commune.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.urls import reverse

from maillage.territories.enums import Level
from maillage.territories.models import Commune, Departement, Epci, Region

_MODELS = {Level.COMMUNE: Commune, Level.EPCI: Epci, Level.DEPARTEMENT: Departement, Level.REGION: Region}
# How a commune row points at a territory of each level.
_COMMUNE_FIELD = {
    Level.COMMUNE: "code",
    Level.EPCI: "epci_id",
    Level.DEPARTEMENT: "departement_id",
    Level.REGION: "region_id",
}
_URL_NAMES = {
    Level.COMMUNE: "territories:commune",
    Level.EPCI: "territories:epci",
    Level.DEPARTEMENT: "territories:departement",
    Level.REGION: "territories:region",
}


@dataclass(frozen=True)
class TerritoryRef:
    level: Level
    code: str

    def __post_init__(self):
        # Always hold the enum member, so that refs built from strings compare and hash alike.
        object.__setattr__(self, "level", Level(self.level))

    def __str__(self):
        return f"{self.level.value}:{self.code}"

    @classmethod
    def parse(cls, value: str) -> "TerritoryRef":
        """Parse "departement:28"; raise ValidationError with a French message otherwise."""
        level, sep, code = (value or "").partition(":")
        if not sep or level not in Level.values or not code:
            raise ValidationError(
                "Territoire invalide : %(value)s. Format attendu : commune|epci|departement|region:<code>, "
                "par exemple departement:28.",
                params={"value": value},
                code="invalid_territory",
            )
        return cls(Level(level), code.strip().upper() if level == Level.DEPARTEMENT else code.strip())

    @property
    def model(self):
        return _MODELS[self.level]

    def get_object(self):
        """The territory itself; raises the model's DoesNotExist for an unknown code."""
        return self.model.objects.get(code=self.code)

    def exists(self) -> bool:
        return self.model.objects.filter(code=self.code).exists()

    def commune_q(self, prefix: str = "") -> Q:
        """A filter on communes (or on any model through `prefix`, e.g. "commune__")."""
        field = _COMMUNE_FIELD[self.level]
        if self.level == Level.COMMUNE:
            # A commune contains itself and, for Paris, Lyon and Marseille, its arrondissements.
            return Q(**{f"{prefix}code": self.code}) | Q(**{f"{prefix}parent_id": self.code})
        return Q(**{f"{prefix}{field}": self.code})

    def communes(self):
        return Commune.objects.filter(self.commune_q())

    def contains(self, commune: Commune | None) -> bool:
        if commune is None:
            return False
        if self.level == Level.COMMUNE:
            return self.code in (commune.code, commune.parent_id)
        return getattr(commune, _COMMUNE_FIELD[self.level]) == self.code

    def get_absolute_url(self) -> str:
        return reverse(_URL_NAMES[self.level], args=[self.code])
