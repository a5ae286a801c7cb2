"""The roles of maillage. Roles are data: a user holds them through memberships (structures app)."""

from django.db import models


class Role(models.TextChoices):
    COORDINATEUR = "coordinateur", "Coordinateur"
    GESTIONNAIRE = "gestionnaire", "Gestionnaire de structure"
    MEDIATEUR = "mediateur", "Médiateur numérique"
    AIDANT = "aidant", "Aidant (Aidants Connect)"
    OBSERVATEUR = "observateur", "Observateur"


# Roles scoped to a territory (a département or an EPCI) rather than to one structure.
TERRITORIAL_ROLES = frozenset({Role.COORDINATEUR, Role.OBSERVATEUR})
# Roles scoped to one structure.
STRUCTURE_ROLES = frozenset({Role.GESTIONNAIRE, Role.MEDIATEUR, Role.AIDANT})
