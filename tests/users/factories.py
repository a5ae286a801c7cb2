import factory

from maillage.users.models import User

DEFAULT_PASSWORD = "un-mot-de-passe-solide"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    class Params:
        for_snapshot = factory.Trait(email="camille.martin@exemple.fr", first_name="Camille", last_name="Martin")
        superuser = factory.Trait(is_superuser=True, is_staff=True)

    @classmethod
    def _after_postgeneration(cls, instance, create, results=None):
        if create:
            instance.save()
