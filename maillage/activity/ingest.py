"""Fast insertion of pre-validated activities: binary COPY on PostgreSQL, executemany elsewhere.

Rows are plain tuples in COLUMNS order (no model instances: at millions of rows, building and
preparing model objects costs more than the database). bulk.insert_activities adds them to
the rollups in the same transaction.
"""

import json

from django.db import connection
from psycopg import postgres
from psycopg.adapt import Dumper
from psycopg.copy import QueuedLibpqWriter
from psycopg.pq import Format

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


def _blocks(rows, size: int):
    block = []
    for row in rows:
        block.append(row)
        if len(block) >= size:
            yield block
            block = []
    if block:
        yield block


class _JsonbFromText(Dumper):
    """jsonb in COPY's binary format from text that is already JSON: the format's version byte,
    then the text (rows carry their JSON fields serialised, see row_from_values)."""

    oid = postgres.types["jsonb"].oid
    format = Format.BINARY

    def dump(self, obj: str) -> bytes:
        return b"\x01" + obj.encode()


def _column_types(cursor, table: str, columns: list[str]) -> list[int]:
    """The columns' PostgreSQL type oids (binary COPY sends each value in its column's own type)."""
    cursor.execute(f"SELECT {', '.join(columns)} FROM {table} LIMIT 0")
    return [column.type_code for column in cursor.description]


def copy_rows(cursor, table: str, columns: list[str], rows, *, meanwhile=None):
    """COPY tuples into `table` (PostgreSQL) in the binary format, by blocks of 50,000.

    psycopg formats each row in C and PostgreSQL reads the values without parsing text (dates,
    integers); JSON fields are given as text. `meanwhile(blocks)`, if given, is called once every
    block has been queued, while PostgreSQL is still taking the rows in (a writer thread sends the
    data), with the blocks as their columns (each block transposed once); its result is returned."""
    pg = cursor.cursor
    pg.adapters.register_dumper(None, _JsonbFromText)
    types = _column_types(pg, table, columns)
    writer = QueuedLibpqWriter(pg) if meanwhile else None
    transposed = []
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT binary)"
    with pg.copy(statement, writer=writer) as copy:
        copy.set_types(types)
        for block in _blocks(rows, 50_000):
            for row in block:
                copy.write_row(row)
            if meanwhile:
                transposed.append(list(zip(*block, strict=True)))
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
