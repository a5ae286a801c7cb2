"""Writing many rows at once, column by column: COPY on PostgreSQL, bulk_create elsewhere.

Each column is encoded once as a list of COPY text cells (values repeated from row to row, such as
JSON lists, are encoded once), then the lines are joined in C (`zip`, `str.join`). No model instance
is built per row on PostgreSQL; columns with a database default that the caller does not give
(timestamps) are left to the server.
"""

import datetime as dt
import json
from itertools import repeat

from django.db import connection, models

NULL = "\\N"
json_string = json.encoder.encode_basestring_ascii  # json.dumps of a str, without the call overhead


class JsonText(str):
    """A JSON document already encoded as json.dumps would (for JSON columns)."""


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
    elif value.__class__ is JsonText:
        return value
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


def insert_columns(model, common: dict, columns: dict[str, list], size: int) -> None:
    """Insert `size` rows given as columns ({attname: [value per row]}) plus `common` values (and
    each field's default)."""
    if not size:
        return
    if connection.vendor != "postgresql":
        for name, column in columns.items():
            if any(value.__class__ is JsonText for value in column):
                columns = {**columns, name: [json.loads(v) if v.__class__ is JsonText else v for v in column]}
        model.objects.bulk_create(
            [
                model(**common, **dict(zip(columns, values, strict=True)))
                for values in zip(*columns.values(), strict=True)
            ],
            batch_size=2000,
        )
        return
    template = model(**common)
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    names, cells = [], []
    for field in fields:
        if field.attname not in columns and field.db_default is not models.NOT_PROVIDED:
            continue  # the server's default (timestamps: saves parsing them on every row)
        names.append(field.column)
        if field.attname in columns:
            values = columns[field.attname]
            cells.append(_json_cells(values) if isinstance(field, models.JSONField) else _text_cells(values))
        else:
            value = field.pre_save(template, add=True)
            if isinstance(field, models.JSONField):
                cells.append(repeat(_escape(json.dumps(value))))
            else:
                cells.append(repeat(_cell(value)))
    quoted = ", ".join(connection.ops.quote_name(name) for name in names)
    table = connection.ops.quote_name(model._meta.db_table)
    lines = map("\t".join, zip(*cells, strict=False))  # constant columns repeat without end
    with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
        done = 0
        while done < size:
            chunk = [line for _, line in zip(range(CHUNK_ROWS), lines, strict=False)]
            copy.write(("\n".join(chunk) + "\n").encode())
            done += len(chunk)
