"""Fast insertion of pre-validated activities: COPY on PostgreSQL, executemany elsewhere.

Rows are plain tuples in COLUMNS order (no model instances: at millions of rows, building and
preparing model objects costs more than the database). The caller then adds the batch to the
rollups with one SQL statement (rollups.add_batch).
"""

import json

from django.db import connection

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
    "accompagnements_count",
    "beneficiaire_commune_id",
    "beneficiaire_genre",
    "beneficiaire_tranche_age",
    "beneficiaire_statut_social",
    "source",
    "fingerprint",
    "import_batch_id",
    "created_at",
    "updated_at",
]


def row_from_values(values: dict, *, mask: int, source: str, fingerprint, batch_id, now) -> tuple:
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
        participants,
        values.get("beneficiaire_commune_id"),
        values.get("beneficiaire_genre", ""),
        values.get("beneficiaire_tranche_age", ""),
        values.get("beneficiaire_statut_social", ""),
        source,
        fingerprint,
        batch_id,
        now,
        now,
    )


_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


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


def _copy_text(rows, block: int = 20_000):
    """COPY text blocks: building the lines in Python and sending big blocks is several times
    faster than adapting every value through write_row."""
    lines = []
    for row in rows:
        lines.append("\t".join(map(_text, row)))
        if len(lines) >= block:
            yield len(lines), ("\n".join(lines) + "\n").encode()
            lines = []
    if lines:
        yield len(lines), ("\n".join(lines) + "\n").encode()


def ingest_rows(rows) -> int:
    """Insert COLUMNS tuples; returns how many. Runs inside the caller's transaction."""
    table = Activity._meta.db_table
    count = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(COLUMNS)}) FROM STDIN") as copy:
                for size, data in _copy_text(rows):
                    copy.write(data)
                    count += size
            return count
        sql = f"INSERT INTO {table} ({', '.join(COLUMNS)}) VALUES ({', '.join(['%s'] * len(COLUMNS))})"
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) >= 5000:
                cursor.executemany(sql, chunk)
                count += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            count += len(chunk)
    return count
