"""Writing many rows at once, column by column: COPY on PostgreSQL, bulk_create elsewhere.

On PostgreSQL the rows go in COPY's binary format: psycopg formats each row in C from the columns
zipped together, PostgreSQL parses no text; JSON values (lists repeated from row to row are encoded
once) go as their text. No model instance is built per row; columns with a database default that
the caller does not give (timestamps) are left to the server.
"""

import contextlib
import json
from collections.abc import Iterable
from itertools import repeat

from django.db import connection, models
from psycopg.copy import QueuedLibpqWriter

from maillage.core.bulk import JsonbFromText, column_types

json_string = json.encoder.encode_basestring_ascii  # json.dumps of a str, without the call overhead


def _json_text(value) -> str:
    """One JSON value as json.dumps writes it; a list of strings without the encoder's call overhead."""
    if value.__class__ is list:
        try:
            return "[" + ", ".join(map(json_string, value)) + "]"
        except TypeError:  # an item is not a string
            pass
    return json.dumps(value)


def _json_texts(values: list) -> list[str]:
    """JSON texts, each distinct object encoded once (the checker shares a list between the rows
    with the same cell)."""
    keys = list(map(id, values))
    texts = {}
    for key, value in dict(zip(keys, values, strict=True)).items():
        texts[key] = "{}" if value.__class__ is dict and not value else _json_text(value)
    return list(map(texts.__getitem__, keys))


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
            if not len(next(iter(columns.values()), ())):
                continue
            if copy is None:
                fields = [f for f in fields if f.attname in columns or f.db_default is models.NOT_PROVIDED]
                constants = {f.attname: _constant_value(f, template) for f in fields if f.attname not in columns}
                copy = open_copy.enter_context(_binary_copy(cursor.cursor, model, fields))
            values = [
                repeat(constants[field.attname]) if field.attname in constants else _column_values(field, columns)
                for field in fields
            ]
            for row in zip(*values, strict=False):  # constant columns repeat without end
                copy.write_row(row)


@contextlib.contextmanager
def _binary_copy(cursor, model, fields):
    """A COPY in the binary format: psycopg formats each row in C, PostgreSQL parses no text (JSON
    columns go as their text); a writer thread sends the data while the caller goes on."""
    cursor.adapters.register_dumper(None, JsonbFromText)
    table = connection.ops.quote_name(model._meta.db_table)
    names = [connection.ops.quote_name(field.column) for field in fields]
    types = column_types(cursor, table, names)
    statement = f"COPY {table} ({', '.join(names)}) FROM STDIN WITH (FORMAT binary)"
    with cursor.copy(statement, writer=QueuedLibpqWriter(cursor)) as copy:
        copy.set_types(types)
        yield copy


def _constant_value(field, template):
    """The value of a column the caller does not give: the value `common` sets, or the default.
    (Columns with a database default are left out of the COPY: timestamps, not sent per row.)"""
    value = field.pre_save(template, add=True)
    return json.dumps(value) if isinstance(field, models.JSONField) else value


def _column_values(field, columns: dict) -> list:
    values = columns[field.attname]
    return _json_texts(values) if isinstance(field, models.JSONField) else values
