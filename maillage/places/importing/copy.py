"""Writing many rows at once, column by column: COPY on PostgreSQL, bulk_create elsewhere.

Each column is encoded once as a list of COPY text cells (values repeated from row to row, such as
JSON lists, are encoded once), then the lines are joined in C (`zip`, `str.join`). No model instance
is built per row on PostgreSQL; columns with a database default that the caller does not give
(timestamps) are left to the server.
"""

import contextlib
import datetime as dt
import json
from collections.abc import Iterable
from itertools import islice, repeat

from django.db import connection, models

NULL = "\\N"
json_string = json.encoder.encode_basestring_ascii  # json.dumps of a str, without the call overhead


CHUNK_ROWS = 10_000
SPECIAL = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _escape(text: str) -> str:
    return text.translate(SPECIAL)


def _cell(value) -> str:
    """One value as a COPY text cell (the way psycopg adapts it)."""
    if value is None:
        return NULL
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return _escape(value)
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return _escape(str(value))


def _json_text(value) -> str:
    """One JSON value as json.dumps writes it; a list of strings without the encoder's call overhead."""
    if value.__class__ is list:
        try:
            return "[" + ", ".join(map(json_string, value)) + "]"
        except TypeError:  # an item is not a string
            pass
    return json.dumps(value)


def _json_cells(values: list) -> list[str]:
    """JSON cells, each distinct object encoded once (the checker shares a list between the rows
    with the same cell)."""
    keys = list(map(id, values))
    cells = {}
    for key, value in dict(zip(keys, values, strict=True)).items():
        text = "{}" if value.__class__ is dict and not value else _json_text(value)
        cells[key] = _escape(text) if "\\" in text else text
    return list(map(cells.__getitem__, keys))


def _text_cells(values: list) -> list[str]:
    classes = set(map(type, values))
    if classes == {str}:
        joined = "".join(values)
        if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
            return [_escape(value) for value in values]
        return values
    if classes <= {float, type(None)}:
        return [NULL if value is None else repr(value) for value in values]
    memo: dict = {}
    cells = []
    for value in values:
        cell = memo.get((value.__class__, value))
        if cell is None:
            cell = memo[(value.__class__, value)] = _cell(value)
        cells.append(cell)
    return cells


def insert_columns(model, common: dict, chunks: Iterable[dict[str, list]]) -> None:
    """Insert rows given as chunks of columns ({attname: [value per row]}, the same names in every
    chunk) plus `common` values (and each field's default). On PostgreSQL, one COPY: each chunk is
    sent as soon as it is produced, so that the server stores it while the next one is computed."""
    if connection.vendor != "postgresql":
        for columns in chunks:
            rows = zip(*columns.values(), strict=True)
            objects = [model(**common, **dict(zip(columns, values, strict=True))) for values in rows]
            model.objects.bulk_create(objects, batch_size=2000)
        return
    template = model(**common)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    copy = None
    with connection.cursor() as cursor, contextlib.ExitStack() as open_copy:
        for columns in chunks:
            size = len(next(iter(columns.values()), ()))
            if not size:
                continue
            if copy is None:
                fields = [f for f in fields if f.attname in columns or f.db_default is models.NOT_PROVIDED]
                constants = {f.attname: _constant_cell(f, template) for f in fields if f.attname not in columns}
                names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
                table = connection.ops.quote_name(model._meta.db_table)
                copy = open_copy.enter_context(cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN"))
            cells = [
                repeat(constants[field.attname]) if field.attname in constants else _column_cells(field, columns)
                for field in fields
            ]
            lines = map("\t".join, zip(*cells, strict=False))  # constant columns repeat without end
            for _ in range(0, size, CHUNK_ROWS):
                copy.write(("\n".join(islice(lines, CHUNK_ROWS)) + "\n").encode())


def _constant_cell(field, template) -> str:
    """The cell of a column the caller does not give: the value `common` sets, or the default.
    (Columns with a database default are left out of the COPY: timestamps, not parsed per row.)"""
    value = field.pre_save(template, add=True)
    return _escape(json.dumps(value)) if isinstance(field, models.JSONField) else _cell(value)


def _column_cells(field, columns: dict) -> list[str]:
    values = columns[field.attname]
    return _json_cells(values) if isinstance(field, models.JSONField) else _text_cells(values)
