"""Issue 15 in a real browser: access that ends at once, and uploads that cannot fill memory.

One app (the ASGI entry, `pitchjudge/ui/asgi.py`, with its upload guard) on a contest open for
applications, with an open round, 2 judges and 2 pitches. Screenshots in /tmp/pj_sec_*.png.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, expect
from sqlmodel import select

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.models import Contest, Mark, Scorecard
from pitchjudge.services import board, judges
from pitchjudge.services.judges import judge_link
from tests.browser_support import LONG_MS, SHORT_MS, App, _require_chromium, app_settings, serve
from tests.factories import make_judging
from tests.pdf_samples import make_deck
from tests.test_browser import script_run, wait_for_app
from tests.test_browser_judging import comment_box, mark_button

pytestmark = pytest.mark.browser

ADMIN_PASSWORD = "organiser-secret"
SECRET_KEY = "browser-security-secret-key-0123456789abcdef"
SHORT = SHORT_MS  # one rerun of a page, on a busy machine
LONG = LONG_MS  # a first page load, a deck checked, on a busy machine
#: Upload memory: what 20 uploads of 19 MB may add to the server's resident memory.
RSS_BOUND_MB = 150


@dataclass
class Served:
    app: App
    database_url: str
    settings: object
    seeded: dict

    def engine(self):
        return make_engine(self.database_url)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    _require_chromium()
    root = tmp_path_factory.mktemp("browser_security")
    values, port = app_settings(
        root, PITCHJUDGE_ADMIN_PASSWORD=ADMIN_PASSWORD, PITCHJUDGE_SECRET_KEY=SECRET_KEY
    )
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    seeded = make_judging(engine, settings, judges=2, pitches=2)
    with session_scope(engine) as session:
        session.get(Contest, seeded["contest"].id).language = "en"
    engine.dispose()
    with serve(root, values, port, script="pitchjudge/ui/asgi.py") as server:
        yield Served(server, settings.database_url, settings, seeded)


def loaded(page: Page) -> None:
    """The page's script has run once (a first run on a busy machine can take a while)."""
    expect(
        page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]')
    ).to_have_count(1, timeout=60_000)


def shot(page: Page, name: str) -> None:
    page.screenshot(path=f"/tmp/pj_sec_{name}.png")


def rss_mb(pid: int) -> tuple[float, float]:
    """The process's resident memory now and at its peak, in MB (from /proc)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


# --- uploads ----------------------------------------------------------------------------------

_PUSH = """async ({url, xsrf, count, size}) => {
    const base = url.substring(0, url.lastIndexOf('/') + 1);
    const body = new Uint8Array(size);
    const statuses = [];
    for (let i = 0; i < count; i++) {
        const form = new FormData();
        form.append('file', new Blob([body], {type: 'application/pdf'}), `bomb${i}.pdf`);
        const response = await fetch(base + 'bomb' + i + '-' + Date.now(), {
            method: 'PUT', body: form, headers: {'X-Xsrftoken': xsrf}, credentials: 'include',
        });
        statuses.push(response.status);
    }
    return statuses;
}"""


def test_twenty_uploads_keep_the_server_memory_bounded(
    served: Served, new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    """An outsider pushes 20 files of 19 MB (under the 20 MB deck limit) straight to
    Streamlit's upload endpoint, from 4 tabs: the server keeps at most a few of them."""
    deck = tmp_path / "deck.pdf"
    deck.write_bytes(make_deck(pages=2))
    tabs = []
    for _tab in range(4):  # four visitors' sessions, each with its upload address and token
        page = new_context().new_page()
        page.goto(served.app.url)  # the Apply page is the visitors' default
        loaded(page)
        with page.expect_request(
            lambda r: "/_stcore/upload_file/" in r.url and r.method == "PUT", timeout=LONG
        ) as upload:
            page.locator("input[type=file]").set_input_files(str(deck))
        tabs.append((page, upload.value))
    shot(tabs[0][0], "upload_apply")
    before_rss, before_peak = rss_mb(served.app.process.pid)
    statuses: list[int] = []
    for page, request in tabs:
        statuses += page.evaluate(
            _PUSH,
            {
                "url": request.url,
                "xsrf": request.headers.get("x-xsrftoken", ""),
                "count": 5,
                "size": 19 * 1024 * 1024,
            },
        )
    after_rss, after_peak = rss_mb(served.app.process.pid)
    print(
        f"\nuploads: {statuses}\nRSS {before_rss:.0f} -> {after_rss:.0f} MB, "
        f"peak {before_peak:.0f} -> {after_peak:.0f} MB"
    )
    accepted = sum(s in (200, 204) for s in statuses)
    assert len(statuses) == 20
    assert accepted <= 3, statuses  # 3 x 19 MB fit the per-address allowance (3 x 20 MB)
    assert set(statuses) - {200, 204} == {429}, statuses
    assert after_rss - before_rss < RSS_BOUND_MB
    assert after_peak - before_peak < RSS_BOUND_MB


# --- a judge's link revoked while their tab is open -------------------------------------------


def test_a_revoked_judge_link_saves_nothing_more_in_an_open_tab(served: Served, page: Page) -> None:
    w = served.seeded
    token = w["tokens"][1]
    pitch = w["pitches"][0]
    page.goto(f"{judge_link(served.app.url, token)}&pitch={pitch}")
    loaded(page)
    first = page.get_by_role("radiogroup").first
    expect(first).to_be_visible(timeout=LONG)
    name = re.sub(r" · .*$", "", first.get_attribute("aria-label") or "")
    mark_button(page, name, 3).click()
    expect(mark_button(page, name, 3)).to_be_checked(timeout=SHORT)
    engine = served.engine()
    try:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with session_scope(engine, read_only=True) as session:
                if session.exec(select(Mark).where(Mark.judge_id == w["judges"][1])).first():
                    break
            time.sleep(0.2)
        with session_scope(engine) as session:
            judges.revoke_link(session=session, judge_id=w["judges"][1])

        # The same tab, a minute later: a comment, and another mark.
        comment_box(page).fill("Written after the revocation")
        mark_button(page, name, 5).click()
        # The tab says the link was replaced, and its scorecard is gone: nothing more to save.
        expect(page.get_by_text("This link was replaced or revoked").first).to_be_visible(
            timeout=SHORT
        )
        shot(page, "judge_revoked")
        shot(page, "judge_revoked")
        time.sleep(1.5)  # the comment's debounce, had it been sent
        with session_scope(engine, read_only=True) as session:
            values = session.exec(select(Mark.value).where(Mark.judge_id == w["judges"][1])).all()
            card = session.exec(
                select(Scorecard).where(Scorecard.judge_id == w["judges"][1])
            ).first()
        assert values == [3.0]
        assert card is None or card.comment == ""
    finally:
        with session_scope(engine) as session:
            judges.reissue_link(session=session, settings=served.settings, judge_id=w["judges"][1])
        engine.dispose()


# --- organiser sessions -----------------------------------------------------------------------


def sign_in(page: Page, url: str) -> None:
    page.goto(url)  # the ASGI entry resolves pages from the root's navigation
    loaded(page)
    page.get_by_role("link", name="Organiser sign-in").click()
    page.get_by_label("Organiser password").fill(ADMIN_PASSWORD, timeout=LONG)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Applications", exact=True)).to_be_visible(timeout=LONG)


def test_sign_out_everywhere_stops_every_open_organiser_tab(
    served: Served, new_context: Callable[..., BrowserContext]
) -> None:
    laptop = new_context().new_page()
    phone = new_context().new_page()
    sign_in(phone, served.app.url)
    sign_in(laptop, served.app.url)
    with script_run(phone):
        phone.get_by_test_id("stSidebarNav").get_by_role("link", name="Judges").click()
    expect(phone.get_by_role("heading", name="Judges", exact=True)).to_be_visible(timeout=SHORT)

    laptop.get_by_role("button", name="Sign out everywhere").click()
    # It says what it will do, in numbers, before doing it.
    expect(laptop.get_by_text("Organiser sessions open: 2.")).to_be_visible(timeout=SHORT)
    shot(laptop, "sign_out_everywhere")
    laptop.get_by_role("button", name="Sign out everywhere now").click()
    expect(laptop.get_by_role("button", name="Sign out everywhere")).to_have_count(0, timeout=SHORT)

    # The phone's tab was left open on Judges: its next click finds the session ended.
    with script_run(phone):
        phone.get_by_test_id("stSidebarNav").get_by_role("link", name="Progress").click()
    expect(phone.get_by_text("Your organiser session has ended").first).to_be_visible(timeout=SHORT)
    expect(phone.get_by_role("heading", name="Progress", exact=True)).to_have_count(0)
    shot(phone, "organiser_ended")
    # A reload (the cookie) does not bring it back either.
    phone.reload()
    wait_for_app(phone)
    expect(phone.get_by_role("button", name="Sign out everywhere")).to_have_count(0)
    expect(phone.get_by_role("link", name="Organiser sign-in")).to_be_visible(timeout=SHORT)


# --- the projector's link re-issued -----------------------------------------------------------


@pytest.mark.parametrize("screen", ["board", "stage"])
def test_a_reissued_display_link_stops_the_old_projector_tab(
    served: Served, page: Page, screen: str
) -> None:
    engine = served.engine()
    try:
        with session_scope(engine) as session:
            token = board.display_token(
                session=session, settings=served.settings, contest_id=served.seeded["contest"].id
            )
        link = board.display_link(served.app.url, token)
        page.goto(link + ("&screen=stage" if screen == "stage" else ""))
        loaded(page)
        name = served.seeded["contest"].name
        expect(page.get_by_role("heading", name=name)).to_be_visible(timeout=LONG)
        with session_scope(engine) as session:
            board.reissue_display_token(
                session=session, settings=served.settings, contest_id=served.seeded["contest"].id
            )
        # Within a refresh or two (2 s each), the old tab stops following the contest.
        expect(page.get_by_text("has been replaced").first).to_be_visible(timeout=SHORT)
        expect(page.get_by_role("heading", name=name)).to_have_count(0, timeout=SHORT)
        shot(page, f"display_replaced_{screen}")
    finally:
        engine.dispose()


# --- user text shown literally ------------------------------------------------------------------

HOSTILE_TEXT = (
    "Visit https://evil.example or www.evil.example :material/home: :smile: **bold** a@b.example"
)
_INERT_APP = f"""
import streamlit as st
from pitchjudge.ui.widgets import exact_text, inert
exact_text()
TEXT = {HOSTILE_TEXT!r}
st.markdown(inert(TEXT))
st.button(inert(TEXT), key="b")
st.success(inert(TEXT))
"""


def test_user_text_is_literal_in_markdown_buttons_and_notices(tmp_path: Path, page: Page) -> None:
    """What `inert` hands Streamlit shows exactly as typed: no link, no icon, no emoji."""
    script = tmp_path / "inert_app.py"
    script.write_text(_INERT_APP)
    values, port = app_settings(tmp_path)
    with serve(tmp_path, values, port, script=script) as app:
        page.goto(app.url)
        shown = page.locator("[data-testid=stMarkdownContainer]")
        expect(shown).to_have_count(3, timeout=LONG)
        expect(page.get_by_role("button").filter(has_text="Visit")).to_be_visible()
        # Exactly as typed, with nothing invisible added: copied, it is the same text.
        expect(shown).to_have_text([HOSTILE_TEXT] * 3)
        assert shown.all_inner_texts() == [HOSTILE_TEXT] * 3
        assert page.locator("main a").count() == 0  # no autolink
        assert page.locator("main [data-testid=stIconMaterial]").count() == 0
        shot(page, "inert_text")


# --- two tabs of one judge ----------------------------------------------------------------------


def test_two_tabs_of_one_judge_the_losing_tab_is_told(
    served: Served, new_context: Callable[..., BrowserContext]
) -> None:
    w = served.seeded
    link = f"{judge_link(served.app.url, w['tokens'][0])}&pitch={w['pitches'][1]}"
    first, second = new_context().new_page(), new_context().new_page()
    for tab in (first, second):
        tab.goto(link)
        loaded(tab)
        expect(comment_box(tab)).to_be_visible(timeout=LONG)

    comment_box(first).fill("Strong team, written in the first tab")
    comment_box(first).blur()
    saved = first.locator(".pj-autosave", has=comment_box(first)).get_by_role("status")
    expect(saved).to_have_text("Saved", timeout=SHORT)

    comment_box(second).fill("Weak market, written in the second tab")
    comment_box(second).blur()
    expect(second.get_by_text("Changed in another tab").first).to_be_visible(timeout=SHORT)
    shot(second, "two_tabs_losing")
    engine = served.engine()
    try:
        with session_scope(engine, read_only=True) as session:
            card = session.exec(
                select(Scorecard).where(
                    Scorecard.judge_id == w["judges"][0], Scorecard.pitch_id == w["pitches"][1]
                )
            ).one()
        assert card.comment == "Strong team, written in the first tab"
    finally:
        engine.dispose()
