"""Exports: the results workbook (XLSX), one set of sheets per round, and a round's
leaderboard and marks as CSV; numbers as on screen, text that a spreadsheet never runs."""

from __future__ import annotations

import io
import re
import unicodedata

import pandas as pd
from sqlmodel import Session, col, select

from pitchjudge.formatting import spreadsheet_text
from pitchjudge.models import AuditEvent, Judge, Pitch, Scorecard
from pitchjudge.scoring import ScoringError
from pitchjudge.services import results
from pitchjudge.services.contests import get_contest, list_rounds

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


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns (and headers, which hold criterion names) made inert for spreadsheets;
    numbers stay numbers."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(spreadsheet_text)
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
            "value": marks["value"],
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
            "comment for the applicant": [c.comment for c in cards],
            "private note": [c.private_note for c in cards],
        }
    )
    adjustments_sheet = pd.DataFrame(
        {
            "startup": adjustments["pitch"].map(pitch_names),
            "name": adjustments["name"],
            "points": adjustments["points"],
        }
    )
    return {
        "leaderboard": board,
        "marks": marks_sheet,
        "comments": comments,
        "adjustments": adjustments_sheet,
    }


def results_workbook(*, session: Session, contest_id: int) -> bytes:
    """Every round's leaderboard, marks, comments and adjustments, and the audit log."""
    contest = get_contest(session=session, contest_id=contest_id)
    buffer = io.BytesIO()
    used: set[str] = set()
    with pd.ExcelWriter(buffer, engine="openpyxl") as writer:
        for round_ in list_rounds(session=session, contest_id=contest.id):
            for kind, frame in round_sheets(session=session, round_id=round_.id).items():
                _safe(frame).to_excel(
                    writer, sheet_name=_sheet(f"{round_.name} {kind}", used), index=False
                )
        events = session.exec(
            select(AuditEvent)
            .where(AuditEvent.contest_id == contest.id)
            .order_by(col(AuditEvent.id))
        ).all()
        audit_log = pd.DataFrame(
            {
                "at (UTC)": [e.at.replace(tzinfo=None) for e in events],
                "actor": [e.actor for e in events],
                "actor id": [e.actor_id for e in events],
                "entity": [e.entity for e in events],
                "entity id": [e.entity_id for e in events],
                "action": [e.action for e in events],
                "field": [e.field for e in events],
                "before": [e.old_value for e in events],
                "after": [e.new_value for e in events],
            }
        )
        _safe(audit_log).to_excel(writer, sheet_name=_sheet("Audit log", used), index=False)
    return buffer.getvalue()


def _csv(frame: pd.DataFrame) -> bytes:
    """CSV in UTF-8 with a BOM (so spreadsheets read accents right), every text inert."""
    return ("\ufeff" + _safe(frame).to_csv(index=False, lineterminator="\r\n")).encode("utf-8")


def leaderboard_csv(*, session: Session, round_id: int) -> bytes:
    """The round's leaderboard as CSV: the same ranks and totals as the screen and workbook."""
    return _csv(_leaderboard_table(session=session, round_id=round_id))


def marks_csv(*, session: Session, round_id: int) -> bytes:
    """Every counted mark of the round as CSV: startup, judge, criterion, value."""
    marks, _criteria, _adjustments = results.round_marks(session=session, round_id=round_id)
    pitch_names, judge_names = _names(session)
    return _csv(_marks_table(marks, pitch_names, judge_names))


def export_file_name(round_name: str, kind: str, extension: str) -> str:
    """A portable download name such as `final-leaderboard.csv` (ASCII letters, digits, -)."""
    ascii_name = unicodedata.normalize("NFKD", round_name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^A-Za-z0-9]+", "-", ascii_name).strip("-").lower()[:40].strip("-")
    return f"{slug or 'round'}-{kind}.{extension}"
