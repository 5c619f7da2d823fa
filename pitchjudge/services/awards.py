"""Prizes and the palmarès: define prizes, allocate them all at once, freeze, reveal, export.

The allocation itself is pure (`pitchjudge.scoring.awards`); this module reads its inputs
(the jury ranking, the audience vote, eligibility) from the database and keeps the
organiser's tie picks, the frozen allocation and the ceremony's step in `Palmares`.
Every write re-checks the organiser's session (``organiser_token``) and leaves an audit event.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd
from fpdf import FPDF
from sqlmodel import Session, col, select

from pitchjudge.errors import N_, AccessDenied, NotFound, PitchJudgeError, ValidationError
from pitchjudge.formatting import format_fixed
from pitchjudge.i18n import get_gettext
from pitchjudge.models import (
    Category,
    Palmares,
    Pitch,
    PitchStatus,
    Prize,
    PrizeEligibility,
    PrizeSource,
    utcnow,
)
from pitchjudge.scoring import ScoringError
from pitchjudge.scoring.awards import (
    Decision,
    Outcome,
    PrizeInput,
    Source,
    allocate,
    composite_scores,
    explain,
    vote_shares,
)
from pitchjudge.services import audit
from pitchjudge.services.assignments import round_pitches
from pitchjudge.services.auth import organiser_session_is_live
from pitchjudge.services.contests import get_contest, get_round, list_rounds
from pitchjudge.services.exports import _safe, csv_dialect
from pitchjudge.services.feedback import _latin

LANGUAGES = ("en", "fr")


class AllocationFrozen(PitchJudgeError):
    """The prizes cannot change while the allocation is confirmed."""


class TiesPending(PitchJudgeError):
    """The allocation cannot be confirmed while a tie waits for the organiser."""


# --- who is asking --------------------------------------------------------------------------


def _check_organiser(session: Session, token: str | None) -> None:
    if not organiser_session_is_live(session=session, token=token):
        raise AccessDenied(N_("Your organiser session has ended. Sign in again."))


def _palmares(session: Session, contest_id: int) -> Palmares:
    found = session.get(Palmares, contest_id)
    if found is None:
        found = Palmares(contest_id=contest_id)
        session.add(found)
        session.flush()
    return found


def palmares_state(*, session: Session, contest_id: int) -> Palmares:
    """The contest's allocation and ceremony state (a blank one when none is stored)."""
    return session.get(Palmares, contest_id) or Palmares(contest_id=contest_id)


def _refuse_if_frozen(session: Session, contest_id: int) -> None:
    if palmares_state(session=session, contest_id=contest_id).frozen is not None:
        raise AllocationFrozen(
            N_("The prize allocation is confirmed. Unfreeze it first to change the prizes.")
        )


# --- prizes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class PrizeForm:
    """What the organiser types for a prize."""

    name: str
    sponsor: str = ""
    amount: float = 0.0
    source: str = PrizeSource.JURY
    round_id: int | None = None
    jury_weight: float = 0.7
    eligibility: str = PrizeEligibility.ALL
    category_ids: Sequence[int] = ()
    pitch_ids: Sequence[int] = ()
    exclusive: bool = True


def list_prizes(*, session: Session, contest_id: int) -> list[Prize]:
    """The contest's prizes, most prestigious first."""
    return list(
        session.exec(
            select(Prize)
            .where(Prize.contest_id == contest_id)
            .order_by(col(Prize.position), col(Prize.id))
        ).all()
    )


def _clean(session: Session, contest_id: int, form: PrizeForm) -> dict:
    name = (form.name or "").strip()
    if not name:
        raise ValidationError(N_("Give the prize a name."), field="name")
    if len(name) > 120 or len((form.sponsor or "").strip()) > 120:
        raise ValidationError(N_("Names are at most 120 characters."), field="name")
    if not form.amount >= 0:
        raise ValidationError(N_("The amount cannot be negative."), field="amount")
    if form.source not in set(PrizeSource):
        raise ValidationError(N_("Choose what decides the prize."), field="source")
    if form.eligibility not in set(PrizeEligibility):
        raise ValidationError(N_("Choose who may win the prize."), field="eligibility")
    if not 0.0 <= form.jury_weight <= 1.0:
        raise ValidationError(N_("The jury's share is between 0 and 100 %."), field="jury_weight")
    round_id = form.round_id
    if round_id is not None:
        round_ = get_round(session=session, round_id=round_id)
        if round_.contest_id != contest_id:
            raise NotFound(N_("This round does not exist."))
    categories = sorted({int(c) for c in form.category_ids})
    known = {
        c.id for c in session.exec(select(Category).where(Category.contest_id == contest_id)).all()
    }
    if not set(categories) <= known:
        raise ValidationError(N_("Pick categories of this contest."), field="category_ids")
    pitches = sorted({int(p) for p in form.pitch_ids})
    if pitches:
        found = session.exec(
            select(Pitch.id).where(Pitch.contest_id == contest_id, col(Pitch.id).in_(pitches))
        ).all()
        if len(found) != len(pitches):
            raise ValidationError(N_("Pick startups of this contest."), field="pitch_ids")
    if form.eligibility == PrizeEligibility.CATEGORIES and not categories:
        raise ValidationError(N_("Pick at least one category."), field="category_ids")
    if form.eligibility == PrizeEligibility.LIST and not pitches:
        raise ValidationError(N_("Pick at least one startup."), field="pitch_ids")
    return {
        "name": name,
        "sponsor": (form.sponsor or "").strip(),
        "amount": float(form.amount),
        "source": str(form.source),
        "round_id": round_id,
        "jury_weight": float(form.jury_weight),
        "eligibility": str(form.eligibility),
        "category_ids": categories or None,
        "pitch_ids": pitches or None,
        "exclusive": bool(form.exclusive),
    }


def _fields(prize: Prize) -> dict:
    return {name: getattr(prize, name) for name in PrizeForm.__dataclass_fields__}


def save_prize(
    *,
    session: Session,
    organiser_token: str | None,
    contest_id: int,
    form: PrizeForm,
    prize_id: int | None = None,
) -> Prize:
    """Create a prize (last in prestige) or update `prize_id`; refused while frozen."""
    _check_organiser(session, organiser_token)
    _refuse_if_frozen(session, contest_id)
    values = _clean(session, contest_id, form)
    if prize_id is None:
        position = len(list_prizes(session=session, contest_id=contest_id))
        prize = Prize(contest_id=contest_id, position=position, **values)
        session.add(prize)
        session.flush()
        audit.record(
            session,
            contest_id=contest_id,
            actor="organiser",
            entity="prize",
            entity_id=prize.id,
            action="create",
            new=values,
        )
        return prize
    prize = _prize(session, contest_id, prize_id)
    before = _fields(prize)
    for name, value in values.items():
        setattr(prize, name, value)
    session.add(prize)
    audit.record_changes(
        session,
        contest_id=contest_id,
        actor="organiser",
        entity="prize",
        entity_id=prize.id,
        before=before,
        after=values,
    )
    session.flush()
    return prize


def _prize(session: Session, contest_id: int, prize_id: int) -> Prize:
    prize = session.get(Prize, prize_id)
    if prize is None or prize.contest_id != contest_id:
        raise NotFound(N_("This prize does not exist any more."))
    return prize


def move_prize(
    *, session: Session, organiser_token: str | None, contest_id: int, prize_id: int, offset: int
) -> None:
    """Move a prize up (-1) or down (+1) the prestige order."""
    _check_organiser(session, organiser_token)
    _refuse_if_frozen(session, contest_id)
    prizes = list_prizes(session=session, contest_id=contest_id)
    index = next((i for i, p in enumerate(prizes) if p.id == prize_id), None)
    if index is None:
        raise NotFound(N_("This prize does not exist any more."))
    target = min(max(index + offset, 0), len(prizes) - 1)
    prizes.insert(target, prizes.pop(index))
    for position, prize in enumerate(prizes):
        if prize.position != position:
            prize.position = position
            session.add(prize)
    audit.record(
        session,
        contest_id=contest_id,
        actor="organiser",
        entity="prize",
        entity_id=prize_id,
        action="move",
        old=index,
        new=target,
    )
    session.flush()


def delete_prize(
    *, session: Session, organiser_token: str | None, contest_id: int, prize_id: int
) -> None:
    """Delete a prize (and its tie pick); refused while frozen."""
    _check_organiser(session, organiser_token)
    _refuse_if_frozen(session, contest_id)
    prize = _prize(session, contest_id, prize_id)
    audit.record(
        session,
        contest_id=contest_id,
        actor="organiser",
        entity="prize",
        entity_id=prize_id,
        action="delete",
        old=_fields(prize),
    )
    session.delete(prize)
    state = session.get(Palmares, contest_id)
    if state is not None and state.tie_picks and str(prize_id) in state.tie_picks:
        state.tie_picks = {k: v for k, v in state.tie_picks.items() if k != str(prize_id)}
        session.add(state)
    session.flush()
    for position, other in enumerate(list_prizes(session=session, contest_id=contest_id)):
        other.position = position
        session.add(other)
    session.flush()


# --- inputs of the allocation ---------------------------------------------------------------


def audience_votes(session: Session, round_id: int) -> dict[int, int]:
    """pitch id → votes of the round's audience vote (`pitchjudge.services.votes`)."""
    from pitchjudge.services import votes  # votes imports nothing of awards; kept light here

    return {int(k): int(v) for k, v in votes.tally(session, round_id).items()}


def _deciding_round(session: Session, contest_id: int, prize: Prize) -> int | None:
    if prize.round_id is not None:
        return prize.round_id
    rounds = list_rounds(session=session, contest_id=contest_id)
    return rounds[-1].id if rounds else None


def _jury(session: Session, round_id: int) -> pd.DataFrame:
    from pitchjudge.services.results import round_leaderboard  # results is heavy

    try:
        board = round_leaderboard(session=session, round_id=round_id)
    except ScoringError:
        return pd.DataFrame(columns=["pitch", "rank", "total"])
    return board[board["rank"].notna()]


def _eligible(session: Session, contest_id: int, prize: Prize) -> set[int] | None:
    """The startups the prize's eligibility allows (None: no restriction)."""
    if prize.eligibility == PrizeEligibility.FINALISTS:
        rounds = list_rounds(session=session, contest_id=contest_id)
        last = round_pitches(session=session, round_=rounds[-1]) if rounds else []
        return {int(p.id or 0) for p in last}
    if prize.eligibility == PrizeEligibility.CATEGORIES:
        wanted = list(prize.category_ids or [])
        rows = session.exec(
            select(Pitch.id).where(
                Pitch.contest_id == contest_id, col(Pitch.category_id).in_(wanted)
            )
        ).all()
        return {int(pitch or 0) for pitch in rows}
    if prize.eligibility == PrizeEligibility.LIST:
        return {int(p) for p in prize.pitch_ids or []}
    return None


def prize_input(session: Session, contest_id: int, prize: Prize) -> PrizeInput:
    """The prize as the pure allocation sees it: eligible startups, scores and places."""
    round_id = _deciding_round(session, contest_id, prize)
    allowed = _eligible(session, contest_id, prize)
    live = set(
        session.exec(
            select(Pitch.id).where(
                Pitch.contest_id == contest_id, Pitch.status != PitchStatus.WITHDRAWN
            )
        ).all()
    )
    scores: dict[int, float] = {}
    places: dict[int, int] = {}
    if round_id is not None:
        if prize.source == PrizeSource.JURY:
            board = _jury(session, round_id)
            for row in board.itertuples():
                scores[int(row.pitch)] = -float(row.rank)
                places[int(row.pitch)] = int(row.rank)
        else:
            votes = audience_votes(session, round_id)
            if prize.source == PrizeSource.AUDIENCE:
                candidates = [
                    int(p.id or 0)
                    for p in round_pitches(
                        session=session, round_=get_round(session=session, round_id=round_id)
                    )
                ]
                candidates = [p for p in candidates if allowed is None or p in allowed]
                scores = vote_shares(votes, candidates)
            else:
                board = _jury(session, round_id)
                totals = {
                    int(r.pitch): float(r.total)
                    for r in board.itertuples()
                    if allowed is None or int(r.pitch) in allowed
                }
                scores = composite_scores(totals, votes, prize.jury_weight)
            places = {
                p: 1 + sum(1 for o in scores.values() if o > s + 1e-9) for p, s in scores.items()
            }
    scores = {p: s for p, s in scores.items() if p in live and (allowed is None or p in allowed)}
    return PrizeInput(
        id=int(prize.id or 0),
        name=prize.name,
        exclusive=prize.exclusive,
        scores=scores,
        places=places,
        source=Source(prize.source),
    )


def formula(prize: Prize, _) -> str:
    """What decides the prize, in words ("70 % jury + 30 % audience …")."""
    if prize.source == PrizeSource.JURY:
        return _("the jury ranking")
    if prize.source == PrizeSource.AUDIENCE:
        return _("the audience vote (share of the votes)")
    jury = round(prize.jury_weight * 100)
    return _(
        "{jury} % jury + {audience} % audience (jury total min–max normalised over the "
        "eligible startups, audience share of their votes)"
    ).format(jury=jury, audience=100 - jury)


# --- the allocation -------------------------------------------------------------------------


@dataclass(frozen=True)
class AwardRow:
    """One prize of the proposed (or frozen) allocation, ready to show."""

    prize_id: int
    prize_name: str
    sponsor: str
    amount: float
    winner_id: int | None
    winner_name: str
    outcome: str
    explanation: str
    tied: tuple[tuple[int, str], ...] = ()


@dataclass(frozen=True)
class Allocation:
    rows: list[AwardRow]
    frozen: bool
    frozen_at: object = None
    pending_ties: int = field(default=0)


def _picks(state: Palmares) -> dict[int, int]:
    return {int(k): int(v) for k, v in (state.tie_picks or {}).items()}


def _compute(
    session: Session, contest_id: int
) -> tuple[list[Prize], list[PrizeInput], list[Decision], dict[int, str]]:
    prizes = list_prizes(session=session, contest_id=contest_id)
    inputs = [prize_input(session, contest_id, p) for p in prizes]
    state = palmares_state(session=session, contest_id=contest_id)
    decisions = allocate(inputs, _picks(state))
    query = select(Pitch.id, Pitch.startup_name).where(Pitch.contest_id == contest_id)
    names = {int(pitch or 0): str(name) for pitch, name in session.exec(query).all()}
    return prizes, inputs, decisions, names


def _rows(prizes, inputs, decisions, names, _) -> list[AwardRow]:
    prize_names = {int(p.id): p.name for p in prizes}
    return [
        AwardRow(
            prize_id=int(prize.id),
            prize_name=prize.name,
            sponsor=prize.sponsor,
            amount=prize.amount,
            winner_id=decision.winner,
            winner_name=names.get(decision.winner, "") if decision.winner is not None else "",
            outcome=str(decision.outcome),
            explanation=explain(
                decision, prize_in, prize_names=prize_names, startup_names=names, _=_
            ),
            tied=tuple((p, names.get(p, "")) for p in decision.tied),
        )
        for prize, prize_in, decision in zip(prizes, inputs, decisions, strict=True)
    ]


def allocation(*, session: Session, contest_id: int, language: str = "en") -> Allocation:
    """The frozen allocation when confirmed, else the one proposed from today's results."""
    state = palmares_state(session=session, contest_id=contest_id)
    if state.frozen is not None:
        rows = [
            AwardRow(
                prize_id=item["prize_id"],
                prize_name=item["prize_name"],
                sponsor=item["sponsor"],
                amount=item["amount"],
                winner_id=item["winner_id"],
                winner_name=item["winner_name"],
                outcome=item["outcome"],
                explanation=item["explanation"].get(language, item["explanation"]["en"]),
            )
            for item in state.frozen
        ]
        return Allocation(rows=rows, frozen=True, frozen_at=state.frozen_at)
    prizes, inputs, decisions, names = _compute(session, contest_id)
    rows = _rows(prizes, inputs, decisions, names, get_gettext(language))
    pending = sum(1 for d in decisions if d.outcome == Outcome.TIE)
    return Allocation(rows=rows, frozen=False, pending_ties=pending)


def pick_tie(
    *,
    session: Session,
    organiser_token: str | None,
    contest_id: int,
    prize_id: int,
    pitch_id: int,
) -> None:
    """The organiser's pick among the startups tied for `prize_id` (audited)."""
    _check_organiser(session, organiser_token)
    _refuse_if_frozen(session, contest_id)
    _prizes, _inputs, decisions, _names = _compute(session, contest_id)
    decision = next((d for d in decisions if d.prize_id == prize_id), None)
    if decision is None or pitch_id not in decision.tied:
        raise ValidationError(N_("Pick one of the tied startups."), field="pitch_id")
    state = _palmares(session, contest_id)
    picks = dict(state.tie_picks or {})
    old = picks.get(str(prize_id))
    picks[str(prize_id)] = pitch_id
    state.tie_picks = picks
    state.updated_at = utcnow()
    session.add(state)
    audit.record(
        session,
        contest_id=contest_id,
        actor="organiser",
        entity="prize",
        entity_id=prize_id,
        action="tie_pick",
        old=old,
        new=pitch_id,
    )
    session.flush()


def freeze(*, session: Session, organiser_token: str | None, contest_id: int) -> Allocation:
    """Confirm the proposed allocation: stored as it stands (explained in every language),
    audited; refused while a tie waits or when there is no prize."""
    _check_organiser(session, organiser_token)
    _refuse_if_frozen(session, contest_id)
    prizes, inputs, decisions, names = _compute(session, contest_id)
    if not prizes:
        raise ValidationError(N_("Define a prize first."))
    pending = sum(1 for d in decisions if d.outcome in (Outcome.TIE, Outcome.WAITING))
    if pending:
        raise TiesPending(
            N_("Settle the ties first: {count} prize(s) wait for your pick."), count=pending
        )
    by_language = {
        language: _rows(prizes, inputs, decisions, names, get_gettext(language))
        for language in LANGUAGES
    }
    frozen = [
        {
            "prize_id": row.prize_id,
            "prize_name": row.prize_name,
            "sponsor": row.sponsor,
            "amount": row.amount,
            "winner_id": row.winner_id,
            "winner_name": row.winner_name,
            "outcome": row.outcome,
            "explanation": {
                language: rows[index].explanation for language, rows in by_language.items()
            },
        }
        for index, row in enumerate(by_language["en"])
    ]
    state = _palmares(session, contest_id)
    state.frozen = frozen
    state.frozen_at = utcnow()
    state.step = 0
    state.updated_at = utcnow()
    session.add(state)
    audit.record(
        session,
        contest_id=contest_id,
        actor="organiser",
        entity="palmares",
        entity_id=contest_id,
        action="freeze",
        new=[(item["prize_name"], item["winner_name"]) for item in frozen],
    )
    session.flush()
    return allocation(session=session, contest_id=contest_id)


def unfreeze(*, session: Session, organiser_token: str | None, contest_id: int) -> None:
    """Undo the confirmation (audited, with what was frozen); the ceremony stops."""
    _check_organiser(session, organiser_token)
    state = _palmares(session, contest_id)
    if state.frozen is None:
        return
    audit.record(
        session,
        contest_id=contest_id,
        actor="organiser",
        entity="palmares",
        entity_id=contest_id,
        action="unfreeze",
        old=[(item["prize_name"], item["winner_name"]) for item in state.frozen],
    )
    state.frozen = None
    state.frozen_at = None
    state.ceremony = False
    state.public = False
    state.step = 0
    state.updated_at = utcnow()
    session.add(state)
    session.flush()


# --- the ceremony ---------------------------------------------------------------------------

#: Each prize is revealed in three steps: its name, its sponsor and amount, then the winner.
STEPS_PER_PRIZE = 3


def ceremony_steps(state: Palmares) -> int:
    """The last step of the ceremony (0 = the title slide)."""
    return STEPS_PER_PRIZE * len(state.frozen or [])


def _switch(
    session: Session,
    organiser_token: str | None,
    contest_id: int,
    *,
    changes: dict[str, object],
    action: str | None = None,
    frozen_needed: str | None = None,
) -> Palmares:
    """Apply `changes` to the contest's palmarès, the one path of every palmarès switch: the
    organiser check, the refusal `frozen_needed` while no allocation is confirmed, the stamp
    the projectors follow, and the audit event `action` (its new value is the first change)."""
    _check_organiser(session, organiser_token)
    state = _palmares(session, contest_id)
    if frozen_needed is not None and state.frozen is None:
        raise AllocationFrozen(frozen_needed)
    for name, value in changes.items():
        setattr(state, name, value)
    state.updated_at = utcnow()
    session.add(state)
    if action is not None:
        audit.record(
            session,
            contest_id=contest_id,
            actor="organiser",
            entity="palmares",
            entity_id=contest_id,
            action=action,
            new=next(iter(changes.values())),
        )
    session.flush()
    return state


def set_ceremony(
    *, session: Session, organiser_token: str | None, contest_id: int, on: bool
) -> Palmares:
    """Start (from the title slide) or stop the palmarès on every projector."""
    return _switch(
        session,
        organiser_token,
        contest_id,
        changes={"ceremony": on, "step": 0},
        action="ceremony",
        frozen_needed=N_("Confirm the prize allocation before the ceremony.") if on else None,
    )


def move_ceremony(
    *, session: Session, organiser_token: str | None, contest_id: int, offset: int
) -> Palmares:
    """Next (+1) or previous (-1) step of the ceremony, kept within its steps."""
    _check_organiser(session, organiser_token)
    state = _palmares(session, contest_id)
    if not state.ceremony:
        raise AllocationFrozen(N_("The ceremony is not running."))
    step = min(max(state.step + offset, 0), ceremony_steps(state))
    return _switch(session, organiser_token, contest_id, changes={"step": step})


def set_public(
    *, session: Session, organiser_token: str | None, contest_id: int, on: bool
) -> Palmares:
    """Open or close the public results page (only a confirmed allocation is published)."""
    return _switch(
        session,
        organiser_token,
        contest_id,
        changes={"public": on},
        action="public",
        frozen_needed=N_("Confirm the prize allocation before publishing it.") if on else None,
    )


@dataclass(frozen=True)
class Slide:
    """What the projector shows at one step of the ceremony."""

    contest_name: str
    step: int
    last_step: int
    prize_name: str = ""  # empty on the title slide
    sponsor: str = ""
    amount: float = 0.0
    winner_name: str | None = None  # None until the winner's step
    phase: str = "title"  # title | prize | sponsor | winner
    number: int = 0  # 1-based prize number, counted from the first revealed


def ceremony_signature(*, session: Session, contest_id: int) -> tuple:
    """What the ceremony screen depends on (read on every refresh): one primary-key read."""
    state = session.get(Palmares, contest_id)
    if state is None:
        return (False, 0, None)
    return (state.ceremony, state.step, state.frozen_at)


def ceremony_slide(*, session: Session, contest_id: int) -> Slide | None:
    """The current slide, or None when the ceremony is off.

    The prizes are revealed from the least prestigious up: the Grand Prize comes last.
    """
    state = palmares_state(session=session, contest_id=contest_id)
    if not state.ceremony or state.frozen is None:
        return None
    contest = get_contest(session=session, contest_id=contest_id)
    last = ceremony_steps(state)
    step = min(max(state.step, 0), last)
    if step == 0:
        return Slide(contest_name=contest.name, step=0, last_step=last)
    order = list(reversed(state.frozen))
    index, phase = divmod(step - 1, STEPS_PER_PRIZE)
    item = order[index]
    return Slide(
        contest_name=contest.name,
        step=step,
        last_step=last,
        prize_name=item["prize_name"],
        sponsor=item["sponsor"] if phase >= 1 else "",
        amount=item["amount"] if phase >= 1 else 0.0,
        winner_name=(item["winner_name"] or "") if phase >= 2 else None,
        phase=("prize", "sponsor", "winner")[phase],
        number=index + 1,
    )


def public_palmares(*, session: Session, contest_id: int, language: str) -> list[AwardRow] | None:
    """The confirmed palmarès when the organiser has opened the public page, else None."""
    state = palmares_state(session=session, contest_id=contest_id)
    if not state.public or state.frozen is None:
        return None
    return allocation(session=session, contest_id=contest_id, language=language).rows


# --- exports --------------------------------------------------------------------------------


def _frozen_rows(session: Session, contest_id: int, language: str) -> list[AwardRow]:
    result = allocation(session=session, contest_id=contest_id, language=language)
    if not result.frozen:
        raise AllocationFrozen(N_("Confirm the prize allocation before exporting the palmarès."))
    return result.rows


def palmares_csv(*, session: Session, contest_id: int, language: str) -> bytes:
    """The confirmed palmarès as CSV: `;` and a decimal comma in French, text made inert."""
    _ = get_gettext(language)
    rows = _frozen_rows(session, contest_id, language)
    dialect = csv_dialect(language)
    frame = pd.DataFrame(
        [
            {
                _("Prize"): row.prize_name,
                _("Sponsor"): row.sponsor,
                _("Amount"): float(row.amount),
                _("Winner"): row.winner_name,
                _("Why"): row.explanation,
            }
            for row in rows
        ],
        columns=[_("Prize"), _("Sponsor"), _("Amount"), _("Winner"), _("Why")],
    )
    buffer = io.StringIO()
    _safe(frame).to_csv(
        buffer,
        index=False,
        sep=dialect.separator,
        decimal=dialect.decimal,
        float_format="%.2f",
        lineterminator="\r\n",
        quoting=csv.QUOTE_MINIMAL,
    )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def palmares_pdf(*, session: Session, contest_id: int, language: str) -> bytes:
    """The confirmed palmarès as a one-to-few-page PDF (the feedback PDF's library)."""
    _ = get_gettext(language)
    rows = _frozen_rows(session, contest_id, language)
    contest = get_contest(session=session, contest_id=contest_id)
    pdf = FPDF(unit="mm", format="A4")
    pdf.core_fonts_encoding = "cp1252"
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 20)
    pdf.multi_cell(0, 10, _latin(contest.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 13)
    pdf.multi_cell(0, 7, _latin(_("Palmarès")), new_x="LMARGIN", new_y="NEXT")
    for row in rows:
        pdf.ln(5)
        pdf.set_font("Helvetica", "B", 14)
        pdf.multi_cell(0, 8, _latin(row.prize_name), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 11)
        details = [row.sponsor] if row.sponsor else []
        if row.amount:
            details.append(format_fixed(row.amount, language=language))
        if details:
            pdf.multi_cell(0, 6, _latin(" - ".join(details)), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 12)
        winner = row.winner_name or _("Not awarded")
        pdf.multi_cell(0, 7, _latin(winner), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 9)
        pdf.multi_cell(0, 5, _latin(row.explanation), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def startup_choices(*, session: Session, contest_id: int) -> list[tuple[int, str]]:
    """(pitch id, startup name) of the contest's live applications, by name: the choices of
    a hand-picked list."""
    rows = session.exec(
        select(Pitch.id, Pitch.startup_name).where(
            Pitch.contest_id == contest_id, Pitch.status != PitchStatus.WITHDRAWN
        )
    ).all()
    return sorted(((int(i or 0), str(n)) for i, n in rows), key=lambda item: item[1].casefold())
