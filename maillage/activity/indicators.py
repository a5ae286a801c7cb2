"""Indicator sources of recorded activity and of the national schemes (see maillage.core.indicators).

Keys are a contract with the roadmap app: activity.accompagnements, activity.beneficiaires,
activity.ateliers, activity.participants_ateliers, activity.activites_individuelles and one key per
scheme figure, activity.<dispositif>_<indicateur> (e.g. activity.aidants_connect_aidants).
"""

from functools import partial

from maillage.activity.schemes import INDICATORS, scheme_value
from maillage.activity.selectors import activity_figures
from maillage.core.indicators import IndicatorSource, register_indicator_source

RECORDED = [
    ("accompagnements", "accompagnements", "Accompagnements (activité enregistrée)", "accompagnements"),
    ("beneficiaires", "beneficiaires", "Bénéficiaires accompagnés (activité enregistrée)", "bénéficiaires"),
    ("ateliers", "activites_collectives", "Ateliers collectifs réalisés", "ateliers"),
    ("participants_ateliers", "participants_ateliers", "Participants aux ateliers", "participants"),
    ("activites_individuelles", "activites_individuelles", "Accompagnements individuels réalisés", "activités"),
]


def _recorded(territory, start, end, *, figure: str):
    return activity_figures(territory, start, end, with_days=False)[figure]


def _scheme(territory, start, end, *, dispositif: str, indicateur: str):
    return scheme_value(dispositif, indicateur, territory, start, end)


def register() -> None:
    for key, figure, label, unit in RECORDED:
        register_indicator_source(
            IndicatorSource(
                key=f"activity.{key}",
                label=label,
                unit=unit,
                compute=partial(_recorded, figure=figure),
                description="Calculé en direct depuis les comptes rendus d'activité enregistrés ou importés.",
            )
        )
    for indicator in INDICATORS:
        register_indicator_source(
            IndicatorSource(
                key=f"activity.{indicator.dispositif}_{indicator.indicateur}",
                label=indicator.label,
                unit=indicator.unit,
                compute=partial(_scheme, dispositif=indicator.dispositif, indicateur=indicator.indicateur),
                description="Chiffre importé du système national du dispositif (distinct de l'activité enregistrée).",
            )
        )
