"""What a destructive action would do, in numbers, for the dialog that asks first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from pitchjudge.errors import NotFound
from pitchjudge.models import Category, Conflict, Pitch, RoundStatus, Scorecard, ScorecardStatus
from pitchjudge.services.assignments import (
    assigned_pairs,
    pairs_with_work,
    plan_round,
    round_pitches,
)
from pitchjudge.services.contests import get_round, list_categories, list_rounds
from pitchjudge.services.judges import conflicted_pairs, get_judge
from pitchjudge.services.promotion import next_round, promoted_ids
from pitchjudge.services.scoring import CONFLICT, UNASSIGNED, round_progress


@dataclass(frozen=True)
class ScoringGap:
    """How far a round's judging is from done."""

    round_name: str
    status: str
    scorecards: int  # assigned judge × pitch pairs (conflicts excluded)
    submitted: int
    judges: int  # judges with at least one scorecard to give
    judges_unfinished: int

    @property
    def missing(self) -> int:
        return self.scorecards - self.submitted


def scoring_gap(*, session: Session, round_id: int) -> ScoringGap:
    """Scorecards not submitted and judges not finished in a round (closing it, releasing
    its feedback)."""
    round_ = get_round(session=session, round_id=round_id)
    progress = round_progress(session=session, round_id=round_id)
    totals = [t for t in progress.completion.values() if t[1]]
    return ScoringGap(
        round_name=round_.name,
        status=round_.status,
        scorecards=sum(total for _done, total in totals),
        submitted=sum(done for done, _total in totals),
        judges=len(totals),
        judges_unfinished=sum(done < total for done, total in totals),
    )


@dataclass(frozen=True)
class LinkImpact:
    """What a judge loses for a moment when their link changes: the work in an open round."""

    judge_name: str
    open_rounds: int
    to_score: int  # scorecards not submitted in open rounds
    drafts: int  # of which started


def link_impact(*, session: Session, judge_id: int) -> LinkImpact:
    """A judge's unfinished scorecards in the contest's open rounds."""

    judge = get_judge(session=session, judge_id=judge_id)
    rounds = [
        r
        for r in list_rounds(session=session, contest_id=judge.contest_id)
        if r.status == RoundStatus.OPEN
    ]
    to_score = drafts = 0
    for round_ in rounds:
        progress = round_progress(session=session, round_id=round_.id)
        for (jid, _pid), state in progress.cells.items():
            if jid != judge_id or state in (CONFLICT, UNASSIGNED, ScorecardStatus.SUBMITTED):
                continue
            to_score += 1
            drafts += state == ScorecardStatus.DRAFT
    return LinkImpact(
        judge_name=judge.name, open_rounds=len(rounds), to_score=to_score, drafts=drafts
    )


@dataclass(frozen=True)
class PromotionChange:
    """Who enters and who leaves the next round if these startups are promoted."""

    target_name: str
    before: list[str]
    entering: list[str]
    leaving: list[str]


def promotion_change(
    *, session: Session, round_id: int, pitch_ids: Sequence[int]
) -> PromotionChange | None:
    """The change `promotion.promote` would make (None when there is no next round)."""
    target = next_round(session=session, round_id=round_id)
    if target is None:
        return None
    before = promoted_ids(session=session, round_id=target.id)
    if not before:
        before = {p.id for p in round_pitches(session=session, round_=target)}
    chosen = set(pitch_ids)
    ids = before | chosen
    names = (
        {
            p.id: p.startup_name
            for p in session.exec(select(Pitch).where(col(Pitch.id).in_(ids))).all()
        }
        if ids
        else {}
    )
    return PromotionChange(
        target_name=target.name,
        before=sorted(names[i] for i in before if i in names),
        entering=sorted(names[i] for i in chosen - before if i in names),
        leaving=sorted(names[i] for i in before - chosen if i in names),
    )


@dataclass(frozen=True)
class ReplanChange:
    """What planning a round's assignments again would change."""

    current: int  # judge × pitch pairs today
    planned: int  # after the new plan
    added: int
    removed: int  # none holds work: pairs already scored are kept
    kept_with_work: int


def replan_change(
    *, session: Session, round_id: int, assignment_mode: str, judges_per_pitch: int | None
) -> ReplanChange:
    """The pairs the planner would add and remove with this mode (nothing is saved)."""
    round_ = get_round(session=session, round_id=round_id)
    plan = plan_round(
        session=session,
        round_id=round_id,
        assignment_mode=assignment_mode,
        judges_per_pitch=judges_per_pitch,
    )
    # As `assignments.apply_plan` does: pairs with work stay, unless now conflicted.
    keep = pairs_with_work(session=session, round_id=round_id) - conflicted_pairs(
        session=session, contest_id=round_.contest_id
    )
    wanted = set(plan.pairs) | keep
    current = assigned_pairs(session=session, round_id=round_id)
    return ReplanChange(
        current=len(current),
        planned=len(wanted),
        added=len(wanted - current),
        removed=len(current - wanted),
        kept_with_work=len(keep & current),
    )


@dataclass(frozen=True)
class ConflictRemoval:
    """What a judge gets back when their conflict with a pitch is removed."""

    judge_name: str
    startup_name: str
    scorecards: int  # their scorecards of this pitch (marks that count again)


def conflict_removal(*, session: Session, conflict_id: int) -> ConflictRemoval:
    conflict = session.get(Conflict, conflict_id)
    if conflict is None:
        raise NotFound("This conflict does not exist.")
    judge = get_judge(session=session, judge_id=conflict.judge_id)
    pitch = session.get(Pitch, conflict.pitch_id)
    scorecards = session.exec(
        select(Scorecard).where(
            Scorecard.judge_id == conflict.judge_id, Scorecard.pitch_id == conflict.pitch_id
        )
    ).all()
    return ConflictRemoval(
        judge_name=judge.name,
        startup_name=pitch.startup_name if pitch else "",
        scorecards=len(scorecards),
    )


@dataclass(frozen=True)
class CategoryRemoval:
    """What deleting a category leaves for applicants."""

    name: str
    used: int  # applications that chose it (then it cannot be deleted)
    remaining: int  # the other categories applicants can choose


def category_removal(*, session: Session, category_id: int) -> CategoryRemoval:
    category = session.get(Category, category_id)
    if category is None:
        raise NotFound("This category does not exist.")
    used = len(session.exec(select(Pitch.id).where(Pitch.category_id == category_id)).all())
    others = [
        c
        for c in list_categories(session=session, contest_id=category.contest_id)
        if c.id != category_id
    ]
    return CategoryRemoval(name=category.name, used=used, remaining=len(others))
