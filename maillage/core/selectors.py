from django.db.models import Q

from maillage.core.models import AuditEntry
from maillage.core.roles import Role
from maillage.territories.models import Departement
from maillage.territories.selectors import territory_figures


def demo_territory(code: str) -> dict | None:
    departement = Departement.objects.filter(code=code).first()
    if departement is None:
        return None
    return {"departement": departement, "figures": territory_figures(departement.ref)}


def journal_for_user(user):
    """Journal entries the user may read: his territories' as coordinateur, his structures' as gestionnaire."""
    if user.is_superuser:
        return AuditEntry.objects.all()
    memberships = user.memberships.filter(is_active=True)
    departements, epcis, structures = [], [], []
    for role, level, code, structure_id in memberships.values_list(
        "role", "territory_level", "territory_code", "structure_id"
    ):
        if role == Role.COORDINATEUR:
            (departements if level == "departement" else epcis).append(code)
        elif role == Role.GESTIONNAIRE:
            structures.append(structure_id)
    query = Q(pk__in=[])
    if departements:
        query |= Q(departement_code__in=departements)
    if epcis:
        query |= Q(epci_code__in=epcis)
    if structures:
        query |= Q(structure_id__in=structures)
    return AuditEntry.objects.filter(query)
