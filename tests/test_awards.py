"""Prize allocation (pure): unit tests, and properties checked against brute force."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pitchjudge.i18n import get_gettext
from pitchjudge.scoring.awards import (
    Decision,
    Outcome,
    PrizeInput,
    Source,
    allocate,
    composite_scores,
    explain,
    vote_shares,
    winners_score_vector,
)

WATTSON, SOLARIS, KELVIO, BRAVO = 1, 2, 3, 4
NAMES = {WATTSON: "Wattson", SOLARIS: "Solaris Copro", KELVIO: "Kelvio", BRAVO: "Bravo"}
JURY = {KELVIO: -1.0, WATTSON: -2.0, SOLARIS: -3.0, BRAVO: -4.0}  # -rank


def jury_prize(id_, name, eligible=None, exclusive=True):
    scores = {p: s for p, s in JURY.items() if eligible is None or p in eligible}
    places = {p: int(-s) for p, s in JURY.items()}
    return PrizeInput(id_, name, exclusive, scores, places, Source.JURY)


def test_the_climate_prize_skips_the_grand_prize_winner_and_says_why():
    grand = jury_prize(10, "Grand Prize", eligible={WATTSON, SOLARIS, BRAVO})
    climate = jury_prize(11, "Climate prize", eligible={WATTSON, SOLARIS})
    decisions = allocate([grand, climate])
    assert [d.winner for d in decisions] == [WATTSON, SOLARIS]
    assert decisions[1].outcome == Outcome.NEXT_ELIGIBLE
    assert decisions[1].passed_over == ((WATTSON, 10),)
    sentence = explain(
        decisions[1],
        climate,
        prize_names={10: "Grand Prize", 11: "Climate prize"},
        startup_names=NAMES,
        _=get_gettext("en"),
    )
    assert sentence == (
        "Wattson is No. 2 on the jury ranking but already holds Grand Prize; "
        "Climate prize goes to Solaris Copro, next eligible."
    )
    french = explain(
        decisions[1],
        climate,
        prize_names={10: "Grand Prize", 11: "Climate prize"},
        startup_names=NAMES,
        _=get_gettext("fr"),
    )
    assert "Solaris Copro" in french and "Wattson" in french and "goes to" not in french


def test_a_combinable_prize_may_go_to_a_startup_that_already_holds_one():
    grand = jury_prize(10, "Grand Prize")
    sponsor = jury_prize(12, "Sponsor prize", exclusive=False)
    decisions = allocate([grand, sponsor])
    assert [d.winner for d in decisions] == [KELVIO, KELVIO]
    assert decisions[1].outcome == Outcome.BEST


def test_a_tie_at_the_cut_is_left_to_the_organiser_and_holds_the_prizes_below():
    tied = PrizeInput(1, "People's Choice", True, {WATTSON: 0.4, SOLARIS: 0.4, KELVIO: 0.2})
    below = PrizeInput(2, "Jury prize", True, {WATTSON: 1.0, SOLARIS: 0.5})
    combinable = PrizeInput(3, "Sponsor", False, {KELVIO: 1.0})
    decisions = allocate([tied, below, combinable])
    assert decisions[0].outcome == Outcome.TIE and decisions[0].winner is None
    assert decisions[0].tied == (WATTSON, SOLARIS)
    assert decisions[1].outcome == Outcome.WAITING and decisions[1].waiting_for == 1
    assert decisions[2].winner == KELVIO  # not held by the exclusive tie
    picked = allocate([tied, below, combinable], resolutions={1: WATTSON})
    assert picked[0].outcome == Outcome.TIE_RESOLVED and picked[0].winner == WATTSON
    assert picked[1].winner == SOLARIS
    # A pick that is no longer among the tied does not decide anything.
    stale = allocate([tied, below], resolutions={1: KELVIO})
    assert stale[0].outcome == Outcome.TIE


def test_nobody_left_and_nobody_eligible_are_told_apart():
    only = PrizeInput(1, "First", True, {WATTSON: 1.0})
    again = PrizeInput(2, "Second", True, {WATTSON: 1.0})
    empty = PrizeInput(3, "Third", True, {})
    decisions = allocate([only, again, empty])
    assert decisions[1].outcome == Outcome.NONE_ELIGIBLE
    assert decisions[1].passed_over == ((WATTSON, 1),)
    english = get_gettext("en")
    kwargs = {"prize_names": {1: "First", 2: "Second", 3: "Third"}, "startup_names": NAMES}
    assert "No eligible startup is left for Second" in explain(
        decisions[1], again, _=english, **kwargs
    )
    assert (
        explain(decisions[2], empty, _=english, **kwargs)
        == "No eligible startup has a result for Third yet."
    )


def test_composite_normalises_the_jury_min_max_and_the_audience_as_a_share():
    scores = composite_scores({1: 80.0, 2: 60.0, 3: 70.0}, {1: 0, 2: 30, 3: 10, 99: 500}, 0.7)
    assert scores[1] == pytest.approx(0.7)  # best jury total, no vote
    assert scores[2] == pytest.approx(0.3 * 0.75)  # worst jury total, 30 of the 40 votes
    assert scores[3] == pytest.approx(0.7 * 0.5 + 0.3 * 0.25)
    assert composite_scores({1: 5.0, 2: 5.0}, {}, 0.5) == {1: 0.5, 2: 0.5}
    with pytest.raises(ValueError):
        composite_scores({1: 1.0}, {}, 1.5)
    assert vote_shares({1: 3, 2: 1}, [1, 2, 3]) == {1: 0.75, 2: 0.25, 3: 0.0}
    assert vote_shares({}, [1]) == {1: 0.0}


# --- properties, against a brute-force search over every feasible allocation ---------------


@st.composite
def contests(draw):
    startups = draw(st.integers(min_value=1, max_value=5))
    count = draw(st.integers(min_value=1, max_value=4))
    prizes = []
    for index in range(count):
        eligible = draw(st.sets(st.integers(0, startups - 1), max_size=startups))
        scores = {p: float(draw(st.integers(0, 3))) for p in sorted(eligible)}
        prizes.append(PrizeInput(index, f"P{index}", draw(st.booleans()), scores))
    return prizes


def feasible(prizes):
    """Every allocation that gives each prize an eligible startup or nobody, with no startup
    holding two exclusive prizes."""
    options = [[None, *p.scores] for p in prizes]
    for choice in itertools.product(*options):
        exclusive = [
            w for w, p in zip(choice, prizes, strict=True) if p.exclusive and w is not None
        ]
        if len(exclusive) == len(set(exclusive)):
            yield dict(zip([p.id for p in prizes], choice, strict=True))


def resolve_all(prizes, pick):
    """Allocate, settling each tie by `pick` (first or last tied), as an organiser would."""
    resolutions: dict[int, int] = {}
    for _round in range(len(prizes) + 1):
        decisions = allocate(prizes, resolutions)
        pending = [d for d in decisions if d.outcome == Outcome.TIE]
        if not pending:
            return decisions, resolutions
        resolutions[pending[0].prize_id] = pick(pending[0].tied)
    raise AssertionError("ties never settle")


@settings(max_examples=300, deadline=None)
@given(contests(), st.sampled_from([min, max]))
def test_allocation_is_feasible_and_lexicographically_optimal(prizes, pick):
    decisions, picks = resolve_all(prizes, pick)
    winners = {d.prize_id: d.winner for d in decisions}
    by_id = {p.id: p for p in prizes}
    exclusive = [w for pid, w in winners.items() if w is not None and by_id[pid].exclusive]
    assert len(exclusive) == len(set(exclusive)), "a startup holds two exclusive prizes"
    for pid, winner in winners.items():
        assert winner is None or winner in by_id[pid].scores, "a winner is not eligible"
    # Optimal among the allocations that keep the organiser's picks at the ties (a pick
    # may cost a prize below: that choice is the organiser's, shown as a tie).
    best = max(
        winners_score_vector(prizes, w)
        for w in feasible(prizes)
        if all(w[pid] == pitch for pid, pitch in picks.items())
    )
    assert winners_score_vector(prizes, winners) == best
    if not picks:
        assert best == max(winners_score_vector(prizes, w) for w in feasible(prizes))


@settings(max_examples=300, deadline=None)
@given(contests())
def test_every_tie_at_a_cut_is_reported_and_never_broken(prizes):
    decisions = allocate(prizes)
    held: set[int] = set()
    for prize, decision in zip(prizes, decisions, strict=True):
        if decision.outcome == Outcome.WAITING:
            assert prize.exclusive
            continue
        free = {p: s for p, s in prize.scores.items() if not (prize.exclusive and p in held)}
        if free:
            top = max(free.values())
            at_cut = tuple(sorted(p for p, s in free.items() if s == top))
            if len(at_cut) > 1:
                assert decision.outcome == Outcome.TIE
                assert decision.tied == at_cut and decision.winner is None
            else:
                assert decision.winner == at_cut[0]
        else:
            assert decision.outcome == Outcome.NONE_ELIGIBLE
        if prize.exclusive and decision.winner is not None:
            held.add(decision.winner)


@settings(max_examples=100, deadline=None)
@given(contests())
def test_every_decision_is_explained_in_both_languages(prizes):
    decisions, _picks = resolve_all(prizes, min)
    names = {p.id: p.name for p in prizes}
    startups = {i: f"S{i}" for i in range(5)}
    for language in ("en", "fr"):
        for prize, decision in zip(prizes, decisions, strict=True):
            sentence = explain(
                decision,
                prize,
                prize_names=names,
                startup_names=startups,
                _=get_gettext(language),
            )
            assert prize.name in sentence
            if decision.winner is not None:
                assert startups[decision.winner] in sentence


def test_decision_defaults_are_empty():
    assert Decision(1, Outcome.BEST, winner=2).passed_over == ()
