"""Organiser sign-in: hashed comparison, generated password, slowed after repeated failures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from pitchjudge.config import load_settings
from pitchjudge.db import session_scope
from pitchjudge.errors import AccessDenied, TooManyAttempts
from pitchjudge.models import OrganiserSession, utcnow
from pitchjudge.security import hash_password, new_token, token_hash, verify_password
from pitchjudge.services import auth


def settings_with(password: str | None):
    env = {"PITCHJUDGE_ADMIN_PASSWORD": password} if password else {}
    return load_settings(env, env_file=None)


def sign_in(engine, settings, password, *, client="1.2.3.4", now=None):
    with session_scope(engine) as session:
        return auth.sign_in_organiser(
            session=session, settings=settings, password=password, client=client, now=now
        )


def test_configured_password_plain_or_hashed(engine):
    sign_in(engine, settings_with("correct horse battery"), "correct horse battery")
    hashed = settings_with(hash_password("another long secret"))
    sign_in(engine, hashed, "another long secret")
    with pytest.raises(AccessDenied, match="Wrong password"):
        sign_in(engine, hashed, hashed.admin_password)  # the hash itself is not the password


def test_generated_password_is_shown_once_and_works(engine):
    settings = settings_with(None)
    with session_scope(engine) as session:
        generated = auth.ensure_admin_password(session=session, settings=settings)
    with session_scope(engine) as session:
        assert auth.ensure_admin_password(session=session, settings=settings) is None
    assert generated and len(generated) >= 12
    sign_in(engine, settings, generated)
    with pytest.raises(AccessDenied):
        sign_in(engine, settings, generated + "x")


def test_failures_slow_down_the_guesser_and_success_resets(engine):
    settings = settings_with("correct horse battery")
    now = utcnow()
    for attempt in range(auth.FREE_ATTEMPTS):
        with pytest.raises(AccessDenied, match="Wrong password"):
            sign_in(engine, settings, f"guess {attempt}", now=now)
    # A try inside the delay is refused unchecked, even with the right password...
    with pytest.raises(TooManyAttempts) as error:
        sign_in(engine, settings, "correct horse battery", now=now)
    assert error.value.retry_after == 1
    assert "Try again in" in str(error.value)
    # ... another address is not slowed by this guesser ...
    sign_in(engine, settings, "correct horse battery", client="5.6.7.8", now=now)
    # ... and once the delay is over, the right password works and clears the failures.
    sign_in(engine, settings, "correct horse battery", now=now + timedelta(seconds=1))
    with pytest.raises(AccessDenied, match="Wrong password"):
        sign_in(engine, settings, "nope", now=now + timedelta(seconds=2))


def test_delays_double_with_each_further_failure_up_to_30_seconds(engine):
    settings = settings_with("correct horse battery")
    now = utcnow()
    waits = []
    for attempt in range(auth.FREE_ATTEMPTS + 6):
        moment = now + timedelta(seconds=40 * attempt)  # each try after the previous delay
        with pytest.raises(AccessDenied):
            sign_in(engine, settings, "wrong", now=moment)
        with session_scope(engine, read_only=True) as session:
            waits.append(auth.retry_after(session=session, client="1.2.3.4", now=moment))
    assert waits == [0] * (auth.FREE_ATTEMPTS - 1) + [1, 2, 4, 8, 16, 30, 30]


def test_tokens_are_random_and_only_their_hash_is_kept():
    tokens = {new_token() for _ in range(100)}
    assert len(tokens) == 100
    token = tokens.pop()
    assert token_hash(token) != token and len(token_hash(token)) == 64
    assert verify_password("s3cret-password", hash_password("s3cret-password"))
    assert not verify_password("other", hash_password("s3cret-password"))


def test_a_signed_in_browser_stays_signed_in_until_expiry_or_sign_out(engine):
    settings = settings_with("correct horse battery")
    now = utcnow()
    token = sign_in(engine, settings, "correct horse battery", now=now)

    def valid(candidate, at=now):
        with session_scope(engine, read_only=True) as session:
            return auth.organiser_session_is_valid(session=session, token=candidate, now=at)

    assert valid(token)  # what a reload finds in the cookie
    assert not valid(token, now + auth.SESSION + timedelta(seconds=1))
    assert not valid(new_token()) and not valid("forged") and not valid(None)
    other = sign_in(engine, settings, "correct horse battery", now=now)
    with session_scope(engine) as session:
        auth.sign_out_organiser(session=session, token=token)
    assert not valid(token) and valid(other)  # signing out ends this browser's session only
    with session_scope(engine, read_only=True) as session:
        stored = session.exec(select(OrganiserSession.token_hash)).all()
    assert token not in stored and token_hash(other) in stored  # only hashes are kept
