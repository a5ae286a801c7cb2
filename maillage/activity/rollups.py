"""Daily and monthly rollups of live activities, kept exact by one SQL statement.

Every change goes through `apply(where, params, sign)`: it adds (+1) or subtracts (-1) the sums of
the matching live activities to the rollup rows of their day (and month) × structure × commune,
with `INSERT … SELECT … GROUP BY … ON CONFLICT DO UPDATE` (PostgreSQL and SQLite alike). Creating
an activity adds it, deleting subtracts it, editing subtracts the old version then adds the new;
`rebuild()` starts again from zero. Bulk inserts (bulk.insert_activities: imports, generation) use
`add_deltas` instead: the sums of the new rows are grouped in memory (deltas.py) and upserted once
per table (staging.py), without reading the batch back.
"""

import functools

from django.db import connection, transaction

from maillage.activity import staging
from maillage.activity.enums import DUREE_BUCKETS, THEMATIQUE_BITS, Autonomie, TypeActivite, TypeLieu
from maillage.activity.models import (
    COUNTER_COLUMNS,
    Activity,
    DailyRollup,
    MonthlyDepartementRollup,
    MonthlyRollup,
)
from maillage.activity.publics import GROUPS, group_keys, known_values
from maillage.activity.staging import upsert_clause
from maillage.territories.models import Commune

KEY_COLUMNS = ["period", "structure_id", "commune_code", "epci_code", "departement_code", "region_code"]


def _detail_count(key: str, vendor: str) -> str:
    """A workshop's count of anonymous participants for `key` (participants_anonymes_detail)."""
    if vendor == "postgresql":
        return f"COALESCE((a.participants_anonymes_detail ->> '{key}')::integer, 0)"
    return f"COALESCE(CAST(json_extract(a.participants_anonymes_detail, '$.{key}') AS INTEGER), 0)"


@functools.cache
def _counter_expressions(vendor: str) -> dict[str, str]:
    """SQL expression summed for each counter, on the activity `a` (weight: accompagnements)."""
    w = "a.accompagnements_count"
    ind, col = TypeActivite.INDIVIDUEL.value, TypeActivite.COLLECTIF.value
    expressions = {
        "activites_individuelles": f"CASE WHEN a.type = '{ind}' THEN 1 ELSE 0 END",
        "activites_collectives": f"CASE WHEN a.type = '{col}' THEN 1 ELSE 0 END",
        "accompagnements": w,
        "accompagnements_individuels": f"CASE WHEN a.type = '{ind}' THEN {w} ELSE 0 END",
        "participants_ateliers": f"CASE WHEN a.type = '{col}' THEN {w} ELSE 0 END",
        "beneficiaires_anonymes": "a.participants_anonymes",
        "duree_minutes": "a.duree",
        "orientes": f"CASE WHEN a.oriente_vers_structure THEN {w} ELSE 0 END",
    }
    for value in TypeLieu.values:
        expressions[f"canal_{value}"] = f"CASE WHEN a.type_lieu = '{value}' THEN {w} ELSE 0 END"
    for key, low, high, _ in DUREE_BUCKETS:
        condition = f"a.duree >= {low}" + (f" AND a.duree < {high}" if high else "")
        expressions[f"duree_{key}"] = f"CASE WHEN {condition} THEN {w} ELSE 0 END"
    for value in Autonomie.values:
        expressions[f"autonomie_{value}"] = f"CASE WHEN a.autonomie = '{value}' THEN {w} ELSE 0 END"
    for value, bit in THEMATIQUE_BITS.items():
        expressions[f"th_{value}"] = f"CASE WHEN (a.thematiques_mask & {bit}) <> 0 THEN {w} ELSE 0 END"
    # Anonymous publics: a workshop's counts, or the anonymous individual's own fields.
    for group in GROUPS:
        for key, value in zip(group_keys(group), known_values(group), strict=True):
            expressions[f"anonymes_{key}"] = (
                f"CASE WHEN a.type = '{col}' THEN {_detail_count(key, vendor)} "
                f"WHEN a.beneficiaire_{group} = '{value}' THEN a.participants_anonymes ELSE 0 END"
            )
    assert list(expressions) == COUNTER_COLUMNS
    return expressions


def _sums(sign: int) -> str:
    return ", ".join(f"{sign} * SUM({expression})" for expression in _counter_expressions(connection.vendor).values())


def _period_expression(monthly: bool) -> str:
    return _month_of("a.date") if monthly else "a.date"


def _statement(model, *, monthly: bool, where: str, sign: int) -> str:
    table = model._meta.db_table
    activity = Activity._meta.db_table
    commune = Commune._meta.db_table
    sums = _sums(sign)
    updates = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in COUNTER_COLUMNS)
    return (
        f"INSERT INTO {table} ({', '.join(KEY_COLUMNS + COUNTER_COLUMNS)}) "
        f"SELECT {_period_expression(monthly)}, a.structure_id, a.commune_id, COALESCE(c.epci_id, ''), "
        f"c.departement_id, c.region_id, {sums} "
        f"FROM {activity} a JOIN {commune} c ON c.code = a.commune_id "
        f"WHERE a.deleted_at IS NULL AND ({where}) "
        f"GROUP BY {_period_expression(monthly)}, a.structure_id, a.commune_id, c.epci_id, c.departement_id, "
        "c.region_id "
        f"ON CONFLICT (period, structure_id, commune_code) DO UPDATE SET {updates}"
    )


DEPARTEMENT_KEYS = ["period", "departement_code", "region_code"]


def _departement_statement(*, where: str, sign: int) -> str:
    table = MonthlyDepartementRollup._meta.db_table
    activity, commune = Activity._meta.db_table, Commune._meta.db_table
    sums = _sums(sign)
    updates = ", ".join(f"{column} = {table}.{column} + excluded.{column}" for column in COUNTER_COLUMNS)
    month = _period_expression(True)
    return (
        f"INSERT INTO {table} ({', '.join(DEPARTEMENT_KEYS + COUNTER_COLUMNS)}) "
        f"SELECT {month}, c.departement_id, c.region_id, {sums} "
        f"FROM {activity} a JOIN {commune} c ON c.code = a.commune_id "
        f"WHERE a.deleted_at IS NULL AND ({where}) "
        f"GROUP BY {month}, c.departement_id, c.region_id "
        f"ON CONFLICT (period, departement_code) DO UPDATE SET {updates}"
    )


ROLLUP_MODELS = (DailyRollup, MonthlyRollup, MonthlyDepartementRollup)


def apply(where: str, params: list, *, sign: int = 1, emptied_between=None) -> None:
    """Add (sign=1) or subtract (sign=-1) the live activities matching `where` (SQL on alias `a`).

    After a subtraction, rows left at zero between the dates `emptied_between` are removed.
    """
    assert sign in (1, -1)
    with transaction.atomic(), connection.cursor() as cursor:
        for model, monthly in ((DailyRollup, False), (MonthlyRollup, True)):
            cursor.execute(_statement(model, monthly=monthly, where=where, sign=sign), params)
        cursor.execute(_departement_statement(where=where, sign=sign), params)
        if sign < 0 and emptied_between:
            for model in ROLLUP_MODELS:
                cursor.execute(
                    f"DELETE FROM {model._meta.db_table} WHERE activites_individuelles = 0 "
                    "AND activites_collectives = 0 AND period >= %s AND period <= %s",
                    list(emptied_between),
                )


def add_activity(activity_id: int) -> None:
    apply("a.id = %s", [activity_id], sign=1)


def subtract_activity(activity_id: int, date) -> None:
    """Take a live activity out of the rollups (call before changing or deleting it)."""
    apply("a.id = %s", [activity_id], sign=-1, emptied_between=(date.replace(day=1), date))


def add_deltas(found) -> None:
    """Add the grouped sums of new activities (deltas.batch_deltas) to the three rollups: one
    upsert per table (binary COPY into a temporary table on PostgreSQL, executemany elsewhere)."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            staging.upsert_deltas(cursor, found)
            return
        for model, keys, delta in (
            (DailyRollup, KEY_COLUMNS, found.daily),
            (MonthlyRollup, KEY_COLUMNS, found.monthly),
            (MonthlyDepartementRollup, DEPARTEMENT_KEYS, found.departement),
        ):
            table = model._meta.db_table
            placeholders = ", ".join(["%s"] * (len(keys) + len(COUNTER_COLUMNS)))
            cursor.executemany(
                f"INSERT INTO {table} ({', '.join(keys + COUNTER_COLUMNS)}) VALUES ({placeholders}) "
                f"{upsert_clause(model)}",
                found.rows(delta, departement=model is MonthlyDepartementRollup),
            )


def _month_of(column: str) -> str:
    if connection.vendor == "postgresql":
        return f"CAST(date_trunc('month', {column}) AS date)"
    return f"date({column}, 'start of month')"


def rebuild() -> dict:
    """Empty both tables and compute them again from every live activity."""
    with transaction.atomic():
        for model in ROLLUP_MODELS:
            model.objects.all().delete()
        apply("1 = 1", [], sign=1)
    return {"daily": DailyRollup.objects.count(), "monthly": MonthlyRollup.objects.count()}
