import json
from pathlib import Path

from maillage.activity import rollups, schemes, services
from maillage.activity.enums import AuditAction
from maillage.activity.generate import generate_activities
from maillage.activity.importing import ImportRefused
from maillage.core import audit
from maillage.core.audit import command_run
from maillage.core.commands import CommandError, SubcommandCommand
from maillage.structures.models import Structure


class Command(SubcommandCommand):
    help = "Activité de médiation numérique : import, dispositifs nationaux, agrégats, rétention, génération."

    def add_actions(self, actions):
        load = actions.add_parser("import", help="Importer un fichier d'activités (CSV ou XLSX).")
        load.add_argument("path", metavar="FILE")
        load.add_argument("--structure", metavar="SIRET", help="Structure de toutes les lignes (remplace la colonne).")
        load.add_argument("--dry-run", action="store_true", help="Tout vérifier sans rien enregistrer.")
        load.add_argument("--report", metavar="REPORT.json", help="Écrire le rapport complet dans ce fichier.")

        schemes_parser = actions.add_parser(
            "dispositifs",
            help="Importer les chiffres des dispositifs nationaux (conseillers numériques, Aidants Connect…).",
        )
        schemes_parser.add_argument(
            "paths",
            nargs="*",
            metavar="FILE",
            help="Fichiers à importer (par défaut : ceux du dossier ACTIVITY_STATS_DIR). Un CSV de séries "
            "« dispositif,indicateur,territoire,du,au,valeur » est aussi accepté.",
        )

        rollup = actions.add_parser("rollups", help="Vérifier ou reconstruire les agrégats.")
        rollup.add_argument("--rebuild", action="store_true", help="Tout recalculer depuis les activités.")

        purge = actions.add_parser(
            "purge", help="Anonymiser les bénéficiaires suivis inactifs (à lancer chaque jour)."
        )
        purge.add_argument("--months", type=int, help="Délai d'inactivité (par défaut ACTIVITY_RETENTION_MONTHS, 24).")
        purge.add_argument("--dry-run", action="store_true")

        generate = actions.add_parser("generate", help="Générer de l'activité synthétique réaliste (démo, mesures).")
        generate.add_argument("--n", type=int, required=True)
        generate.add_argument("--seed", type=int, default=28)
        generate.add_argument("--departement", help="Seulement les structures de ce département.")

    def handle_import(self, *, path, structure, dry_run, report, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        forced = None
        if structure:
            forced = Structure.objects.filter(siret=structure.replace(" ", "")).first()
            if forced is None:
                raise CommandError(f"Structure inconnue : SIRET {structure}")
        with command_run():
            try:
                result, _ = services.activity_import_file(
                    actor=None, data=file.read_bytes(), filename=file.name, structure=forced, dry_run=dry_run
                )
            except ImportRefused as error:
                raise CommandError(f"{file.name} : {error}") from error
        if report:
            Path(report).write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
        self.stdout.write(services.report_summary(result))

    def handle_dispositifs(self, *, paths, **options):
        files = [Path(p) for p in paths] or [
            schemes.stats_dir() / schemes.CONUM_FILE,
            schemes.stats_dir() / schemes.AIDANTS_CONNECT_FILE,
        ]
        with command_run():
            for file in files:
                if not file.is_file():
                    raise CommandError(f"Fichier introuvable : {file}")
                try:
                    if file.name.endswith(".json"):
                        count = schemes.import_conseillers_numeriques(file)
                    elif file.name == schemes.AIDANTS_CONNECT_FILE or "aidants" in file.name.lower():
                        count = schemes.import_aidants_connect(file)
                    else:
                        count = schemes.import_series(file)
                except (ValueError, KeyError) as error:
                    raise CommandError(f"{file.name} : {error}") from error
                self.stdout.write(f"{file.name} : {count} chiffre(s) importé(s).")

    def handle_rollups(self, *, rebuild, **options):
        from maillage.activity.selectors import raw_figures, rollup_totals

        if rebuild:
            with command_run():
                counts = rollups.rebuild()
                audit.record(actor=None, action=AuditAction.ROLLUPS_REBUILT, payload=counts)
            self.stdout.write(f"Agrégats reconstruits : {counts['daily']} jour(s), {counts['monthly']} mois.")
        totals = rollup_totals()
        raw = raw_figures(with_days=False)
        same = totals["accompagnements"] == raw["accompagnements"] and (
            totals["activites_individuelles"] + totals["activites_collectives"] == raw["activites"]
        )
        self.stdout.write(
            f"{raw['activites']} activité(s), {raw['accompagnements']} accompagnement(s) : agrégats "
            + ("exacts." if same else "DIFFÉRENTS — relancez avec --rebuild.")
        )
        orphans = {name: count for name, count in services.orphan_references().items() if count}
        if orphans:
            listed = ", ".join(f"{name} : {count}" for name, count in orphans.items())
            raise CommandError(f"Activités dont la référence n'existe plus — {listed}.")
        self.stdout.write("Références des activités : toutes présentes.")

    def handle_purge(self, *, months, dry_run, **options):
        with command_run():
            count = services.beneficiaries_purge(months=months, dry_run=dry_run)
        verb = "à anonymiser" if dry_run else "anonymisé(s)"
        self.stdout.write(f"{count} bénéficiaire(s) suivi(s) inactif(s) {verb}.")

    def handle_generate(self, *, n, seed, departement, **options):
        with command_run():
            try:
                batch = generate_activities(n=n, seed=seed, departement=departement)
            except ValueError as error:
                raise CommandError(str(error)) from error
            audit.record(
                actor=None, action=AuditAction.ACTIVITIES_GENERATED, obj=batch, payload={"n": n, "seed": seed}
            )
        self.stdout.write(f"{n} activité(s) générée(s) (graine {seed}).")
