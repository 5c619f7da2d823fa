"""The applicant's journey in a real browser: Debian's Chromium driven by Playwright.

The app runs as a real `streamlit run` process on a free port with its own SQLite file and
deck store; the tests type, pick, upload and click like a founder and an organiser would, on a
13-inch laptop screen. Screenshots of the key steps land in /tmp/pj_browser_*.png.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest
from tests.browser_support import (
    LAPTOP_13,
    LONG_MS,
    SHORT_MS,
    App,
    _require_chromium,
    app_settings,
    serve,
)
from tests.factories import make_contest
from tests.pdf_samples import make_deck, png_bytes

pytestmark = pytest.mark.browser

SCREENSHOTS = Path("/tmp")

ADMIN_PASSWORD = "organiser-secret"
CONTEST_NAME = "Prix Browser 2027"
# User text with HTML and Markdown in it: every page must show it exactly as typed.
STARTUP_NAME = "Kelvio <b>Bold</b> **x**"
ONE_LINER = "Heat pumps installed in a week"
NEW_ONE_LINER = "Heat pumps installed in three days"

SHORT = SHORT_MS  # one rerun of a page (generous: see browser_support)
LONG = LONG_MS  # a first page load, a deck rendered (generous: see browser_support)


# --- the app under test ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[App]:
    """`streamlit run streamlit_app.py` on a free port, with a contest open for applications."""
    _require_chromium()  # no point starting the app without a browser to drive it
    for old in SCREENSHOTS.glob("pj_browser_*.png"):
        old.unlink()
    root = tmp_path_factory.mktemp("browser_app")
    database_url = f"sqlite:///{root}/app.db"
    engine = make_engine(database_url)
    migrate(engine)
    contest = make_contest(engine, name=CONTEST_NAME)
    # make_contest keeps ContestInput's default language (fr), and a contest's language wins
    # over PITCHJUDGE_LANGUAGE for visitors: this contest runs in English.
    with session_scope(engine) as session:
        session.get(Contest, contest.id).language = "en"
    engine.dispose()

    values, port = app_settings(
        root, PITCHJUDGE_DATABASE_URL=database_url, PITCHJUDGE_ADMIN_PASSWORD=ADMIN_PASSWORD
    )
    with serve(root, values, port) as server:
        yield server


@pytest.fixture(autouse=True)
def _server_log_on_failure(request: pytest.FixtureRequest, app: App) -> Iterator[None]:
    """A failed test's report ends with the tail of the app's console."""
    yield
    report = getattr(request.node, "rep_call", None)  # set by pytest-playwright's hook
    if report is not None and report.failed:
        report.sections.append(("streamlit server log", app.log_tail()))


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The files the founder uploads, each under the name a founder would give it."""
    folder = tmp_path_factory.mktemp("browser_decks")
    files = {
        "four_pages": ("deck.pdf", make_deck(pages=4)),
        "six_pages": ("deck-v2.pdf", make_deck(pages=6, seed=1)),
        "png": ("deck.pdf", png_bytes()),  # a picture renamed to .pdf
    }
    paths = {}
    for key, (filename, data) in files.items():
        path = folder / key / filename
        path.parent.mkdir()
        path.write_bytes(data)
        paths[key] = path
    return paths


# --- helpers ----------------------------------------------------------------------------------


def shot(page: Page, name: str) -> None:
    """A screenshot of the whole page in /tmp/pj_browser_<name>.png.

    Streamlit scrolls inside its main container, not the document, so full_page alone would
    capture the viewport only: the viewport is stretched to the content for the shot.
    """
    viewport = page.viewport_size or LAPTOP_13
    height = page.evaluate(
        "() => Math.max(...['stMain', 'stSidebarContent'].map("
        "id => document.querySelector(`[data-testid=${id}]`)?.scrollHeight || 0))"
    )
    page.set_viewport_size({"width": viewport["width"], "height": max(height, viewport["height"])})
    try:
        page.screenshot(path=str(SCREENSHOTS / f"pj_browser_{name}.png"), full_page=True)
    finally:
        page.set_viewport_size(viewport)


def wait_for_app(page: Page) -> None:
    """Streamlit has run the page's script once since the page was loaded."""
    expect(
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    ).to_have_count(1, timeout=LONG)


# Counts the script runs that end, however short they are: every change of the attribute to
# "notRunning" from another state ("running", but also "rerunRequested" when a second rerun was
# asked for while the first ran). A record's new value is the next record's old value, or the
# attribute's current value for the last record.
_WATCH_RUNS = """() => {
    const app = document.querySelector('[data-testid="stApp"]');
    window.__pjFinishedRuns = 0;
    window.__pjObserver?.disconnect();
    window.__pjObserver = new MutationObserver((records) => {
        records.forEach((record, i) => {
            const next = i + 1 < records.length
                ? records[i + 1].oldValue : app.dataset.testScriptState;
            if (next === "notRunning" && record.oldValue !== "notRunning") {
                window.__pjFinishedRuns += 1;
            }
        });
    });
    window.__pjObserver.observe(app, {
        attributes: true, attributeOldValue: true, attributeFilter: ["data-test-script-state"],
    });
}"""
_RUN_DONE = """() => window.__pjFinishedRuns > 0
    && document.querySelector('[data-testid="stApp"]').dataset.testScriptState === "notRunning"
"""


@contextmanager
def script_run(page: Page) -> Iterator[None]:
    """After the block's action, wait until the rerun it triggered has finished."""
    page.evaluate(_WATCH_RUNS)
    yield
    page.wait_for_function(_RUN_DONE, timeout=LONG)


def fill(page: Page, label: str, value: str) -> None:
    page.get_by_label(label, exact=True).fill(value)


def choose(page: Page, label: str, option: str) -> None:
    """Pick `option` in the st.selectbox labelled `label`."""
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def upload(page: Page, path: Path) -> None:
    """Upload `path` with the page's file uploader and wait until the upload is done."""
    page.locator("input[type=file]").first.set_input_files(path)
    chip = page.get_by_test_id("stFileChip").filter(has_text=path.name)
    expect(chip).to_be_visible(timeout=LONG)
    expect(chip.get_by_test_id("stFileChipIconSpinner")).to_have_count(0, timeout=LONG)


def open_apply_page(page: Page, app: App) -> None:
    page.goto(f"{app.url}/")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Apply", exact=True)).to_be_visible(timeout=SHORT)
    expect(page.get_by_label("Startup name *", exact=True)).to_be_visible(timeout=SHORT)


def fill_apply_form(page: Page, *, name: str, email: str, deck: Path) -> None:
    fill(page, "Startup name *", name)
    fill(page, "One-liner *", ONE_LINER)
    choose(page, "Category *", "Climat")
    fill(page, "Website", "https://kelvio.example")
    fill(page, "Founders *", "Camille Martin (CEO), Noé Durand (CTO)")
    fill(page, "Contact email *", email)
    fill(page, "Description *", "We install heat pumps.\nFast, and with a warranty.")
    upload(page, deck)
    page.get_by_text("I agree that the organisers process the data").click()


def badge(scope: Page | Locator, text: str) -> Locator:
    """An st.badge (a Markdown badge: a span with a class, no test id)."""
    return scope.locator("span.stMarkdownBadge", has_text=text)


# --- the journey ----------------------------------------------------------------------------


def test_applicant_journey(
    app: App,
    page: Page,
    context: BrowserContext,
    new_context: Callable[..., BrowserContext],
    decks: dict[str, Path],
) -> None:
    # 1. Apply, with HTML and Markdown in the startup name.
    open_apply_page(page, app)
    shot(page, "01_apply_empty")
    fill_apply_form(
        page, name=STARTUP_NAME, email="camille@kelvio.example", deck=decks["four_pages"]
    )
    shot(page, "02_apply_filled")
    page.get_by_role("button", name="Submit my application").click()
    expect(page.get_by_text("is registered")).to_be_visible(timeout=LONG)
    # The name is shown as typed: the tags as text, and no bold element made of them.
    expect(page.get_by_text(f"The application of {STARTUP_NAME} is registered.")).to_be_visible()
    assert page.locator("b", has_text="Bold").count() == 0
    link = page.get_by_test_id("stCode").first.inner_text().strip()
    # The link leads back to this app with the token (its path is the app's business).
    parts = urllib.parse.urlsplit(link)
    assert f"{parts.scheme}://{parts.netloc}" == app.url, link
    assert re.fullmatch(r"[\w-]{20,}", urllib.parse.parse_qs(parts.query)["token"][0]), link
    shot(page, "03_apply_registered")

    # 2. The private link, in a new page: the application, then an edit that survives a reload.
    mine = context.new_page()
    mine.goto(link)
    wait_for_app(mine)
    expect(mine.get_by_role("heading", name=STARTUP_NAME, exact=True)).to_be_visible(timeout=SHORT)
    expect(badge(mine, "Submitted")).to_be_visible()
    expect(mine.get_by_text(ONE_LINER, exact=True)).to_be_visible()
    assert mine.locator("b", has_text="Bold").count() == 0
    expect(mine.get_by_text(re.compile(r"^Deck: 4 pages"))).to_be_visible()
    shot(mine, "04_mine")
    one_liner = mine.get_by_label("One-liner", exact=True)
    expect(one_liner).to_have_value(ONE_LINER)
    one_liner.fill(NEW_ONE_LINER)
    mine.get_by_role("button", name="Save my changes").click()
    expect(mine.get_by_text("Your changes are saved.")).to_be_visible(timeout=SHORT)
    mine.reload()
    wait_for_app(mine)
    expect(mine.get_by_text(NEW_ONE_LINER, exact=True)).to_be_visible(timeout=SHORT)
    expect(mine.get_by_text(ONE_LINER, exact=True)).to_have_count(0)
    expect(mine.get_by_text("Your changes are saved.")).to_have_count(0)  # said once only

    # 3. Replace the deck with a 6-page one.
    mine.get_by_role("tab", name="Replace the deck", exact=True).click()
    upload(mine, decks["six_pages"])
    replace = mine.get_by_role("button", name="Replace my deck")
    expect(replace).to_be_enabled(timeout=SHORT)
    replace.click()
    expect(mine.get_by_text("Your new deck is in place.")).to_be_visible(timeout=LONG)
    expect(mine.get_by_text(re.compile(r"^Deck: 6 pages"))).to_be_visible()
    shot(mine, "05_mine_new_deck")

    # 4. The organiser, in a browser context of their own, sees the changes.
    organiser = new_context().new_page()
    organiser.goto(f"{app.url}/sign_in")
    wait_for_app(organiser)
    organiser.get_by_label("Organiser password").fill(ADMIN_PASSWORD)
    organiser.get_by_role("button", name="Sign in").click()
    expect(organiser.get_by_role("heading", name="Applications", exact=True)).to_be_visible(
        timeout=SHORT
    )
    # The card: the column holding the name, the badge, the thumbnail and one button.
    card = (
        organiser.get_by_test_id("stColumn")
        .filter(has_text=STARTUP_NAME)
        .filter(has=organiser.get_by_test_id("stButton"))
        .first
    )
    expect(card).to_be_visible(timeout=SHORT)
    expect(badge(card, "Submitted")).to_be_visible()
    expect(card.get_by_role("img")).to_be_visible(timeout=SHORT)
    assert organiser.locator("b", has_text="Bold").count() == 0
    shot(organiser, "06_organiser_list")
    card.get_by_test_id("stButton").get_by_role("button").click()  # Open / Details
    expect(organiser.get_by_text(NEW_ONE_LINER, exact=True)).to_be_visible(timeout=SHORT)
    expect(organiser.get_by_text(re.compile(r"6 pages"))).to_be_visible()
    shot(organiser, "07_organiser_open")

    # 5. The applicant withdraws; the organiser's counts follow.
    withdraw_tab = mine.get_by_role("tab", name="Withdraw", exact=True)
    withdraw_tab.click()
    with script_run(mine):
        mine.get_by_text("I want to withdraw this application", exact=True).click()
    # The previous notice is gone in this rerun; the tabs must not jump back to the first one.
    expect(withdraw_tab).to_have_attribute("aria-selected", "true")
    expect(mine.get_by_role("tabpanel", name="Withdraw").get_by_role("checkbox")).to_be_checked()
    withdraw = mine.get_by_role("button", name="Withdraw my application")
    expect(withdraw).to_be_enabled(timeout=SHORT)
    withdraw.click()
    expect(mine.get_by_text("Your application is withdrawn.")).to_be_visible(timeout=SHORT)
    expect(mine.get_by_text("You withdrew this application.")).to_be_visible()
    expect(badge(mine, "Withdrawn")).to_be_visible()
    expect(mine.get_by_role("tab")).to_have_count(0, timeout=SHORT)  # nothing left to edit
    shot(mine, "08_mine_withdrawn")

    # Not organiser.reload(): a browser reload starts a new Streamlit session, and the
    # sign-in lives in st.session_state only. The sidebar link reruns the same session.
    with script_run(organiser):
        organiser.get_by_test_id("stSidebarNav").get_by_role("link", name="Applications").click()
    withdrawn = organiser.get_by_test_id("stMetric").filter(has_text="Withdrawn")
    expect(withdrawn.get_by_test_id("stMetricValue")).to_have_text("1", timeout=SHORT)
    submitted = organiser.get_by_test_id("stMetric").filter(has_text="Submitted")
    expect(submitted.get_by_test_id("stMetricValue")).to_have_text("0")
    expect(badge(organiser, "Withdrawn").first).to_be_visible()
    shot(organiser, "09_organiser_refreshed")


def test_apply_refuses_a_png_renamed_pdf(app: App, page: Page, decks: dict[str, Path]) -> None:
    open_apply_page(page, app)
    name = "Noxa Robotics"
    fill_apply_form(page, name=name, email="team@noxa.example", deck=decks["png"])
    page.get_by_role("button", name="Submit my application").click()
    error = page.get_by_test_id("stAlert").filter(has_text="not a PDF")
    expect(error).to_be_visible(timeout=LONG)
    expect(error).to_contain_text(
        "This file is not a PDF (renaming a file to .pdf does not convert it)."
    )
    # The field it is about: named in the summary at the button.
    summary = page.get_by_test_id("stAlert").filter(has_text="field to correct")
    expect(summary).to_contain_text("Pitch deck (PDF)")
    # Nothing typed is lost.
    expect(page.get_by_label("Startup name *", exact=True)).to_have_value(name)
    expect(page.get_by_label("Contact email *", exact=True)).to_have_value("team@noxa.example")
    expect(page.get_by_text("is registered")).to_have_count(0)
    shot(page, "10_apply_png_refused")


@pytest.mark.parametrize("address", ["results", "sign_in"])
def test_a_bookmarked_page_opens_with_the_apps_navigation(
    app: App, page: Page, address: str
) -> None:
    # Streamlit would run pages/<address>.py alone (its automatic navigation, every file
    # listed by name); the page hands over to the entry script instead.
    page.goto(f"{app.url}/{address}")
    wait_for_app(page)
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Apply", exact=True)).to_be_visible(timeout=LONG)
    expect(nav.get_by_text("streamlit app")).to_have_count(0)
    expect(nav.get_by_text("board", exact=True)).to_have_count(0)
    if address == "results":
        expect(page.get_by_text("This page is for organisers. Sign in first.")).to_be_visible()
    else:
        expect(page.get_by_label("Organiser password")).to_be_visible()


def test_the_organiser_stays_signed_in_across_a_reload_until_signing_out(
    app: App, page: Page
) -> None:
    page.goto(f"{app.url}/sign_in")
    wait_for_app(page)
    page.get_by_label("Organiser password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text("Results", exact=True)).to_be_visible(timeout=LONG)
    page.wait_for_function("() => document.cookie.includes('pj_organiser=')", timeout=SHORT)
    cookie = next(c for c in page.context.cookies() if c["name"] == "pj_organiser")
    assert cookie["sameSite"] == "Strict"

    # The laptop reloads (or wakes up on a new session): still signed in, same page.
    page.goto(f"{app.url}/results")
    wait_for_app(page)
    expect(nav.get_by_text("Results", exact=True)).to_be_visible(timeout=LONG)
    expect(page.get_by_text("This page is for organisers. Sign in first.")).to_have_count(0)

    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(nav.get_by_text("Results", exact=True)).to_have_count(0, timeout=SHORT)
    page.reload()
    wait_for_app(page)
    expect(nav.get_by_text("Apply", exact=True)).to_be_visible(timeout=LONG)
    expect(nav.get_by_text("Results", exact=True)).to_have_count(0)
    # A copy of the old cookie opens nothing: the session ended on the server.
    page.context.add_cookies([{**cookie}])
    page.goto(f"{app.url}/results")
    wait_for_app(page)
    expect(page.get_by_text("This page is for organisers. Sign in first.")).to_be_visible(
        timeout=LONG
    )
