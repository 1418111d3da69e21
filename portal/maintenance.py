"""Database upkeep that keeps the query planner right (beat, and after bulk loads such as seed_demo).

SQLite never gathers statistics on its own: without ``ANALYZE`` it guesses, and at a city's scale it
picks the wrong index (the power list's search ran against the name instead of the token index).
``PRAGMA optimize`` re-analyses only the tables whose statistics are stale, cheaply; a full
``ANALYZE`` follows bulk loads. PostgreSQL's autovacuum analyses on its own; after a bulk load a
manual ``ANALYZE`` saves waiting for it.
"""

from django.db import connection


def optimize_database(full: bool = False) -> str:
    """Refresh the planner's statistics; ``full`` after a bulk load. Returns what was run."""
    if connection.vendor == "sqlite":
        statement = "ANALYZE" if full else "PRAGMA optimize"
    elif connection.vendor == "postgresql":
        if not full:
            return ""  # autovacuum keeps the statistics
        statement = "ANALYZE"
    else:  # pragma: no cover - other backends are not supported
        return ""
    with connection.cursor() as cursor:
        cursor.execute(statement)
    return statement
