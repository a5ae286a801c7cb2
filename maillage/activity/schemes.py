"""Aggregate figures of national schemes, imported from their own systems (not recorded here).

- Conseillers numériques France Services: `conum_departement-cras.json`, one object per
  département, cumulated over the CRA exports 2021–2023.
- Aidants Connect: `aidants-connect_structures.csv`, one row per structure, counts cumulated since
  the structure joined (period not stated), kept per structure and commune.
- Any scheme (France Services…): a generic CSV of series
  `dispositif,indicateur,territoire,du,au,valeur[,structure]`.

Each import replaces the figures of the same source file: running it twice changes nothing.
"""

import csv
import datetime as dt
import hashlib
import io
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction
from django.db.models import Q, Sum

from maillage.activity import conf
from maillage.activity.enums import AuditAction, Dispositif
from maillage.activity.models import SchemeFigure
from maillage.core import audit
from maillage.territories.enums import Level
from maillage.territories.models import Commune, Departement

CONUM_FILE = "conum_departement-cras.json"
AIDANTS_CONNECT_FILE = "aidants-connect_structures.csv"
CONUM_PERIOD = ("2021–2023", dt.date(2021, 1, 1), dt.date(2023, 12, 31))
AC_PERIOD = "cumul depuis l'habilitation (export début 2024)"
AC_COLUMNS = {
    "aidants": "Nombre d'aidants",
    "usagers": "Question 110 → Nombre D'usagers Uniques",
    "demarches": "Question 109 → Nombre De Demarche Par Structure",
}
AC_THEMES = [
    "Argent",
    "Etranger",
    "Famille",
    "Justice",
    "Loisirs",
    "Papier",
    "Social",
    "Transport",
    "Travail",
    "Logement",
]


@dataclass(frozen=True)
class SchemeIndicator:
    dispositif: str
    indicateur: str
    label: str
    unit: str


# What the dashboards and the indicator sources show (key: activity.<dispositif>_<indicateur>).
INDICATORS = [
    SchemeIndicator(
        Dispositif.CONSEILLER_NUMERIQUE, "usagers", "Usagers accompagnés (conseillers numériques)", "usagers"
    ),
    SchemeIndicator(
        Dispositif.CONSEILLER_NUMERIQUE,
        "accompagnements",
        "Accompagnements (conseillers numériques)",
        "accompagnements",
    ),
    SchemeIndicator(
        Dispositif.CONSEILLER_NUMERIQUE, "ateliers", "Ateliers collectifs (conseillers numériques)", "ateliers"
    ),
    SchemeIndicator(
        Dispositif.CONSEILLER_NUMERIQUE, "individuels", "Accompagnements individuels (conseillers numériques)", "CRA"
    ),
    SchemeIndicator(
        Dispositif.CONSEILLER_NUMERIQUE, "ponctuels", "Demandes ponctuelles (conseillers numériques)", "CRA"
    ),
    SchemeIndicator(Dispositif.AIDANTS_CONNECT, "aidants", "Aidants habilités Aidants Connect", "aidants"),
    SchemeIndicator(Dispositif.AIDANTS_CONNECT, "usagers", "Usagers uniques Aidants Connect", "usagers"),
    SchemeIndicator(Dispositif.AIDANTS_CONNECT, "demarches", "Démarches réalisées avec Aidants Connect", "démarches"),
    SchemeIndicator(Dispositif.AIDANTS_CONNECT, "structures", "Structures habilitées Aidants Connect", "structures"),
    SchemeIndicator(
        Dispositif.FRANCE_SERVICES, "accompagnements", "Accompagnements (France Services)", "accompagnements"
    ),
    SchemeIndicator(Dispositif.FRANCE_SERVICES, "usagers", "Usagers accompagnés (France Services)", "usagers"),
    SchemeIndicator(
        Dispositif.FRANCE_SERVICES,
        "accompagnements_par_jour_par_structure",
        "Accompagnements par jour et par structure (France Services)",
        "accompagnements / jour",
    ),
    SchemeIndicator(
        Dispositif.FRANCE_SERVICES,
        "part_finalises_un_rdv",
        "Part finalisée en un seul rendez-vous (France Services)",
        "%",
    ),
    SchemeIndicator(Dispositif.FRANCE_SERVICES, "satisfaction", "Satisfaction des usagers (France Services)", "%"),
]
# Rates are not summed across territories: a territory shows them only where given for itself.
RATE_INDICATORS = {"accompagnements_par_jour_par_structure", "part_finalises_un_rdv", "satisfaction"}
CONUM_KEYS = {"usagers": "usagers", "accompagnements": "accompagnements"}
CONUM_ACTIVITE = {"collectif": "ateliers", "individuel": "individuels", "ponctuel": "ponctuels"}


def stats_dir() -> Path:
    return conf.stats_dir()


def _replace(dispositif: str, source: str, sha: str, figures: list[SchemeFigure], actor) -> int:
    with transaction.atomic():
        SchemeFigure.objects.filter(dispositif=dispositif, source=source).delete()
        for figure in figures:
            figure.dispositif, figure.source, figure.source_sha256 = dispositif, source, sha
        SchemeFigure.objects.bulk_create(figures, batch_size=2000)
        audit.record(
            actor=actor,
            action=AuditAction.SCHEME_FIGURES_IMPORTED,
            payload={"dispositif": dispositif, "source": source, "sha256": sha, "figures": len(figures)},
        )
    return len(figures)


def import_conseillers_numeriques(path: Path, *, actor=None) -> int:
    data = path.read_bytes()
    label, start, end = CONUM_PERIOD
    figures = []
    for item in json.loads(data):
        dep = str(item["departement"]).upper()

        def add(name, value, dep=dep):
            figures.append(
                SchemeFigure(
                    indicateur=name,
                    departement_code=dep,
                    period_label=label,
                    period_start=start,
                    period_end=end,
                    value=float(value),
                )
            )

        for key, name in CONUM_KEYS.items():
            add(name, item.get(key, 0))
        for key, name in CONUM_ACTIVITE.items():
            add(name, item.get("activite", {}).get(key, 0))
        for group in ("themes", "statut", "accompagnement"):
            for key, value in item.get(group, {}).items():
                add(f"{group}.{key}", value)
        for key in ("moins12ans", "de12a18ans", "de18a35ans", "de35a60ans", "plus60ans"):
            add(f"age.{key}", item.get(key, 0))
    return _replace(Dispositif.CONSEILLER_NUMERIQUE, path.name, hashlib.sha256(data).hexdigest(), figures, actor)


def _number(text: str) -> float:
    text = (text or "").strip()
    return float(text) if text else 0.0


def _departement_of(insee: str, zip_code: str, known: set[str]) -> str:
    for code in (insee, zip_code):
        code = (code or "").strip()
        if len(code) == 5:
            for candidate in (code[:3], code[:2]):
                if candidate in known:
                    return candidate
    return ""


def _siret(text: str | None) -> str:
    """A SIRET as the file gives it (a spreadsheet may have turned it into a number), or "" if invalid."""
    digits = (text or "").strip().removesuffix(".0")
    if not digits.isdigit() or len(digits) > 14:
        return ""
    return digits.zfill(14)


def import_aidants_connect(path: Path, *, actor=None) -> int:
    data = path.read_bytes()
    known = set(Departement.objects.values_list("code", flat=True)) or _ALL_DEPARTEMENTS
    figures = []
    for row in csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")):
        insee = (row.get("City Insee Code") or "").strip()
        dep = _departement_of(insee, row.get("Zip Code", ""), known)
        if not dep:
            continue
        common = {
            "departement_code": dep,
            "commune_code": insee,
            "entity_id": row["ID"].strip(),
            "entity_name": row["Name"].strip()[:300],
            "siret": _siret(row.get("Siret")),
            "is_active": row.get("Is Active", "").strip().lower() == "true",
            "period_label": AC_PERIOD,
        }
        figures.append(SchemeFigure(indicateur="structures", value=1.0, **common))
        for name, column in AC_COLUMNS.items():
            figures.append(SchemeFigure(indicateur=name, value=_number(row.get(column, "")), **common))
        for theme in AC_THEMES:
            column = next((c for c in row if c and c.endswith(f"Nombre Demarche {theme}")), None)
            if column:
                figures.append(
                    SchemeFigure(indicateur=f"demarches.{theme.lower()}", value=_number(row[column]), **common)
                )
    return _replace(Dispositif.AIDANTS_CONNECT, path.name, hashlib.sha256(data).hexdigest(), figures, actor)


# Départements by their code pattern, for files read before the territory reference is loaded.
_ALL_DEPARTEMENTS = {f"{n:02d}" for n in range(1, 96) if n != 20} | {"2A", "2B", "971", "972", "973", "974", "976"}


class SeriesError(ValueError):
    pass


def import_series(path: Path, *, actor=None) -> int:
    """Generic CSV: dispositif,indicateur,territoire,du,au,valeur[,structure]; every error is named."""
    data = path.read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    figures, errors, dispositifs = [], [], set()
    for line, row in enumerate(rows, start=2):
        try:
            dispositif = row["dispositif"].strip()
            if dispositif not in Dispositif.values:
                raise SeriesError(f"dispositif inconnu : {dispositif}")
            level, _, code = row["territoire"].strip().partition(":")
            if level == Level.COMMUNE:
                commune = Commune.objects.filter(code=code).first()
                if commune is None:
                    raise SeriesError(f"commune inconnue : {code}")
                dep = commune.departement_id
            elif level == Level.DEPARTEMENT:
                dep, code = code.upper(), ""
            else:
                raise SeriesError("territoire : commune:<code> ou departement:<code>")
            start = dt.date.fromisoformat(row["du"].strip())
            end = dt.date.fromisoformat(row["au"].strip())
            value = float(row["valeur"].replace(",", ".").replace("\u202f", "").replace(" ", ""))
        except (KeyError, ValueError) as error:
            errors.append(f"ligne {line} : {error}")
            continue
        dispositifs.add(dispositif)
        figures.append(
            SchemeFigure(
                dispositif=dispositif,
                indicateur=row["indicateur"].strip(),
                departement_code=dep,
                commune_code=code,
                entity_name=(row.get("structure") or "").strip()[:300],
                entity_id=hashlib.sha1((row.get("structure") or "").encode()).hexdigest()[:12]  # noqa: S324
                if row.get("structure")
                else "",
                period_label=f"{start.isoformat()}/{end.isoformat()}",
                period_start=start,
                period_end=end,
                value=value,
            )
        )
    if errors:
        raise SeriesError("\n".join(errors))
    sha = hashlib.sha256(data).hexdigest()
    total = 0
    for dispositif in sorted(dispositifs):
        total += _replace(dispositif, path.name, sha, [f for f in figures if f.dispositif == dispositif], actor)
    return total


def scheme_value(dispositif: str, indicateur: str, ref, start=None, end=None) -> float | None:
    """The figure of a territory: sum over its communes (per-structure data) or its départements.

    Figures whose period does not overlap [start, end] are left out; None when nothing covers it.
    """
    figures = SchemeFigure.objects.filter(dispositif=dispositif, indicateur=indicateur)
    if dispositif == Dispositif.AIDANTS_CONNECT:
        figures = figures.filter(is_active=True)
    if start:
        figures = figures.filter(Q(period_end__isnull=True) | Q(period_end__gte=start))
    if end:
        figures = figures.filter(Q(period_start__isnull=True) | Q(period_start__lte=end))
    if ref.level in (Level.COMMUNE, Level.EPCI):
        codes = list(ref.communes().values_list("code", flat=True))
        figures = figures.filter(commune_code__in=codes)
    elif ref.level == Level.DEPARTEMENT:
        figures = figures.filter(departement_code=ref.code)
    else:
        figures = figures.filter(departement_code__in=Departement.objects.filter(region_id=ref.code).values("code"))
    if indicateur in RATE_INDICATORS:
        if ref.level != Level.DEPARTEMENT:
            return None
        values = list(figures.filter(commune_code="").values_list("value", flat=True))
        return values[-1] if values else None
    if not figures.exists():
        return None
    return figures.aggregate(total=Sum("value"))["total"]


def scheme_table(ref, start=None, end=None) -> list[dict]:
    """Every scheme indicator of a territory that has a value, with its source and period."""
    rows = []
    for indicator in INDICATORS:
        value = scheme_value(indicator.dispositif, indicator.indicateur, ref, start, end)
        if value is None:
            continue
        sample = SchemeFigure.objects.filter(dispositif=indicator.dispositif, indicateur=indicator.indicateur).first()
        rows.append(
            {
                "key": f"activity.{indicator.dispositif}_{indicator.indicateur}",
                "dispositif": Dispositif(indicator.dispositif).label,
                "label": indicator.label,
                "unit": indicator.unit,
                "value": value,
                "period": sample.period_label if sample else "",
                "source": sample.source if sample else "",
            }
        )
    return rows
