"""The results engine: rules, rounding, every method, ties, flags, adjustments, bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pitchjudge.scoring import (
    METHODS,
    AggregationRule,
    DisconnectedDesign,
    ScoringError,
    leaderboard,
    panel_marks,
    round_half_up,
)
from pitchjudge.scoring.calibration import fit_additive
from pitchjudge.scoring.rounding import half_up


def frame(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["pitch", "judge", "criterion", "value"])


def panel(spec: dict[str, dict[str, list[float]]]) -> pd.DataFrame:
    """Marks from {pitch: {criterion: [mark of J1, mark of J2, …]}} (None = not marked)."""
    return frame(
        [
            (pitch, f"J{j + 1}", criterion, value)
            for pitch, by_criterion in spec.items()
            for criterion, values in by_criterion.items()
            for j, value in enumerate(values)
            if value is not None
        ]
    )


CRITERIA = pd.DataFrame({"criterion": ["Team", "Market"], "weight": [2.0, 1.0]})
FIVE_JUDGES = panel(
    {
        "A": {"Team": [6, 7, 8, 9, 10], "Market": [5, 5, 5, 5, 9]},
        "B": {"Team": [7, 7, 7, 7, 7], "Market": [6, 6, 6, 6, 6]},
    }
)


def row(board: pd.DataFrame, pitch) -> pd.Series:
    return board.set_index("pitch").loc[pitch]


# --- the rule ---------------------------------------------------------------------------------


def test_rule_round_trips_through_json():
    rule = AggregationRule(
        method="trimmed",
        trim=2,
        min_judges_to_trim=7,
        decimals=3,
        round_criteria=True,
        round_weighted=True,
        tie_break=["criterion:Team", "judged_total", "shared"],
        shrinkage=1.5,
    )
    stored = json.loads(json.dumps(rule.to_dict()))
    assert AggregationRule.from_dict(stored) == rule
    assert AggregationRule.from_dict(None) == AggregationRule()
    assert AggregationRule.from_dict({"method": "median"}).trim == AggregationRule().trim
    assert rule.replace(method="mean").method == "mean"
    assert rule.tie_break == ("criterion:Team", "judged_total", "shared")


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"method": "average"}, "method must be one of"),
        ({"trim": -1}, "trim must be a whole number"),
        ({"trim": 1.5}, "trim must be a whole number"),
        ({"decimals": 7}, "decimals must be at most 6"),
        ({"decimals": True}, "decimals must be a whole number"),
        ({"method": "trimmed", "trim": 2, "min_judges_to_trim": 4}, "at least 2 × trim \\+ 1 = 5"),
        ({"min_judges": 0}, "min_judges must be at least 1"),
        ({"round_total": "yes"}, "round_total must be true or false"),
        ({"shrinkage": -1}, "shrinkage must be a number ≥ 0"),
        ({"shrinkage": float("nan")}, "shrinkage must be a number ≥ 0"),
        ({"tie_probability": 0.4}, "tie_probability must be between 0.5 and 1"),
        ({"tie_break": "judged_total"}, "tie_break must be a list"),
        ({"tie_break": ["shared", "judged_total"]}, '"shared" can only be the last'),
        ({"tie_break": ["judged_total", "judged_total"]}, "lists a key twice"),
        ({"tie_break": ["criterion:"]}, "needs a name after the colon"),
        ({"tie_break": [""]}, "non-empty text"),
    ],
)
def test_rule_validation_says_what_is_wrong(settings, message):
    with pytest.raises(ScoringError, match=message) as caught:
        AggregationRule.from_dict(settings)
    assert isinstance(caught.value, ValueError)


def test_unknown_rule_settings_are_refused():
    with pytest.raises(ValueError, match="Unknown aggregation rule setting"):
        AggregationRule.from_dict({"method": "mean", "trimm": 1})


# --- rounding ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (2.675, 2, 2.68),  # the float is 2.67499999…: round() gives 2.67
        (2.665, 2, 2.67),
        (1.005, 2, 1.01),
        (0.125, 2, 0.13),
        (8.125, 2, 8.13),
        (-2.675, 2, -2.68),  # half away from zero
        (2.5, 0, 3.0),
        (3.5, 0, 4.0),
        (0.05, 1, 0.1),
        (1.0049999, 2, 1.0),
        (7.0, 2, 7.0),
        (-0.004, 2, 0.0),
    ],
)
def test_round_half_up_is_exact_on_decimal_inputs(value, decimals, expected):
    assert round_half_up(value, decimals) == expected
    rounded, _ = half_up(np.array([value]), decimals)
    assert rounded[0] == expected
    assert str(rounded[0]) == str(expected)  # no -0.0


def test_builtin_round_is_not_half_up():
    assert round(2.675, 2) == 2.67  # why the engine does not use it
    assert round(2.5) == 2


def test_vector_rounding_agrees_with_decimal_rounding():
    rng = np.random.default_rng(7)
    values = rng.integers(-100_000, 100_000, 20_000) / 1000  # three-decimal inputs
    rounded, _ = half_up(values, 2)
    assert list(rounded) == [round_half_up(v, 2) for v in values]


def test_mean_on_a_rounding_boundary_is_rounded_up():
    # (2.67 + 2.68) / 2 = 2.675 exactly: the float mean reads 2.67499999… and naive rounding
    # gives 2.67; the engine recomputes it in exact arithmetic.
    marks = panel({"A": {"Team": [2.67, 2.68]}})
    criteria = pd.DataFrame({"criterion": ["Team"], "weight": [1.0]})
    rule = AggregationRule(round_criteria=True, min_judges=1)
    assert row(leaderboard(marks, criteria, rule), "A")["Team"] == 2.68
    tenths = panel({"A": {"Team": [8.1, 8.2, 8.3, 8.4]}})
    rule = AggregationRule(decimals=1, min_judges=1)
    assert row(leaderboard(tenths, criteria, rule), "A")["total"] == 8.3  # 8.25 → 8.3


@pytest.mark.parametrize(
    ("round_criteria", "round_weighted", "round_total", "team", "judged"),
    [
        (False, False, False, 8.125, 6.5),  # 8.125 × 0.8 = 6.5
        (True, False, False, 8.13, 6.504),
        (True, True, False, 8.13, 6.5),
        (False, False, True, 8.125, 6.5),
    ],
)
def test_where_rounding_happens(round_criteria, round_weighted, round_total, team, judged):
    marks = panel({"A": {"Team": [8.0, 8.25, 8.25, 8.0, 8.0, 8.25, 8.25, 8.0]}})  # mean 8.125
    criteria = pd.DataFrame({"criterion": ["Team"], "weight": [0.8]})
    rule = AggregationRule(
        round_criteria=round_criteria, round_weighted=round_weighted, round_total=round_total
    )
    result = row(leaderboard(marks, criteria, rule), "A")
    assert result["Team"] == pytest.approx(team, abs=1e-12)
    assert result["judged_total"] == pytest.approx(judged, abs=1e-12)


# --- the methods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        # A: Team 6 7 8 9 10, Market 5 5 5 5 9; B: Team all 7, Market all 6. Weights 2 and 1.
        ("mean", {"A": (8.0, 5.8, 21.8), "B": (7.0, 6.0, 20.0)}),
        ("median", {"A": (8.0, 5.0, 21.0), "B": (7.0, 6.0, 20.0)}),
        ("trimmed", {"A": (8.0, 5.0, 21.0), "B": (7.0, 6.0, 20.0)}),  # drop 1 high, 1 low
        ("calibrated", {"A": (8.0, 5.8, 21.8), "B": (7.0, 6.0, 20.0)}),  # complete: = mean
        # z within judge and criterion over A and B: ±1/√2 or 0 when a judge gave equal marks.
        ("zscore", {"A": (0.2828427, -0.4242641, 0.14), "B": (-0.2828427, 0.4242641, -0.14)}),
    ],
)
def test_each_method_on_a_hand_computed_example(method, expected):
    board = leaderboard(FIVE_JUDGES, CRITERIA, AggregationRule(method=method))
    for pitch, (team, market, total) in expected.items():
        result = row(board, pitch)
        assert result["Team"] == pytest.approx(team, abs=1e-6)
        assert result["Market"] == pytest.approx(market, abs=1e-6)
        assert result["total"] == pytest.approx(total, abs=1e-9)
    assert list(board["pitch"]) == ["A", "B"]
    assert list(board["rank"]) == [1, 2]
    assert list(board["n_judges"]) == [5, 5]


def test_trimming_needs_enough_judges():
    marks = panel({"A": {"Team": [1, 5, 9]}, "B": {"Team": [1, 5, 9, 9, 9]}})
    criteria = pd.DataFrame({"criterion": ["Team"], "weight": [1.0]})
    board = leaderboard(marks, criteria, AggregationRule(method="trimmed", min_judges_to_trim=4))
    assert row(board, "A")["Team"] == 5.0  # plain mean of 1, 5, 9
    assert row(board, "A")["not_trimmed"]
    assert "not_trimmed" in row(board, "A")["flags"]
    assert row(board, "B")["Team"] == pytest.approx(23 / 3, abs=1e-12)  # 1 5 9 9 9 → 5 9 9
    assert not row(board, "B")["not_trimmed"]
    two = leaderboard(marks, criteria, AggregationRule(method="trimmed", trim=2))
    assert row(two, "B")["Team"] == 9.0  # 1 5 [9] 9 9
    assert row(two, "A")["not_trimmed"]


@pytest.mark.parametrize(("min_judges", "flagged"), [(1, []), (3, ["C"]), (4, ["A", "B", "C"])])
def test_too_few_judges_flag(min_judges, flagged):
    marks = panel({"A": {"Team": [3, 4, 5]}, "B": {"Team": [2, 3, 4]}, "C": {"Team": [5, 5, None]}})
    criteria = pd.DataFrame({"criterion": ["Team"], "weight": [1.0]})
    board = leaderboard(marks, criteria, AggregationRule(min_judges=min_judges))
    assert sorted(board.loc[board["too_few_judges"], "pitch"]) == flagged
    assert row(board, "C")["n_judges"] == 2


def test_calibrated_recovers_leniency_on_an_incomplete_panel():
    # Noise-free marks = quality + offset: the mean favours pitches seen by the lenient judge,
    # the calibrated method recovers the true qualities exactly.
    quality = {"A": 7.0, "B": 6.0, "C": 5.0, "D": 4.0}
    offset = {"J1": 2.0, "J2": 0.0, "J3": -2.0}
    seen = {"A": ["J2", "J3"], "B": ["J1", "J2"], "C": ["J1", "J3"], "D": ["J1", "J2"]}
    marks = frame(
        [(p, j, "Team", quality[p] + offset[j]) for p, judges in seen.items() for j in judges]
    )
    criteria = pd.DataFrame({"criterion": ["Team"], "weight": [1.0]})
    plain = leaderboard(marks, criteria, AggregationRule(min_judges=1))
    assert list(plain["pitch"][:2]) == ["B", "A"]  # B rides on J1's leniency
    least_squares = AggregationRule(method="calibrated", min_judges=1, shrinkage=0.0)
    fair = leaderboard(marks, criteria, least_squares)
    assert list(fair["pitch"]) == ["A", "B", "C", "D"]
    assert list(fair["Team"]) == [7.0, 6.0, 5.0, 4.0]
    details = panel_marks(marks, criteria, least_squares)
    assert details.set_index("pitch").loc["B", "mean_offset"] == pytest.approx(1.0)


def test_shrinkage_pulls_offsets_towards_zero():
    marks = frame(
        [("A", "J1", "T", 9), ("A", "J2", "T", 7), ("B", "J2", "T", 6), ("B", "J3", "T", 4)]
    )
    criteria = pd.DataFrame({"criterion": ["T"], "weight": [1.0]})
    rule = AggregationRule(method="calibrated", min_judges=1, round_total=False, shrinkage=0.0)
    plain = leaderboard(marks, criteria, AggregationRule(min_judges=1, round_total=False))
    free = leaderboard(marks, criteria, rule)
    shrunk = leaderboard(marks, criteria, rule.replace(shrinkage=2.0))
    gap = {
        name: row(board, "A")["total"] - row(board, "B")["total"]
        for name, board in (("plain", plain), ("free", free), ("shrunk", shrunk))
    }
    assert gap["plain"] == pytest.approx(3.0)
    assert gap["free"] == pytest.approx(1.0)  # the J2 link: A is 1 better than B
    assert gap["free"] < gap["shrunk"] < gap["plain"]
    huge = leaderboard(marks, criteria, rule.replace(shrinkage=1e9))
    assert row(huge, "A")["total"] - row(huge, "B")["total"] == pytest.approx(3.0, abs=1e-6)


def test_disconnected_design_is_refused_clearly():
    marks = frame(
        [
            ("A", "J1", "T", 8),
            ("B", "J1", "T", 6),
            ("C", "J2", "T", 9),
            ("D", "J2", "T", 3),
            ("D", "J3", "T", 4),
        ]
    )
    criteria = pd.DataFrame({"criterion": ["T"], "weight": [1.0]})
    with pytest.raises(DisconnectedDesign, match="split into 2 groups") as caught:
        leaderboard(marks, criteria, AggregationRule(method="calibrated"))
    assert isinstance(caught.value, ValueError)
    assert caught.value.groups == [(["J1"], ["A", "B"]), (["J2", "J3"], ["C", "D"])]
    assert "group 2: judges J2, J3; pitches C, D" in str(caught.value)
    assert "criterion 'T'" in str(caught.value)
    with pytest.raises(DisconnectedDesign):  # shrinkage does not make it comparable
        leaderboard(marks, criteria, AggregationRule(method="calibrated", shrinkage=1.0))
    for method in ("mean", "median", "trimmed", "zscore"):
        assert len(leaderboard(marks, criteria, AggregationRule(method=method))) == 4


def test_calibrated_fit_is_the_least_squares_fit_of_the_full_design():
    import statsmodels.formula.api as smf

    rng = np.random.default_rng(3)
    rows = [
        (p, j, rng.normal(5 + p * 0.3 + j * 0.2, 1))
        for p in range(8)
        for j in range(5)
        if rng.random() < 0.6 or j == p % 5
    ]
    data = pd.DataFrame(rows, columns=["p", "j", "y"])
    fit = fit_additive(data["p"].to_numpy(), data["j"].to_numpy(), data["y"].to_numpy(), 8, 5)
    ols = smf.ols("y ~ C(p) + C(j, Sum) - 1", data=data).fit()  # Sum coding: Σ offsets = 0
    expected = [ols.params[f"C(p)[{p}]"] for p in range(8)]
    assert fit.quality[:, 0] == pytest.approx(expected, abs=1e-9)
    assert fit.offset[:, 0].sum() == pytest.approx(0, abs=1e-12)
    assert fit.dof == ols.df_resid
    assert fit.sigma2[0] == pytest.approx(ols.scale)
    assert np.sqrt(fit.sigma2[0] * fit.quality_variance()) == pytest.approx(
        [ols.bse[f"C(p)[{p}]"] for p in range(8)]
    )


# --- ranks and ties ---------------------------------------------------------------------------


TIES = panel(
    {
        "A": {"Team": [5, 5], "Market": [1, 1]},  # total 2×5 + 1 = 11
        "B": {"Team": [4, 4], "Market": [2, 2]},  # 10
        "C": {"Team": [3, 3], "Market": [4, 4]},  # 10
        "D": {"Team": [3, 3], "Market": [3, 3]},  # 9
    }
)


def test_equal_totals_share_a_rank():
    board = leaderboard(TIES, CRITERIA, AggregationRule(min_judges=1))
    assert list(board["pitch"]) == ["A", "B", "C", "D"]
    assert list(board["rank"]) == [1, 2, 2, 4]
    assert list(board["total"]) == [11.0, 10.0, 10.0, 9.0]


@pytest.mark.parametrize(
    ("tie_break", "order", "ranks"),
    [
        (["criterion:Team"], ["A", "B", "C", "D"], [1, 2, 3, 4]),
        (["Market"], ["A", "C", "B", "D"], [1, 2, 3, 4]),  # a bare criterion name
        (["shared"], ["A", "B", "C", "D"], [1, 2, 2, 4]),
        (["judged_total"], ["A", "B", "C", "D"], [1, 2, 2, 4]),  # still equal
        (["judged_total", "criterion:Market"], ["A", "C", "B", "D"], [1, 2, 3, 4]),
        (["adjustment:Bonus"], ["A", "B", "C", "D"], [1, 2, 2, 4]),  # nobody got one
    ],
)
def test_tie_breaks_apply_in_order(tie_break, order, ranks):
    board = leaderboard(TIES, CRITERIA, AggregationRule(min_judges=1, tie_break=tie_break))
    assert list(board["pitch"]) == order
    assert list(board["rank"]) == ranks


def test_tie_break_by_adjustment_and_by_best_judge():
    adjustments = pd.DataFrame(
        {"pitch": ["B", "C"], "name": ["Technical", "Technical"], "points": [5.0, 5.0]}
    )
    rule = AggregationRule(min_judges=1, tie_break=["Technical"])
    board = leaderboard(TIES, CRITERIA, rule, adjustments)
    assert list(board["rank"]) == [1, 1, 3, 4]  # B = C = 15 with the same bonus: shared
    adjustments.loc[1, "points"] = 6.0
    adjustments = pd.concat(
        [adjustments, pd.DataFrame({"pitch": ["A"], "name": ["Technical"], "points": [5.0]})]
    )
    board = leaderboard(TIES, CRITERIA, rule, adjustments)
    assert list(board["pitch"]) == ["C", "A", "B", "D"]  # 16 (bonus 6), 16 (bonus 5), 15, 9
    assert list(board["rank"]) == [1, 2, 3, 4]

    extra = frame([("C", "J3", "Team", 4), ("C", "J3", "Market", 4)])
    marks = pd.concat([TIES, extra], ignore_index=True)
    marks.loc[
        (marks.pitch == "C") & (marks.judge == "J1") & (marks.criterion == "Team"), "value"
    ] = 2
    # C's judges' totals: 2×2+4 = 8, 2×3+4 = 10, 2×4+4 = 12: mean 10 like B, best 12 > 10.
    rule = AggregationRule(min_judges=1, tie_break=["max_judge_total"])
    board = leaderboard(marks, CRITERIA, rule)
    assert list(board["pitch"]) == ["A", "C", "B", "D"]
    assert list(board["rank"]) == [1, 2, 3, 4]


def test_unknown_tie_break_is_refused():
    with pytest.raises(ScoringError, match="neither a criterion nor an adjustment"):
        leaderboard(TIES, CRITERIA, AggregationRule(tie_break=["Charisma"]))
    with pytest.raises(ScoringError, match="no criterion is called 'Charisma'"):
        leaderboard(TIES, CRITERIA, AggregationRule(tie_break=["criterion:Charisma"]))


# --- adjustments, incomplete pitches, output --------------------------------------------------


def test_adjustments_are_added_after_the_judged_part():
    adjustments = pd.DataFrame(
        {
            "pitch": ["D", "D", "A", "Ghost"],
            "name": ["Bonus", "Bonus", "Overtime", "Bonus"],
            "points": [1.5, 1.0, -2.0, 100.0],
        }
    )
    board = leaderboard(TIES, CRITERIA, AggregationRule(min_judges=1), adjustments)
    assert list(board["pitch"]) == ["D", "B", "C", "A"]  # Ghost has no marks: ignored
    d = row(board, "D")
    assert (d["judged_total"], d["Bonus"], d["Overtime"], d["adjustments"], d["total"]) == (
        9.0,
        2.5,
        0.0,
        2.5,
        11.5,
    )
    assert row(board, "A")["total"] == 9.0
    assert list(board.columns) == [
        "rank",
        "pitch",
        "Team",
        "Market",
        "judged_total",
        "Bonus",
        "Overtime",
        "adjustments",
        "total",
        "n_judges",
        "p_beats_next",
        "statistical_tie",
        "too_few_judges",
        "not_trimmed",
        "incomplete",
        "flags",
    ]


def test_a_pitch_without_marks_on_a_criterion_is_incomplete_and_unranked():
    marks = TIES[~((TIES.pitch == "A") & (TIES.criterion == "Market"))]
    board = leaderboard(marks, CRITERIA, AggregationRule(min_judges=1))
    assert list(board["pitch"]) == ["B", "C", "D", "A"]
    a = row(board, "A")
    assert pd.isna(a["rank"]) and np.isnan(a["total"]) and a["incomplete"]
    assert a["Team"] == 5.0
    assert "incomplete" in a["flags"]
    assert list(board["rank"][:3]) == [1, 1, 3]


def test_statistical_tie_flags_close_neighbours():
    marks = panel(
        {
            "A": {"Team": [9, 9, 10, 9, 9]},
            "B": {"Team": [5, 4, 6, 3, 7]},
            "C": {"Team": [5, 5, 4, 6, 5]},
        }
    )
    criteria = pd.DataFrame({"criterion": ["Team"], "weight": [1.0]})
    board = leaderboard(marks, criteria)
    assert list(board["pitch"]) == ["A", "B", "C"]
    assert board["p_beats_next"][0] > 0.99
    assert 0.4 < board["p_beats_next"][1] < 0.6
    assert np.isnan(board["p_beats_next"][2])
    assert list(board["statistical_tie"]) == [False, True, True]


def test_empty_marks_give_an_empty_leaderboard():
    board = leaderboard(frame([]), CRITERIA)
    assert board.empty and "total" in board.columns and "Team" in board.columns


def test_rule_may_be_a_dict_and_labels_may_be_numbers():
    marks = frame([(10, 1, "Team", 3), (10, 2, "Team", 4), (7, 1, "Team", 5), (7, 2, "Team", 5)])
    criteria = pd.DataFrame({"criterion": ["Team"], "weight": [1.0]})
    board = leaderboard(marks, criteria, {"method": "median", "min_judges": 2})
    assert list(board["pitch"]) == [7, 10]
    assert list(board["total"]) == [5.0, 3.5]


# --- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize("value", [1e13, -1e13, 1e300, float("inf")])
@pytest.mark.parametrize("scale", [False, True])
def test_absurd_values_are_refused_with_or_without_a_scale(value, scale):
    criteria = CRITERIA.assign(min=-1e308, max=1e308) if scale else CRITERIA
    marks = frame([("A", "J1", "Team", 3), ("B", "J1", "Team", value)])
    with pytest.raises(ScoringError, match="rows 1"):
        leaderboard(marks, criteria, AggregationRule())
    with pytest.raises(ScoringError, match="weight must lie between"):
        leaderboard(frame([("A", "J1", "Team", 3)]), CRITERIA.assign(weight=[1e13, 1]))


@pytest.mark.parametrize("n_criteria", [3, 12, 45])
def test_a_mark_given_twice_is_refused_however_the_scorecard_looks(n_criteria):
    """A repeat is found when it hides in a scorecard of the right size (a criterion twice,
    another missing) and when none is repeated nothing is refused; 45 criteria take the
    sorting path, fewer the scorecard-sum one."""
    rng = np.random.default_rng(n_criteria)
    names = [f"C{c}" for c in range(n_criteria)]
    criteria = pd.DataFrame({"criterion": names, "weight": 1.0})
    for trial in range(40):
        rows = [
            (f"P{p}", f"J{j}", name, 5.0)
            for p in range(3)
            for j in range(3)
            for name in names
            if rng.random() < 0.8
        ]
        if trial % 2:  # one criterion given twice in place of another of the same scorecard
            k = int(rng.integers(1, len(rows)))
            pitch, judge, _, _ = rows[k]
            same = [r for r in rows if r[:2] == (pitch, judge) and r is not rows[k]]
            if not same:
                continue
            rows[k] = (pitch, judge, same[0][2], 6.0)
            with pytest.raises(ScoringError, match="marked the same criterion"):
                leaderboard(frame(rows), criteria)
        else:
            assert len(leaderboard(frame(rows), criteria)) == 3


@pytest.mark.parametrize(
    ("marks", "criteria", "adjustments", "message"),
    [
        (frame([]).drop(columns="judge"), CRITERIA, None, "missing: judge"),
        ("not a frame", CRITERIA, None, "must be a pandas DataFrame"),
        (frame([("A", "J1", "Team", "high")]), CRITERIA, None, "value must be a finite number"),
        (frame([("A", "J1", "Team", float("nan"))]), CRITERIA, None, "rows 0 are not"),
        (frame([("A", None, "Team", 3)]), CRITERIA, None, "judge is missing in rows 0"),
        (frame([("A", "J1", "Charisma", 3)]), CRITERIA, None, "Charisma are not in the criteria"),
        (
            frame([("A", "J1", "Team", 3), ("A", "J1", "Team", 4)]),
            CRITERIA,
            None,
            "marked the same criterion of the same pitch twice \\(rows 0, 1\\)",
        ),
        (
            frame([("A", "J1", "Team", 3), ("A", "J2", "Team", 6)]),
            CRITERIA.assign(min=1, max=5),
            None,
            "above the maximum of their criterion in rows 1",
        ),
        (
            frame([("A", "J1", "Team", 0)]),
            CRITERIA.assign(min=1, max=5),
            None,
            "below the minimum",
        ),
        (frame([("A", "J1", "Team", 3)]), CRITERIA.assign(weight=[0, 1]), None, "more than 0"),
        (
            frame([("A", "J1", "Team", 3)]),
            pd.concat([CRITERIA, CRITERIA]).reset_index(drop=True),
            None,
            "listed twice",
        ),
        (
            frame([("A", "J1", "total", 3)]),
            pd.DataFrame({"criterion": ["total"], "weight": [1]}),
            None,
            "cannot be called total",
        ),
        (
            frame([("A", "J1", "Team", 3)]),
            CRITERIA,
            pd.DataFrame({"pitch": ["A"], "name": ["Team"], "points": [1]}),
            "both a criterion and an adjustment",
        ),
        (
            frame([("A", "J1", "Team", 3)]),
            CRITERIA,
            pd.DataFrame({"pitch": ["A"], "name": ["Bonus"], "points": ["x"]}),
            "points must be a finite number",
        ),
    ],
)
def test_bad_input_is_refused_with_the_rows(marks, criteria, adjustments, message):
    with pytest.raises(ScoringError, match=message):
        leaderboard(marks, criteria, AggregationRule(), adjustments)


def test_every_method_is_documented():
    import pitchjudge.scoring as scoring

    for method in METHODS:
        assert f'"{method}"' in scoring.__doc__
