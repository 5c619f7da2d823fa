"""The projector as a room screen, in Chromium: it fits 1280×720, 1366×768 and 1920×1080
with 8, 18, 40 and 200 startups, is readable, passes axe-core's colour contrast, shows no
Streamlit chrome, and follows the organiser's mode, movement and the reveal's ceremony.

One app, seeded once (one contest per size); one browser page per test, resized for each
viewport (the board is sized in screen heights, so a resize needs no rerun). Screenshots of
each mode at 1920×1080 go to data/screenshots/ (committed, shown in the README).
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from pitchjudge.config import Settings, load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest, Pitch
from pitchjudge.services import board, scoring
from tests.browser_support import LONG_MS, SHORT_MS, App, _require_chromium, app_settings, serve
from tests.factories import make_judging
from tests.test_browser import wait_for_app

pytestmark = pytest.mark.browser

SECRET_KEY = "browser-room-secret-key-0123456789abcdef012"
SIZES = (8, 18, 40, 200)
VIEWPORTS = (
    {"width": 1280, "height": 720},
    {"width": 1366, "height": 768},
    {"width": 1920, "height": 1080},
)
ROOM_TYPE = 0.045  # of the screen's height, with at most 12 startups
SCREENSHOTS = Path(__file__).resolve().parent.parent / "data" / "screenshots"
WORDS = (
    "Solar", "Kelp", "Nimbus", "Hydro", "Loom", "Quanta", "Vélo", "Agri", "Pixel", "Terra",
    "Orbit", "Mycel", "Dormia", "Brique", "Lumen", "Sève", "Atlas", "Kairos",
)  # fmt: skip


@dataclass
class Rooms:
    app: App
    settings: Settings
    displays: dict[int, str]  # startups → the projector's link of that contest
    contests: dict[int, int]
    rounds: dict[int, int]
    marks: dict[int, dict]  # startups → the seeded round (judges, pitches, criteria)

    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)


def _name(index: int) -> str:
    first, second = WORDS[index % len(WORDS)], WORDS[(index * 7 + 3) % len(WORDS)]
    return f"{first}{second.lower()} {'Labs' if index % 3 else 'Technologies'} {index + 1}"


def _seed(engine: Engine, settings: Settings, startups: int) -> dict:
    w = make_judging(engine, settings, judges=2, pitches=startups)
    rng = random.Random(startups)
    with session_scope(engine) as session:
        contest = session.get(Contest, w["contest"].id)
        contest.language = "fr"
        contest.name = f"Grande finale · {startups} startups"
        for index, pitch in enumerate(w["pitches"]):
            session.get(Pitch, pitch).startup_name = _name(index)
        if startups == 8:
            session.get(Pitch, w["pitches"][5]).startup_name = "<img src=x onerror=alert(1)>"
    with session_scope(engine) as session:
        for pitch in w["pitches"]:
            for judge in w["judges"]:
                for criterion in w["criteria"]:
                    scoring.save_mark(
                        session=session,
                        round_id=w["round_id"],
                        judge_id=judge,
                        pitch_id=pitch,
                        criterion_id=criterion,
                        value=rng.randint(1, 5),
                    )
        board.set_board(session=session, round_id=w["round_id"], state="live")
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
    return {"w": w, "token": token}


@pytest.fixture(scope="module")
def rooms(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rooms]:
    _require_chromium()
    root = tmp_path_factory.mktemp("browser_room")
    values, port = app_settings(root, PITCHJUDGE_SECRET_KEY=SECRET_KEY, PITCHJUDGE_REFRESH_S="1")
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    seeded = {n: _seed(engine, settings, n) for n in SIZES}
    engine.dispose()
    with serve(root, values, port) as server:
        yield Rooms(
            app=server,
            settings=settings,
            displays={n: board.display_link(server.url, s["token"]) for n, s in seeded.items()},
            contests={n: s["w"]["contest"].id for n, s in seeded.items()},
            rounds={n: s["w"]["round_id"] for n, s in seeded.items()},
            marks={n: s["w"] for n, s in seeded.items()},
        )


@pytest.fixture(scope="module")
def screen(browser: Browser, rooms: Rooms) -> Iterator[Page]:
    """One projector page for the whole module (contexts cost seconds on a busy machine)."""
    context = browser.new_context(locale="fr-FR")
    page = context.new_page()
    yield page
    context.close()


def set_display(rooms: Rooms, startups: int, **changes) -> None:
    engine = rooms.engine()
    try:
        with session_scope(engine) as session:
            current = board.display_of(session.get(Contest, rooms.contests[startups]))
            board.set_board_display(
                session=session,
                contest_id=rooms.contests[startups],
                **{**current.__dict__, **changes},
            )
    finally:
        engine.dispose()


def open_room(page: Page, rooms: Rooms, startups: int) -> None:
    page.goto(rooms.displays[startups])
    wait_for_app(page)
    expect(page.locator(".pj-screen")).to_have_count(1, timeout=LONG_MS)


# What a room sees: every row's box and type sizes, scrollable boxes, visible chrome.
_MEASURE = """() => {
    const rows = [...document.querySelectorAll('.pj-screen .pj-row')].map((row) => {
        const box = row.getBoundingClientRect();
        const name = row.querySelector('.pj-name');
        const total = row.querySelector('.pj-total');
        return {
            place: row.dataset.place,
            page: row.closest('.pj-page')?.dataset.page,
            top: box.top, bottom: box.bottom, left: box.left, right: box.right,
            name: parseFloat(getComputedStyle(name).fontSize),
            total: parseFloat(getComputedStyle(total).fontSize),
            nameText: name.textContent,
        };
    });
    const scrolling = [...document.querySelectorAll('*')].filter((el) => {
        const style = getComputedStyle(el);
        return ['auto', 'scroll'].includes(style.overflowY) && el.scrollHeight > el.clientHeight + 1
            || ['auto', 'scroll'].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1;
    }).map((el) => el.dataset.testid || el.className);
    const chrome = [
        'stHeader', 'stToolbar', 'stStatusWidget', 'stMainMenu', 'stSidebar',
        'stSidebarCollapsedControl', 'stExpandSidebarButton', 'stDecoration',
    ].filter((id) => [...document.querySelectorAll(`[data-testid="${id}"]`)].some((el) => {
        const box = el.getBoundingClientRect();
        return box.width > 0 && box.height > 0 && getComputedStyle(el).visibility !== 'hidden';
    }));
    const modebar = document.querySelectorAll('.modebar-container, .js-plotly-plot').length;
    const toggles = document.querySelectorAll('[data-testid="stCheckbox"], [role="switch"]').length;
    return {rows, scrolling, chrome, modebar, toggles,
            width: window.innerWidth, height: window.innerHeight};
}"""


def shot_of_the_moment(page: Page, path: Path) -> None:
    """A screenshot of the spotlight in full (its animation held half-way meanwhile)."""
    page.evaluate(
        """() => document.querySelector('.pj-spot').getAnimations().forEach((a) => {
            a.pause(); a.currentTime = a.effect.getComputedTiming().duration / 2; })"""
    )
    page.screenshot(path=str(path))
    page.evaluate(
        "() => document.querySelector('.pj-spot').getAnimations().forEach((a) => a.play())"
    )


def contrast_violations(page: Page) -> list[str]:
    results = Axe().run(page, options={"runOnly": ["color-contrast"]})
    return [
        f"{node['target']}: {node.get('failureSummary', '')}"
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def check_room_screen(page: Page, startups: int) -> dict:
    """Every assertion a room screen must meet at the current viewport; the measures."""
    seen = page.evaluate(_MEASURE)
    rows, width, height = seen["rows"], seen["width"], seen["height"]
    assert len(rows) == startups, f"{len(rows)} rows drawn for {startups} startups"
    outside = [r for r in rows if r["top"] < 0 or r["left"] < 0 or r["bottom"] > height + 0.5
               or r["right"] > width + 0.5]  # fmt: skip
    assert not outside, f"rows outside the {width}×{height} screen: {outside[:3]}"
    assert seen["scrolling"] == [], f"something scrolls: {seen['scrolling']}"
    assert seen["chrome"] == [], f"Streamlit chrome visible: {seen['chrome']}"
    assert seen["modebar"] == 0 and seen["toggles"] == 0
    smallest = min(min(r["name"], r["total"]) for r in rows)
    if startups <= 12:
        assert smallest >= ROOM_TYPE * height - 0.5, (smallest, height)
    assert contrast_violations(page) == []
    return {"smallest": smallest, "pages": len({r["page"] for r in rows})}


@pytest.mark.parametrize("startups", SIZES)
def test_the_board_fits_every_projector_readably(rooms: Rooms, screen: Page, startups: int) -> None:
    set_display(rooms, startups, mode="full", page_seconds=3)
    open_room(screen, rooms, startups)
    for viewport in VIEWPORTS:
        screen.set_viewport_size(viewport)
        found = check_room_screen(screen, startups)
        print(f"{startups} startups at {viewport['width']}×{viewport['height']}: {found}")
    if startups == 200:
        # "full" cannot fit 200 readable rows: it turns pages by itself, every 3 s.
        indicator = screen.locator(".pj-page").filter(visible=True).locator(".pj-indicator")
        first = indicator.inner_text()
        assert first.startswith("Page 1 de") or first.startswith("Page ")
        expect(indicator).not_to_have_text(first, timeout=SHORT_MS)


def test_each_mode_at_1920(rooms: Rooms, screen: Page) -> None:
    """Full, pages, top N and whiskers on the 40-startup board; screenshots for the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    screen.set_viewport_size(VIEWPORTS[-1])
    set_display(rooms, 18, mode="full", whiskers=False)
    open_room(screen, rooms, 18)
    expect(screen.locator(".pj-row")).to_have_count(18)
    screen.screenshot(path=str(SCREENSHOTS / "board_full_18.png"), animations="disabled")
    set_display(rooms, 40, mode="full")
    open_room(screen, rooms, 40)
    expect(screen.locator(".pj-row")).to_have_count(40)
    screen.screenshot(path=str(SCREENSHOTS / "board_full_40.png"), animations="disabled")

    set_display(rooms, 40, mode="pages", page_seconds=3)
    expect(screen.locator(".pj-page")).not_to_have_count(1, timeout=SHORT_MS)
    check_room_screen(screen, 40)
    shown = screen.locator(".pj-page").filter(visible=True)
    expect(shown.locator(".pj-indicator")).to_contain_text("Page")
    screen.screenshot(path=str(SCREENSHOTS / "board_pages_40.png"))

    set_display(rooms, 40, mode="top", top_n=8)
    expect(screen.locator(".pj-row")).to_have_count(8, timeout=SHORT_MS)
    expect(screen.get_by_text("et 32 autres", exact=True)).to_be_visible()
    assert contrast_violations(screen) == []
    screen.screenshot(path=str(SCREENSHOTS / "board_top_8_of_40.png"), animations="disabled")

    set_display(rooms, 40, mode="top", whiskers=True)
    expect(screen.locator(".pj-whisker")).to_have_count(8, timeout=SHORT_MS)
    screen.screenshot(path=str(SCREENSHOTS / "board_whiskers.png"), animations="disabled")
    set_display(rooms, 40, mode="full", whiskers=False)
    expect(screen.locator(".pj-whisker")).to_have_count(0, timeout=SHORT_MS)


def test_rows_that_move_are_marked_for_a_few_seconds(rooms: Rooms, screen: Page) -> None:
    screen.set_viewport_size(VIEWPORTS[-1])
    set_display(rooms, 8, mode="full")
    open_room(screen, rooms, 8)
    last = screen.locator(".pj-row").last
    pitch = int(last.get_attribute("data-pitch"))
    w = rooms.marks[8]
    engine = rooms.engine()
    try:
        with session_scope(engine) as session:
            for judge in w["judges"]:
                for criterion in w["criteria"]:
                    scoring.save_mark(
                        session=session,
                        round_id=w["round_id"],
                        judge_id=judge,
                        pitch_id=pitch,
                        criterion_id=criterion,
                        value=5,
                    )
    finally:
        engine.dispose()
    row = screen.locator(f'.pj-row[data-pitch="{pitch}"]')
    expect(row).to_have_class(re.compile(r"pj-up"), timeout=SHORT_MS)
    chip = row.locator(".pj-move")
    gained = 8 - int(row.get_attribute("data-place"))
    expect(chip).to_have_text(re.compile(rf"^↑\W*{gained}$"))
    screen.screenshot(path=str(SCREENSHOTS / "board_movement.png"))
    expect(chip).to_be_hidden(timeout=SHORT_MS)  # the highlight goes after a few seconds
    assert contrast_violations(screen) == []


def test_the_reveal_gives_each_place_its_moment(rooms: Rooms, screen: Page) -> None:
    screen.set_viewport_size(VIEWPORTS[-1])
    engine = rooms.engine()
    try:
        with session_scope(engine) as session:
            board.set_board(session=session, round_id=rooms.rounds[8], state="reveal")
    finally:
        engine.dispose()
    open_room(screen, rooms, 8)
    expect(screen.get_by_text("Encore 8 places à révéler", exact=True)).to_be_visible()
    spot = screen.locator(".pj-spot")
    for step in range(1, 9):
        engine = rooms.engine()
        try:
            with session_scope(engine) as session:
                board.reveal_next(session=session, round_id=rooms.rounds[8])
        finally:
            engine.dispose()
        expect(screen.locator(".pj-row")).to_have_count(step, timeout=SHORT_MS)
        name = screen.locator(".pj-row").first.locator(".pj-name").inner_text()
        expect(spot).to_be_visible()
        expect(spot.locator(".pj-spot-name")).to_have_text(name)
        if step == 7:
            shot_of_the_moment(screen, SCREENSHOTS / "reveal_second_place.png")
        if step == 8:
            expect(spot).to_have_class(re.compile("pj-winner"))
            expect(spot).to_contain_text("Vainqueur")
            shot_of_the_moment(screen, SCREENSHOTS / "reveal_winner.png")
        expect(spot).to_be_hidden(timeout=SHORT_MS)  # then it settles into the board
    check_room_screen(screen, 8)
    screen.screenshot(path=str(SCREENSHOTS / "reveal_done.png"), animations="disabled")
    engine = rooms.engine()
    try:
        with session_scope(engine) as session:
            board.set_board(session=session, round_id=rooms.rounds[8], state="live")
    finally:
        engine.dispose()


def test_the_results_page_shows_a_live_thumbnail_of_the_projector(
    rooms: Rooms, screen: Page
) -> None:
    """The organiser sees what the room sees, at 16:9, and it follows the projector live."""
    screen.set_viewport_size({"width": 1600, "height": 1000})
    screen.goto(f"{rooms.app.url}/sign_in")
    wait_for_app(screen)
    screen.locator("input[type=password]").fill("organiser-secret")
    screen.keyboard.press("Enter")
    screen.wait_for_function("() => document.cookie.includes('pj_organiser=')", timeout=LONG_MS)
    set_display(rooms, 200, mode="top", top_n=12)  # the newest contest: the one shown
    screen.goto(f"{rooms.app.url}/results")
    wait_for_app(screen)
    thumb = screen.locator(".pj-thumb")
    expect(thumb.locator(".pj-row")).to_have_count(12, timeout=LONG_MS)
    box = thumb.bounding_box()
    assert box is not None and abs(box["width"] / box["height"] - 16 / 9) < 0.02
    expect(thumb).to_contain_text("et 188 autres")
    set_display(rooms, 200, mode="top", top_n=5)  # another screen changes the layout
    expect(thumb.locator(".pj-row")).to_have_count(5, timeout=SHORT_MS)
    thumb.scroll_into_view_if_needed()
    screen.screenshot(path=str(SCREENSHOTS / "results_preview.png"), animations="disabled")
    set_display(rooms, 200, mode="full", top_n=10)
