"""The ASGI entry: `streamlit run pitchjudge/ui/asgi.py` serves streamlit_app.py and warms up
at start-up, so the first projector or judge after a restart does not wait for it.

The warm-up (imports, the migrated engine, the first board of every contest, a first chart)
runs in a background thread started by the lifespan: the server answers at once, and a page
opened meanwhile simply waits for what it needs (imports and Streamlit's resource cache are
computed once, under locks).
"""

from __future__ import annotations

import importlib
import logging
import sys
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent
ENTRY_SCRIPT = HERE.parents[1] / "streamlit_app.py"
# `streamlit run` puts this file's folder first on sys.path; its modules (state, timer…)
# must not shadow anything as top-level names.
if sys.path and Path(sys.path[0] or ".").resolve() == HERE:
    sys.path.pop(0)

# What the pages import, and what Streamlit imports lazily on a first chart or table.
WARM_MODULES = (
    "pandas",
    "pyarrow",
    "plotly.graph_objects",
    "plotly.io",
    "pitchjudge.charts",
    "pitchjudge.analytics_charts",
    "pitchjudge.services.analytics",
    "pitchjudge.services.board",
    "pitchjudge.services.exports",
    "pitchjudge.services.feedback",
    "pitchjudge.services.imports",
    "pitchjudge.services.promotion",
    "pitchjudge.services.stage",
    "pitchjudge.ui.autosave",
    "pitchjudge.ui.autosave_marks",
    "pitchjudge.ui.state",
    "pitchjudge.ui.timer",
    "pitchjudge.ui.widgets",
    "streamlit.elements.plotly_chart",
    "streamlit.elements.arrow",
)

log = logging.getLogger("pitchjudge.warm_up")
#: Set when the warm-up has finished (tests and benches wait on it).
warmed = threading.Event()
timings: dict[str, float] = {}


def warm_up() -> dict[str, float]:
    """Import, open the database, compute and draw every contest's board once; returns the
    seconds each step took. Never raises: a failure is logged and the pages report it."""
    started = time.perf_counter()

    def step(name: str) -> None:
        nonlocal started
        now = time.perf_counter()
        timings[name] = now - started
        started = now

    try:
        for module in WARM_MODULES:
            importlib.import_module(module)
        step("imports")
        from sqlmodel import select

        from pitchjudge.charts import leaderboard_figure
        from pitchjudge.i18n import LANGUAGES, get_gettext
        from pitchjudge.models import Contest
        from pitchjudge.ui import state

        for language in LANGUAGES:
            get_gettext(language)
        state.get_engine()  # migrated, cached for the whole process
        step("engine")
        with state.db_session(read_only=True) as session:
            contest_ids = list(session.exec(select(Contest.id)).all())
        for contest_id in contest_ids:
            view = state.board_view(contest_id, state.board_fingerprint(contest_id))
            if view.rows:
                leaderboard_figure(view.rows, x_max=view.x_max).to_json()
        step("boards")
    except Exception:  # the app must start; the page then shows the real error
        log.exception("warm-up failed")
    finally:
        warmed.set()
    return dict(timings)


@asynccontextmanager
async def lifespan(_app) -> AsyncIterator[None]:
    """Start the warm-up with the server (in the background), nothing to stop."""
    threading.Thread(target=warm_up, name="pitchjudge-warm-up", daemon=True).start()
    yield


app = st.App(str(ENTRY_SCRIPT), lifespan=lifespan)
