"""Feuille de route: API endpoints under /api/v1/ (reads by role, writes by role; public progress and targets)."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from maillage.core.policy import ApiRoles, api_public
from maillage.core.roles import Role
from maillage.roadmap import perms, selectors, services
from maillage.roadmap.enums import ActionStatus, FundingType
from maillage.roadmap.models import Action, Funder, Indicator, Roadmap
from maillage.roadmap.targets import as_payload

router = Router(tags=["feuille de route"])
MEMBERS = ApiRoles(Role.COORDINATEUR, Role.OBSERVATEUR, Role.GESTIONNAIRE, Role.MEDIATEUR, Role.AIDANT)
COORDINATORS = ApiRoles(Role.COORDINATEUR)


class ErrorOut(Schema):
    detail: str | list | dict


class RoadmapSummaryOut(Schema):
    identifiant: str
    nom: str
    territoire: str
    debut: int
    fin: int
    statut: str
    actions_par_statut: dict[str, int]
    url_publique: str


class ActionOut(Schema):
    numero: str
    titre: str
    axe: int
    groupe: str
    statut: str
    thematiques: list[str]
    porteurs: list[str]
    partenaires: list[str]
    debut: dt.date | None
    fin: dt.date | None
    description: str
    ressources: str


class AxisOut(Schema):
    numero: int
    titre: str
    groupes: list[dict]


class RoadmapOut(RoadmapSummaryOut):
    vision: str
    co_porteurs: list[str]
    axes: list[AxisOut]


class ActionPatch(Schema):
    statut: ActionStatus | None = Field(None, description="Nouveau statut (transitions autorisées seulement)")
    commentaire: str = ""
    description: str | None = None
    ressources: str | None = None
    debut: dt.date | None = None
    fin: dt.date | None = None


class IndicatorOut(Schema):
    code: str
    nom: str
    unite: str
    definition: str
    perimetre: str
    source: str
    calcul: str | None
    reference: float | None
    cible: float | None
    realise: float | None
    origine: str
    progression_pct: float | None
    source_indisponible: bool


class ValueIn(Schema):
    date: dt.date
    valeur: float
    commentaire: str = ""


class ValueOut(Schema):
    indicateur: str
    date: dt.date
    valeur: float


class ActionFinancingOut(Schema):
    action: str
    budget: Decimal
    finance: Decimal
    depense: Decimal
    reste_a_financer: Decimal
    financeurs: list[dict]
    alerte: bool


class FinancingOut(Schema):
    montants_confidentiels_inclus: bool
    budget_total: Decimal
    finance_total: Decimal
    depense_total: Decimal
    actions: list[ActionFinancingOut]
    par_financeur: list[dict]
    fonds: list[dict]


class FinancingIn(Schema):
    financeur: str
    montant: Decimal = Field(..., ge=0)
    type: FundingType = FundingType.SUBVENTION
    objet: str = ""
    dispositif: str = ""
    beneficiaire: str = ""
    action: str | None = None
    debut: dt.date | None = None
    fin: dt.date | None = None
    confidentiel: bool = False


class FinancingLineOut(Schema):
    id: int
    financeur: str
    montant: Decimal | None
    type: str
    action: str | None


class TargetOut(Schema):
    cle: str
    libelle: str
    national: int
    territorial: int
    realise: float | None
    origine: str
    progression_pct: float | None


class TargetsOut(Schema):
    territoire: str
    regle: str
    part: float
    explication: str
    objectifs: list[TargetOut]


def _roadmap_for(request, slug: str) -> Roadmap:
    roadmap = Roadmap.objects.filter(slug=slug).first()
    if roadmap is None:
        raise Http404(f"Feuille de route inconnue : {slug}.")
    if not perms.can_view_roadmap(request.auth, roadmap):
        raise HttpError(403, "Vous n'avez pas accès à cette feuille de route.")
    return roadmap


def _summary(request, roadmap: Roadmap) -> dict:
    return {
        "identifiant": roadmap.slug,
        "nom": roadmap.name,
        "territoire": str(roadmap.territory),
        "debut": roadmap.start_year,
        "fin": roadmap.end_year,
        "statut": roadmap.status,
        "actions_par_statut": {status.value: n for status, n in selectors.status_counts(roadmap).items()},
        "url_publique": request.build_absolute_uri(f"/feuille-de-route/{roadmap.slug}/transparence/"),
    }


def _action_out(action: Action) -> dict:
    return {
        "numero": action.code,
        "titre": action.title,
        "axe": action.group.axis.number,
        "groupe": action.group.title,
        "statut": action.status,
        "thematiques": [theme.code for theme in action.themes.all()],
        "porteurs": [s.nom for s in action.porteurs.all()],
        "partenaires": [s.nom for s in action.partners.all()],
        "debut": action.start_date,
        "fin": action.end_date,
        "description": action.description,
        "ressources": action.resources,
    }


def _actions(roadmap):
    return roadmap.actions.select_related("group__axis").prefetch_related("themes", "porteurs", "partners")


@router.get("/feuilles-de-route", response=list[RoadmapSummaryOut], auth=api_public)
def list_roadmaps(request):
    """Every roadmap with its public progress (number of actions per status)."""
    return [_summary(request, roadmap) for roadmap in Roadmap.objects.all()]


@router.get("/feuilles-de-route/{slug}", response={200: RoadmapOut, 403: ErrorOut, 404: ErrorOut}, auth=MEMBERS)
def get_roadmap(request, slug: str):
    """A roadmap, its axes, groups and actions (coordinateurs, observateurs, porteurs and partners)."""
    roadmap = _roadmap_for(request, slug)
    by_group = {}
    for action in _actions(roadmap):
        by_group.setdefault(action.group_id, []).append(_action_out(action))
    return {
        **_summary(request, roadmap),
        "vision": roadmap.vision,
        "co_porteurs": roadmap.co_porteurs,
        "axes": [
            {
                "numero": axis.number,
                "titre": axis.title,
                "groupes": [
                    {
                        "titre": group.title,
                        "thematique": group.theme.code if group.theme_id else None,
                        "actions": by_group.get(group.pk, []),
                    }
                    for group in axis.groups.all()
                ],
            }
            for axis in roadmap.axes.prefetch_related("groups__theme")
        ],
    }


@router.get(
    "/feuilles-de-route/{slug}/actions", response={200: list[ActionOut], 403: ErrorOut, 404: ErrorOut}, auth=MEMBERS
)
def list_actions(request, slug: str, statut: ActionStatus | None = None, thematique: str | None = None):
    roadmap = _roadmap_for(request, slug)
    actions = _actions(roadmap)
    if statut:
        actions = actions.filter(status=statut)
    if thematique:
        actions = actions.filter(themes__code=thematique)
    return [_action_out(action) for action in actions]


@router.get(
    "/feuilles-de-route/{slug}/actions/{code}", response={200: ActionOut, 403: ErrorOut, 404: ErrorOut}, auth=MEMBERS
)
def get_action(request, slug: str, code: str):
    roadmap = _roadmap_for(request, slug)
    return _action_out(get_object_or_404(_actions(roadmap), code=code))


@router.patch(
    "/feuilles-de-route/{slug}/actions/{code}",
    response={200: ActionOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=MEMBERS,
)
def update_action(request, slug: str, code: str, changes: ActionPatch):
    """Porteurs update their own actions (status, description, resources, calendar); coordinateurs all."""
    roadmap = _roadmap_for(request, slug)
    action = get_object_or_404(_actions(roadmap), code=code)
    fields = {
        name: value
        for name, value in {
            "description": changes.description,
            "resources": changes.ressources,
            "start_date": changes.debut,
            "end_date": changes.fin,
        }.items()
        if value is not None
    }
    try:
        if fields:
            action = services.action_update(actor=request.auth, action=action, **fields)
        if changes.statut and changes.statut != action.status:
            services.action_status_change(
                actor=request.auth, action=action, status=changes.statut, comment=changes.commentaire
            )
    except PermissionDenied as error:
        raise HttpError(403, str(error) or "Vous ne pouvez pas modifier cette action.") from error
    return _action_out(get_object_or_404(_actions(roadmap), code=code))


@router.get(
    "/feuilles-de-route/{slug}/indicateurs",
    response={200: list[IndicatorOut], 403: ErrorOut, 404: ErrorOut},
    auth=MEMBERS,
)
def list_indicators(request, slug: str, debut: dt.date | None = None, fin: dt.date | None = None):
    """Indicators with their actual value: computed live for the period, or the last value entered."""
    roadmap = _roadmap_for(request, slug)
    return [
        {
            "code": row.indicator.code,
            "nom": row.indicator.name,
            "unite": row.indicator.unit,
            "definition": row.indicator.definition,
            "perimetre": str(row.indicator.perimeter),
            "source": row.indicator.source,
            "calcul": row.indicator.source_key or None,
            "reference": row.indicator.baseline,
            "cible": row.indicator.target,
            "realise": row.actual,
            "origine": row.origin,
            "progression_pct": row.progress,
            "source_indisponible": row.unavailable,
        }
        for row in selectors.indicator_rows(roadmap, start=debut, end=fin)
    ]


@router.post(
    "/feuilles-de-route/{slug}/indicateurs/{code}/valeurs",
    response={201: ValueOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=MEMBERS,
)
def enter_value(request, slug: str, code: str, value: ValueIn):
    """Enter an actual value (coordinateurs, and porteurs of an action the indicator follows)."""
    roadmap = _roadmap_for(request, slug)
    indicator = get_object_or_404(Indicator, roadmap=roadmap, code=code)
    try:
        entry = services.indicator_value_enter(
            actor=request.auth, indicator=indicator, date=value.date, value=value.valeur, comment=value.commentaire
        )
    except PermissionDenied as error:
        raise HttpError(403, str(error)) from error
    return Status(201, {"indicateur": indicator.code, "date": entry.date, "valeur": entry.value})


@router.get(
    "/feuilles-de-route/{slug}/financements", response={200: FinancingOut, 403: ErrorOut, 404: ErrorOut}, auth=MEMBERS
)
def get_financing(request, slug: str):
    """Per action budget vs financed (by funder) vs spent; confidential amounts for coordinateurs only."""
    roadmap = _roadmap_for(request, slug)
    overview = selectors.financing_overview(
        roadmap, show_confidential=perms.can_see_confidential_amounts(request.auth, roadmap)
    )
    return {
        "montants_confidentiels_inclus": overview["show_confidential"],
        "budget_total": overview["total_budget"],
        "finance_total": overview["total_financed"],
        "depense_total": overview["total_spent"],
        "actions": [
            {
                "action": row.action.code,
                "budget": row.budget,
                "finance": row.financed,
                "depense": row.spent,
                "reste_a_financer": row.gap,
                "financeurs": [{"nom": n, "montant": str(a), "part_pct": s} for n, a, s in row.by_funder],
                "alerte": row.alert,
            }
            for row in overview["actions"]
        ],
        "par_financeur": [{"nom": r["funder__name"], "montant": str(r["total"])} for r in overview["by_funder"]],
        "fonds": [
            {
                "nom": f["fund"].name,
                "contributions": str(f["contributions"]),
                "attributions": str(f["allocations"]),
                "solde": str(f["balance"]),
            }
            for f in overview["funds"]
        ],
    }


@router.post(
    "/feuilles-de-route/{slug}/financements",
    response={201: FinancingLineOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=COORDINATORS,
)
def create_financing(request, slug: str, line: FinancingIn):
    """Record a financing line (coordinateurs of the territory)."""
    roadmap = _roadmap_for(request, slug)
    funder = Funder.objects.filter(roadmap=roadmap, name=line.financeur).first()
    if funder is None:
        raise HttpError(400, f"Financeur inconnu : {line.financeur}.")
    action = None
    if line.action:
        action = Action.objects.filter(roadmap=roadmap, code=line.action).first()
        if action is None:
            raise HttpError(400, f"Action inconnue : {line.action}.")
    try:
        created = services.financing_line_create(
            actor=request.auth,
            roadmap=roadmap,
            funder=funder,
            amount=line.montant,
            type=line.type,
            purpose=line.objet,
            scheme=line.dispositif,
            beneficiary_name=line.beneficiaire,
            action=action,
            start_date=line.debut,
            end_date=line.fin,
            is_confidential=line.confidentiel,
        )
    except PermissionDenied as error:
        raise HttpError(403, "Réservé aux coordinateurs du territoire.") from error
    except ValidationError:
        raise
    return Status(
        201,
        {
            "id": created.pk,
            "financeur": funder.name,
            "montant": created.amount,
            "type": created.type,
            "action": action.code if action else None,
        },
    )


@router.get("/feuilles-de-route/{slug}/objectifs", response={200: TargetsOut, 404: ErrorOut}, auth=api_public)
def get_targets(request, slug: str):
    """The four national targets territorialised for the roadmap's territory, with progress (public)."""
    roadmap = Roadmap.objects.filter(slug=slug).first()
    if roadmap is None:
        raise Http404(f"Feuille de route inconnue : {slug}.")
    return as_payload(selectors.roadmap_targets(roadmap))
