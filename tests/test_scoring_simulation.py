"""Simulation: with lenient and harsh judges on incomplete panels, calibration finds the truth."""

from __future__ import annotations

import numpy as np

from pitchjudge.scoring import AggregationRule
from pitchjudge.scoring.simulation import recovery, simulate_contest

SEEDS = range(30)


def test_calibrated_recovers_the_true_order_better_than_the_mean():
    """60 pitches, 12 judges (leniency sd 1 mark, noise sd 0.8), 5 judges per pitch."""
    results = {"mean": [], "calibrated": []}
    for seed in SEEDS:
        contest = simulate_contest(seed, n_pitches=60, n_judges=12, judges_per_pitch=5)
        for method, found in results.items():
            found.append(recovery(contest, AggregationRule(method=method)))
    tau = {method: np.array([t for t, _ in found]) for method, found in results.items()}
    winner = {method: np.mean([w for _, w in found]) for method, found in results.items()}
    assert tau["calibrated"].mean() > tau["mean"].mean() + 0.05  # about 0.89 against 0.81
    assert (tau["calibrated"] > tau["mean"]).mean() >= 0.8  # better in most contests
    assert winner["calibrated"] > winner["mean"]  # true winner ranked first more often


def test_on_a_complete_panel_calibrated_is_the_mean():
    contest = simulate_contest(1, n_pitches=15, n_judges=6, judges_per_pitch=6)
    mean = recovery(contest, AggregationRule(method="mean"))
    calibrated = recovery(contest, AggregationRule(method="calibrated"))
    assert mean == calibrated
