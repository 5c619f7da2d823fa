"""The database: engine with safe SQLite settings, sessions, and Alembic migrations."""

from __future__ import annotations

import threading
import weakref
import zlib
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

from pitchjudge import ops, results_version
from pitchjudge.errors import CONNECTION_LOST, DatabaseOutage

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Arbitrary advisory-lock key: replicas starting together migrate once.
_PG_MIGRATION_LOCK = 7_311_042
# PostgreSQL connections: a new connection gives up after this many seconds (the default is to
# wait for the operating system, minutes when a host is gone), and TCP keepalives notice a
# server that vanished without closing the connection.
PG_CONNECT_ARGS = {
    "connect_timeout": 3,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 3,
    "keepalives_count": 3,
}
# SQLSTATE classes and codes that mean "the server is not there right now", not "bad query":
# 08 connection exception; 57P01 admin shutdown (a restart), 57P02 crash shutdown,
# 57P03 cannot connect now (starting up or shutting down).
_OUTAGE_SQLSTATES = ("08", "57P01", "57P02", "57P03")
# SQLite has one writer at a time. Its busy handler makes waiting writers sleep and retry, which
# under 30 concurrent judges starved some saves for many seconds; queueing this process's
# writers on a lock hands the database over as soon as it is free.
_SQLITE_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def round_gate(session, round_id: int, *, exclusive: bool) -> None:
    """PostgreSQL: the lock that orders a round's writers and its close, fairly.

    Mark writers take it shared, a status change exclusive. Row locks alone (FOR SHARE
    against FOR UPDATE) let a steady stream of writers starve the close for minutes: new
    share lockers join the ones in place while the close waits. Advisory locks queue in
    arrival order, so a close waits only for the writes already running. SQLite serialises
    writers already (BEGIN IMMEDIATE).
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    key = zlib.crc32(f"round:{round_id}".encode())
    function = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    session.execute(text(f"SELECT {function}(:key)"), {"key": key})


class DatabaseUnavailable(RuntimeError):
    """The database of PITCHJUDGE_DATABASE_URL cannot be reached or used: one line that says
    which (password masked) and why, for the console; web visitors get a friendly page."""

    @classmethod
    def from_error(cls, error: BaseException, url: str) -> DatabaseUnavailable:
        from pitchjudge.config import masked_url

        cause = getattr(error, "orig", None) or error
        reason = " ".join(str(cause).split())[:200] or type(cause).__name__
        return cls(f"cannot use the database {masked_url(url)} (PITCHJUDGE_DATABASE_URL): {reason}")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for `url`; SQLite gets WAL, a busy timeout, foreign keys and durable commits."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            echo=echo,
            connect_args={"check_same_thread": False, "timeout": 30},
        )
        _configure_sqlite(engine)
        _SQLITE_WRITE_LOCKS[engine] = threading.Lock()
        return engine
    # pool_pre_ping: after a database restart every pooled connection is dead; each is tested
    # (and replaced) when checked out, so a request never gets a stale one.
    return create_engine(
        url,
        echo=echo,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=20,
        pool_timeout=10,
        connect_args=dict(PG_CONNECT_ARGS),
    )


def is_outage(error: BaseException) -> bool:
    """Whether `error` means the database cannot be reached for now (restart, failover,
    network), as opposed to a refused or broken query. Only such errors are worth a retry."""
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    orig = error.orig
    if type(orig).__module__.split(".")[0] != "psycopg":
        return False
    import psycopg

    if isinstance(orig, psycopg.InterfaceError):  # "the connection is closed"
        return True
    if not isinstance(orig, psycopg.OperationalError):
        return False
    sqlstate = getattr(orig, "sqlstate", None)
    # No SQLSTATE: the client could not connect at all (refused, timed out).
    return sqlstate is None or sqlstate.startswith(_OUTAGE_SQLSTATES)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # We issue BEGIN ourselves (below), so pysqlite must not start transactions on its own.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")  # NORMAL can lose the last commits on power loss
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection) -> None:
        # IMMEDIATE takes the write lock up front: a deferred read-then-write transaction
        # fails with "database is locked" under concurrent writers, whatever the busy timeout.
        # Read-only sessions (see `session_scope`) keep WAL's concurrent readers.
        read_only = connection.get_execution_options().get("pitchjudge_read_only", False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


@contextmanager
def session_scope(
    engine: Engine, *, read_only: bool = False, count_failures: bool = True
) -> Iterator[Session]:
    """A session that commits when the block ends normally and rolls back on an exception.

    When the database cannot be reached (see `is_outage`) the error is `DatabaseOutage`,
    which the pages treat as a state to wait through, not a failure.

    `read_only=True` is for blocks that only read: on SQLite they do not take the write lock.
    A block that fails on a rule (a refused write) or on the database is counted
    (`pitchjudge.ops`), unless `count_failures=False` (the counters' own report).
    """
    bind = engine.execution_options(pitchjudge_read_only=True) if read_only else engine
    lock = None if read_only else _SQLITE_WRITE_LOCKS.get(engine)
    with lock or nullcontext(), Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException as error:
            if count_failures:
                ops.count_failure(error, write=not read_only)
            if not is_outage(error):
                session.rollback()
                raise
            with suppress(Exception):  # the connection is gone: nothing to roll back
                session.rollback()
            # A commit cut off mid-way may have landed: retrying is safe (writes are upserts
            # that return early when the value is already stored).
            raise DatabaseOutage(CONNECTION_LOST) from error


def alembic_config(engine: Engine) -> Config:
    """An Alembic configuration for `engine`, needing no alembic.ini."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option(
        "sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%")
    )
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Create or upgrade the schema to `revision`; safe to call from several replicas at once."""
    config = alembic_config(engine)
    with engine.connect() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": _PG_MIGRATION_LOCK})
            connection.commit()
        sqlite = engine.dialect.name == "sqlite"
        if sqlite:
            # SQLite alters a table by copying it and dropping the old one; with foreign keys
            # on, that drop would cascade and delete every mark. Off for the migration (it must
            # be set outside a transaction), then checked and back on.
            connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
            connection.commit()
            # Idempotent: creates only the missing ones (see pitchjudge.results_version).
            results_version.install(connection)
            connection.commit()
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                connection.commit()
                if broken:
                    raise RuntimeError(f"migration left broken foreign keys: {broken[:5]}")
        finally:
            if sqlite:
                connection.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
            if engine.dialect.name == "postgresql":
                connection.execute(
                    text("SELECT pg_advisory_unlock(:key)"), {"key": _PG_MIGRATION_LOCK}
                )
                connection.commit()


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is at the newest migration."""
    head = ScriptDirectory.from_config(alembic_config(engine)).get_current_head()
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision() == head
