"""Bulk loading of many rows at once (city-scale demo data, imports from another system).

``insert_rows(model, fields, rows)`` writes plain tuples without building model instances: on
PostgreSQL through ``COPY … FROM STDIN`` (CSV), elsewhere through one ``executemany`` INSERT per
batch. Every concrete column not listed is filled with the field's default (``auto_now`` and
``auto_now_add`` columns with the current time), so the rows are what ``Model.objects.create``
would have written with those values. No signals, no ``save()``: the caller is responsible for
the rows being valid (use the owning app's rule functions to compute them).

``reserve_ids(model, count)`` hands out a block of primary keys first, so related rows can be
written in the same pass (the tuples carry their ids).

Foreign keys on PostgreSQL: Django's constraints are deferred, so every row written queues one
check per foreign key, run row by row at commit (a minute for the city archive's 500,000 cases
on a loaded machine). Inside ``loading()`` — the demo seed and the index rebuild, commands run by
an operator, never a request —, inside a transaction and where the database role may set it,
``insert_rows`` writes with ``session_replication_role = replica`` (no per-row checks) and then
checks each foreign key column of the rows it wrote once, with one anti-join per column; a
dangling key raises ``IntegrityError`` as the commit would have. The anti-join takes no lock on
the referenced rows (the per-row check does), so a row deleted by a concurrent transaction could
leave a dangling key: that is why a verb's bulk write (the appraisal run, an import from a
page) keeps PostgreSQL's own checks.
"""

import csv
import io
import json
import threading
from collections.abc import Iterable, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from decimal import Decimal

from django.db import DatabaseError, IntegrityError, connection, models, transaction
from django.utils import timezone

BATCH = 20_000
_LOADING = threading.local()


@contextmanager
def loading():
    """A bulk load by an operator's command (``seed_demo``, ``reindex_search``, the benchmarks'
    loaders): ``insert_rows`` may skip PostgreSQL's per-row foreign key checks for the rows it
    writes and check each key column once instead (see the module's note). Never used in a request."""
    previous = getattr(_LOADING, "active", False)
    _LOADING.active = True
    try:
        yield
    finally:
        _LOADING.active = previous


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
            if getattr(_LOADING, "active", False) and _skip_row_checks(cursor):
                before = _max_id(cursor, model)
                try:
                    written = _copy(cursor, table, quoted, extra_values, rows, batch)
                finally:
                    with suppress(DatabaseError):  # an aborted transaction ends the setting anyway
                        cursor.execute("SET LOCAL session_replication_role = origin")
                _check_keys(cursor, model, given, before)
                return written
            return _copy(cursor, table, quoted, extra_values, rows, batch)
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


def _copy(cursor, table: str, quoted: str, extra_values, rows, batch: int) -> int:
    written = 0
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
            with connection.wrap_database_errors:  # Django's exceptions, as cursor.execute raises
                cursor.cursor.copy_expert(sql, buffer)
            written += pending
            buffer, pending = io.StringIO(), 0
            writer = csv.writer(buffer, lineterminator="\n")
    if pending:
        buffer.seek(0)
        with connection.wrap_database_errors:
            cursor.cursor.copy_expert(sql, buffer)
        written += pending
    return written


def _skip_row_checks(cursor) -> bool:
    """Turn off the per-row foreign key triggers for the rest of the write (PostgreSQL, inside a
    transaction, a role allowed to); False when that is not possible."""
    if not connection.in_atomic_block:
        return False
    try:
        with transaction.atomic():
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def _max_id(cursor, model) -> int:
    pk = model._meta.pk.column
    cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{model._meta.db_table}"')  # noqa: S608
    return cursor.fetchone()[0]


def _check_keys(cursor, model, given, before: int) -> None:
    """Each foreign key column written, checked once for the rows above ``before``."""
    table, pk = model._meta.db_table, model._meta.pk.column
    for field in given:
        if not (field.is_relation and field.many_to_one and field.db_constraint):
            continue
        target = field.target_field
        cursor.execute(
            f'SELECT t."{field.column}" FROM "{table}" t LEFT JOIN "{target.model._meta.db_table}" r '  # noqa: S608
            f'ON r."{target.column}" = t."{field.column}" WHERE t."{pk}" > %s '
            f'AND t."{field.column}" IS NOT NULL AND r."{target.column}" IS NULL LIMIT 1',
            [before],
        )
        missing = cursor.fetchone()
        if missing is not None:
            raise IntegrityError(
                f"{table}.{field.column}={missing[0]} has no row in {target.model._meta.db_table}"
            )


@contextmanager
def indexes_rebuilt(*models):
    """Drop the plain (non-unique) indexes of ``models``' tables, and build them again on leaving.

    For a load that adds most of a table's rows (the city demo's archive): one sorted build per
    index is several times cheaper than updating twenty indexes row by row. PostgreSQL only, inside
    the caller's transaction (the tables stay locked to its end: never on tables in use). Unique
    indexes and those of constraints are kept, so conflicts are still refused as rows arrive.
    """
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
               FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
               WHERE t.relname = ANY(%s) AND NOT i.indisunique AND NOT i.indisprimary
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)""",
            [tables],
        )
        dropped = cursor.fetchall()
        for name, _definition in dropped:
            cursor.execute(f"DROP INDEX {name}")
    yield
    with connection.cursor() as cursor:
        for _name, definition in dropped:
            cursor.execute(definition)


def insert_objects(model, objs: Sequence, *, batch: int = BATCH) -> Sequence:
    """Write unsaved instances of ``model`` as ``insert_rows`` does (ids reserved first and set on
    the instances, ``auto_now``/``auto_now_add`` filled, no ``save()``, no signals). For loads
    built as model instances (the demo's history); returns ``objs``, saved."""
    if not objs:
        return objs
    first = reserve_ids(model, len(objs))
    fields = [field for field in model._meta.concrete_fields if not field.primary_key]
    files = {i for i, field in enumerate(fields) if isinstance(field, models.FileField)}
    jsons = {i for i, field in enumerate(fields) if isinstance(field, models.JSONField)}
    for offset, obj in enumerate(objs):
        obj.pk = first + offset
        obj._state.adding, obj._state.db = False, connection.alias

    def rows():
        for obj in objs:
            values = [field.pre_save(obj, True) for field in fields]
            for i in files:
                values[i] = values[i].name or ""
            for i in jsons:
                if values[i] is not None and connection.vendor == "postgresql":
                    values[i] = json.dumps(values[i], ensure_ascii=False)
            yield (obj.pk, *values)

    insert_rows(model, ["id", *(field.attname for field in fields)], rows(), batch=batch)
    return objs
