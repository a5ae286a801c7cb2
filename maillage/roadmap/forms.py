from django import forms
from django.utils import timezone

from maillage.core.forms import BaseForm
from maillage.roadmap.enums import STATUS_TRANSITIONS, ActionStatus

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StatusForm(BaseForm):
    status = forms.ChoiceField(label="Nouveau statut")
    comment = forms.CharField(label="Commentaire (facultatif)", required=False, max_length=500)

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = STATUS_TRANSITIONS[ActionStatus(action.status)]
        self.fields["status"].choices = [(s.value, s.label) for s in ActionStatus if s in allowed]


class ActionEditForm(BaseForm):
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    resources = forms.CharField(
        label="Ressources mobilisées", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    start_date = forms.DateField(label="Début", required=False, widget=DATE)
    end_date = forms.DateField(label="Fin", required=False, widget=DATE)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start_date") and cleaned.get("end_date") and cleaned["end_date"] < cleaned["start_date"]:
            self.add_error("end_date", "La fin doit suivre le début.")
        return cleaned


class IndicatorValueForm(BaseForm):
    date = forms.DateField(label="Date de la valeur", widget=DATE)
    value = forms.FloatField(label="Valeur constatée")
    comment = forms.CharField(label="Commentaire (facultatif)", required=False, max_length=500)


class ImportForm(BaseForm):
    fichier = forms.FileField(label="Fichier de feuille de route (YAML ou JSON)")
    simulation = forms.BooleanField(label="Simulation : tout vérifier sans rien enregistrer", required=False)


class ReportForm(BaseForm):
    du = forms.DateField(label="Du", widget=DATE)
    au = forms.DateField(label="Au", widget=DATE)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("du") and cleaned.get("au") and cleaned["du"] > cleaned["au"]:
            self.add_error("au", "La date de fin doit suivre la date de début.")
        return cleaned

    @classmethod
    def default_range(cls, roadmap):
        today = timezone.localdate()
        return today.replace(month=1, day=1), today


class PlanFilterForm(BaseForm):
    statut = forms.ChoiceField(label="Statut", required=False)
    thematique = forms.ChoiceField(label="Thématique", required=False)

    def __init__(self, *args, roadmap, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["statut"].choices = [("", "Tous les statuts"), *ActionStatus.choices]
        self.fields["thematique"].choices = [("", "Toutes les thématiques")] + [
            (theme.code, theme.label) for theme in roadmap.themes.all()
        ]
