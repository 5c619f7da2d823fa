"""Uncertainty, judge statistics and agreement of the results engine."""

from __future__ import annotations

import itertools
import time

import numpy as np
import pandas as pd
import pytest

from pitchjudge.scoring import (
    AggregationRule,
    ScoringError,
    agreement,
    judge_statistics,
    leaderboard,
    uncertainty,
)
from pitchjudge.scoring.precision import WEAK_CONNECTIVITY, connectivity
from pitchjudge.scoring.simulation import simulate_contest
from pitchjudge.scoring.statistics import (
    FAMILY_ERROR,
    LENIENCY_SHARE,
    _deleted_t,
    icc2,
    icc3,
    judge_thresholds,
    kendall_w,
)
from pitchjudge.scoring.uncertainty import decision_lines

#: The worked example of Shrout & Fleiss (1979): six targets rated by four judges.
SHROUT_FLEISS = np.array(
    [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]],
    dtype=float,
)


def final(seed: int = 0, n_pitches: int = 20, n_judges: int = 12, n_criteria: int = 8):
    """A complete final: every judge marks every pitch on every criterion (1–10)."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(6, 1.2, n_pitches)
    leniency = rng.normal(0, 0.7, n_judges)
    rows = [
        (
            f"P{p:02d}",
            f"J{j:02d}",
            f"C{c}",
            float(np.clip(np.rint(quality[p] + leniency[j] + rng.normal(0, 0.8)), 1, 10)),
        )
        for p in range(n_pitches)
        for j in range(n_judges)
        for c in range(n_criteria)
    ]
    marks = pd.DataFrame(rows, columns=["pitch", "judge", "criterion", "value"])
    criteria = pd.DataFrame(
        {
            "criterion": [f"C{c}" for c in range(n_criteria)],
            "weight": np.arange(1.0, n_criteria + 1),
        }
    )
    return marks, criteria


def as_table(matrix: np.ndarray) -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [
        (f"P{p}", f"J{j}", "Score", matrix[p, j])
        for p in range(matrix.shape[0])
        for j in range(matrix.shape[1])
        if not np.isnan(matrix[p, j])
    ]
    return (
        pd.DataFrame(rows, columns=["pitch", "judge", "criterion", "value"]),
        pd.DataFrame({"criterion": ["Score"], "weight": [1.0]}),
    )


# --- agreement --------------------------------------------------------------------------------


def test_icc_matches_shrout_and_fleiss_worked_example():
    single, average = icc2(SHROUT_FLEISS)
    assert round(single, 2) == 0.29  # ICC(2,1)
    assert round(average, 2) == 0.62  # ICC(2,4)


def test_icc3_matches_shrout_and_fleiss_worked_example():
    single, average = icc3(SHROUT_FLEISS)
    assert round(single, 2) == 0.71  # ICC(3,1)
    assert round(average, 2) == 0.91  # ICC(3,4)


def test_the_ranking_figure_ignores_a_judge_who_is_only_lenient():
    # Same order from every judge, one of them 2 points more generous: a complete panel's
    # ranking is perfectly reliable (ICC(3,k) = W = 1); absolute agreement is not (ICC(2,k)).
    table = np.tile(np.array([[1.0], [3.0], [2.0], [5.0], [4.0]]), (1, 3))
    table[:, 0] += 2
    result = agreement(*as_table(table)).set_index("scope").loc["total"]
    assert result["icc_consistency_average"] == pytest.approx(1)
    assert result["kendall_w"] == pytest.approx(1)
    assert result["icc_average"] < 0.95


def test_kendalls_w_matches_the_textbook_formula():
    rng = np.random.default_rng(5)
    table = rng.permuted(np.tile(np.arange(1.0, 8), (4, 1)), axis=1).T  # 7 pitches, 4 judges
    m, n = table.shape[1], table.shape[0]
    ranks = table  # already ranks 1..n per judge, no ties
    s = ((ranks.sum(axis=1) - m * (n + 1) / 2) ** 2).sum()
    w, _ = kendall_w(table)
    assert w == pytest.approx(12 * s / (m**2 * (n**3 - n)))
    tied = SHROUT_FLEISS  # judge 1 and 3 have ties
    from scipy.stats import rankdata

    ranks = np.column_stack([rankdata(tied[:, j]) for j in range(tied.shape[1])])
    m, n = tied.shape[1], tied.shape[0]
    s = ((ranks.sum(axis=1) - m * (n + 1) / 2) ** 2).sum()
    ties = sum(
        (counts**3 - counts).sum()
        for counts in (np.unique(tied[:, j], return_counts=True)[1] for j in range(m))
    )
    assert kendall_w(tied)[0] == pytest.approx(12 * s / (m**2 * (n**3 - n) - m * ties))


def test_agreement_of_a_complete_and_of_an_incomplete_panel():
    marks, criteria = as_table(SHROUT_FLEISS)
    result = agreement(marks, criteria).set_index("scope")
    assert list(result.index) == ["total", "Score"]
    total = result.loc["total"]
    assert total["complete"] and total["n_pitches"] == 6 and total["n_judges"] == 4
    assert round(total["icc_single"], 2) == 0.29
    assert 0 < total["kendall_w"] <= 1 and 0 <= total["kendall_p"] <= 1
    assert -1 < total["krippendorff_alpha"] < 1

    holes = SHROUT_FLEISS.copy()
    holes[0, 1] = holes[3, 2] = np.nan
    marks, criteria = as_table(holes)
    result = agreement(marks, criteria).set_index("scope").loc["total"]
    assert not result["complete"]
    assert np.isnan(result["icc_single"]) and np.isnan(result["kendall_w"])
    assert np.isfinite(result["krippendorff_alpha"])  # alpha copes with missing marks


def test_perfect_agreement_scores_one():
    table = np.tile(np.array([[1.0], [3.0], [2.0], [5.0]]), (1, 3))
    result = agreement(*as_table(table)).set_index("scope").loc["total"]
    assert result["krippendorff_alpha"] == pytest.approx(1)
    assert result["icc_single"] == pytest.approx(1)
    assert result["kendall_w"] == pytest.approx(1)


# --- judges -----------------------------------------------------------------------------------


def test_judge_statistics_find_the_lenient_and_the_contrarian_judge():
    contest = simulate_contest(3, n_pitches=40, n_judges=10, judges_per_pitch=5, leniency_sd=0.3)
    marks = contest.marks.copy()
    lenient = marks["judge"] == "J01"
    marks.loc[lenient, "value"] = np.clip(marks.loc[lenient, "value"] + 3, 1, 10)
    contrarian = marks["judge"] == "J02"
    marks.loc[contrarian, "value"] = 11 - marks.loc[contrarian, "value"]
    stats = judge_statistics(marks, contest.criteria).set_index("judge")
    assert stats.loc["J01", "outlier"] and "lenient" in stats.loc["J01", "outlier_reason"]
    assert stats.loc["J01", "offset_per_mark"] == pytest.approx(2.9, abs=0.6)
    assert stats.loc["J02", "outlier"] and "disagrees" in stats.loc["J02", "outlier_reason"]
    assert stats.loc["J02", "agreement"] < 0
    others = stats.drop(index=["J01", "J02"])
    assert (others["agreement"] > 0.3).all()
    assert stats["offset"].sum() == pytest.approx(0, abs=1e-9)
    assert (stats["n_pitches"] == 20).all() and (stats["group"] == 0).all()


def test_judge_offsets_track_true_leniency():
    contest = simulate_contest(11, n_pitches=80, leniency_sd=1.0)
    stats = judge_statistics(contest.marks, contest.criteria).set_index("judge")
    truth = contest.leniency - contest.leniency.mean()
    assert np.corrcoef(stats["offset_per_mark"], truth.reindex(stats.index))[0, 1] > 0.9


# --- uncertainty ------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["mean", "trimmed", "median", "zscore", "calibrated"])
def test_uncertainty_of_a_final_is_fast_coherent_and_reproducible(method):
    marks, criteria = final()
    rule = AggregationRule(method=method)
    started = time.perf_counter()
    sure = uncertainty(marks, criteria, rule, seed=1)
    elapsed = time.perf_counter() - started
    assert elapsed < 2.0  # a live refresh; typically 0.05–0.2 s
    assert set(sure["approach"]) == {"model"}
    board = leaderboard(marks, criteria, rule)
    assert list(sure["pitch"]) == list(board["pitch"])
    assert list(sure["total"]) == list(board["total"])
    assert (sure["total_low"] <= sure["total"] + 1e-9).all()
    assert (sure["total"] <= sure["total_high"] + 1e-9).all()
    assert (sure["rank_best"] <= sure["rank"]).all() and (sure["rank"] <= sure["rank_worst"]).all()
    assert sure["p_beats_next"][:-1].between(0, 1).all() and np.isnan(sure["p_beats_next"].iloc[-1])
    again = uncertainty(marks, criteria, rule, seed=1)
    pd.testing.assert_frame_equal(sure, again)


def test_a_clear_winner_is_sure_and_twins_are_a_statistical_tie():
    marks, criteria = final(n_pitches=6, n_judges=9, n_criteria=2)
    winner = marks["pitch"] == "P00"
    marks.loc[winner, "value"] = 10.0
    twin = marks[marks["pitch"] == "P01"].assign(pitch="P01-twin")
    marks = pd.concat([marks, twin], ignore_index=True)
    sure = uncertainty(marks, criteria, AggregationRule(), seed=3).set_index("pitch")
    assert sure.loc["P00", "rank"] == 1 and sure.loc["P00", "p_beats_next"] > 0.99
    assert not sure.loc["P00", "statistical_tie"]
    assert sure.loc["P01", "statistical_tie"] and sure.loc["P01-twin", "statistical_tie"]
    assert sure.loc["P01", "rank"] == sure.loc["P01-twin", "rank"]


def test_calibrated_intervals_on_an_incomplete_panel_and_with_holes():
    contest = simulate_contest(2, n_pitches=30, judges_per_pitch=5)
    sure = uncertainty(contest.marks, contest.criteria, AggregationRule(method="calibrated"))
    assert set(sure["approach"]) == {"model"}
    assert (sure["total_low"] < sure["total"]).all() and (sure["total"] < sure["total_high"]).all()

    marks, criteria = final(n_pitches=10, n_judges=9, n_criteria=3)
    conflicts = (marks["pitch"].isin(["P01", "P02"])) & (marks["judge"].isin(["J01", "J02"]))
    marks = marks[~conflicts]
    rule = AggregationRule(method="calibrated")
    sure = uncertainty(marks, criteria, rule, resamples=300)
    assert sure["total_low"].notna().all() and (sure["rank_best"] <= sure["rank_worst"]).all()
    # Two judges fewer: those two pitches are known less well than the others.
    widths = (sure["total_high"] - sure["total_low"]).set_axis(sure["pitch"])
    assert widths[["P01", "P02"]].min() > widths.drop(["P01", "P02"]).max()


def test_the_interval_means_the_same_at_every_panel_size():
    """No switch at 8 judges: more judges never widen the bars of the same contest."""
    widths = []
    for n in (6, 7, 8, 9, 12):
        marks, criteria = final(seed=5, n_pitches=20, n_judges=12, n_criteria=4)
        marks = marks[marks["judge"].isin([f"J{j:02d}" for j in range(n)])]
        sure = uncertainty(marks, criteria, AggregationRule(), seed=1)
        widths.append(float((sure["total_high"] - sure["total_low"]).mean()))
    assert all(later < earlier * 1.1 for earlier, later in itertools.pairwise(widths))
    assert widths[-1] < widths[0]


def test_without_any_spread_nothing_is_claimed():
    marks = pd.DataFrame(
        [("A", "J1", "Score", 8.0), ("B", "J2", "Score", 6.0)],
        columns=["pitch", "judge", "criterion", "value"],
    )
    criteria = pd.DataFrame({"criterion": ["Score"], "weight": [1.0]})
    sure = uncertainty(marks, criteria)  # one judge per pitch: no spread to learn from
    assert list(sure["total"]) == [8.0, 6.0]
    assert sure[["total_low", "total_high", "p_beats_next"]].isna().all().all()
    assert not sure["statistical_tie"].any() and sure["rank_best"].isna().all()


def test_uncertainty_arguments_are_checked():
    marks, criteria = final(n_pitches=3, n_judges=3, n_criteria=1)
    for kwargs, message in (
        ({"approach": "magic"}, "approach must be one of"),
        ({"level": 1.5}, "level must be between 0 and 1"),
        ({"resamples": 2}, "resamples must be at least 10"),
    ):
        with pytest.raises(ScoringError, match=message):
            uncertainty(marks, criteria, **kwargs)


@pytest.mark.parametrize("n_judges", [4, 6, 8, 12, 20])
def test_judge_thresholds_hold_their_level_exactly(n_judges):
    """Among n honest (normal) judges, the leniency check flags someone in 3.75 % of panels and
    the agreement check in 0.25 %: Bonferroni is not conservative for these statistics."""
    leniency, agreement = judge_thresholds(n_judges, n_judges)
    rng = np.random.default_rng(n_judges)
    panels = rng.normal(3.0, 0.7, (8000, n_judges))
    largest = np.array([np.abs(_deleted_t(row)).max() for row in panels])
    lowest = np.array([(-_deleted_t(row)).max() for row in panels])
    nominal = FAMILY_ERROR * LENIENCY_SHARE  # 3.75 %
    noise = 3.5 * np.sqrt(nominal * (1 - nominal) / len(panels))
    assert abs((largest > leniency).mean() - nominal) <= noise  # neither above nor far below
    assert (lowest > agreement).mean() <= 2 * FAMILY_ERROR * (1 - LENIENCY_SHARE)  # 0.25 %


def _flag_rates(n_judges: int, per_pitch: int, seeds: range) -> tuple[float, float]:
    """(share of contests without an outlier flagging anyone, share flagging a planted judge
    3 marks more lenient), as `bench/bench_uncertainty.py` measures them."""
    honest = found = 0
    for seed in seeds:
        contest = simulate_contest(
            seed, n_pitches=30, n_judges=n_judges, judges_per_pitch=per_pitch, leniency_sd=0.5
        )
        honest += bool(judge_statistics(contest.marks, contest.criteria)["outlier"].any())
        marks = contest.marks.copy()
        planted = marks["judge"] == "J01"
        marks.loc[planted, "value"] = np.clip(marks.loc[planted, "value"] + 3, 1, 10)
        flagged = judge_statistics(marks, contest.criteria).set_index("judge")["outlier"]
        found += bool(flagged["J01"])
    return honest / len(seeds), found / len(seeds)


def test_judge_flags_rarely_fire_without_an_outlier_and_find_a_planted_one():
    """The reduced simulation (the full one, 1,000 contests per setting, is in the bench)."""
    rates = {setting: _flag_rates(*setting, range(100)) for setting in [(6, 6), (12, 5), (20, 5)]}
    false_positive = np.mean([fp for fp, _ in rates.values()])
    # ≤ 5 % of contests without an outlier flag anyone, beyond the noise of 300 contests (two
    # standard errors: the full bench, 1,000 per setting, gives 3.7–4.2 %)
    assert false_positive <= 0.05 + 2 * np.sqrt(0.05 * 0.95 / 300)
    for setting, (_, power) in rates.items():
        assert power > 0.5, setting  # the planted judge is found more often than not
    assert rates[(12, 5)][1] >= 0.8 and rates[(20, 5)][1] >= 0.8


def test_too_close_to_call_only_at_decision_lines():
    marks, criteria = final(n_pitches=8, n_judges=6, n_criteria=2)
    # Pitches 0 and 1 marked identically (a real tie for the win); the rest well apart.
    marks["value"] = marks["value"].astype(float)
    level = {f"P{p:02d}": 9.0 - p * 0.8 for p in range(8)}
    level["P01"] = level["P00"]
    rng = np.random.default_rng(0)
    marks["value"] = [round(level[p] + rng.normal(0, 0.3), 1) for p in marks["pitch"]]
    twin = marks[marks["pitch"] == "P00"].assign(pitch="P01")
    marks = pd.concat([marks[marks["pitch"] != "P01"], twin], ignore_index=True)
    sure = uncertainty(marks, criteria, AggregationRule(), lines={"winner": 1, "podium": 3})
    flagged = set(sure.loc[sure["too_close_to_call"], "pitch"])
    assert flagged == {"P00", "P01"}
    assert sure["decision_line"].iloc[0] == "winner"
    assert sure["decision_line"].iloc[2] == "podium" and sure["decision_line"].iloc[3] == "podium"
    lines = decision_lines(sure, {"winner": 1, "podium": 3}, 0.9).set_index("line")
    assert lines.loc["winner", "too_close"] and not lines.loc["podium", "too_close"]
    assert lines.loc["podium", "p"] > 0.9


def test_connectivity_of_complete_weak_and_split_designs():
    complete = [(p, j) for p in range(10) for j in range(4)]
    pitch, judge = np.array(complete).T
    assert connectivity(pitch, judge, 10, 4) == pytest.approx(10)
    # Two halves of the jury, each on its own pitches, and one judge marking one pitch across.
    halves = [(p, j) for p in range(10) for j in ((0, 1, 2) if p < 5 else (3, 4, 5))]
    pitch, judge = np.array(halves).T
    assert connectivity(pitch, judge, 10, 6) == pytest.approx(0, abs=1e-9)
    bridged = np.array([*halves, (7, 0)]).T
    weak = connectivity(bridged[0], bridged[1], 10, 6)
    assert 0 < weak < WEAK_CONNECTIVITY
    mixed = [(p, (p + k) % 6) for p in range(10) for k in range(3)]
    pitch, judge = np.array(mixed).T
    assert connectivity(pitch, judge, 10, 6) > WEAK_CONNECTIVITY
