"""Organiser sign-in: one password, compared as an argon2 hash, slowed after repeated failures."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

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
WINDOW = timedelta(minutes=15)
FREE_ATTEMPTS = 5
MAX_WAIT_S = 15 * 60
#: How long a signed-in organiser's browser stays signed in (a contest day).
SESSION = timedelta(hours=12)


def ensure_admin_password(*, session: Session, settings: Settings) -> str | None:
    """Generate and store an organiser password if none is configured; returns it only then."""
    if settings.admin_password:
        return None
    if session.get(AppSecret, ADMIN_HASH) is not None:
        return None
    password = secrets.token_urlsafe(12)
    session.add(AppSecret(name=ADMIN_HASH, value=hash_password(password)))
    session.flush()
    return password


def reset_admin_password(*, session: Session) -> str:
    """A new generated organiser password (used when none is set in the environment)."""
    password = secrets.token_urlsafe(12)
    secret = session.get(AppSecret, ADMIN_HASH) or AppSecret(name=ADMIN_HASH, value="")
    secret.value = hash_password(password)
    session.add(secret)
    session.flush()
    return password


def retry_after(*, session: Session, client: str, now: datetime | None = None) -> int:
    """Seconds `client` must wait before the next try (0 when it may try now)."""
    now = now or utcnow()
    recent = session.exec(
        select(func.count(), func.max(SignInAttempt.at)).where(
            SignInAttempt.client == client, col(SignInAttempt.at) > now - WINDOW
        )
    ).one()
    failures, last = recent
    if failures < FREE_ATTEMPTS or last is None:
        return 0
    if not isinstance(last, datetime):  # SQLite's max() hands back the stored text
        last = datetime.fromisoformat(str(last))
    if last.tzinfo is None:
        last = last.replace(tzinfo=UTC)
    wait = min(MAX_WAIT_S, 15 * 2 ** (failures - FREE_ATTEMPTS))
    remaining = wait - (now - last).total_seconds()
    return max(0, int(remaining + 0.999))


def sign_in_organiser(
    *,
    session: Session,
    settings: Settings,
    password: str,
    client: str = "",
    now: datetime | None = None,
) -> str:
    """Accept the organiser password (returning a new organiser session's token, see
    `open_organiser_session`) or raise AccessDenied / TooManyAttempts."""
    now = now or utcnow()
    client = client[:100]
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
        session.exec(delete(SignInAttempt).where(SignInAttempt.client == client))
        return open_organiser_session(session=session, now=now)
    session.add(SignInAttempt(client=client, at=now))
    # Committed here, not by the caller: the exception below would otherwise roll it back.
    session.commit()
    raise AccessDenied("Wrong password.")


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
