"""Organiser sign-in: one password, compared as an argon2 hash, slowed after repeated failures.

Wrong guesses slow the guesser down, never lock the organiser out: each try from a client
(its address, trusted only as far as `PITCHJUDGE_TRUSTED_PROXIES` says) waits a delay that
grows with that client's recent failures, then the password is checked as usual, so the right
password always gets in. A password change or reset ends every organiser session.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, update
from sqlmodel import Session, col, delete, func, select

from pitchjudge.config import Settings
from pitchjudge.errors import AccessDenied, TooManyAttempts
from pitchjudge.models import AppSecret, OrganiserSession, SignInAttempt, utcnow
from pitchjudge.security import (
    hash_password,
    looks_like_token,
    new_token,
    token_hash,
    verify_password,
)

ADMIN_HASH = "admin_password_hash"
#: The configured password (PITCHJUDGE_ADMIN_PASSWORD) the sessions were opened with: its
#: argon2 hash, so a change of the setting is noticed at start-up and ends every session.
CONFIGURED_HASH = "configured_password_hash"
#: The only account: failures are recorded per client *and* account.
ACCOUNT = "organiser"
WINDOW = timedelta(minutes=15)
FREE_ATTEMPTS = 5
#: Longest delay one client's try waits before its password is checked.
MAX_WAIT_S = 30
#: Failures from every client together past which each try waits at least ACCOUNT_WAIT_S
#: (a guesser spreading over many addresses), and that wait.
ACCOUNT_FAILURES = 50
ACCOUNT_WAIT_S = 5
#: Tries of one client waiting at once (in this process); more are refused for a moment.
MAX_WAITING = 3
#: How long a signed-in organiser's browser stays signed in (a contest day).
SESSION = timedelta(hours=12)


def ensure_admin_password(*, session: Session, settings: Settings) -> str | None:
    """Generate and store an organiser password if none is configured; returns it only then.

    A configured password that changed since the last start ends every organiser session
    (see `end_all_organiser_sessions`).
    """
    if settings.admin_password:
        _note_configured_password(session, settings.admin_password)
        return None
    if session.get(AppSecret, ADMIN_HASH) is not None:
        return None
    password = secrets.token_urlsafe(12)
    session.add(AppSecret(name=ADMIN_HASH, value=hash_password(password)))
    session.flush()
    return password


def _note_configured_password(session: Session, configured: str) -> None:
    known = session.get(AppSecret, CONFIGURED_HASH)
    if known is not None and (
        known.value == configured
        or (not configured.startswith("$argon2") and verify_password(configured, known.value))
    ):
        return
    if known is not None:  # changed since the sessions were opened: they end
        end_all_organiser_sessions(session=session)
        clear_failures(session=session)
    known = known or AppSecret(name=CONFIGURED_HASH, value="")
    known.value = configured if configured.startswith("$argon2") else hash_password(configured)
    session.add(known)
    session.flush()


def reset_admin_password(*, session: Session) -> str:
    """A new generated organiser password (used when none is set in the environment).

    Every organiser session ends (open tabs and cookies alike) and the failed tries are
    forgotten, so the organiser at the console gets in at once.
    """
    password = secrets.token_urlsafe(12)
    secret = session.get(AppSecret, ADMIN_HASH) or AppSecret(name=ADMIN_HASH, value="")
    secret.value = hash_password(password)
    session.add(secret)
    end_all_organiser_sessions(session=session)
    clear_failures(session=session)
    session.flush()
    return password


def clear_failures(*, session: Session) -> int:
    """Forget every failed sign-in (the console's way in); returns how many there were."""
    result = session.exec(delete(SignInAttempt))
    return result.rowcount or 0


def end_all_organiser_sessions(*, session: Session, now: datetime | None = None) -> int:
    """Sign out everywhere: every organiser session stops working (their tabs included, on
    their next run). Returns how many were open."""
    now = now or utcnow()
    result = session.exec(
        update(OrganiserSession)
        .where(col(OrganiserSession.revoked_at).is_(None), col(OrganiserSession.expires_at) > now)
        .values(revoked_at=now)
    )
    session.flush()
    return result.rowcount or 0


def count_organiser_sessions(*, session: Session, now: datetime | None = None) -> int:
    """Organiser sessions open now (signed in, not expired, not signed out)."""
    now = now or utcnow()
    return session.exec(
        select(func.count()).where(
            col(OrganiserSession.revoked_at).is_(None), col(OrganiserSession.expires_at) > now
        )
    ).one()


def client_key(client: str) -> str:
    """What failures are counted under: the client's address and the account."""
    return f"{client[:60]}|{ACCOUNT}"


def _as_utc(value) -> datetime:
    if not isinstance(value, datetime):  # SQLite's max() hands back the stored text
        value = datetime.fromisoformat(str(value))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def retry_after(*, session: Session, client: str, now: datetime | None = None) -> int:
    """Seconds a try from `client` must wait before its password is checked (0: at once):
    from its sixth failure in 15 minutes, 1 s after its last failure, then 2, 4, 8 … 30 s."""
    now = now or utcnow()
    failures, last = session.exec(
        select(func.count(), func.max(SignInAttempt.at)).where(
            SignInAttempt.client == client_key(client), col(SignInAttempt.at) > now - WINDOW
        )
    ).one()
    if failures < FREE_ATTEMPTS or last is None:
        return 0
    delay = min(MAX_WAIT_S, 2 ** (failures - FREE_ATTEMPTS))
    return max(0, int(delay - (now - _as_utc(last)).total_seconds() + 0.999))


def account_pause(*, session: Session, now: datetime | None = None) -> int:
    """Seconds every try pauses while someone guesses from many addresses at once (more than
    50 failures from everyone in 15 minutes); a pause, not a lock: the try is then checked."""
    now = now or utcnow()
    everyone = session.exec(select(func.count()).where(col(SignInAttempt.at) > now - WINDOW)).one()
    return ACCOUNT_WAIT_S if everyone > ACCOUNT_FAILURES else 0


def sign_in_organiser(
    *,
    session: Session,
    settings: Settings,
    password: str,
    client: str = "",
    now: datetime | None = None,
) -> str:
    """Check the organiser password (returning a new organiser session's token, see
    `open_organiser_session`) or raise AccessDenied.

    Callers wait `retry_after` first (see `sign_in_after_delay`); a try that comes before its
    client's delay is over is refused with TooManyAttempts, and its password not checked.
    """
    now = now or utcnow()
    wait = retry_after(session=session, client=client, now=now)
    if wait:
        raise TooManyAttempts(
            "Too many wrong passwords. Try again in {retry_after} seconds.", retry_after=wait
        )
    configured = settings.admin_password
    if not configured:
        secret = session.get(AppSecret, ADMIN_HASH)
        configured = secret.value if secret else None
    if configured and verify_password(password or "", configured):
        session.exec(delete(SignInAttempt).where(SignInAttempt.client == client_key(client)))
        return open_organiser_session(session=session, now=now)
    session.add(SignInAttempt(client=client_key(client), at=now))
    # Committed here, not by the caller: the exception below would otherwise roll it back.
    session.commit()
    raise AccessDenied("Wrong password.")


_waiting: dict[str, int] = {}
_waiting_lock = threading.Lock()
_client_locks: dict[str, threading.Lock] = {}


def sign_in_after_delay(
    *,
    engine: Engine,
    settings: Settings,
    password: str,
    client: str = "",
    sleep: Callable[[float], None] = time.sleep,
) -> str:
    """Sign in the way the page does: wait this client's delay (with no database lock held),
    then check the password. Tries of one client are checked one at a time, so parallel tabs
    gain a guesser nothing; the right password always gets in once its delay is over."""
    from pitchjudge.db import session_scope

    key = client_key(client)
    with _waiting_lock:
        if _waiting.get(key, 0) >= MAX_WAITING:
            raise TooManyAttempts(
                "Too many wrong passwords. Try again in {retry_after} seconds.", retry_after=5
            )
        _waiting[key] = _waiting.get(key, 0) + 1
        lock = _client_locks.setdefault(key, threading.Lock())
    try:
        with lock:
            for _attempt in range(3):
                with session_scope(engine, read_only=True) as session:
                    wait = max(
                        retry_after(session=session, client=client),
                        account_pause(session=session) if _attempt == 0 else 0,
                    )
                if wait:
                    sleep(wait)
                try:
                    with session_scope(engine) as session:
                        return sign_in_organiser(
                            session=session, settings=settings, password=password, client=client
                        )
                except TooManyAttempts:
                    continue  # another replica's failure landed meanwhile: wait again
            raise TooManyAttempts(
                "Too many wrong passwords. Try again in {retry_after} seconds.",
                retry_after=MAX_WAIT_S,
            )
    finally:
        with _waiting_lock:
            _waiting[key] -= 1


def open_organiser_session(*, session: Session, now: datetime | None = None) -> str:
    """A new organiser session; returns its token (for the browser's cookie), keeps its hash.

    Expired and revoked sessions are swept at the same time.
    """
    now = now or utcnow()
    session.exec(
        delete(OrganiserSession).where(
            (col(OrganiserSession.expires_at) < now) | col(OrganiserSession.revoked_at).isnot(None)
        )
    )
    token = new_token()
    session.add(
        OrganiserSession(token_hash=token_hash(token), created_at=now, expires_at=now + SESSION)
    )
    session.flush()
    return token


def organiser_session_is_valid(
    *, session: Session, token: str | None, now: datetime | None = None
) -> bool:
    """Whether `token` opens a live organiser session (not expired, not signed out)."""
    if not looks_like_token(token):
        return False
    now = now or utcnow()
    found = session.exec(
        select(OrganiserSession).where(OrganiserSession.token_hash == token_hash(token or ""))
    ).first()
    return found is not None and found.revoked_at is None and found.expires_at > now


def organiser_session_is_live(
    *, session: Session, token: str | None, now: datetime | None = None
) -> bool:
    """`organiser_session_is_valid`, for the check every organiser page makes on every run:
    one indexed look-up of a few columns."""
    if not looks_like_token(token):
        return False
    now = now or utcnow()
    row = session.exec(
        select(OrganiserSession.revoked_at, OrganiserSession.expires_at).where(
            OrganiserSession.token_hash == token_hash(token or "")
        )
    ).first()
    return row is not None and row[0] is None and _as_utc(row[1]) > now


def sign_out_organiser(*, session: Session, token: str | None, now: datetime | None = None) -> None:
    """End the organiser session of `token` (its cookie stops working everywhere)."""
    if not looks_like_token(token):
        return
    found = session.exec(
        select(OrganiserSession).where(OrganiserSession.token_hash == token_hash(token or ""))
    ).first()
    if found is not None and found.revoked_at is None:
        found.revoked_at = now or utcnow()
        session.add(found)
        session.flush()
