"""Which judges score which pitches in each round: automatic plans and hand adjustments."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, delete, select

from pitchjudge.assignment import AssignmentPlan, plan_assignments
from pitchjudge.errors import NotFound, RoundStateError, ValidationError
from pitchjudge.models import (
    Assignment,
    AssignmentMode,
    Judge,
    Mark,
    Pitch,
    PitchStatus,
    Round,
    RoundEntry,
    RoundStatus,
    Scorecard,
)
from pitchjudge.services import audit
from pitchjudge.services.contests import ORGANISER, get_round, list_rounds
from pitchjudge.services.judges import conflicted_pairs


def round_pitches(*, session: Session, round_: Round) -> Sequence[Pitch]:
    """The pitches a round judges (withdrawn ones never).

    The first round takes every live application. A later round takes the pitches promoted
    into it (`services.promotion`); until any is, the shortlisted ones (the organiser may
    shortlist by hand on the Applications page).
    """
    first = list_rounds(session=session, contest_id=round_.contest_id)[0].id == round_.id
    query = select(Pitch).where(Pitch.contest_id == round_.contest_id).order_by(col(Pitch.id))
    if first:
        statuses = (PitchStatus.SUBMITTED, PitchStatus.SHORTLISTED)
        return session.exec(query.where(col(Pitch.status).in_(statuses))).all()
    promoted = select(RoundEntry.pitch_id).where(RoundEntry.round_id == round_.id)
    if session.exec(promoted.limit(1)).first() is not None:
        return session.exec(
            query.where(col(Pitch.id).in_(promoted), col(Pitch.status) != PitchStatus.WITHDRAWN)
        ).all()
    return session.exec(query.where(Pitch.status == PitchStatus.SHORTLISTED)).all()


def active_judges(*, session: Session, contest_id: int) -> Sequence[Judge]:
    return session.exec(
        select(Judge)
        .where(Judge.contest_id == contest_id, col(Judge.active).is_(True))
        .order_by(col(Judge.id))
    ).all()


def assigned_pairs(*, session: Session, round_id: int) -> set[tuple[int, int]]:
    return {
        (judge_id, pitch_id)
        for judge_id, pitch_id in session.exec(
            select(Assignment.judge_id, Assignment.pitch_id).where(Assignment.round_id == round_id)
        ).all()
    }


def pairs_with_work(*, session: Session, round_id: int) -> set[tuple[int, int]]:
    """Pairs holding a mark or a scorecard: re-planning never drops them."""
    marked = session.exec(
        select(Mark.judge_id, Mark.pitch_id).where(Mark.round_id == round_id).distinct()
    ).all()
    carded = session.exec(
        select(Scorecard.judge_id, Scorecard.pitch_id).where(Scorecard.round_id == round_id)
    ).all()
    return {tuple(p) for p in marked} | {tuple(p) for p in carded}


def _editable_round(session: Session, round_id: int) -> Round:
    round_ = get_round(session=session, round_id=round_id)
    if round_.status in (RoundStatus.CLOSED, RoundStatus.LOCKED):
        raise RoundStateError(
            "This round is {status}: its assignments can no longer change.", status=round_.status
        )
    return round_


def plan_round(
    *,
    session: Session,
    round_id: int,
    seed: int = 0,
    assignment_mode: str | None = None,
    judges_per_pitch: int | None = None,
) -> AssignmentPlan:
    """An assignment plan for the round (not saved): respects conflicts, balances load, mixes
    panels, and keeps every pair that already holds work. `assignment_mode` and
    `judges_per_pitch` plan as if the round had them (what a change of mode would do)."""
    round_ = get_round(session=session, round_id=round_id)
    if assignment_mode is None:
        assignment_mode, judges_per_pitch = round_.assignment_mode, round_.judges_per_pitch
    judges = [j.id for j in active_judges(session=session, contest_id=round_.contest_id)]
    pitches = [p.id for p in round_pitches(session=session, round_=round_)]
    keep = {
        pair
        for pair in pairs_with_work(session=session, round_id=round_id)
        if pair[1] in set(pitches) and pair[0] in set(judges)
    }
    return plan_assignments(
        judges=judges,
        pitches=pitches,
        judges_per_pitch=judges_per_pitch
        if assignment_mode == AssignmentMode.K_PER_PITCH
        else None,
        conflicts=conflicted_pairs(session=session, contest_id=round_.contest_id),
        keep=keep,
        seed=seed,
    )


def apply_plan(*, session: Session, round_id: int, plan: AssignmentPlan) -> int:
    """Replace the round's assignments by `plan`; pairs with work are never dropped."""
    round_ = _editable_round(session, round_id)
    # Pairs with work stay (their marks are history), but never a conflicted one: a conflict
    # means the judge must not see the pitch, and their earlier marks no longer count.
    conflicts = conflicted_pairs(session=session, contest_id=round_.contest_id)
    keep = pairs_with_work(session=session, round_id=round_id) - conflicts
    wanted = set(plan.pairs) | keep
    current = assigned_pairs(session=session, round_id=round_id)
    for judge_id, pitch_id in current - wanted:
        session.exec(
            delete(Assignment).where(
                Assignment.round_id == round_id,
                Assignment.judge_id == judge_id,
                Assignment.pitch_id == pitch_id,
            )
        )
    for judge_id, pitch_id in sorted(wanted - current):
        session.add(Assignment(round_id=round_id, judge_id=judge_id, pitch_id=pitch_id))
    session.flush()
    audit.record(
        session,
        contest_id=round_.contest_id,
        actor=ORGANISER,
        entity="round",
        entity_id=round_id,
        action="assign",
        new={
            "pairs": len(wanted),
            "added": len(wanted - current),
            "removed": len(current - wanted),
        },
    )
    return len(wanted)


def assign(*, session: Session, round_id: int, judge_id: int, pitch_id: int) -> None:
    """Add one judge × pitch by hand (refused on a conflict)."""
    round_ = _editable_round(session, round_id)
    if (judge_id, pitch_id) in conflicted_pairs(session=session, contest_id=round_.contest_id):
        raise ValidationError("This judge has a conflict of interest with this pitch.")
    judge, pitch = session.get(Judge, judge_id), session.get(Pitch, pitch_id)
    if (
        judge is None
        or pitch is None
        or judge.contest_id != round_.contest_id
        or pitch.contest_id != round_.contest_id
    ):
        raise NotFound("This judge or pitch is not part of the contest.")
    if (judge_id, pitch_id) not in assigned_pairs(session=session, round_id=round_id):
        session.add(Assignment(round_id=round_id, judge_id=judge_id, pitch_id=pitch_id))
        session.flush()
        audit.record(
            session,
            contest_id=round_.contest_id,
            actor=ORGANISER,
            entity="assignment",
            entity_id=round_id,
            action="create",
            new={"judge_id": judge_id, "pitch_id": pitch_id},
        )


def unassign(*, session: Session, round_id: int, judge_id: int, pitch_id: int) -> None:
    """Remove one judge × pitch by hand; refused once the judge has started scoring it."""
    round_ = _editable_round(session, round_id)
    if (judge_id, pitch_id) in pairs_with_work(session=session, round_id=round_id):
        raise ValidationError(
            "This judge has already started scoring this pitch: the assignment stays."
        )
    session.exec(
        delete(Assignment).where(
            Assignment.round_id == round_id,
            Assignment.judge_id == judge_id,
            Assignment.pitch_id == pitch_id,
        )
    )
    session.flush()
    audit.record(
        session,
        contest_id=round_.contest_id,
        actor=ORGANISER,
        entity="assignment",
        entity_id=round_id,
        action="delete",
        old={"judge_id": judge_id, "pitch_id": pitch_id},
    )


def is_assigned(*, session: Session, round_id: int, judge_id: int, pitch_id: int) -> bool:
    return (
        session.exec(
            select(Assignment.id).where(
                Assignment.round_id == round_id,
                Assignment.judge_id == judge_id,
                Assignment.pitch_id == pitch_id,
            )
        ).first()
        is not None
    )


def ensure_assignments(*, session: Session, round_id: int) -> int:
    """Plan the round's assignments if it has none yet; returns how many pairs it holds."""
    current = assigned_pairs(session=session, round_id=round_id)
    if current:
        return len(current)
    return apply_plan(
        session=session, round_id=round_id, plan=plan_round(session=session, round_id=round_id)
    )


def unjudged_pitches(*, session: Session, round_id: int) -> list[Pitch]:
    """The round's pitches that no active, unconflicted judge is assigned to (e.g. late
    applications that arrived after the plan): nobody will ever score them."""
    round_ = get_round(session=session, round_id=round_id)
    judges = {j.id for j in active_judges(session=session, contest_id=round_.contest_id)}
    conflicts = conflicted_pairs(session=session, contest_id=round_.contest_id)
    judged = {
        pitch_id
        for judge_id, pitch_id in assigned_pairs(session=session, round_id=round_id)
        if judge_id in judges and (judge_id, pitch_id) not in conflicts
    }
    return [p for p in round_pitches(session=session, round_=round_) if p.id not in judged]


def plan_unjudged(*, session: Session, round_id: int, seed: int = 0) -> int:
    """Give judges to the pitches that have none, keeping every existing assignment (not only
    those with marks); returns how many pairs were added."""
    round_ = _editable_round(session, round_id)
    judges = [j.id for j in active_judges(session=session, contest_id=round_.contest_id)]
    pitches = [p.id for p in round_pitches(session=session, round_=round_)]
    conflicts = conflicted_pairs(session=session, contest_id=round_.contest_id)
    current = assigned_pairs(session=session, round_id=round_id)
    keep = {
        pair
        for pair in current
        if pair[0] in set(judges) and pair[1] in set(pitches) and pair not in conflicts
    }
    plan = plan_assignments(
        judges=judges,
        pitches=pitches,
        judges_per_pitch=round_.judges_per_pitch
        if round_.assignment_mode == AssignmentMode.K_PER_PITCH
        else None,
        conflicts=conflicts,
        keep=keep,
        seed=seed,
    )
    added = sorted(set(plan.pairs) - current)
    for judge_id, pitch_id in added:
        session.add(Assignment(round_id=round_id, judge_id=judge_id, pitch_id=pitch_id))
    session.flush()
    audit.record(
        session,
        contest_id=round_.contest_id,
        actor=ORGANISER,
        entity="round",
        entity_id=round_id,
        action="assign",
        new={"pairs": len(current) + len(added), "added": len(added), "removed": 0},
    )
    return len(added)
