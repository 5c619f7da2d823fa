"""Rate limits stored in the database: counted per bucket, over a sliding window."""

from __future__ import annotations

from datetime import timedelta

import pytest

from pitchjudge.db import session_scope
from pitchjudge.models import utcnow
from pitchjudge.services import ratelimit

PER_CLIENT = ratelimit.Limit("test:client", 2, timedelta(minutes=10))
PER_EMAIL = ratelimit.Limit("test:email", 3, timedelta(hours=1))


def act(engine, client, email, now):
    with session_scope(engine) as session:
        ratelimit.hit_all(
            session=session,
            checks=[
                (PER_CLIENT, client, "client {minutes}"),
                (PER_EMAIL, email, "email {minutes}"),
            ],
            now=now,
        )


def test_each_bucket_is_counted_on_its_own_window(engine):
    now = utcnow()
    act(engine, "10.0.0.1", "a@x.example", now)
    act(engine, "10.0.0.1", "A@X.example", now + timedelta(minutes=1))  # same address
    with pytest.raises(ratelimit.RateLimited, match="client 8") as refused:
        act(engine, "10.0.0.1", "b@x.example", now + timedelta(minutes=2))
    assert refused.value.retry_after == 8 * 60
    # Another client for the same address: its third and last.
    act(engine, "10.0.0.2", "a@x.example", now + timedelta(minutes=3))
    with pytest.raises(ratelimit.RateLimited, match="email"):
        act(engine, "10.0.0.3", "a@x.example", now + timedelta(minutes=4))
    # The refused tries counted for nothing; once the window has passed, the client may again.
    act(engine, "10.0.0.1", "c@x.example", now + timedelta(minutes=11))
    with session_scope(engine, read_only=True) as session:
        assert (
            ratelimit.hits(
                session=session, limit=PER_EMAIL, key="a@x.example", now=now + timedelta(minutes=5)
            )
            == 3
        )


def test_no_key_means_no_limit(engine):
    now = utcnow()
    for _ in range(5):
        act(engine, None, None, now)
