"""Forms of the activity pages: the fast entry form, beneficiaries, imports and quarantine."""

from django import forms
from django.utils import timezone

from maillage.activity.enums import (
    DUREE_PRESETS,
    Autonomie,
    Genre,
    Materiel,
    NiveauAtelier,
    StatutSocial,
    StructureDeRedirection,
    Thematique,
    TrancheAge,
    TypeActivite,
    TypeLieu,
)
from maillage.activity.publics import (
    BREAKDOWN_KEYS,
    DEJA_ACCOMPAGNES,
    GROUPS,
    MAX_COUNT,
    breakdown_errors,
    clean_breakdown,
    group_keys,
    group_label,
    key_label,
)
from maillage.activity.validation import COLUMNS, OPTIONAL_COLUMNS
from maillage.core.forms import BaseForm
from maillage.territories.models import Commune

BREAKDOWN_PREFIX = "anonymes_"
DUREE_CHOICES = [(str(m), f"{m} min" if m < 60 else f"{m // 60} h{m % 60 or ''}") for m in DUREE_PRESETS]
# What the form remembers (in the session) for the next entry.
REMEMBERED = ("structure", "type", "duree", "type_lieu", "lieu", "thematiques", "materiel")
OUI_NON = [("", "Non renseigné"), ("oui", "Oui"), ("non", "Non")]


def _blank(choices):
    return [("", "Non renseigné"), *choices]


class ActivityForm(BaseForm):
    structure = forms.ChoiceField(label="Structure")
    type = forms.ChoiceField(label="Type", choices=TypeActivite.choices, widget=forms.RadioSelect)
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    duree = forms.ChoiceField(label="Durée", choices=[*DUREE_CHOICES, ("autre", "Autre durée")])
    duree_autre = forms.IntegerField(
        label="Autre durée (minutes)", required=False, min_value=1, max_value=24 * 60, help_text="Si « Autre durée »."
    )
    type_lieu = forms.ChoiceField(label="Lieu", choices=TypeLieu.choices, widget=forms.RadioSelect)
    lieu = forms.ChoiceField(label="Lieu d'activité", required=False)
    lieu_commune = forms.CharField(
        label="Commune du lieu (code INSEE)",
        required=False,
        max_length=5,
        help_text="Pour un accompagnement à domicile ou dans un autre lieu, par exemple 28085.",
    )
    thematiques = forms.MultipleChoiceField(
        label="Thématiques", choices=Thematique.choices, widget=forms.CheckboxSelectMultiple
    )
    precisions_demarche = forms.CharField(label="Précisions sur la démarche", required=False, max_length=500)
    materiel = forms.MultipleChoiceField(
        label="Matériel utilisé", required=False, choices=Materiel.choices, widget=forms.CheckboxSelectMultiple
    )
    # Individual accompaniment
    beneficiaire_suivi = forms.ChoiceField(label="Bénéficiaire suivi", required=False)
    beneficiaire_genre = forms.ChoiceField(label="Genre", required=False, choices=_blank(Genre.choices))
    beneficiaire_tranche_age = forms.ChoiceField(
        label="Tranche d'âge", required=False, choices=_blank(TrancheAge.choices)
    )
    beneficiaire_statut_social = forms.ChoiceField(
        label="Statut social", required=False, choices=_blank(StatutSocial.choices)
    )
    beneficiaire_commune = forms.CharField(label="Commune de résidence (code INSEE)", required=False, max_length=5)
    autonomie = forms.ChoiceField(label="Autonomie du bénéficiaire", required=False, choices=_blank(Autonomie.choices))
    oriente_vers_structure = forms.ChoiceField(
        label="Orienté vers une autre structure ?", required=False, choices=OUI_NON
    )
    structure_de_redirection = forms.ChoiceField(
        label="Structure de redirection", required=False, choices=_blank(StructureDeRedirection.choices)
    )
    # Collective workshop
    participants = forms.IntegerField(label="Participants anonymes", required=False, min_value=0, max_value=1000)
    participants_suivis = forms.MultipleChoiceField(
        label="Participants suivis", required=False, widget=forms.CheckboxSelectMultiple
    )
    titre_atelier = forms.CharField(label="Titre de l'atelier", required=False, max_length=200)
    niveau = forms.ChoiceField(label="Niveau de l'atelier", required=False, choices=_blank(NiveauAtelier.choices))
    notes = forms.CharField(label="Notes (privées)", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, structures, places=(), beneficiaries=(), **kwargs):
        super().__init__(*args, **kwargs)
        for key in BREAKDOWN_KEYS:
            self.fields[BREAKDOWN_PREFIX + key] = forms.IntegerField(
                label=key_label(key), required=False, min_value=0, max_value=MAX_COUNT
            )
        self.fields["structure"].choices = [(str(s.pk), s.nom) for s in structures]
        self.fields["lieu"].choices = [("", "Aucun / non précisé"), *((str(p.pk), str(p)) for p in places)]
        people = [(str(b.pk), b.display_name) for b in beneficiaries]
        self.fields["beneficiaire_suivi"].choices = [("", "Anonyme (pas de suivi)"), *people]
        self.fields["participants_suivis"].choices = people
        if not people:
            del self.fields["participants_suivis"]
        self.fields["date"].widget.attrs["max"] = timezone.localdate().isoformat()

    def _commune(self, name):
        code = (self.cleaned_data.get(name) or "").strip()
        if not code:
            return None
        commune = Commune.objects.filter(code=code.zfill(5)).first()
        if commune is None:
            self.add_error(name, "Commune inconnue : indiquez son code INSEE (5 caractères).")
        return commune

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError("La date ne peut pas être dans le futur.")
        return date

    def clean(self):
        data = super().clean()
        if data.get("duree") == "autre" and not data.get("duree_autre"):
            self.add_error("duree_autre", "Indiquez la durée en minutes.")
        if data.get("type") == TypeActivite.COLLECTIF and not (
            data.get("participants") or data.get("participants_suivis")
        ):
            self.add_error("participants", "Un atelier compte au moins un participant.")
        data["participants_anonymes_detail"] = self._breakdown(data)
        data["lieu_commune_obj"] = self._commune("lieu_commune")
        data["beneficiaire_commune_obj"] = self._commune("beneficiaire_commune")
        return data

    def _breakdown(self, data) -> dict[str, int]:
        """The optional counts of a workshop's anonymous participants, checked against their number."""
        if data.get("type") != TypeActivite.COLLECTIF:
            return {}
        detail = {key: data[BREAKDOWN_PREFIX + key] for key in BREAKDOWN_KEYS if data.get(BREAKDOWN_PREFIX + key)}
        for key, reason in breakdown_errors(data.get("participants") or 0, detail).items():
            field = BREAKDOWN_PREFIX + (group_keys(key)[0] if key in GROUPS else key)
            self.add_error(field if field in self.fields else None, reason)
        return clean_breakdown(detail)

    @property
    def breakdown_groups(self) -> list[tuple[str, list]]:
        """(legend, bound fields) of the anonymous participants' counts, for the entry template."""
        groups = [("Parcours", [self[BREAKDOWN_PREFIX + DEJA_ACCOMPAGNES]])]
        for group in GROUPS:
            groups.append((group_label(group), [self[BREAKDOWN_PREFIX + key] for key in group_keys(group)]))
        return groups

    @property
    def breakdown_open(self) -> bool:
        """The block is unfolded when it holds counts or errors (editing, or a refused entry)."""
        names = [BREAKDOWN_PREFIX + key for key in BREAKDOWN_KEYS]
        if any(name in self.errors for name in names):
            return True
        return any(self[name].value() not in (None, "", 0, "0") for name in names)

    def service_values(self) -> dict:
        data = self.cleaned_data
        collective = data["type"] == TypeActivite.COLLECTIF
        return {
            "type": data["type"],
            "date": data["date"],
            "duree": data["duree_autre"] if data["duree"] == "autre" else int(data["duree"]),
            "type_lieu": data["type_lieu"],
            "thematiques": [value for value in Thematique.values if value in data["thematiques"]],
            "precisions_demarche": data["precisions_demarche"],
            "materiel": [value for value in Materiel.values if value in data["materiel"]],
            "autonomie": "" if collective else data["autonomie"],
            "oriente_vers_structure": {"oui": True, "non": False}.get(data["oriente_vers_structure"]),
            "structure_de_redirection": data["structure_de_redirection"],
            "titre_atelier": data["titre_atelier"],
            "niveau": data["niveau"],
            "notes": data["notes"],
            "participants_anonymes": (data.get("participants") or 0) if collective else 1,
            "participants_anonymes_detail": data["participants_anonymes_detail"] if collective else {},
            "beneficiaire_commune": None if collective else data["beneficiaire_commune_obj"],
            "beneficiaire_genre": "" if collective else data["beneficiaire_genre"],
            "beneficiaire_tranche_age": "" if collective else data["beneficiaire_tranche_age"],
            "beneficiaire_statut_social": "" if collective else data["beneficiaire_statut_social"],
            "lieu_commune_id": data["lieu_commune_obj"].pk if data["lieu_commune_obj"] else None,
        }

    def followed_ids(self) -> list[int]:
        data = self.cleaned_data
        if data["type"] == TypeActivite.COLLECTIF:
            return [int(pk) for pk in data.get("participants_suivis") or []]
        return [int(data["beneficiaire_suivi"])] if data.get("beneficiaire_suivi") else []

    def remembered(self) -> dict:
        data = self.cleaned_data
        return {name: data.get(name) for name in REMEMBERED}


def initial_from_activity(activity, followed) -> dict:
    duree = str(activity.duree) if activity.duree in DUREE_PRESETS else "autre"
    collective = activity.type == TypeActivite.COLLECTIF
    return {
        "structure": str(activity.structure_id),
        "type": activity.type,
        "date": activity.date,
        "duree": duree,
        "duree_autre": activity.duree if duree == "autre" else None,
        "type_lieu": activity.type_lieu,
        "lieu": str(activity.place_id or ""),
        "lieu_commune": activity.commune_id if activity.type_lieu in (TypeLieu.DOMICILE, TypeLieu.AUTRE) else "",
        "thematiques": activity.thematiques,
        "precisions_demarche": activity.precisions_demarche,
        "materiel": activity.materiel,
        "autonomie": activity.autonomie,
        "oriente_vers_structure": {True: "oui", False: "non"}.get(activity.oriente_vers_structure, ""),
        "structure_de_redirection": activity.structure_de_redirection,
        "titre_atelier": activity.titre_atelier,
        "niveau": activity.niveau,
        "notes": activity.notes,
        "participants": activity.participants_anonymes if collective else None,
        **{
            BREAKDOWN_PREFIX + key: (activity.participants_anonymes_detail or {}).get(key)
            for key in BREAKDOWN_KEYS
            if collective
        },
        "beneficiaire_genre": activity.beneficiaire_genre,
        "beneficiaire_tranche_age": activity.beneficiaire_tranche_age,
        "beneficiaire_statut_social": activity.beneficiaire_statut_social,
        "beneficiaire_commune": activity.beneficiaire_commune_id or "",
        "beneficiaire_suivi": str(followed[0].pk) if followed and not collective else "",
        "participants_suivis": [str(b.pk) for b in followed] if collective else [],
    }


class BeneficiaryForm(BaseForm):
    prenom = forms.CharField(label="Prénom", required=False, max_length=100)
    nom = forms.CharField(label="Nom", required=False, max_length=100)
    telephone = forms.CharField(label="Téléphone", required=False, max_length=20)
    pas_de_telephone = forms.BooleanField(label="Pas de téléphone", required=False)
    email = forms.EmailField(label="Courriel", required=False)
    annee_naissance = forms.IntegerField(label="Année de naissance", required=False, min_value=1900, max_value=2100)
    commune = forms.CharField(label="Commune de résidence (code INSEE)", required=False, max_length=5)
    genre = forms.ChoiceField(label="Genre", choices=Genre.choices, initial=Genre.NON_COMMUNIQUE)
    statut_social = forms.ChoiceField(
        label="Statut social", choices=StatutSocial.choices, initial=StatutSocial.NON_COMMUNIQUE
    )
    notes = forms.CharField(label="Notes", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_commune(self):
        code = self.cleaned_data["commune"].strip()
        if not code:
            return None
        commune = Commune.objects.filter(code=code.zfill(5)).first()
        if commune is None:
            raise forms.ValidationError("Commune inconnue : indiquez son code INSEE.")
        return commune

    def clean(self):
        data = super().clean()
        if not (data.get("prenom") or data.get("nom")):
            raise forms.ValidationError("Indiquez au moins un prénom ou un nom.")
        return data


class ImportForm(BaseForm):
    fichier = forms.FileField(label="Fichier (CSV ou XLSX)")
    structure = forms.ChoiceField(
        label="Structure de toutes les lignes",
        required=False,
        help_text="Sinon, la colonne structure_siret de chaque ligne.",
    )
    simulation = forms.BooleanField(label="Simulation (tout vérifier sans rien enregistrer)", required=False)

    def __init__(self, *args, structures=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structure"].choices = [("", "Colonne structure_siret"), *((str(s.pk), s.nom) for s in structures)]


class QuarantineFixForm(BaseForm):
    def __init__(self, *args, raw: dict, **kwargs):
        super().__init__(*args, **kwargs)
        for name in [*COLUMNS, *(column for column in OPTIONAL_COLUMNS if raw.get(column) not in (None, ""))]:
            value = raw.get(name)
            self.fields[name] = forms.CharField(
                label=name, required=False, initial="" if value is None else str(value), max_length=500
            )


class DiscardForm(BaseForm):
    motif = forms.CharField(label="Motif", max_length=300)
