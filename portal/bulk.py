"""Bulk loading of many rows at once (city-scale demo data, imports from another system).

``insert_rows(model, fields, rows)`` writes plain tuples without building model instances: on
PostgreSQL through ``COPY … FROM STDIN`` (CSV), elsewhere through one ``executemany`` INSERT per
batch. Every concrete column not listed is filled with the field's default (``auto_now`` and
``auto_now_add`` columns with the current time), so the rows are what ``Model.objects.create``
would have written with those values. No signals, no ``save()``: the caller is responsible for
the rows being valid (use the owning app's rule functions to compute them).

``reserve_ids(model, count)`` hands out a block of primary keys first, so related rows can be
written in the same pass (the tuples carry their ids).
"""

import csv
import io
import json
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone

BATCH = 20_000


def reserve_ids(model, count: int) -> int:
    """The first of ``count`` consecutive primary keys nobody else will be given."""
    table = model._meta.db_table
    pk = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [table, pk])
            sequence = cursor.fetchone()[0]
            cursor.execute("SELECT nextval(%s)", [sequence])
            first = cursor.fetchone()[0]
            if count > 1:
                cursor.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
            return first
        cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) + 1 FROM "{table}"')  # noqa: S608
        return cursor.fetchone()[0]


def _defaults(model, fields: Sequence[str]) -> tuple[list[str], list]:
    """The columns not given by the caller and the value each gets."""
    now = timezone.now()
    names, values = [], []
    for field in model._meta.concrete_fields:
        if field.attname in fields or field.name in fields or field.primary_key:
            continue
        if isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add):
            value = now
        else:
            value = field.get_default()
        names.append(field.column)
        values.append(value)
    return names, values


def _column(model, name: str) -> str:
    return model._meta.get_field(name).column


def _csv_value(value):
    if value is None:
        return r"\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat() if timezone.is_aware(value) else value.isoformat()
    if isinstance(value, (date, Decimal)):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _sqlite_value(value):
    if isinstance(value, datetime):
        if timezone.is_aware(value):
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat(" ")
    if isinstance(value, (date, Decimal)):
        return str(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _field(model, name: str):
    return model._meta.pk if name == "id" else model._meta.get_field(name)


def insert_rows(model, fields: Sequence[str], rows: Iterable[Sequence], *, batch: int = BATCH) -> int:
    """Write ``rows`` (tuples in the order of ``fields``; ``id`` may be one of them) to ``model``'s
    table. Returns the number of rows written."""
    extra_columns, extra_values = _defaults(model, fields)
    given = [_field(model, name) for name in fields]
    columns = [field.column for field in given] + extra_columns
    table = model._meta.db_table
    quoted = ", ".join(f'"{c}"' for c in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # csv.writer turns dates, datetimes (with their offset), decimals and booleans into text
            # PostgreSQL reads; only NULL needs a marker (an unquoted empty field is an empty string).
            null = "\\N"
            tail = [_csv_value(v) for v in extra_values]
            buffer, pending = io.StringIO(), 0
            writer = csv.writer(buffer, lineterminator="\n")
            sql = f"COPY \"{table}\" ({quoted}) FROM STDIN WITH (FORMAT csv, NULL '{null}')"
            for row in rows:
                writer.writerow([null if v is None else v for v in row] + tail)
                pending += 1
                if pending >= batch:
                    buffer.seek(0)
                    cursor.cursor.copy_expert(sql, buffer)
                    written += pending
                    buffer, pending = io.StringIO(), 0
                    writer = csv.writer(buffer, lineterminator="\n")
            if pending:
                buffer.seek(0)
                cursor.cursor.copy_expert(sql, buffer)
                written += pending
            return written
        tail = [_sqlite_value(v) for v in extra_values]
        # Only the columns sqlite3 cannot bind as Django stores them are converted.
        special = [
            i for i, field in enumerate(given)
            if isinstance(field, (models.DateField, models.DecimalField, models.JSONField))
        ]  # fmt: skip
        sql = f'INSERT INTO "{table}" ({quoted}) VALUES ({", ".join(["%s"] * len(columns))})'  # noqa: S608
        chunk = []
        for row in rows:
            values = list(row)
            for i in special:
                if values[i] is not None:
                    values[i] = _sqlite_value(values[i])
            chunk.append(values + tail)
            if len(chunk) >= batch:
                cursor.executemany(sql, chunk)
                written += len(chunk)
                chunk = []
        if chunk:
            cursor.executemany(sql, chunk)
            written += len(chunk)
    return written
