from django.apps import AppConfig


class UsersConfig(AppConfig):
    name = "maillage.users"
    label = "users"
    verbose_name = "Comptes"
