"""Every page of every role, in French, in Chromium: no exception, no English, and axe-core
finds no serious or critical accessibility violation.

The pages of each role come from the entry script's own navigation (read through AppTest), so
a page added to `streamlit_app.py` is checked without touching this file. Counts are printed
per page (run with -s); the assert lists every problem found.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
import streamlit as st
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect
from streamlit.testing.v1 import AppTest

from pitchjudge.ui import state
from tests.all_pages import Contest, Role, copy_to, english_found, seed
from tests.browser_support import LONG_MS, App, _free_port, _require_chromium, serve
from tests.test_browser import wait_for_app

pytestmark = pytest.mark.browser

APP = str(Path(__file__).resolve().parents[1] / "streamlit_app.py")
SEVERE = ("serious", "critical")
PASSWORD = "organiser-secret"

# What the page shows a reader: its text, and the words widgets draw from attributes.
_VISIBLE_TEXT = """() => {
    const attributes = [];
    for (const el of document.querySelectorAll("[placeholder], [aria-label], [title]")) {
        for (const name of ["aria-label", "title"]) {
            const value = el.getAttribute(name);
            if (value) attributes.push(value);
        }
        // A placeholder shows only while its box is empty.
        if (el.getAttribute("placeholder") && !el.value) attributes.push(el.placeholder);
    }
    return {texts: [document.body.innerText], attributes};
}"""


@dataclass
class Site:
    app: App
    contest: Contest
    pages: dict[str, list[str]]  # role name → the url paths of its pages


def _role_pages(contest: Contest, root: Path) -> dict[str, list[str]]:
    """Each role's page addresses, from the navigation the entry script builds for it."""
    values = copy_to(contest, root)
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    st.cache_resource.clear()
    try:
        pages: dict[str, list[str]] = {}
        for role in contest.roles:
            at = AppTest.from_file(APP, default_timeout=120)
            if role.organiser:
                at.session_state[state.ORGANISER_KEY] = True
            for key, value in role.params.items():
                at.query_params[key] = value
            at.run()
            paths = {str(info.get("url_pathname", "")) for info in at._registered_pages.values()}
            pages[role.name] = sorted(paths)
        return pages
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        st.cache_resource.clear()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    _require_chromium()
    contest = seed(tmp_path_factory.mktemp("browser_all_pages_seed"))
    pages = _role_pages(contest, tmp_path_factory.mktemp("browser_all_pages_roles"))
    root = tmp_path_factory.mktemp("browser_all_pages_app")
    values = copy_to(contest, root)
    port = _free_port()
    values["PITCHJUDGE_BASE_URL"] = f"http://localhost:{port}"
    with serve(root, values, port) as server:
        yield Site(app=server, contest=contest, pages=pages)


def sign_in(page: Page, site: Site) -> None:
    page.goto(f"{site.app.url}/sign_in")
    wait_for_app(page)
    page.locator("input[type=password]").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page.locator('[data-testid="stSidebarNav"] a[href$="/results"]')).to_have_count(
        1, timeout=LONG_MS
    )
    # Every next address opens a new session: it finds the organiser through the cookie.
    page.wait_for_function("() => document.cookie.includes('pj_organiser=')", timeout=LONG_MS)


def settle(page: Page) -> None:
    """Until the page's text stays the same for a second (late elements have drawn)."""
    read = "() => document.body.innerText"
    text, deadline = page.evaluate(read), time.monotonic() + LONG_MS / 1000
    while time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        again = page.evaluate(read)
        if again == text:
            return
        text = again


def check_page(page: Page, url: str) -> dict[str, list]:
    """Open `url`; the exceptions, English words and severe axe violations it shows."""
    page.goto(url)
    wait_for_app(page)
    # Let late elements (fragments, components) draw before reading the page. Not
    # "networkidle": the room screens keep their push channel's stream open.
    page.wait_for_load_state("load")
    settle(page)
    wait_for_app(page)
    exceptions = page.locator('[data-testid="stException"]').all_inner_texts()
    shown = page.evaluate(_VISIBLE_TEXT)
    english = english_found(shown["texts"], shown["attributes"])
    results = Axe().run(page)
    severe = [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}×): {v['help']}"
        for v in results.response["violations"]
        if v.get("impact") in SEVERE
    ]
    return {"exceptions": exceptions, "english": english, "axe": severe}


@pytest.mark.parametrize(
    "role_name",
    ["visitor", "applicant", "judge", "judge_scorecard", "organiser", "projector", "stage_screen"],
)
def test_every_page_in_french_without_exception_english_or_axe_violation(
    site: Site, page: Page, role_name: str
) -> None:
    role: Role = next(r for r in site.contest.roles if r.name == role_name)
    page.set_default_timeout(LONG_MS)
    if role.organiser:
        sign_in(page, site)
    query = f"?{urlencode(role.params)}" if role.params else ""
    report: dict[str, dict[str, list]] = {}
    totals = {"exceptions": 0, "english": 0, "axe": 0}
    for path in site.pages[role_name]:
        url = f"{site.app.url}/{path}{query}"
        found = check_page(page, url)
        page.screenshot(path=f"/tmp/pj_all_pages_{role_name}_{path or 'root'}.png", full_page=True)
        for kind, items in found.items():
            totals[kind] += len(items)
        print(
            f"{role_name:>15} /{path:<16} exceptions {len(found['exceptions'])}, "
            f"English {len(found['english'])}, axe serious/critical {len(found['axe'])}"
        )
        if any(found.values()):
            report[path or "/"] = {k: v for k, v in found.items() if v}
    print(f"{role_name}: {totals}")
    assert not report, "\n".join(f"/{path}: {found}" for path, found in report.items())
