"""Personal links: tokens derived from a server secret, so a link can be shown again but the
database alone (a backup, a leak) never yields a working one."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from pathlib import Path

from pitchjudge.config import Settings

SECRET_FILE = "secret.key"


def secret_key(settings: Settings) -> bytes:
    """The link key: PITCHJUDGE_SECRET_KEY, else a random key kept in DATA_DIR/secret.key."""
    if settings.secret_key:
        return settings.secret_key.encode("utf-8")
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        candidate = path.with_suffix(f".{os.getpid()}.tmp")
        candidate.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        candidate.chmod(0o600)
        try:
            # link() fails if another process created the key first: theirs wins, ours goes.
            os.link(candidate, path)
        except FileExistsError:
            pass
        finally:
            candidate.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip().encode("utf-8")


def new_nonce() -> str:
    return secrets.token_hex(16)


def derive_token(key: bytes, purpose: str, nonce: str) -> str:
    """The token for `purpose` (e.g. 'judge:12') and `nonce`: HMAC-SHA256, URL-safe."""
    digest = hmac.new(key, f"{purpose}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
