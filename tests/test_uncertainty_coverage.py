"""A reduced coverage study (fixed seeds, seconds): the full one is bench/bench_uncertainty.py.

Over simulated rounds with a known pool truth (the total the whole jury would give on average),
the 90 % interval must hold it about 90 % of the time for every method, complete and incomplete
panels, 1–5 and 0–10 scales, with and without judge leniency; P(beats next) must mean what it
says; and the decision-line flags must leave most of a 20-pitch board alone.
"""

from __future__ import annotations

import functools

import pytest

from pitchjudge.scoring.simulation import (
    COVERAGE_METHODS,
    CoverageRecords,
    Setting,
    coverage_records,
)

SETTINGS = (
    Setting("complete 3 · 1-5 lenient", 3, 3, (1, 5), True),
    Setting("complete 6 · 0-10", 6, 6, (0, 10), False),
    Setting("complete 10 · 0-10 lenient", 10, 10, (0, 10), True),
    Setting("4 of 12 · 1-5 lenient", 12, 4, (1, 5), True),
    Setting("5 of 12 · 0-10 lenient", 12, 5, (0, 10), True),
)
SEEDS = range(100, 112)


@functools.cache
def pooled(method: str) -> CoverageRecords:
    records = [coverage_records(setting, method, SEEDS, resamples=50) for setting in SETTINGS]
    return functools.reduce(CoverageRecords.__add__, records)


@pytest.mark.parametrize("method", COVERAGE_METHODS)
def test_the_90_percent_interval_holds_the_pool_truth_about_90_percent_of_the_time(method):
    summary = pooled(method).summary(min_pairs=40)
    # 1,200 pitches: sampling error about ±0.9 points around the true coverage.
    assert 0.86 <= summary["coverage"] <= 0.94, summary


@pytest.mark.parametrize("method", COVERAGE_METHODS)
def test_p_beats_next_is_calibrated(method):
    summary = pooled(method).summary(min_pairs=40)
    # Pair-weighted gap between claimed and observed; bins of ≥ 40 pairs (noise ≈ ±0.06 each).
    assert summary["p_error_mean"] <= 0.05, summary


@pytest.mark.parametrize("method", COVERAGE_METHODS)
def test_most_pitches_are_not_too_close_to_call(method):
    # Winner and podium lines on 20-pitch boards: at most 4 of 20 pitches can be flagged.
    assert pooled(method).summary()["flagged"] < 0.25


def test_the_median_of_many_whole_marks_owns_up_to_its_grid_error():
    """12 judges on 1–5: the median sticks to whole marks, an error that does not shrink with
    more judges. Its standard error must say so (z² averaging about 1), which it did not when
    the simulated panels carried the marks' rounding noise twice (z² 1.32, coverage 0.86)."""
    import numpy as np

    from pitchjudge.scoring import AggregationRule, uncertainty
    from pitchjudge.scoring.simulation import simulate_round

    setting = Setting("complete 12 · 1-5", 12, 12, (1, 5), False)
    squares = []
    for seed in range(200, 230):
        marks, criteria, truth = simulate_round(seed, setting)
        sure = uncertainty(marks, criteria, AggregationRule(method="median"), resamples=20)
        error = sure["total"].to_numpy() - truth.reindex(sure["pitch"]).to_numpy()
        squares.append((error / sure["std_error"].to_numpy()) ** 2)
    mean_square = float(np.mean(np.concatenate(squares)))
    # 600 pitches: about ±0.06 of sampling noise around the true figure.
    assert 0.85 <= mean_square <= 1.2, mean_square
