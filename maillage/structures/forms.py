from django import forms
from django.core.exceptions import ValidationError

from maillage.core.forms import BaseForm, BaseModelForm
from maillage.core.roles import STRUCTURE_ROLES, TERRITORIAL_ROLES, Role
from maillage.structures.enums import StructureType
from maillage.structures.models import Structure
from maillage.territories.models import Commune
from maillage.territories.search import search_communes


class CommuneField(forms.CharField):
    """A commune typed as its INSEE code or its name; an ambiguous name asks for the code."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Commune")
        kwargs.setdefault("help_text", "Nom ou code INSEE, par exemple Châteaudun ou 28088.")
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Commune):
            return value.code
        if isinstance(value, str) and value:
            commune = Commune.objects.filter(code=value).first()
            return f"{commune.nom} ({commune.code})" if commune else value
        return value

    def clean(self, value):
        text = super().clean(value).strip()
        if not text:
            return None
        code = text.rsplit("(", 1)[-1].rstrip(")").strip() if text.endswith(")") else text
        commune = Commune.objects.filter(code=code.upper(), is_current=True).first()
        if commune is not None:
            return commune
        exact = [c for c in search_communes(text, limit=10) if c.nom.lower() == text.lower()]
        if len(exact) == 1:
            return exact[0]
        if len(exact) > 1:
            options = ", ".join(f"{c.nom} ({c.code})" for c in exact)
            raise ValidationError(f"Plusieurs communes portent ce nom : {options}. Indiquez le code INSEE.")
        raise ValidationError(f"Aucune commune ne correspond à « {text} ». Indiquez le nom exact ou le code INSEE.")


class StructureForm(BaseModelForm):
    commune = CommuneField()
    site_web = forms.URLField(
        label="Site web", required=False, assume_scheme="https", help_text="Par exemple https://www.exemple.fr"
    )

    class Meta:
        model = Structure
        fields = ["nom", "type", "siret", "adresse", "code_postal", "commune", "email", "telephone", "site_web"]
        help_texts = {"siret": "14 chiffres, facultatif."}


class InvitationForm(BaseForm):
    email = forms.EmailField(label="Adresse électronique de la personne invitée")
    role = forms.ChoiceField(label="Rôle", widget=forms.RadioSelect)

    def __init__(self, *args, territorial: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        roles = TERRITORIAL_ROLES if territorial else STRUCTURE_ROLES
        self.fields["role"].choices = [(role.value, role.label) for role in Role if role in roles]


class InvitationAcceptForm(BaseForm):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    password1 = forms.CharField(
        label="Mot de passe",
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="Au moins 10 caractères, pas uniquement des chiffres.",
    )
    password2 = forms.CharField(
        label="Confirmation du mot de passe", widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password1") and cleaned.get("password1") != cleaned.get("password2"):
            self.add_error("password2", "Les deux mots de passe ne sont pas identiques.")
        return cleaned


class StructureFilterForm(BaseForm):
    q = forms.CharField(label="Nom", required=False, max_length=100)
    type = forms.ChoiceField(label="Type", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = [("", "Tous les types"), *StructureType.choices]

    def filter(self, structures):
        if self.cleaned_data.get("q"):
            structures = structures.filter(nom__icontains=self.cleaned_data["q"])
        if self.cleaned_data.get("type"):
            structures = structures.filter(type=self.cleaned_data["type"])
        return structures
