from maillage.core.audit import command_run
from maillage.core.commands import CommandError, SubcommandCommand
from maillage.demo.services import DEMO_PASSWORD, demo_seed


class Command(SubcommandCommand):
    help = "Territoire de démonstration (Eure-et-Loir) et comptes de démonstration."

    def add_actions(self, actions):
        seed = actions.add_parser("seed", help="Créer les données de démonstration (idempotent).")
        seed.add_argument("--departement", default="28")

    def handle_seed(self, *, departement, **options):
        with command_run():
            try:
                result = demo_seed(departement=departement)
            except ValueError as error:
                raise CommandError(str(error)) from error
        for line in result.lines:
            self.stdout.write(line)
        self.stdout.write(f"Comptes de démonstration (mot de passe : {DEMO_PASSWORD}) :")
        for account in result.accounts:
            self.stdout.write(f"  {account.role:<28} {account.email:<34} {account.scope}")
