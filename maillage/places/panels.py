from maillage.core.panels import Panel
from maillage.places.selectors import territory_place_figures


def territory_places_panel(request, ref) -> Panel:
    """Live figures of the places of a territory (public: published places only)."""
    figures = territory_place_figures(ref)
    return Panel(
        title="Lieux de médiation numérique",
        template="places/includes/territory_panel.html",
        context={**figures, "ref": str(ref), "search": ref.code if ref.level == "commune" else ""},
        order=10,
    )
