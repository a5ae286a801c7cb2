import datetime as dt
import math

from django import forms

from maillage.core.forms import BaseForm
from maillage.places import standard as std
from maillage.places.enums import CallOutcome
from maillage.places.models import Place
from maillage.places.search import FILTERS
from maillage.territories.models import Commune

DAYS = [
    (str(i), name) for i, name in enumerate(["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"])
]
RADII = [("5", "5 km"), ("10", "10 km"), ("20", "20 km"), ("30", "30 km"), ("50", "50 km"), ("100", "100 km")]
FILTER_LABELS = {
    "services": "Services",
    "publics": "Publics spécifiquement accueillis",
    "accessibilite": "Prise en charge spécifique (accessibilité)",
    "frais": "Frais",
    "acces": "Modalités d'accès",
    "accompagnement": "Modalités d'accompagnement",
    "dispositifs": "Dispositifs nationaux",
    "labels": "Formations et labels",
}


def _choices(values):
    return [(value, value) for value in values]


class PlaceSearchForm(BaseForm):
    ou = forms.CharField(
        label="Où ?",
        required=False,
        max_length=100,
        help_text="Une commune ou un code postal, par exemple Châteaudun ou 28200.",
    )
    lat = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    lon = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    # A commune chosen among "Vous cherchiez peut-être" (INSEE code): exact, whatever `ou` says.
    commune = forms.CharField(required=False, max_length=5, widget=forms.HiddenInput)
    rayon = forms.ChoiceField(label="Distance maximale", choices=RADII, initial="30", required=False)
    ouvert = forms.ChoiceField(
        label="Ouverture",
        required=False,
        widget=forms.RadioSelect,
        choices=[
            ("", "Peu importe"),
            ("maintenant", "Ouvert maintenant"),
            ("creneau", "Ouvert le jour et à l'heure choisis"),
        ],
    )
    jour = forms.ChoiceField(label="Jour", choices=DAYS, required=False)
    heure = forms.TimeField(label="Heure", required=False, widget=forms.TimeInput(attrs={"type": "time"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, (_, vocabulary) in FILTERS.items():
            self.fields[name] = forms.MultipleChoiceField(
                label=FILTER_LABELS[name],
                required=False,
                choices=_choices(vocabulary),
                widget=forms.CheckboxSelectMultiple,
            )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("ouvert") == "creneau" and (cleaned.get("jour") in (None, "") or not cleaned.get("heure")):
            self.add_error("heure", "Choisissez un jour et une heure.")
        return cleaned

    @property
    def filters(self) -> dict[str, list[str]]:
        """The chosen filter values (empty before validation)."""
        cleaned = getattr(self, "cleaned_data", {})
        return {name: cleaned[name] for name in FILTERS if cleaned.get(name)}

    def open_at(self, now: dt.datetime) -> dt.datetime | None:
        """ "Ouvert maintenant": now; a day and time: its next occurrence, in each place's local time."""
        choice = self.cleaned_data.get("ouvert")
        if choice == "maintenant":
            return now
        if choice == "creneau":
            local = now.date()
            days_ahead = (int(self.cleaned_data["jour"]) - local.weekday()) % 7
            return dt.datetime.combine(local + dt.timedelta(days=days_ahead), self.cleaned_data["heure"])
        return None

    def filter_groups(self):
        return [self[name] for name in FILTERS]


class OperatorForm(BaseForm):
    ou = forms.CharField(
        label="Commune ou code postal de la personne",
        max_length=100,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"}),
    )
    besoin = forms.ChoiceField(
        label="Besoin", choices=[("", "Tous les services"), *_choices(std.SERVICES)], required=False
    )
    gratuit = forms.BooleanField(label="Gratuit seulement", required=False)
    accessibilite = forms.ChoiceField(
        label="Besoin d'un accueil adapté",
        required=False,
        choices=[("", "Aucun en particulier"), *_choices(std.PRISE_EN_CHARGE)],
    )


class CallForm(BaseForm):
    commune = forms.CharField(widget=forms.HiddenInput, required=False)
    besoin = forms.CharField(widget=forms.HiddenInput, required=False)
    issue = forms.ChoiceField(label="Issue de l'appel", choices=CallOutcome.choices, widget=forms.RadioSelect)
    lieu = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1, widget=forms.HiddenInput)

    def clean_besoin(self):
        """A need is one of the standard's services (or none): the statistics count needs, not text."""
        need = self.cleaned_data["besoin"]
        if need and need not in std.SERVICES:
            raise forms.ValidationError("besoin inconnu de la liste des services")
        return need

    def clean_lieu(self):
        """The place given to the caller: a published one (the operator picked it among the results)."""
        pk = self.cleaned_data["lieu"]
        if pk is not None and not Place.objects.published().filter(pk=pk).exists():
            raise forms.ValidationError("lieu inconnu ou non publié")
        return pk

    def clean_commune(self):
        code = self.cleaned_data["commune"]
        if code and not Commune.objects.filter(code=code).exists():
            raise forms.ValidationError("commune inconnue")
        return code


class OrientationForm(BaseForm):
    note = forms.CharField(
        label="À apporter, ou mot pour le lieu",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Par exemple : pièce d’identité, avis d’imposition. Pas d’information personnelle sensible.",
    )


class ImportForm(BaseForm):
    fichier = forms.FileField(
        label="Fichier de lieux",
        help_text="CSV, JSON ou XLSX au standard des lieux de médiation numérique (v1.0 ou ancien v0.1).",
    )
    jeu = forms.CharField(
        label="Nom du jeu de données",
        required=False,
        max_length=120,
        help_text="Par défaut, tiré du nom du fichier. Un même nom met à jour les mêmes lieux.",
    )
    correspondance = forms.FileField(
        label="Correspondance de colonnes (facultatif)",
        required=False,
        help_text="Fichier *.config.json au format de l'ANCT, pour un export brut.",
    )
    simulation = forms.BooleanField(label="Simulation : tout vérifier sans rien enregistrer", required=False)


class PlaceForm(BaseForm):
    """Every field of the standard, lists as one value per line."""

    def __init__(self, *args, initial_values: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        for spec in std.FIELDS:
            if spec.choices:
                field = forms.MultipleChoiceField(
                    choices=_choices(spec.choices), widget=forms.CheckboxSelectMultiple, required=False
                )
            elif spec.multiple:
                field = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 2}), required=False, help_text="Une valeur par ligne."
                )
            elif spec.name in ("presentation_detail",):
                field = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
            elif spec.name == "date_maj":
                field = forms.CharField(
                    required=False,
                    help_text="AAAA-MM-JJ ; par défaut, aujourd'hui.",
                    widget=forms.TextInput(attrs={"inputmode": "numeric"}),
                )
            else:
                field = forms.CharField(required=False, max_length=spec.max_length or 1000)
            field.label = spec.label[0].upper() + spec.label[1:] + (" (obligatoire)" if spec.required else "")
            self.fields[spec.name] = field
        if initial_values:
            for name, value in initial_values.items():
                if name in self.fields:
                    spec = std.FIELDS_BY_NAME[name]
                    self.initial[name] = "\n".join(value) if spec.multiple and not spec.choices else value

    def clean(self):
        """Coordinates typed by a person: a number within range, or nothing (an import keeps odd ones
        with a warning; a form says what is wrong instead)."""
        cleaned = super().clean()
        for name, limit in (("latitude", 90), ("longitude", 180)):
            text = (cleaned.get(name) or "").strip().replace(",", ".")
            if not text:
                continue
            try:
                number = float(text)
            except ValueError:
                number = math.nan
            if not (math.isfinite(number) and -limit <= number <= limit):
                self.add_error(name, f"Un nombre entre -{limit} et {limit} est attendu (ou rien).")
        return cleaned

    def standard_values(self) -> dict:
        values = {}
        for spec in std.FIELDS:
            value = self.cleaned_data.get(spec.name)
            if spec.multiple and not spec.choices:
                value = [line.strip() for line in (value or "").splitlines() if line.strip()]
            values[spec.name] = value
        return values


class DiscardForm(BaseForm):
    motif = forms.CharField(label="Pourquoi écarter cette ligne ?", max_length=300)


class DuplicateDismissForm(BaseForm):
    motif = forms.CharField(
        label="Pourquoi ces deux lieux sont-ils différents ?",
        required=False,
        max_length=500,
        help_text="Facultatif, par exemple « deux guichets distincts dans le même bâtiment ».",
    )
