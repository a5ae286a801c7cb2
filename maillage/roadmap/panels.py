from maillage.core.panels import Panel
from maillage.roadmap.models import Roadmap
from maillage.roadmap.selectors import status_counts


def territory_roadmap_panel(request, ref) -> Panel | None:
    """The public progress of the roadmaps of a territory (nothing when it has none)."""
    roadmaps = list(Roadmap.objects.filter(territory_level=ref.level.value, territory_code=ref.code))
    if not roadmaps:
        return None
    return Panel(
        title="Feuille de route",
        template="roadmap/includes/territory_panel.html",
        context={"roadmaps": [(roadmap, status_counts(roadmap)) for roadmap in roadmaps]},
        order=40,
    )
