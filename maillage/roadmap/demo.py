"""Demo data of the roadmap app: the Eure-et-Loir roadmap « Numérique 28 Ensemble ».

The roadmap comes from maillage/roadmap/data/numerique-28-ensemble.yaml (written from the context
document) through the real importer. For the demo accounts to have something to do, two demo
structures are named porteurs of two actions, and a few financing lines marked « démonstration »
are added: the document itself names no porteur and no amount.
"""

import datetime as dt
from decimal import Decimal
from importlib.resources import files

from django.db import transaction

from maillage.roadmap.enums import FundingType
from maillage.roadmap.models import FinancingLine, Funder, Roadmap

DATA_FILE = "numerique-28-ensemble.yaml"
SLUG = "numerique-28-ensemble"
DEMO_LABEL = "démonstration"


def roadmap_data() -> bytes:
    return (files("maillage.roadmap") / "data" / DATA_FILE).read_bytes()


def seed_roadmap(departement: str) -> str:
    """Create the demo data (idempotent); return one line to print, or an empty string."""
    from maillage.roadmap.services import roadmap_import

    if departement != "28":
        return ""
    roadmap = Roadmap.objects.filter(slug=SLUG).first()
    if roadmap is None:
        roadmap = roadmap_import(actor=None, data=roadmap_data(), filename=DATA_FILE).roadmap
    _demo_extras(roadmap)
    return (
        f"Feuille de route « {roadmap.name} » : {roadmap.axes.count()} axes, {roadmap.actions.count()} actions, "
        f"{roadmap.indicators.count()} indicateurs."
    )


@transaction.atomic
def _demo_extras(roadmap: Roadmap) -> None:
    from maillage.structures.models import Structure

    departement = Structure.objects.filter(nom="Conseil départemental d'Eure-et-Loir").first()
    france_services = Structure.objects.filter(nom="France Services de Châteaudun").first()
    if departement is None or france_services is None:
        return
    carried = {"1.1.1": departement, "1.2.4": departement, "1.1.2": france_services}
    for code, structure in carried.items():
        action = roadmap.actions.filter(code=code).first()
        if action is not None:
            action.porteurs.add(structure)
    if roadmap.funders.filter(name__endswith=f"({DEMO_LABEL})").exists():
        return
    state = Funder.objects.create(roadmap=roadmap, name=f"État – ANCT ({DEMO_LABEL})", kind="État")
    cd = Funder.objects.create(roadmap=roadmap, name=f"Conseil départemental ({DEMO_LABEL})", kind="Collectivité")
    rows = [
        (state, "1.1.1", "Cartographie et numéro vert", FundingType.SUBVENTION, "20000"),
        (cd, "1.1.1", "Cartographie et numéro vert", FundingType.AUTOFINANCEMENT, "10000"),
        (state, "1.2.4", "Ingénierie du fonds d'inclusion numérique", FundingType.SUBVENTION, "15000"),
        (cd, "1.1.2", "Conseillers numériques France Services", FundingType.POSTE_AIDE, "25000"),
    ]
    for funder, code, purpose, kind, amount in rows:
        action = roadmap.actions.get(code=code)
        FinancingLine.objects.create(
            roadmap=roadmap,
            funder=funder,
            action=action,
            beneficiary=carried[code],
            purpose=f"{purpose} ({DEMO_LABEL})",
            type=kind,
            amount=Decimal(amount),
            start_date=dt.date(2025, 1, 1),
            end_date=dt.date(2025, 12, 31),
        )
        if not action.budget_lines.exists():
            action.budget_lines.create(label=f"Budget de l'action ({DEMO_LABEL})", amount=Decimal("40000"))
