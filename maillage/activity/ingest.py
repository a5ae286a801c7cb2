"""Fast insertion of pre-validated activities: COPY on PostgreSQL, executemany elsewhere.

Rows are plain tuples in COLUMNS order (no model instances: at millions of rows, building and
preparing model objects costs more than the database). bulk.insert_activities adds them to
the rollups in the same transaction.
"""

import datetime as dt
import json

from django.db import connection
from psycopg.copy import QueuedLibpqWriter

from maillage.activity.models import Activity

COLUMNS = [
    "type",
    "mediateur_id",
    "structure_id",
    "place_id",
    "date",
    "duree",
    "type_lieu",
    "commune_id",
    "thematiques",
    "thematiques_mask",
    "precisions_demarche",
    "materiel",
    "autonomie",
    "oriente_vers_structure",
    "structure_de_redirection",
    "titre_atelier",
    "niveau",
    "notes",
    "participants_anonymes",
    "participants_anonymes_detail",
    "accompagnements_count",
    "beneficiaire_commune_id",
    "beneficiaire_genre",
    "beneficiaire_tranche_age",
    "beneficiaire_statut_social",
    "source",
    "fingerprint",
    "import_batch_id",
]  # created_at and updated_at: the database default (the start of the COPY statement)


def row_from_values(values: dict, *, mask: int, source: str, fingerprint, batch_id) -> tuple:
    """A COLUMNS tuple from the values of validation.RowChecker (JSON lists serialised)."""
    participants = values["participants_anonymes"]
    return (
        values["type"],
        values.get("mediateur_id"),
        values["structure_id"],
        values.get("place_id"),
        values["date"],
        values["duree"],
        values["type_lieu"],
        values["commune_id"],
        json.dumps(values["thematiques"]),
        mask,
        values.get("precisions_demarche", ""),
        json.dumps(values.get("materiel", [])),
        values.get("autonomie", ""),
        values.get("oriente_vers_structure"),
        values.get("structure_de_redirection", ""),
        values.get("titre_atelier", ""),
        values.get("niveau", ""),
        "",
        participants,
        json.dumps(values.get("participants_anonymes_detail") or {}),
        participants,
        values.get("beneficiaire_commune_id"),
        values.get("beneficiaire_genre", ""),
        values.get("beneficiaire_tranche_age", ""),
        values.get("beneficiaire_statut_social", ""),
        source,
        fingerprint,
        batch_id,
    )


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_BOOLEANS = {True: "t", False: "f", None: "\\N"}


def _text(value) -> str:
    """One value in COPY's text format."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(_ESCAPES)
    return str(value)  # int, date (ISO), aware datetime (ISO with offset)


def _column_text(values: tuple) -> list[str] | map:
    """One column in COPY's text format, converted with the cheapest rule its value types allow
    (a C-level map over the column instead of one Python call per value)."""
    kinds = set(map(type, values))
    if kinds <= {bool, type(None)}:
        return [_BOOLEANS[value] for value in values]
    if kinds == {str}:
        joined = "".join(values)
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            return [value.translate(_ESCAPES) for value in values]
        return values
    if kinds == {str, type(None)}:
        present = [value for value in values if value is not None]
        joined = "".join(present)
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            return list(map(_text, values))
        return ["\\N" if value is None else value for value in values]
    if type(None) not in kinds and kinds <= {int, dt.date, dt.datetime}:
        if len(kinds) == 1 and len(set(values)) == 1:  # a constant column (batch id, timestamps)
            return [str(values[0])] * len(values)
        return map(str, values)
    return map(_text, values)


def copy_text(rows: list[tuple]) -> bytes:
    """COPY text of a block of rows, built column by column."""
    return columns_text(list(zip(*rows, strict=True)))


def columns_text(columns: list[tuple]) -> bytes:
    """COPY text of a block given as its columns (the rows transposed)."""
    if not columns or not columns[0]:
        return b""
    texts = [_column_text(values) for values in columns]
    return ("\n".join(map("\t".join, zip(*texts, strict=True))) + "\n").encode()


def _blocks(rows, size: int):
    block = []
    for row in rows:
        block.append(row)
        if len(block) >= size:
            yield block
            block = []
    if block:
        yield block


def copy_rows(cursor, table: str, columns: list[str], rows, *, meanwhile=None):
    """COPY tuples into `table` (PostgreSQL), by blocks of 50,000.

    `meanwhile(blocks)`, if given, is called once every block has been queued, while PostgreSQL is
    still taking the rows in (a writer thread sends the data), with the blocks as their columns
    (each block transposed once, for the COPY text and for the caller); its result is returned."""
    writer = QueuedLibpqWriter(cursor.cursor) if meanwhile else None
    transposed = []
    with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN", writer=writer) as copy:
        for block in _blocks(rows, 50_000):
            block_columns = list(zip(*block, strict=True))
            if meanwhile:
                transposed.append(block_columns)
            copy.write(columns_text(block_columns))
        return meanwhile(transposed) if meanwhile else None


def ingest_rows(rows: list[tuple], *, meanwhile=None):
    """Insert COLUMNS tuples inside the caller's transaction; returns what `meanwhile(blocks)`
    returns, given the rows as transposed blocks (on PostgreSQL it runs while the database is still
    inserting the rows)."""
    table = Activity._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            return copy_rows(cursor, table, COLUMNS, rows, meanwhile=meanwhile)
        sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
        for block in _blocks(rows, 5000):
            cursor.executemany(sql, block)
    return meanwhile([list(zip(*rows, strict=True))]) if meanwhile and rows else None
