"""The error boundary: an unexpected error shows a short translated message with an error id,
and its traceback goes to the server's log under the same id."""

from __future__ import annotations

import logging
import secrets

import streamlit as st

from pitchjudge import logs, ops
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


def on_script_error(error: Exception) -> bool:
    """`st.App(on_script_error=...)`: every uncaught error of a script run or of a widget
    callback; True hides Streamlit's own red box (with its traceback) from the visitor."""
    show_unexpected_error(error)
    return True
