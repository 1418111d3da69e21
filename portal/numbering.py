"""One numbering service for every code and number of the portal.

A *series* is a name such as ``"power:XK-SCJG"``, ``"case:SP:20250301"`` or ``"notice:2026"``; each
has one counter row (``NumberSeries``). Two ways to count:

- ``gap_free=True`` (notice numbers, decision numbers, power codes, item codes: where a number
  that was given must exist): the counter row is incremented under its row lock, held to the end
  of the caller's transaction, so a rolled-back verb gives its number back and concurrent callers
  wait their turn. Call it inside the verb's ``transaction.atomic()``.
- ``gap_free=False`` (case codes: many per day, gaps allowed): on PostgreSQL a SEQUENCE per
  series, created on first use and started after the counter row, so concurrent submissions never
  queue on one locked row (a rolled-back submission leaves a gap). On SQLite, whose writers are
  serialised anyway, the counter row as above.

``initial`` tells, when a series is counted for the first time, the last number already used (for
example the greatest code already stored), so the service takes over existing data without a
data migration. ``next_numbers`` takes a block at once (the demo's bulk history).

    n = numbering.next_number(f"case:SP:{day:%Y%m%d}", initial=...)
    code = numbering.format_code("SP", day, n, 6)          # SP20250301000042
"""

from collections.abc import Callable
from datetime import date

from django.db import DatabaseError, connection, transaction

from .models import NumberSeries


def format_code(prefix: str, part: date | int | str | None, n: int, width: int) -> str:
    """``prefix`` + the day (yyyymmdd) or year or text + ``n`` zero-padded to ``width``."""
    if isinstance(part, date):
        part = f"{part:%Y%m%d}"
    return f"{prefix}{'' if part is None else part}{n:0{width}d}"


def next_number(series: str, *, gap_free: bool = False, initial: Callable[[], int] | None = None) -> int:
    """The next number of ``series`` (1, 2, 3 …, or after ``initial()`` for a series counted anew)."""
    return next_numbers(series, 1, gap_free=gap_free, initial=initial)[0]


def next_numbers(
    series: str, count: int, *, gap_free: bool = False, initial: Callable[[], int] | None = None
) -> list[int]:
    """``count`` numbers of ``series`` at once, ascending (the demo's bulk history)."""
    if count < 1:
        return []
    if gap_free and not connection.in_atomic_block:
        raise RuntimeError("a gap-free number is taken inside the verb's transaction")
    if gap_free or connection.vendor != "postgresql":
        # One statement when the series exists: the row is locked to the caller's commit.
        last = _bump(series, count)
        if last is None:
            _row(series, initial)
            last = _bump(series, count)
        return list(range(last - count + 1, last + 1))
    pk = _known_rows.get(series)
    if pk is not None:
        drawn = _draw_if_exists(_sequence_name(pk), count)
        if drawn:
            return drawn
    row = _row(series, initial)
    _known_rows[series] = row.pk
    return _nextval(row, count)


# series → counter row id, per process: the row of a series is never deleted, so a submission on
# PostgreSQL draws from the series' sequence in one statement (and finds its row again if not).
_known_rows: dict[str, int] = {}


def _bump(series: str, count: int) -> int | None:
    """Add ``count`` to the series' counter and return the new last number; None: no such series."""
    table = connection.ops.quote_name(NumberSeries._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET "last" = "last" + %s WHERE "series" = %s RETURNING "last"', [count, series]
        )
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _row(series: str, initial: Callable[[], int] | None) -> NumberSeries:
    row = NumberSeries.objects.filter(series=series).first()
    if row is None:
        start = int(initial()) if initial is not None else 0
        # ON CONFLICT DO NOTHING: a concurrent first use of the same series wins, and we count on its row.
        NumberSeries.objects.bulk_create([NumberSeries(series=series, last=start)], ignore_conflicts=True)
        row = NumberSeries.objects.get(series=series)
    return row


def _sequence_name(row) -> str:
    return f"portal_numseq_{getattr(row, 'pk', row)}"


def _draw_if_exists(name: str, count: int) -> list[int]:
    """nextval ``count`` times when the sequence exists; [] (and no error) when it does not."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(%s::text) FROM generate_series(1, %s) WHERE to_regclass(%s) IS NOT NULL",
            [name, count, name],
        )
        return sorted(n for (n,) in cursor.fetchall())


def _nextval(row: NumberSeries, count: int) -> list[int]:
    """nextval of the series' own PostgreSQL sequence, created on first use after the counter row."""
    name = _sequence_name(row)
    drawn = _draw_if_exists(name, count)
    if drawn:
        return drawn
    with connection.cursor() as cursor:
        last = NumberSeries.objects.values_list("last", flat=True).get(pk=row.pk)
        try:
            with transaction.atomic():
                cursor.execute(f'CREATE SEQUENCE IF NOT EXISTS "{name}" START WITH {int(last) + 1}')
        except DatabaseError:
            pass  # a concurrent first use created it
        return _draw(cursor, name, count)


def _draw(cursor, name: str, count: int) -> list[int]:
    cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [name, count])
    return sorted(n for (n,) in cursor.fetchall())
