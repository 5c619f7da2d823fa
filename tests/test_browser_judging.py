"""The judge's journey in a real browser: Debian's Chromium driven by Playwright.

Issue acceptance: a judge never loses a mark or a half-written comment to a reload, and a
tab left open on a round that has since been closed refuses marks instead of dropping them.
The app runs as a real `streamlit run` process (see tests/test_browser.py, whose helpers are
reused) on a contest with an open round, 2 judges and 3 pitches, every judge assigned every
pitch. Screenshots of the key steps land in /tmp/pj_judge_*.png.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect
from sqlalchemy import Engine

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.deck_store import open_deck_store
from pitchjudge.decks import store_deck
from pitchjudge.models import Contest, Deck
from pitchjudge.services import contests, rubric, scoring
from pitchjudge.services.judges import judge_link
from tests.browser_support import (
    LAPTOP_13,
    LONG_MS,
    SHORT_MS,
    App,
    _require_chromium,
    app_settings,
    serve,
)
from tests.factories import make_judging
from tests.pdf_samples import make_deck
from tests.test_browser import script_run, wait_for_app

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")
ADMIN_PASSWORD = "organiser-secret"
SECRET_KEY = "browser-judging-secret-key-0123456789abcdef"  # tokens made here work in the app

SHORT = SHORT_MS  # one rerun of a page (generous: see browser_support)
LONG = LONG_MS  # a first page load, a deck rendered (generous: see browser_support)

# One mark per criterion of the classic rubric (six criteria, 1-5), not all the same value.
MARKS = (4, 3, 5, 2, 4, 1)
HALF_COMMENT = "Great team, but the market si"
REFUSAL = "not open for scoring"


# --- the app under test ---------------------------------------------------------------------


@dataclass
class Judging:
    """The running app and what make_judging seeded in its database."""

    app: App
    database_url: str
    round_id: int
    judges: list[int]
    tokens: list[str]
    pitches: list[int]
    criteria: list[int]
    criterion_names: list[str]

    def link(self, judge: int, pitch: int | None = None) -> str:
        """Judge number `judge`'s personal link, optionally opened on a pitch."""
        link = judge_link(self.app.url, self.tokens[judge])
        return link if pitch is None else f"{link}&pitch={pitch}"

    def engine(self) -> Engine:
        return make_engine(self.database_url)


@pytest.fixture(scope="module")
def judging(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Judging]:
    """`streamlit run streamlit_app.py` on a free port, on an open round of an English contest."""
    _require_chromium()  # no point starting the app without a browser to drive it
    for old in SCREENSHOTS.glob("pj_judge_*.png"):
        old.unlink()
    root = tmp_path_factory.mktemp("browser_judging")
    # The judges' tokens are derived from the key: the factory and the app share it.
    values, port = app_settings(
        root, PITCHJUDGE_ADMIN_PASSWORD=ADMIN_PASSWORD, PITCHJUDGE_SECRET_KEY=SECRET_KEY
    )
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    seeded = make_judging(engine, settings, judges=2, pitches=3)
    # A real deck beside the rubric, to see the page as judges do (the factory adds none).
    facts = store_deck(make_deck(pages=4), store=open_deck_store(settings))
    with session_scope(engine) as session:
        # make_contest keeps ContestInput's default language (fr), and a contest's language
        # wins over PITCHJUDGE_LANGUAGE for visitors: this contest runs in English.
        session.get(Contest, seeded["contest"].id).language = "en"
        for pitch_id in seeded["pitches"]:
            session.add(
                Deck(
                    pitch_id=pitch_id,
                    sha256=facts.sha256,
                    size_bytes=facts.size_bytes,
                    page_count=facts.page_count,
                )
            )
    with session_scope(engine, read_only=True) as session:
        names = [
            c.name for c in rubric.list_criteria(session=session, contest_id=seeded["contest"].id)
        ]
    engine.dispose()
    assert len(names) == len(MARKS), names

    with serve(root, values, port) as server:
        yield Judging(
            app=server,
            database_url=settings.database_url,
            round_id=seeded["round_id"],
            judges=seeded["judges"],
            tokens=seeded["tokens"],
            pitches=seeded["pitches"],
            criteria=seeded["criteria"],
            criterion_names=names,
        )


@pytest.fixture(autouse=True)
def _server_log_on_failure(request: pytest.FixtureRequest, judging: Judging) -> Iterator[None]:
    """A failed test's report ends with the tail of the app's console."""
    yield
    report = getattr(request.node, "rep_call", None)  # set by pytest-playwright's hook
    if report is not None and report.failed:
        report.sections.append(("streamlit server log", judging.app.log_tail()))


# --- helpers ----------------------------------------------------------------------------------


def shot(page: Page, name: str, *, full: bool = True) -> None:
    """A screenshot in /tmp/pj_judge_<name>.png: the whole page, or what a 13" screen shows.

    Streamlit scrolls inside its main container, not the document, so full_page alone would
    capture the viewport only: the viewport is stretched to the content for a full shot.
    """
    path = str(SCREENSHOTS / f"pj_judge_{name}.png")
    if not full:
        page.screenshot(path=path, animations="disabled")
        return
    viewport = page.viewport_size or LAPTOP_13
    height = page.evaluate(
        "() => Math.max(...['stMain', 'stSidebarContent'].map("
        "id => document.querySelector(`[data-testid=${id}]`)?.scrollHeight || 0))"
    )
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    try:
        page.screenshot(path=path, full_page=True, animations="disabled")
    finally:
        page.set_viewport_size(viewport)


def criterion_marks(page: Page, name: str) -> Locator:
    """The buttons of criterion `name`: a radio group named "<name> · <weight> %" inside the
    autosaving rubric component (Playwright's role locators reach into its shadow root)."""
    return page.get_by_role("radiogroup", name=re.compile(rf"^{re.escape(name)} ·"))


def criterion_help(page: Page, name: str) -> Locator:
    """The "?" of criterion `name`, described by its tooltip."""
    row = page.locator(".pj-row").filter(has=criterion_marks(page, name))
    return row.locator(".pj-help")


def mark_button(page: Page, name: str, value: int) -> Locator:
    """One option of a criterion's segmented control: a radio, aria-checked when chosen."""
    return criterion_marks(page, name).get_by_role("radio", name=str(value), exact=True)


def comment_box(page: Page) -> Locator:
    """The comment's textarea: inside the autosave component's (open) shadow root."""
    return page.get_by_role("textbox", name="Comment for the applicant", exact=True)


def stored(judging: Judging, judge: int, pitch: int) -> scoring.ScorecardView:
    """The scorecard as the database holds it now."""
    engine = judging.engine()
    try:
        with session_scope(engine, read_only=True) as session:
            return scoring.scorecard_view(
                session=session,
                round_id=judging.round_id,
                judge_id=judging.judges[judge],
                pitch_id=pitch,
            )
    finally:
        engine.dispose()


def stored_eventually(
    judging: Judging,
    judge: int,
    pitch: int,
    done: Callable[[scoring.ScorecardView], bool],
    timeout_s: float = 5.0,
) -> scoring.ScorecardView:
    """The scorecard once `done` holds for it (the last save may land a moment later)."""
    deadline = time.monotonic() + timeout_s
    view = stored(judging, judge, pitch)
    while not done(view) and time.monotonic() < deadline:
        time.sleep(0.2)
        view = stored(judging, judge, pitch)
    return view


def set_round_status(judging: Judging, status: str) -> None:
    engine = judging.engine()
    try:
        with session_scope(engine) as session:
            contests.set_round_status(session=session, round_id=judging.round_id, status=status)
    finally:
        engine.dispose()


def open_scorecard(page: Page, judging: Judging) -> None:
    """Wait until the pitch's rubric is drawn, every criterion with its buttons."""
    wait_for_app(page)
    for name in judging.criterion_names:
        expect(mark_button(page, name, 1)).to_be_visible(timeout=LONG)
    expect(comment_box(page)).to_be_visible(timeout=SHORT)


# --- the acceptance tests ---------------------------------------------------------------------


def test_a_judge_never_loses_a_mark(
    judging: Judging, page: Page, new_context: Callable[..., BrowserContext]
) -> None:
    pitch = judging.pitches[0]  # "Startup 1", first in the judge's list

    # 1. The judge's personal link: their pitches, then the next one to score.
    page.goto(judging.link(0))
    wait_for_app(page)
    expect(page.get_by_text("0 of 3 scorecards submitted")).to_be_visible(timeout=LONG)
    shot(page, "01_my_pitches")
    page.get_by_role("button", name="Score the next pitch").click()
    open_scorecard(page, judging)
    expect(page).to_have_url(re.compile(rf"[?&]pitch={pitch}(&|$)"))
    expect(page.get_by_role("heading", name="Startup 1")).to_be_visible()
    expect(page.get_by_role("img").first).to_be_visible(timeout=LONG)  # the deck's page
    shot(page, "02_scorecard_fold", full=False)  # what a 13" laptop shows without scrolling
    # A criterion's description and level descriptors live in its tooltip, as plain text.
    help_button = criterion_help(page, "Problem & market")
    help_button.hover()
    tooltip = page.get_by_role("tooltip").filter(has_text="A real, painful problem")
    expect(tooltip).to_be_visible(timeout=SHORT)
    expect(tooltip).to_contain_text("5 = outstanding")
    assert "\\" not in tooltip.inner_text()  # shown as plain text
    shot(page, "02b_criterion_tooltip", full=False)
    page.mouse.move(0, 0)
    expect(tooltip).to_be_hidden(timeout=SHORT)

    # 2. A mark for every criterion, clicked one after the other as a judge would.
    for name, value in zip(judging.criterion_names, MARKS, strict=True):
        mark_button(page, name, value).click()
        expect(mark_button(page, name, value)).to_be_checked(timeout=SHORT)

    # 3. Half a comment, typed, and the page reloaded before the debounce sends it.
    box = comment_box(page)
    box.click()
    box.press_sequentially(HALF_COMMENT, delay=15)
    page.wait_for_timeout(300)
    shot(page, "03_marked_half_comment", full=False)
    page.reload()

    # 4. Same pitch, every mark still chosen, the half comment still in the box.
    open_scorecard(page, judging)
    expect(page).to_have_url(re.compile(rf"[?&]pitch={pitch}(&|$)"))
    expect(page.get_by_role("heading", name="Startup 1")).to_be_visible()
    for name, value in zip(judging.criterion_names, MARKS, strict=True):
        expect(mark_button(page, name, value)).to_be_checked(timeout=SHORT)
        checked = criterion_marks(page, name).get_by_role("radio", checked=True)
        expect(checked).to_have_count(1)
    expect(comment_box(page)).to_have_value(HALF_COMMENT, timeout=SHORT)
    shot(page, "04_after_reload")

    # 5. The database holds the six marks and the comment (the comment may come a bit later).
    expected = dict(zip(judging.criteria, map(float, MARKS), strict=True))
    view = stored_eventually(
        judging, 0, pitch, lambda v: v.marks == expected and v.comment == HALF_COMMENT
    )
    assert view.marks == expected
    assert view.comment == HALF_COMMENT
    assert view.status == "draft"
    # The box says so too, once the server confirmed the text.
    status = page.locator(".pj-autosave", has=comment_box(page)).get_by_role("status")
    expect(status).to_have_text("Saved", timeout=SHORT)

    # 6. Submit.
    page.get_by_role("button", name="Submit the scorecard").click()
    expect(page.get_by_text("Submitted. You can reopen it while the round is open.")).to_be_visible(
        timeout=SHORT
    )
    expect(page.get_by_text("Pitch 1 of 3 · 1 submitted")).to_be_visible(timeout=SHORT)
    expect(mark_button(page, judging.criterion_names[0], MARKS[0])).to_be_disabled()
    assert stored(judging, 0, pitch).status == "submitted"
    shot(page, "05_submitted")

    # 7. The organiser, in a browser context of their own, sees 1 of 2 x 3 scorecards.
    organiser = new_context().new_page()
    organiser.goto(f"{judging.app.url}/sign_in")
    wait_for_app(organiser)
    organiser.get_by_label("Organiser password").fill(ADMIN_PASSWORD)
    organiser.get_by_role("button", name="Sign in").click()
    expect(organiser.get_by_role("heading", name="Applications", exact=True)).to_be_visible(
        timeout=SHORT
    )
    with script_run(organiser):
        organiser.get_by_test_id("stSidebarNav").get_by_role("link", name="Progress").click()
    expect(organiser.get_by_role("heading", name="Progress", exact=True)).to_be_visible(
        timeout=SHORT
    )
    submitted = organiser.get_by_test_id("stMetric").filter(has_text="Scorecards submitted")
    expect(submitted.get_by_test_id("stMetricValue")).to_have_text("1 / 6", timeout=SHORT)
    shot(organiser, "06_progress")


def test_a_closed_round_refuses_a_tab_left_open(judging: Judging, page: Page) -> None:
    pitch = judging.pitches[1]
    name = judging.criterion_names[0]
    page.goto(judging.link(1, pitch))
    open_scorecard(page, judging)
    expect(page.get_by_role("heading", name="Startup 2")).to_be_visible()
    before = stored(judging, 1, pitch)

    set_round_status(judging, "closed")
    try:
        mark_button(page, name, 3).click()
        # The row says the mark was refused, and why; the click is kept in the browser as a
        # draft (nothing a judge gives is thrown away) but the server stored nothing.
        refusal = page.locator(".pj-row-status").filter(has_text=REFUSAL)
        expect(refusal).to_be_visible(timeout=SHORT)
        expect(refusal).to_contain_text("Not saved")
        expect(refusal).to_contain_text("nothing was saved")
        shot(page, "07_closed_round_refused")
        after = stored(judging, 1, pitch)
        assert after.marks == before.marks == {}
        assert after.status == before.status
    finally:
        set_round_status(judging, "open")  # the module's app stays usable for other tests
