import json
import sys
from pathlib import Path

from django.core.exceptions import ValidationError

from maillage.core.audit import command_run
from maillage.core.commands import CommandError, SubcommandCommand
from maillage.roadmap import services
from maillage.roadmap.models import Roadmap
from maillage.roadmap.targets import as_payload, territorialise
from maillage.territories.territory import TerritoryRef


class Command(SubcommandCommand):
    help = "Feuille de route : import, export, objectifs nationaux territorialisés."

    def add_actions(self, actions):
        load = actions.add_parser("import", help="Importer une feuille de route entière (YAML ou JSON).")
        load.add_argument("path", metavar="PATH")
        load.add_argument("--dry-run", action="store_true", help="Tout vérifier sans rien enregistrer.")
        load.add_argument("--report", metavar="REPORT.json", help="Écrire les erreurs dans ce fichier.")

        export = actions.add_parser("export", help="Exporter une feuille de route (YAML ou JSON).")
        export.add_argument("identifiant", help="Identifiant de la feuille de route (ex. numerique-28-ensemble).")
        export.add_argument("path", metavar="PATH", help="Fichier à écrire (.yaml ou .json), ou - pour la sortie.")
        export.add_argument("--format", choices=["yaml", "json"])

        targets = actions.add_parser("objectifs", help="Objectifs nationaux territorialisés et progression.")
        targets.add_argument("--territoire", required=True, help="commune|epci|departement|region:<code>")
        targets.add_argument("--regle", choices=["population", "fragile"], default="population")
        targets.add_argument("--json", action="store_true", help="Sortie JSON.")

    def handle_import(self, *, path, dry_run, report, **options):
        file = Path(path)
        if not file.is_file():
            raise CommandError(f"Fichier introuvable : {path}")
        with command_run():
            try:
                result = services.roadmap_import(
                    actor=None, data=file.read_bytes(), filename=file.name, dry_run=dry_run
                )
            except services.RoadmapImportError as error:
                if report:
                    Path(report).write_text(
                        json.dumps([p.as_dict() for p in error.problems], indent=2, ensure_ascii=False),
                        encoding="utf-8",
                    )
                for problem in error.problems[:200]:
                    self.stderr.write(f"{file.name}, {problem}")
                raise CommandError(str(error)) from error
        for warning in result.warnings:
            self.stdout.write(f"Attention : {warning}")
        self.stdout.write(result.summary())

    def handle_export(self, *, identifiant, path, format, **options):
        roadmap = Roadmap.objects.filter(slug=identifiant).first()
        if roadmap is None:
            raise CommandError(f"Feuille de route inconnue : {identifiant}")
        fmt = format or ("json" if path.endswith(".json") else "yaml")
        with command_run():
            text = services.roadmap_export(actor=None, roadmap=roadmap, fmt=fmt)
        if path == "-":
            sys.stdout.write(text)
        else:
            Path(path).write_text(text, encoding="utf-8")
            self.stdout.write(f"{roadmap.actions.count()} actions exportées dans {path}.")

    def handle_objectifs(self, *, territoire, regle, json: bool, **options):
        try:
            ref = TerritoryRef.parse(territoire)
        except ValidationError as error:
            raise CommandError(error.messages[0]) from error
        if not ref.exists():
            raise CommandError(f"Territoire absent du référentiel : {territoire}")
        result = territorialise(ref, regle)
        if json:
            import json as json_module

            payload = as_payload(result)
            self.stdout.write(json_module.dumps(payload, ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"{ref} — règle : {result.rule_label}. {result.explanation}")
        for row in result.targets:
            actual = "—" if row.actual is None else f"{row.actual:,.0f}".replace(",", " ")
            progress = "" if row.progress is None else f" ({row.progress} %)"
            local = f"{row.local:,}".replace(",", " ")
            self.stdout.write(
                f"  {row.target.label} : objectif {local}, réalisé {actual}{progress} [{row.actual_source}]"
            )
