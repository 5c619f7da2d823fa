"""Bounds what one visitor can make the server hold in memory through Streamlit's upload
endpoint (`PUT /_stcore/upload_file/<session>/<file>`), which keeps every uploaded file in RAM
until its session ends.

`UploadGuard` is ASGI middleware (see `pitchjudge.ui.asgi`). Before a byte of the body is
read it refuses an upload:

- larger than the deck limit (`PITCHJUDGE_MAX_DECK_MB`, plus the multipart envelope): 413;
- to a session that already holds `files_per_session` files: 429;
- from a client address already holding `bytes_per_client` (every session of that address,
  uploads in flight included) or with `in_flight_per_client` uploads already running: 429.

And `release_uploads()` frees a session's uploads as soon as its deck is stored or refused.
"""

from __future__ import annotations

import threading
from collections import defaultdict

from starlette.types import ASGIApp, Receive, Scope, Send

UPLOAD_PATH = "/_stcore/upload_file/"
#: What a multipart body adds around the file (Streamlit allows 1 MB).
ENVELOPE_BYTES = 1024 * 1024


def _upload_manager():
    from streamlit.runtime import Runtime

    return Runtime.instance().uploaded_file_mgr if Runtime.exists() else None


def _held(session_ids: set[str]) -> tuple[int, dict[str, int]]:
    """Bytes held by these sessions, and files per session (Streamlit's in-memory store)."""
    manager = _upload_manager()
    storage = getattr(manager, "file_storage", None)
    if storage is None:
        return 0, {}
    lock = getattr(manager, "_lock", None) or threading.Lock()
    with lock:
        files = {s: dict(storage[s]) for s in session_ids if s in storage}
    total = sum(len(rec.data) for held in files.values() for rec in held.values())
    return total, {s: len(held) for s, held in files.items()}


class UploadGuard:
    """ASGI middleware capping uploads per file, per session and per client address."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_file_bytes: int | None = None,
        files_per_session: int = 2,
        bytes_per_client: int | None = None,
        in_flight_per_client: int = 2,
    ) -> None:
        if max_file_bytes is None:
            from pitchjudge.config import load_settings

            max_file_bytes = load_settings().max_deck_bytes
        self.app = app
        self.max_body = max_file_bytes + ENVELOPE_BYTES
        self.files_per_session = files_per_session
        self.bytes_per_client = bytes_per_client or 3 * max_file_bytes
        self.in_flight_per_client = in_flight_per_client
        self._lock = threading.Lock()
        self._sessions: dict[str, set[str]] = defaultdict(set)  # client -> session ids
        self._in_flight: dict[str, list[int]] = defaultdict(list)  # client -> body sizes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope.get("method") != "PUT" or UPLOAD_PATH not in path:
            await self.app(scope, receive, send)
            return
        session_id = path.split(UPLOAD_PATH, 1)[1].split("/", 1)[0]
        client = (scope.get("client") or ("", 0))[0] or ""
        headers = dict(scope.get("headers") or [])
        try:
            size = int(headers.get(b"content-length", b""))
        except ValueError:
            await _refuse(send, 411, "An upload must say its size (Content-Length).")
            return
        if size > self.max_body:
            await _refuse(send, 413, "File too large.")
            return
        with self._lock:
            sessions = self._sessions[client]
            sessions.add(session_id)
            held, files = _held(sessions)
            # Forget ended sessions (Streamlit dropped their files).
            sessions.intersection_update(set(files) | {session_id})
            in_flight = self._in_flight[client]
            reason = None
            if files.get(session_id, 0) >= self.files_per_session:
                reason = "Too many files in this session: remove one first."
            elif len(in_flight) >= self.in_flight_per_client:
                reason = "Too many uploads at once: wait for one to finish."
            elif held + sum(in_flight) + size > self.bytes_per_client:
                reason = "Too much uploaded from this address: try again later."
            if reason is None:
                in_flight.append(size)
        if reason is not None:
            await _refuse(send, 429, reason)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            with self._lock:
                self._in_flight[client].remove(size)
                if not self._in_flight[client]:
                    del self._in_flight[client]


async def _refuse(send: Send, status: int, message: str) -> None:
    body = message.encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def release_uploads() -> None:
    """Free every file this visitor's session uploaded (its deck is stored or refused: the
    bytes are of no further use, and would otherwise stay in memory until the tab closes)."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    manager = _upload_manager()
    context = get_script_run_ctx()
    if manager is not None and context is not None:
        manager.remove_session_files(context.session_id)
