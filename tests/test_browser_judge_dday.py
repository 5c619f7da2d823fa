"""The judge's page on the day, in Chromium: a scorecard submitted with missing marks, the
keyboard only, and the page's polish (descriptors on the card, next pitch, greeting).

Issue #9, items 1, "Keyboard and accessibility" and "Judge page polish". The app and its
contest come from tests/test_browser_judging.py (an open round, 2 judges, 3 pitches, the
classic rubric of six 1-5 criteria). Screenshots land in /tmp/pj_dday_judge_*.png.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from sqlmodel import select

from pitchjudge.db import session_scope
from pitchjudge.models import Conflict
from tests.test_browser_judging import (
    LONG,
    MARKS,
    Judging,
    criterion_marks,
    mark_button,
    stored,
    stored_eventually,
)
from tests.test_browser_judging import judging as _judging_app

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")
BUSY = 60_000  # ms: a page load while both cores are busy
judging = _judging_app  # the app of tests/test_browser_judging.py, started for this module


def shot(page: Page, name: str) -> None:
    """What a 13-inch laptop screen shows, in /tmp/pj_dday_judge_<name>.png."""
    page.screenshot(path=str(SCREENSHOTS / f"pj_dday_judge_{name}.png"), animations="disabled")


def open_scorecard(page: Page, judging: Judging) -> None:
    """Wait (generously: the machine may be busy) until the rubric is drawn."""
    expect(
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    ).to_have_count(1, timeout=BUSY)
    for name in judging.criterion_names:
        expect(mark_button(page, name, 1)).to_be_visible(timeout=BUSY)


def no_exception(page: Page) -> None:
    """No red Streamlit exception box anywhere on the page."""
    expect(page.get_by_test_id("stException")).to_have_count(0)


def in_viewport(locator: Locator) -> bool:
    """The element's box lies inside the browser's window (what the judge sees)."""
    return locator.evaluate(
        """(el) => {
            const r = el.getBoundingClientRect();
            return r.height > 0 && r.top >= 0 && r.bottom <= window.innerHeight;
        }"""
    )


def criterion_row(page: Page, name: str) -> Locator:
    return page.locator(".pj-row").filter(has=criterion_marks(page, name))


def submit_and_expect_missing(page: Page, judging: Judging, missing: list[str]) -> None:
    """Submit, then: no exception, a message naming every missing criterion right by the
    button, and the first missing criterion scrolled into view and marked as missing."""
    page.get_by_role("button", name="Submit the scorecard").click()
    message = page.get_by_test_id("stAlert").filter(has_text="Missing:")
    expect(message).to_be_visible(timeout=BUSY // 3)
    no_exception(page)
    for name in missing:
        expect(message).to_contain_text(name)
    for name in set(judging.criterion_names) - set(missing):
        expect(message).not_to_contain_text(name)
    # Next to the button: the message and the button are both on screen together.
    button = page.get_by_role("button", name="Submit the scorecard")
    assert abs(message.bounding_box()["y"] - button.bounding_box()["y"]) < 200
    first = criterion_row(page, missing[0])
    expect(first).to_have_attribute("data-missing", "true", timeout=BUSY // 3)
    page.wait_for_function(
        "(el) => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= window.innerHeight; }",
        arg=first.element_handle(),
        timeout=BUSY // 3,
    )
    for name in set(judging.criterion_names) - set(missing):
        expect(criterion_row(page, name)).not_to_have_attribute("data-missing", "true")


@pytest.mark.parametrize("given", [5, 1], ids=["5_of_6", "1_of_6"])
def test_submitting_with_missing_marks_names_them_and_shows_the_first(
    judging: Judging, page: Page, given: int
) -> None:
    pitch = judging.pitches[0 if given == 5 else 1]
    page.goto(judging.link(0, pitch))
    open_scorecard(page, judging)
    names = judging.criterion_names
    for name, value in list(zip(names, MARKS, strict=True))[:given]:
        mark_button(page, name, value).click()
        expect(mark_button(page, name, value)).to_be_checked(timeout=BUSY // 3)
    stored_eventually(judging, 0, pitch, lambda v: len(v.marks) == given)

    submit_and_expect_missing(page, judging, names[given:])
    shot(page, f"missing_{given}_of_6")
    assert stored(judging, 0, pitch).status == "draft"

    # The judge gives what was missing: the flag goes, and submitting works.
    for name, value in list(zip(names, MARKS, strict=True))[given:]:
        mark_button(page, name, value).click()
        expect(criterion_row(page, name)).not_to_have_attribute(
            "data-missing", "true", timeout=BUSY // 3
        )
    stored_eventually(judging, 0, pitch, lambda v: len(v.marks) == len(names))
    page.get_by_role("button", name="Submit the scorecard").click()
    expect(page.get_by_text("Submitted. You can reopen it while the round is open.")).to_be_visible(
        timeout=BUSY // 3
    )
    no_exception(page)
    assert stored(judging, 0, pitch).status == "submitted"


# The element that has the keyboard focus, through the components' shadow roots.
_FOCUSED = """() => {
    let el = document.activeElement;
    while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
    if (!el) return null;
    const group = el.closest('[role="radiogroup"]');
    return {
        role: el.getAttribute("role") || el.tagName.toLowerCase(),
        text: (el.textContent || "").trim(),
        group: group ? group.getAttribute("aria-label") : null,
    };
}"""


def test_a_judge_scores_a_whole_scorecard_with_the_keyboard_only(
    judging: Judging, page: Page
) -> None:
    pitch = judging.pitches[2]
    page.goto(judging.link(1, pitch))
    open_scorecard(page, judging)
    # The level descriptors are on the card itself, under each criterion (no hover needed).
    for name in judging.criterion_names:
        levels = criterion_row(page, name).locator(".pj-levels")
        expect(levels).to_be_visible()
        expect(levels).to_contain_text("1 = no evidence")
        expect(levels).to_contain_text("5 = outstanding")
    page.get_by_role("heading", name="Startup 3").click()  # start from the top, no control
    todo = dict(zip(judging.criterion_names, MARKS, strict=True))
    submitted = False
    seen = []
    for _ in range(80):  # Tab stops of the whole page, generously
        page.keyboard.press("Tab")
        focused = page.evaluate(_FOCUSED) or {}
        seen.append(focused)
        group = focused.get("group")
        name = next((n for n in todo if group and group.startswith(f"{n} ·")), None)
        if name is not None and focused.get("role") == "radio":
            # The group's first button (none is chosen yet): arrows to the mark, then Enter.
            assert focused["text"] == "1", focused
            for _ in range(todo[name] - 1):
                page.keyboard.press("ArrowRight")
            page.keyboard.press("Enter")
            expect(mark_button(page, name, todo.pop(name))).to_be_checked(timeout=BUSY // 3)
        elif str(focused.get("text")).endswith("Submit the scorecard") and not todo:
            stored_eventually(judging, 1, pitch, lambda v: len(v.marks) == len(MARKS))
            page.keyboard.press("Enter")
            submitted = True
            break
    assert not todo, f"never reached by Tab: {sorted(todo)}"
    assert submitted, f"the submit button was never reached by Tab: {seen}"
    expect(page.get_by_text("Submitted. You can reopen it while the round is open.")).to_be_visible(
        timeout=BUSY // 3
    )
    shot(page, "keyboard_submitted")
    view = stored(judging, 1, pitch)
    assert view.status == "submitted"
    assert view.marks == dict(zip(judging.criteria, map(float, MARKS), strict=True))
    # What comes next is offered, and reachable by the keyboard as well.
    expect(page.get_by_role("button", name=re.compile(r"^Next pitch: Startup"))).to_be_visible()
    expect(mark_button(page, judging.criterion_names[0], MARKS[0])).to_be_disabled()
    # A submitted mark stands out: filled, not greyed like the marks not given.
    chosen = mark_button(page, judging.criterion_names[0], MARKS[0])
    other = mark_button(page, judging.criterion_names[0], 1 if MARKS[0] != 1 else 2)
    assert chosen.evaluate("(b) => getComputedStyle(b).backgroundColor") != other.evaluate(
        "(b) => getComputedStyle(b).backgroundColor"
    )
    no_exception(page)

    # "Next pitch" opens the next scorecard to give.
    page.get_by_role("button", name=re.compile(r"^Next pitch: Startup")).click()
    open_scorecard(page, judging)
    expect(page).not_to_have_url(re.compile(rf"[?&]pitch={pitch}(&|$)"))


def test_the_judge_is_greeted_by_name(judging: Judging, page: Page) -> None:
    page.goto(judging.link(1))
    expect(page.get_by_text("Hello Judge 2, thank you for judging.")).to_be_visible(timeout=LONG)


def test_declaring_a_conflict_asks_first_and_an_empty_reason_is_refused_in_the_dialog(
    judging: Judging, page: Page
) -> None:
    pitch = judging.pitches[1]
    page.goto(judging.link(1, pitch))
    open_scorecard(page, judging)
    page.get_by_text("I have a conflict of interest").click()
    page.get_by_role("button", name="Declare the conflict").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("You declare a conflict of interest with", timeout=BUSY // 3)
    dialog.get_by_role("button", name="Declare the conflict").click()
    expect(dialog).to_contain_text("why", timeout=BUSY // 3)  # refused: no reason given
    no_exception(page)
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0, timeout=BUSY // 3)
    page.get_by_label("Reason").fill("I advise them")
    page.get_by_label("Reason").press("Enter")
    page.get_by_role("button", name="Declare the conflict").click()
    page.get_by_role("dialog").get_by_role("button", name="Declare the conflict").click()
    expect(page.get_by_role("dialog")).to_have_count(0, timeout=BUSY // 3)
    no_exception(page)
    with session_scope(judging.engine(), read_only=True) as session:
        [conflict] = session.exec(select(Conflict)).all()
    assert (conflict.pitch_id, conflict.reason) == (pitch, "I advise them")
