"""A download button whose file is built when the browser asks for it, and which says so, in
the visitor's language and with an error id, when the file cannot be built.

The file is built by a deferred callable (`st.download_button(data=callable)`): nothing is
computed on the page's runs, and the click downloads at once. Streamlit runs that callable in
a worker thread, outside the page's script, and on a failure only writes an English line under
the button. So the callable records how it ended for this session and button, and the click's
own callback (which starts the rerun the click triggers) waits for that ending, then leaves a
translated message for the page to draw. Each click makes one build and one callback; they
are paired by counting builds that ended.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pitchjudge.ui.error_boundary import new_error_id

_LOGGER = logging.getLogger("pitchjudge.errors")
# How long a click's rerun waits for its file (a workbook of a large contest on a busy machine).
WAIT_S = 120.0

_ended = threading.Condition()
_builds: dict[tuple[str, str], int] = {}  # (session id, button key) -> builds that ended
_failures: dict[tuple[str, str], str] = {}  # the last failed build's error id


def _slot(key: str) -> tuple[str, str]:
    ctx = get_script_run_ctx()
    return (ctx.session_id if ctx else "", key)


def _build_and_record(slot: tuple[str, str], build: Callable[[], bytes]) -> Callable[[], bytes]:
    def data() -> bytes:
        failure = None
        try:
            return build()
        except Exception:
            failure = new_error_id()
            _LOGGER.exception("Download %s could not be built (error %s)", slot[1], failure)
            raise  # no half-file reaches the browser
        finally:
            with _ended:
                _builds[slot] = _builds.get(slot, 0) + 1
                if failure:
                    _failures[slot] = failure
                else:
                    _failures.pop(slot, None)
                _ended.notify_all()

    return data


def _after_click(slot: tuple[str, str], seen_key: str, error_key: str) -> None:
    seen = st.session_state.get(seen_key, 0)
    with _ended:
        _ended.wait_for(lambda: _builds.get(slot, 0) > seen, timeout=WAIT_S)
        st.session_state[seen_key] = _builds.get(slot, 0)
        failure = _failures.pop(slot, None)
    if failure:
        st.session_state[error_key] = failure


def download_button(
    label: str,
    build: Callable[[], bytes],
    *,
    key: str,
    file_name: str,
    mime: str,
    failed: str,
    where=None,
    **kwargs,
) -> None:
    """`st.download_button` with `data=build` (called on click). If `build` raises, the
    traceback goes to the log under an error id and the page then shows `failed`, a
    translated sentence with an `{error_id}` placeholder, under the button."""
    slot = _slot(key)
    seen_key, error_key = f"{key}__builds_seen", f"{key}__failed"
    target = where or st
    target.download_button(
        label,
        data=_build_and_record(slot, build),
        file_name=file_name,
        mime=mime,
        on_click=_after_click,
        args=(slot, seen_key, error_key),
        key=key,
        **kwargs,
    )
    failure = st.session_state.pop(error_key, None)
    if failure:
        target.error(failed.format(error_id=failure), icon=":material/error:")
