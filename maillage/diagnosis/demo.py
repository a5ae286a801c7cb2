"""Demo data of the diagnosis app for the demo territory.

The published IFN scores are not shipped with the project (they stay in the shared data set), so
the demo stores a run of the local method `maillage-acces`, computed only from what the project
has: the demo places (distance, opening hours within reach) and the territory reference
(population density). It is labelled « Démonstration » everywhere; pages explain how to load the
official index (`maillage diagnosis compute … --store`).
"""

from django.core.exceptions import ValidationError

from maillage.diagnosis.enums import RunKind
from maillage.diagnosis.methods import load_method
from maillage.diagnosis.models import IndexRun
from maillage.diagnosis.services import index_compute, index_run_store
from maillage.territories.territory import TerritoryRef

DEMO_METHOD = "maillage-acces"


def seed_diagnosis(departement: str) -> str:
    """Create the demo data (idempotent); return one line to print, or an empty string."""
    if IndexRun.objects.filter(kind=RunKind.DEMO, method_key=DEMO_METHOD).exists():
        return ""
    scope = TerritoryRef("departement", departement)
    try:
        computation = index_compute(method=load_method(DEMO_METHOD), scope=scope)
    except ValidationError as error:  # no demo place: the pages show how to load an index
        return f"Diagnostic : pas d'indice de démonstration ({' '.join(error.messages)})"
    run = index_run_store(
        actor=None,
        computation=computation,
        kind=RunKind.DEMO,
        data_vintage="démonstration : lieux de démonstration et référentiel territorial",
        departements={departement},
        levels=("commune", "epci", "departement"),
    )
    communes = run.counts.get("commune", 0)
    return f"Diagnostic : indice de démonstration « éloignement des lieux » calculé ({communes} communes)."
