"""One new row written by a statement compiled once: the insert of the hot paths (public intake).

``insert(obj)`` writes an unsaved instance as ``obj.save(force_insert=True)`` would (every concrete
column, ``auto_now``/``auto_now_add`` and file fields through their ``pre_save``, values through
``get_db_prep_save``; the new primary key read back), but the ``INSERT`` text is built once per
model, column list and database, not compiled by the ORM for every row. No ``save()`` override and no
``pre_save``/``post_save`` signals run: use it for rows whose model has neither (or whose caller does
what the override does, as the intake does for a case's ``CaseAccess`` rows). The caller's
transaction applies (the statement is one more in it).

Compiling an insert costs about as much as running it on a small row (a public submission writes four
or five rows): this halves the Python work of each write without changing what is stored.
"""

from django.db import connections, router

_sql: dict = {}


def _statement(model, alias: str, with_pk: bool) -> tuple[str, list, bool]:
    key = (model, alias, with_pk)
    found = _sql.get(key)
    if found is None:
        connection = connections[alias]
        q = connection.ops.quote_name
        meta = model._meta
        fields = [f for f in meta.local_concrete_fields if with_pk or not f.primary_key]
        returning = not with_pk and connection.features.can_return_columns_from_insert
        sql = (
            f"INSERT INTO {q(meta.db_table)} ({', '.join(q(f.column) for f in fields)}) "
            f"VALUES ({', '.join(['%s'] * len(fields))})"
        )
        if returning:
            sql += f" RETURNING {q(meta.pk.column)}"
        found = _sql[key] = (sql, fields, returning)
    return found


def insert(obj, *, also=None):
    """Write the unsaved ``obj`` (one ``INSERT``) and return it, saved (its pk set).

    ``also``: an unsaved row of another model that refers to ``obj`` by its foreign key field
    ``also_fk`` (``(row, "case")``), written with it: on PostgreSQL in the same statement (a
    data-modifying ``WITH``: one round trip for both rows), elsewhere by a second ``INSERT``."""
    model = type(obj)
    meta = model._meta
    if meta.parents or meta.proxy:
        raise TypeError(f"rows.insert writes one table: {model.__name__} is not a plain model")
    alias = router.db_for_write(model, instance=obj)
    connection = connections[alias]
    with_pk = obj.pk is not None
    sql, fields, returning = _statement(model, alias, with_pk)
    params = [field.get_db_prep_save(field.pre_save(obj, True), connection) for field in fields]
    if also is not None and returning and connection.vendor == "postgresql":
        row, fk = also
        also_sql, also_fields, own_pk = _also_statement(model, type(row), fk, alias, sql)
        params += [f.get_db_prep_save(f.pre_save(row, True), connection) for f in also_fields]
        with connection.cursor() as cursor:
            cursor.execute(also_sql, params)
            obj.pk, *rest = cursor.fetchone()
        _saved(obj, alias)
        setattr(row, row._meta.get_field(fk).attname, obj.pk)
        if own_pk:
            row.pk = rest[0]
        _saved(row, alias)
        return obj
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if not with_pk:
            obj.pk = cursor.fetchone()[0] if returning else cursor.lastrowid
    _saved(obj, alias)
    if also is not None:
        row, fk = also
        setattr(row, row._meta.get_field(fk).attname, obj.pk)
        insert(row)
    return obj


def _saved(obj, alias: str) -> None:
    obj._state.adding, obj._state.db = False, alias


def _also_statement(model, other, fk: str, alias: str, sql: str) -> tuple[str, list, bool]:
    """``WITH new AS (<sql> RETURNING pk) INSERT INTO other (…, fk) SELECT %s, …, pk FROM new RETURNING fk``."""
    key = (model, other, fk, alias)
    found = _sql.get(key)
    if found is None:
        q = connections[alias].ops.quote_name
        link = other._meta.get_field(fk)
        own_pk = getattr(other._meta.pk, "db_returning", False)  # an auto primary key: the database's
        fields = [
            f for f in other._meta.local_concrete_fields if f is not link and not (own_pk and f.primary_key)
        ]
        columns = ", ".join(q(f.column) for f in [*fields, link])
        returning = q(link.column) + (f", {q(other._meta.pk.column)}" if own_pk else "")
        found = _sql[key] = (
            f"WITH new AS ({sql}) INSERT INTO {q(other._meta.db_table)} ({columns}) "
            f"SELECT {', '.join(['%s'] * len(fields))}, new.{q(model._meta.pk.column)} FROM new "
            f"RETURNING {returning}",
            fields,
            own_pk,
        )
    return found
