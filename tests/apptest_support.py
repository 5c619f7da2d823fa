"""Shared pieces of the AppTest page tests: the app's environment, running a page, its text."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from streamlit.testing.v1 import AppTest

from pitchjudge.ui import state

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")


def organiser_token() -> str:
    """A live organiser session in the app's database (every organiser page re-checks it)."""
    from pitchjudge.config import load_settings
    from pitchjudge.db import make_engine, session_scope
    from pitchjudge.services import auth

    engine = make_engine(load_settings(env_file=None).database_url)
    try:
        with session_scope(engine) as session:
            return auth.open_organiser_session(session=session)
    finally:
        engine.dispose()


def run_page(
    page: str | None = None,
    *,
    organiser: bool = False,
    lang: str = "en",
    params: dict | None = None,
) -> AppTest:
    """Run the app (as an organiser or not, with query parameters), then switch to `page`."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state[state.LANGUAGE_KEY] = lang
    if organiser:
        at.session_state[state.ORGANISER_KEY] = True
        at.session_state[state.ORGANISER_TOKEN_KEY] = organiser_token()
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page:
        at.switch_page(page)
        at.run()
    assert not at.exception, at.exception
    return at


def spy_on_downloads(monkeypatch) -> dict[str, Callable[[], bytes]]:
    """The deferred download callables the next runs register, by button key: a test calls
    one as the browser does when the button is clicked (AppTest never calls them)."""
    from pitchjudge.ui import downloads

    builds: dict[str, Callable[[], bytes]] = {}
    real = downloads._build_and_record

    def spy(slot, build):
        builds[slot[1]] = real(slot, build)
        return builds[slot[1]]

    monkeypatch.setattr(downloads, "_build_and_record", spy)
    return builds


_CODE = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)


def texts(at: AppTest) -> str:
    """Every text a person reads on the page, joined."""
    parts = [m.value for m in at.markdown] + [e.value for e in at.error]
    parts += [i.value for i in at.info] + [w.value for w in at.warning]
    parts += [s.value for s in at.success] + [t.value for t in at.title]
    parts += [h.value for h in at.subheader] + [h.value for h in at.header]
    parts += [c.value for c in at.caption]
    # The room screens draw their text as HTML; their style sheets and scripts are not text.
    parts += [_CODE.sub("", h.value) for h in at.get("html")]
    return "\n".join(str(p) for p in parts)


def html_texts(at: AppTest) -> str:
    """The HTML the page draws with st.html (room screens), joined."""
    return "\n".join(element.proto.body for element in at.get("html"))


def send_pending_marks(at: AppTest, w: dict, marks: dict[int, float], *, judge: int = 0) -> None:
    """Give the judge's page the marks its rubric component would send for the first pitch
    of `w` (a `make_judging` world), as a click or a reconnecting browser does (AppTest
    cannot click inside the component), and run the page."""
    round_id, pitch_id = w["round_id"], w["pitches"][0]
    at.session_state[f"marks_{round_id}_{pitch_id}"] = {
        "pending": {
            "storage_key": f"pj:{w['judges'][judge]}:{round_id}:{pitch_id}:marks",
            "marks": {str(criterion): value for criterion, value in marks.items()},
            "mount": "m1",
            "seq": 1,
        }
    }
    at.run()
