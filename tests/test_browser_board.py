"""The projected leaderboard in a real browser: Debian's Chromium driven by Playwright.

Issue acceptance: with a judge's laptop and the projector open at once, a saved mark shows on
the projector within the refresh interval plus one second (the delay is measured and printed:
run with -s); the reveal goes from the last place to the winner; a frozen board does not move
when marks change; hostile startup names are shown as inert text. The app runs as a real
`streamlit run` process on a free port with its own SQLite file; the organiser's actions
(live, frozen, reveal, next place) go through the board service against that database, as the
Results page does. Screenshots of the projector (1600×900) land in /tmp/pj_board_*.png.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlalchemy import Engine
from sqlmodel import select

from pitchjudge.config import Settings, load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest, Mark, Pitch, utcnow
from pitchjudge.services import board, results, rubric, scoring, stage
from pitchjudge.services.judges import judge_link
from pitchjudge.ui.room_board import NAME_CHARACTERS
from tests.browser_support import LONG_MS, SHORT_MS, App, _require_chromium, app_settings, serve
from tests.factories import make_judging
from tests.test_browser import wait_for_app
from tests.test_browser_judging import mark_button

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")
ADMIN_PASSWORD = "organiser-secret"
SECRET_KEY = "browser-board-secret-key-0123456789abcdef0"  # tokens made here work in the app
PROJECTOR = {"width": 1600, "height": 900}  # a 16:9 projector

REFRESH_S = 2.0  # pages/board.py: st.fragment(run_every="2s")
# The acceptance is "within the refresh interval plus 1 s"; the test prints the delay it
# measured, and bench/bench_projector.py gives the figure. The assert only bounds it generously,
# so that a busy machine (PITCHJUDGE_TEST_LOAD=1) cannot fail it: a board that stopped
# refreshing would still miss it by far.
ALLOWED_DELAY_S = 5 * REFRESH_S
SHORT = SHORT_MS  # one rerun of a page (generous: see browser_support)
LONG = LONG_MS  # a first page load, a deck rendered (generous: see browser_support)

# Each pitch's mark on every criterion, by both judges: four distinct totals.
VALUES = (2, 4, 3, 5)
LONG_NAME = "Very long startup name " + "x" * 97  # 120 characters
HOSTILE_NAMES = (
    "<img src=x onerror=alert(1)>",
    "**bold** [link](http://x)",
    LONG_NAME,
    "שלום עולם · مرحبا بالعالم",
)
HOSTILE_CONTEST = "Prix <b>Hostile</b> **2027**"
SHOWN_CHARACTERS = NAME_CHARACTERS  # the board cuts longer names here, with "…"


def shown_name(name: str) -> str:
    """A startup name as the board shows it."""
    if len(name) <= SHOWN_CHARACTERS:
        return name
    return name[: SHOWN_CHARACTERS - 1].rstrip() + "…"


# Every row of the room board, top to bottom: "place. name" and its total as drawn
# (pitchjudge/ui/room_board.py draws them as HTML; the star of the winner is CSS).
_ROWS = """() => {
    const rows = [...document.querySelectorAll('.pj-screen .pj-row')];
    if (!rows.length) return null;
    return rows.map((row) => [
        row.querySelector('.pj-place').textContent + '. '
            + row.querySelector('.pj-name').textContent,
        row.querySelector('.pj-total').textContent,
    ]);
}"""


# --- the app under test ---------------------------------------------------------------------


@dataclass
class Room:
    """The running app, a scored round on the projector, and a contest with hostile names."""

    app: App
    settings: Settings
    contest_id: int
    round_id: int
    judges: list[int]
    tokens: list[str]
    pitches: list[int]
    criteria: list[int]
    criterion_names: list[str]
    display: str  # the projector's link
    hostile_round_id: int
    hostile_display: str

    def engine(self) -> Engine:
        return make_engine(self.settings.database_url)


def _score(engine: Engine, w: dict, values: tuple[int, ...]) -> None:
    with session_scope(engine) as session:
        for pitch, value in zip(w["pitches"], values, strict=True):
            for judge in w["judges"]:
                for criterion in w["criteria"]:
                    scoring.save_mark(
                        session=session,
                        round_id=w["round_id"],
                        judge_id=judge,
                        pitch_id=pitch,
                        criterion_id=criterion,
                        value=value,
                    )


def _seed(engine: Engine, settings: Settings) -> dict:
    """Two English contests, each a round of 2 judges × 4 pitches scored on every criterion."""
    main = make_judging(engine, settings, judges=2, pitches=len(VALUES))
    hostile = make_judging(engine, settings, judges=2, pitches=len(HOSTILE_NAMES))
    with session_scope(engine) as session:
        for w in (main, hostile):
            session.get(Contest, w["contest"].id).language = "en"
        session.get(Contest, hostile["contest"].id).name = HOSTILE_CONTEST
        for pitch, name in zip(hostile["pitches"], HOSTILE_NAMES, strict=True):
            session.get(Pitch, pitch).startup_name = name
    _score(engine, main, VALUES)
    _score(engine, hostile, VALUES)
    with session_scope(engine) as session:
        tokens = [
            board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
            for w in (main, hostile)
        ]
        names = [
            c.name for c in rubric.list_criteria(session=session, contest_id=main["contest"].id)
        ]
    return {"main": main, "hostile": hostile, "displays": tokens, "criterion_names": names}


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """`streamlit run streamlit_app.py` on a free port, on the seeded database."""
    _require_chromium()  # no point starting the app without a browser to drive it
    for old in SCREENSHOTS.glob("pj_board_*.png"):
        old.unlink()
    root = tmp_path_factory.mktemp("browser_board")
    # Judge and display tokens are derived from the key: the seeding and the app share it.
    values, port = app_settings(
        root, PITCHJUDGE_ADMIN_PASSWORD=ADMIN_PASSWORD, PITCHJUDGE_SECRET_KEY=SECRET_KEY
    )
    url = values["PITCHJUDGE_BASE_URL"]
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    seeded = _seed(engine, settings)
    engine.dispose()

    main, hostile = seeded["main"], seeded["hostile"]
    with serve(root, values, port) as server:
        yield Room(
            app=server,
            settings=settings,
            contest_id=main["contest"].id,
            round_id=main["round_id"],
            judges=main["judges"],
            tokens=main["tokens"],
            pitches=main["pitches"],
            criteria=main["criteria"],
            criterion_names=seeded["criterion_names"],
            display=board.display_link(url, seeded["displays"][0]),
            hostile_round_id=hostile["round_id"],
            hostile_display=board.display_link(url, seeded["displays"][1]),
        )


@pytest.fixture(autouse=True)
def _server_log_on_failure(request: pytest.FixtureRequest, room: Room) -> Iterator[None]:
    """A failed test's report ends with the tail of the app's console."""
    yield
    report = getattr(request.node, "rep_call", None)  # set by pytest-playwright's hook
    if report is not None and report.failed:
        report.sections.append(("streamlit server log", room.app.log_tail()))


@pytest.fixture
def dialogs() -> list[str]:
    """The messages of every dialog (alert, confirm…) the projector opened."""
    return []


@pytest.fixture
def projector(new_context: Callable[..., BrowserContext], dialogs: list[str]) -> Page:
    """A browser context of its own, the size of a 16:9 projector, its dialogs recorded."""
    page = new_context().new_page()
    page.set_viewport_size(PROJECTOR)

    def on_dialog(dialog) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return page


# --- helpers ----------------------------------------------------------------------------------


def shot(page: Page, name: str) -> None:
    """What the room sees: the projector's screen in /tmp/pj_board_<name>.png."""
    page.screenshot(path=str(SCREENSHOTS / f"pj_board_{name}.png"), animations="disabled")


def organiser(room: Room, action: Callable, round_id: int | None = None) -> None:
    """What the organiser does from the Results page, straight through the board service."""
    engine = room.engine()
    try:
        with session_scope(engine) as session:
            action(session=session, round_id=round_id or room.round_id)
    finally:
        engine.dispose()


def set_board(room: Room, state: str, round_id: int | None = None) -> None:
    organiser(
        room,
        lambda *, session, round_id: board.set_board(
            session=session, round_id=round_id, state=state
        ),
        round_id,
    )


def expected_rows(room: Room) -> list[tuple[str, str]]:
    """The live leaderboard as the engine ranks it now, drawn as the board draws it."""
    engine = room.engine()
    try:
        with session_scope(engine, read_only=True) as session:
            table = results.round_leaderboard(session=session, round_id=room.round_id)
    finally:
        engine.dispose()
    return [
        (f"{rank}. {shown_name(name)}", f"{total:.2f}")
        for rank, name, total in zip(
            table["rank"], table["startup_name"], table["total"], strict=True
        )
    ]


def shown_rows(page: Page) -> list[tuple[str, str | None]] | None:
    """The projector's rows, top to bottom, as (label, total)."""
    rows = page.evaluate(_ROWS)
    return None if rows is None else [tuple(row) for row in rows]


def wait_for_rows(
    page: Page, done: Callable[[list], bool], timeout_s: float = 30.0, poll_s: float = 0.05
) -> tuple[list, float]:
    """The projector's rows once `done` holds for them, and the monotonic time it first held."""
    deadline = time.monotonic() + timeout_s
    rows = shown_rows(page) or []
    while not done(rows):
        if time.monotonic() > deadline:
            raise AssertionError(f"the projector still shows {rows}")
        page.wait_for_timeout(poll_s * 1000)
        rows = shown_rows(page) or []
    return rows, time.monotonic()


def open_projector(page: Page, link: str) -> None:
    page.goto(link)
    wait_for_app(page)


def stored_mark(room: Room, engine: Engine, judge: int, pitch: int, criterion: int) -> float | None:
    with session_scope(engine, read_only=True) as session:
        value = session.exec(
            select(Mark.value).where(
                Mark.round_id == room.round_id,
                Mark.judge_id == judge,
                Mark.pitch_id == pitch,
                Mark.criterion_id == criterion,
            )
        ).first()
    return None if value is None else float(value)


def wait_until_stored(
    room: Room, judge: int, pitch: int, criterion: int, value: float, timeout_s: float = 30.0
) -> float:
    """The monotonic time at which the server had stored the judge's mark."""
    engine = room.engine()
    try:
        deadline = time.monotonic() + timeout_s
        while stored_mark(room, engine, judge, pitch, criterion) != value:
            if time.monotonic() > deadline:
                raise AssertionError(f"the mark {value} was never stored")
            time.sleep(0.02)
        return time.monotonic()
    finally:
        engine.dispose()


def places_left(page: Page, count: int):
    word = "place" if count == 1 else "places"
    return page.get_by_text(f"{count} {word} still to reveal", exact=True)


# --- the acceptance tests ---------------------------------------------------------------------


def test_a_saved_mark_reaches_the_projector_within_the_refresh_interval(
    room: Room, page: Page, projector: Page
) -> None:
    set_board(room, "live")
    open_projector(projector, room.display)
    wait_for_rows(projector, lambda rows: rows == expected_rows(room), timeout_s=LONG / 1000)
    expect(
        projector.get_by_text(re.compile(r"Final · Live · \d+ of 8 scorecards in"))
    ).to_be_visible()
    shot(projector, "01_live")

    # The judge's laptop, in a browser context of its own, on the pitch now third.
    judge, pitch = room.judges[0], room.pitches[2]  # "Startup 3", marks of 3
    page.goto(f"{judge_link(room.app.url, room.tokens[0])}&pitch={pitch}")
    wait_for_app(page)
    for name in room.criterion_names:
        expect(mark_button(page, name, 1)).to_be_visible(timeout=LONG)

    delays = []
    for index, value in enumerate((5, 1, 4)):
        criterion, name = room.criteria[index], room.criterion_names[index]
        before = shown_rows(projector)
        mark_button(page, name, value).click()
        saved_at = wait_until_stored(room, judge, pitch, criterion, float(value))
        expected = expected_rows(room)
        assert expected != before, "the mark must change what the projector shows"
        _rows, shown_at = wait_for_rows(projector, lambda rows, e=expected: rows == e)
        delays.append(shown_at - saved_at)
        print(f"projector delay: {delays[-1]:.2f} s (mark {value} on {name!r})")
    shot(projector, "02_live_after_marks")
    assert max(delays) <= ALLOWED_DELAY_S, delays


def test_the_reveal_goes_from_the_last_place_to_the_winner(room: Room, projector: Page) -> None:
    set_board(room, "live")
    ranked = expected_rows(room)  # best first
    set_board(room, "reveal")
    open_projector(projector, room.display)
    expect(places_left(projector, len(ranked))).to_be_visible(timeout=LONG)
    expect(projector.get_by_text("And the winners are…", exact=False)).to_be_visible()
    assert shown_rows(projector) is None  # nothing drawn before the first click
    shot(projector, "03_reveal_start")

    appeared = []
    for step in range(1, len(ranked) + 1):
        organiser(room, board.reveal_next)
        rows, _at = wait_for_rows(projector, lambda rows, n=step: len(rows) == n)
        appeared.append(rows[0])  # the newly revealed place comes in on top
        assert rows == ranked[-step:], "the places revealed so far, in the final order"
        if step < len(ranked):
            expect(places_left(projector, len(ranked) - step)).to_be_visible(timeout=SHORT)
        if step == 2:
            shot(projector, "04_reveal_two_places")
    assert appeared == ranked[::-1]  # last place first, the winner last
    expect(projector.get_by_text(re.compile(r"places? still to reveal"))).to_have_count(0)
    shot(projector, "05_reveal_winner")


def test_a_frozen_board_does_not_move_when_marks_change(room: Room, projector: Page) -> None:
    set_board(room, "live")
    open_projector(projector, room.display)
    frozen, _at = wait_for_rows(projector, lambda rows: rows == expected_rows(room))
    set_board(room, "frozen")
    expect(projector.get_by_text(re.compile(r"Final · Frozen"))).to_be_visible(timeout=SHORT)

    # The last place gets top marks from both judges: live, it would now win.
    last = room.pitches[VALUES.index(min(VALUES))]
    engine = room.engine()
    try:
        with session_scope(engine) as session:
            for judge in room.judges:
                for criterion in room.criteria:
                    scoring.save_mark(
                        session=session,
                        round_id=room.round_id,
                        judge_id=judge,
                        pitch_id=last,
                        criterion_id=criterion,
                        value=5,
                    )
    finally:
        engine.dispose()
    live = expected_rows(room)
    assert live != frozen
    assert live[0][0] == "1. Startup 1"

    # More than two refreshes later, the board has not moved.
    watched_until = time.monotonic() + 2 * REFRESH_S + 1.0
    while time.monotonic() < watched_until:
        assert shown_rows(projector) == frozen
        projector.wait_for_timeout(250)
    shot(projector, "06_frozen_after_marks_changed")

    # Back to live, the same projector follows the marks: it was refreshing all along.
    set_board(room, "live")
    wait_for_rows(projector, lambda rows: rows == live)


def test_hostile_startup_names_are_inert_text_on_the_projector(
    room: Room, projector: Page, dialogs: list[str]
) -> None:
    set_board(room, "live", room.hostile_round_id)
    open_projector(projector, room.hostile_display)
    rows, _at = wait_for_rows(projector, lambda rows: len(rows) == len(HOSTILE_NAMES))
    labels = [label.split(". ", 1)[1] for label, _total in rows]
    # Every name drawn as typed; the long one cut where the chart cuts names, with "…".
    assert sorted(labels) == sorted(shown_name(name) for name in HOSTILE_NAMES)
    assert any(label.endswith("…") for label in labels)
    expect(projector.get_by_text(HOSTILE_CONTEST, exact=True)).to_be_visible()
    projector.wait_for_timeout(REFRESH_S * 1000 + 500)  # a refresh redraws it all
    main = projector.get_by_test_id("stMain")
    expect(main.locator("img")).to_have_count(0)
    expect(main.locator("a:not([href^='#'])")).to_have_count(0)  # headings' own anchors only
    expect(main.locator("strong, b")).to_have_count(0)
    assert dialogs == []
    shot(projector, "07_hostile_names")


def test_an_overtime_penalty_and_a_declared_conflict_reach_the_projector(
    room: Room, projector: Page
) -> None:
    """Issue 16: inputs other than marks move the board as fast as a mark (each is awaited
    with a generous timeout here; bench/bench_projector.py measures the delay)."""
    set_board(room, "live")
    open_projector(projector, room.display)
    wait_for_rows(projector, lambda rows: rows == expected_rows(room), timeout_s=LONG / 1000)
    engine = room.engine()
    judge, pitch = room.judges[0], room.pitches[1]
    try:
        # The two judges disagree on Startup 2, so one judge's conflict moves its total.
        with session_scope(engine) as session:
            for criterion in room.criteria:
                scoring.save_mark(
                    session=session,
                    round_id=room.round_id,
                    judge_id=judge,
                    pitch_id=pitch,
                    criterion_id=criterion,
                    value=1,
                )
        wait_for_rows(projector, lambda rows, e=expected_rows(room): rows == e, timeout_s=20)

        # Startup 2 pitched three minutes over time, at 100 points a minute: applied on stage.
        before = shown_rows(projector)
        with session_scope(engine) as session:
            stage.set_timing(
                session=session,
                contest_id=room.contest_id,
                settings=stage.Timing(pitch_seconds=300, qa_seconds=300, overtime_penalty=100),
            )
            stage.set_running_order(session=session, round_id=room.round_id, pitch_ids=[pitch])
            start = utcnow() - timedelta(minutes=20)
            stage.start_pitch(session=session, round_id=room.round_id, pitch_id=pitch, now=start)
            stage.start_qa(
                session=session, round_id=room.round_id, now=start + timedelta(minutes=8)
            )
            stage.decide_penalty(
                session=session, round_id=room.round_id, pitch_id=pitch, apply=True
            )
        penalised = expected_rows(room)
        assert penalised != before, "the penalty must change what the projector shows"
        wait_for_rows(projector, lambda rows: rows == penalised, timeout_s=20)
        shot(projector, "08_after_overtime_penalty")

        # The judge then declares a conflict with Startup 2: their marks stop counting.
        with session_scope(engine) as session:
            scoring.declare_conflict(
                session=session,
                round_id=room.round_id,
                judge_id=judge,
                pitch_id=pitch,
                reason="I advise this startup",
            )
        conflicted = expected_rows(room)
        assert conflicted != penalised, "the conflict must change what the projector shows"
        wait_for_rows(projector, lambda rows: rows == conflicted, timeout_s=20)
    finally:
        engine.dispose()
