from maillage.core.panels import Panel
from maillage.diagnosis import selectors


def territory_diagnosis_panel(request, ref) -> Panel | None:
    """The territory's fragility score and a link to its diagnosis (public, aggregated)."""
    run = selectors.run_for_territory(ref)
    score = selectors.territory_score(run, ref) if run is not None else None
    return Panel(
        title="Diagnostic de fragilité numérique",
        template="diagnosis/includes/territory_panel.html",
        context={"run": run, "score": score, "level": ref.level.value, "code": ref.code},
        order=20,
    )
