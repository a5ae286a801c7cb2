from django.db.models import Count, Q
from django.http import Http404

from maillage.core.roles import STRUCTURE_ROLES, TERRITORIAL_ROLES
from maillage.structures import perms
from maillage.structures.models import Structure


def structures_visible_to(user):
    """The structures a user may see (see perms.can_view_structure)."""
    structures = Structure.objects.select_related("commune", "commune__departement")
    if user.is_superuser:
        return structures
    query = Q(pk__in=perms.structure_ids_of(user, *STRUCTURE_ROLES))
    for territory in perms.territories_of(user, *TERRITORIAL_ROLES):
        query |= territory.commune_q("commune__")
    return structures.filter(query)


def get_structure_for_user(user, pk) -> Structure:
    """The structure `pk` if the user may see it; 404 otherwise (its existence is not disclosed)."""
    structure = Structure.objects.select_related("commune", "commune__departement").filter(pk=pk).first()
    if structure is None or not perms.can_view_structure(user, structure):
        raise Http404("Structure introuvable.")
    return structure


def structure_counts_by_type(ref) -> list[dict]:
    return list(
        Structure.objects.active().in_territory(ref).values("type").annotate(total=Count("id")).order_by("-total")
    )
