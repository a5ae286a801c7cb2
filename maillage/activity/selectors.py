"""Statistics of recorded activities, read from the rollups (months, then the days at the edges).

`activity_figures` answers any territory (commune to région), structure set and period with a
handful of indexed sums; only distinct followed beneficiaries come from the raw tables (they are
few: anonymous people are counts). `raw_figures` computes the same from the activities themselves
(tests compare both; the benchmark uses it as the naive baseline).
"""

import calendar
import datetime as dt
import functools

from django.db import connection
from django.db.models import Count, F, IntegerField, Q, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, TruncMonth
from django.utils import timezone

from maillage.activity.enums import DUREE_BUCKETS, THEMATIQUE_BITS, Autonomie, Thematique, TypeActivite, TypeLieu
from maillage.activity.models import (
    COUNTER_COLUMNS,
    Accompagnement,
    Activity,
    DailyRollup,
    MonthlyDepartementRollup,
    MonthlyRollup,
    tranche_age_for,
)
from maillage.activity.publics import (
    BREAKDOWN_KEYS,
    DEJA_ACCOMPAGNES,
    GROUPS,
    NON_COMMUNIQUE,
    full_breakdown,
    group_keys,
    known_values,
)
from maillage.territories.enums import Level
from maillage.territories.models import Commune

SECRET_MAX = 10  # counts of 1 to 10 people are masked for small groups (secret statistique)
_LEVEL_COLUMN = {
    Level.COMMUNE: "commune_code",
    Level.EPCI: "epci_code",
    Level.DEPARTEMENT: "departement_code",
    Level.REGION: "region_code",
}


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _split(start: dt.date | None, end: dt.date | None):
    """(monthly range, daily ranges) covering [start, end] exactly; None bounds are open."""
    first_month = None if start is None else (start if start.day == 1 else _month_end(start) + dt.timedelta(days=1))
    if end is None:
        last_month_end = None
    else:
        last_month_end = end if end == _month_end(end) else end.replace(day=1) - dt.timedelta(days=1)
    if first_month is not None and last_month_end is not None and first_month > last_month_end:
        return None, [(start, end)]
    days = []
    if start is not None and first_month != start:
        days.append((start, first_month - dt.timedelta(days=1)))
    if end is not None and last_month_end != end:
        days.append((last_month_end + dt.timedelta(days=1), end))
    return (first_month, last_month_end), days


def _territory_q(ref) -> Q:
    if ref is None:
        return Q()
    if ref.level == Level.COMMUNE:
        codes = [ref.code, *Commune.objects.filter(parent_id=ref.code).values_list("code", flat=True)]
        return Q(commune_code__in=codes)
    return Q(**{_LEVEL_COLUMN[ref.level]: ref.code})


def _scope_q(ref, structure_ids) -> Q:
    q = _territory_q(ref)
    if structure_ids is not None:
        q &= Q(structure_id__in=list(structure_ids))
    return q


def _range_q(bounds) -> Q:
    low, high = bounds
    q = Q()
    if low is not None:
        q &= Q(period__gte=low)
    if high is not None:
        q &= Q(period__lte=high)
    return q


@functools.lru_cache(maxsize=1)
def _arrondissements() -> dict[str, list[str]]:
    """Paris, Lyon, Marseille → their arrondissements municipaux (fixed by law: cached)."""
    found: dict[str, list[str]] = {}
    for code, parent in Commune.objects.filter(parent__isnull=False).values_list("code", "parent_id"):
        found.setdefault(parent, []).append(code)
    return found


def _scope_sql(ref, structure_ids, *, columns=None, structure="structure_id") -> tuple[str, list]:
    """WHERE fragment (and params) selecting the rows of a territory and structures."""
    columns = columns or _LEVEL_COLUMN
    clauses, params = [], []
    if ref is not None:
        if ref.level == Level.COMMUNE:
            codes = [ref.code, *_arrondissements().get(ref.code, [])]
            clauses.append(f"{columns[Level.COMMUNE]} IN ({', '.join(['%s'] * len(codes))})")
            params += codes
        else:
            clauses.append(f"{columns[ref.level]} = %s")
            params.append(ref.code)
    if structure_ids is not None:
        ids = list(structure_ids) or [0]
        clauses.append(f"{structure} IN ({', '.join(['%s'] * len(ids))})")
        params += ids
    return " AND ".join(clauses) or "1 = 1", params


def _range_sql(bounds, column: str = "period") -> tuple[str, list]:
    low, high = bounds
    clauses, params = [], []
    if low is not None:
        clauses.append(f"{column} >= %s")
        params.append(low)
    if high is not None:
        clauses.append(f"{column} <= %s")
        params.append(high)
    return " AND ".join(clauses) or "1 = 1", params


_SUMS = ", ".join(f"SUM({name})" for name in COUNTER_COLUMNS)
_COLUMNS = ", ".join(COUNTER_COLUMNS)


def rollup_totals(ref=None, start=None, end=None, structure_ids=None, *, extras=False):
    """Sums of every counter over the period: whole months from the monthly rollup, the days at the
    edges from the daily one, in a single SQL statement (no per-column ORM overhead).

    With `extras`, the same statement also counts distinct followed beneficiaries and
    structure-days; returns (totals, followed, days)."""
    months, days = _split(start, end)
    scope, scope_params = _scope_sql(ref, structure_ids)
    parts, params = [], []
    if months is not None:
        where, where_params = _range_sql(months)
        whole = structure_ids is None and (ref is None or ref.level in (Level.DEPARTEMENT, Level.REGION))
        table = (MonthlyDepartementRollup if whole else MonthlyRollup)._meta.db_table
        parts.append(f"SELECT {_COLUMNS} FROM {table} WHERE {scope} AND {where}")
        params += scope_params + where_params
    for bounds in days:
        where, where_params = _range_sql(bounds)
        parts.append(f"SELECT {_COLUMNS} FROM {DailyRollup._meta.db_table} WHERE {scope} AND {where}")
        params += scope_params + where_params
    select = _SUMS
    if extras:
        followed_sql, followed_params = _followed_sql(ref, start, end, structure_ids)
        days_where, days_params = _range_sql((start, end))
        select += (
            f", ({followed_sql}), (SELECT COUNT(*) FROM {DailyRollup._meta.db_table} WHERE {scope} AND {days_where})"
        )
        params = followed_params + scope_params + days_params + params
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {select} FROM ({' UNION ALL '.join(parts)}) AS rows", params)  # noqa: S608
        row = cursor.fetchone()
    totals = {name: int(value or 0) for name, value in zip(COUNTER_COLUMNS, row, strict=False)}
    if extras:
        return totals, int(row[-2]), int(row[-1])
    return totals


def _followed_sql(ref, start, end, structure_ids) -> tuple[str, list]:
    """Distinct followed beneficiaries of the live activities in scope (a scalar subquery reading
    the accompagnements alone: they carry their activity's date, commune and structure)."""
    columns = {
        Level.COMMUNE: "acc.activity_commune",
        Level.EPCI: "c.epci_id",
        Level.DEPARTEMENT: "c.departement_id",
        Level.REGION: "c.region_id",
    }
    scope, params = _scope_sql(ref, structure_ids, columns=columns, structure="acc.activity_structure_id")
    dates, date_params = _range_sql((start, end), "acc.activity_date")
    where = " AND ".join(["acc.live", scope, dates])
    sql = (
        f"SELECT COUNT(DISTINCT acc.beneficiary_id) FROM {Accompagnement._meta.db_table} acc "
        f"JOIN {Commune._meta.db_table} c ON c.code = acc.activity_commune WHERE {where}"
    )
    return sql, params + date_params


def _activities(ref=None, start=None, end=None, structure_ids=None, mediateur=None):
    qs = Activity.objects.live().between(start, end)
    if ref is not None:
        qs = qs.in_territory(ref)
    if structure_ids is not None:
        qs = qs.filter(structure_id__in=list(structure_ids))
    if mediateur is not None:
        qs = qs.filter(mediateur=mediateur)
    return qs


def followed_beneficiaries(ref=None, start=None, end=None, structure_ids=None, mediateur=None) -> int:
    """Distinct followed beneficiaries (anonymous people are counts, not rows)."""
    links = Accompagnement.objects.filter(activity__deleted_at__isnull=True)
    if start:
        links = links.filter(activity__date__gte=start)
    if end:
        links = links.filter(activity__date__lte=end)
    if ref is not None:
        links = links.filter(ref.commune_q("activity__commune__"))
    if structure_ids is not None:
        links = links.filter(activity__structure_id__in=list(structure_ids))
    if mediateur is not None:
        links = links.filter(activity__mediateur=mediateur)
    return links.values("beneficiary_id").distinct().count()


def structure_days(ref=None, start=None, end=None, structure_ids=None) -> int:
    """Days of activity of each structure (one per day × structure × commune with an activity)."""
    scope, params = _scope_sql(ref, structure_ids)
    where, where_params = _range_sql((start, end))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT COUNT(*) FROM {DailyRollup._meta.db_table} WHERE {scope} AND {where}",  # noqa: S608
            params + where_params,
        )
        return cursor.fetchone()[0]


def _shape(totals: dict, suivis: int, days: int | None) -> dict:
    figures = {
        "accompagnements": totals["accompagnements"],
        "beneficiaires": totals["beneficiaires_anonymes"] + suivis,
        "beneficiaires_suivis": suivis,
        "beneficiaires_anonymes": totals["beneficiaires_anonymes"],
        "activites": totals["activites_individuelles"] + totals["activites_collectives"],
        "activites_individuelles": totals["activites_individuelles"],
        "activites_collectives": totals["activites_collectives"],
        "accompagnements_individuels": totals["accompagnements_individuels"],
        "participants_ateliers": totals["participants_ateliers"],
        "duree_totale_minutes": totals["duree_minutes"],
        "orientes": totals["orientes"],
        "thematiques": {value: totals[f"th_{value}"] for value in Thematique.values},
        "canaux": {value: totals[f"canal_{value}"] for value in TypeLieu.values},
        "durees": {key: totals[f"duree_{key}"] for key, *_ in DUREE_BUCKETS},
        "autonomie": {value: totals[f"autonomie_{value}"] for value in Autonomie.values},
    }
    if days is not None:
        figures["jours_structure"] = days
        figures["accompagnements_par_jour_par_structure"] = (
            round(totals["accompagnements"] / days, 1) if days else None
        )
    return figures


def activity_figures(ref=None, start=None, end=None, structure_ids=None, *, with_days=True) -> dict:
    """The statistics of a territory (and/or set of structures) over a period, from the rollups."""
    totals, suivis, days = rollup_totals(ref, start, end, structure_ids, extras=True)
    return _shape(totals, suivis, days if with_days else None)


def raw_figures(ref=None, start=None, end=None, structure_ids=None, mediateur=None, *, with_days=True) -> dict:
    """The same figures computed with GROUP BY on the raw activities (reference and baseline)."""
    activities = _activities(ref, start, end, structure_ids, mediateur)
    w = F("accompagnements_count")
    ind = Q(type=TypeActivite.INDIVIDUEL)
    col = Q(type=TypeActivite.COLLECTIF)
    aggregates = {
        "activites_individuelles": Count("pk", filter=ind),
        "activites_collectives": Count("pk", filter=col),
        "accompagnements": Sum(w),
        "accompagnements_individuels": Sum(w, filter=ind),
        "participants_ateliers": Sum(w, filter=col),
        "beneficiaires_anonymes": Sum("participants_anonymes"),
        "duree_minutes": Sum("duree"),
        "orientes": Sum(w, filter=Q(oriente_vers_structure=True)),
    }
    for value in TypeLieu.values:
        aggregates[f"canal_{value}"] = Sum(w, filter=Q(type_lieu=value))
    for key, low, high, _ in DUREE_BUCKETS:
        aggregates[f"duree_{key}"] = Sum(w, filter=Q(duree__gte=low) & (Q(duree__lt=high) if high else Q()))
    for value in Autonomie.values:
        aggregates[f"autonomie_{value}"] = Sum(w, filter=Q(autonomie=value))
    totals = {name: value or 0 for name, value in activities.aggregate(**aggregates).items()}
    masks = activities.values("thematiques_mask").annotate(total=Sum(w))
    for value in Thematique.values:
        totals[f"th_{value}"] = 0
    for row in masks:
        for value, bit in THEMATIQUE_BITS.items():
            if row["thematiques_mask"] & bit:
                totals[f"th_{value}"] += row["total"]
    suivis = followed_beneficiaries(ref, start, end, structure_ids, mediateur)
    days = activities.values("date", "structure_id", "commune_id").distinct().count() if with_days else None
    return _shape(totals, suivis, days)


def monthly_series(ref=None, start=None, end=None, structure_ids=None) -> list[tuple[dt.date, int]]:
    """Accompagnements per month (whole months of the monthly rollup, edges from the daily one)."""
    scope = _scope_q(ref, structure_ids)
    rows = {}
    months, days = _split(start, end)
    if months is not None:
        for row in (
            MonthlyRollup.objects.filter(scope & _range_q(months))
            .values("period")
            .annotate(total=Sum("accompagnements"))
        ):
            rows[row["period"]] = rows.get(row["period"], 0) + row["total"]
    for bounds in days:
        for row in (
            DailyRollup.objects.filter(scope & _range_q(bounds))
            .values("period")
            .annotate(total=Sum("accompagnements"))
        ):
            month = row["period"].replace(day=1)
            rows[month] = rows.get(month, 0) + row["total"]
    return sorted(rows.items())


def commune_breakdown(ref, start=None, end=None, structure_ids=None) -> dict[str, int]:
    """Accompagnements per commune of the territory (for the map)."""
    months, days = _split(start, end)
    scope = _scope_q(ref, structure_ids)
    result: dict[str, int] = {}
    parts = []
    if months is not None:
        parts.append(MonthlyRollup.objects.filter(scope & _range_q(months)))
    parts += [DailyRollup.objects.filter(scope & _range_q(bounds)) for bounds in days]
    for queryset in parts:
        for row in queryset.values("commune_code").annotate(total=Sum("accompagnements")):
            result[row["commune_code"]] = result.get(row["commune_code"], 0) + row["total"]
    return result


def mask_small_counts(figures: dict) -> tuple[dict, list[str]]:
    """Secret statistique: every count of people between 1 and 10 becomes None; returns the
    masked figures and the list of masked keys (dotted for nested distributions)."""
    people = (
        "accompagnements",
        "beneficiaires",
        "beneficiaires_suivis",
        "beneficiaires_anonymes",
        "accompagnements_individuels",
        "participants_ateliers",
        "orientes",
    )
    masked, keys = dict(figures), []
    for key in people:
        value = masked.get(key)
        if value is not None and 1 <= value <= SECRET_MAX:
            masked[key] = None
            keys.append(key)
    for group in ("thematiques", "canaux", "durees", "autonomie"):
        if group in masked:
            inner = dict(masked[group])
            for key, value in inner.items():
                if value is not None and 1 <= value <= SECRET_MAX:
                    inner[key] = None
                    keys.append(f"{group}.{key}")
            masked[group] = inner
    if "accompagnements" in keys:
        masked["accompagnements_par_jour_par_structure"] = None
    return masked, keys


def raw_monthly_series(ref=None, start=None, end=None, structure_ids=None, mediateur=None):
    """Accompagnements per month from the activities (for a médiateur: the rollups have no médiateur)."""
    rows = (
        _activities(ref, start, end, structure_ids, mediateur)
        .annotate(month=TruncMonth("date"))
        .values("month")
        .annotate(total=Sum("accompagnements_count"))
        .order_by("month")
    )
    return [(row["month"], row["total"]) for row in rows]


def _empty_publics() -> dict[str, dict[str, int]]:
    return {group: dict.fromkeys(GROUPS[group][0].values, 0) for group in GROUPS}


def _followed_links(ref=None, start=None, end=None, structure_ids=None):
    """Accompagnements of followed people in scope, read alone: they carry their activity's date,
    commune, structure and whether it is live."""
    links = Accompagnement.objects.filter(live=True)
    if start:
        links = links.filter(activity_date__gte=start)
    if end:
        links = links.filter(activity_date__lte=end)
    if ref is not None:
        links = links.filter(activity_commune__in=ref.communes().values("code"))
    if structure_ids is not None:
        links = links.filter(activity_structure_id__in=list(structure_ids))
    return links


def _add_followed(result: dict, links, year: int) -> None:
    """Followed people by their record (the age bracket from the birth year, la Coop's rule)."""
    rows = (
        links.values("beneficiary__genre", "beneficiary__statut_social", "beneficiary__annee_naissance")
        .annotate(total=Count("pk"))
        .order_by()
    )
    for row in rows:
        birth = row["beneficiary__annee_naissance"]
        _add_public(result, "genre", row["beneficiary__genre"], row["total"])
        _add_public(result, "statut_social", row["beneficiary__statut_social"], row["total"])
        _add_public(result, "tranche_age", tranche_age_for(year - birth) if birth else NON_COMMUNIQUE, row["total"])


def _add_public(result: dict, group: str, value, count) -> None:
    value = value or NON_COMMUNIQUE
    result[group][value if value in result[group] else NON_COMMUNIQUE] += count or 0


def publics_figures(ref=None, start=None, end=None, structure_ids=None, mediateur=None, *, year=None) -> dict:
    """Genre, tranche d'âge and statut social of the accompagnements of a scope and period.

    Three sources, each accompagnement counted once: the followed beneficiaries (their record),
    the anonymous individual accompaniments (the activity's beneficiaire_* fields) and the
    anonymous workshop participants (the counts of `participants_anonymes_detail`, the rest "non
    communiqué"). Anonymous people count as new at each accompagnement. The anonymous ones come
    from the rollups (their known values are counters; "non communiqué" is the anonymous total
    minus the group's known counts); a médiateur's scope, which the rollups do not have, is read
    from the raw activities (`raw_publics_figures`).
    """
    if mediateur is not None:
        return raw_publics_figures(ref, start, end, structure_ids, mediateur, year=year)
    result = _empty_publics()
    _add_followed(result, _followed_links(ref, start, end, structure_ids), year or timezone.localdate().year)
    totals = rollup_totals(ref, start, end, structure_ids)
    for group in GROUPS:
        known = 0
        for key, value in zip(group_keys(group), known_values(group), strict=True):
            count = totals[f"anonymes_{key}"]
            result[group][value] += count
            known += count
        result[group][NON_COMMUNIQUE] += totals["beneficiaires_anonymes"] - known
    return result


def raw_publics_figures(ref=None, start=None, end=None, structure_ids=None, mediateur=None, *, year=None) -> dict:
    """publics_figures read from the raw activities (a médiateur's scope; the tests' reference):
    one grouped scan of the activities with anonymous people, one of the followed people's
    accompagnements."""
    year = year or timezone.localdate().year
    activities = _activities(ref, start, end, structure_ids, mediateur)
    result = _empty_publics()
    _add_followed(result, Accompagnement.objects.filter(activity__in=activities), year)
    collective = Q(type=TypeActivite.COLLECTIF)
    sums = {"total": Sum("participants_anonymes")}
    for key in BREAKDOWN_KEYS:
        if key != DEJA_ACCOMPAGNES:
            value = Cast(KT(f"participants_anonymes_detail__{key}"), IntegerField())
            sums[f"detail_{key}"] = Sum(value, filter=collective)
    anonymous = (
        activities.filter(participants_anonymes__gt=0)
        .values("type", "beneficiaire_genre", "beneficiaire_tranche_age", "beneficiaire_statut_social")
        .annotate(**sums)
        .order_by()
    )
    for row in anonymous:
        if row["type"] == TypeActivite.COLLECTIF:
            detail = {key: row.get(f"detail_{key}") or 0 for key in BREAKDOWN_KEYS}
            for group, counts in full_breakdown(row["total"] or 0, detail).items():
                for value, count in counts.items():
                    _add_public(result, group, value, count)
        else:
            for group in GROUPS:
                _add_public(result, group, row[f"beneficiaire_{group}"], row["total"])
    return result


def mask_publics(publics: dict) -> tuple[dict, list[str]]:
    """Secret statistique on the publics: counts of 1 to 10 become None (keys publics.group.value)."""
    masked, keys = {}, []
    for group, counts in publics.items():
        masked[group] = {}
        for value, count in counts.items():
            hidden = count is not None and 1 <= count <= SECRET_MAX
            masked[group][value] = None if hidden else count
            if hidden:
                keys.append(f"publics.{group}.{value}")
    return masked, keys
