"""Exports: the results workbook (XLSX), one set of sheets per round, and a round's
leaderboard and marks as CSV; numbers as on screen, text that a spreadsheet never runs.

Everything is written in the contest's language: translated, readable headers and codes
(`Chance of beating the next one`, `Yes`, never `p_beats_next`, `True`, `nan`), dates in the
contest's timezone, and a CSV that French Excel opens into columns (`;` between cells and a
decimal comma) when the contest is in French, or on request.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pandas as pd
from openpyxl.utils import get_column_letter
from sqlmodel import Session, col, select

from pitchjudge.formatting import format_number_text, spreadsheet_text
from pitchjudge.i18n import N_, get_gettext, get_pgettext
from pitchjudge.labels import STATUSES, readable
from pitchjudge.models import AuditEvent, Judge, Pitch, Scorecard
from pitchjudge.scoring import ScoringError
from pitchjudge.services import results
from pitchjudge.services.contests import get_contest, get_round, list_rounds

SHEET_KINDS = {
    "leaderboard": N_("leaderboard"),
    "marks": N_("marks"),
    "comments": N_("comments"),
    "adjustments": N_("adjustments"),
}
WIDEST_COLUMN = 60  # characters: longer text wraps in the cell rather than pushing the sheet


@dataclass(frozen=True)
class CsvDialect:
    """How a CSV separates cells and writes decimals."""

    separator: str
    decimal: str


COMMA_CSV = CsvDialect(separator=",", decimal=".")
# French Excel reads ';' between cells and a decimal comma (its list separator is ';').
SEMICOLON_CSV = CsvDialect(separator=";", decimal=",")


def csv_dialect(language: str, *, semicolon: bool | None = None) -> CsvDialect:
    """The CSV flavour: `;` and a decimal comma for French unless told otherwise."""
    if semicolon is None:
        semicolon = language == "fr"
    return SEMICOLON_CSV if semicolon else COMMA_CSV


_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def _sheet(name: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, none of []:*?/\\)."""
    base = _SHEET_FORBIDDEN.sub(" ", name).strip()[:31] or "Sheet"
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _missing(value: object) -> bool:
    """None, NaN or NA: an empty cell, never the text 'nan' or 'None'."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns (and headers, which hold criterion names) made inert for spreadsheets;
    numbers stay numbers."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(lambda v: "" if _missing(v) else spreadsheet_text(v))
    return frame.rename(columns=lambda name: spreadsheet_text(name))


def _leaderboard_table(*, session: Session, round_id: int) -> pd.DataFrame:
    """The round's leaderboard as the engine ranks it, startup names instead of pitch ids
    (or one `problem` line when it cannot be computed yet)."""
    try:
        board = results.round_leaderboard(session=session, round_id=round_id)
    except ScoringError as error:
        return pd.DataFrame({"problem": [str(error)]})
    return board.drop(columns=["pitch"]).rename(columns={"startup_name": "startup"})


def _marks_table(
    marks: pd.DataFrame, pitch_names: dict[int, str], judge_names: dict[int, str]
) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "startup": marks["pitch"].map(pitch_names),
            "judge": marks["judge"].map(judge_names),
            "criterion": marks["criterion"],
            "value": marks["value"].astype(float),
        }
    )


def _names(session: Session) -> tuple[dict[int, str], dict[int, str]]:
    pitch_names = dict(session.exec(select(Pitch.id, Pitch.startup_name)).all())
    judge_names = dict(session.exec(select(Judge.id, Judge.name)).all())
    return pitch_names, judge_names


def round_sheets(*, session: Session, round_id: int) -> dict[str, pd.DataFrame]:
    """The tables of one round: leaderboard, marks, comments, adjustments."""
    marks, _criteria, adjustments = results.round_marks(session=session, round_id=round_id)
    pitch_names, judge_names = _names(session)
    board = _leaderboard_table(session=session, round_id=round_id)
    marks_sheet = _marks_table(marks, pitch_names, judge_names)
    cards = session.exec(
        select(Scorecard).where(Scorecard.round_id == round_id).order_by(col(Scorecard.id))
    ).all()
    comments = pd.DataFrame(
        {
            "startup": [pitch_names.get(c.pitch_id, "") for c in cards],
            "judge": [judge_names.get(c.judge_id, "") for c in cards],
            "status": [c.status for c in cards],
            "comment": [c.comment for c in cards],
            "private_note": [c.private_note for c in cards],
        }
    )
    adjustments_sheet = pd.DataFrame(
        {
            "startup": adjustments["pitch"].map(pitch_names),
            "adjustment": adjustments["name"],
            "points": adjustments["points"].astype(float),
        }
    )
    return {
        "leaderboard": board,
        "marks": marks_sheet,
        "comments": comments,
        "adjustments": adjustments_sheet,
    }


def _audit_log(*, session: Session, contest_id: int, timezone: str, language: str) -> pd.DataFrame:
    """The contest's audit events, oldest first, times in the contest's timezone, statuses
    in words and numbers as the language writes them."""
    events = session.exec(
        select(AuditEvent).where(AuditEvent.contest_id == contest_id).order_by(col(AuditEvent.id))
    ).all()
    zone = ZoneInfo(timezone)
    pgettext = get_pgettext(language)

    def value(event: AuditEvent, text: str | None) -> str:
        if event.field == "status" and text in STATUSES:
            return pgettext("scorecard", STATUSES[text])
        return format_number_text(text, language=language)

    return pd.DataFrame(
        {
            # Excel has no timezones: the local time, the zone named in the header.
            "at": [e.at.astimezone(zone).replace(tzinfo=None) for e in events],
            "actor": [e.actor for e in events],
            "actor_id": [e.actor_id for e in events],
            "entity": [e.entity for e in events],
            "entity_id": [e.entity_id for e in events],
            "action": [e.action for e in events],
            "field": [e.field for e in events],
            "before": [value(e, e.old_value) for e in events],
            "after": [value(e, e.new_value) for e in events],
        }
    )


def _readable(frame: pd.DataFrame, language: str) -> pd.DataFrame:
    return readable(frame, get_gettext(language), get_pgettext(language))


def _fit_sheet(sheet, frame: pd.DataFrame) -> None:
    """A frozen header row, columns as wide as their content (within reason), decimals shown
    with two places like the screen (the cell keeps the exact number), dates readable."""
    sheet.freeze_panes = "A2"
    for index, column in enumerate(frame.columns, start=1):
        series = frame[column]
        letter = get_column_letter(index)
        if pd.api.types.is_datetime64_any_dtype(series):
            number_format, cells = "yyyy-mm-dd hh:mm:ss", ["yyyy-mm-dd hh:mm:ss"]
        elif pd.api.types.is_float_dtype(series):
            number_format, cells = "0.00", [f"{v:,.2f}" for v in series.dropna().head(500)]
        else:
            number_format = None
            cells = ["" if _missing(v) else str(v) for v in series.head(500).tolist()]
        lines = [line for text in [str(column), *cells] for line in text.split("\n")]
        width = min(WIDEST_COLUMN, max(len(line) for line in lines))
        sheet.column_dimensions[letter].width = max(8, width + 2)
        if number_format:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.number_format = number_format
    sheet.auto_filter.ref = sheet.dimensions


def _write_sheet(writer: pd.ExcelWriter, frame: pd.DataFrame, name: str) -> None:
    frame.to_excel(writer, sheet_name=name, index=False)
    _fit_sheet(writer.sheets[name], frame)


def results_workbook(*, session: Session, contest_id: int, language: str | None = None) -> bytes:
    """Every round's leaderboard, marks, comments and adjustments, and the audit log, in the
    contest's language (or `language`)."""
    contest = get_contest(session=session, contest_id=contest_id)
    language = language or contest.language
    _ = get_gettext(language)
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for round_ in list_rounds(session=session, contest_id=contest.id):
            for kind, frame in round_sheets(session=session, round_id=round_.id).items():
                name = _sheet(f"{round_.name} {_(SHEET_KINDS[kind])}", used)
                _write_sheet(writer, _safe(_readable(frame, language)), name)
        audit = _readable(
            _audit_log(
                session=session,
                contest_id=contest.id,
                timezone=contest.timezone,
                language=language,
            ),
            language,
        )
        audit = audit.rename(columns={audit.columns[0]: f"{audit.columns[0]} ({contest.timezone})"})
        _write_sheet(writer, _safe(audit), _sheet(_("Audit log"), used))
    return buffer.getvalue()


def _csv(frame: pd.DataFrame, *, language: str, dialect: CsvDialect) -> bytes:
    """CSV in UTF-8 with a BOM (so spreadsheets read accents right), readable headers in
    `language`, every text inert, numbers exact in the dialect's decimal mark."""
    text = _safe(_readable(frame, language)).to_csv(
        index=False, sep=dialect.separator, decimal=dialect.decimal, lineterminator="\r\n"
    )
    return ("\ufeff" + text).encode("utf-8")


def _language_of_round(session: Session, round_id: int, language: str | None) -> str:
    if language:
        return language
    round_ = get_round(session=session, round_id=round_id)
    return get_contest(session=session, contest_id=round_.contest_id).language


def leaderboard_csv(
    *,
    session: Session,
    round_id: int,
    language: str | None = None,
    semicolon: bool | None = None,
) -> bytes:
    """The round's leaderboard as CSV: the same ranks and totals as the screen and workbook,
    in the contest's language (or `language`); `semicolon` picks the dialect (default: `;`
    and a decimal comma for French)."""
    language = _language_of_round(session, round_id, language)
    return _csv(
        _leaderboard_table(session=session, round_id=round_id),
        language=language,
        dialect=csv_dialect(language, semicolon=semicolon),
    )


def marks_csv(
    *,
    session: Session,
    round_id: int,
    language: str | None = None,
    semicolon: bool | None = None,
) -> bytes:
    """Every counted mark of the round as CSV: startup, judge, criterion, mark."""
    language = _language_of_round(session, round_id, language)
    marks, _criteria, _adjustments = results.round_marks(session=session, round_id=round_id)
    pitch_names, judge_names = _names(session)
    return _csv(
        _marks_table(marks, pitch_names, judge_names),
        language=language,
        dialect=csv_dialect(language, semicolon=semicolon),
    )


def export_file_name(round_name: str, kind: str, extension: str) -> str:
    """A portable download name such as `final-leaderboard.csv` (ASCII letters, digits, -)."""
    ascii_name = unicodedata.normalize("NFKD", round_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:40].strip("-")
    return f"{slug or 'round'}-{kind}.{extension}"
