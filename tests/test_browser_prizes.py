"""Prizes in a real browser: the organiser defines prizes and confirms the allocation after
the dialog's numbers, then drives the palmarès, which an open projector follows prize by
prize. Screenshots land in /tmp/pj_prizes_*.png."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Page, expect

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest
from pitchjudge.services import board
from tests.browser_support import LONG_MS, SHORT_MS, App, _require_chromium, app_settings, serve
from tests.factories import make_judging
from tests.test_browser import wait_for_app
from tests.test_browser_addresses import sign_in
from tests.test_promotion import mark_all

pytestmark = pytest.mark.browser

SECRET_KEY = "browser-prizes-secret-key-0123456789abcdef"
PROJECTOR = {"width": 1600, "height": 900}


@dataclass
class Room:
    app: App
    display: str


@pytest.fixture(scope="module")
def room(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Room]:
    """Three startups scored 5 > 4 > 3 in one round, the app serving them."""
    _require_chromium()
    root = tmp_path_factory.mktemp("browser_prizes")
    values, port = app_settings(root, PITCHJUDGE_SECRET_KEY=SECRET_KEY)
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    w = make_judging(engine, settings, judges=2, pitches=3)
    mark_all(engine, w, w["round_id"], w["judges"], {0: 5, 1: 4, 2: 3})
    with session_scope(engine) as session:
        session.get(Contest, w["contest"].id).language = "en"
        token = board.display_token(session=session, settings=settings, contest_id=w["contest"].id)
    engine.dispose()
    with serve(root, values, port) as server:
        yield Room(app=server, display=board.display_link(values["PITCHJUDGE_BASE_URL"], token))


def add_prize(page: Page, name: str, sponsor: str, amount: str) -> None:
    page.get_by_label("Name", exact=True).fill(name)
    page.get_by_label("Sponsor", exact=True).fill(sponsor)
    page.get_by_label("Amount", exact=True).fill(amount)
    page.get_by_role("button", name="Add the prize").click()
    expect(page.get_by_text("The prize is saved.")).to_be_visible(timeout=SHORT_MS)
    wait_for_app(page)


def next_step(organiser: Page, step: int) -> None:
    organiser.get_by_role("button", name="Next", exact=True).click()
    expect(organiser.get_by_text(f"Step {step} of 6")).to_be_visible(timeout=SHORT_MS)


def test_prizes_are_defined_confirmed_and_revealed_on_the_projector(
    room: Room, browser: Browser
) -> None:
    organiser = browser.new_page(viewport={"width": 1280, "height": 900})
    sign_in(organiser, room.app)
    organiser.goto(f"{room.app.url}/prizes?lang=en")
    wait_for_app(organiser)
    expect(organiser.get_by_text("No prize yet")).to_be_visible(timeout=LONG_MS)
    add_prize(organiser, "Grand Prize", "City", "10000")
    add_prize(organiser, "Runner-up", "Bank", "2500")
    expect(organiser.get_by_text("Runner-up → Startup 2")).to_be_visible(timeout=SHORT_MS)
    expect(
        organiser.get_by_text("Startup 1 is No. 1 on the jury ranking but already holds Grand")
    ).to_be_visible()

    organiser.get_by_role("button", name="Confirm and freeze the allocation").click()
    dialog = organiser.get_by_role("dialog")
    expect(dialog.get_by_text("2 of 2 prizes will be awarded, 12,500.00 in all.")).to_be_visible(
        timeout=SHORT_MS
    )
    organiser.screenshot(path="/tmp/pj_prizes_confirm.png")
    dialog.get_by_role("button", name="Freeze").click()
    expect(organiser.get_by_text("The allocation is confirmed.")).to_be_visible(timeout=SHORT_MS)

    projector = browser.new_page(viewport=PROJECTOR)
    projector.goto(room.display)
    wait_for_app(projector)
    expect(projector.locator(".pj-palmares")).to_have_count(0)

    organiser.get_by_role("button", name="Start the ceremony").click()
    expect(organiser.get_by_text("Step 0 of 6")).to_be_visible(timeout=SHORT_MS)
    slide = projector.locator(".pj-palmares")
    # The projector follows on its own (its watcher reruns it): no reload.
    expect(slide).to_contain_text("Palmarès", timeout=SHORT_MS)
    expect(projector.locator('header[data-testid="stHeader"]')).to_be_hidden()

    steps = [
        ("Prize 1 of 2", "Runner-up", None),
        ("Offered by Bank", "2,500.00", None),
        ("Runner-up", "Startup 2", "Startup 2"),
        ("Prize 2 of 2", "Grand Prize", None),
        ("Offered by City", "10,000.00", None),
        ("Grand Prize", "Startup 1", "Startup 1"),
    ]
    for step, (first, second, winner) in enumerate(steps, start=1):
        next_step(organiser, step)
        expect(slide).to_contain_text(first, timeout=SHORT_MS)
        expect(slide).to_contain_text(second)
        if winner is None:
            expect(projector.locator(".pj-winner")).to_have_count(0)
        else:
            expect(projector.locator(".pj-winner")).to_have_text(winner)
            projector.screenshot(path=f"/tmp/pj_prizes_winner_{step}.png")
    # Back one step: the Grand Prize's winner is hidden again on the projector.
    organiser.get_by_role("button", name="Previous").click()
    expect(projector.locator(".pj-winner")).to_have_count(0, timeout=SHORT_MS)
    # The ceremony ends: the projector shows the leaderboard again.
    organiser.get_by_role("button", name="End the ceremony").click()
    expect(slide).to_have_count(0, timeout=SHORT_MS)
