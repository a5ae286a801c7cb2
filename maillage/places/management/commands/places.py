import json
from pathlib import Path

from django.core.exceptions import ValidationError

from maillage.core.audit import command_run
from maillage.core.commands import CommandError, SubcommandCommand
from maillage.places import services
from maillage.places.importing.runner import ImportRefused
from maillage.places.importing.variants import load_mapping, sibling_mapping


class Command(SubcommandCommand):
    help = "Lieux de médiation numérique : import, export, doublons."

    def add_actions(self, actions):
        load = actions.add_parser("import", help="Importer un fichier de lieux (CSV, JSON ou XLSX).")
        load.add_argument("path", metavar="PATH")
        load.add_argument("--source", help="Nom du jeu de données (par défaut : tiré du nom du fichier).")
        load.add_argument("--dry-run", action="store_true", help="Tout vérifier sans rien enregistrer.")
        load.add_argument("--report", metavar="REPORT.json", help="Écrire le rapport complet dans ce fichier.")
        load.add_argument(
            "--mapping",
            metavar="CONFIG.json",
            help="Correspondance de colonnes (format ANCT) pour un export brut ; par défaut, le *.config.json "
            "placé à côté du fichier s'il est seul.",
        )
        load.add_argument("--no-progress", action="store_true")

        export = actions.add_parser("export", help="Exporter les lieux au format du standard (CSV ou JSON).")
        export.add_argument("path", metavar="PATH", help="Fichier à écrire (.csv ou .json), ou - pour la sortie.")
        export.add_argument("--territoire", help="commune|epci|departement|region:<code>")
        export.add_argument("--source", help="Seulement ce jeu de données.")
        export.add_argument("--format", choices=["csv", "json"])

        dedup = actions.add_parser(
            "dedup", aliases=["doublons"], help="Chercher les doublons possibles (sans rien fusionner)."
        )
        dedup.add_argument("--territoire", help="commune|epci|departement|region:<code>")
        dedup.add_argument(
            "--seuil", type=int, help="Score minimal (0–100) d'une paire à examiner ; par défaut PLACES_DEDUP."
        )

    def handle_import(self, *, path, source, dry_run, report, mapping, no_progress, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        config = Path(mapping) if mapping else sibling_mapping(file)
        try:
            variant = load_mapping(config) if config else None
        except (ValueError, OSError) as error:
            raise CommandError(f"Correspondance illisible ({config}) : {error}") from error
        bar = self.progress(not no_progress)
        state = {"bar": None}

        def progress(done, total):
            if no_progress:
                return
            if state["bar"] is None:
                state["bar"] = bar(range(total), desc="Lignes", unit=" lignes").__iter__()
            if hasattr(state["bar"], "n"):
                state["bar"].n = done
                state["bar"].refresh()

        with command_run():
            try:
                result, batch = services.place_import_file(
                    actor=None,
                    data=file.read_bytes(),
                    filename=file.name,
                    dataset=source,
                    dry_run=dry_run,
                    mapping=variant,
                    progress=progress,
                )
            except ImportRefused as error:
                raise CommandError(f"{file.name} : {error}") from error
        if report:
            Path(report).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
        self.stdout.write(services.report_summary(result))

    def handle_export(self, *, path, territoire, source, format, **options):
        from maillage.places.export import export_places

        fmt = format or ("json" if path.endswith(".json") else "csv")
        try:
            data = export_places(fmt=fmt, territory=territoire, dataset=source)
        except ValueError as error:
            raise CommandError(str(error)) from error
        if path == "-":
            self.stdout.write(data.decode("utf-8"), ending="")
        else:
            Path(path).write_bytes(data)
            self.stderr.write(f"Export écrit : {path}")

    def handle_dedup(self, *, territoire, seuil, **options):
        try:
            with command_run():
                summary = services.duplicates_refresh(actor=None, territory=territoire, threshold=seuil)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        where = f" ({summary['territory']})" if summary["territory"] else ""
        self.stdout.write(
            f"{summary['places']} lieu(x) comparé(s){where}, seuil {summary['threshold']} : "
            f"{summary['found']} paire(s) au-dessus du seuil, {summary['new']} nouvelle(s), "
            f"{summary['withdrawn']} retirée(s) ; {summary['pending']} paire(s) à examiner sur /lieux/doublons/."
        )

    handle_doublons = handle_dedup
