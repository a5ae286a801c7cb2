from decimal import Decimal

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


class MilestoneForm(BaseForm):
    done_on = forms.DateField(label="Atteint le (vide : pas encore)", required=False, widget=DATE)


class SpentForm(BaseForm):
    spent = forms.DecimalField(label="Dépensé à ce jour (€)", min_value=0, max_digits=14, decimal_places=2)


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


class ActionCodesField(forms.CharField):
    """Action numbers separated by commas, resolved within one roadmap."""

    def __init__(self, *args, roadmap=None, **kwargs):
        self.roadmap = roadmap
        super().__init__(*args, **kwargs)

    def clean(self, value):
        value = super().clean(value)
        codes = [code.strip() for code in (value or "").split(",") if code.strip()]
        actions = {action.code: action for action in self.roadmap.actions.filter(code__in=codes)}
        unknown = [code for code in codes if code not in actions]
        if unknown:
            raise forms.ValidationError(f"Actions inconnues : {', '.join(unknown)}.")
        return [actions[code] for code in codes]


class MeetingForm(BaseForm):
    date = forms.DateField(label="Date", widget=DATE)
    title = forms.CharField(label="Titre", max_length=300)
    location = forms.CharField(label="Lieu", required=False, max_length=300)
    agenda = forms.CharField(label="Ordre du jour", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(label="Compte rendu", required=False, widget=forms.Textarea(attrs={"rows": 5}))
    attendees = forms.ModelMultipleChoiceField(
        label="Présents", required=False, queryset=None, widget=forms.CheckboxSelectMultiple
    )
    decision = forms.CharField(label="Décision (facultatif)", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    decision_actions = ActionCodesField(
        label="Actions concernées par la décision",
        help_text="Numéros séparés par des virgules, par exemple 1.1.1, 2.3.1.",
        required=False,
    )
    decision_documents = forms.ModelMultipleChoiceField(
        label="Documents validés par la décision", required=False, queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["attendees"].queryset = body.members.select_related("structure")
        self.fields["attendees"].label_from_instance = lambda member: member.organisation_label
        self.fields["decision_documents"].queryset = body.roadmap.documents.all()
        self.fields["decision_actions"].roadmap = body.roadmap

    def clean(self):
        cleaned = super().clean()
        if (cleaned.get("decision_actions") or cleaned.get("decision_documents")) and not cleaned.get("decision"):
            self.add_error("decision", "Écrivez la décision qui concerne ces actions ou documents.")
        return cleaned


class FinancingLineForm(BaseForm):
    funder = forms.ModelChoiceField(label="Financeur", queryset=None)
    beneficiary = forms.ModelChoiceField(label="Structure bénéficiaire", queryset=None, required=False)
    beneficiary_name = forms.CharField(label="Autre bénéficiaire", required=False, max_length=200)
    scheme = forms.CharField(label="Dispositif", required=False, max_length=200)
    purpose = forms.CharField(label="Objet", required=False, max_length=300)
    type = forms.ChoiceField(label="Type")
    amount = forms.DecimalField(label="Montant (€)", min_value=0, max_digits=14, decimal_places=2)
    start_date = forms.DateField(label="Début", required=False, widget=DATE)
    end_date = forms.DateField(label="Fin", required=False, widget=DATE)
    action = forms.ModelChoiceField(label="Action financée", queryset=None, required=False)
    is_confidential = forms.BooleanField(label="Montant confidentiel (jamais publié)", required=False)

    def __init__(self, *args, roadmap, **kwargs):
        from maillage.roadmap.enums import FundingType
        from maillage.structures.models import Structure

        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = roadmap.funders.all()
        self.fields["beneficiary"].queryset = Structure.objects.active().in_territory(roadmap.territory)
        self.fields["type"].choices = FundingType.choices
        self.fields["action"].queryset = roadmap.actions.all()


class FundMovementForm(BaseForm):
    kind = forms.ChoiceField(label="Mouvement")
    date = forms.DateField(label="Date", widget=DATE)
    amount = forms.DecimalField(label="Montant (€)", min_value=Decimal("0.01"), max_digits=14, decimal_places=2)
    label = forms.CharField(label="Objet", required=False, max_length=300)
    funder = forms.ModelChoiceField(label="Financeur (pour une contribution)", queryset=None, required=False)
    action = forms.ModelChoiceField(label="Action (pour une attribution)", queryset=None, required=False)
    is_confidential = forms.BooleanField(label="Montant confidentiel (jamais publié)", required=False)

    def __init__(self, *args, roadmap, **kwargs):
        from maillage.roadmap.enums import FundMovementKind

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = FundMovementKind.choices
        self.fields["funder"].queryset = roadmap.funders.all()
        self.fields["action"].queryset = roadmap.actions.all()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == "contribution" and not cleaned.get("funder"):
            self.add_error("funder", "Une contribution vient d'un financeur.")
        return cleaned


class WorkshopForm(BaseForm):
    title = forms.CharField(label="Titre", max_length=300)
    date = forms.DateField(label="Date", widget=DATE)
    theme = forms.ModelChoiceField(label="Thématique", queryset=None, required=False)
    location = forms.CharField(label="Lieu", required=False, max_length=300)
    summary = forms.CharField(label="Synthèse", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    invited = forms.ModelMultipleChoiceField(
        label="Structures invitées", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    participants = forms.ModelMultipleChoiceField(
        label="Structures présentes", queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    participant_count = forms.IntegerField(label="Nombre de participants", min_value=0, required=False)
    actions = ActionCodesField(
        label="Actions produites par l'atelier",
        help_text="Numéros séparés par des virgules, par exemple 1.1.1, 2.3.1.",
        required=False,
    )

    def __init__(self, *args, roadmap, **kwargs):
        from maillage.structures.models import Structure

        super().__init__(*args, **kwargs)
        structures = Structure.objects.active().in_territory(roadmap.territory)
        self.fields["invited"].queryset = structures
        self.fields["participants"].queryset = structures
        self.fields["theme"].queryset = roadmap.themes.all()
        self.fields["actions"].roadmap = roadmap

    def clean(self):
        cleaned = super().clean()
        invited, present = set(cleaned.get("invited") or []), set(cleaned.get("participants") or [])
        if present - invited:
            self.add_error("participants", "Une structure présente doit avoir été invitée.")
        return cleaned
