"""The replica's operations routes and logging, beside the app in the ASGI entry:

- `GET /healthz`: 200 `{"status": "ok", ...}` when the database answers (migrations at this
  code's head) and the deck store takes a file; 503 naming the failing part otherwise. The
  proxy polls it every 2 s on every replica: one small query on a connection of its own,
  answered within ~2.5 s whatever happens (`pitchjudge.ops.HealthChecker`).
- `GET /metrics`: this replica's counters in Prometheus text format (plus its process's CPU
  and memory); the organisers' Health page shows every replica's, summed, from the database.
- `RequestLog`: one JSON log line per HTTP request and per websocket session, with a request
  id (the proxy's `X-Request-ID`, or a new one, echoed in the response).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from collections.abc import Callable

import streamlit as st
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.process_collector import ProcessCollector
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from pitchjudge import logs, ops
from pitchjudge.errors import ConfigError

log = logging.getLogger("pitchjudge.http")

HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
REQUEST_ID_HEADER = "x-request-id"
# Polled every 2 s by the proxy on every replica, and the page's own assets: at DEBUG only,
# or they would drown the lines that matter.
_QUIET_PREFIXES = ("/_stcore/health", "/_stcore/host-config", "/static/", HEALTH_PATH)


def _settings():
    from pitchjudge.ui import state

    return state._settings()


def replica_id() -> str:
    """PITCHJUDGE_REPLICA_ID, else this host's name and the server's port."""
    try:
        configured = _settings().replica_id
    except ConfigError:
        configured = ""
    return configured or f"{socket.gethostname()}:{st.get_option('server.port')}"


_checker_lock = threading.Lock()
_checker: list[ops.HealthChecker] = []


def health_checker() -> ops.HealthChecker:
    """The process's health checker (one engine of its own, built on first use)."""
    with _checker_lock:
        if not _checker:
            _checker.append(ops.HealthChecker(_settings()))
        return _checker[0]


async def healthz(_request: Request) -> Response:
    """200 when this replica can serve, 503 naming what fails; never hangs."""
    replica = logs.replica_id() or replica_id()
    try:
        checker = health_checker()
        limit = checker.timeout_s * 2 + 1  # the lock's wait, then the check's own timeouts
        health = await asyncio.wait_for(asyncio.to_thread(checker.check), timeout=limit)
    except ConfigError as error:
        health = ops.Health({"settings": str(error)})
    except TimeoutError:
        health = ops.Health({"database": "no answer in time"})
    return JSONResponse(
        health.body(replica),
        status_code=200 if health.ok else 503,
        headers={"Cache-Control": "no-store"},
    )


class CountsCollector:
    """The process's `ops.COUNTS` as Prometheus counters."""

    def collect(self):
        totals = ops.COUNTS.totals()
        saves = CounterMetricFamily(
            "pitchjudge_saves", "Writes stored by this replica, by kind.", labels=["kind"]
        )
        for kind in ops.SAVES:
            saves.add_metric([kind], totals.get(kind, 0))
        errors = CounterMetricFamily(
            "pitchjudge_errors", "Errors met by this replica, by kind.", labels=["kind"]
        )
        for kind in ops.ERRORS:
            errors.add_metric([kind], totals.get(kind, 0))
        info = GaugeMetricFamily(
            "pitchjudge_replica", "This replica (always 1), by id.", labels=["replica"]
        )
        info.add_metric([logs.replica_id() or replica_id()], 1)
        return [saves, errors, info]


_registry = CollectorRegistry(auto_describe=True)
_registry.register(CountsCollector())
ProcessCollector(registry=_registry)  # CPU seconds, resident memory, open files


async def metrics(_request: Request) -> Response:
    return Response(
        generate_latest(_registry),
        media_type=CONTENT_TYPE_LATEST,
        headers={"Cache-Control": "no-store"},
    )


def app_routes() -> list[Route]:
    """/healthz and /metrics, also under `server.baseUrlPath` when the app is served below a
    path."""
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    prefixes = [""] + ([f"/{base}"] if base else [])
    return [
        route
        for prefix in prefixes
        for route in (
            Route(prefix + HEALTH_PATH, healthz, methods=["GET"]),
            Route(prefix + METRICS_PATH, metrics, methods=["GET"]),
        )
    ]


class RequestLog:
    """ASGI middleware: gives every request an id (the proxy's X-Request-ID, or a new one),
    passes it on to the app (a Streamlit session reads it from its websocket's headers) and
    back in the response, and logs one line per request (method, path with secrets hashed,
    status, duration) and one per websocket session when it ends."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = list(scope.get("headers") or [])
        incoming = next((v for k, v in headers if k == b"x-request-id"), b"").decode("latin-1")
        request_id = logs.accept_request_id(incoming)
        if incoming != request_id:
            headers = [(k, v) for k, v in headers if k != b"x-request-id"]
            headers.append((b"x-request-id", request_id.encode()))
            scope = {**scope, "headers": headers}
        token = logs.request_id_var.set(request_id)
        started = time.perf_counter()
        status: dict[str, int | None] = {"code": None}

        async def sending(message) -> None:
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
                message = {
                    **message,
                    "headers": [
                        *(message.get("headers") or []),
                        (b"x-request-id", request_id.encode()),
                    ],
                }
            elif message["type"] == "websocket.accept":
                status["code"] = 101
            await send(message)

        try:
            await self.app(scope, receive, sending)
        except Exception:
            status["code"] = 500
            raise
        finally:
            self._log(scope, status["code"], time.perf_counter() - started)
            logs.request_id_var.reset(token)

    @staticmethod
    def _log(scope, status: int | None, seconds: float) -> None:
        path = scope.get("path") or "/"
        quiet = path.startswith(_QUIET_PREFIXES) and (status or 0) < 400
        level = logging.DEBUG if quiet else logging.INFO
        if not log.isEnabledFor(level):
            return
        query = (scope.get("query_string") or b"").decode("latin-1")
        client = scope.get("client")
        websocket = scope["type"] == "websocket"
        log.log(
            level,
            "websocket closed" if websocket else "request",
            extra={
                "event": "websocket" if websocket else "http_request",
                "method": "WS" if websocket else scope.get("method"),
                "path": logs.redact_target(path, query),
                "status": status,
                "duration_ms": round(seconds * 1000, 1),
                "client": client[0] if client else None,
            },
        )


def script_request_id() -> str | None:
    """In a Streamlit script run: the request id of the session's websocket (set by
    `RequestLog`); None elsewhere."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    return st.context.headers.get("X-Request-ID")


_reporter: list[ops.Reporter] = []


def start_logging(level: str | None = None) -> None:
    """At start-up, first: JSON logs at the configured level, this replica's id in every
    line."""
    try:
        settings = _settings()
    except ConfigError:  # the pages say what is wrong; log anyway
        settings = None
    logs.configure(level or (settings.log_level if settings else "INFO"))
    logs.set_replica_id(replica_id())
    logs.set_request_id_provider(script_request_id)


def start_reporting() -> None:
    """Once the database is migrated (after the warm-up; a check before would find no
    schema, and polls share a check for a second): this replica's counters and heartbeat
    reported every few seconds."""
    try:
        _settings()
    except ConfigError:
        return
    if _reporter:
        return
    from pitchjudge.ui import state

    reporter = ops.Reporter(
        engine=state.process_engine, replica_id=logs.replica_id(), checker=health_checker()
    )
    threading.Thread(target=reporter.start, name="pitchjudge-ops-start", daemon=True).start()
    _reporter.append(reporter)


def stop() -> None:
    """At shutdown: a last report, so a replica stopped cleanly loses no count."""
    while _reporter:
        _reporter.pop().stop()
