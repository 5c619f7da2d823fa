"""The ASGI entry: `streamlit run pitchjudge/ui/asgi.py` serves streamlit_app.py and warms up
at start-up, so the first projector or judge after a restart does not wait for it, bounds
uploads (`UploadGuard`), and puts the error boundary on every script run and widget callback.

The warm-up (imports, the migrated engine, every contest's board computed into the cache the
projector's page reads and drawn once as the room board's HTML) runs in the lifespan, before
the server starts answering (see `lifespan`).
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware

from pitchjudge.ui import ops_http
from pitchjudge.ui.error_boundary import on_script_error
from pitchjudge.ui.proxies import trust_configured_proxies
from pitchjudge.ui.upload_guard import UploadGuard
from pitchjudge.ui.vote_http import app_routes as vote_routes

HERE = Path(__file__).resolve().parent
ENTRY_SCRIPT = HERE.parents[1] / "streamlit_app.py"
# `streamlit run` puts this file's folder first on sys.path; its modules (state, timer…)
# must not shadow anything as top-level names.
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path.pop(0)

# What the room screens (pages/board.py, pages/stage_screen.py) and the judges' page need:
# imported before the server answers. The projector draws HTML (`room_board`), no chart.
FIRST_MODULES = (
    "pandas",
    "pitchjudge.push",
    "pitchjudge.services.board",
    "pitchjudge.services.stage",
    "pitchjudge.ui.navigation",
    "pitchjudge.ui.state",
    "pitchjudge.ui.widgets",
    "pitchjudge.ui.room_board",
    "pitchjudge.ui.palmares_screen",
    "pitchjudge.ui.vote_screen",
    "pitchjudge.ui.push",
    "pitchjudge.ui.stage_screen",
    "pitchjudge.ui.timer",
    "pitchjudge.ui.confirm",
    "pitchjudge.ui.autosave",
    "pitchjudge.ui.autosave_marks",
)
# The organisers' other pages (Plotly charts, tables, statsmodels, the PDF and XLSX
# writers…): imported right after, in the background, while the server already answers.
LATER_MODULES = (
    "pyarrow",
    "plotly.graph_objects",
    "plotly.io",
    "streamlit.elements.plotly_chart",
    "streamlit.elements.arrow",
    "pitchjudge.charts",
    "pitchjudge.analytics_charts",
    "pitchjudge.services.analytics",
    "pitchjudge.services.exports",
    "pitchjudge.services.feedback",
    "pitchjudge.services.imports",
    "pitchjudge.services.promotion",
)

log = logging.getLogger("pitchjudge.warm_up")
#: Set when the warm-up has finished (tests and benches wait on it).
warmed = threading.Event()
timings: dict[str, float] = {}


def warm_up() -> dict[str, float]:
    """Import what the room screens and the judges' page need, open the database, and
    compute every contest's board into the cache the projector's page reads
    (`state.board_view`), drawing it once as the page does (`room_board.board_html`);
    returns the seconds each step took. Never raises: a failure is logged and the pages
    report it."""
    started = time.perf_counter()

    def step(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[name] = now - started
        started = now

    try:
        for module in FIRST_MODULES:
            importlib.import_module(module)
        step("imports")
        from sqlmodel import select

        from pitchjudge.i18n import LANGUAGES, get_gettext, get_ngettext
        from pitchjudge.models import Contest
        from pitchjudge.ui import room_board, state

        for language in LANGUAGES:
            get_gettext(language)
        state.get_engine()  # migrated, cached for the whole process
        step("engine")
        with state.db_session(read_only=True) as session:
            contests = list(session.exec(select(Contest.id, Contest.language)).all())
        for contest_id, language in contests:
            view = state.board_view(contest_id, state.board_fingerprint(contest_id))
            # The first drawing loads the language's number formats (Babel).
            room_board.board_html(
                view, _=get_gettext(language), ngettext=get_ngettext(language), lang=language
            )
        step("boards")
    except Exception:  # the app must start; the page then shows the real error
        log.exception("warm-up failed")
    finally:
        warmed.set()
        done = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in timings.items())
        log.warning("PitchJudge warmed up: %s", done or "failed")
    return dict(timings)


@asynccontextmanager
async def lifespan(_app) -> AsyncIterator[None]:
    """Warm up before the server answers (in a worker thread; nothing to stop after).

    The server starts listening, and /_stcore/health answers, once the app is ready: a
    projector left open reconnects by itself then and redraws at once, and a load balancer
    sends no one to a replica still importing. Opened during the warm-up, a page would only
    have waited for the same imports.
    """
    ops_http.start_logging()  # JSON lines with this replica's id, from the first one
    await asyncio.to_thread(warm_up)
    ops_http.start_reporting()  # counters and heartbeat to the database, every few seconds
    threading.Thread(target=warm_up_later, name="pitchjudge-warm-up", daemon=True).start()
    yield
    await asyncio.to_thread(ops_http.stop)


def warm_up_later() -> None:
    """Import what the organisers' other pages need, and sweep the deck store (never raises)."""
    try:
        for module in LATER_MODULES:
            importlib.import_module(module)
    except Exception:  # a page importing it will show the real error
        log.exception("background warm-up failed")
    sweep_deck_store()


def sweep_deck_store() -> int:
    """Remove what interrupted uploads left in the deck store (stale `.incoming-*` folders,
    temporary files, S3 decks without their `deck.pdf`); a store that cannot be reached is
    logged, and the upload that needs it will say so. Returns how many leftovers went."""
    from pitchjudge.config import load_settings
    from pitchjudge.deck_store import open_deck_store

    try:
        store = open_deck_store(load_settings())
        store.ping()
        return store.sweep(deep=True)
    except Exception as error:  # the app must start; uploads report the store's state
        log.warning("deck store not checked at start-up: %s", error)
        return 0


def push_routes() -> list:
    """The push channel's route (`pitchjudge.push`), also under `server.baseUrlPath` when
    the app is served below a path. Its database engine is the pages' own."""
    from pitchjudge import push
    from pitchjudge.ui import state

    hub = push.Hub(state.process_engine)
    base = str(st.get_option("server.baseUrlPath") or "").strip("/")
    paths = [push.PATH] + ([f"/{base}{push.PATH}"] if base else [])
    return [push.route(hub, path) for path in paths]


trust_configured_proxies()  # before uvicorn reads FORWARDED_ALLOW_IPS
app = st.App(
    str(ENTRY_SCRIPT),
    # The audience's phone page: plain HTTP beside the app (st.App's routes are experimental
    # in Streamlit 1.67, pinned in uv.lock; tests/test_vote_http.py serves it through here).
    routes=vote_routes() + push_routes() + ops_http.app_routes(),
    lifespan=lifespan,
    # RequestLog first: its request id and log line cover whatever the others answer.
    middleware=[Middleware(ops_http.RequestLog), Middleware(UploadGuard)],
    on_script_error=on_script_error,
)
