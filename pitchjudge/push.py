"""The push channel: the room screens learn of a change within a fraction of a second.

A server-sent-events route (`PATH`, mounted by the ASGI entry, `pitchjudge/ui/asgi.py`)
streams, for one contest, a short digest of what its room screens show:

- `board`: the projected leaderboard's fingerprint (`services.board.fingerprint`: the shown
  round's results version, bumped by database triggers on every write the board depends on);
- `stage`: the live final's (`services.stage.fingerprint`: who is on stage, since when, the
  running order, the timers).

The display link (`?display=…`, projector and stage screen) gets both; a judge's link
(`?judge=…`, the stage bar on the judge's page) gets the stage only. The link is checked when
the stream opens, again before every event and every few seconds: a revoked or replaced link
gets a last `revoked` event and the stream ends.

Works across replicas: each process reads the digests from the database itself, in one loop
per contest shared by every screen of that contest connected to it (every `POLL_S`, two
small indexed queries), and fans the change out to them. Nothing relies on a notification
inside one process. A screen whose stream drops keeps its polling (the pages' `run_every`),
so the push channel only ever makes a screen faster.

No Streamlit here: the route is plain Starlette, testable with two servers on one database.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from pitchjudge.db import session_scope
from pitchjudge.errors import AccessDenied
from pitchjudge.services import awards, board, judges, stage, votes

PATH = "/_pj/events"
BOARD, STAGE = "board", "stage"
#: How often one process reads a watched contest's digests (seconds).
POLL_S = 0.15
#: A `ping` event after this long without news, so the browser knows the stream is alive.
HEARTBEAT_S = 5.0
#: The link is checked again at least this often, even when nothing changes.
RECHECK_S = 5.0
#: What the browser waits before reconnecting a dropped stream (milliseconds).
RETRY_MS = 2000

log = logging.getLogger(__name__)


def _digest(value: object) -> str:
    """A short digest, equal in every process for equal values (unlike `hash`)."""
    return hashlib.sha256(repr(value).encode()).hexdigest()[:16]


def signature(*, session: Session, contest_id: int) -> dict[str, str]:
    """The digests of what the contest's room screens show, by topic."""
    return {
        # The board page also shows the audience vote or the palmarès when the organiser
        # puts them on: either change redraws it.
        BOARD: _digest(
            (
                board.fingerprint(session=session, contest_id=contest_id),
                votes.projected_round(session=session, contest_id=contest_id),
                awards.ceremony_signature(session=session, contest_id=contest_id),
            )
        ),
        STAGE: _digest(stage.fingerprint(session=session, contest_id=contest_id)),
    }


@dataclass(frozen=True)
class Listener:
    """Who asked for events: the contest, the topics their link may follow, and the link."""

    contest_id: int
    topics: tuple[str, ...]
    display: str | None = None
    judge: str | None = None


def authorise(*, session: Session, display: str | None, judge: str | None) -> Listener | None:
    """The listener a display or judge link opens; None for a forged, revoked or replaced one."""
    try:
        if display:
            contest = board.contest_by_display_token(session=session, token=display)
            return Listener(contest_id=contest.id, topics=(BOARD, STAGE), display=display)
        if judge:
            person = judges.judge_by_token(session=session, token=judge)
            return Listener(contest_id=person.contest_id, topics=(STAGE,), judge=judge)
    except AccessDenied:
        return None
    return None


def still_allowed(*, session: Session, listener: Listener) -> bool:
    """Whether the listener's link still opens its contest."""
    again = authorise(session=session, display=listener.display, judge=listener.judge)
    return again is not None and again.contest_id == listener.contest_id


def event(name: str, data: dict) -> str:
    """One server-sent event."""
    return f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


@dataclass
class _Watch:
    """One contest watched by this process: its latest digests and who listens."""

    contest_id: int
    value: dict[str, str] | None = None
    listeners: int = 0
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    changed: asyncio.Event = field(default_factory=asyncio.Event)
    task: asyncio.Task | None = None
    #: The database cannot be read for now (a restart): listeners are told, not pinged.
    away: bool = False

    def publish(self, value: dict[str, str]) -> None:
        self.value = value
        self.ready.set()
        self._wake()

    def set_away(self, away: bool) -> None:
        if away != self.away:
            self.away = away
            self._wake()

    def _wake(self) -> None:
        # Wake everyone waiting on the old event; later waiters wait on a fresh one.
        done, self.changed = self.changed, asyncio.Event()
        done.set()


class Hub:
    """Every contest this process watches, each read by one loop shared by its listeners."""

    def __init__(
        self,
        engine: Callable[[], Engine],
        *,
        poll_s: float = POLL_S,
        heartbeat_s: float = HEARTBEAT_S,
        recheck_s: float = RECHECK_S,
    ) -> None:
        self._engine = engine
        self.poll_s = poll_s
        self.heartbeat_s = heartbeat_s
        self.recheck_s = recheck_s
        self._watches: dict[int, _Watch] = {}
        # Its own few threads for the database: a slow database never takes the threads
        # the rest of the server runs on (asyncio's default pool is small on small machines).
        self._pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="pj-push")
        #: Database reads made by the shared loops (tests and benches look at it).
        self.reads = 0

    async def in_thread(self, function, /, **kwargs):
        return await asyncio.get_running_loop().run_in_executor(
            self._pool, lambda: function(**kwargs)
        )

    # --- database (run in worker threads) ---

    def read(self, contest_id: int) -> dict[str, str]:
        with session_scope(self._engine(), read_only=True) as session:
            return signature(session=session, contest_id=contest_id)

    def authorise(self, *, display: str | None, judge: str | None) -> Listener | None:
        with session_scope(self._engine(), read_only=True) as session:
            return authorise(session=session, display=display, judge=judge)

    def still_allowed(self, listener: Listener) -> bool:
        with session_scope(self._engine(), read_only=True) as session:
            return still_allowed(session=session, listener=listener)

    # --- the shared loops ---

    def watching(self) -> dict[int, int]:
        """Listeners per watched contest."""
        return {cid: watch.listeners for cid, watch in self._watches.items()}

    async def _loop(self, watch: _Watch) -> None:
        failing = False
        while True:
            try:
                value = await self.in_thread(self.read, contest_id=watch.contest_id)
                self.reads += 1
                if failing:
                    log.warning("push channel: contest %s readable again", watch.contest_id)
                failing = False
                if value != watch.value:
                    watch.publish(value)
                watch.set_away(False)
                await asyncio.sleep(self.poll_s)
            except asyncio.CancelledError:
                raise
            except Exception:  # the database is away for a moment: keep trying, quietly
                if not failing:
                    log.exception("push channel: cannot read contest %s", watch.contest_id)
                failing = True
                if watch.ready.is_set():  # listeners that had news learn it stopped
                    watch.set_away(True)
                await asyncio.sleep(1.0)

    @asynccontextmanager
    async def watch(self, contest_id: int) -> AsyncIterator[_Watch]:
        """Listen to a contest (its loop starts with the first listener, ends with the last)."""
        watch = self._watches.get(contest_id)
        if watch is None:
            watch = self._watches[contest_id] = _Watch(contest_id)
            watch.task = asyncio.create_task(self._loop(watch), name=f"pj-push-{contest_id}")
        watch.listeners += 1
        try:
            yield watch
        finally:
            watch.listeners -= 1
            if watch.listeners == 0 and self._watches.get(contest_id) is watch:
                del self._watches[contest_id]
                if watch.task is not None:
                    watch.task.cancel()

    async def stream(self, listener: Listener) -> AsyncIterator[str]:
        """The events of one listener: `change` with the digests of its topics (first on
        connecting, then on every change), `ping` when idle, `revoked` when its link stops
        opening the contest (then the stream ends), and `away` instead of pings while the
        database cannot be read (the screen then polls, and shows that it is reconnecting)."""
        yield f"retry: {RETRY_MS}\n\n"
        async with self.watch(listener.contest_id) as watch:
            await watch.ready.wait()
            sent: dict[str, str] | None = None
            checked = time.monotonic()
            while True:
                assert watch.value is not None
                if watch.away:
                    yield event("away", {})
                else:
                    value = {topic: watch.value[topic] for topic in listener.topics}
                    due = time.monotonic() - checked >= self.recheck_s
                    if value != sent or due:
                        # Re-checked before any news leaves: a revoked link learns nothing more.
                        if not await self.in_thread(self.still_allowed, listener=listener):
                            yield event("revoked", {})
                            return
                        checked = time.monotonic()
                    if value != sent:
                        yield event("change", value)
                        sent = value
                changed = watch.changed
                try:
                    await asyncio.wait_for(changed.wait(), timeout=self.heartbeat_s)
                except TimeoutError:
                    yield event("away" if watch.away else "ping", {})


def route(hub: Hub, path: str = PATH) -> Route:
    """The Starlette route of the push channel, served from `hub`."""

    async def events(request: Request) -> Response:
        listener = await hub.in_thread(
            hub.authorise,
            display=request.query_params.get("display"),
            judge=request.query_params.get("judge"),
        )
        if listener is None:
            return PlainTextResponse("This link is not valid or has been replaced.", 403)
        return StreamingResponse(
            hub.stream(listener),
            media_type="text/event-stream",
            headers={
                "Cache-Control": "no-cache, no-transform",
                # nginx would otherwise buffer the stream (see the README's proxy notes).
                "X-Accel-Buffering": "no",
            },
        )

    return Route(path, events, methods=["GET"], name=f"pitchjudge-push-{path}")
