import sys

from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from maillage.core.audit import command_run
from maillage.core.commands import CommandError, SubcommandCommand
from maillage.core.roles import Role
from maillage.structures.models import Structure
from maillage.structures.services import membership_grant
from maillage.territories.territory import TerritoryRef
from maillage.users.services import user_get_or_create


class Command(SubcommandCommand):
    help = "Comptes des utilisateurs et leurs rôles."

    def add_actions(self, actions):
        create = actions.add_parser(
            "create", help="Créer un compte (ou le retrouver) avec un rôle, et afficher son id (idempotent)."
        )
        create.add_argument("--email", required=True)
        create.add_argument("--structure", type=int, help="Id de la structure (maillage structures create).")
        create.add_argument("--role", required=True, choices=Role.values)
        create.add_argument(
            "--territoire",
            help="Pour coordinateur et observateur : departement:28 ou epci:<SIREN> "
            "(par défaut, le département de la structure).",
        )
        create.add_argument("--prenom", default="")
        create.add_argument("--nom", default="")
        create.add_argument(
            "--password-stdin", action="store_true", help="Lire le mot de passe sur l'entrée standard."
        )

    def handle_create(self, *, email, structure, role, territoire, prenom, nom, password_stdin, **options):
        found = None
        if structure is not None:
            found = Structure.objects.select_related("commune__departement").filter(pk=structure).first()
            if found is None:
                raise CommandError(f"Structure inconnue : {structure}.")
        password = sys.stdin.readline().rstrip("\n") if password_stdin else None
        with command_run():
            try:
                territory = TerritoryRef.parse(territoire) if territoire else None
                user, created = user_get_or_create(
                    actor=None, email=email, first_name=prenom, last_name=nom, password=password
                )
                membership_grant(actor=None, user=user, role=role, structure=found, territory=territory)
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from error
        if created and not password:
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            link = reverse("users:password_reset_confirm", args=[uid, default_token_generator.make_token(user)])
            self.stderr.write(f"Lien pour choisir le mot de passe (à préfixer par l'adresse du site) : {link}")
        self.stdout.write(str(user.pk))
