"""The live final on stage: running order, "now pitching", pitch and Q&A timers, overtime.

Every time is a timestamp in the database, so every replica, judge's laptop and stage screen
counts from the same start; the pages only draw the clock.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlmodel import Session, col, select

from pitchjudge.errors import N_, NotFound, RoundStateError, ValidationError
from pitchjudge.models import Adjustment, Contest, Pitch, Round, RoundStatus, StageSlot, utcnow
from pitchjudge.services import audit
from pitchjudge.services.assignments import round_pitches
from pitchjudge.services.contests import (
    ORGANISER,
    get_contest,
    get_round,
    list_rounds,
    set_round_setting,
)

WAITING, PITCH, QA, DONE = "waiting", "pitch", "qa", "done"
#: The adjustment's name on the leaderboard and in exports (in English, like rule names).
PENALTY_NAME = "Overtime penalty"
MAX_SECONDS = 3600


@dataclass(frozen=True)
class Timing:
    """The contest's stage settings."""

    pitch_seconds: int
    qa_seconds: int
    overtime_penalty: float  # points per started minute of overtime; 0 = none


@dataclass(frozen=True)
class SlotView:
    """One line of the running order, with what happened on stage."""

    pitch_id: int
    position: int
    startup_name: str
    one_liner: str
    phase: str
    pitch_started_at: datetime | None
    qa_started_at: datetime | None
    ended_at: datetime | None
    pitch_seconds_used: float | None  # so far, or in all once the Q&A started
    overtime_seconds: float
    penalty_points: float  # proposed (positive number of points to take off)
    penalty_decision: str | None


@dataclass(frozen=True)
class StageNow:
    """What the stage screen and the judges' laptops show: who is on, and their clock."""

    round_id: int
    round_name: str
    pitch_id: int | None
    startup_name: str | None
    phase: str  # waiting (nobody on stage), pitch or qa
    started_at: datetime | None  # start of the current phase
    limit_seconds: int  # the current phase's duration
    server_now: datetime
    next_startup: str | None
    position: int | None
    total: int
    started: bool  # a first startup has gone on stage (the live final has begun)


def phase_of(slot: StageSlot) -> str:
    if slot.pitch_started_at is None:
        return WAITING
    if slot.ended_at is not None:
        return DONE
    return QA if slot.qa_started_at is not None else PITCH


def timing(*, session: Session, contest_id: int) -> Timing:
    contest = get_contest(session=session, contest_id=contest_id)
    return Timing(contest.pitch_seconds, contest.qa_seconds, contest.overtime_penalty)


def set_timing(*, session: Session, contest_id: int, settings: Timing) -> Timing:
    """Change the pitch and Q&A durations and the overtime penalty, checked."""
    for value, label, low in (
        (settings.pitch_seconds, N_("Pitch duration"), 1),
        (settings.qa_seconds, N_("Q&A duration"), 0),
    ):
        if not isinstance(value, int) or not low <= value <= MAX_SECONDS:
            raise ValidationError(
                "{label} must be between {low} s and 60 minutes.",
                field="timing",
                label=label,
                low=low,
            )
    penalty = settings.overtime_penalty
    valid = isinstance(penalty, int | float) and math.isfinite(penalty)
    if not valid or not 0 <= penalty <= 100:
        raise ValidationError(
            "The overtime penalty must be between 0 and 100 points per minute.", field="penalty"
        )
    contest = get_contest(session=session, contest_id=contest_id)
    before = timing(session=session, contest_id=contest_id)
    contest.pitch_seconds = settings.pitch_seconds
    contest.qa_seconds = settings.qa_seconds
    contest.overtime_penalty = float(penalty)
    session.add(contest)
    audit.record(
        session,
        contest_id=contest_id,
        actor=ORGANISER,
        entity="contest",
        entity_id=contest_id,
        action="update",
        field="stage_timing",
        old=before.__dict__,
        new=settings.__dict__,
    )
    session.flush()
    return timing(session=session, contest_id=contest_id)


def set_start_time(
    *, session: Session, contest_id: int, day: date | None, at: time | None
) -> datetime | None:
    """When the live final begins, in the contest's timezone (shown by the idle stage
    screen); no day or no time: not announced. Returns the moment stored (UTC)."""
    contest = get_contest(session=session, contest_id=contest_id)
    starts_at = (
        None
        if day is None or at is None
        else datetime.combine(day, at.replace(second=0, microsecond=0, tzinfo=None))
        .replace(tzinfo=ZoneInfo(contest.timezone))
        .astimezone(UTC)
    )
    before = contest.stage_starts_at
    contest.stage_starts_at = starts_at
    session.add(contest)
    audit.record(
        session,
        contest_id=contest_id,
        actor=ORGANISER,
        entity="contest",
        entity_id=contest_id,
        action="update",
        field="stage_starts_at",
        old=before.isoformat(timespec="minutes") if before else None,
        new=starts_at.isoformat(timespec="minutes") if starts_at else None,
    )
    session.flush()
    return starts_at


def start_time_local(contest: Contest) -> tuple[date, time] | None:
    """The announced start as (day, time) in the contest's timezone, for the form."""
    if contest.stage_starts_at is None:
        return None
    local = contest.stage_starts_at.astimezone(ZoneInfo(contest.timezone))
    return local.date(), local.time().replace(tzinfo=None)


def set_scoring_after_qa(*, session: Session, round_id: int, enabled: bool) -> Round:
    """Whether a pitch on the running order can be scored only once its Q&A has ended."""
    return set_round_setting(
        session=session, round_id=round_id, field="scoring_after_qa", value=enabled
    )


# --- the running order -----------------------------------------------------------------------


def _slots(session: Session, round_id: int) -> list[StageSlot]:
    return list(
        session.exec(
            select(StageSlot)
            .where(StageSlot.round_id == round_id)
            .order_by(col(StageSlot.position), col(StageSlot.id))
        ).all()
    )


def _overtime(slot: StageSlot, settings: Timing, now: datetime) -> tuple[float | None, float]:
    if slot.pitch_started_at is None:
        return None, 0.0
    end = slot.qa_started_at or slot.ended_at or now
    used = max(0.0, (end - slot.pitch_started_at).total_seconds())
    return used, max(0.0, used - settings.pitch_seconds)


def proposed_penalty(overtime_seconds: float, per_minute: float) -> float:
    """Points proposed for `overtime_seconds` over: `per_minute` for each started minute.

    A second of grace absorbs the organiser's click; 61 s over is two started minutes.
    """
    if per_minute <= 0 or overtime_seconds < 1:
        return 0.0
    return per_minute * math.ceil(overtime_seconds / 60)


def running_order(
    *, session: Session, round_id: int, now: datetime | None = None
) -> list[SlotView]:
    """The round's running order, first on stage first."""
    now = now or utcnow()
    round_ = get_round(session=session, round_id=round_id)
    settings = timing(session=session, contest_id=round_.contest_id)
    slots = _slots(session, round_id)
    pitches = {
        p.id: p
        for p in session.exec(
            select(Pitch).where(col(Pitch.id).in_([s.pitch_id for s in slots]))
        ).all()
    }
    views = []
    for slot in slots:
        pitch = pitches[slot.pitch_id]
        used, over = _overtime(slot, settings, now)
        views.append(
            SlotView(
                pitch_id=slot.pitch_id,
                position=slot.position,
                startup_name=pitch.startup_name,
                one_liner=pitch.one_liner,
                phase=phase_of(slot),
                pitch_started_at=slot.pitch_started_at,
                qa_started_at=slot.qa_started_at,
                ended_at=slot.ended_at,
                pitch_seconds_used=used,
                overtime_seconds=over,
                penalty_points=proposed_penalty(over, settings.overtime_penalty),
                penalty_decision=slot.penalty_decision,
            )
        )
    return views


def set_running_order(*, session: Session, round_id: int, pitch_ids: Sequence[int]) -> None:
    """The running order, as the list of pitch ids in the order they go on stage.

    Every pitch must be one the round judges, each once; a pitch left out loses its place
    unless it has already been on stage. Times already recorded are kept.
    """
    round_ = get_round(session=session, round_id=round_id)
    if round_.status == RoundStatus.LOCKED:
        raise RoundStateError("This round is locked: its running order cannot change.")
    wanted = [int(p) for p in pitch_ids]
    if len(set(wanted)) != len(wanted):
        raise ValidationError("A startup appears twice in the running order.", field="order")
    allowed = {p.id for p in round_pitches(session=session, round_=round_)}
    strangers = [p for p in wanted if p not in allowed]
    if strangers:
        raise ValidationError(
            "Only the round's startups can be on its running order.", field="order"
        )
    existing = {slot.pitch_id: slot for slot in _slots(session, round_id)}
    dropped = [s for p, s in existing.items() if p not in wanted]
    if any(s.pitch_started_at is not None for s in dropped):
        raise ValidationError(
            "A startup that has already been on stage cannot leave the running order.",
            field="order",
        )
    for slot in dropped:
        session.delete(slot)
    for position, pitch_id in enumerate(wanted, start=1):
        slot = existing.get(pitch_id) or StageSlot(round_id=round_id, pitch_id=pitch_id, position=1)
        slot.position = position
        session.add(slot)
    audit.record(
        session,
        contest_id=round_.contest_id,
        actor=ORGANISER,
        entity="round",
        entity_id=round_id,
        action="running_order",
        new=wanted,
    )
    session.flush()


def draw_running_order(*, session: Session, round_id: int, seed: int | None = None) -> None:
    """Draw lots: the round's startups in a random order (those already on stage keep theirs)."""
    round_ = get_round(session=session, round_id=round_id)
    slots = _slots(session, round_id)
    done = [s.pitch_id for s in slots if s.pitch_started_at is not None]
    rest = [p.id for p in round_pitches(session=session, round_=round_) if p.id not in done]
    random.Random(seed).shuffle(rest)
    set_running_order(session=session, round_id=round_id, pitch_ids=[*done, *rest])


def ensure_running_order(*, session: Session, round_id: int) -> None:
    """A first running order (by application) when the round has none yet."""
    if not _slots(session, round_id):
        round_ = get_round(session=session, round_id=round_id)
        ids = [p.id for p in round_pitches(session=session, round_=round_)]
        if ids:
            set_running_order(session=session, round_id=round_id, pitch_ids=ids)


# --- on stage ------------------------------------------------------------------------------------


def _live_round(session: Session, round_id: int) -> Round:
    round_ = get_round(session=session, round_id=round_id)
    if round_.status != RoundStatus.OPEN:
        raise RoundStateError(
            "Open the round before running the stage (it is {status}).", status=round_.status
        )
    return round_


def _slot(session: Session, round_id: int, pitch_id: int) -> StageSlot:
    slot = session.exec(
        select(StageSlot).where(StageSlot.round_id == round_id, StageSlot.pitch_id == pitch_id)
    ).first()
    if slot is None:
        raise NotFound("This startup is not on the running order.")
    return slot


def _on_stage(session: Session, round_id: int) -> StageSlot | None:
    return next((s for s in _slots(session, round_id) if phase_of(s) in (PITCH, QA)), None)


def _event(session: Session, round_: Round, pitch_id: int, action: str, new: object = None) -> None:
    """An audit event about a pitch on this round's stage (in its history)."""
    audit.record(
        session,
        contest_id=round_.contest_id,
        actor=ORGANISER,
        entity="pitch",
        entity_id=pitch_id,
        action=action,
        field=f"round:{round_.id}",
        new=new.isoformat(timespec="seconds") if isinstance(new, datetime) else new,
    )


def start_pitch(
    *, session: Session, round_id: int, pitch_id: int, now: datetime | None = None
) -> StageSlot:
    """This startup goes on stage: its pitch timer starts (whoever was on stage is done)."""
    now = now or utcnow()
    round_ = _live_round(session, round_id)
    slot = _slot(session, round_id, pitch_id)
    if slot.pitch_started_at is not None:
        raise RoundStateError(
            "This startup has already pitched. Reset its timer first to start it again."
        )
    current = _on_stage(session, round_id)
    if current is not None:
        current.ended_at = now
        session.add(current)
        _event(session, round_, current.pitch_id, "stage_end", now)
    slot.pitch_started_at = now
    session.add(slot)
    _event(session, round_, slot.pitch_id, "stage_pitch", now)
    session.flush()
    return slot


def start_next(*, session: Session, round_id: int, now: datetime | None = None) -> StageSlot:
    """The next startup on the running order that has not pitched yet goes on stage."""
    waiting = [s for s in _slots(session, round_id) if s.pitch_started_at is None]
    if not waiting:
        raise RoundStateError("Every startup on the running order has pitched.")
    return start_pitch(session=session, round_id=round_id, pitch_id=waiting[0].pitch_id, now=now)


def start_qa(*, session: Session, round_id: int, now: datetime | None = None) -> StageSlot:
    """The pitch is over: the Q&A timer starts (the pitch's overtime is now fixed)."""
    now = now or utcnow()
    round_ = _live_round(session, round_id)
    slot = _on_stage(session, round_id)
    if slot is None or phase_of(slot) != PITCH:
        raise RoundStateError("No pitch is running: start one first.")
    slot.qa_started_at = now
    session.add(slot)
    _event(session, round_, slot.pitch_id, "stage_qa", now)
    session.flush()
    return slot


def end_on_stage(*, session: Session, round_id: int, now: datetime | None = None) -> StageSlot:
    """The Q&A (or a pitch with no Q&A) ends: the startup leaves the stage."""
    now = now or utcnow()
    round_ = _live_round(session, round_id)
    slot = _on_stage(session, round_id)
    if slot is None:
        raise RoundStateError("Nobody is on stage.")
    slot.ended_at = now
    session.add(slot)
    _event(session, round_, slot.pitch_id, "stage_end", now)
    session.flush()
    return slot


def reset_slot(*, session: Session, round_id: int, pitch_id: int) -> StageSlot:
    """Forget a startup's stage times (a false start); a penalty already applied stays."""
    round_ = _live_round(session, round_id)
    slot = _slot(session, round_id, pitch_id)
    slot.pitch_started_at = slot.qa_started_at = slot.ended_at = None
    if slot.penalty_decision == "waived":
        slot.penalty_decision = None
    session.add(slot)
    _event(session, round_, pitch_id, "stage_reset")
    session.flush()
    return slot


def decide_penalty(
    *, session: Session, round_id: int, pitch_id: int, apply: bool, now: datetime | None = None
) -> Adjustment | None:
    """The organiser confirms (an adjustment is added) or waives a proposed overtime penalty."""
    now = now or utcnow()
    round_ = get_round(session=session, round_id=round_id)
    if round_.status == RoundStatus.LOCKED:
        raise RoundStateError("This round is locked: its results cannot change.")
    slot = _slot(session, round_id, pitch_id)
    if slot.penalty_decision is not None:
        raise RoundStateError("This overtime penalty has already been decided.")
    if slot.qa_started_at is None and slot.ended_at is None:
        raise RoundStateError("The pitch is still running: its overtime is not known yet.")
    settings = timing(session=session, contest_id=round_.contest_id)
    _used, over = _overtime(slot, settings, now)
    points = proposed_penalty(over, settings.overtime_penalty)
    if points <= 0:
        raise ValidationError("This pitch was not over time: there is no penalty to decide.")
    slot.penalty_decision = "applied" if apply else "waived"
    session.add(slot)
    adjustment = None
    if apply:
        adjustment = Adjustment(
            round_id=round_id,
            pitch_id=pitch_id,
            name=PENALTY_NAME,
            points=-points,
            reason=f"{round(over)} s over the {settings.pitch_seconds} s pitch",
            created_at=now,
        )
        session.add(adjustment)
    _event(session, round_, pitch_id, "overtime_penalty", -points if apply else "waived")
    session.flush()
    return adjustment


# --- what judges and the stage screen see ----------------------------------------------------


def stage_round(*, session: Session, contest_id: int) -> Round | None:
    """The round being run on stage: the open round that has a running order."""
    for round_ in reversed(list_rounds(session=session, contest_id=contest_id)):
        if round_.status == RoundStatus.OPEN and _slots(session, round_.id):
            return round_
    return None


def stage_now(*, session: Session, contest_id: int, now: datetime | None = None) -> StageNow | None:
    """Who is on stage in the contest's live round, and since when (None: no stage running)."""
    round_ = stage_round(session=session, contest_id=contest_id)
    if round_ is None:
        return None
    return round_stage_now(session=session, round_id=round_.id, now=now)


def round_stage_now(*, session: Session, round_id: int, now: datetime | None = None) -> StageNow:
    """Who is on stage in this round, and since when."""
    now = now or utcnow()
    round_ = get_round(session=session, round_id=round_id)
    settings = timing(session=session, contest_id=round_.contest_id)
    slots = _slots(session, round_.id)
    current = next((s for s in slots if phase_of(s) in (PITCH, QA)), None)
    waiting = [s for s in slots if s.pitch_started_at is None]
    names = dict(
        session.exec(
            select(Pitch.id, Pitch.startup_name).where(
                col(Pitch.id).in_([s.pitch_id for s in slots])
            )
        ).all()
    )
    phase = phase_of(current) if current is not None else WAITING
    return StageNow(
        round_id=round_.id,
        round_name=round_.name,
        pitch_id=current.pitch_id if current else None,
        startup_name=names.get(current.pitch_id) if current else None,
        phase=phase,
        started_at=None
        if current is None
        else (current.qa_started_at if phase == QA else current.pitch_started_at),
        limit_seconds={PITCH: settings.pitch_seconds, QA: settings.qa_seconds}.get(phase, 0),
        server_now=now,
        next_startup=names.get(waiting[0].pitch_id) if waiting else None,
        position=slots.index(current) + 1 if current else None,
        total=len(slots),
        started=any(s.pitch_started_at is not None for s in slots),
    )


def check_scoring_open(*, session: Session, round_: Round, pitch_id: int) -> None:
    """Refuse marks for a pitch whose Q&A has not ended, when the round says so."""
    if not round_.scoring_after_qa:
        return
    slot = session.exec(
        select(StageSlot).where(StageSlot.round_id == round_.id, StageSlot.pitch_id == pitch_id)
    ).first()
    if slot is not None and slot.ended_at is None:
        raise RoundStateError(
            "Scoring for this startup opens when its Q&A ends: nothing was saved."
        )


def scoring_is_open(*, session: Session, round_: Round, pitch_id: int) -> bool:
    try:
        check_scoring_open(session=session, round_=round_, pitch_id=pitch_id)
    except RoundStateError:
        return False
    return True


def fingerprint(*, session: Session, contest_id: int) -> tuple:
    """Everything the stage screen and the judges' stage bar depend on, in one small query
    (read by the push channel several times a second, see `pitchjudge.push`).

    Per round: its status, and its running order summed up (how many slots, how many
    started, in Q&A, ended, the latest of each time, the order itself); and the contest's
    name, timers and announced start. A startup goes on stage, its Q&A starts, it leaves,
    a false start is reset, the order is redrawn: the fingerprint changes.
    """
    slots = (
        select(
            Round.id,
            Round.status,
            Round.name,
            func.count(col(StageSlot.id)),
            func.count(col(StageSlot.pitch_started_at)),
            func.count(col(StageSlot.qa_started_at)),
            func.count(col(StageSlot.ended_at)),
            func.max(col(StageSlot.pitch_started_at)),
            func.max(col(StageSlot.qa_started_at)),
            func.max(col(StageSlot.ended_at)),
            func.sum(col(StageSlot.position) * col(StageSlot.pitch_id)),
            func.sum(col(StageSlot.position) * col(StageSlot.position) * col(StageSlot.pitch_id)),
        )
        .select_from(Round)
        .outerjoin(StageSlot, col(StageSlot.round_id) == col(Round.id))
        .where(Round.contest_id == contest_id)
        .group_by(col(Round.id), col(Round.status), col(Round.name))
        .order_by(col(Round.id))
    )
    contest = session.exec(
        select(
            Contest.name,
            Contest.display_token_hash,
            Contest.pitch_seconds,
            Contest.qa_seconds,
            Contest.stage_starts_at,
        ).where(Contest.id == contest_id)
    ).first()
    if contest is None:
        return ()
    return (tuple(contest), tuple(tuple(row) for row in session.exec(slots).all()))
