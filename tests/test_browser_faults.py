"""PostgreSQL restarted while a judge scores and the projector shows the board, in Chromium.

Issue #14 ("faults survived"): during the outage the judge's saves say "Connection lost —
retrying…" (no exception), the marks and the comment typed meanwhile wait in the browser and
are in the database once it is back; the projector keeps its last board with a
"Reconnecting…" mark, never Streamlit's exception box, and then shows the new marks.

The database is a private PostgreSQL server (tests/pg_support.py): the shared cluster is
never restarted. Screenshots land in /tmp/pj_faults_*.png.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.formatting import format_fixed
from pitchjudge.models import Contest
from pitchjudge.services import board, rubric, scoring
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
from tests.pg_support import PrivatePostgres, private_postgres
from tests.test_browser import wait_for_app

pytestmark = [pytest.mark.browser, pytest.mark.postgres]

SECRET_KEY = "browser-faults-secret-key-0123456789abcdef01"
BEFORE = (4, 3, 5, 2, 4, 1)  # the six criteria of the classic rubric, saved before the outage
DURING = (1, 5, 1, 5, 1, 5)  # clicked while the database is away
COMMENT = "Typed while the database was away: strong team, unclear pricing."
RETRYING = "Connection lost — retrying…"

# Whether Streamlit's exception box ever showed, even for a moment (polled every 100 ms).
WATCH_EXCEPTIONS = """
window.__pjExceptions = 0;
setInterval(() => {
  if (document.querySelector('[data-testid="stException"]')) window.__pjExceptions += 1;
}, 100);
"""


@dataclass
class Faulty:
    app: App
    pg: PrivatePostgres
    contest_id: int
    round_id: int
    judge_id: int
    token: str
    pitch_id: int
    criteria: list[int]
    names: list[str]
    display: str

    def engine(self) -> Engine:
        return make_engine(self.pg.url)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Faulty]:
    _require_chromium()
    with private_postgres() as pg:
        root = tmp_path_factory.mktemp("browser_faults")
        values, port = app_settings(
            root,
            PITCHJUDGE_DATABASE_URL=pg.url,
            PITCHJUDGE_SECRET_KEY=SECRET_KEY,
            PITCHJUDGE_REFRESH_S="1",
        )
        settings = load_settings(values, env_file=None)
        engine = make_engine(settings.database_url)
        migrate(engine)
        seeded = make_judging(engine, settings, judges=1, pitches=2)
        contest_id = seeded["contest"].id
        with session_scope(engine) as session:
            session.get(Contest, contest_id).language = "en"
            board.set_board(session=session, round_id=seeded["round_id"], state="live")
            token = board.display_token(session=session, settings=settings, contest_id=contest_id)
            names = [c.name for c in rubric.list_criteria(session=session, contest_id=contest_id)]
        engine.dispose()
        assert len(names) == len(BEFORE)
        with serve(root, values, port) as server:
            yield Faulty(
                app=server,
                pg=pg,
                contest_id=contest_id,
                round_id=seeded["round_id"],
                judge_id=seeded["judges"][0],
                token=seeded["tokens"][0],
                pitch_id=seeded["pitches"][0],
                criteria=seeded["criteria"],
                names=names,
                display=board.display_link(server.url, token),
            )


@pytest.fixture(autouse=True)
def _logs_on_failure(request: pytest.FixtureRequest, faulty: Faulty) -> Iterator[None]:
    """A failed test's report ends with the app's console and the database server's log."""
    yield
    report = getattr(request.node, "rep_call", None)  # set by pytest-playwright's hook
    if report is not None and report.failed:
        report.sections.append(("streamlit server log", faulty.app.log_tail(120)))
        report.sections.append(("postgresql log", faulty.pg.log_tail()))


def mark_button(page: Page, name: str, value: int):
    group = page.get_by_role("radiogroup", name=re.compile(rf"^{re.escape(name)} ·"))
    return group.get_by_role("radio", name=str(value), exact=True)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=f"/tmp/pj_faults_{name}.png", animations="disabled")


def stored(faulty: Faulty) -> scoring.ScorecardView:
    engine = faulty.engine()
    try:
        with session_scope(engine, read_only=True) as session:
            return scoring.scorecard_view(
                session=session,
                round_id=faulty.round_id,
                judge_id=faulty.judge_id,
                pitch_id=faulty.pitch_id,
            )
    finally:
        engine.dispose()


def board_total(faulty: Faulty) -> str:
    """The pitch's total as the projector must write it (English contest)."""
    engine = faulty.engine()
    try:
        with session_scope(engine, read_only=True) as session:
            view = board.board_view(session=session, contest_id=faulty.contest_id)
    finally:
        engine.dispose()
    row = next(r for r in view.rows if r.pitch_id == faulty.pitch_id)
    return format_fixed(row.total, language="en")


def test_a_postgres_restart_during_scoring_loses_nothing_and_shows_no_exception(
    faulty: Faulty, browser: Browser
) -> None:
    judge_context = browser.new_context(viewport=LAPTOP_13)
    judge_context.add_init_script(WATCH_EXCEPTIONS)
    judge = judge_context.new_page()
    room_context = browser.new_context(viewport={"width": 1280, "height": 720})
    room_context.add_init_script(WATCH_EXCEPTIONS)
    room = room_context.new_page()
    try:
        rubric_status = judge.locator(".pj-marks > .pj-status")
        comment = judge.get_by_role("textbox", name="Comment for the applicant", exact=True)
        comment_status = judge.locator(".pj-autosave").filter(has=comment).locator(".pj-status")
        row = room.locator(f'.pj-row[data-pitch="{faulty.pitch_id}"]')
        reconnecting = room.locator(".pj-reconnecting")

        # 1. Scoring as usual: six marks saved, the projector shows the pitch's total.
        room.goto(faulty.display)
        wait_for_app(room)
        expect(room.locator(".pj-screen")).to_be_visible(timeout=LONG_MS)
        judge.goto(f"{judge_link(faulty.app.url, faulty.token)}&pitch={faulty.pitch_id}")
        wait_for_app(judge)
        for name, value in zip(faulty.names, BEFORE, strict=True):
            mark_button(judge, name, value).click()
        expect(rubric_status).to_have_text("Saved", timeout=SHORT_MS)
        assert list(stored(faulty).marks.values()) == list(map(float, BEFORE))
        before_total = board_total(faulty)
        expect(row.locator(".pj-total")).to_have_text(before_total, timeout=LONG_MS)

        # 2. The database goes away (a fast shutdown, as `systemctl restart` does).
        faulty.pg.stop()
        down = time.monotonic()
        for name, value in zip(faulty.names, DURING, strict=True):
            mark_button(judge, name, value).click()
        comment.click()
        comment.press_sequentially(COMMENT)
        judge.keyboard.press("Tab")  # leaving the box sends it at once
        # The judge's page says so, in words; the clicked marks stay shown.
        expect(rubric_status).to_have_text(RETRYING, timeout=SHORT_MS)
        expect(comment_status).to_have_text(RETRYING, timeout=SHORT_MS)
        for name, value in zip(faulty.names, DURING, strict=True):
            expect(mark_button(judge, name, value)).to_have_attribute("aria-checked", "true")
        # The projector keeps its board, marked "Reconnecting…".
        expect(reconnecting).to_be_visible(timeout=LONG_MS)
        marked = time.monotonic() - down
        expect(row.locator(".pj-total")).to_have_text(before_total)
        shot(judge, "judge_retrying")
        shot(room, "room_reconnecting")
        # Some more seconds away: retries keep failing quietly, still no exception.
        judge.wait_for_timeout(3000)
        expect(rubric_status).to_have_text(RETRYING)
        expect(comment_status).to_have_text(RETRYING)
        expect(reconnecting).to_be_visible()
        # The judge reloads: the page says it is reconnecting (no error, no error id) and
        # the marks and the comment wait in the browser's storage.
        judge.reload()
        expect(judge.get_by_text("Connection to the database lost — reconnecting…")).to_be_visible(
            timeout=LONG_MS
        )
        shot(judge, "judge_reloaded_away")

        # 3. The database is back: the waiting saves land, the projector catches up.
        faulty.pg.start()
        back = time.monotonic()
        expect(rubric_status).to_have_text("Saved", timeout=LONG_MS)
        expect(comment_status).to_have_text("Saved", timeout=LONG_MS)
        saved = time.monotonic() - back
        after = stored(faulty)
        assert list(after.marks.values()) == list(map(float, DURING))
        assert after.comment == COMMENT
        after_total = board_total(faulty)
        assert after_total != before_total
        expect(row.locator(".pj-total")).to_have_text(after_total, timeout=LONG_MS)
        expect(reconnecting).to_have_count(0, timeout=LONG_MS)
        caught_up = time.monotonic() - back
        print(
            f"\noutage: projector marked 'Reconnecting…' {marked:.1f} s after the stop; "
            f"after the start, marks and comment saved in {saved:.1f} s, projector caught up "
            f"in {caught_up:.1f} s"
        )
        shot(judge, "judge_saved")
        shot(room, "room_caught_up")

        # Never Streamlit's exception box, on either screen, at any moment.
        for page in (judge, room):
            assert page.evaluate("window.__pjExceptions") == 0
            expect(page.get_by_text("Something went wrong")).to_have_count(0)
    finally:
        judge_context.close()
        room_context.close()
