"""A round's CSV exports: the engine's numbers, re-read by pandas; hostile names made inert in
CSV and XLSX; the Results page offers them next to the workbook."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

import openpyxl
import pandas as pd
import pytest
from sqlmodel import select

from pitchjudge.db import session_scope
from pitchjudge.i18n import get_gettext
from pitchjudge.labels import COLUMNS
from pitchjudge.models import AuditEvent, Pitch
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


FR = get_gettext("fr")


def header(name: str, _=FR) -> str:
    """The column's header as a French reader sees it (`total` → `Total`, `n_judges` → `Jurés`)."""
    return _(COLUMNS[name])


def read_csv(data: bytes, *, french: bool = True) -> pd.DataFrame:
    """A CSV as French Excel reads it (`;`, decimal comma), or as English Excel does."""
    assert data.startswith("\ufeff".encode()), "a BOM, so Excel reads UTF-8 accents right"
    sep, decimal = (";", ",") if french else (",", ".")
    return pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", sep=sep, decimal=decimal)


def test_leaderboard_csv_has_the_engines_ranks_and_totals(engine, settings):
    w = scored(engine, settings)
    rename(engine, w["pitches"][0], "Énergie Côte-d'Or")
    with session_scope(engine, read_only=True) as session:
        data = exports.leaderboard_csv(session=session, round_id=w["round_id"])
        expected = results.round_leaderboard(session=session, round_id=w["round_id"])
    board = read_csv(data)
    assert list(board[header("startup")]) == list(expected["startup_name"])
    assert list(board[header("rank")]) == list(expected["rank"])
    assert list(board[header("total")]) == list(expected["total"])  # exact, not rounded
    assert list(board[header("n_judges")]) == list(expected["n_judges"])
    assert sorted(board[header("n_judges")]) == [2, 3, 3, 3]
    assert "Énergie Côte-d'Or" in list(board[header("startup")])
    assert "pitch" not in board.columns  # ids mean nothing to a reader


def test_marks_csv_holds_every_counted_mark(engine, settings):
    w = scored(engine, settings)
    with session_scope(engine, read_only=True) as session:
        data = exports.marks_csv(session=session, round_id=w["round_id"])
        marks, _criteria, _adj = results.round_marks(session=session, round_id=w["round_id"])
    table = read_csv(data)
    assert list(table.columns) == ["Startup", "Juré", "Critère", "Note"]
    assert len(table) == len(marks) == (4 * 3 - 1) * 6
    assert set(table["Juré"]) == {"Judge 1", "Judge 2", "Judge 3"}
    per_startup = table.groupby("Startup")["Note"].sum().to_dict()
    assert per_startup["Startup 4"] == marks[marks.pitch == w["pitches"][3]]["value"].sum()


def test_exports_before_any_mark_say_why_there_is_no_leaderboard(engine, settings):
    w = make_judging(engine, settings, judges=2, pitches=2)
    with session_scope(engine, read_only=True) as session:
        board = read_csv(exports.leaderboard_csv(session=session, round_id=w["round_id"]))
        marks = read_csv(exports.marks_csv(session=session, round_id=w["round_id"]))
    assert board.empty or "Problème" in board.columns
    assert marks.empty and list(marks.columns) == ["Startup", "Juré", "Critère", "Note"]


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
        rows = csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";")
        cells = [row["Startup"] for row in rows]
        assert shown in cells
        for cell in cells:
            assert cell[:1] not in ("=", "+", "-", "@", "\t", "\r")
        assert name not in cells or name == shown  # never the raw formula

    book = openpyxl.load_workbook(io.BytesIO(workbook))
    for title in ("Final classement", "Final notes"):
        sheet = book[title]
        headers = [cell.value for cell in sheet[1]]
        at = headers.index("Startup") + 1
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
    # The workbook is built when the browser asks for it (not on every run), like the CSVs.
    labels = [button.proto.label for button in at.download_button]
    assert labels == ["Results workbook (XLSX)", "Leaderboard (CSV)", "Marks (CSV)"]
    assert len(at.get("plotly_chart")) == 1


# --- in the contest's language: French Excel, readable headers, the contest's timezone -------


def test_a_french_contest_gets_semicolons_and_decimal_commas_unless_switched(engine, settings):
    w = scored(engine, settings, values=(2, 4, 3, 5))
    with session_scope(engine, read_only=True) as session:
        expected = results.round_leaderboard(session=session, round_id=w["round_id"])
        french = exports.leaderboard_csv(session=session, round_id=w["round_id"])
        switched = exports.leaderboard_csv(session=session, round_id=w["round_id"], semicolon=False)
        marks = exports.marks_csv(session=session, round_id=w["round_id"])
    first_line = french.decode("utf-8-sig").splitlines()[1]
    assert first_line.count(";") == len(expected.columns) - 2  # no `pitch` column
    totals = [f"{t}".replace(".", ",") for t in expected["total"]]
    assert any(f";{total};" in french.decode("utf-8-sig") for total in totals)
    # Switched off: commas between cells and decimal points, for English spreadsheets.
    english_line = switched.decode("utf-8-sig").splitlines()[1]
    assert ";" not in english_line and "," in english_line
    assert list(read_csv(switched, french=False)[header("total")]) == list(expected["total"])
    assert list(read_csv(french)[header("total")]) == list(expected["total"])  # exact
    # A mark of 3 reads as a number in French Excel: "3,0", never "3.0".
    assert ";3,0" in marks.decode("utf-8-sig") and ";3.0" not in marks.decode("utf-8-sig")


def test_an_english_contest_gets_commas_and_english_headers(engine, settings):
    w = scored(engine, settings)
    with session_scope(engine, read_only=True) as session:
        data = exports.leaderboard_csv(session=session, round_id=w["round_id"], language="en")
    board = read_csv(data, french=False)
    assert {"Rank", "Startup", "Total", "Judges", "Chance of beating the next one"} <= set(
        board.columns
    )


@pytest.mark.parametrize("language", ["fr", "en"])
def test_exports_are_readable_no_codes_no_true_no_nan(engine, settings, language):
    w = scored(engine, settings)
    with session_scope(engine) as session:
        scoring.save_text(
            session=session,
            round_id=w["round_id"],
            judge_id=w["judges"][0],
            pitch_id=w["pitches"][0],
            field="comment",
            value="Bien",
        )
    with session_scope(engine, read_only=True) as session:
        board = exports.leaderboard_csv(session=session, round_id=w["round_id"], language=language)
        workbook = exports.results_workbook(
            session=session, contest_id=w["contest"].id, language=language
        )
    text = board.decode("utf-8-sig")
    for code in ("p_beats_next", "n_judges", "statistical_tie", "startup_name", "too_few_judges"):
        assert code not in text
    cells = set(text.replace(";", "\n").replace(",", "\n").split())
    assert not cells & {"True", "False", "nan", "NaN", "None", "submitted", "draft"}
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    for sheet in book.worksheets:
        values = {str(c.value) for row in sheet.iter_rows() for c in row if c.value is not None}
        assert not values & {"True", "False", "nan", "None", "submitted", "draft"}, sheet.title
        headers = [c.value for c in sheet[1]]
        assert not [h for h in headers if h and "_" in h], (sheet.title, headers)
    comments = next(s for s in book.worksheets if s.title.endswith(("commentaires", "comments")))
    statuses = {row[2].value for row in comments.iter_rows(min_row=2)}
    assert statuses <= ({"Brouillon", "Soumise"} if language == "fr" else {"Draft", "Submitted"})


def test_the_workbook_has_a_frozen_header_fitted_columns_and_screen_decimals(engine, settings):
    w = scored(engine, settings)
    rename(engine, w["pitches"][0], "Une startup au nom vraiment très long pour la colonne")
    with session_scope(engine, read_only=True) as session:
        workbook = exports.results_workbook(session=session, contest_id=w["contest"].id)
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    for sheet in book.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title  # the header stays when scrolling
    board = book["Final classement"]
    headers = [c.value for c in board[1]]
    name_column = openpyxl.utils.get_column_letter(headers.index("Startup") + 1)
    assert board.column_dimensions[name_column].width >= len(
        "Une startup au nom vraiment très long pour la colonne"
    )
    total_column = headers.index("Total") + 1
    totals = [
        row[0] for row in board.iter_rows(min_row=2, min_col=total_column, max_col=total_column)
    ]
    # The exact number is kept; it is shown with two decimals, like the screen.
    assert all(isinstance(c.value, int | float) and c.number_format == "0.00" for c in totals)


def test_workbook_dates_are_in_the_contests_timezone(engine, settings):
    w = scored(engine, settings)
    with session_scope(engine, read_only=True) as session:
        workbook = exports.results_workbook(session=session, contest_id=w["contest"].id)
        first = session.exec(
            select(AuditEvent)
            .where(AuditEvent.contest_id == w["contest"].id)
            .order_by(AuditEvent.id)
        ).first()
    book = openpyxl.load_workbook(io.BytesIO(workbook))
    log = book["Journal"]
    timezone = w["contest"].timezone
    assert log["A1"].value == f"Quand ({timezone})"
    local = first.at.astimezone(ZoneInfo(timezone)).replace(tzinfo=None)
    assert abs((log["A2"].value - local).total_seconds()) < 0.01
