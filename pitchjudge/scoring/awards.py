"""Prize allocation: every prize at once, in prestige order, under "one prize per startup".

Pure: plain mappings in, decisions out — no Streamlit, no database (the database side is
`pitchjudge.services.awards`).

The rule, as organisers state it: take the prizes from the most prestigious down; each goes to
its best-scored eligible startup, except that a startup already holding an *exclusive* prize
("one prize per startup") cannot take another exclusive one. A prize that "may combine with"
the others goes to its best eligible startup whatever that startup already holds.

Optimality. Compare two allocations by their winners' scores prize by prize in prestige order
(lexicographically; "no winner" is worse than any winner). The greedy pass above is optimal
for that order: fixing the first k prizes at their best possible scores, prize k+1's best
possible score is the best score among the eligible startups not already holding an
exclusive prize, which is exactly what the greedy pass takes. The only freedom left is *which*
of several startups with an equal best score takes a prize — a tie — and that choice changes
the prizes below, so it is never made here: the prize is reported as tied and the exclusive
prizes below it wait until the organiser picks (``resolutions``). `tests/test_awards.py` checks
this against a brute-force search over every feasible allocation.

Scores: higher is better. A jury ranking enters as ``-rank`` (its tie-breaks already applied),
an audience vote as the share of votes, a composite as its weighted normalised sum
(`composite_scores`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

#: Two scores closer than this are equal (composite scores are sums of floats).
EPSILON = 1e-9


class Source(StrEnum):
    JURY = "jury"
    AUDIENCE = "audience"
    COMPOSITE = "composite"


class Outcome(StrEnum):
    BEST = "best"  # the prize's best eligible startup
    NEXT_ELIGIBLE = "next"  # better-scored startups already hold an exclusive prize
    TIE = "tie"  # several startups share the best score: the organiser picks
    TIE_RESOLVED = "tie_resolved"  # … and the organiser has picked
    NONE_ELIGIBLE = "none"  # nobody eligible (or every eligible startup holds a prize)
    WAITING = "waiting"  # an exclusive prize above is tied: this one depends on the pick


@dataclass(frozen=True)
class PrizeInput:
    """One prize as the allocation sees it: its eligible startups and their scores."""

    id: int
    name: str
    exclusive: bool = True
    #: eligible startup (pitch id) → score; higher is better. Absent = not eligible.
    scores: Mapping[int, float] = field(default_factory=dict)
    #: startup → place on the deciding ranking (1 = first), for the explanations; by default
    #: the place among the eligible startups.
    places: Mapping[int, int] | None = None
    source: Source = Source.JURY

    def place(self, pitch: int) -> int:
        if self.places is not None and pitch in self.places:
            return int(self.places[pitch])
        score = self.scores[pitch]
        return 1 + sum(1 for other in self.scores.values() if other > score + EPSILON)


@dataclass(frozen=True)
class Decision:
    """What happened to one prize, and why."""

    prize_id: int
    outcome: Outcome
    winner: int | None = None
    #: The startups tied at the prize's cut (a pending or resolved tie).
    tied: tuple[int, ...] = ()
    #: Startups scored at least as well as the winner, skipped because they already hold an
    #: exclusive prize: (pitch id, prize id held).
    passed_over: tuple[tuple[int, int], ...] = ()
    #: The tied prize above that this one waits for.
    waiting_for: int | None = None


def allocate(
    prizes: Sequence[PrizeInput], resolutions: Mapping[int, int] | None = None
) -> list[Decision]:
    """One `Decision` per prize, in the order given (most prestigious first).

    ``resolutions``: prize id → the startup the organiser picked among the tied ones (a pick
    that is not among the tied startups any more is ignored, and the tie shows again).
    """
    resolutions = resolutions or {}
    held: dict[int, int] = {}  # startup → the exclusive prize it holds
    blocked_by: int | None = None
    decisions: list[Decision] = []
    for prize in prizes:
        if prize.exclusive and blocked_by is not None:
            decisions.append(Decision(prize.id, Outcome.WAITING, waiting_for=blocked_by))
            continue
        available = {
            pitch: score
            for pitch, score in prize.scores.items()
            if not (prize.exclusive and pitch in held)
        }
        if not available:
            passed = _passed_over(prize, held, None)
            decisions.append(Decision(prize.id, Outcome.NONE_ELIGIBLE, passed_over=passed))
            continue
        best = max(available.values())
        top = tuple(sorted(p for p, s in available.items() if s >= best - EPSILON))
        passed = _passed_over(prize, held, best) if prize.exclusive else ()
        if len(top) > 1:
            chosen = resolutions.get(prize.id)
            if chosen not in top:
                decisions.append(Decision(prize.id, Outcome.TIE, tied=top, passed_over=passed))
                if prize.exclusive:
                    blocked_by = prize.id
                continue
            decision = Decision(
                prize.id, Outcome.TIE_RESOLVED, winner=chosen, tied=top, passed_over=passed
            )
        else:
            outcome = Outcome.NEXT_ELIGIBLE if passed else Outcome.BEST
            decision = Decision(prize.id, outcome, winner=top[0], passed_over=passed)
        decisions.append(decision)
        if prize.exclusive and decision.winner is not None:
            held[decision.winner] = prize.id
    return decisions


def _passed_over(
    prize: PrizeInput, held: Mapping[int, int], best: float | None
) -> tuple[tuple[int, int], ...]:
    """Eligible startups at least as good as `best` (all, when None) that hold a prize."""
    if not prize.exclusive:
        return ()
    skipped = [
        (pitch, held[pitch])
        for pitch, score in prize.scores.items()
        if pitch in held and (best is None or score >= best - EPSILON)
    ]
    skipped.sort(key=lambda item: (-prize.scores[item[0]], item[0]))
    return tuple(skipped)


def winners_score_vector(
    prizes: Sequence[PrizeInput], winners: Mapping[int, int | None]
) -> tuple[float, ...]:
    """The winners' scores in prestige order (``-inf`` for no winner): what "optimal by the
    stated order" compares, lexicographically."""
    vector = []
    for prize in prizes:
        winner = winners.get(prize.id)
        vector.append(float("-inf") if winner is None else float(prize.scores[winner]))
    return tuple(vector)


def composite_scores(
    jury_totals: Mapping[int, float],
    votes: Mapping[int, int],
    jury_weight: float,
) -> dict[int, float]:
    """``w × jury + (1 − w) × audience`` for every startup in `jury_totals`.

    jury: the jury total min–max normalised over these startups (the best 1, the worst 0; all
    1 when they are all equal); audience: the startup's share of the votes cast for these
    startups (0 when nobody voted). Both between 0 and 1, so the weight means what it says.
    """
    if not 0.0 <= jury_weight <= 1.0:
        raise ValueError("jury_weight must be between 0 and 1")
    if not jury_totals:
        return {}
    low, high = min(jury_totals.values()), max(jury_totals.values())
    spread = high - low
    cast = sum(max(0, int(votes.get(p, 0))) for p in jury_totals)
    scores = {}
    for pitch, total in jury_totals.items():
        jury = 1.0 if spread <= EPSILON else (total - low) / spread
        audience = max(0, int(votes.get(pitch, 0))) / cast if cast else 0.0
        scores[pitch] = jury_weight * jury + (1.0 - jury_weight) * audience
    return scores


def vote_shares(votes: Mapping[int, int], eligible: Sequence[int]) -> dict[int, float]:
    """Each eligible startup's share of the votes cast for the eligible startups."""
    cast = sum(max(0, int(votes.get(p, 0))) for p in eligible)
    return {p: (max(0, int(votes.get(p, 0))) / cast if cast else 0.0) for p in eligible}


def explain(
    decision: Decision,
    prize: PrizeInput,
    *,
    prize_names: Mapping[int, str],
    startup_names: Mapping[int, str],
    _: Callable[[str], str],
) -> str:
    """The decision in one sentence, in the language of `_`."""
    source = {
        Source.JURY: _("the jury ranking"),
        Source.AUDIENCE: _("the audience vote"),
        Source.COMPOSITE: _("the composite score"),
    }[prize.source]

    def name(pitch: int) -> str:
        return startup_names.get(pitch, f"#{pitch}")

    parts = [
        _("{startup} is No. {place} on {source} but already holds {held}").format(
            startup=name(pitch),
            place=prize.place(pitch),
            source=source,
            held=prize_names.get(held, "?"),
        )
        for pitch, held in decision.passed_over
    ]
    winner = name(decision.winner) if decision.winner is not None else ""
    tied = ", ".join(name(p) for p in decision.tied)
    if decision.outcome == Outcome.BEST and decision.winner is not None:
        last = _("{prize} goes to {startup}, No. {place} on {source}.").format(
            prize=prize.name, startup=winner, place=prize.place(decision.winner), source=source
        )
    elif decision.outcome == Outcome.NEXT_ELIGIBLE:
        last = _("{prize} goes to {startup}, next eligible.").format(
            prize=prize.name, startup=winner
        )
    elif decision.outcome == Outcome.TIE:
        last = _("{startups} are tied on {source}: pick the winner of {prize}.").format(
            startups=tied, source=source, prize=prize.name
        )
    elif decision.outcome == Outcome.TIE_RESOLVED:
        last = _(
            "{startups} were tied on {source}; the organiser gave {prize} to {startup}."
        ).format(startups=tied, source=source, prize=prize.name, startup=winner)
    elif decision.outcome == Outcome.WAITING:
        last = _("{prize} waits until the tie for {other} is settled.").format(
            prize=prize.name, other=prize_names.get(decision.waiting_for or 0, "?")
        )
    elif prize.scores:
        last = _("No eligible startup is left for {prize}.").format(prize=prize.name)
    else:
        last = _("No eligible startup has a result for {prize} yet.").format(prize=prize.name)
    if parts:
        return "; ".join([*parts, last])
    return last
