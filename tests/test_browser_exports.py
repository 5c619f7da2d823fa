"""The Results page's downloads in a real browser, for a French contest: the CSV opens in
French Excel (`;`, decimal comma, French headers) unless the organiser switches it, and the
workbook has a frozen header row and fitted columns."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from pitchjudge.config import load_settings
from pitchjudge.db import make_engine, migrate, session_scope
from pitchjudge.services import results, scoring
from tests.browser_support import LONG_MS, App, _require_chromium, app_settings, serve
from tests.factories import make_judging
from tests.test_browser import script_run, wait_for_app

pytestmark = pytest.mark.browser
PASSWORD = "organiser-secret"


@dataclass
class Scored:
    app: App
    totals: list[float]


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Scored]:
    """A French contest (the factories' default), 2 judges × 3 pitches, half points."""
    _require_chromium()
    root = tmp_path_factory.mktemp("browser_exports")
    values, port = app_settings(root, PITCHJUDGE_LANGUAGE="fr")
    settings = load_settings(values, env_file=None)
    engine = make_engine(settings.database_url)
    migrate(engine)
    w = make_judging(engine, settings, judges=2, pitches=3)
    with session_scope(engine) as session:
        for p, pitch in enumerate(w["pitches"]):
            for j, judge in enumerate(w["judges"]):
                for criterion in w["criteria"]:
                    scoring.save_mark(
                        session=session,
                        round_id=w["round_id"],
                        judge_id=judge,
                        pitch_id=pitch,
                        criterion_id=criterion,
                        value=2 + p + j,  # the two judges differ: totals end in ,5
                    )
    with session_scope(engine, read_only=True) as session:
        board = results.round_leaderboard(session=session, round_id=w["round_id"])
    engine.dispose()
    with serve(root, values, port) as server:
        yield Scored(app=server, totals=[float(t) for t in board["total"]])


def open_results(page: Page, scored: Scored) -> None:
    page.set_default_timeout(LONG_MS)
    page.goto(f"{scored.app.url}/sign_in")
    wait_for_app(page)
    page.get_by_label("Mot de passe organisateur").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page.locator('[data-testid="stSidebarNav"] a[href$="/results"]')).to_have_count(1)
    # The next address opens a new session: it finds the organiser through the cookie.
    page.wait_for_function("() => document.cookie.includes('pj_organiser=')")
    page.goto(f"{scored.app.url}/results")
    wait_for_app(page)
    expect(page.get_by_role("button", name="Classement (CSV)")).to_be_visible()


def download(page: Page, name: str, tmp_path: Path) -> bytes:
    """Click the download button `name` as a user does; the file the browser saves.

    The click also reruns the page (it waits for the file, to say if it failed): wait for
    both, the download event and the end of that rerun, before the next click."""
    with script_run(page), page.expect_download(timeout=LONG_MS) as info:
        page.get_by_role("button", name=name).click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    return path.read_bytes()


def test_the_csv_opens_in_french_excel_and_switches_to_english_spreadsheets(
    scored: Scored, page: Page, tmp_path: Path
) -> None:
    open_results(page, scored)
    # The chart writes totals the French way: 450,00, never 450.00.
    bars = page.locator(".js-plotly-plot text.bartext")
    expect(bars.first).to_be_attached()
    labels = bars.all_text_contents()
    assert labels and all("," in label and "." not in label for label in labels), labels
    french = download(page, "Classement (CSV)", tmp_path)
    text = french.decode("utf-8-sig")
    header, first = text.splitlines()[:2]
    assert header.startswith("Rang;Startup;") and "Probabilité de devancer la suivante" in header
    assert "p_beats_next" not in text and "True" not in text and "nan" not in text
    board = pd.read_csv(io.BytesIO(french), sep=";", decimal=",", encoding="utf-8-sig")
    assert list(board["Total"]) == scored.totals  # the engine's numbers, exactly
    assert any(f"{t:.1f}".replace(".", ",") in first for t in scored.totals[:1])

    # The switch, off. Wait for the rerun it triggers to end (the button then builds the
    # English CSV): the page was idle before the click, so "not running" alone proves nothing.
    switch = page.get_by_role("switch", name="CSV pour Excel en français")
    with script_run(page):
        page.get_by_text("CSV pour Excel en français").click()
    expect(switch).not_to_be_checked()
    english = download(page, "Classement (CSV)", tmp_path).decode("utf-8-sig")
    assert english.splitlines()[0].startswith("Rang,Startup,")
    assert ";" not in english.splitlines()[1]
    page.screenshot(path="/tmp/pj_browser_exports_results.png", full_page=True)


def test_the_workbook_has_a_frozen_header_and_fitted_columns(
    scored: Scored, page: Page, tmp_path: Path
) -> None:
    open_results(page, scored)
    # One click: the workbook is built when the browser asks for it, and downloads.
    book = openpyxl.load_workbook(
        io.BytesIO(download(page, "Classeur des résultats (XLSX)", tmp_path))
    )
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet.column_dimensions["A"].width >= 8
    board = book.worksheets[0]
    headers = [c.value for c in board[1]]
    assert headers[:2] == ["Rang", "Startup"]
    total = board.cell(row=2, column=headers.index("Total") + 1)
    assert total.value == pytest.approx(max(scored.totals)) and total.number_format == "0.00"
    # Numbers are numbers (French Excel shows them with its decimal comma), not text.
    totals = [row[headers.index("Total")].value for row in board.iter_rows(min_row=2)]
    assert totals and all(isinstance(t, float | int) for t in totals), totals
    # Nothing failed on the way.
    expect(page.get_by_test_id("stDownloadButtonError")).to_have_count(0)
    expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    page.screenshot(path="/tmp/pj_browser_exports_workbook.png", full_page=True)
