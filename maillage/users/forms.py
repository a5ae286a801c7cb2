from django import forms
from django.contrib.auth import forms as auth_forms

from maillage.core.forms import ThemedFormMixin


class LoginForm(ThemedFormMixin, auth_forms.AuthenticationForm):
    username = forms.EmailField(
        label="Adresse électronique", widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    error_messages = {
        "invalid_login": "Adresse électronique ou mot de passe incorrect. Vérifiez votre saisie "
        "(après plusieurs échecs, le compte est bloqué quelques minutes).",
        "inactive": "Ce compte est désactivé.",
    }


class PasswordResetForm(ThemedFormMixin, auth_forms.PasswordResetForm):
    pass


class SetPasswordForm(ThemedFormMixin, auth_forms.SetPasswordForm):
    pass


class PasswordChangeForm(ThemedFormMixin, auth_forms.PasswordChangeForm):
    pass
