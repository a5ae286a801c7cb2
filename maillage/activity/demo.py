"""Demo data of the activity app for the demo territory.

- The national schemes' real figures (../shared/data/stats, or ACTIVITY_STATS_DIR) when present.
- About 4,000 synthetic activities over the last two years for the territory's structures
  (seeded, generated once: running the demo again changes nothing).
"""

from maillage.activity import schemes
from maillage.activity.generate import generate_activities
from maillage.activity.models import ActivityImport, SchemeFigure

DEMO_ACTIVITIES = 4000
DEMO_SEED = 28


def seed_activity(departement: str) -> str:
    """Create the demo data (idempotent); return one line to print, or an empty string."""
    parts = []
    folder = schemes.stats_dir()
    conum, aidants = folder / schemes.CONUM_FILE, folder / schemes.AIDANTS_CONNECT_FILE
    if conum.is_file() and not SchemeFigure.objects.filter(source=conum.name).exists():
        schemes.import_conseillers_numeriques(conum)
    if aidants.is_file() and not SchemeFigure.objects.filter(source=aidants.name).exists():
        schemes.import_aidants_connect(aidants)
    if SchemeFigure.objects.exists():
        parts.append(f"{SchemeFigure.objects.count()} chiffres des dispositifs nationaux")
    else:
        parts.append(f"pas de chiffres des dispositifs nationaux (fichiers absents de {folder})")
    label = f"demonstration-{departement}"
    if not ActivityImport.objects.filter(filename=label).exists():
        try:
            generate_activities(n=DEMO_ACTIVITIES, seed=DEMO_SEED, departement=departement, label=label)
        except ValueError:
            return "Activité : aucune structure dans le département, rien à générer."
    parts.insert(0, f"{DEMO_ACTIVITIES} activités de démonstration")
    return "Activité : " + ", ".join(parts) + "."
