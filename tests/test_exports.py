"""A round's CSV exports: the engine's numbers, re-read by pandas; hostile names made inert in
CSV and XLSX; the Results page offers them next to the workbook."""

from __future__ import annotations

import csv
import io

import openpyxl
import pandas as pd
import pytest

from pitchjudge.db import session_scope
from pitchjudge.models import Pitch
from pitchjudge.services import exports, results, scoring
from tests.apptest_support import run_page
from tests.factories import make_judging

# What applicants may type as a startup name, and what a spreadsheet must show for it.
HOSTILE = {
    '=HYPERLINK("http://evil.example","Click")': '\'=HYPERLINK("http://evil.example","Click")',
    "+1": "'+1",
    "-2+3": "'-2+3",
    "@SUM(A1:A9)": "'@SUM(A1:A9)",
    "<img src=x onerror=alert(1)>": "<img src=x onerror=alert(1)>",
    "**bold** [link](http://x)": "**bold** [link](http://x)",
    "שלום · مرحبا Ventures": "שלום · مرحبا Ventures",
    "Énergie Côte-d'Or": "Énergie Côte-d'Or",
}


def scored(engine, settings, values=(2, 4, 3, 5)):
    """Three judges (the third skips the last pitch), pitches marked unequally."""
    w = make_judging(engine, settings, judges=3, pitches=len(values))
    with session_scope(engine) as session:
        for p, value in enumerate(values):
            for j, judge in enumerate(w["judges"]):
                if j == 2 and p == len(values) - 1:
                    continue
                for c, criterion in enumerate(w["criteria"]):
                    scoring.save_mark(
                        session=session,
                        round_id=w["round_id"],
                        judge_id=judge,
                        pitch_id=w["pitches"][p],
                        criterion_id=criterion,
                        value=max(1, min(5, value - (c + j) % 2)),
                    )
    return w


def rename(engine, pitch_id: int, name: str) -> None:
    with session_scope(engine) as session:
        pitch = session.get(Pitch, pitch_id)
        pitch.startup_name = name
        session.add(pitch)


def read_csv(data: bytes) -> pd.DataFrame:
    assert data.startswith("\ufeff".encode()), "a BOM, so Excel reads UTF-8 accents right"
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")


def test_leaderboard_csv_has_the_engines_ranks_and_totals(engine, settings):
    w = scored(engine, settings)
    rename(engine, w["pitches"][0], "Énergie Côte-d'Or")
    with session_scope(engine, read_only=True) as session:
        data = exports.leaderboard_csv(session=session, round_id=w["round_id"])
        expected = results.round_leaderboard(session=session, round_id=w["round_id"])
    board = read_csv(data)
    assert list(board["startup"]) == list(expected["startup_name"])
    assert list(board["rank"]) == list(expected["rank"])
    assert list(board["total"]) == list(expected["total"])  # exact, not rounded
    assert list(board["n_judges"]) == list(expected["n_judges"])
    assert sorted(board["n_judges"]) == [2, 3, 3, 3]
    assert "Énergie Côte-d'Or" in list(board["startup"])
    assert "pitch" not in board.columns  # ids mean nothing to a reader


def test_marks_csv_holds_every_counted_mark(engine, settings):
    w = scored(engine, settings)
    with session_scope(engine, read_only=True) as session:
        data = exports.marks_csv(session=session, round_id=w["round_id"])
        marks, _criteria, _adj = results.round_marks(session=session, round_id=w["round_id"])
    table = read_csv(data)
    assert list(table.columns) == ["startup", "judge", "criterion", "value"]
    assert len(table) == len(marks) == (4 * 3 - 1) * 6
    assert set(table["judge"]) == {"Judge 1", "Judge 2", "Judge 3"}
    per_startup = table.groupby("startup")["value"].sum().to_dict()
    assert per_startup["Startup 4"] == marks[marks.pitch == w["pitches"][3]]["value"].sum()


def test_exports_before_any_mark_say_why_there_is_no_leaderboard(engine, settings):
    w = make_judging(engine, settings, judges=2, pitches=2)
    with session_scope(engine, read_only=True) as session:
        board = read_csv(exports.leaderboard_csv(session=session, round_id=w["round_id"]))
        marks = read_csv(exports.marks_csv(session=session, round_id=w["round_id"]))
    assert board.empty or "problem" in board.columns
    assert marks.empty and list(marks.columns) == ["startup", "judge", "criterion", "value"]


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_names_are_inert_in_csv_and_xlsx(sqlite_engine, settings, name):
    engine = sqlite_engine
    w = scored(engine, settings)
    rename(engine, w["pitches"][3], name)  # the best pitch: first line of the leaderboard
    shown = HOSTILE[name]
    with session_scope(engine, read_only=True) as session:
        board_csv = exports.leaderboard_csv(session=session, round_id=w["round_id"])
        marks_csv = exports.marks_csv(session=session, round_id=w["round_id"])
        workbook = exports.results_workbook(session=session, contest_id=w["contest"].id)

    for data in (board_csv, marks_csv):
        rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
        cells = [row["startup"] for row in rows]
        assert shown in cells
        for cell in cells:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
        assert name not in cells or name == shown  # never the raw formula

    book = openpyxl.load_workbook(io.BytesIO(workbook))
    for title in ("Final leaderboard", "Final marks"):
        sheet = book[title]
        header = [cell.value for cell in sheet[1]]
        at = header.index("startup") + 1
        column = next(sheet.iter_cols(min_col=at, max_col=at, min_row=2))
        assert shown in [cell.value for cell in column]
        assert all(cell.data_type == "s" for cell in column), "text, never a formula"


def test_export_file_names_are_portable():
    assert exports.export_file_name("Final", "leaderboard", "csv") == "final-leaderboard.csv"
    assert exports.export_file_name("Pré-sélection 2027", "marks", "csv") == (
        "pre-selection-2027-marks.csv"
    )
    assert exports.export_file_name("../../etc «»", "marks", "csv") == "etc-marks.csv"
    assert exports.export_file_name("مرحبا", "marks", "csv") == "round-marks.csv"


def test_results_page_offers_the_csvs_next_to_the_workbook(app_env):
    engine, settings = app_env
    scored(engine, settings)
    at = run_page("pages/results.py", organiser=True)
    assert not at.exception
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == ["Leaderboard (CSV)", "Marks (CSV)"]
    # The workbook is built when asked (so a failure can be shown), then downloaded.
    at.button(key="results_xlsx_prepare").click().run()
    labels = [button.proto.label for button in at.get("download_button")]
    assert labels == ["Results workbook (XLSX)", "Leaderboard (CSV)", "Marks (CSV)"]
    assert len(at.get("plotly_chart")) == 1
