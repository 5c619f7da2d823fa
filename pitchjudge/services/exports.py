"""Exports: the results workbook (XLSX), one set of sheets per round, numbers as on screen."""

from __future__ import annotations

import io
import re

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
    """Text columns made inert for spreadsheets; numbers stay numbers."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].map(spreadsheet_text)
    return frame


def round_sheets(*, session: Session, round_id: int) -> dict[str, pd.DataFrame]:
    """The tables of one round: leaderboard, marks, comments, adjustments."""
    marks, _criteria, adjustments = results.round_marks(session=session, round_id=round_id)
    pitch_names = dict(session.exec(select(Pitch.id, Pitch.startup_name)).all())
    judge_names = dict(session.exec(select(Judge.id, Judge.name)).all())
    try:
        board = results.round_leaderboard(session=session, round_id=round_id)
        board = board.drop(columns=["pitch"]).rename(columns={"startup_name": "startup"})
    except ScoringError as error:
        board = pd.DataFrame({"problem": [str(error)]})
    marks_sheet = pd.DataFrame(
        {
            "startup": marks["pitch"].map(pitch_names),
            "judge": marks["judge"].map(judge_names),
            "criterion": marks["criterion"],
            "value": marks["value"],
        }
    )
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
