"""The autosaving text box: the Python decisions in AppTest, the whole loop in a real browser.

The browser tests start a tiny demo app (written to a tmp dir) that stores each box's text in
a SQLite file through `on_save`; the test reads that file to see what really got saved.
Each test uses its own box names, so its own rows and `localStorage` keys.
Screenshots land in /tmp/pj_autosave_*.png.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from streamlit.testing.v1 import AppTest

from pitchjudge.ui.autosave import draft_to_save
from tests.browser_support import LONG_MS, REPO, App, _free_port, _require_chromium, serve

TIMEOUT_MS = LONG_MS  # a state may be slow to come on a busy machine; waiting is free

# --- the Python side, in AppTest ---------------------------------------------------------------

# AppTest cannot type into a custom component; seeding the component's state in session_state
# is what a new session after a reconnect sees: the browser's text, no callback fired.
APPTEST_SCRIPT = """
import streamlit as st
from pitchjudge.errors import PitchJudgeError
from pitchjudge.ui.autosave import autosave_text_area

saved = st.session_state.setdefault("saved", [])
refuse = st.session_state.setdefault("refuse", False)

def on_save(text):
    if st.session_state["refuse"]:
        raise PitchJudgeError("The round is closed")
    saved.append(text)

st.session_state["returned"] = autosave_text_area(
    "Comment", key="comment", value="stored text", storage_key="pj:1:2:3:comment",
    on_save=on_save, saved_label="Enregistré",
)
"""


def _draft(text: str, seq: int = 1, storage_key: str = "pj:1:2:3:comment") -> dict:
    return {"text": text, "storage_key": storage_key, "mount": "m1", "seq": seq}


def _component_data(at: AppTest) -> dict:
    (element,) = at.get("bidi_component")
    return json.loads(element.proto.json)


@pytest.fixture
def apptest() -> AppTest:
    at = AppTest.from_string(APPTEST_SCRIPT, default_timeout=10)
    at.run()
    assert not at.exception
    return at


def test_first_run_draws_the_stored_text_and_saves_nothing(apptest: AppTest) -> None:
    data = _component_data(apptest)
    assert data["value"] == data["saved"] == "stored text"
    assert data["label"] == "Comment"
    assert data["storage_key"] == "pj:1:2:3:comment"
    assert data["labels"]["saved"] == "Enregistré"
    assert data["error"] is None
    assert apptest.session_state["saved"] == []
    assert apptest.session_state["returned"] == "stored text"


def test_browser_text_that_differs_is_saved_once(apptest: AppTest) -> None:
    apptest.session_state["comment"] = {"draft": _draft("Très bien\n<b>ok</b>")}
    apptest.run()
    assert not apptest.exception
    assert apptest.session_state["saved"] == ["Très bien\n<b>ok</b>"]
    assert apptest.session_state["returned"] == "Très bien\n<b>ok</b>"
    apptest.run()  # same draft, nothing new: no second save; the browser now learns it saved
    assert apptest.session_state["saved"] == ["Très bien\n<b>ok</b>"]
    assert _component_data(apptest)["saved"] == "Très bien\n<b>ok</b>"


def test_same_text_as_stored_is_not_saved(apptest: AppTest) -> None:
    apptest.session_state["comment"] = {"draft": _draft("stored text")}
    apptest.run()
    assert apptest.session_state["saved"] == []


def test_refusal_is_shown_and_a_later_draft_succeeds(apptest: AppTest) -> None:
    apptest.session_state["refuse"] = True
    apptest.session_state["comment"] = {"draft": _draft("refused text")}
    apptest.run()
    assert not apptest.exception
    apptest.run()
    data = _component_data(apptest)
    assert data["error"] == {
        "text": "refused text",
        "message": "The round is closed",
        "retry": False,  # a refusal: the browser does not send it again by itself
    }
    assert data["saved"] == "stored text"
    assert apptest.session_state["saved"] == []

    apptest.session_state["refuse"] = False
    apptest.run()  # the same draft is not retried on every rerun ...
    assert apptest.session_state["saved"] == []
    apptest.session_state["comment"] = {"draft": _draft("refused text", seq=2)}
    apptest.run()  # ... but is when the browser sends it again
    apptest.run()
    assert apptest.session_state["saved"] == ["refused text"]
    data = _component_data(apptest)
    assert data["error"] is None
    assert data["saved"] == "refused text"


def test_a_database_outage_is_retried_by_the_browser_and_then_saved() -> None:
    script = APPTEST_SCRIPT.replace(
        'raise PitchJudgeError("The round is closed")',
        "from pitchjudge.errors import CONNECTION_LOST, DatabaseOutage\n"
        "        raise DatabaseOutage(CONNECTION_LOST)",
    )
    at = AppTest.from_string(script, default_timeout=10)
    at.session_state["refuse"] = True
    at.session_state["comment"] = {"draft": _draft("typed while away")}
    at.run()
    at.run()
    assert not at.exception
    data = _component_data(at)
    # The browser shows its "retrying" label and sends the draft again every few seconds.
    assert data["error"] == {
        "text": "typed while away",
        "message": "Connection lost — retrying…",
        "retry": True,
    }
    assert data["labels"]["retrying"] == "Connection lost — retrying…"
    at.session_state["refuse"] = False  # the database is back; the browser's next send:
    at.session_state["comment"] = {"draft": _draft("typed while away", seq=2)}
    at.run()
    at.run()
    assert at.session_state["saved"] == ["typed while away"]
    assert _component_data(at)["error"] is None


def test_a_disabled_box_saves_nothing() -> None:
    script = APPTEST_SCRIPT.replace('saved_label="Enregistré",', "disabled=True,")
    at = AppTest.from_string(script, default_timeout=10)
    at.session_state["comment"] = {"draft": _draft("forged while disabled")}
    at.run()
    assert not at.exception
    assert at.session_state["saved"] == []
    assert _component_data(at)["disabled"] is True


def test_draft_of_another_storage_key_is_ignored(apptest: AppTest) -> None:
    apptest.session_state["comment"] = {"draft": _draft("other pitch", storage_key="pj:1:2:4:c")}
    apptest.run()
    assert apptest.session_state["saved"] == []
    assert apptest.session_state["returned"] == "stored text"


def test_an_unexpected_error_is_not_shown_to_the_judge() -> None:
    script = APPTEST_SCRIPT.replace(
        'raise PitchJudgeError("The round is closed")', 'raise RuntimeError("db password=x")'
    )
    at = AppTest.from_string(script, default_timeout=10)
    at.session_state["refuse"] = True
    at.session_state["comment"] = {"draft": _draft("lost?")}
    at.run()
    at.run()
    assert not at.exception
    assert _component_data(at)["error"] == {"text": "lost?", "message": "", "retry": False}


def test_other_boxes_learn_what_was_saved_to_drop_stale_drafts() -> None:
    script = """
import streamlit as st
from pitchjudge.ui.autosave import autosave_text_area

for name in ("a", "b"):
    autosave_text_area(name, key=name, value="", storage_key=f"pj:{name}", on_save=print)
"""
    at = AppTest.from_string(script, default_timeout=10).run()
    at.session_state["a"] = {"draft": _draft("texte de a", storage_key="pj:a")}
    at.run()
    at.run()
    data_a, data_b = (json.loads(e.proto.json) for e in at.get("bidi_component"))
    assert data_a["saved"] == "texte de a"
    assert data_a["saved_elsewhere"] == {}
    assert data_b["saved_elsewhere"] == {"pj:a": "texte de a"}


@pytest.mark.parametrize(
    ("draft", "expected"),
    [
        (None, None),
        ("text", None),
        ({"storage_key": "k"}, None),
        ({"text": 3, "storage_key": "k"}, None),
        ({"text": "new", "storage_key": "other"}, None),
        ({"text": "known", "storage_key": "k"}, None),
        ({"text": "new", "storage_key": "k"}, "new"),
        ({"text": "", "storage_key": "k"}, ""),
    ],
)
def test_draft_to_save(draft: object, expected: str | None) -> None:
    assert draft_to_save(draft, storage_key="k", known="known") == expected


# --- the whole loop, in Chromium --------------------------------------------------------------

DEMO_APP = '''
"""Autosave demo: one box per name in ?names=, each saved into a SQLite file."""
import os
import sqlite3
from pathlib import Path

import streamlit as st

from pitchjudge.errors import PitchJudgeError
from pitchjudge.ui.autosave import autosave_text_area

DB = os.environ["AUTOSAVE_DEMO_DB"]
REFUSE_DIR = Path(os.environ["AUTOSAVE_DEMO_REFUSE_DIR"])  # a file named like a box: refused


def connect():
    connection = sqlite3.connect(DB, timeout=30)
    connection.execute("CREATE TABLE IF NOT EXISTS notes (name TEXT PRIMARY KEY, text TEXT)")
    connection.execute("CREATE TABLE IF NOT EXISTS saves (name TEXT, text TEXT)")
    return connection


def load(name):
    with connect() as connection:
        row = connection.execute("SELECT text FROM notes WHERE name = ?", (name,)).fetchone()
    return row[0] if row else ""


def saver(name):
    def save(text):
        if (REFUSE_DIR / name).exists():
            raise PitchJudgeError("The round is closed")
        with connect() as connection:
            connection.execute(
                "INSERT INTO notes (name, text) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET text = excluded.text",
                (name, text),
            )
            connection.execute("INSERT INTO saves (name, text) VALUES (?, ?)", (name, text))

    return save


st.session_state.setdefault("clicks", 0)
if st.button("Count"):
    st.session_state["clicks"] += 1
st.text(f"Clicks: {st.session_state['clicks']}")

for name in st.query_params.get("names", "alpha").split(","):
    autosave_text_area(
        f"Comment {name}",
        key=f"comment_{name}",
        value=load(name),
        storage_key=f"pj:test:{name}",
        on_save=saver(name),
        placeholder="Your comment",
    )
    st.text(f"Stored {name}: {load(name)}")
'''


@dataclass
class DemoApp:
    server: App
    db: Path
    refuse_dir: Path

    @property
    def url(self) -> str:
        return self.server.url

    def stored(self, name: str) -> str | None:
        if not self.db.exists():
            return None
        with sqlite3.connect(self.db, timeout=30) as connection:
            try:
                row = connection.execute(
                    "SELECT text FROM notes WHERE name = ?", (name,)
                ).fetchone()
            except sqlite3.OperationalError:  # the app has not created the table yet
                return None
        return row[0] if row else None

    def saves(self, name: str) -> list[str]:
        with sqlite3.connect(self.db, timeout=30) as connection:
            rows = connection.execute(
                "SELECT text FROM saves WHERE name = ? ORDER BY rowid", (name,)
            ).fetchall()
        return [row[0] for row in rows]

    def log_tail(self, lines: int = 40) -> str:
        return self.server.log_tail(lines)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoApp]:
    """The demo app served by `streamlit run` on a free port."""
    _require_chromium()
    root = tmp_path_factory.mktemp("autosave_demo")
    script = root / "autosave_demo.py"
    script.write_text(DEMO_APP)
    refuse_dir = root / "refuse"
    refuse_dir.mkdir()
    values = {
        "PYTHONPATH": str(REPO),
        "AUTOSAVE_DEMO_DB": str(root / "notes.db"),
        "AUTOSAVE_DEMO_REFUSE_DIR": str(refuse_dir),
    }
    with serve(root, values, _free_port(), script=script) as server:
        yield DemoApp(server=server, db=root / "notes.db", refuse_dir=refuse_dir)


def _eventually(check: Callable[[], bool], what: str, demo: DemoApp, timeout_s: float = 30) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} (after {timeout_s} s)\n{demo.log_tail()}")
        time.sleep(0.1)


def _open(page: Page, demo: DemoApp, *names: str) -> None:
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{demo.url}/?names={','.join(names)}")
    for name in names:
        _box(page, name).locator("textarea").wait_for()


def _box(page: Page, name: str) -> Locator:
    # v2 components render inline (no iframe), inside an open shadow root that Playwright's
    # CSS locators pierce; the component marks its root with the storage key.
    return page.locator(f'[data-storage-key="pj:test:{name}"]')


def _draft_in_browser(page: Page, name: str) -> str | None:
    return page.evaluate("key => window.localStorage.getItem(key)", f"pj:test:{name}")


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=f"/tmp/pj_autosave_{name}.png")


TEXT_1 = "Première idée : <b>html</b> & **gras**\nDeuxième ligne — très « bien », ça va"


@pytest.mark.browser
def test_text_survives_a_reload_after_the_debounce(page: Page, demo: DemoApp) -> None:
    _open(page, demo, "one")
    textarea = _box(page, "one").locator("textarea")
    expect(page.get_by_label("Comment one")).to_be_visible()  # the label names the box
    textarea.click()
    page.keyboard.type(TEXT_1)
    expect(_box(page, "one").get_by_role("status")).to_have_text("Saving…")
    # The state, not the time: "Saved" comes once the debounced save is confirmed (how long
    # that takes is the machine's business; the delay itself is bench/bench_judging.py's).
    expect(_box(page, "one").get_by_role("status")).to_have_text("Saved")
    _eventually(lambda: demo.stored("one") == TEXT_1, "the text reached the database", demo)
    assert _draft_in_browser(page, "one") is None  # confirmed by the server: draft dropped
    _shot(page, "saved")

    page.reload()
    _box(page, "one").locator("textarea").wait_for()
    expect(textarea).to_have_value(TEXT_1)
    expect(_box(page, "one").get_by_role("status")).to_have_text("Saved")
    # Shown as typed by the app too (plain text: no bold, no HTML element).
    expect(page.get_by_text(f"Stored one: {TEXT_1.splitlines()[0]}")).to_be_visible()
    assert _box(page, "one").locator("b").count() == 0
    assert demo.stored("one") == TEXT_1
    saves = demo.saves("one")
    assert saves[-1] == TEXT_1
    # Typed in one go, the keystrokes go out in a few saves, not one per key (a busy machine
    # may pause the typing past the debounce once or twice).
    assert len(saves) <= 4 < len(TEXT_1), f"the debounce should batch keystrokes: {saves}"


@pytest.mark.browser
def test_text_typed_just_before_a_reload_comes_back_and_is_saved(page: Page, demo: DemoApp) -> None:
    text = "Tapé puis rechargé\ntout de suite <i>vite</i>"
    _open(page, demo, "two")
    _box(page, "two").locator("textarea").click()
    page.keyboard.type(text)
    assert demo.stored("two") is None  # not sent yet: the debounce has not fired
    page.reload()
    textarea = _box(page, "two").locator("textarea")
    textarea.wait_for()
    expect(textarea).to_have_value(text)
    _eventually(lambda: demo.stored("two") == text, "the draft reached the database", demo)
    expect(_box(page, "two").get_by_role("status")).to_have_text("Saved")
    _eventually(lambda: _draft_in_browser(page, "two") is None, "draft cleared", demo)


@pytest.mark.browser
def test_a_draft_left_in_local_storage_wins_over_the_database(page: Page, demo: DemoApp) -> None:
    _open(page, demo, "three")
    # What a closed laptop leaves behind: a draft never sent to the server.
    page.evaluate("() => window.localStorage.setItem('pj:test:three', 'brouillon\\nnon envoyé')")
    assert demo.stored("three") is None
    page.reload()
    textarea = _box(page, "three").locator("textarea")
    textarea.wait_for()
    expect(textarea).to_have_value("brouillon\nnon envoyé")
    _eventually(lambda: demo.stored("three") == "brouillon\nnon envoyé", "draft saved", demo)
    _eventually(lambda: _draft_in_browser(page, "three") is None, "draft cleared", demo)


@pytest.mark.browser
def test_a_refused_save_keeps_the_text_and_a_later_success_clears_the_error(
    page: Page,
    demo: DemoApp,
) -> None:
    refusal = demo.refuse_dir / "four"
    refusal.touch()
    _open(page, demo, "four")
    box = _box(page, "four")
    box.locator("textarea").click()
    page.keyboard.type("Refusé d'abord")
    status = box.get_by_role("status")
    expect(status).to_have_text("Not saved: The round is closed")
    _shot(page, "refused")
    expect(box.locator("textarea")).to_have_value("Refusé d'abord")
    assert _draft_in_browser(page, "four") == "Refusé d'abord"
    assert demo.stored("four") is None

    page.reload()  # still refused: the draft is still there, in the box and the browser
    box.locator("textarea").wait_for()
    expect(box.locator("textarea")).to_have_value("Refusé d'abord")
    expect(status).to_have_text("Not saved: The round is closed")
    assert _draft_in_browser(page, "four") == "Refusé d'abord"

    refusal.unlink()
    box.locator("textarea").press("End")
    page.keyboard.type(", puis accepté")
    page.keyboard.press("Tab")  # leaving the box sends at once
    expect(status).to_have_text("Saved")
    assert demo.stored("four") == "Refusé d'abord, puis accepté"
    _eventually(lambda: _draft_in_browser(page, "four") is None, "draft cleared", demo)


@pytest.mark.browser
def test_two_boxes_on_one_page_do_not_mix(page: Page, demo: DemoApp) -> None:
    _open(page, demo, "east", "west")
    east, west = _box(page, "east"), _box(page, "west")
    east.locator("textarea").click()
    page.keyboard.type("Texte est")
    page.keyboard.press("Tab")
    west.locator("textarea").click()
    page.keyboard.type("Texte ouest\nligne 2")
    expect(east.get_by_role("status")).to_have_text("Saved")
    expect(west.get_by_role("status")).to_have_text("Saved")
    assert demo.stored("east") == "Texte est"
    assert demo.stored("west") == "Texte ouest\nligne 2"

    page.keyboard.type(" et plus")  # west only, then reload before the debounce
    page.reload()
    east.locator("textarea").wait_for()
    expect(east.locator("textarea")).to_have_value("Texte est")
    expect(west.locator("textarea")).to_have_value("Texte ouest\nligne 2 et plus")
    _eventually(lambda: demo.stored("west") == "Texte ouest\nligne 2 et plus", "west saved", demo)
    assert demo.stored("east") == "Texte est"
    assert set(demo.saves("east")) == {"Texte est"}
    _eventually(lambda: _draft_in_browser(page, "west") is None, "west draft cleared", demo)
    assert _draft_in_browser(page, "east") is None
    _shot(page, "two_boxes")


@pytest.mark.browser
def test_a_click_right_after_typing_is_not_lost(page: Page, demo: DemoApp) -> None:
    """Streamlit batches widget updates per tick and reruns only the first one's fragment.

    Without the box holding the click until its own update is sent, a quick tap on a
    button outside the fragment just after typing reran the box only (the click was lost).
    """
    _open(page, demo, "five")
    box = _box(page, "five")
    count = page.get_by_role("button", name="Count")
    for round_ in range(1, 4):
        box.locator("textarea").click()
        page.keyboard.press("Control+End")
        page.keyboard.type(f" mot{round_}")
        point = count.bounding_box()
        assert point is not None
        page.mouse.click(point["x"] + 5, point["y"] + 5)  # pressed and released at once
        expect(page.get_by_text(f"Clicks: {round_}")).to_be_visible()
        expected = " ".join(f"mot{i}" for i in range(1, round_ + 1))
        _eventually(lambda e=expected: demo.stored("five") == " " + e, "text saved", demo)
        expect(count).to_be_visible()  # Streamlit 1.67 may drop it in a close rerun race
    expect(box.get_by_role("status")).to_have_text("Saved")
