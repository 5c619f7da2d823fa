"""The autosaving rubric: the Python decisions in AppTest, the whole loop in a real browser.

The browser tests start a tiny demo app (written to a tmp dir) that stores each mark in a
SQLite file through `on_save`; the test reads that file to see what really got saved. Each
test uses its own rubric names, so its own rows and `localStorage` keys. The harness (demo
server, Chromium, polling) is the one of tests/test_autosave.py and tests/test_browser.py.
Screenshots land in /tmp/pj_autosave_marks_*.png.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect
from streamlit.testing.v1 import AppTest

from pitchjudge.ui.autosave_marks import marks_to_save
from tests.browser_support import serve
from tests.test_autosave import (
    REPO,
    TIMEOUT_MS,
    DemoApp,
    _eventually,
    _free_port,
    _require_chromium,
)
from tests.test_browser import wait_for_app

# --- the Python side: the pure decision, then AppTest ----------------------------------------

KNOWN = {1: 3.0, 2: None, 3: 1.0}
OPTIONS = {1: (1.0, 2.0, 3.0, 4.0, 5.0), 2: (0.0, 0.5, 1.0), 3: (1.0, 2.0)}


def _pending(marks: dict, storage_key: str = "k", seq: int = 1) -> dict:
    return {"storage_key": storage_key, "marks": marks, "mount": "m1", "seq": seq}


@pytest.mark.parametrize(
    ("pending", "expected"),
    [
        (None, {}),
        ("marks", {}),
        ({"marks": {"1": 4}}, {}),  # no storage key
        (_pending({"1": 4}, storage_key="other"), {}),  # another pitch's rubric
        ({"storage_key": "k", "marks": [4]}, {}),
        (_pending({}), {}),
        (_pending({"1": 3, "2": None, "3": 1.0}), {}),  # what the session knows already
        (_pending({"1": 4}), {1: 4.0}),
        (_pending({"1": None}), {1: None}),  # cleared
        (_pending({"2": 0.5}), {2: 0.5}),
        (_pending({"2": 0}), {2: 0.0}),  # zero is a mark, not "cleared"
        (_pending({"3": 2, "1": 5, "2": 0.5}), {1: 5.0, 2: 0.5, 3: 2.0}),  # rubric order
        (_pending({"1": 4, "3": 1}), {1: 4.0}),
        (_pending({"9": 4}), {}),  # not a criterion of this rubric
        (_pending({"x": 4, "1": 4}), {1: 4.0}),
        (_pending({"1": 3.5}), {}),  # not on the scale
        (_pending({"1": True}), {}),
        (_pending({"1": "4"}), {}),
        (_pending({"1": float("nan")}), {}),
    ],
)
def test_marks_to_save(pending: object, expected: dict) -> None:
    assert marks_to_save(pending, storage_key="k", known=KNOWN, options=OPTIONS) == expected


def test_marks_to_save_without_options_takes_any_number() -> None:
    assert marks_to_save(_pending({"1": 3.5}), storage_key="k", known=KNOWN) == {1: 3.5}


# AppTest cannot click inside a custom component; seeding the component's state in
# session_state is what a new session after a reconnect sees: the browser's marks, no callback.
APPTEST_SCRIPT = """
import streamlit as st
from pitchjudge.errors import PitchJudgeError
from pitchjudge.ui.autosave_marks import MarkRow, autosave_marks

saved = st.session_state.setdefault("saved", [])
st.session_state.setdefault("refuse", set())
st.session_state.setdefault("db", {1: 3.0, 2: None})

def on_save(criterion_id, value):
    if criterion_id in st.session_state["refuse"]:
        raise PitchJudgeError("The round is closed")
    saved.append((criterion_id, value))

db = st.session_state["db"]
rows = [
    MarkRow(1, "Team · 60 %", "Strong team?\\n1 = weak", (1, 2, 3, 4, 5), db[1]),
    MarkRow(2, "Market · 40 %", "", (0, 0.5, 1), db[2]),
]
st.session_state["returned"] = autosave_marks(
    key="marks", rows=rows, storage_key="pj:1:2:3:marks", on_save=on_save,
    disabled=st.session_state.get("disabled", False), saved_label="Enregistré",
)
"""


def _state(marks: dict, seq: int = 1) -> dict:
    return {"pending": _pending(marks, storage_key="pj:1:2:3:marks", seq=seq)}


def _component_data(at: AppTest) -> dict:
    (element,) = at.get("bidi_component")
    return json.loads(element.proto.json)


@pytest.fixture
def apptest() -> AppTest:
    at = AppTest.from_string(APPTEST_SCRIPT, default_timeout=10)
    at.run()
    assert not at.exception
    return at


def test_first_run_draws_the_stored_marks_and_saves_nothing(apptest: AppTest) -> None:
    data = _component_data(apptest)
    assert data["saved"] == {"1": 3.0, "2": None}
    assert data["storage_key"] == "pj:1:2:3:marks"
    assert [row["label"] for row in data["rows"]] == ["Team · 60 %", "Market · 40 %"]
    assert data["rows"][0]["help"] == "Strong team?\n1 = weak"
    assert [o["label"] for o in data["rows"][1]["options"]] == ["0", "0.5", "1"]
    assert data["labels"]["saved"] == "Enregistré"
    assert data["errors"] == {} and data["ack"] is None and data["disabled"] is False
    assert apptest.session_state["saved"] == []
    assert apptest.session_state["returned"] == {1: 3.0, 2: None}


def test_new_browser_marks_are_saved_once(apptest: AppTest) -> None:
    apptest.session_state["marks"] = _state({"1": None, "2": 0.5})
    apptest.run()
    assert not apptest.exception
    assert apptest.session_state["saved"] == [(1, None), (2, 0.5)]
    assert apptest.session_state["returned"] == {1: None, 2: 0.5}
    apptest.run()  # the same state: nothing new; the browser now learns what is saved
    assert apptest.session_state["saved"] == [(1, None), (2, 0.5)]
    data = _component_data(apptest)
    assert data["saved"] == {"1": None, "2": 0.5}
    assert data["ack"] == {"mount": "m1", "seq": 1}


def test_one_refused_mark_does_not_stop_the_others(apptest: AppTest) -> None:
    apptest.session_state["refuse"] = {1}
    apptest.session_state["marks"] = _state({"1": 5, "2": 1})
    apptest.run()
    apptest.run()
    assert not apptest.exception
    assert apptest.session_state["saved"] == [(2, 1.0)]
    data = _component_data(apptest)
    assert data["errors"] == {"1": {"value": 5.0, "message": "The round is closed", "retry": False}}
    assert data["saved"] == {"1": 3.0, "2": 1.0}

    apptest.session_state["refuse"] = set()
    apptest.run()  # the same state is not retried on every rerun ...
    assert apptest.session_state["saved"] == [(2, 1.0)]
    apptest.session_state["marks"] = _state({"1": 5, "2": 1}, seq=2)
    apptest.run()  # ... but is when the browser sends it again (a reload, a retry)
    apptest.run()
    assert apptest.session_state["saved"] == [(2, 1.0), (1, 5.0)]
    assert _component_data(apptest)["errors"] == {}


def test_marks_refused_by_a_database_outage_are_retried_and_then_saved() -> None:
    script = APPTEST_SCRIPT.replace(
        'raise PitchJudgeError("The round is closed")',
        "from pitchjudge.errors import CONNECTION_LOST, DatabaseOutage\n"
        "        raise DatabaseOutage(CONNECTION_LOST)",
    ).replace('saved_label="Enregistré",', 'retrying_label="Connexion perdue",')
    at = AppTest.from_string(script, default_timeout=10)
    at.session_state["refuse"] = {1, 2}
    at.session_state["marks"] = _state({"1": 5, "2": 1})
    at.run()
    at.run()
    assert not at.exception
    data = _component_data(at)
    # Both wait in the browser, which shows the "retrying" label and sends them again.
    assert data["errors"] == {
        "1": {"value": 5.0, "message": "Connection lost — retrying…", "retry": True},
        "2": {"value": 1.0, "message": "Connection lost — retrying…", "retry": True},
    }
    assert data["labels"]["retrying"] == "Connexion perdue"
    assert data["saved"] == {"1": 3.0, "2": None}
    at.session_state["refuse"] = set()  # the database is back; the browser's next send:
    at.session_state["marks"] = _state({"1": 5, "2": 1}, seq=2)
    at.run()
    at.run()
    assert at.session_state["saved"] == [(1, 5.0), (2, 1.0)]
    assert _component_data(at)["errors"] == {}


def test_a_mark_written_by_another_tab_is_shown_and_not_overwritten(apptest: AppTest) -> None:
    apptest.session_state["marks"] = _state({"1": 4})
    apptest.run()
    assert apptest.session_state["saved"] == [(1, 4.0)]
    apptest.session_state["db"] = {1: 2.0, 2: None}  # another tab saved 2 meanwhile
    apptest.run()
    assert _component_data(apptest)["saved"] == {"1": 2.0, "2": None}
    assert apptest.session_state["returned"] == {1: 2.0, 2: None}
    assert apptest.session_state["saved"] == [(1, 4.0)]  # this browser's old state: no save


def test_a_disabled_rubric_saves_nothing() -> None:
    at = AppTest.from_string(APPTEST_SCRIPT, default_timeout=10)
    at.session_state["disabled"] = True
    at.session_state["marks"] = _state({"1": 1})
    at.run()
    assert not at.exception
    assert at.session_state["saved"] == []
    assert _component_data(at)["disabled"] is True


# --- the whole loop, in Chromium ------------------------------------------------------------

DEMO_APP = '''
"""Marks demo: the rubric ?rubric=, each mark saved into a SQLite file."""
import os
import sqlite3
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from pitchjudge.errors import PitchJudgeError
from pitchjudge.ui.autosave_marks import MarkRow, autosave_marks

DB = os.environ["MARKS_DEMO_DB"]
REFUSE_DIR = Path(os.environ["MARKS_DEMO_REFUSE_DIR"])  # a file "<rubric>-<id>": refused
CRITERIA = [
    (1, "Team <b>·</b> 20 %", "Can they?\\n1 = <i>weak</i>\\n5 = outstanding", (1, 2, 3, 4, 5)),
    (2, "Market · 20 %", "Size and access", (1, 2, 3, 4, 5)),
    (3, "Product · 20 %", "", (0, 0.5, 1, 1.5, 2)),
    (4, "Traction · 15 %", "Users, revenue", (1, 2, 3, 4, 5)),
    (5, "Model · 15 %", "Margins", (1, 2, 3)),
    (6, "Pitch · 10 %", "Clarity", tuple(range(1, 11))),
]


def connect():
    connection = sqlite3.connect(DB, timeout=30)
    connection.execute(
        "CREATE TABLE IF NOT EXISTS marks (rubric TEXT, criterion INTEGER, value REAL, "
        "PRIMARY KEY (rubric, criterion))"
    )
    connection.execute(
        "CREATE TABLE IF NOT EXISTS saves "
        "(rubric TEXT, criterion INTEGER, value REAL, session TEXT)"
    )
    return connection


def load(rubric):
    with connect() as connection:
        rows = connection.execute("SELECT criterion, value FROM marks WHERE rubric = ?", (rubric,))
        return dict(rows.fetchall())


def saver(rubric):
    def save(criterion_id, value):
        if (REFUSE_DIR / f"{rubric}-{criterion_id}").exists():
            raise PitchJudgeError("The round is closed")
        session = get_script_run_ctx().session_id
        with connect() as connection:
            connection.execute(
                "INSERT INTO marks (rubric, criterion, value) VALUES (?, ?, ?) "
                "ON CONFLICT(rubric, criterion) DO UPDATE SET value = excluded.value",
                (rubric, criterion_id, value),
            )
            connection.execute(
                "INSERT INTO saves VALUES (?, ?, ?, ?)", (rubric, criterion_id, value, session)
            )

    return save


st.session_state.setdefault("clicks", 0)
if st.button("Count"):
    st.session_state["clicks"] += 1
st.text(f"Clicks: {st.session_state['clicks']}")

rubric = st.query_params.get("rubric", "r")
stored = load(rubric)
rows = [MarkRow(cid, label, text, steps, stored.get(cid)) for cid, label, text, steps in CRITERIA]
autosave_marks(
    key=f"marks_{rubric}",
    rows=rows,
    storage_key=f"pj:test:{rubric}",
    on_save=saver(rubric),
    disabled=st.query_params.get("disabled") == "1",
)
'''

LABELS = ["Team <b>·</b> 20 %", "Market · 20 %", "Product · 20 %"]
LABELS += ["Traction · 15 %", "Model · 15 %", "Pitch · 10 %"]
MISSING = object()  # no row in the database (None is a cleared mark)


@dataclass
class MarksDemo(DemoApp):
    def marks(self, rubric: str) -> dict[int, float | None]:
        if not self.db.exists():
            return {}
        with sqlite3.connect(self.db, timeout=30) as connection:
            try:
                rows = connection.execute(
                    "SELECT criterion, value FROM marks WHERE rubric = ?", (rubric,)
                ).fetchall()
            except sqlite3.OperationalError:  # the app has not created the table yet
                return {}
        return dict(rows)

    def saves_per_session(self, rubric: str) -> list[int]:
        """How many saves each server session made, in order (a reload: a new session)."""
        with sqlite3.connect(self.db, timeout=30) as connection:
            rows = connection.execute(
                "SELECT session, COUNT(*) FROM saves WHERE rubric = ? "
                "GROUP BY session ORDER BY MIN(rowid)",
                (rubric,),
            ).fetchall()
        return [count for _, count in rows]

    def seed(self, rubric: str, marks: dict[int, float | None]) -> None:
        """Marks written by someone else (another tab, another device)."""
        with sqlite3.connect(self.db, timeout=30) as connection:
            connection.execute(
                "CREATE TABLE IF NOT EXISTS marks (rubric TEXT, criterion INTEGER, value REAL, "
                "PRIMARY KEY (rubric, criterion))"
            )
            connection.executemany(
                "INSERT INTO marks VALUES (?, ?, ?) ON CONFLICT(rubric, criterion) "
                "DO UPDATE SET value = excluded.value",
                [(rubric, cid, value) for cid, value in marks.items()],
            )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MarksDemo]:
    """The demo app served by `streamlit run` on a free port."""
    _require_chromium()
    root = tmp_path_factory.mktemp("marks_demo")
    script = root / "marks_demo.py"
    script.write_text(DEMO_APP)
    refuse_dir = root / "refuse"
    refuse_dir.mkdir()
    values = {
        "PYTHONPATH": str(REPO),
        "MARKS_DEMO_DB": str(root / "marks.db"),
        "MARKS_DEMO_REFUSE_DIR": str(refuse_dir),
    }
    with serve(root, values, _free_port(), script=script) as server:
        yield MarksDemo(server=server, db=root / "marks.db", refuse_dir=refuse_dir)


def _rubric(page: Page, name: str) -> Locator:
    # v2 components render inline (no iframe), inside an open shadow root that Playwright's
    # locators pierce; the component marks its root with the storage key.
    return page.locator(f'[data-storage-key="pj:test:{name}"]')


def _group(page: Page, name: str, index: int) -> Locator:
    return _rubric(page, name).get_by_role("radiogroup", name=LABELS[index], exact=True)


def _option(page: Page, name: str, index: int, label: str) -> Locator:
    return _group(page, name, index).get_by_role("radio", name=label, exact=True)


def _open(page: Page, demo: MarksDemo, name: str, query: str = "") -> None:
    page.set_default_timeout(TIMEOUT_MS)
    page.goto(f"{demo.url}/?rubric={name}{query}")
    _group(page, name, 0).wait_for()
    wait_for_app(page)


def _draft(page: Page, name: str, criterion_id: int) -> str | None:
    key = f"pj:test:{name}:{criterion_id}"
    return page.evaluate("key => window.localStorage.getItem(key)", key)


def _drafts(page: Page, name: str) -> list[str]:
    return page.evaluate(
        "prefix => Object.keys(window.localStorage).filter(k => k.startsWith(prefix))",
        f"pj:test:{name}:",
    )


def _expect_chosen(page: Page, name: str, marks: dict[int, str | None]) -> None:
    for criterion_id, label in marks.items():
        checked = _group(page, name, criterion_id - 1).locator('[aria-checked="true"]')
        if label is None:
            expect(checked).to_have_count(0)
        else:
            expect(checked).to_have_text(label)


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=f"/tmp/pj_autosave_marks_{name}.png")


# One mark per criterion: (criterion id, button label, stored value).
SIX_MARKS = [(1, "3", 3.0), (2, "4", 4.0), (3, "1.5", 1.5), (4, "2", 2.0), (5, "3", 3.0)]
SIX_MARKS += [(6, "7", 7.0)]


@pytest.mark.browser
def test_six_quick_marks_survive_an_immediate_reload(page: Page, demo: MarksDemo) -> None:
    """Six clicks as fast as a mouse can, then a reload at once: 5 times out of 5."""
    sessions = []
    for attempt in range(5):
        name = f"quick{attempt}"
        _open(page, demo, name)
        points = []
        for criterion_id, label, _ in SIX_MARKS:
            box = _option(page, name, criterion_id - 1, label).bounding_box()
            assert box is not None
            points.append((box["x"] + box["width"] / 2, box["y"] + box["height"] / 2))
        for x, y in points:
            page.mouse.click(x, y)
        page.reload()

        _expect_chosen(page, name, {cid: label for cid, label, _ in SIX_MARKS})
        expected = {cid: value for cid, _, value in SIX_MARKS}
        _eventually(lambda n=name, e=expected: demo.marks(n) == e, f"{name}: 6 saved", demo, 30)
        expect(_rubric(page, name).get_by_role("status")).to_have_text("Saved")
        _eventually(lambda n=name: _drafts(page, n) == [], f"{name}: drafts cleared", demo, 30)
        sessions.append(demo.saves_per_session(name))
    print("saves per server session, each attempt:", sessions)


@pytest.mark.browser
def test_marks_that_never_left_the_browser_come_back_and_are_saved(
    page: Page,
    demo: MarksDemo,
) -> None:
    """Six clicks and the reload in one browser task: nothing reaches the server before."""
    name = "unsent"
    _open(page, demo, name)
    page.evaluate(
        """([rubric, picks]) => {
            for (const [index, label] of picks) {
                const group = rubric.querySelectorAll('[role="radiogroup"]')[index];
                [...group.querySelectorAll("button")].find(b => b.textContent === label).click();
            }
            window.location.reload();
        }""",
        [_rubric(page, name).element_handle(), [[cid - 1, label] for cid, label, _ in SIX_MARKS]],
    )
    page.wait_for_load_state()
    _group(page, name, 0).wait_for()
    _expect_chosen(page, name, {cid: label for cid, label, _ in SIX_MARKS})
    expected = {cid: value for cid, _, value in SIX_MARKS}
    _eventually(lambda: demo.marks(name) == expected, "the drafts were saved", demo, 5)
    assert demo.saves_per_session(name) == [6]  # all by the session after the reload
    _eventually(lambda: _drafts(page, name) == [], "drafts cleared", demo, 5)


@pytest.mark.browser
def test_clicking_the_chosen_mark_clears_it(page: Page, demo: MarksDemo) -> None:
    name = "clear"
    _open(page, demo, name)
    team_3 = _option(page, name, 0, "3")
    team_3.click()
    expect(team_3).to_have_attribute("aria-checked", "true")
    _eventually(lambda: demo.marks(name) == {1: 3.0}, "3 saved", demo)
    team_3.click()
    expect(team_3).to_have_attribute("aria-checked", "false")
    _eventually(lambda: demo.marks(name) == {1: None}, "the mark cleared (NULL)", demo)
    expect(_rubric(page, name).get_by_role("status")).to_have_text("Saved")
    _eventually(lambda: _draft(page, name, 1) is None, "draft cleared", demo)
    page.reload()
    _group(page, name, 0).wait_for()
    _expect_chosen(page, name, {1: None})


@pytest.mark.browser
def test_a_refused_mark_keeps_its_draft_and_is_saved_after_a_reload(
    page: Page,
    demo: MarksDemo,
) -> None:
    name = "refused"
    refusal = demo.refuse_dir / f"{name}-2"
    refusal.touch()
    _open(page, demo, name)
    rubric = _rubric(page, name)
    for index, label in [(0, "5"), (1, "2"), (2, "0")]:
        _option(page, name, index, label).click()
    market = rubric.locator('.pj-row[data-criterion="2"]')
    expect(market.locator(".pj-row-status")).to_have_text("Not saved: The round is closed")
    expect(rubric.get_by_role("status")).to_have_text("Not saved: The round is closed")
    _eventually(lambda: demo.marks(name) == {1: 5.0, 3: 0.0}, "the others saved", demo)
    for index in (0, 2):
        expect(rubric.locator(".pj-row-status").nth(index)).to_have_text("")
    _expect_chosen(page, name, {1: "5", 2: "2", 3: "0"})
    _shot(page, "refused")
    assert _draft(page, name, 2) == "2"
    _eventually(lambda: _drafts(page, name) == [f"pj:test:{name}:2"], "others' drafts gone", demo)

    refusal.unlink()
    page.reload()
    _group(page, name, 0).wait_for()
    _expect_chosen(page, name, {1: "5", 2: "2", 3: "0"})
    _eventually(lambda: demo.marks(name) == {1: 5.0, 2: 2.0, 3: 0.0}, "draft re-sent", demo)
    expect(market.locator(".pj-row-status")).to_have_text("")
    expect(rubric.get_by_role("status")).to_have_text("Saved")
    _eventually(lambda: _drafts(page, name) == [], "draft cleared", demo)


@pytest.mark.browser
def test_a_disabled_rubric_is_read_only(page: Page, demo: MarksDemo) -> None:
    name = "readonly"
    demo.seed(name, {1: 4.0, 3: 0.5})
    _open(page, demo, name)
    # A draft this browser never managed to send, then the scorecard is submitted.
    page.evaluate(f"() => window.localStorage.setItem('pj:test:{name}:1', '2')")
    page.goto(f"{demo.url}/?rubric={name}&disabled=1")
    _group(page, name, 0).wait_for()
    wait_for_app(page)
    _expect_chosen(page, name, {1: "4", 2: None, 3: "0.5"})
    buttons = _rubric(page, name).get_by_role("radio")
    assert buttons.count() == 5 + 5 + 5 + 5 + 3 + 10
    for index in range(buttons.count()):
        expect(buttons.nth(index)).to_be_disabled()
    _option(page, name, 1, "5").click(force=True)  # a click on a disabled button: nothing
    page.wait_for_timeout(1_000)
    _expect_chosen(page, name, {1: "4", 2: None})
    assert demo.marks(name) == {1: 4.0, 3: 0.5}
    assert _draft(page, name, 1) == "2"  # kept for when the scorecard is reopened
    _shot(page, "disabled")


@pytest.mark.browser
def test_the_keyboard_reaches_and_chooses_marks(page: Page, demo: MarksDemo) -> None:
    name = "keys"
    _open(page, demo, name)
    rubric = _rubric(page, name)
    help_button = rubric.get_by_role("button", name="Help").first
    help_button.focus()  # the "?" shows the help on focus, as plain text
    tooltip = rubric.get_by_role("tooltip").first
    expect(tooltip).to_be_visible()
    expect(tooltip).to_have_text("Can they?\n1 = <i>weak</i>\n5 = outstanding")
    _shot(page, "help")
    page.keyboard.press("Tab")  # into the group: its first button
    expect(_option(page, name, 0, "1")).to_be_focused()
    page.keyboard.press("Space")
    _eventually(lambda: demo.marks(name) == {1: 1.0}, "Space chose 1", demo)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(_option(page, name, 0, "3")).to_be_focused()
    page.keyboard.press("Enter")
    _eventually(lambda: demo.marks(name) == {1: 3.0}, "Enter chose 3", demo)
    _expect_chosen(page, name, {1: "3"})
    page.keyboard.press("Tab")  # the next criterion's "?"
    page.keyboard.press("Tab")  # the next criterion's buttons
    expect(_option(page, name, 1, "1")).to_be_focused()
    page.keyboard.press("End")
    page.keyboard.press("Enter")
    _eventually(lambda: demo.marks(name) == {1: 3.0, 2: 5.0}, "End + Enter chose 5", demo)
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")  # back into the first group: on its chosen button
    expect(_option(page, name, 0, "3")).to_be_focused()


@pytest.mark.browser
def test_a_mark_saved_by_another_tab_shows_and_a_quick_button_click_is_kept(
    page: Page,
    demo: MarksDemo,
) -> None:
    name = "elsewhere"
    _open(page, demo, name)
    _option(page, name, 3, "2").click()
    _eventually(lambda: demo.marks(name) == {4: 2.0}, "2 saved", demo)
    demo.seed(name, {4: 5.0, 5: 1.0})  # another tab
    # A mark and, right after, a button outside the rubric (the next run re-reads the DB).
    point = page.get_by_role("button", name="Count").bounding_box()
    assert point is not None
    _option(page, name, 0, "4").click()
    page.mouse.click(point["x"] + 5, point["y"] + 5)
    expect(page.get_by_text("Clicks: 1")).to_be_visible()
    _eventually(lambda: demo.marks(name).get(1) == 4.0, "the mark saved too", demo)
    _expect_chosen(page, name, {1: "4", 4: "5", 5: "1"})
    assert demo.marks(name) == {1: 4.0, 4: 5.0, 5: 1.0}
