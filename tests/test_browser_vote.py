"""The audience vote in a real browser (Debian's Chromium): a phone (390×844) votes, changes
its vote and is refused after the close; a ticket code used on one phone is refused on
another; the projector's tally moves when a vote arrives. Screenshots: /tmp/pj_vote_*.png.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest, VoteMode
from pitchjudge.services import auth, board, votes
from tests.browser_support import LONG_MS, SHORT_MS, App, _require_chromium, app_settings, serve
from tests.factories import make_judging

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1600, "height": 900}
SECRET_KEY = "browser-vote-secret-key-0123456789abcdef012"
SCREENSHOTS = Path("/tmp")


@dataclass
class Room:
    app: App
    engine_url: str
    organiser: str
    device: dict  # the device-mode vote: round, pitches, token
    tickets: dict  # the ticket-mode vote, with its codes
    projected: dict  # the vote on the projector, with the display link

    def engine(self):
        return make_engine(self.engine_url)


def _vote(engine, settings, organiser: str, *, mode=VoteMode.DEVICE, projector=False) -> dict:
    w = make_judging(engine, settings, judges=1, pitches=3)
    with session_scope(engine) as session:
        session.get(Contest, w["contest"].id).language = "en"
        votes.configure(
            session=session,
            organiser_token=organiser,
            round_id=w["round_id"],
            mode=mode,
            on_projector=projector,
        )
        if mode == VoteMode.TICKETS:
            w["codes"] = votes.generate_tickets(
                session=session,
                organiser_token=organiser,
                key=b"any-key-works-for-votes" * 2,
                round_id=w["round_id"],
                count=2,
            )
        votes.open_window(session=session, organiser_token=organiser, round_id=w["round_id"])
        w["token"] = votes.window_for_round(session=session, round_id=w["round_id"]).token
        w["display"] = board.display_token(
            session=session, settings=settings, contest_id=w["contest"].id
        )
    return w


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    _require_chromium()
    root = tmp_path_factory.mktemp("browser_vote")
    values, port = app_settings(root, PITCHJUDGE_SECRET_KEY=SECRET_KEY)
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    with session_scope(engine) as session:
        organiser = auth.open_organiser_session(session=session)
    device = _vote(engine, settings, organiser)
    tickets = _vote(engine, settings, organiser, mode=VoteMode.TICKETS)
    projected = _vote(engine, settings, organiser, projector=True)
    projected["link"] = board.display_link(values["PITCHJUDGE_BASE_URL"], projected["display"])
    engine.dispose()
    with serve(root, values, port) as app:
        yield Room(app, settings.database_url, organiser, device, tickets, projected)


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    """Browser contexts of any size (the suite's default one is a laptop's), closed after."""
    made: list[BrowserContext] = []

    def make(**kwargs) -> BrowserContext:
        made.append(browser.new_context(**kwargs))
        return made[-1]

    yield make
    for context in made:
        context.close()


def phone(new_context: Callable[..., BrowserContext]) -> Page:
    context = new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB")
    return context.new_page()


def tally(room: Room, w: dict) -> dict[int, int]:
    engine = room.engine()
    try:
        with session_scope(engine, read_only=True) as session:
            return votes.tally(session, w["round_id"])
    finally:
        engine.dispose()


def test_a_phone_votes_changes_its_vote_and_is_refused_after_close(room: Room, new_context):
    w = room.device
    p1, p2, p3 = w["pitches"]
    page = phone(new_context)
    page.goto(f"{room.app.url}/vote/{w['token']}", timeout=LONG_MS)
    expect(page.get_by_text("Tap the startup you vote for.")).to_be_visible()
    # Fits the phone's width: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Startup 2").tap()
    expect(page.get_by_role("status")).to_contain_text(
        "Thank you! Your vote for Startup 2 is counted.", timeout=SHORT_MS
    )
    expect(page.get_by_role("button", name="Startup 2")).to_have_attribute("aria-pressed", "true")
    page.screenshot(path=str(SCREENSHOTS / "pj_vote_phone_voted.png"))
    page.get_by_role("button", name="Startup 3").tap()
    expect(page.get_by_role("status")).to_contain_text("Your vote for Startup 3 is counted.")
    assert tally(room, w) == {p1: 0, p2: 0, p3: 1}

    engine = room.engine()
    with session_scope(engine) as session:
        votes.close_window(session=session, organiser_token=room.organiser, round_id=w["round_id"])
    engine.dispose()
    page.get_by_role("button", name="Startup 1").tap()  # the page was loaded while open
    expect(page.get_by_role("alert")).to_contain_text("The vote is closed")
    expect(page.get_by_role("button", name="Startup 1")).to_be_disabled()
    page.screenshot(path=str(SCREENSHOTS / "pj_vote_phone_closed.png"))
    assert tally(room, w) == {p1: 0, p2: 0, p3: 1}


def test_a_ticket_code_used_on_one_phone_is_refused_on_another(room: Room, new_context):
    w = room.tickets
    badge = f"{room.app.url}/vote/{w['token']}?code={votes.format_code(w['codes'][0])}"
    first = phone(new_context)
    first.goto(badge, timeout=LONG_MS)
    expect(first.get_by_label("Code on your ticket")).to_have_value(
        votes.format_code(w["codes"][0])
    )
    first.get_by_role("button", name="Startup 1").tap()
    expect(first.get_by_role("status")).to_contain_text("Your vote for Startup 1 is counted.")

    second = phone(new_context)
    second.goto(badge, timeout=LONG_MS)
    second.get_by_role("button", name="Startup 2").tap()
    expect(second.get_by_role("alert")).to_contain_text(
        "This code has already been used on another phone."
    )
    second.screenshot(path=str(SCREENSHOTS / "pj_vote_ticket_reused.png"))
    # Typed by hand, the other code works on that phone.
    second.get_by_label("Code on your ticket").fill(w["codes"][1].lower())
    second.get_by_role("button", name="Startup 2").tap()
    expect(second.get_by_role("status")).to_contain_text("Your vote for Startup 2 is counted.")
    p1, p2, p3 = w["pitches"]
    assert tally(room, w) == {p1: 1, p2: 1, p3: 0}


def test_the_projector_tally_moves_when_a_vote_arrives(room: Room, new_context):
    w = room.projected
    projector = new_context(viewport=PROJECTOR).new_page()
    projector.goto(w["link"], timeout=LONG_MS)
    tally_box = projector.locator('[data-testid="pj-vote-tally"]')
    expect(tally_box).to_have_attribute("data-voters", "0", timeout=LONG_MS)
    expect(projector.get_by_text("Scan the QR code with your phone")).to_be_visible()
    engine = room.engine()
    with session_scope(engine) as session:
        votes.cast_vote(
            session=session, token=w["token"], pitch_id=w["pitches"][1], device_id="phone-a"
        )
    sent = time.monotonic()
    engine.dispose()
    expect(tally_box).to_have_attribute("data-voters", "1", timeout=SHORT_MS)
    print(f"\nvote → projector: {time.monotonic() - sent:.2f} s")
    bar = tally_box.locator(".pj-bar").first
    expect(bar).to_have_attribute("style", "width:100.0%")
    expect(tally_box.locator(".pj-row").first).to_contain_text("Startup 2")
    projector.screenshot(path=str(SCREENSHOTS / "pj_vote_projector.png"))


def test_the_phone_page_in_french_has_no_serious_accessibility_problem(room: Room, new_context):
    from axe_playwright_python.sync_playwright import Axe

    w = room.tickets  # the fullest page: the code field and the buttons
    context = new_context(viewport=PHONE, is_mobile=True, locale="fr-FR", bypass_csp=True)
    page = context.new_page()
    page.goto(f"{room.app.url}/vote/{w['token']}", timeout=LONG_MS)
    expect(page.get_by_text("Touchez la startup pour laquelle vous votez.")).to_be_visible()
    expect(page.get_by_label("Code de votre billet")).to_be_visible()
    violations = Axe().run(page).response["violations"]
    severe = [
        f"{v['id']}: {v['help']}" for v in violations if v.get("impact") in ("serious", "critical")
    ]
    assert severe == []
