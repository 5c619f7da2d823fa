"""Faults the app must survive without losing an acknowledged mark (issue #14).

- SQLite: every connection of the app's engine commits with `synchronous=FULL` (and WAL);
  a process saving marks for 30 concurrent judges, killed with SIGKILL at a random moment,
  has every acknowledged mark in the database after restart, with its value.
- PostgreSQL (a private server, tests/pg_support.py: the shared cluster is never restarted):
  a database that goes away raises `DatabaseOutage` (which pages wait through), a bad
  query does not, and after a restart no stale pooled connection reaches a request.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from pitchjudge.cli import prepare_database
from pitchjudge.config import load_settings
from pitchjudge.db import is_outage, make_engine, migrate, session_scope
from pitchjudge.errors import DatabaseOutage
from pitchjudge.models import Mark
from tests.browser_support import REPO
from tests.factories import make_judging
from tests.pg_support import private_postgres

JUDGES = 30

# --- SQLite: durable commits, proven -------------------------------------------------------


def test_the_apps_sqlite_engine_commits_with_synchronous_full(tmp_path: Path) -> None:
    settings = load_settings(
        {
            "PITCHJUDGE_DATABASE_URL": f"sqlite:///{tmp_path}/app.db",
            "PITCHJUDGE_DATA_DIR": str(tmp_path / "data"),
            "PITCHJUDGE_ADMIN_PASSWORD": "organiser-secret",
        },
        env_file=None,
    )
    engine = prepare_database(settings)  # what the app's pages and the CLI use
    try:
        # Several pooled connections at once, each configured when opened.
        connections = [engine.raw_connection() for _ in range(3)]
        for connection in connections:
            pragma = connection.driver_connection.execute
            assert pragma("PRAGMA synchronous").fetchone()[0] == 2  # FULL
            assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
        for connection in connections:
            connection.close()
    finally:
        engine.dispose()


def _verify_acknowledged(lines: list[str], stored: dict[tuple[int, int, int], float]) -> int:
    """Check every acknowledged save against the database; the number of acknowledgements.

    Each judge saves one mark at a time, so for each (judge, pitch, criterion) the database
    holds the last acknowledged value, or the value of that judge's one save in flight when
    the process died (committed, not yet acknowledged)."""
    acknowledged: dict[tuple[int, int, int], float] = {}
    in_flight: dict[int, tuple[tuple[int, int, int], float]] = {}
    count = 0
    for line in lines:
        kind, *rest = line.split()
        if kind == "error":
            pytest.fail(f"a save was refused: {line}")
        if kind not in ("try", "ok"):
            continue
        judge, pitch, criterion, value = map(int, rest)
        key = (judge, pitch, criterion)
        if kind == "try":
            in_flight[judge] = (key, float(value))
        else:
            acknowledged[key] = float(value)
            in_flight.pop(judge, None)
            count += 1
    for key, value in acknowledged.items():
        allowed = {value}
        flight = in_flight.get(key[0])
        if flight is not None and flight[0] == key:
            allowed.add(flight[1])
        found = stored.get(key)
        assert found in allowed, f"acknowledged mark {key}={value} lost (stored: {found})"
    return count


def test_the_check_finds_a_lost_or_changed_mark_and_allows_the_one_in_flight() -> None:
    lines = ["try 1 2 3 4", "ok 1 2 3 4", "try 1 2 3 5", "ok 1 2 3 5", "try 1 2 3 1"]
    assert _verify_acknowledged(lines, {(1, 2, 3): 5.0}) == 2
    assert _verify_acknowledged(lines, {(1, 2, 3): 1.0}) == 2  # committed, not acknowledged
    for stored in ({}, {(1, 2, 3): 4.0}):  # lost, or an older value
        with pytest.raises(AssertionError, match="lost"):
            _verify_acknowledged(lines, stored)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kill_9_during_30_judges_saves_loses_no_acknowledged_mark(
    tmp_path: Path, seed: int
) -> None:
    url = f"sqlite:///{tmp_path}/app.db"
    settings = load_settings(
        {"PITCHJUDGE_DATABASE_URL": url, "PITCHJUDGE_DATA_DIR": str(tmp_path / "data")},
        env_file=None,
    )
    engine = make_engine(url)
    migrate(engine)
    seeded = make_judging(engine, settings, judges=JUDGES, pitches=4)
    engine.dispose()
    spec = tmp_path / "spec.json"
    spec.write_text(
        json.dumps(
            {
                "url": url,
                "seed": seed,
                "round_id": seeded["round_id"],
                "judges": seeded["judges"],
                "tokens": seeded["tokens"],
                "pitches": seeded["pitches"],
                "criteria": seeded["criteria"],
            }
        )
    )
    # Killed after a random number of acknowledgements (the moment varies with the seed).
    kill_after = random.Random(seed).randint(60, 400)
    env = {k: v for k, v in os.environ.items() if not k.startswith("PITCHJUDGE_")}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.sqlite_crash_child", str(spec)],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    acks = 0
    try:
        assert child.stdout is not None
        for line in child.stdout:
            lines.append(line)
            if line.startswith("ok "):
                acks += 1
                if acks >= kill_after:
                    os.kill(child.pid, signal.SIGKILL)
                    break
        # What the process wrote before it died is still in the pipe.
        lines += child.stdout.readlines()
    finally:
        if child.poll() is None:
            child.kill()
        child.wait(timeout=30)
        stderr = child.stderr.read() if child.stderr else ""
    assert child.returncode == -signal.SIGKILL, f"the child did not die of SIGKILL:\n{stderr}"
    complete = [line for line in lines if line.endswith("\n")]

    engine = make_engine(url)  # a restart: opens the file, SQLite replays its WAL
    try:
        with engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
        with session_scope(engine, read_only=True) as session:
            stored = {
                (m.judge_id, m.pitch_id, m.criterion_id): m.value
                for m in session.exec(select(Mark).where(Mark.round_id == seeded["round_id"]))
            }
    finally:
        engine.dispose()
    assert _verify_acknowledged(complete, stored) >= kill_after
    judges_heard = {line.split()[1] for line in complete if line.startswith("ok ")}
    assert len(judges_heard) == JUDGES  # all 30 were saving concurrently


# --- PostgreSQL: an outage is a state, and it ends cleanly ---------------------------------


@pytest.mark.postgres
def test_a_postgres_restart_is_an_outage_and_no_stale_connection_follows() -> None:
    with private_postgres() as pg:
        engine = make_engine(pg.url)
        try:
            migrate(engine)
            # Fill the pool: these connections all die with the restart.
            with engine.connect() as a, engine.connect() as b:
                a.execute(text("SELECT 1"))
                b.execute(text("SELECT 1"))
            assert engine.pool.checkedin() >= 2
            pg.stop()
            with (
                pytest.raises(DatabaseOutage) as raised,
                session_scope(engine, read_only=True) as session,
            ):
                session.execute(text("SELECT 1"))
            assert is_outage(raised.value.__cause__)
            assert str(raised.value) == "Connection lost — retrying…"
            pg.start()
            # The first requests after the restart get live connections (pre-ping), no error.
            for _ in range(3):
                with session_scope(engine, read_only=True) as session:
                    assert session.execute(text("SELECT 1")).scalar() == 1
            # A query that is wrong is not an outage: it is raised as it is.
            with (
                pytest.raises(DBAPIError) as bad,
                session_scope(engine, read_only=True) as session,
            ):
                session.execute(text("SELECT * FROM no_such_table"))
            assert not isinstance(bad.value, DatabaseOutage) and not is_outage(bad.value)
        finally:
            engine.dispose()


def test_a_broken_sqlite_query_is_not_an_outage(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/app.db")
    try:
        with (
            pytest.raises(DBAPIError) as bad,
            session_scope(engine, read_only=True) as session,
        ):
            session.execute(text("SELECT * FROM no_such_table"))
        assert not is_outage(bad.value)
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    ("driver_error", "outage"),
    [
        ("OperationalError", True),  # no SQLSTATE: refused, timed out
        ("AdminShutdown", True),  # 57P01: the server is restarting
        ("CrashShutdown", True),  # 57P02
        ("CannotConnectNow", True),  # 57P03: starting up
        ("ConnectionFailure", True),  # 08006
        ("InterfaceError", True),  # the connection is closed
        ("QueryCanceled", False),  # 57014: a statement timeout is not an outage
        ("LockNotAvailable", False),  # 55P03
        ("UndefinedTable", False),  # a bad query
        ("UniqueViolation", False),
    ],
)
def test_only_errors_that_mean_the_server_is_away_are_outages(
    driver_error: str, outage: bool
) -> None:
    import psycopg
    from sqlalchemy.exc import DBAPIError as Wrapped

    error_class = getattr(psycopg, driver_error, None) or getattr(psycopg.errors, driver_error)
    wrapped = Wrapped.instance("SELECT 1", {}, error_class("boom"), psycopg.Error)
    assert is_outage(wrapped) is outage
    assert not is_outage(error_class("boom"))  # only SQLAlchemy's wrapper is looked at
