from django.core.exceptions import PermissionDenied, ValidationError

from maillage.core.audit import command_run
from maillage.core.commands import CommandError, SubcommandCommand
from maillage.structures.enums import StructureType
from maillage.structures.services import structure_create
from maillage.territories.selectors import resolve_commune


class Command(SubcommandCommand):
    help = "Structures (associations, collectivités, France Services, médiathèques…)."

    def add_actions(self, actions):
        create = actions.add_parser("create", help="Créer une structure (idempotent par SIRET) et afficher son id.")
        create.add_argument("--nom", required=True)
        create.add_argument("--commune", required=True, help="Code INSEE de la commune.")
        create.add_argument("--siret", default="")
        create.add_argument("--type", default=StructureType.AUTRE, choices=StructureType.values)
        create.add_argument("--adresse", default="")
        create.add_argument("--email", default="")
        create.add_argument("--telephone", default="")

    def handle_create(self, *, nom, commune, siret, type, adresse, email, telephone, **options):
        found = resolve_commune(commune)
        if found is None:
            raise CommandError(
                f"Commune inconnue : {commune}. Le référentiel est-il chargé (maillage territories load) ?"
            )
        with command_run():
            try:
                structure, created = structure_create(
                    actor=None,
                    nom=nom,
                    commune=found,
                    siret=siret,
                    type=type,
                    adresse=adresse,
                    email=email,
                    telephone=telephone,
                )
            except (ValidationError, PermissionDenied) as error:
                raise CommandError("; ".join(getattr(error, "messages", [str(error)]))) from error
        if not created:
            self.stderr.write(f"Une structure a déjà le SIRET {siret} : « {structure.nom} ».")
        self.stdout.write(str(structure.pk))
