"""Rate limits counted in the database, so that every replica sees the same hits."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, text
from sqlmodel import Session, col, func, select

from pitchjudge.errors import PitchJudgeError
from pitchjudge.models import RateLimitHit, utcnow

#: The share of hits that also delete their buckets' expired hits.
CLEANUP_SHARE = 0.05


class RateLimited(PitchJudgeError):
    """Too many actions of one kind from one client or for one address; try again later."""

    def __init__(self, msgid: str, *, retry_after: int, **params) -> None:
        self.retry_after = retry_after
        super().__init__(msgid, minutes=max(1, math.ceil(retry_after / 60)), **params)


@dataclass(frozen=True)
class Limit:
    """At most `count` hits per `window` in one bucket."""

    name: str
    count: int
    window: timedelta


def bucket(limit: Limit, key: str) -> str:
    """The bucket of `key` (a client address, an e-mail) under `limit`, case-insensitive."""
    return f"{limit.name}:{key.strip().lower()}"[:300]


def _lock(session: Session, name: str) -> None:
    # SQLite serialises writers (BEGIN IMMEDIATE); on PostgreSQL two requests could count the
    # same free slot, so the bucket is locked for the transaction.
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:name))"), {"name": name})


def retry_after(*, session: Session, limit: Limit, key: str, now: datetime | None = None) -> int:
    """Seconds until `key` may act again under `limit` (0: it may act now)."""
    now = now or utcnow()
    name = bucket(limit, key)
    since = now - limit.window
    hits = session.exec(
        select(RateLimitHit.at)
        .where(RateLimitHit.bucket == name, col(RateLimitHit.at) > since)
        .order_by(col(RateLimitHit.at).desc())
        .limit(limit.count)
    ).all()
    if len(hits) < limit.count:
        return 0
    return max(1, math.ceil((hits[-1] + limit.window - now).total_seconds()))


def check(
    *, session: Session, limit: Limit, key: str | None, message: str, now: datetime | None = None
) -> None:
    """Raise RateLimited with `message` when `key` has used up `limit` (no key: no limit)."""
    if not key:
        return
    wait = retry_after(session=session, limit=limit, key=key, now=now)
    if wait:
        raise RateLimited(message, retry_after=wait)


def hit(
    *, session: Session, limit: Limit, key: str | None, message: str, now: datetime | None = None
) -> None:
    """Count one action of `key` under `limit`, or raise RateLimited if none is left.

    Runs inside the caller's transaction: the hit counts only if the action is stored too.
    """
    if not key:
        return
    now = now or utcnow()
    name = bucket(limit, key)
    _lock(session, name)
    check(session=session, limit=limit, key=key, message=message, now=now)
    session.add(RateLimitHit(bucket=name, at=now))
    # Old hits of this bucket are of no use any more.
    session.execute(
        delete(RateLimitHit).where(
            col(RateLimitHit.bucket) == name, col(RateLimitHit.at) <= now - limit.window
        )
    )
    session.flush()


def _waits(
    session: Session, checks: list[tuple[Limit, str, str]], now: datetime
) -> list[tuple[str, int]]:
    """(message, seconds to wait) for each check over its limit, in one query."""
    names = {bucket(limit, key): (limit, message) for limit, key, message in checks}
    widest = max(limit.window for limit, _m in names.values())
    found: dict[str, list[datetime]] = {name: [] for name in names}
    for name, at in session.exec(
        select(RateLimitHit.bucket, RateLimitHit.at).where(
            col(RateLimitHit.bucket).in_(list(names)), col(RateLimitHit.at) > now - widest
        )
    ).all():
        found[name].append(at)
    waits = []
    for name, (limit, message) in names.items():
        recent = sorted((at for at in found[name] if at > now - limit.window), reverse=True)
        if len(recent) >= limit.count:
            oldest = recent[limit.count - 1]
            waits.append(
                (message, max(1, math.ceil((oldest + limit.window - now).total_seconds())))
            )
    return waits


def check_all(
    *,
    session: Session,
    checks: list[tuple[Limit, str | None, str]],
    now: datetime | None = None,
) -> None:
    """`check` for several (limit, key, message) at once, in one query (keys None: skipped)."""
    kept = [(limit, key, message) for limit, key, message in checks if key]
    if not kept:
        return
    waits = _waits(session, kept, now or utcnow())
    if waits:
        message, seconds = waits[0]
        raise RateLimited(message, retry_after=seconds)


def hit_all(
    *,
    session: Session,
    checks: list[tuple[Limit, str | None, str]],
    now: datetime | None = None,
) -> None:
    """`hit` for several (limit, key, message) at once: few round trips to the database."""
    kept = [(limit, key, message) for limit, key, message in checks if key]
    if not kept:
        return
    now = now or utcnow()
    names = sorted({bucket(limit, key) for limit, key, _m in kept})
    if session.get_bind().dialect.name == "postgresql":
        # Sorted, so two requests never wait for each other's second lock.
        session.execute(
            text(
                "SELECT "
                + ", ".join(f"pg_advisory_xact_lock(hashtext(:n{i}))" for i in range(len(names)))
            ),
            {f"n{i}": name for i, name in enumerate(names)},
        )
    check_all(session=session, checks=kept, now=now)
    session.add_all([RateLimitHit(bucket=name, at=now) for name in names])
    if random.random() < CLEANUP_SHARE:
        # Hits older than their window count for nothing; clearing them now and then keeps
        # the table small without a round trip on every request.
        widest = max(limit.window for limit, _k, _m in kept)
        session.execute(
            delete(RateLimitHit).where(
                col(RateLimitHit.bucket).in_(names), col(RateLimitHit.at) <= now - widest
            )
        )
    session.flush()


def hits(*, session: Session, limit: Limit, key: str, now: datetime | None = None) -> int:
    """How many hits `key` has under `limit` right now."""
    now = now or utcnow()
    return session.exec(
        select(func.count())
        .select_from(RateLimitHit)
        .where(RateLimitHit.bucket == bucket(limit, key), col(RateLimitHit.at) > now - limit.window)
    ).one()
