"""The live final's stage in a real browser: the stage screen's clock and a judge's laptop that
follows the startup on stage (Debian's Chromium driven by Playwright).

The organiser's clicks (next on stage, Q&A, end) go through the stage service against the
app's database, as the Stage page does; the judge's page and the stage screen must pick them
up by themselves. Screenshots land in /tmp/pj_stage_*.png.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect

from pitchjudge.config import Settings, load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest
from pitchjudge.services import board, rubric, scoring, stage
from pitchjudge.services.judges import judge_link
from tests.browser_support import LONG_MS, SHORT_MS, App, _require_chromium, app_settings, serve
from tests.factories import make_judging
from tests.test_browser import wait_for_app
from tests.test_browser_judging import mark_button

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")
SECRET_KEY = "browser-stage-secret-key-0123456789abcdef00"
SHORT = SHORT_MS  # one rerun of a page (generous: see browser_support)
LONG = LONG_MS  # a first page load, a deck rendered (generous: see browser_support)
FOLLOW = 6_000  # ms: the judge's page polls the stage every 2 s


@dataclass
class Final:
    app: App
    settings: Settings
    contest_id: int
    round_id: int
    judge_id: int
    judge_url: str
    stage_url: str
    pitches: list[int]
    criterion: str
    criterion_id: int

    def act(self, action: Callable, **kwargs) -> None:
        """An organiser's click on the Stage page, straight into the app's database."""
        engine = make_engine(self.settings.database_url)
        try:
            with session_scope(engine) as session:
                action(session=session, round_id=self.round_id, **kwargs)
        finally:
            engine.dispose()

    def mark(self, pitch: int) -> float | None:
        engine = make_engine(self.settings.database_url)
        try:
            with session_scope(engine, read_only=True) as session:
                return scoring.stored_mark(
                    session=session,
                    round_id=self.round_id,
                    judge_id=self.judge_id,
                    pitch_id=pitch,
                    criterion_id=self.criterion_id,
                )
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def final(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Final]:
    """The app on a free port: an open final of 3 startups, scoring after the Q&A."""
    _require_chromium()
    root = tmp_path_factory.mktemp("browser_stage")
    values, port = app_settings(root, PITCHJUDGE_SECRET_KEY=SECRET_KEY)
    url = values["PITCHJUDGE_BASE_URL"]
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    w = make_judging(engine, settings, judges=1, pitches=3)
    with session_scope(engine) as session:
        session.get(Contest, w["contest"].id).language = "en"
        stage.set_timing(
            session=session, contest_id=w["contest"].id, settings=stage.Timing(60, 60, 0.0)
        )
        stage.ensure_running_order(session=session, round_id=w["round_id"])
        stage.set_scoring_after_qa(session=session, round_id=w["round_id"], enabled=True)
        display = board.display_token(
            session=session, settings=settings, contest_id=w["contest"].id
        )
        first = rubric.list_criteria(session=session, contest_id=w["contest"].id)[0]
    engine.dispose()

    with serve(root, values, port) as server:
        yield Final(
            app=server,
            settings=settings,
            contest_id=w["contest"].id,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            judge_url=judge_link(url, w["tokens"][0]),
            stage_url=board.display_link(url, display) + "&screen=stage",
            pitches=w["pitches"],
            criterion=first.name,
            criterion_id=first.id,
        )


def clock(page: Page) -> str:
    return page.locator(".pj-timer-clock").first.inner_text()


def test_the_judges_laptop_follows_the_stage_and_the_clock_ticks(
    final: Final, page: Page, new_context: Callable[..., BrowserContext]
) -> None:
    screen = new_context().new_page()
    screen.set_viewport_size({"width": 1600, "height": 900})
    screen.goto(final.stage_url)
    wait_for_app(screen)
    # Before the final: the idle screen (no clock), with the running order to come.
    expect(screen.get_by_text("The stage opens soon.")).to_be_visible(timeout=LONG)
    expect(screen.get_by_role("navigation", name="Running order")).to_contain_text("Startup 1")
    expect(screen.locator(".pj-timer")).to_have_count(0)

    page.goto(final.judge_url)
    wait_for_app(page)
    expect(page.get_by_text("My pitches — Final")).to_be_visible(timeout=LONG)

    # The organiser puts Startup 1 on stage: the judge's page opens its scorecard by itself.
    final.act(stage.start_next)
    expect(page.get_by_role("heading", name="Startup 1")).to_be_visible(timeout=FOLLOW)
    expect(page.get_by_text("Now pitching: Startup 1")).to_be_visible(timeout=SHORT)
    expect(page.get_by_text("Scoring opens when the Q&A ends")).to_be_visible(timeout=SHORT)
    expect(mark_button(page, final.criterion, 4)).to_be_disabled(timeout=SHORT)

    # The stage screen shows the startup and a clock that counts down in the browser.
    expect(screen.get_by_role("heading", name="Startup 1")).to_be_visible(timeout=FOLLOW)
    expect(screen.locator(".pj-timer[data-phase='pitch']")).to_have_count(1, timeout=SHORT)
    first = clock(screen)
    time.sleep(1.6)
    second = clock(screen)
    assert first != second, (first, second)
    assert second.startswith("0:5"), second  # a 60 s pitch, a few seconds in
    screen.screenshot(path=str(SCREENSHOTS / "pj_stage_screen.png"))
    page.screenshot(path=str(SCREENSHOTS / "pj_stage_judge_gated.png"))

    # Q&A, then off stage: scoring opens on the judge's page without a click.
    final.act(stage.start_qa)
    expect(screen.locator(".pj-timer[data-phase='qa']")).to_have_count(1, timeout=FOLLOW)
    final.act(stage.end_on_stage)
    expect(page.get_by_text("Scoring opens when the Q&A ends")).to_have_count(0, timeout=FOLLOW)
    expect(mark_button(page, final.criterion, 4)).to_be_enabled(timeout=SHORT)
    mark_button(page, final.criterion, 4).click()
    deadline = time.monotonic() + 5
    while final.mark(final.pitches[0]) != 4 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert final.mark(final.pitches[0]) == 4

    # Startup 2 goes on stage: the page jumps again; the judge may go back to the list.
    final.act(stage.start_next)
    expect(page.get_by_role("heading", name="Startup 2")).to_be_visible(timeout=FOLLOW)
    page.get_by_role("button", name="My pitches").click()
    expect(page.get_by_text("My pitches — Final")).to_be_visible(timeout=SHORT)
    time.sleep(4.5)  # two polls of the stage: no jump back while Startup 2 is still on
    expect(page.get_by_text("My pitches — Final")).to_be_visible()
    expect(page.get_by_role("button", name="Score this pitch")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "pj_stage_judge_list.png"))
