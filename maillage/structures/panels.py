from maillage.core.panels import Panel
from maillage.structures.enums import StructureType
from maillage.structures.selectors import structure_counts_by_type


def territory_structures_panel(request, ref) -> Panel:
    """Counts of active structures by type: aggregate, public figures."""
    rows = structure_counts_by_type(ref)
    labels = dict(StructureType.choices)
    by_type = [{"label": labels.get(row["type"], row["type"]), "total": row["total"]} for row in rows]
    return Panel(
        title="Structures",
        template="structures/includes/territory_panel.html",
        context={"total": sum(row["total"] for row in rows), "by_type": by_type},
        order=50,
    )
