"""Multi-round contests: promoting pitches to the next round, and blending rounds' results."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
from sqlmodel import Session, col, delete, select

from pitchjudge.errors import RoundStateError, ValidationError
from pitchjudge.models import Mark, Pitch, PitchStatus, Round, RoundEntry, RoundStatus
from pitchjudge.scoring import ScoringError
from pitchjudge.services import audit, results
from pitchjudge.services.assignments import (
    apply_plan,
    assigned_pairs,
    plan_round,
    round_pitches,
)
from pitchjudge.services.contests import ORGANISER, get_round, list_rounds


@dataclass(frozen=True)
class Promotion:
    """What a promotion did."""

    target_round_id: int
    target_round_name: str
    promoted: int
    removed: int


@dataclass(frozen=True)
class Candidate:
    """A pitch of a round, as the organiser sees it when choosing whom to promote."""

    pitch_id: int
    startup_name: str
    rank: int | None
    total: float | None
    in_next_round: bool


def candidates(*, session: Session, round_id: int) -> list[Candidate]:
    """The round's pitches, best-ranked first (unranked ones last), and who is in the next."""
    source = get_round(session=session, round_id=round_id)
    target = next_round(session=session, round_id=round_id)
    try:
        board = results.round_leaderboard(session=session, round_id=round_id)
    except ScoringError:
        board = pd.DataFrame(columns=["pitch", "rank", "total"])
    ranks = {
        int(row["pitch"]): (
            None if pd.isna(row["rank"]) else int(row["rank"]),
            None if pd.isna(row["total"]) else float(row["total"]),
        )
        for row in board.to_dict("records")
    }
    in_next = {p.id for p in round_pitches(session=session, round_=target)} if target else set()
    rows = [
        Candidate(
            pitch_id=p.id,
            startup_name=p.startup_name,
            rank=ranks.get(p.id, (None, None))[0],
            total=ranks.get(p.id, (None, None))[1],
            in_next_round=p.id in in_next,
        )
        for p in round_pitches(session=session, round_=source)
    ]
    return sorted(rows, key=lambda c: (c.rank is None, c.rank or 0, c.startup_name.casefold()))


def next_round(*, session: Session, round_id: int) -> Round | None:
    """The round after this one in the contest's order (None for the last)."""
    round_ = get_round(session=session, round_id=round_id)
    rounds = list(list_rounds(session=session, contest_id=round_.contest_id))
    index = [r.id for r in rounds].index(round_id)
    return rounds[index + 1] if index + 1 < len(rounds) else None


def earlier_rounds(*, session: Session, round_id: int) -> list[Round]:
    """The rounds before this one in the contest's order (candidates for a blend)."""
    round_ = get_round(session=session, round_id=round_id)
    rounds = list(list_rounds(session=session, contest_id=round_.contest_id))
    return rounds[: [r.id for r in rounds].index(round_id)]


def promoted_ids(*, session: Session, round_id: int) -> set[int]:
    return set(
        session.exec(select(RoundEntry.pitch_id).where(RoundEntry.round_id == round_id)).all()
    )


def promote(*, session: Session, round_id: int, pitch_ids: Sequence[int]) -> Promotion:
    """Promote exactly these pitches of a closed round to the next round.

    The next round then judges these pitches (their decks come with them: a deck belongs to
    the pitch) and they become "shortlisted" for their applicants. Promoting again replaces
    the set, but a pitch that already has marks in the next round cannot be taken out.
    """
    source = get_round(session=session, round_id=round_id)
    if source.status not in (RoundStatus.CLOSED, RoundStatus.LOCKED):
        raise RoundStateError(
            "Close this round before promoting from it (it is {status}).", status=source.status
        )
    target = next_round(session=session, round_id=round_id)
    if target is None:
        raise RoundStateError("This is the last round: add a round to promote startups to.")
    if target.status in (RoundStatus.CLOSED, RoundStatus.LOCKED):
        raise RoundStateError(
            "The next round is {status}: its startups can no longer change.", status=target.status
        )
    chosen = list(dict.fromkeys(int(p) for p in pitch_ids))
    if not chosen:
        raise ValidationError("Choose at least one startup to promote.", field="promote")
    eligible = {p.id: p for p in round_pitches(session=session, round_=source)}
    if any(p not in eligible for p in chosen):
        raise ValidationError(
            "Only startups of this round (not withdrawn) can be promoted.", field="promote"
        )
    before = promoted_ids(session=session, round_id=target.id)
    if not before:
        # The first promotion replaces a hand-made shortlist: keep what it held as "before".
        before = {p.id for p in round_pitches(session=session, round_=target)}
    removed = before - set(chosen)
    marked = set(
        session.exec(
            select(Mark.pitch_id).where(Mark.round_id == target.id, col(Mark.pitch_id).in_(removed))
        ).all()
    )
    if marked:
        names = sorted(
            session.exec(select(Pitch.startup_name).where(col(Pitch.id).in_(marked))).all()
        )
        raise RoundStateError(
            "{names} already have marks in {round}: they cannot be taken out of it.",
            names=", ".join(names),
            round=target.name,
        )
    session.exec(delete(RoundEntry).where(col(RoundEntry.round_id) == target.id))
    for pitch_id in chosen:
        session.add(RoundEntry(round_id=target.id, pitch_id=pitch_id))
        pitch = eligible[pitch_id]
        if pitch.status != PitchStatus.SHORTLISTED:
            pitch.status = PitchStatus.SHORTLISTED
            session.add(pitch)
    # A pitch dropped from the next round goes back to "submitted" only if it was shortlisted
    # for that round alone (an organiser's explicit rejection stays).
    from_first = list_rounds(session=session, contest_id=source.contest_id)[0].id == source.id
    for pitch in session.exec(select(Pitch).where(col(Pitch.id).in_(removed))).all():
        if from_first and pitch.status == PitchStatus.SHORTLISTED:
            pitch.status = PitchStatus.SUBMITTED
            session.add(pitch)
    session.flush()
    if assigned_pairs(session=session, round_id=target.id):
        # Judges get the new finalists (and lose the dropped ones) without losing any work.
        apply_plan(
            session=session,
            round_id=target.id,
            plan=plan_round(session=session, round_id=target.id),
        )
    audit.record(
        session,
        contest_id=source.contest_id,
        actor=ORGANISER,
        entity="round",
        entity_id=target.id,
        action="promote",
        field=f"from_round:{source.id}",
        old=sorted(before),
        new=chosen,
    )
    session.flush()
    return Promotion(
        target_round_id=target.id,
        target_round_name=target.name,
        promoted=len(chosen),
        removed=len(removed),
    )


def top_pitches(board: pd.DataFrame, count: int) -> list[int]:
    """The ids of the `count` best-ranked pitches of a leaderboard.

    Refuses a cut that falls inside a tie (rank `count` shared with the next one): promoting
    one of two equal pitches is the organiser's decision, not the software's.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ValidationError("Choose how many startups to promote (at least 1).", field="top")
    ranked = board[board["rank"].notna()]
    if count > len(ranked):
        raise ValidationError(
            "Only {ranked} startups have a rank in this round: promote at most {ranked}.",
            field="top",
            ranked=len(ranked),
        )
    ranks = [int(r) for r in ranked["rank"]]
    if count < len(ranks) and ranks[count] == ranks[count - 1]:
        raise ValidationError(
            "Places {place} and {next} are tied: promote a different number, or pick the "
            "startups by hand.",
            field="top",
            place=count,
            next=count + 1,
        )
    return [int(p) for p in ranked["pitch"].iloc[:count]]


def set_blend(
    *, session: Session, round_id: int, earlier_round_id: int | None, weight: float | None
) -> Round:
    """Blend an earlier round into this round's results (or stop, with None).

    `weight` is the earlier round's share of the total, strictly between 0 and 1
    (0.3 → "30 % pre-selection + 70 % final").
    """
    round_ = get_round(session=session, round_id=round_id)
    if round_.status == RoundStatus.LOCKED:
        raise RoundStateError("This round is locked: its results cannot change.")
    if earlier_round_id is None:
        new_round, new_weight = None, None
    else:
        if earlier_round_id not in {
            r.id for r in earlier_rounds(session=session, round_id=round_id)
        }:
            raise ValidationError(
                "Only an earlier round of this contest can be blended in.", field="blend"
            )
        valid = isinstance(weight, int | float) and math.isfinite(weight)
        if not valid or not 0 < weight < 1:
            raise ValidationError(
                "The earlier round's share must be between 1 % and 99 %.", field="blend"
            )
        new_round, new_weight = earlier_round_id, float(weight)
    audit.record(
        session,
        contest_id=round_.contest_id,
        actor=ORGANISER,
        entity="round",
        entity_id=round_id,
        action="update",
        field="blend",
        old=[round_.blend_round_id, round_.blend_weight],
        new=[new_round, new_weight],
    )
    round_.blend_round_id, round_.blend_weight = new_round, new_weight
    session.add(round_)
    session.flush()
    return round_
