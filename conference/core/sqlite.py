"""Settings every SQLite connection gets: wait for the write lock, let readers run beside a
writer, and enforce foreign keys.

SQLite has one writer at a time. pysqlite waits 5 seconds for the lock and then fails with
"database is locked"; a large publish or a solver saving a big draft can hold it longer, so
requests wait up to `BUSY_TIMEOUT_MS` instead. WAL mode lets pages be read while a write is
being committed. SQLite ignores foreign keys unless asked on each connection; enforced, they
behave as on PostgreSQL (ON DELETE rules run, a dangling id is refused) instead of leaving rows
that point at deleted ones, whose ids SQLite then hands to new rows. Migrations switch them
off for their own connection (see migrations/env.py). PostgreSQL connections are left alone.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import event
from sqlalchemy.engine import Engine

BUSY_TIMEOUT_MS = 30_000


@event.listens_for(Engine, "connect")
def configure_sqlite_connection(dbapi_connection, _connection_record) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # In-memory databases answer "memory" and stay as they are.
        cursor.execute("PRAGMA journal_mode = WAL")
    finally:
        cursor.close()
