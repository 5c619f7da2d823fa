"""The push channel and the stage screen in a real browser (Debian's Chromium, Playwright).

- With the refresh interval at 60 s, a mark a judge clicks reaches an open projector, and a
  startup put on stage reaches the stage screen and the judge's stage bar, far sooner than
  any poll could: the push channel carried them.
- With the push route unreachable, the board still follows by polling (refresh 2 s).
- The stage screen at 1280×720, 1366×768 and 1920×1080: nothing to scroll, no Streamlit
  chrome, axe-core's colour-contrast rule satisfied; its idle screen; overtime in red.

Screenshots land in /tmp/pj_push_*.png.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import time as clock
from datetime import timedelta
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect

from pitchjudge.config import Settings, load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest, Pitch, utcnow
from pitchjudge.services import board, rubric, scoring, stage
from pitchjudge.services.judges import judge_link
from tests.browser_support import LONG_MS, SHORT_MS, App, _require_chromium, app_settings, serve
from tests.factories import make_judging
from tests.test_browser import wait_for_app
from tests.test_browser_judging import mark_button

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")
SECRET_KEY = "browser-push-secret-key-0123456789abcdef0011"
#: Far below the 60 s refresh: a change seen within this came by push, not by a poll.
PUSHED_MS = 20_000
VIEWPORTS = [(1280, 720), (1366, 768), (1920, 1080)]
CHROME = [
    "stHeader",
    "stToolbar",
    "stStatusWidget",
    "stSidebar",
    "stExpandSidebarButton",
    "stSidebarCollapsedControl",
    "stMainMenu",
    "stDecoration",
    "stAppDeployButton",
]
# Scrollable boxes whose content overflows them (the app scrolls inside its main container,
# not the document: see TOOLCHAIN.md), and the document itself.
OVERFLOW = """() => {
    const found = [...document.querySelectorAll('*')].filter(e => {
        const y = getComputedStyle(e).overflowY;
        return ['auto', 'scroll'].includes(y) && e.scrollHeight - e.clientHeight > 1;
    }).map(e => (e.dataset.testid || e.tagName) + ' +' + (e.scrollHeight - e.clientHeight));
    const doc = document.scrollingElement;
    if (doc.scrollHeight - window.innerHeight > 1) found.push('document');
    return found;
}"""
# Every piece of the stage screen lies inside the viewport.
OUTSIDE = """() => [...document.querySelectorAll('.pj-ss h1, .pj-ss p, .pj-ss li, .pj-ss h2')]
    .filter(e => { const r = e.getBoundingClientRect();
        return r.bottom > window.innerHeight + 1 || r.right > window.innerWidth + 1; })
    .map(e => e.textContent)"""
MAIN_TEXT = "() => document.querySelector('[data-testid=\"stMain\"]')?.textContent ?? ''"


@dataclass
class Event:
    app: App
    settings: Settings
    contest_id: int
    round_id: int
    judges: list[int]
    tokens: list[str]
    pitches: list[int]
    criteria: list[int]
    criterion_names: list[str]
    display: str

    def act(self, action, **kwargs) -> None:
        """An organiser's click on the Stage page, straight into the app's database."""
        engine = make_engine(self.settings.database_url)
        try:
            with session_scope(engine) as session:
                action(session=session, round_id=self.round_id, **kwargs)
        finally:
            engine.dispose()

    def flip_mark(self, judge: int, pitch: int, criterion: int) -> None:
        engine = make_engine(self.settings.database_url)
        try:
            with session_scope(engine) as session:
                old = scoring.stored_mark(
                    session=session,
                    round_id=self.round_id,
                    judge_id=judge,
                    pitch_id=pitch,
                    criterion_id=criterion,
                )
                scoring.save_mark(
                    session=session,
                    round_id=self.round_id,
                    judge_id=judge,
                    pitch_id=pitch,
                    criterion_id=criterion,
                    value=5.0 if old == 1 else 1.0,
                )
        finally:
            engine.dispose()

    def stored(self, judge: int, pitch: int, criterion: int) -> float | None:
        engine = make_engine(self.settings.database_url)
        try:
            with session_scope(engine, read_only=True) as session:
                return scoring.stored_mark(
                    session=session,
                    round_id=self.round_id,
                    judge_id=judge,
                    pitch_id=pitch,
                    criterion_id=criterion,
                )
        finally:
            engine.dispose()


def _event(root: Path, refresh_s: int) -> tuple[dict, int, Settings, dict]:
    """An English contest: 2 judges × 8 startups, every mark 3, a live board, a running
    order, a long name and an announced start; the app's settings and port."""
    values, port = app_settings(
        root, PITCHJUDGE_SECRET_KEY=SECRET_KEY, PITCHJUDGE_REFRESH_S=str(refresh_s)
    )
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    w = make_judging(engine, settings, judges=2, pitches=8)
    with session_scope(engine) as session:
        session.get(Contest, w["contest"].id).language = "en"
        session.get(Pitch, w["pitches"][2]).startup_name = "<b>Dormia</b> & the very long name Co"
        for pitch in w["pitches"]:
            for judge in w["judges"]:
                for criterion in w["criteria"]:
                    scoring.save_mark(
                        session=session,
                        round_id=w["round_id"],
                        judge_id=judge,
                        pitch_id=pitch,
                        criterion_id=criterion,
                        value=3,
                    )
        board.set_board(session=session, round_id=w["round_id"], state="live")
        stage.set_timing(
            session=session, contest_id=w["contest"].id, settings=stage.Timing(60, 60, 0.0)
        )
        stage.ensure_running_order(session=session, round_id=w["round_id"])
        stage.set_start_time(
            session=session, contest_id=w["contest"].id, day=utcnow().date(), at=clock(19, 0)
        )
        w["display"] = board.display_token(
            session=session, settings=settings, contest_id=w["contest"].id
        )
        w["names"] = [
            c.name for c in rubric.list_criteria(session=session, contest_id=w["contest"].id)
        ]
    engine.dispose()
    return values, port, settings, w


@contextmanager
def _running(root: Path, refresh_s: int) -> Iterator[Event]:
    values, port, settings, w = _event(root, refresh_s)
    url = values["PITCHJUDGE_BASE_URL"]
    with serve(root, values, port) as server:
        yield Event(
            app=server,
            settings=settings,
            contest_id=w["contest"].id,
            round_id=w["round_id"],
            judges=w["judges"],
            tokens=[judge_link(url, token) for token in w["tokens"]],
            pitches=w["pitches"],
            criteria=w["criteria"],
            criterion_names=w["names"],
            display=board.display_link(url, w["display"]),
        )


@pytest.fixture(scope="module")
def slow_refresh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Event]:
    """The app with a 60 s refresh: only the push channel can be quick."""
    _require_chromium()
    with _running(tmp_path_factory.mktemp("browser_push_slow"), 60) as event:
        yield event


def _screen(browser: Browser, url: str, width: int = 1600, height: int = 900) -> Page:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(url)
    wait_for_app(page)
    return page


def _pushed(page: Page) -> None:
    """The page's push element has its stream open."""
    expect(page.locator("[data-push]").first).to_have_attribute(
        "data-push", "open", timeout=LONG_MS
    )


def _text_changes(page: Page, before: str, timeout_ms: float) -> None:
    page.wait_for_function(
        f"(before) => ({MAIN_TEXT})() !== before", arg=before, timeout=timeout_ms
    )


def _settled(page: Page) -> str:
    """The main text once it stopped changing (the board drawn, late elements in)."""
    text = page.evaluate(MAIN_TEXT)
    deadline = time.monotonic() + LONG_MS / 1000
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        again = page.evaluate(MAIN_TEXT)
        if again == text and text:
            return text
        text = again
    raise AssertionError("the page never settled")


# --- push -----------------------------------------------------------------------------------


def test_a_judges_click_reaches_the_projector_by_push_with_a_60_s_refresh(
    slow_refresh: Event, browser: Browser
) -> None:
    event = slow_refresh
    projector = _screen(browser, event.display)
    expect(projector.get_by_text("Startup 1", exact=False).first).to_be_visible(timeout=LONG_MS)
    _pushed(projector)
    judge = _screen(browser, f"{event.tokens[0]}&pitch={event.pitches[0]}", 1366, 800)
    name = event.criterion_names[0]
    expect(mark_button(judge, name, 5)).to_be_visible(timeout=LONG_MS)
    delays = []
    for value in (5, 1, 4):
        before = _settled(projector)
        mark_button(judge, name, value).click()
        deadline = time.monotonic() + SHORT_MS / 1000
        while event.stored(event.judges[0], event.pitches[0], event.criteria[0]) != value:
            assert time.monotonic() < deadline, "the judge's click was never saved"
            time.sleep(0.05)
        saved = time.monotonic()
        _text_changes(projector, before, PUSHED_MS)
        delays.append(time.monotonic() - saved)
    print("projector delays by push (refresh 60 s):", [f"{d:.2f}" for d in delays])
    projector.screenshot(path=str(SCREENSHOTS / "pj_push_projector.png"))
    projector.context.close()
    judge.context.close()


def test_the_stage_screen_and_the_judges_bar_follow_the_stage_by_push(
    slow_refresh: Event, browser: Browser
) -> None:
    event = slow_refresh
    screen = _screen(browser, event.display + "&screen=stage")
    expect(screen.get_by_text("The live final starts at 7:00")).to_be_visible(timeout=LONG_MS)
    _pushed(screen)
    judge = _screen(browser, event.tokens[1], 1366, 800)
    expect(judge.get_by_text("My pitches — Final")).to_be_visible(timeout=LONG_MS)

    event.act(stage.start_next)
    expect(screen.get_by_role("heading", name="Startup 1", exact=True)).to_be_visible(
        timeout=PUSHED_MS
    )
    expect(screen.locator(".pj-timer[data-phase='pitch']")).to_have_count(1, timeout=SHORT_MS)
    expect(screen.get_by_text("Next up: Startup 2")).to_be_visible()
    # The judge's page had no stage bar before the final began: it follows, by push too.
    expect(judge.get_by_text("Now pitching: Startup 1")).to_be_visible(timeout=PUSHED_MS)
    _pushed(judge)
    event.act(stage.start_qa)
    expect(screen.locator(".pj-timer[data-phase='qa']")).to_have_count(1, timeout=PUSHED_MS)
    event.act(stage.end_on_stage)
    expect(screen.get_by_text("Between pitches · Next up")).to_be_visible(timeout=PUSHED_MS)
    expect(screen.get_by_role("heading", name="Startup 2", exact=True)).to_be_visible()
    screen.context.close()
    judge.context.close()


def test_the_stage_screen_fits_every_room_screen_with_no_chrome_and_readable_colours(
    slow_refresh: Event, browser: Browser
) -> None:
    event = slow_refresh
    # On stage for 75 s of a 60 s pitch: over time.
    event.act(stage.start_next, now=utcnow() - timedelta(seconds=75))
    for width, height in VIEWPORTS:
        screen = _screen(browser, event.display + "&screen=stage", width, height)
        expect(screen.locator(".pj-timer[data-over='true']")).to_have_count(1, timeout=LONG_MS)
        expect(screen.locator(".pj-timer-label")).to_have_text("Pitch — over time")
        expect(screen.locator(".pj-timer-clock")).to_have_text(re.compile(r"^\+\d+:\d\d$"))
        red = screen.locator(".pj-timer").evaluate("e => getComputedStyle(e).backgroundColor")
        assert red == "rgb(201, 42, 42)", red
        # The name typed with HTML is shown as typed, never as HTML.
        # (on the running order, and as next up when the other tests ran first).
        expect(screen.get_by_text("<b>Dormia</b> & the very long name Co").first).to_be_visible()
        expect(screen.locator(".pj-ss b")).to_have_count(0)
        _room_screen(screen, f"pj_push_stage_over_{width}")
        screen.context.close()


def test_the_idle_stage_screen_shows_the_contest_and_its_start(
    tmp_path_factory: pytest.TempPathFactory, browser: Browser
) -> None:
    """Its own app (the other tests put startups on stage): 2 s refresh."""
    _require_chromium()
    with _running(tmp_path_factory.mktemp("browser_push_idle"), 2) as event:
        for width, height in VIEWPORTS:
            screen = _screen(browser, event.display + "&screen=stage", width, height)
            expect(screen.get_by_role("heading", name="Prix", exact=False)).to_be_visible(
                timeout=LONG_MS
            )
            expect(screen.get_by_text("The live final starts at 7:00 PM")).to_be_visible()
            expect(screen.get_by_role("navigation", name="Running order")).to_be_visible()
            # No clock before the final: nothing drawn as blocks.
            expect(screen.locator(".pj-timer")).to_have_count(0)
            _room_screen(screen, f"pj_push_stage_idle_{width}")
            screen.context.close()

        # While events arrive, a projector polls only every 30 s (an unchanged board then
        # costs next to nothing), and a change still shows at once, by push.
        live = _screen(browser, event.display)
        _pushed(live)
        expect(live.locator("[data-push]").first).to_have_attribute(
            "data-fallback", "30.0s", timeout=LONG_MS
        )
        before = _settled(live)
        event.flip_mark(event.judges[0], event.pitches[4], event.criteria[0])
        _text_changes(live, before, PUSHED_MS)
        live.context.close()

        # The push route unreachable (a proxy that drops it): the board still follows, by
        # polling at the refresh interval.
        projector = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
        projector.route("**/_pj/events**", lambda route: route.abort())
        projector.goto(event.display)
        wait_for_app(projector)
        expect(projector.get_by_text("Startup 1", exact=False).first).to_be_visible(timeout=LONG_MS)
        expect(projector.locator("[data-push]").first).to_have_attribute(
            "data-push", re.compile("^(down|reconnecting)$"), timeout=LONG_MS
        )
        before = _settled(projector)
        event.flip_mark(event.judges[0], event.pitches[5], event.criteria[0])
        _text_changes(projector, before, SHORT_MS)
        expect(projector.locator("[data-push]").first).not_to_have_attribute("data-push", "open")
        expect(projector.locator("[data-push]").first).to_have_attribute(
            "data-fallback", re.compile(r"^2(\.0)?s$")
        )
        projector.context.close()


def _room_screen(page: Page, name: str) -> None:
    """Nothing to scroll, nothing outside the screen, no chrome, readable colours."""
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
    assert page.evaluate(OVERFLOW) == [], name
    assert page.evaluate(OUTSIDE) == [], name
    for testid in CHROME:
        expect(page.locator(f'[data-testid="{testid}"]')).to_be_hidden()
    results = Axe().run(page, options={"runOnly": ["color-contrast"]})
    violations = results.response["violations"]
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]
