"""The demo territory: Eure-et-Loir (28), a few real-looking structures and one account per role.

Idempotent: running it again finds what exists and changes nothing. Structure names are public
institutions of Eure-et-Loir; SIRET numbers are omitted (the demo must not pretend to know them).
"""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from maillage.activity.demo import seed_activity
from maillage.core.roles import Role
from maillage.diagnosis.demo import seed_diagnosis
from maillage.places.demo import seed_places
from maillage.roadmap.demo import seed_roadmap
from maillage.structures.enums import StructureType
from maillage.structures.models import Structure
from maillage.structures.services import membership_grant, structure_create
from maillage.territories.models import Commune
from maillage.territories.territory import TerritoryRef
from maillage.users.services import user_get_or_create

DEMO_PASSWORD = "maillage-demo-28"  # noqa: S105 (published demo accounts on a local machine)
DEMO_STRUCTURES = [
    ("Conseil départemental d'Eure-et-Loir", StructureType.COLLECTIVITE, "28085", "1 place Châtelet"),
    ("France Services de Châteaudun", StructureType.FRANCE_SERVICES, "28088", "Place du 18 Octobre"),
    ("Médiathèque L'Apostrophe", StructureType.MEDIATHEQUE, "28085", "1 boulevard Maurice-Violette"),
    ("Association Numérique pour tous Drouais", StructureType.ASSOCIATION, "28134", "Rue de Chartres"),
    ("CCAS de Nogent-le-Rotrou", StructureType.CCAS, "28280", "Place Saint-Pol"),
]


@dataclass
class DemoAccount:
    email: str
    role: str
    scope: str


# Other apps add their demo data here: functions `(departement: str) -> str` (a line to print),
# called in order after the structures and accounts exist.
DEMO_SEEDERS: list = [seed_places, seed_diagnosis, seed_activity, seed_roadmap]


@dataclass
class DemoResult:
    accounts: list[DemoAccount]
    lines: list[str]


def demo_seed(*, departement: str = "28") -> DemoResult:
    """Create the demo structures and accounts (one per role), then each app's demo data."""
    if not Commune.objects.filter(departement_id=departement).exists():
        raise ValueError(f"Le département {departement} n'est pas chargé : lancez d'abord maillage territories load.")
    User = get_user_model()
    structures = {}
    with transaction.atomic():
        for nom, type_, commune_code, adresse in DEMO_STRUCTURES:
            commune = Commune.objects.get(code=commune_code)
            existing = Structure.objects.filter(nom=nom, commune=commune).first()
            structures[type_] = (
                existing or structure_create(actor=None, nom=nom, commune=commune, type=type_, adresse=adresse)[0]
            )
        territory = TerritoryRef("departement", departement)
        plan = [
            ("coordinateur@demo.maillage.fr", Role.COORDINATEUR, structures[StructureType.COLLECTIVITE], territory),
            ("gestionnaire@demo.maillage.fr", Role.GESTIONNAIRE, structures[StructureType.FRANCE_SERVICES], None),
            ("mediateur@demo.maillage.fr", Role.MEDIATEUR, structures[StructureType.FRANCE_SERVICES], None),
            ("aidant@demo.maillage.fr", Role.AIDANT, structures[StructureType.CCAS], None),
            ("observateur@demo.maillage.fr", Role.OBSERVATEUR, None, territory),
        ]
        accounts = []
        for email, role, structure, scope in plan:
            user = User.objects.filter(email=email).first()
            if user is None:
                first_name = Role(role).label.split()[0]
                user, _ = user_get_or_create(
                    actor=None, email=email, first_name=first_name, last_name="Démo", password=DEMO_PASSWORD
                )
            membership_grant(actor=None, user=user, role=role, structure=structure, territory=scope)
            accounts.append(DemoAccount(email, Role(role).label, str(scope) if scope else structure.nom))
    lines = [seeder(departement) for seeder in DEMO_SEEDERS]
    return DemoResult(accounts, [line for line in lines if line])
