"""Structured logs: one JSON object per line, with the replica and the request behind each line.

JSON rather than logfmt: a traceback, a message with quotes or a newline stays one line that
any collector (Loki, journald's JSON export, `jq`) parses without an ad-hoc escaping grammar,
and numbers stay numbers. Nothing secret is logged: private links' tokens, ticket codes and
other secrets in addresses are replaced by a short hash (`redact_target`), enough to tell two
requests of the same link apart, not to use it.
"""

from __future__ import annotations

import contextvars
import hashlib
import json
import logging
import re
import secrets
import sys
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qsl, urlencode

#: The logger every PitchJudge module logs under (`pitchjudge.*`).
ROOT = "pitchjudge"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")

#: The request id of the HTTP request being served (set by the ASGI middleware).
request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "pitchjudge_request_id", default=None
)
#: Who this process is (`PITCHJUDGE_REPLICA_ID`, else host:port), set at start-up.
_replica = {"id": ""}
#: For lines logged outside an HTTP request (a Streamlit script run): returns the request id
#: of the session's websocket, if any. The UI layer installs it (it knows Streamlit).
_request_id_provider: list[Callable[[], str | None]] = []

# What the proxy may send as X-Request-ID: kept only if it is this plain (else a new one).
_REQUEST_ID_SHAPE = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
# Query parameters whose value is a secret whatever its length (private links, ticket codes).
SECRET_PARAMS = frozenset({"judge", "token", "code", "display", "screen", "key", "password"})
# A path segment or value that looks like a random token.
_TOKEN_LIKE = re.compile(r"^[A-Za-z0-9_~.=-]{16,}$")
# Standard LogRecord attributes: anything else passed in `extra=` is a structured field.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def short_hash(secret: str) -> str:
    """What a secret becomes in the logs: "#" and 8 hex digits of its SHA-256."""
    return "#" + hashlib.sha256(secret.encode()).hexdigest()[:8]


def redact_target(path: str, query: str = "") -> str:
    """A request's path and query fit for the logs: secret-looking parts hashed."""
    segments = [short_hash(s) if _TOKEN_LIKE.match(s) else s for s in path.split("/")]
    target = "/".join(segments)
    if query:
        pairs = [
            (k, short_hash(v) if k.lower() in SECRET_PARAMS or _TOKEN_LIKE.match(v) else v)
            for k, v in parse_qsl(query, keep_blank_values=True)
        ]
        target += "?" + urlencode(pairs, safe="#")
    return target


def accept_request_id(header: str | None) -> str:
    """The proxy's X-Request-ID when it is a plain id, else a new random one."""
    if header and _REQUEST_ID_SHAPE.match(header):
        return header
    return secrets.token_hex(8)


def set_replica_id(replica_id: str) -> None:
    _replica["id"] = replica_id


def replica_id() -> str:
    return _replica["id"]


def set_request_id_provider(provider: Callable[[], str | None]) -> None:
    """Where lines outside an HTTP request find their request id (a Streamlit session's)."""
    _request_id_provider[:] = [provider]


def current_request_id() -> str | None:
    value = request_id_var.get()
    if value is None and _request_id_provider:
        try:
            value = _request_id_provider[0]()
        except Exception:  # a log line must never fail because of its context
            value = None
    return value


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, replica, request id, and the
    record's structured fields (`extra={"event": "mark_saved", ...}`)."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
            "replica": _replica["id"] or None,
            "request_id": getattr(record, "request_id", None) or current_request_id(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in line:
                line[key] = value
        if record.exc_info and record.exc_info[0] is not None:
            line["exc"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(line, default=str, ensure_ascii=False)


def configure(level: str | None = None, *, stream=None) -> None:
    """Send every `pitchjudge.*` logger's lines, as JSON, to stderr (once per process; a
    second call only changes the level, if given)."""
    logger = logging.getLogger(ROOT)
    configured = any(getattr(h, "_pitchjudge_json", False) for h in logger.handlers)
    if level is not None or not configured:
        logger.setLevel(level if level in LEVELS else "INFO")
    if not configured:
        handler = logging.StreamHandler(stream or sys.stderr)
        handler.setFormatter(JsonFormatter())
        handler._pitchjudge_json = True  # type: ignore[attr-defined]
        logger.addHandler(handler)


def event(logger: logging.Logger, name: str, message: str, **fields) -> None:
    """A notable app event: one INFO line with `event=name` and its fields."""
    logger.info(message, extra={"event": name, **fields})
