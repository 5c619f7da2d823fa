"""Counters of saves and errors, their report to the database (summed over replicas), the
health check, and what the logs may show: services against SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
import logging
import socket
import time
from datetime import timedelta

import pytest
from sqlalchemy.exc import OperationalError

from pitchjudge import logs, ops
from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, session_scope
from pitchjudge.errors import RoundStateError
from pitchjudge.models import utcnow
from pitchjudge.services import contests, scoring
from tests.conftest import POSTGRES_URL
from tests.factories import make_judging


def counted(kind: str) -> int:
    return ops.COUNTS.totals().get(kind, 0)


def save(engine, w, criterion: int, value: float, judge: int = 0) -> None:
    with session_scope(engine) as session:
        scoring.save_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][judge],
            pitch_id=w["pitches"][0],
            criterion_id=w["criteria"][criterion],
            value=value,
            token=w["tokens"][judge],
        )


def test_marks_comments_and_submissions_are_counted_once_stored(engine, settings):
    w = make_judging(engine, settings, judges=1, pitches=1)
    before = ops.COUNTS.totals()
    for index, _criterion in enumerate(w["criteria"]):
        save(engine, w, index, 3)
    save(engine, w, 0, 3)  # the same value again: nothing stored, nothing counted
    ids = dict(round_id=w["round_id"], judge_id=w["judges"][0], pitch_id=w["pitches"][0])
    with session_scope(engine) as session:
        scoring.save_text(session=session, field="comment", value="Clear", **ids)
        scoring.submit_scorecard(session=session, **ids)
    after = ops.COUNTS.totals()
    assert after.get(ops.MARK, 0) - before.get(ops.MARK, 0) == len(w["criteria"])
    assert after.get(ops.COMMENT, 0) - before.get(ops.COMMENT, 0) == 1
    assert after.get(ops.SCORECARD, 0) - before.get(ops.SCORECARD, 0) == 1


def test_a_write_rolled_back_is_not_counted_and_a_refused_one_is(engine, settings):
    w = make_judging(engine, settings, judges=1, pitches=1)
    marks, refused = counted(ops.MARK), counted(ops.REFUSED_WRITE)
    with pytest.raises(RuntimeError), session_scope(engine) as session:
        scoring.save_mark(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
            criterion_id=w["criteria"][0],
            value=4,
        )
        raise RuntimeError("the page failed before the commit")
    assert counted(ops.MARK) == marks
    with session_scope(engine) as session:
        contests.set_round_status(session=session, round_id=w["round_id"], status="closed")
    with pytest.raises(RoundStateError):
        save(engine, w, 0, 4)
    assert counted(ops.MARK) == marks
    assert counted(ops.REFUSED_WRITE) == refused + 1


def test_a_database_error_is_counted(sqlite_engine):
    errors = counted(ops.DATABASE_ERROR)
    with pytest.raises(OperationalError), session_scope(sqlite_engine) as session:
        session.connection().exec_driver_sql("SELECT * FROM no_such_table")
    assert counted(ops.DATABASE_ERROR) == errors + 1


def test_reports_add_up_per_replica_and_over_replicas(engine):
    started = utcnow()
    with session_scope(engine) as session:
        ops.report(
            session=session,
            replica_id="a:8501",
            started_at=started,
            counts={ops.MARK: 3, ops.VOTE: 1},
            health=ops.Health({"database": "ok"}),
        )
        ops.report(
            session=session,
            replica_id="b:8501",
            started_at=started,
            counts={ops.MARK: 2},
            health=ops.Health({"deck_store": "cannot write to the deck store: No space left"}),
        )
    with session_scope(engine) as session:  # a's next report (after a restart: still adds)
        ops.report(
            session=session,
            replica_id="a:8501",
            started_at=utcnow(),
            counts={ops.MARK: 4},
            health=None,
        )
    with session_scope(engine, read_only=True) as session:
        totals = ops.counter_totals(session=session)
        replicas = {r.replica_id: r for r in ops.replica_statuses(session=session)}
    assert totals[ops.MARK] == 9 and totals[ops.VOTE] == 1 and totals[ops.SCRIPT_ERROR] == 0
    assert replicas["a:8501"].counters == {ops.MARK: 7, ops.VOTE: 1}
    assert replicas["a:8501"].healthy and replicas["a:8501"].up
    assert not replicas["b:8501"].healthy
    assert replicas["b:8501"].problem == "deck_store: cannot write to the deck store: No space left"


def test_a_replica_silent_for_more_than_30_s_is_down(engine):
    now = utcnow()
    with session_scope(engine) as session:
        for name, age in (("fresh", 29), ("gone", 31)):
            ops.report(
                session=session,
                replica_id=name,
                started_at=now - timedelta(hours=1),
                counts={},
                health=None,
                now=now - timedelta(seconds=age),
            )
    with session_scope(engine, read_only=True) as session:
        up = {r.replica_id: r.up for r in ops.replica_statuses(session=session, now=now)}
    assert up == {"fresh": True, "gone": False}


def test_a_report_the_database_refuses_keeps_its_counts_for_the_next(engine):
    counts = ops.Counts()
    counts.add(ops.MARK, 5)
    broken = make_engine(f"postgresql+psycopg://nobody:x@127.0.0.1:{closed_port()}/none")
    working = {"engine": broken}
    reporter = ops.Reporter(
        engine=lambda: working["engine"], replica_id="r1", checker=None, counts=counts
    )
    assert reporter.report_once() is False
    counts.add(ops.MARK, 1)
    working["engine"] = engine
    assert reporter.report_once() is True
    with session_scope(engine, read_only=True) as session:
        assert ops.counter_totals(session=session)[ops.MARK] == 6
    assert reporter.report_once() is True  # nothing new: nothing added twice
    with session_scope(engine, read_only=True) as session:
        assert ops.counter_totals(session=session)[ops.MARK] == 6


# --- health ---------------------------------------------------------------------------------


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _settings(tmp_path, url: str):
    return load_settings(
        {"PITCHJUDGE_DATABASE_URL": url, "PITCHJUDGE_DATA_DIR": str(tmp_path / "data")},
        env_file=None,
    )


def test_health_is_ok_on_a_migrated_database_and_a_writable_store(tmp_path, sqlite_template):
    url = f"sqlite:///{sqlite_template}"
    health = ops.HealthChecker(_settings(tmp_path, url)).check()
    assert health.ok, health.checks
    assert health.checks == {"database": "ok", "migrations": "ok", "deck_store": "ok"}
    assert not list((tmp_path / "data" / "decks").iterdir())  # the probe file is gone


@pytest.mark.postgres
def test_health_is_ok_on_postgresql(tmp_path, postgres_engine):
    health = ops.HealthChecker(_settings(tmp_path, POSTGRES_URL)).check()
    assert health.ok, health.checks


def test_an_unreachable_database_fails_the_check_quickly(tmp_path):
    url = f"postgresql+psycopg://pitch:secret-pw@127.0.0.1:{closed_port()}/pitchjudge"
    started = time.monotonic()
    health = ops.HealthChecker(_settings(tmp_path, url), timeout_s=1).check()
    assert time.monotonic() - started < 5
    assert not health.ok
    assert health.checks["database"].startswith("unreachable:")
    assert "secret-pw" not in health.problem
    assert health.checks["deck_store"] == "ok"


def test_a_missing_sqlite_file_is_reported_not_created(tmp_path):
    health = ops.HealthChecker(_settings(tmp_path, f"sqlite:///{tmp_path}/none.db")).check()
    assert health.checks["database"] == "database file not found"
    assert not (tmp_path / "none.db").exists()


def test_an_old_schema_fails_the_migrations_check(tmp_path):
    from pitchjudge.db import migrate

    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine, "0004_push")
    engine.dispose()
    health = ops.HealthChecker(_settings(tmp_path, f"sqlite:///{path}")).check()
    assert health.checks["database"] == "ok"
    assert health.checks["migrations"].startswith("database at 0004_push, this code expects")


def test_an_unwritable_deck_store_fails_the_check(tmp_path, sqlite_template):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "decks").write_text("a file where the folder should be")
    health = ops.HealthChecker(_settings(tmp_path, f"sqlite:///{sqlite_template}")).check()
    assert not health.ok
    assert health.checks["deck_store"].startswith("cannot write to the deck store")
    assert health.body("r1") == {
        "status": "fail",
        "replica": "r1",
        "database": "ok",
        "migrations": "ok",
        "deck_store": health.checks["deck_store"],
    }


def test_polls_close_together_share_one_check(tmp_path, sqlite_template):
    calls = []

    def store_ok(_settings) -> str:
        calls.append(1)
        return "ok"

    checker = ops.HealthChecker(
        _settings(tmp_path, f"sqlite:///{sqlite_template}"), cache_s=60, deck_store_ok=store_ok
    )
    assert checker.check() is checker.check()
    assert len(calls) == 1


# --- logs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "query", "hidden"),
    [
        ("/vote/" + "k" * 43, "", "k" * 43),
        ("/", "judge=" + "J" * 43, "J" * 43),
        ("/vote/abc", "code=ABCD-EFGH-JK", "ABCD-EFGH-JK"),
        ("/my_application", "token=" + "t" * 30 + "&lang=fr", "t" * 30),
    ],
)
def test_secrets_in_addresses_are_hashed(path, query, hidden):
    target = logs.redact_target(path, query)
    assert hidden not in target
    assert logs.short_hash(hidden) in target


def test_a_plain_address_is_kept():
    assert logs.redact_target("/results", "lang=fr") == "/results?lang=fr"


@pytest.mark.parametrize(
    ("header", "kept"),
    [("req-42.a:b", True), ("", False), (None, False), ("x" * 101, False), ("a b\n", False)],
)
def test_the_proxys_request_id_is_kept_only_when_plain(header, kept):
    value = logs.accept_request_id(header)
    assert (value == header) is kept
    assert value and len(value) <= 100


def test_a_log_line_is_one_json_object_with_replica_request_and_event(engine, settings):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.JsonFormatter())
    logger = logging.getLogger("pitchjudge")
    logger.addHandler(handler)
    old_level, token = logger.level, logs.request_id_var.set("req-7")
    logger.setLevel(logging.INFO)
    logs.set_replica_id("test-replica:1")
    try:
        w = make_judging(engine, settings, judges=1, pitches=1)
        save(engine, w, 0, 2)
    finally:
        logs.request_id_var.reset(token)
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logs.set_replica_id("")
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    saved = [line for line in lines if line.get("event") == ops.MARK]
    assert len(saved) == 1
    assert saved[0]["request_id"] == "req-7" and saved[0]["replica"] == "test-replica:1"
    assert saved[0]["judge_id"] == w["judges"][0] and saved[0]["msg"] == "mark saved"
    assert w["tokens"][0] not in stream.getvalue()


def test_a_check_stuck_on_a_hung_store_never_holds_up_the_next_poll(tmp_path, sqlite_template):
    import threading

    entered, release = threading.Event(), threading.Event()

    def hung_store(_settings) -> str:
        entered.set()
        release.wait(30)  # a network filesystem that stopped answering
        return "ok"

    checker = ops.HealthChecker(
        _settings(tmp_path, f"sqlite:///{sqlite_template}"),
        timeout_s=0.5,
        deck_store_ok=hung_store,
    )
    stuck = threading.Thread(target=checker.check)
    stuck.start()
    assert entered.wait(30)  # the first poll is now inside the hung check
    started = time.monotonic()
    health = checker.check()
    assert time.monotonic() - started < 2
    assert not health.ok
    assert health.checks == {"database": "no answer (a previous check is still waiting)"}
    release.set()
    stuck.join()


def test_an_s3_deck_store_is_checked_through_its_bucket(tmp_path, sqlite_template):
    """A bucket that answers is healthy; a missing bucket fails the check, with the reason."""
    from tests.s3_support import local_s3

    url = f"sqlite:///{sqlite_template}"
    with local_s3() as server:
        for bucket, healthy in ((server.new_bucket(), True), ("pj-no-such-bucket", False)):
            settings = load_settings(
                {
                    "PITCHJUDGE_DATABASE_URL": url,
                    "PITCHJUDGE_DATA_DIR": str(tmp_path / "data"),
                    **server.env(bucket),
                },
                env_file=None,
            )
            health = ops.HealthChecker(settings).check()
            assert health.ok is healthy, health.checks
            if not healthy:
                assert health.checks["deck_store"].startswith("cannot write to the deck store")
