"""Form rendering for both themes: one set of forms, two sets of templates.

Forms inherit `BaseForm` / `BaseModelForm`: errors are tied to their field (aria-describedby,
aria-invalid) and, in the DSFR theme, widgets get the design system's classes.
"""

from django import forms
from django.conf import settings
from django.forms.renderers import TemplatesSetting

from maillage.core.actions import action_choices

DSFR_WIDGET_CLASSES = {forms.Select: "fr-select", forms.SelectMultiple: "fr-select"}
DSFR_UNSTYLED = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple, forms.FileInput)


class ThemeFormRenderer(TemplatesSetting):
    @property
    def form_template_name(self):
        return f"core/forms/{settings.MAILLAGE_THEME}/form.html"

    @property
    def field_template_name(self):
        return f"core/forms/{settings.MAILLAGE_THEME}/field.html"


class AccessibleBoundField(forms.BoundField):
    """Point assistive technologies at a field's error messages as well as its help text."""

    @property
    def error_id(self) -> str:
        return f"{self.auto_id}_error"

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors and self.auto_id:
            described = [part for part in attrs.get("aria-describedby", "").split() if part]
            attrs["aria-describedby"] = " ".join([self.error_id, *described])
            attrs["aria-invalid"] = "true"
        return attrs


class ThemedFormMixin:
    bound_field_class = AccessibleBoundField

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if settings.MAILLAGE_THEME == "dsfr":
            for field in self.fields.values():
                widget = field.widget
                if not isinstance(widget, DSFR_UNSTYLED) and "class" not in widget.attrs:
                    widget.attrs["class"] = DSFR_WIDGET_CLASSES.get(type(widget), "fr-input")


class BaseForm(ThemedFormMixin, forms.Form):
    pass


class BaseModelForm(ThemedFormMixin, forms.ModelForm):
    pass


class JournalFilterForm(BaseForm):
    action = forms.ChoiceField(label="Action", required=False)
    acteur = forms.CharField(label="Auteur (adresse électronique)", required=False, max_length=254)
    du = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Au", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    donnees_personnelles = forms.BooleanField(label="Accès à des données personnelles seulement", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "Toutes les actions"), *action_choices()]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("du") and cleaned.get("au") and cleaned["du"] > cleaned["au"]:
            self.add_error("au", "La date de fin doit suivre la date de début.")
        return cleaned

    def filter(self, entries):
        data = self.cleaned_data
        if data.get("action"):
            entries = entries.filter(action=data["action"])
        if data.get("acteur"):
            entries = entries.filter(actor__email__icontains=data["acteur"])
        if data.get("du"):
            entries = entries.filter(created_at__date__gte=data["du"])
        if data.get("au"):
            entries = entries.filter(created_at__date__lte=data["au"])
        if data.get("donnees_personnelles"):
            entries = entries.filter(personal_data=True)
        return entries
