"""Judges' scorecards: marks saved as they are given, comments, submission, and round progress.

Every write re-checks every rule on the server (round open, judge active and assigned, no
conflict, value on the scale) inside the transaction that writes, and leaves an audit event.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from pitchjudge import ops
from pitchjudge.db import round_gate
from pitchjudge.errors import (
    EDIT_CONFLICT,
    AccessDenied,
    EditConflict,
    NotFound,
    RoundStateError,
    ValidationError,
)
from pitchjudge.formatting import format_number
from pitchjudge.models import (
    Assignment,
    Criterion,
    Judge,
    Mark,
    Pitch,
    Round,
    RoundStatus,
    Scorecard,
    ScorecardStatus,
    utcnow,
)
from pitchjudge.services import audit
from pitchjudge.services.assignments import active_judges, round_pitches
from pitchjudge.services.judges import (
    JUDGE,
    add_conflict,
    check_judge_link,
    conflicted_pairs,
    is_conflicted,
)
from pitchjudge.services.rubric import list_criteria, on_scale
from pitchjudge.services.stage import check_scoring_open
from pitchjudge.validation import clean_typed_text

#: `base` of a write that does not check what the page last saw (server-side callers).
UNCHECKED = object()

NOT_STARTED = "not_started"
CONFLICT = "conflict"
UNASSIGNED = "unassigned"


class ConflictOfInterest(AccessDenied):
    """The judge has a conflict of interest with this pitch."""


class NotAssigned(AccessDenied):
    """The pitch is not assigned to this judge in this round."""


class IncompleteScorecard(ValidationError):
    """Submit refused: some criteria have no mark (`criterion_ids`, in the rubric's order)."""

    def __init__(self, msgid: str, *, criterion_ids: tuple[int, ...] = (), **params) -> None:
        super().__init__(msgid, **params)
        self.criterion_ids = criterion_ids


def _round_for_write(session: Session, round_id: int) -> Round:
    # FOR SHARE on PostgreSQL: a close that commits meanwhile waits for this write, or this
    # write sees the round closed; SQLite's IMMEDIATE transactions already serialise the two.
    round_gate(session, round_id, exclusive=False)
    round_ = session.exec(
        select(Round).where(Round.id == round_id).with_for_update(read=True)
    ).first()
    if round_ is None:
        raise NotFound("This round does not exist.")
    if round_.status != RoundStatus.OPEN:
        raise RoundStateError(
            "This round is not open for scoring (it is {status}): nothing was saved.",
            status=round_.status,
        )
    return round_


def _check_judge_pitch(
    session: Session, round_: Round, judge_id: int, pitch_id: int, token: str | None = None
) -> Judge:
    judge = session.get(Judge, judge_id)
    if judge is None or judge.contest_id != round_.contest_id or not judge.active:
        raise AccessDenied("Your judge access is not valid for this contest.")
    check_judge_link(judge, token)
    if is_conflicted(session=session, judge_id=judge_id, pitch_id=pitch_id):
        raise ConflictOfInterest(
            "You declared (or were recorded with) a conflict of interest with this pitch: you "
            "cannot see or score it."
        )
    assigned = session.exec(
        select(Assignment.id).where(
            Assignment.round_id == round_.id,
            Assignment.judge_id == judge_id,
            Assignment.pitch_id == pitch_id,
        )
    ).first()
    if assigned is None:
        raise NotAssigned("This pitch is not assigned to you in this round.")
    return judge


def _lock_scorecard(session: Session, round_id: int, judge_id: int, pitch_id: int) -> None:
    # Serialises writers of one scorecard on PostgreSQL so each audit event's old value is true.
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"scorecard:{round_id}:{judge_id}:{pitch_id}".encode())
        session.exec(text("SELECT pg_advisory_xact_lock(:key)").bindparams(key=key))


def _scorecard(
    session: Session, round_id: int, judge_id: int, pitch_id: int, now: datetime
) -> Scorecard:
    """Get or create the scorecard; callers hold the scorecard lock, so no duplicate races."""
    card = session.exec(
        select(Scorecard).where(
            Scorecard.round_id == round_id,
            Scorecard.judge_id == judge_id,
            Scorecard.pitch_id == pitch_id,
        )
    ).first()
    if card is None:
        card = Scorecard(round_id=round_id, judge_id=judge_id, pitch_id=pitch_id, updated_at=now)
        session.add(card)
        session.flush()
    return card


def _open_for_write(
    session: Session,
    round_id: int,
    judge_id: int,
    pitch_id: int,
    now: datetime,
    token: str | None = None,
) -> tuple[Round, Judge, Scorecard]:
    """Every rule a scorecard write needs (round open, judge active and assigned, the judge's
    link still the one the page was opened with, no conflict), then the scorecard itself,
    locked against other writers."""
    round_ = _round_for_write(session, round_id)
    judge = _check_judge_pitch(session, round_, judge_id, pitch_id, token)
    _lock_scorecard(session, round_id, judge_id, pitch_id)
    return round_, judge, _scorecard(session, round_id, judge_id, pitch_id, now)


def _set_status(
    session: Session, round_: Round, judge: Judge, card: Scorecard, status: str, now: datetime
) -> Scorecard:
    if card.status != status:
        audit.record(
            session,
            contest_id=round_.contest_id,
            actor=JUDGE,
            actor_id=judge.id,
            entity="scorecard",
            entity_id=card.id,
            action="status",
            field="status",
            old=card.status,
            new=status,
        )
        card.status = status
        card.updated_at = now
        if status == ScorecardStatus.SUBMITTED:
            card.submitted_at = now
        session.add(card)
        session.flush()
    return card


def _parse_value(value: object, criterion: Criterion) -> float | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise ValidationError("A mark must be a number.", field="value")
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)
    except (TypeError, ValueError):
        raise ValidationError("A mark must be a number.", field="value") from None
    if not math.isfinite(number) or not on_scale(
        number,
        scale_min=criterion.scale_min,
        scale_max=criterion.scale_max,
        scale_step=criterion.scale_step,
    ):
        raise ValidationError(
            "{value} is not on the scale of {name}: from {low} to {high} in steps of {step}.",
            field="value",
            value=str(value)[:20],
            name=criterion.name,
            low=format_number(criterion.scale_min),
            high=format_number(criterion.scale_max),
            step=format_number(criterion.scale_step),
        )
    # Snap to the exact step so 3.0000000001 from a widget is stored as 3.
    steps = round((number - criterion.scale_min) / criterion.scale_step)
    return round(criterion.scale_min + steps * criterion.scale_step, 9)


def save_mark(
    *,
    session: Session,
    round_id: int,
    judge_id: int,
    pitch_id: int,
    criterion_id: int,
    value: object,
    now: datetime | None = None,
    token: str | None = None,
    base: object = UNCHECKED,
) -> Mark | None:
    """Save (or clear, with None) one mark; every write is audited.

    A page passes `base`, the value it last loaded or saved: if another tab of the judge
    changed the mark since, the write is refused with EditConflict (a version per field).
    """
    now = now or utcnow()
    round_, judge, card = _open_for_write(session, round_id, judge_id, pitch_id, now, token)
    check_scoring_open(session=session, round_=round_, pitch_id=pitch_id)
    criterion = session.get(Criterion, criterion_id)
    if criterion is None or criterion.contest_id != round_.contest_id:
        raise NotFound("This criterion is not part of the rubric.")
    number = _parse_value(value, criterion)
    if card.status == ScorecardStatus.SUBMITTED:
        raise RoundStateError("This scorecard is submitted: reopen it to change a mark.")
    existing = session.exec(
        select(Mark).where(
            Mark.round_id == round_id,
            Mark.judge_id == judge_id,
            Mark.pitch_id == pitch_id,
            Mark.criterion_id == criterion_id,
        )
    ).first()
    old = existing.value if existing else None
    if old == number:
        return existing
    if base is not UNCHECKED and old != base:
        # Another tab of this judge changed the mark since this page saw `base` (a version
        # per field: the value the page last loaded or saved).
        raise EditConflict(EDIT_CONFLICT)
    if number is None:
        session.delete(existing)
        mark = None
    elif existing is None:
        mark = Mark(
            round_id=round_id,
            judge_id=judge_id,
            pitch_id=pitch_id,
            criterion_id=criterion_id,
            scale_min=criterion.scale_min,
            scale_max=criterion.scale_max,
            value=number,
            updated_at=now,
        )
    else:
        mark = existing
        mark.value = number
        mark.updated_at = now
    if mark is not None:
        session.add(mark)
    card.updated_at = now
    session.add(card)
    audit.record(
        session,
        contest_id=round_.contest_id,
        actor=JUDGE,
        actor_id=judge.id,
        entity="scorecard",
        entity_id=card.id,
        action="mark",
        field=f"criterion:{criterion_id}",
        old=old,
        new=number,
    )
    session.flush()
    ops.count_on_commit(
        session,
        ops.MARK,
        "mark saved",
        round_id=round_id,
        judge_id=judge_id,
        pitch_id=pitch_id,
        criterion_id=criterion_id,
    )
    return mark


def stored_mark(
    *, session: Session, round_id: int, judge_id: int, pitch_id: int, criterion_id: int
) -> float | None:
    """The value stored for one cell of a scorecard (None when not marked)."""
    return session.exec(
        select(Mark.value).where(
            Mark.round_id == round_id,
            Mark.judge_id == judge_id,
            Mark.pitch_id == pitch_id,
            Mark.criterion_id == criterion_id,
        )
    ).first()


def save_text(
    *,
    session: Session,
    round_id: int,
    judge_id: int,
    pitch_id: int,
    field: str,
    value: str,
    now: datetime | None = None,
    token: str | None = None,
    base: str | None = None,
) -> Scorecard:
    """Save the comment for the applicant or the private note for the jury, as it is typed."""
    if field not in ("comment", "private_note"):
        raise ValueError(f"unknown scorecard text field {field!r}")
    now = now or utcnow()
    text_value = clean_typed_text(value)
    if len(text_value) > 10_000:
        raise ValidationError("This text is too long (at most 10,000 characters).", field=field)
    round_, judge, card = _open_for_write(session, round_id, judge_id, pitch_id, now, token)
    if card.status == ScorecardStatus.SUBMITTED:
        raise RoundStateError("This scorecard is submitted: reopen it to change it.")
    old = getattr(card, field)
    if base is not None and old not in (base, text_value):
        # Another tab of this judge changed the text since this page loaded or saved `base`.
        raise EditConflict(EDIT_CONFLICT)
    if old != text_value:
        setattr(card, field, text_value)
        card.updated_at = now
        session.add(card)
        audit.record(
            session,
            contest_id=round_.contest_id,
            actor=JUDGE,
            actor_id=judge.id,
            entity="scorecard",
            entity_id=card.id,
            action="text",
            field=field,
            old=old,
            new=text_value,
        )
        session.flush()
        ops.count_on_commit(
            session,
            ops.COMMENT,
            "comment saved",
            round_id=round_id,
            judge_id=judge_id,
            pitch_id=pitch_id,
            field=field,
            length=len(text_value),
        )
    return card


def _missing_criteria(session: Session, card: Scorecard, contest_id: int) -> list[Criterion]:
    criteria = list_criteria(session=session, contest_id=contest_id)
    marked = set(
        session.exec(
            select(Mark.criterion_id).where(
                Mark.round_id == card.round_id,
                Mark.judge_id == card.judge_id,
                Mark.pitch_id == card.pitch_id,
            )
        ).all()
    )
    return [c for c in criteria if c.id not in marked]


def submit_scorecard(
    *,
    session: Session,
    round_id: int,
    judge_id: int,
    pitch_id: int,
    now: datetime | None = None,
    token: str | None = None,
) -> Scorecard:
    """Submit a scorecard whose every criterion has a mark."""
    now = now or utcnow()
    round_, judge, card = _open_for_write(session, round_id, judge_id, pitch_id, now, token)
    check_scoring_open(session=session, round_=round_, pitch_id=pitch_id)
    missing = _missing_criteria(session, card, round_.contest_id)
    if missing:
        raise IncompleteScorecard(
            "Give a mark for every criterion before submitting. Missing: {names}.",
            names=", ".join(c.name for c in missing),
            criterion_ids=tuple(c.id for c in missing),
        )
    submitted = _set_status(session, round_, judge, card, ScorecardStatus.SUBMITTED, now)
    ops.count_on_commit(
        session,
        ops.SCORECARD,
        "scorecard submitted",
        round_id=round_id,
        judge_id=judge_id,
        pitch_id=pitch_id,
    )
    return submitted


def reopen_scorecard(
    *,
    session: Session,
    round_id: int,
    judge_id: int,
    pitch_id: int,
    now: datetime | None = None,
    token: str | None = None,
) -> Scorecard:
    """Back to draft, while the round is open."""
    now = now or utcnow()
    round_, judge, card = _open_for_write(session, round_id, judge_id, pitch_id, now, token)
    return _set_status(session, round_, judge, card, ScorecardStatus.DRAFT, now)


def declare_conflict(
    *,
    session: Session,
    round_id: int,
    judge_id: int,
    pitch_id: int,
    reason: str,
    token: str | None = None,
) -> None:
    """A judge recuses themself from a pitch (from the scoring page of the open round).

    The conflict takes their marks out of the open rounds only: a closed or locked round's
    results stay as they were (see `services.judges.round_conflicted_pairs`).
    """
    round_ = _round_for_write(session, round_id)
    judge = session.get(Judge, judge_id)
    if judge is None or judge.contest_id != round_.contest_id or not judge.active:
        raise AccessDenied("Your judge access is not valid for this contest.")
    check_judge_link(judge, token)
    if not reason or not reason.strip():
        raise ValidationError("Say in a few words why you have a conflict.", field="reason")
    add_conflict(
        session=session, judge_id=judge_id, pitch_id=pitch_id, reason=reason, declared_by=JUDGE
    )


# --- what judges and organisers see ---------------------------------------------------------


@dataclass(frozen=True)
class JudgePitch:
    """One line of a judge's "My pitches" list."""

    pitch_id: int
    startup_name: str
    one_liner: str
    category_id: int | None
    status: str  # not_started | draft | submitted
    marks: int
    criteria: int


def open_round(*, session: Session, contest_id: int) -> Round | None:
    """The round judges score now (the first open one)."""
    return session.exec(
        select(Round)
        .where(Round.contest_id == contest_id, Round.status == RoundStatus.OPEN)
        .order_by(col(Round.position))
    ).first()


def judge_pitches(*, session: Session, round_id: int, judge_id: int) -> list[JudgePitch]:
    """The judge's pitches for a round, conflicts left out, with their scorecard status."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("This round does not exist.")
    criteria_count = len(list_criteria(session=session, contest_id=round_.contest_id))
    pitches = session.exec(
        select(Pitch)
        .join(Assignment, col(Assignment.pitch_id) == Pitch.id)
        .where(Assignment.round_id == round_id, Assignment.judge_id == judge_id)
        .order_by(col(Pitch.startup_name))
    ).all()
    conflicts = conflicted_pairs(session=session, contest_id=round_.contest_id)
    cards = {
        c.pitch_id: c
        for c in session.exec(
            select(Scorecard).where(Scorecard.round_id == round_id, Scorecard.judge_id == judge_id)
        ).all()
    }
    marks: dict[int, int] = {}
    for pitch_id in session.exec(
        select(Mark.pitch_id).where(Mark.round_id == round_id, Mark.judge_id == judge_id)
    ).all():
        marks[pitch_id] = marks.get(pitch_id, 0) + 1
    result = []
    for pitch in pitches:
        if (judge_id, pitch.id) in conflicts:
            continue
        card = cards.get(pitch.id)
        status = card.status if card else NOT_STARTED
        result.append(
            JudgePitch(
                pitch.id,
                pitch.startup_name,
                pitch.one_liner,
                pitch.category_id,
                status,
                marks.get(pitch.id, 0),
                criteria_count,
            )
        )
    return result


@dataclass(frozen=True)
class ScorecardView:
    """Everything the scoring page shows for one pitch."""

    pitch: Pitch
    criteria: list[Criterion]
    marks: dict[int, float]
    comment: str
    private_note: str
    status: str
    updated_at: datetime | None


def scorecard_view(
    *, session: Session, round_id: int, judge_id: int, pitch_id: int
) -> ScorecardView:
    """A judge's scorecard for one pitch (refused on a conflict or an unassigned pitch)."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("This round does not exist.")
    _check_judge_pitch(session, round_, judge_id, pitch_id)
    pitch = session.get(Pitch, pitch_id)
    card = session.exec(
        select(Scorecard).where(
            Scorecard.round_id == round_id,
            Scorecard.judge_id == judge_id,
            Scorecard.pitch_id == pitch_id,
        )
    ).first()
    marks = {
        m.criterion_id: m.value
        for m in session.exec(
            select(Mark).where(
                Mark.round_id == round_id, Mark.judge_id == judge_id, Mark.pitch_id == pitch_id
            )
        ).all()
    }
    return ScorecardView(
        pitch=pitch,
        criteria=list(list_criteria(session=session, contest_id=round_.contest_id)),
        marks=marks,
        comment=card.comment if card else "",
        private_note=card.private_note if card else "",
        status=card.status if card else NOT_STARTED,
        updated_at=card.updated_at if card else None,
    )


@dataclass
class Progress:
    """A round's progress: judges × pitches statuses and each judge's completion."""

    judges: list[Judge]
    pitches: list[Pitch]
    cells: dict[tuple[int, int], str] = field(default_factory=dict)
    completion: dict[int, tuple[int, int]] = field(default_factory=dict)  # judge -> (done, total)
    late: list[int] = field(default_factory=list)


def round_progress(*, session: Session, round_id: int) -> Progress:
    """Who has scored what: not started / draft / submitted / conflict per judge × pitch."""
    round_ = session.get(Round, round_id)
    if round_ is None:
        raise NotFound("This round does not exist.")
    judges = list(active_judges(session=session, contest_id=round_.contest_id))
    pitches = list(round_pitches(session=session, round_=round_))
    conflicts = conflicted_pairs(session=session, contest_id=round_.contest_id)
    assigned = set(
        session.exec(
            select(Assignment.judge_id, Assignment.pitch_id).where(Assignment.round_id == round_id)
        ).all()
    )
    cards = {
        (c.judge_id, c.pitch_id): c.status
        for c in session.exec(select(Scorecard).where(Scorecard.round_id == round_id)).all()
    }
    progress = Progress(judges=judges, pitches=pitches)
    for judge in judges:
        done = total = 0
        for pitch in pitches:
            pair = (judge.id, pitch.id)
            if pair in conflicts:
                state = CONFLICT
            elif pair not in assigned:
                state = UNASSIGNED
            else:
                state = cards.get(pair, NOT_STARTED)
                total += 1
                done += state == ScorecardStatus.SUBMITTED
            progress.cells[pair] = state
        progress.completion[judge.id] = (done, total)
    shares = [d / t for d, t in progress.completion.values() if t]
    average = sum(shares) / len(shares) if shares else 0.0
    for judge in judges:
        done, total = progress.completion[judge.id]
        if (
            total
            and done < total
            and (round_.status != RoundStatus.OPEN or done / total < average - 0.25)
        ):
            progress.late.append(judge.id)
    return progress


def scorecard_history(*, session: Session, round_id: int, judge_id: int, pitch_id: int) -> Sequence:
    """Every audited change of one scorecard, oldest first."""
    card = session.exec(
        select(Scorecard).where(
            Scorecard.round_id == round_id,
            Scorecard.judge_id == judge_id,
            Scorecard.pitch_id == pitch_id,
        )
    ).first()
    if card is None:
        return []
    return audit.history(session, entity="scorecard", entity_id=card.id)


@dataclass(frozen=True)
class HistoryRow:
    """One change of a scorecard, ready to show: which criterion or field, before, after."""

    at: datetime
    what: str  # a criterion's name, or "comment" / "private_note" / "status"
    before: str
    after: str


def scorecard_history_rows(
    *, session: Session, round_id: int, judge_id: int, pitch_id: int
) -> list[HistoryRow]:
    """`scorecard_history` with criteria named and numbers written plainly."""
    events = scorecard_history(
        session=session, round_id=round_id, judge_id=judge_id, pitch_id=pitch_id
    )
    round_ = session.get(Round, round_id)
    names = (
        {
            f"criterion:{c.id}": c.name
            for c in list_criteria(session=session, contest_id=round_.contest_id)
        }
        if round_
        else {}
    )

    def plain(value: str | None) -> str:
        if value is None:
            return ""
        try:
            return format_number(float(value))
        except ValueError:
            return value

    return [
        HistoryRow(
            at=event.at,
            what=names.get(event.field or "", event.field or event.action),
            before=plain(event.old_value),
            after=plain(event.new_value),
        )
        for event in events
    ]
