"""Ask before a destructive action: a dialog that says what will happen, in numbers.

The button that asks only records, in its `on_click`, which dialog is open; the page then
draws that dialog on every run until it is confirmed, cancelled or dismissed (a dialog
opened by ``if st.button(...)`` would lose its own buttons' clicks, in AppTest too).
"""

from __future__ import annotations

from collections.abc import Callable

import streamlit as st

from pitchjudge.i18n import Gettext

OPEN_KEY = "confirm_dialog_open"


def open_dialog(key: str) -> None:
    """Open the dialog `key` (from a widget's callback)."""
    st.session_state[OPEN_KEY] = key


def close() -> None:
    """No dialog open any more."""
    st.session_state.pop(OPEN_KEY, None)


def asking(key: str) -> bool:
    """True while the dialog `key` is open (compute its numbers only then)."""
    return st.session_state.get(OPEN_KEY) == key


def ask_button(label: str, *, key: str, where=None, **kwargs) -> None:
    """A button that opens the dialog `key` instead of acting (`where`: a column, or the page)."""
    (where or st).button(label, key=key, on_click=open_dialog, args=(key,), **kwargs)


def confirm_dialog(
    key: str,
    *,
    title: str,
    lines: Callable[[], list[str]],
    confirm_label: str,
    action: Callable[[], object],
    _: Gettext,
    on_cancel: Callable[[], None] | None = None,
) -> None:
    """Draw the dialog `key` when it is open: `lines()` (Markdown, computed now from the
    services), Cancel, and `confirm_label`, which runs `action` (one that reruns the page on
    success, e.g. `run_and_reload`; on a refusal it shows why and the dialog stays)."""
    if not asking(key):
        return

    def cancel() -> None:
        close()
        if on_cancel is not None:
            on_cancel()

    @st.dialog(title, on_dismiss=cancel)
    def body() -> None:
        for line in lines():
            st.markdown(line)
        cols = st.columns(2)
        # The callback may reset widgets (it runs before them); the rerun of the whole app
        # closes the dialog (a button in a dialog reruns only the dialog).
        if cols[0].button(_("Cancel"), key=f"{key}__cancel", on_click=cancel, width="stretch"):
            st.rerun()
        if cols[1].button(confirm_label, key=f"{key}__confirm", type="primary", width="stretch"):
            close()
            action()  # reruns on success
            open_dialog(key)  # refused: the reason is shown here, the dialog stays

    body()
