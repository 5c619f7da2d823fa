"""Operations: each replica's health check, its counters of saves and errors, and their
report to the database, where the organisers' Health page sums every replica.

Counts live in the process first (cheap, exposed as Prometheus text on `/metrics`); a
reporter thread adds them to `replica_counters` every few seconds and heartbeats in
`replica_heartbeats`. The database is the truth: behind a proxy, no replica's memory knows
about the others, and a replica that restarts adds on to its total instead of resetting it.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, func, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlmodel import Session as ModelSession
from sqlmodel import col, select

from pitchjudge import logs
from pitchjudge.errors import DeckStoreUnavailable, PitchJudgeError
from pitchjudge.models import ReplicaCounter, ReplicaHeartbeat, utcnow

log = logging.getLogger("pitchjudge.ops")

# Saves, by kind.
MARK, COMMENT, SCORECARD, APPLICATION, VOTE = (
    "mark",
    "comment",
    "scorecard_submitted",
    "application",
    "vote",
)
SAVES = (MARK, COMMENT, SCORECARD, APPLICATION, VOTE)
# Errors, by kind.
SCRIPT_ERROR, REFUSED_WRITE, DATABASE_ERROR = "script_error", "refused_write", "database_error"
ERRORS = (SCRIPT_ERROR, REFUSED_WRITE, DATABASE_ERROR)

#: How often a replica reports its counts and heartbeat (s).
REPORT_EVERY_S = 5.0
#: A replica not seen for longer than this is shown as down.
DOWN_AFTER = timedelta(seconds=30)
#: ...and no longer listed after this (replaced by a later deployment); its counts stay in
#: the totals.
LISTED_FOR = timedelta(hours=24)
#: Longest the health check waits for the database (connect, then query).
HEALTH_TIMEOUT_S = 2.0
#: Polls closer together than this get the same answer (the proxy polls every 2 s).
HEALTH_CACHE_S = 1.0

_PENDING = "pitchjudge_ops_pending"


class Counts:
    """This process's counters: totals since start (for /metrics) and what is not yet added
    to the database (for the reporter). Thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._totals: Counter[str] = Counter()
        self._unreported: Counter[str] = Counter()

    def add(self, name: str, n: int = 1) -> None:
        with self._lock:
            self._totals[name] += n
            self._unreported[name] += n

    def totals(self) -> dict[str, int]:
        with self._lock:
            return dict(self._totals)

    def take_unreported(self) -> dict[str, int]:
        with self._lock:
            taken, self._unreported = dict(self._unreported), Counter()
            return taken

    def give_back(self, taken: dict[str, int]) -> None:
        """A report that failed: its counts go with the next one."""
        with self._lock:
            self._unreported.update(taken)


#: The counts of this process.
COUNTS = Counts()


def count(name: str) -> None:
    """Count one event of kind `name` now (errors, which happen whatever the transaction)."""
    COUNTS.add(name)


def count_on_commit(session: Session, name: str, message: str, **fields) -> None:
    """Count (and log) one save of kind `name` once `session` commits; nothing if it rolls
    back: the counters say what is stored, not what was tried."""
    session.info.setdefault(_PENDING, []).append((name, message, fields))


@event.listens_for(Session, "after_commit")
def _counted(session: Session) -> None:
    for name, message, fields in session.info.pop(_PENDING, ()):
        COUNTS.add(name)
        logs.event(log, name, message, **fields)


@event.listens_for(Session, "after_rollback")
def _dropped(session: Session) -> None:
    session.info.pop(_PENDING, None)


def count_failure(error: BaseException, *, write: bool = True) -> None:
    """A session block that ended with `error`: a refused write (a rule said no to a write)
    or a database error; anything else is the error boundary's to count."""
    if isinstance(error, PitchJudgeError):
        if not write:
            return
        COUNTS.add(REFUSED_WRITE)
        log.info(
            "write refused: %s",
            type(error).__name__,
            extra={"event": REFUSED_WRITE, "error": type(error).__name__},
        )
    elif isinstance(error, SQLAlchemyError):
        COUNTS.add(DATABASE_ERROR)
        cause = getattr(error, "orig", None) or error
        log.warning(
            "database error: %s",
            type(cause).__name__,
            extra={"event": DATABASE_ERROR, "error": type(cause).__name__},
        )


# --- health --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    """One health check: each part ("database", "migrations", "deck_store") → "ok" or why
    not."""

    checks: dict[str, str]
    checked_at: float = field(default_factory=time.monotonic)

    @property
    def ok(self) -> bool:
        return all(v == "ok" for v in self.checks.values())

    @property
    def problem(self) -> str:
        """The failing parts, for people ("" when healthy)."""
        return "; ".join(f"{k}: {v}" for k, v in self.checks.items() if v != "ok")

    def body(self, replica_id: str) -> dict:
        return {"status": "ok" if self.ok else "fail", "replica": replica_id, **self.checks}


def _reason(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error
    return (" ".join(str(cause).split()) or type(cause).__name__)[:200]


def _deck_store_ok(settings) -> str:
    """Whether decks can be stored: "ok", or why not (the store's own `ping`: a file store takes
    a tiny file, an S3 store answers for its bucket)."""
    from pitchjudge.deck_store import open_deck_store

    try:
        open_deck_store(settings).ping()
    except DeckStoreUnavailable as error:
        return f"cannot write to the deck store: {error.reason or type(error).__name__}"
    except Exception as error:  # a health check reports, it never raises
        return f"cannot write to the deck store: {type(error).__name__}"
    return "ok"


def _health_engine(url: str, timeout_s: float) -> Engine:
    """An engine for the health check only: one connection, short timeouts, so a slow or
    full pool of the pages never makes the check wait (nor the check starve the pages)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return create_engine(url, connect_args={"timeout": timeout_s, "check_same_thread": False})
    return create_engine(
        url,
        pool_size=1,
        max_overflow=0,
        pool_timeout=timeout_s,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": max(1, round(timeout_s)),
            "options": f"-c statement_timeout={int(timeout_s * 1000)}",
        },
    )


def _head_revisions() -> set[str]:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    from pitchjudge.db import MIGRATIONS_DIR

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return set(ScriptDirectory.from_config(config).get_heads())


class HealthChecker:
    """The replica's health: the database answers (its migrations at this code's head) and the
    deck store takes a file. Never waits much longer than `timeout_s`; one check at a time,
    and polls within `cache_s` of the last get its answer."""

    def __init__(
        self,
        settings,
        *,
        timeout_s: float = HEALTH_TIMEOUT_S,
        cache_s: float = HEALTH_CACHE_S,
        deck_store_ok: Callable[[object], str] = _deck_store_ok,
    ) -> None:
        self.settings = settings
        self.timeout_s = timeout_s
        self.cache_s = cache_s
        self._deck_store_ok = deck_store_ok
        self._engine: Engine | None = None
        self._heads: set[str] | None = None
        self._lock = threading.Lock()
        self._last: Health | None = None

    def _database(self) -> tuple[str, str]:
        url = self.settings.database_url
        parsed = make_url(url)
        on_disk = parsed.get_backend_name() == "sqlite" and parsed.database not in (
            None,
            "",
            ":memory:",
        )
        if on_disk and not Path(parsed.database or "").is_file():
            return "database file not found", "unknown"
        if self._engine is None:
            self._engine = _health_engine(url, self.timeout_s)
        try:
            with self._engine.connect() as connection:
                versions = set(
                    connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
                )
        except (SQLAlchemyError, OSError) as error:
            if isinstance(error, DBAPIError) and "alembic_version" in str(error):
                return "ok", "not migrated"
            self._engine.dispose()  # a restarted server gets fresh connections
            return f"unreachable: {_reason(error)}", "unknown"
        if self._heads is None:
            self._heads = _head_revisions()
        if versions != self._heads:
            return "ok", (
                f"database at {', '.join(sorted(versions)) or 'none'}, "
                f"this code expects {', '.join(sorted(self._heads))}"
            )
        return "ok", "ok"

    def check(self) -> Health:
        """Check now (or return a check younger than `cache_s`); blocks at most about
        `timeout_s` waiting for another check still running."""
        if not self._lock.acquire(timeout=self.timeout_s):
            return Health({"database": "no answer (a previous check is still waiting)"})
        try:
            last = self._last
            if last is not None and time.monotonic() - last.checked_at < self.cache_s:
                return last
            database, migrations = self._database()
            health = Health(
                {
                    "database": database,
                    "migrations": migrations,
                    "deck_store": self._deck_store_ok(self.settings),
                }
            )
            self._last = health
            return health
        finally:
            self._lock.release()


# --- the report to the database ------------------------------------------------------------


def _upsert(session: Session, model, values: dict, keys: list[str], update: dict) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(model.__table__).values(**values)
    statement = statement.on_conflict_do_update(
        index_elements=keys, set_={k: v(statement.excluded) for k, v in update.items()}
    )
    session.execute(statement)


def report(
    *,
    session: Session,
    replica_id: str,
    started_at: datetime,
    counts: dict[str, int],
    health: Health | None,
    now: datetime | None = None,
) -> None:
    """Add `counts` to this replica's counters and record that it is alive (and healthy)."""
    now = now or utcnow()
    table = ReplicaCounter.__table__  # type: ignore[attr-defined]
    for name, n in sorted(counts.items()):
        if n:
            _upsert(
                session,
                ReplicaCounter,
                {"replica_id": replica_id, "name": name, "value": n},
                ["replica_id", "name"],
                {"value": lambda excluded: table.c.value + excluded.value},
            )
    _upsert(
        session,
        ReplicaHeartbeat,
        {
            "replica_id": replica_id,
            "started_at": started_at,
            "seen_at": now,
            "healthy": health is None or health.ok,
            "problem": health.problem[:500] if health else "",
        },
        ["replica_id"],
        {
            "started_at": lambda excluded: excluded.started_at,
            "seen_at": lambda excluded: excluded.seen_at,
            "healthy": lambda excluded: excluded.healthy,
            "problem": lambda excluded: excluded.problem,
        },
    )


class Reporter:
    """Reports this process's counts and heartbeat every `every_s` seconds, in a thread."""

    def __init__(
        self,
        *,
        engine: Callable[[], Engine],
        replica_id: str,
        checker: HealthChecker | None,
        every_s: float = REPORT_EVERY_S,
        counts: Counts = COUNTS,
    ) -> None:
        self.engine, self.replica_id, self.checker = engine, replica_id, checker
        self.every_s, self.counts = every_s, counts
        self.started_at = utcnow()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def report_once(self) -> bool:
        """One report; False (counts kept for the next) when the database refused it."""
        from pitchjudge.db import session_scope

        taken = self.counts.take_unreported()
        try:
            health = self.checker.check() if self.checker else None
            with session_scope(self.engine(), count_failures=False) as session:
                report(
                    session=session,
                    replica_id=self.replica_id,
                    started_at=self.started_at,
                    counts=taken,
                    health=health,
                )
        except Exception as error:  # the database is down: keep counting, report later
            self.counts.give_back(taken)
            log.warning("could not report this replica's counters: %s", _reason(error))
            return False
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            self.report_once()

    def start(self) -> None:
        self.report_once()
        self._thread = threading.Thread(target=self._run, name="pitchjudge-ops", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop, after a last report (a replica shut down cleanly loses no count)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.every_s + 5)
        self.report_once()


# --- what the Health page reads -------------------------------------------------------------


@dataclass(frozen=True)
class ReplicaStatus:
    replica_id: str
    started_at: datetime
    seen_at: datetime
    up: bool
    healthy: bool
    problem: str
    counters: dict[str, int]


def replica_statuses(*, session: ModelSession, now: datetime | None = None) -> list[ReplicaStatus]:
    """Every replica that ever reported, most recently seen first; `up` when seen within
    DOWN_AFTER."""
    now = now or utcnow()
    counters: dict[str, dict[str, int]] = {}
    for row in session.exec(select(ReplicaCounter)).all():
        counters.setdefault(row.replica_id, {})[row.name] = int(row.value)
    beats = session.exec(
        select(ReplicaHeartbeat).order_by(col(ReplicaHeartbeat.seen_at).desc())
    ).all()
    return [
        ReplicaStatus(
            replica_id=beat.replica_id,
            started_at=beat.started_at,
            seen_at=beat.seen_at,
            up=now - beat.seen_at <= DOWN_AFTER,
            healthy=beat.healthy,
            problem=beat.problem,
            counters=counters.get(beat.replica_id, {}),
        )
        for beat in beats
    ]


def counter_totals(*, session: ModelSession) -> dict[str, int]:
    """Every counter summed over all replicas (0 for a kind never counted)."""
    rows = session.exec(
        select(ReplicaCounter.name, func.sum(ReplicaCounter.value)).group_by(ReplicaCounter.name)
    ).all()
    totals = dict.fromkeys(SAVES + ERRORS, 0)
    totals.update({name: int(value or 0) for name, value in rows})
    return totals
