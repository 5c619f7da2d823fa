"""The error boundary: an unexpected error shows a short translated message with an error id,
and its traceback goes to the server's log under the same id.

A database that is away for a moment (a restart, a failover: `DatabaseOutage`) is a state,
not an error: the page says it is reconnecting (a room screen keeps its last picture, with a
"Reconnecting…" mark) and runs again by itself every few seconds until the database is back.
"""

from __future__ import annotations

import logging
import secrets

import streamlit as st

from pitchjudge import logs, ops
from pitchjudge.db import is_outage
from pitchjudge.errors import DatabaseOutage
from pitchjudge.i18n import get_gettext

_LOGGER = logging.getLogger("pitchjudge.errors")
# Streamlit configures its own loggers only: without this, the server's console would get the
# message without a time (the ASGI entry sets the level from PITCHJUDGE_LOG_LEVEL).
logs.configure()


def new_error_id() -> str:
    """A short id a person can read out or paste ("E-7K2Q9D"), unique enough to grep a log."""
    return "E-" + secrets.token_hex(3).upper()


def _language() -> str:
    # Never let the boundary itself fail: English when the session's language is unreadable.
    try:
        from pitchjudge.ui import state

        return state.language()
    except Exception:
        return "en"


def show_unexpected_error(error: BaseException) -> str:
    """Log `error` with a new id and tell the visitor, in their language; returns the id."""
    error_id = new_error_id()
    ops.count(ops.SCRIPT_ERROR)
    _LOGGER.error(
        "Unexpected error %s: %s",
        error_id,
        error,
        exc_info=(type(error), error, error.__traceback__),
        extra={"event": ops.SCRIPT_ERROR, "error_id": error_id, "error": type(error).__name__},
    )
    _ = get_gettext(_language())
    try:
        st.error(
            _(
                "Something went wrong on our side and this action was not completed. Reload "
                "the page and try again; if it happens again, give the organisers this error "
                "id: {error_id}."
            ).format(error_id=error_id),
            icon=":material/error:",
        )
    except Exception:  # the log has it; nothing more can be drawn
        _LOGGER.exception("Could not show the message of error %s", error_id)
    return error_id


#: How long a page that met a database outage waits before running again.
OUTAGE_RETRY_MS = 3000

# Runs the page again a few seconds after it is drawn (its trigger is a widget event). The
# script runs again only when `data` changes, hence a new `attempt` at every draw.
_RETRY_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  clearTimeout(parentElement.__pjRetry);
  parentElement.__pjRetry = setTimeout(() => setTriggerValue("retry", data.attempt), data.ms);
  return () => clearTimeout(parentElement.__pjRetry);
}
"""
_retry_component = st.components.v2.component(
    "pitchjudge_outage_retry", html="<span hidden></span>", js=_RETRY_JS
)


def rerun_soon(key: str, *, ms: int = OUTAGE_RETRY_MS) -> None:
    """Run the page (or the fragment this is drawn in) again in `ms` milliseconds: a save
    waiting for the database tries again with no action from the visitor."""
    _retry_component(key=key, data={"ms": ms, "attempt": secrets.token_hex(4)})


def show_outage(error: BaseException) -> None:
    """The database is away for a moment: say so, keep a room screen's picture, and run the
    page again in a few seconds (and again, until the database answers)."""
    _LOGGER.warning("Database away, the page will retry: %s", error.__cause__ or error)
    _ = get_gettext(_language())
    try:
        from pitchjudge.ui import room_board

        if room_board.redraw_last_screen():
            st.html(room_board.reconnecting_html(_))
        else:
            st.warning(
                _(
                    "Connection to the database lost — reconnecting… This page comes back by "
                    "itself in a few seconds; nothing you saved is lost."
                ),
                icon=":material/cloud_sync:",
            )
        rerun_soon("pj_outage_retry")
    except Exception:  # the log has it; nothing more can be drawn
        _LOGGER.exception("Could not show the database outage")


def on_script_error(error: Exception) -> bool:
    """`st.App(on_script_error=...)`: every uncaught error of a script run or of a widget
    callback; True hides Streamlit's own red box (with its traceback) from the visitor."""
    if isinstance(error, DatabaseOutage) or is_outage(error):
        show_outage(error)
    else:
        show_unexpected_error(error)
    return True
