from django.db import models

from maillage.core.actions import register_actions


@register_actions
class AuditAction(models.TextChoices):
    USER_CREATED = "users.user_created", "Compte créé"
    LOGGED_IN = "users.logged_in", "Connexion"
    PASSWORD_CHANGED = "users.password_changed", "Mot de passe modifié"
