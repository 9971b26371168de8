"""Counting the SQL statements a block of test code makes, for query-count (N+1) checks."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event
from sqlalchemy.engine import Engine

_BOOKKEEPING = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO")


@contextmanager
def recorded_statements(engine: Engine) -> Iterator[list[str]]:
    """Every statement ``engine`` sends inside the block, savepoint bookkeeping left out."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(_BOOKKEEPING):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)


def statements_for_page(engine: Engine, client, path: str) -> int:
    """How many statements one successful GET of ``path`` sends."""
    with recorded_statements(engine) as statements:
        assert client.get(path).status_code == 200
    return len(statements)
