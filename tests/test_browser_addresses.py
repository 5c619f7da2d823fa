"""Addresses, language and links in a real browser: what a visitor meets before any form.

- the Apply page's problems are drawn where the applicant looks (phone and laptop);
- every page address opens its page, or a translated sentence naming the link it needs, never
  Streamlit's English "Page not found" dialog;
- a visitor who switched to English stays in English (page switches, reloads, the links);
- links follow the address in use, unless PITCHJUDGE_BASE_URL says otherwise (then the
  organiser is warned).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.services import board, judges
from tests.browser_support import LONG_MS, SHORT_MS, App, _require_chromium, app_settings, serve
from tests.factories import make_contest
from tests.pdf_samples import make_deck

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "organiser-secret"
SHORT = SHORT_MS  # one rerun of a page, on a busy machine
LONG = LONG_MS  # a first page load, a deck checked, on a busy machine
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 768}
ORGANISER_PAGES = (
    "applications",
    "contest",
    "rubric",
    "rounds",
    "judges",
    "assignments",
    "progress",
    "stage",
    "results",
    "analytics",
)


def _prepare(root: Path, **overrides: str) -> tuple[dict[str, str], int, dict[str, str]]:
    """A French contest open for applications, one judge; the app's environment, its port,
    and the judge's and display tokens."""
    values, port = app_settings(root, PITCHJUDGE_ADMIN_PASSWORD=ADMIN_PASSWORD, **overrides)
    values = {k: v for k, v in values.items() if v != ""}
    engine = make_engine(values["PITCHJUDGE_DATABASE_URL"])
    migrate(engine)
    contest = make_contest(engine, name="Prix Adresses 2027")  # a French contest
    settings = load_settings(values, env_file=None)
    with session_scope(engine) as session:
        judge = judges.add_judge(
            session=session,
            settings=settings,
            contest_id=contest.id,
            data=judges.JudgeInput(name="Inès Judge"),
        )
        tokens = {
            "judge": judges.judge_token(settings=settings, judge=judge),
            "display": board.display_token(
                session=session, settings=settings, contest_id=contest.id
            ),
        }
    engine.dispose()
    return values, port, tokens


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[App, dict[str, str]]]:
    """The app with no PITCHJUDGE_BASE_URL: links follow the address the browser uses."""
    _require_chromium()
    root = tmp_path_factory.mktemp("addresses_app")
    values, port, tokens = _prepare(root)
    del values["PITCHJUDGE_BASE_URL"]
    with serve(root, values, port) as server:
        yield server, tokens


@pytest.fixture
def app(served: tuple[App, dict[str, str]]) -> App:
    return served[0]


@pytest.fixture
def tokens(served: tuple[App, dict[str, str]]) -> dict[str, str]:
    return served[1]


def wait_for_app(page: Page) -> None:
    expect(
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    ).to_have_count(1, timeout=LONG)


def sign_in(page: Page, app: App) -> None:
    page.goto(f"{app.url}/sign_in?lang=en")
    wait_for_app(page)
    page.get_by_label("Organiser password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    # Signed in for this browser (the pages below are opened by address, in new sessions).
    page.wait_for_function("() => document.cookie.includes('pj_organiser=')", timeout=LONG)


def no_page_not_found(page: Page) -> None:
    """Streamlit's English dialog for an unknown address is not on the screen."""
    expect(page.get_by_text("Page not found")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)


# --- 5. the Apply page's problems are in view ----------------------------------------------


@pytest.mark.parametrize("viewport", [PHONE, LAPTOP], ids=["phone-390x844", "laptop-1366x768"])
def test_apply_problems_are_shown_in_view_at_the_button(
    browser: Browser, app: App, viewport: dict[str, int], tmp_path: Path
) -> None:
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    try:
        page.goto(f"{app.url}/?lang=en")
        wait_for_app(page)
        page.get_by_label("Contact email *", exact=True).fill("camille@")
        png = tmp_path / "deck.pdf"
        png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 2000)  # a picture renamed .pdf
        page.locator("input[type=file]").first.set_input_files(png)
        chip = page.get_by_test_id("stFileChip").filter(has_text="deck.pdf")
        expect(chip).to_be_visible(timeout=LONG)
        page.get_by_role("button", name="Submit my application").click()

        # One click: every problem, and the one in view names them all.
        summary = page.get_by_test_id("stAlert").filter(has_text="fields to correct")
        expect(summary).to_be_visible(timeout=LONG)
        expect(summary).to_be_in_viewport()
        for field in ("Startup name", "One-liner", "Category", "Founders", "Contact email"):
            expect(summary).to_contain_text(field)
        expect(summary).to_contain_text("Pitch deck (PDF)")
        expect(summary).to_contain_text("Consent")
        # Each problem also sits under its own field.
        email = page.get_by_test_id("stAlert").filter(has_text="not a valid email address")
        expect(email).to_have_count(1)
        expect(page.get_by_test_id("stAlert").filter(has_text="not a PDF")).to_have_count(1)
        name_box = page.get_by_label("Startup name *", exact=True).bounding_box()
        name_error = (
            page.get_by_test_id("stAlert")
            .filter(has_text="Startup name is required")
            .bounding_box()
        )
        assert name_box and name_error and 0 <= name_error["y"] - name_box["y"] < 200
        expect(page.get_by_label("Contact email *", exact=True)).to_have_value("camille@")
        page.screenshot(path=f"/tmp/pj_addresses_apply_{viewport['width']}.png")
    finally:
        context.close()


# --- 6. every page address ------------------------------------------------------------------


VISITOR_ADDRESSES = {
    "": ("heading", "Apply"),
    "apply": ("heading", "Apply"),
    "my_application": ("text", "Open this page with the private link"),
    "sign_in": ("label", "Organiser password"),
    **{name: ("text", "This page is for organisers. Sign in first.") for name in ORGANISER_PAGES},
    "judge": ("text", "This page opens with a judge's personal link."),
    "board": ("text", "This screen opens with the display link of the contest"),
    "stage_screen": ("text", "This screen opens with the display link of the contest"),
    "no_such_page": ("text", "There is no page at this address."),
}


def expect_shown(page: Page, kind: str, text: str) -> None:
    if kind == "heading":
        target = page.get_by_role("heading", name=text, exact=True)
    elif kind == "label":
        target = page.get_by_label(text)
    else:
        target = page.get_by_text(text).first
    expect(target).to_be_visible(timeout=LONG)


def test_every_page_address_opens_a_page_for_a_visitor(app: App, page: Page) -> None:
    for address, (kind, text) in VISITOR_ADDRESSES.items():
        page.goto(f"{app.url}/{address}?lang=en")
        wait_for_app(page)
        expect_shown(page, kind, text)
        no_page_not_found(page)
    # The same sentence in French, the contest's language.
    page.goto(f"{app.url}/stage_screen")
    wait_for_app(page)
    expect(page.get_by_text("Cet écran s'ouvre avec le lien d'affichage")).to_be_visible(
        timeout=LONG
    )
    no_page_not_found(page)


def test_every_page_address_opens_a_page_for_an_organiser(app: App, page: Page) -> None:
    sign_in(page, app)
    titles = {
        "applications": "Applications",
        "contest": "Contest",
        "rubric": "Rubric",
        "rounds": "Rounds",
        "judges": "Judges",
        "assignments": "Assignments",
        "progress": "Progress",
        "stage": "Stage",
        "results": "Results",
        "analytics": "Analytics",
    }
    for address, title in {"": "Applications", **titles}.items():
        page.goto(f"{app.url}/{address}?lang=en")
        wait_for_app(page)
        expect(page.get_by_role("heading", name=title, exact=True)).to_be_visible(timeout=LONG)
        no_page_not_found(page)
    for address, (kind, text) in {
        "apply": ("heading", "Apply"),
        "my_application": ("text", "Open this page with the private link"),
        "judge": ("text", "This page opens with a judge's personal link."),
        "stage_screen": ("text", "This screen opens with the display link of the contest"),
    }.items():
        page.goto(f"{app.url}/{address}?lang=en")
        wait_for_app(page)
        expect_shown(page, kind, text)
        no_page_not_found(page)


def test_personal_and_display_links_open_at_every_address(
    app: App, page: Page, tokens: dict[str, str]
) -> None:
    display, judge = tokens["display"], tokens["judge"]
    cases = [
        (f"/?judge={judge}", "Inès Judge"),
        (f"/judge?judge={judge}", "Inès Judge"),
        (f"/?display={display}", "Prix Adresses 2027"),
        (f"/board?display={display}", "Prix Adresses 2027"),
        (f"/stage_screen?display={display}", "Prix Adresses 2027"),
        (f"/?display={display}&screen=stage", "Prix Adresses 2027"),
        (f"/stage_screen?display={display}&screen=stage", "Prix Adresses 2027"),
    ]
    for path, text in cases:
        page.goto(f"{app.url}{path}")
        wait_for_app(page)
        expect(page.get_by_text(text).first).to_be_visible(timeout=LONG)
        no_page_not_found(page)


# --- 7. the language stays ------------------------------------------------------------------


def test_a_visitor_who_chose_english_stays_in_english(app: App, page: Page, tmp_path: Path) -> None:
    page.goto(f"{app.url}/")
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Candidater", exact=True)).to_be_visible(timeout=LONG)
    page.get_by_test_id("stSidebar").get_by_role("combobox").click()
    page.get_by_role("option", name="English", exact=True).click()
    expect(page.get_by_role("heading", name="Apply", exact=True)).to_be_visible(timeout=LONG)
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="Apply", exact=True)).to_be_visible(timeout=LONG)

    page.get_by_label("Startup name *", exact=True).fill("Lingua")
    page.get_by_label("One-liner *", exact=True).fill("Translation for startups")
    page.get_by_label("Category *", exact=True).click()
    page.get_by_role("option", name="Climat", exact=True).click()
    page.get_by_label("Founders *", exact=True).fill("Ada (CEO)")
    page.get_by_label("Contact email *", exact=True).fill("ada@lingua.example")
    page.get_by_label("Description *", exact=True).fill("We translate.")
    deck = tmp_path / "lingua.pdf"
    deck.write_bytes(make_deck(pages=2))
    page.locator("input[type=file]").first.set_input_files(deck)
    chip = page.get_by_test_id("stFileChip").filter(has_text="lingua.pdf")
    expect(chip.get_by_test_id("stFileChipIconSpinner")).to_have_count(0, timeout=LONG)
    page.get_by_text("I agree that the organisers process the data").click()
    page.get_by_role("button", name="Submit my application").click()
    expect(page.get_by_text("is registered")).to_be_visible(timeout=LONG)
    link = page.get_by_test_id("stCode").first.inner_text().strip()
    assert urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)["lang"] == ["en"], link
    assert link.startswith(f"{app.url}/?token="), link  # the port in use

    page.get_by_role("button", name="Open my application").click()
    expect(page.get_by_role("heading", name="My application", exact=True)).to_be_visible(
        timeout=LONG
    )
    expect(page.get_by_role("heading", name="Lingua", exact=True)).to_be_visible()
    page.reload()
    wait_for_app(page)
    expect(page.get_by_role("heading", name="My application", exact=True)).to_be_visible(
        timeout=LONG
    )
    expect(page.get_by_role("tab", name="Edit my application")).to_be_visible()

    # The private link, opened in a fresh browser, opens in English too.
    fresh = page.context.browser.new_context()
    try:
        other = fresh.new_page()
        other.goto(link)
        wait_for_app(other)
        expect(other.get_by_role("heading", name="My application", exact=True)).to_be_visible(
            timeout=LONG
        )
    finally:
        fresh.close()


# --- 9. links follow the address in use -----------------------------------------------------


def judge_link_shown(page: Page, app: App) -> str:
    page.goto(f"{app.url}/judges?lang=en")
    wait_for_app(page)
    page.get_by_text("Link and QR code").first.click()
    code = page.get_by_test_id("stCode").filter(has_text="judge=").first
    expect(code).to_be_visible(timeout=LONG)
    return code.inner_text().strip()


def test_links_follow_the_port_in_use_without_a_base_url(app: App, page: Page) -> None:
    sign_in(page, app)
    link = judge_link_shown(page, app)
    assert re.fullmatch(re.escape(app.url) + r"/\?judge=[\w-]+", link), (link, app.url)
    # The applicant's link follows the port too: see test_a_visitor_who_chose_english_….
    expect(page.get_by_text("PITCHJUDGE_BASE_URL")).to_have_count(0)


def test_the_organiser_is_warned_when_the_base_url_is_another_address(
    tmp_path_factory: pytest.TempPathFactory, browser: Browser
) -> None:
    root = tmp_path_factory.mktemp("base_url_app")
    values, port, _tokens = _prepare(root, PITCHJUDGE_BASE_URL="https://pitch.example.org")
    with serve(root, values, port) as other_app:
        page = browser.new_context().new_page()
        sign_in(page, other_app)
        warning = page.get_by_test_id("stAlert").filter(has_text="PITCHJUDGE_BASE_URL")
        expect(warning).to_be_visible(timeout=LONG)
        expect(warning).to_contain_text("https://pitch.example.org")
        expect(warning).to_contain_text(other_app.url)
        link = judge_link_shown(page, other_app)
        assert link.startswith("https://pitch.example.org/?judge="), link
        page.context.close()
