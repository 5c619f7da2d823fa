"""Properties of the results engine, checked on generated contests (hypothesis)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pitchjudge.scoring import METHODS, AggregationRule, leaderboard
from pitchjudge.scoring.calibration import connected_groups

PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
#: Marks on a half-point scale: plenty of equal totals and rounding boundaries.
MARKS = st.sampled_from([x / 2 for x in range(2, 21)])


@st.composite
def contests(draw, *, complete: bool = False, marks=MARKS):
    """(marks, criteria): 2–6 pitches, 2–5 judges, 1–3 criteria; a judge marks every
    criterion of each pitch they see; every pitch has a judge and every judge a pitch."""
    n_pitches = draw(st.integers(2, 6))
    n_judges = draw(st.integers(2, 5))
    n_criteria = draw(st.integers(1, 3))
    if complete:
        seen = np.ones((n_pitches, n_judges), dtype=bool)
    else:
        seen = np.array(
            draw(
                st.lists(
                    st.lists(st.booleans(), min_size=n_judges, max_size=n_judges),
                    min_size=n_pitches,
                    max_size=n_pitches,
                )
            )
        )
        seen[np.arange(n_pitches), np.arange(n_pitches) % n_judges] = True
        seen[np.arange(n_judges) % n_pitches, np.arange(n_judges)] = True
    rows = [
        (f"P{p}", f"J{j}", f"C{c}", draw(marks))
        for p in range(n_pitches)
        for j in range(n_judges)
        if seen[p, j]
        for c in range(n_criteria)
    ]
    weights = draw(
        st.lists(
            st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0]), min_size=n_criteria, max_size=n_criteria
        )
    )
    return (
        pd.DataFrame(rows, columns=["pitch", "judge", "criterion", "value"]),
        pd.DataFrame({"criterion": [f"C{c}" for c in range(n_criteria)], "weight": weights}),
    )


def connected(marks: pd.DataFrame) -> bool:
    pitch = pd.factorize(marks["pitch"])[0]
    judge = pd.factorize(marks["judge"])[0]
    return connected_groups(pitch, judge, pitch.max() + 1, judge.max() + 1)[0] == 1


def rule_for(method: str, **changes) -> AggregationRule:
    return AggregationRule(method=method, min_judges_to_trim=3, **changes)


def same_board(a: pd.DataFrame, b: pd.DataFrame, method: str) -> None:
    """Equal leaderboards: exactly for the exact methods, to 1e-9 for estimates."""
    a, b = a.reset_index(drop=True), b.reset_index(drop=True)
    exact = method in ("mean", "median", "trimmed")
    estimate = ["p_beats_next"]  # sums of squares: summation order moves the last bit
    pd.testing.assert_frame_equal(
        a.drop(columns=estimate), b.drop(columns=estimate), check_exact=exact, rtol=1e-9
    )
    np.testing.assert_allclose(a[estimate], b[estimate], rtol=1e-9)


@pytest.mark.parametrize("method", METHODS)
@PROPERTY
@given(data=st.data())
def test_renaming_or_reordering_judges_changes_nothing(method, data):
    marks, criteria = data.draw(contests())
    if method == "calibrated":
        assume(connected(marks))
    judges = sorted(marks["judge"].unique())
    new_names = data.draw(st.permutations([f"Z{k}" for k in range(len(judges))]))
    renamed = marks.assign(judge=marks["judge"].map(dict(zip(judges, new_names, strict=True))))
    shuffled = renamed.sample(frac=1, random_state=data.draw(st.integers(0, 1000)))
    rule = rule_for(method)
    same_board(leaderboard(marks, criteria, rule), leaderboard(shuffled, criteria, rule), method)


@pytest.mark.parametrize("method", METHODS)
@PROPERTY
@given(data=st.data())
def test_raising_one_mark_never_lowers_that_pitchs_total(method, data):
    marks, criteria = data.draw(contests())
    if method == "calibrated":
        assume(connected(marks))
    k = data.draw(st.integers(0, len(marks) - 1))
    raised = marks.copy()
    raised.loc[k, "value"] += data.draw(st.sampled_from([0.5, 1.0, 3.0]))
    pitch = marks.loc[k, "pitch"]
    for rule in (rule_for(method), rule_for(method, round_criteria=True, round_weighted=True)):
        before = leaderboard(marks, criteria, rule).set_index("pitch").loc[pitch, "total"]
        after = leaderboard(raised, criteria, rule).set_index("pitch").loc[pitch, "total"]
        assert after >= before


@settings(PROPERTY, max_examples=25)
@given(data=st.data())
def test_a_constant_added_to_one_judge_leaves_the_calibrated_ranking_unchanged(data):
    marks, criteria = data.draw(contests())
    assume(connected(marks))
    judge = data.draw(st.sampled_from(sorted(marks["judge"].unique())))
    n_judges = marks["judge"].nunique()
    rule = AggregationRule(method="calibrated", shrinkage=0.0)  # plain least squares
    before = leaderboard(marks, criteria, rule)

    # Any constant: the qualities all move by constant / n_judges, so the order never flips
    # (rounding to the displayed 2 decimals can only join or split equal totals).
    constant = data.draw(st.sampled_from([-3.0, -1.25, -0.7, 0.3, 1.0, 2.5, 4.0]))
    shifted = marks.assign(
        value=marks["value"].where(marks["judge"] != judge, marks["value"] + constant)
    )
    after = leaderboard(shifted, criteria, rule)
    rank_before = before.set_index("pitch")["rank"]
    rank_after = after.set_index("pitch")["rank"].reindex(rank_before.index)
    for a in rank_before.index:
        for b in rank_before.index:
            if rank_before[a] < rank_before[b]:
                assert rank_after[a] <= rank_after[b]
    # Unrounded, every total moves by the same amount. (Comparing the orders instead would
    # be fragile: two exactly equal totals may differ by float noise once shifted.)
    unrounded = rule.replace(round_total=False)
    totals_before = leaderboard(marks, criteria, unrounded).set_index("pitch")["total"]
    totals_after = (
        leaderboard(shifted, criteria, unrounded)
        .set_index("pitch")["total"]
        .reindex(totals_before.index)
    )
    moved_by = (totals_after - totals_before).dropna()
    assert moved_by.max() - moved_by.min() < 1e-6

    # A whole multiple of the number of judges shifts every total by whole marks: the
    # ranking, rounding included, is exactly the same.
    whole = n_judges * data.draw(st.sampled_from([-2, -1, 1, 3]))
    moved = marks.assign(
        value=marks["value"].where(marks["judge"] != judge, marks["value"] + whole)
    )
    after = leaderboard(moved, criteria, rule)
    assert after["pitch"].tolist() == before["pitch"].tolist()
    assert after["rank"].tolist() == before["rank"].tolist()


@pytest.mark.parametrize("method", METHODS)
@PROPERTY
@given(
    data=st.data(),
    tie_break=st.sampled_from([[], ["judged_total"], ["criterion:C0"], ["max_judge_total"]]),
)
def test_equal_totals_share_a_rank(method, data, tie_break):
    marks, criteria = data.draw(contests(marks=st.sampled_from([1.0, 2.0, 3.0])))
    if method == "calibrated":
        assume(connected(marks))
    board = leaderboard(marks, criteria, rule_for(method, tie_break=tie_break))
    ranked = board.dropna(subset=["total"])
    totals = ranked["total"].to_numpy()
    ranks = ranked["rank"].to_numpy(dtype=float)
    assert (np.diff(totals) <= 0).all()  # best first
    assert ranks[0] == 1
    for i in range(len(ranked)):
        better = (totals > totals[i]).sum()
        equal = totals == totals[i]
        assert ranks[i] >= better + 1  # tie-breaks may only push it down among equals
        assert ranks[i] <= better + equal.sum()
        if not tie_break:
            assert ranks[i] == better + 1  # 1, 2, 2, 4


def decimal_reference(marks: pd.DataFrame, criteria: pd.DataFrame, rule: AggregationRule):
    """The rule computed naively in decimal.Decimal from the marks as written."""
    quantum = Decimal(1).scaleb(-rule.decimals)

    def rounded(value: Decimal, step: bool) -> Decimal:
        return value.quantize(quantum, rounding=ROUND_HALF_UP) if step else value

    weights = {
        c: Decimal(repr(float(w))) for c, w in zip(criteria.criterion, criteria.weight, strict=True)
    }
    totals = {}
    with localcontext() as context:
        context.prec = 60
        for pitch, of_pitch in marks.groupby("pitch"):
            judged = Decimal(0)
            for criterion, of_criterion in of_pitch.groupby("criterion"):
                values = sorted(Decimal(repr(float(v))) for v in of_criterion["value"])
                n = len(values)
                if rule.method == "median":
                    panel = (values[(n - 1) // 2] + values[n // 2]) / 2
                elif rule.method == "trimmed" and n >= rule.min_judges_to_trim:
                    kept = values[rule.trim : n - rule.trim]
                    panel = sum(kept) / len(kept)
                else:
                    panel = sum(values) / n
                panel = rounded(panel, rule.round_criteria)
                judged += rounded(panel * weights[criterion], rule.round_weighted)
            totals[pitch] = float(rounded(judged, rule.round_total))
    return totals


@pytest.mark.parametrize("method", ["mean", "median", "trimmed"])
@PROPERTY
@given(
    data=st.data(),
    steps=st.tuples(st.booleans(), st.booleans()),
    decimals=st.sampled_from([0, 1, 2]),
)
def test_fast_arithmetic_equals_decimal_arithmetic(method, data, steps, decimals):
    two_decimals = st.integers(0, 1000).map(lambda k: k / 100)
    marks, criteria = data.draw(contests(marks=two_decimals))
    criteria = criteria.assign(
        weight=data.draw(
            st.lists(
                st.sampled_from([0.7, 0.8, 1.2, 1.6, 2.5, 0.35]),
                min_size=len(criteria),
                max_size=len(criteria),
            )
        )
    )
    rule = rule_for(method, decimals=decimals, round_criteria=steps[0], round_weighted=steps[1])
    board = leaderboard(marks, criteria, rule).set_index("pitch")["total"].to_dict()
    assert board == decimal_reference(marks, criteria, rule)
