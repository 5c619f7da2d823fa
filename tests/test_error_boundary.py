"""The error boundary: an unexpected error shows a short translated message with an error id,
never Streamlit's red box or a traceback; the traceback goes to the log under that id.

Through AppTest, a service that fails on a real page (the entry script's boundary); in
Chromium, a script error and a widget-callback error under `st.App(on_script_error=...)`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path
from textwrap import dedent

import pytest
from playwright.sync_api import Page, expect

from pitchjudge.errors import CONNECTION_LOST, DatabaseOutage
from pitchjudge.services import contests
from tests.apptest_support import run_page
from tests.browser_support import LONG_MS, REPO, App, _require_chromium, app_settings, serve
from tests.factories import make_contest

ERROR_ID = re.compile(r"E-[0-9A-F]{6}")
SECRET = "internal detail 7f3a that no visitor should read"


def _fail(**_kwargs):
    raise RuntimeError(SECRET)


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "Un problème est survenu de notre côté"), ("en", "Something went wrong on our side")],
)
def test_a_failing_page_shows_a_translated_message_with_an_id_and_logs_the_traceback(
    app_env, monkeypatch, caplog, lang, words
):
    engine, _settings = app_env
    make_contest(engine)
    monkeypatch.setattr(contests, "list_rounds", _fail)
    with caplog.at_level(logging.ERROR, logger="pitchjudge.errors"):
        at = run_page("pages/results.py", organiser=True, lang=lang)
    assert not at.exception  # no red box
    messages = [e.value for e in at.error]
    assert len(messages) == 1 and words in messages[0], messages
    assert SECRET not in messages[0]
    error_id = ERROR_ID.search(messages[0]).group(0)
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert logged, "the log has the error under the id the visitor was given"
    assert logged[0].exc_info and SECRET in str(logged[0].exc_info[1])


def _away(**_kwargs):
    raise DatabaseOutage(CONNECTION_LOST)


@pytest.mark.parametrize(
    ("lang", "words"),
    [("fr", "Connexion à la base de données perdue — reconnexion…"), ("en", "reconnecting…")],
)
def test_a_database_outage_is_a_reconnecting_notice_not_an_error(
    app_env, monkeypatch, caplog, lang, words
):
    engine, _settings = app_env
    make_contest(engine)
    monkeypatch.setattr(contests, "list_rounds", _away)
    with caplog.at_level(logging.WARNING, logger="pitchjudge.errors"):
        at = run_page("pages/results.py", organiser=True, lang=lang)
    assert not at.exception
    assert not at.error  # no error box and no error id: an expected state
    (notice,) = [w.value for w in at.warning]
    assert words in notice and not ERROR_ID.search(notice)
    # The page runs again by itself a few seconds later (a tiny element triggers the rerun).
    assert at.get("bidi_component")
    assert any("Database away" in r.getMessage() for r in caplog.records)


# --- in a real browser, through st.App(on_script_error=...) ---------------------------------

PAGE = dedent(
    """
    import streamlit as st

    st.title("Boundary")


    def explode():
        raise RuntimeError("callback failed: {secret}")


    st.button("Callback error", on_click=explode, key="callback")
    if st.button("Script error", key="script"):
        raise ValueError("script failed: {secret}")
    st.write("still alive")
    """
).format(secret=SECRET)

ENTRY = dedent(
    """
    from pathlib import Path

    import streamlit as st

    from pitchjudge.ui.error_boundary import on_script_error

    app = st.App(str(Path(__file__).with_name("boundary_page.py")), on_script_error=on_script_error)
    """
)


@pytest.fixture(scope="module")
def boundary_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    _require_chromium()
    root = tmp_path_factory.mktemp("boundary")
    (root / "boundary_page.py").write_text(PAGE)
    (root / "boundary_entry.py").write_text(ENTRY)
    values, port = app_settings(root, PITCHJUDGE_LANGUAGE="fr")
    with serve(root, values, port, script=root / "boundary_entry.py") as server:
        yield server


@pytest.mark.browser
@pytest.mark.parametrize("button", ["Callback error", "Script error"])
def test_no_exception_reaches_the_browser(boundary_app: App, page: Page, button: str) -> None:
    page.goto(boundary_app.url)
    expect(page.get_by_text("still alive")).to_be_visible(timeout=LONG_MS)
    page.get_by_role("button", name=button).click()
    alert = page.get_by_text("Un problème est survenu de notre côté")
    expect(alert).to_be_visible(timeout=LONG_MS)
    expect(page.get_by_test_id("stException")).to_have_count(0)
    assert SECRET not in page.locator("body").inner_text()
    error_id = ERROR_ID.search(alert.inner_text()).group(0)
    log = boundary_app.stderr_path.read_text() + boundary_app.stdout_path.read_text()
    assert f"Unexpected error {error_id}" in log
    assert "Traceback" in log and SECRET in log
    page.screenshot(path=f"/tmp/pj_error_boundary_{button.split()[0].lower()}.png")


def test_the_asgi_entry_serves_the_app_with_the_boundary() -> None:
    from pitchjudge.ui import asgi
    from pitchjudge.ui.error_boundary import on_script_error

    assert Path(asgi.ENTRY_SCRIPT) == REPO / "streamlit_app.py"
    assert asgi.app._on_script_error is on_script_error
