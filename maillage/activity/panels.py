import datetime as dt

from django.utils import timezone

from maillage.activity import perms
from maillage.activity.schemes import scheme_table
from maillage.activity.selectors import activity_figures, mask_small_counts
from maillage.core.panels import Panel


def territory_activity_panel(request, ref) -> Panel:
    """Live figures of the last 12 months and the national schemes' figures (secret statistique)."""
    end = timezone.localdate()
    start = end - dt.timedelta(days=364)
    figures = activity_figures(ref, start, end, with_days=False)
    masked = []
    if not perms.can_see_exact_figures(request.user, ref):
        figures, masked = mask_small_counts(figures)
    return Panel(
        title="Activité de médiation numérique",
        template="activity/includes/territory_panel.html",
        context={
            "figures": figures,
            "masked": bool(masked),
            "start": start,
            "end": end,
            "ref": str(ref),
            "schemes": scheme_table(ref),
        },
        order=20,
    )


def structure_activity_panel(request, structure) -> Panel | None:
    """On a structure's page, for those who may see its statistics: a link to its dashboard."""
    if not perms.can_view_structure_statistics(request.user, structure):
        return None
    return Panel(
        title="Activité de médiation numérique",
        template="activity/includes/structure_panel.html",
        context={"structure": structure},
        order=20,
    )
