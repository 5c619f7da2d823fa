"""Tokens for private links and the organiser password: generated, hashed, verified."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from functools import lru_cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
_hasher = PasswordHasher()


def new_token() -> str:
    """An unguessable URL-safe token (256 bits)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """What the database keeps of a token: its sha256 (tokens are random, so no salt is needed)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def looks_like_token(token: str | None) -> bool:
    """Cheap shape check before any database look-up."""
    return bool(token) and bool(_TOKEN_SHAPE.match(token or ""))


def hash_password(password: str) -> str:
    """An argon2id hash of `password`."""
    return _hasher.hash(password)


@lru_cache(maxsize=4)
def _hash_of_configured(password_or_hash: str) -> str:
    # A plain password from the environment is hashed once per process, then compared as a hash.
    return (
        password_or_hash
        if password_or_hash.startswith("$argon2")
        else hash_password(password_or_hash)
    )


def verify_password(candidate: str, password_or_hash: str) -> bool:
    """Whether `candidate` matches the configured password (plain or argon2 hash), constant time."""
    try:
        return _hasher.verify(_hash_of_configured(password_or_hash), candidate)
    except (VerificationError, InvalidHashError):
        return False


def same_secret(a: str, b: str) -> bool:
    """Constant-time equality for two short secrets."""
    return hmac.compare_digest(a.encode("utf-8"), b.encode("utf-8"))
