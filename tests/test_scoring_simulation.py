"""Simulation: with lenient and harsh judges on incomplete panels, calibration finds the truth."""

from __future__ import annotations

import numpy as np
import pytest

from pitchjudge.scoring import AggregationRule
from pitchjudge.scoring.rules import DEFAULT_SHRINKAGE
from pitchjudge.scoring.simulation import (
    Contest,
    bridged_contest,
    recovery,
    simulate_contest,
)

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


# --- the default shrinkage (a reduced bench/bench_shrinkage.py: 40 contests, not 100) ------------

SHRINKAGE_SEEDS = range(40)
# The bench's two designs where shrinkage matters most (60 pitches, 12 judges): 3 judges per
# pitch, and two halves of the jury joined by a single bridging scorecard.
DESIGNS = ("3 of 12", "bridged")


def _contest(design: str, seed: int, leniency_sd: float) -> Contest:
    if design == "bridged":
        return bridged_contest(seed, leniency_sd=leniency_sd)
    return simulate_contest(
        seed, n_pitches=60, n_judges=12, judges_per_pitch=3, leniency_sd=leniency_sd
    )


def _tau_gains(design: str, leniency_sd: float, shrinkages: tuple[float, ...]) -> np.ndarray:
    """Calibrated tau minus mean tau, one row per contest, one column per shrinkage."""
    rows = []
    for seed in SHRINKAGE_SEEDS:
        contest = _contest(design, seed, leniency_sd)
        mean_tau, _ = recovery(contest, AggregationRule(method="mean"))
        rows.append(
            [
                recovery(contest, AggregationRule(method="calibrated", shrinkage=s))[0] - mean_tau
                for s in shrinkages
            ]
        )
    return np.array(rows)


def _standard_error(values: np.ndarray) -> float:
    return float(values.std(ddof=1) / np.sqrt(len(values)))


@pytest.mark.parametrize("design", DESIGNS)
def test_default_shrinkage_loses_at_most_a_hundredth_of_tau_without_leniency(design):
    """Honest judges: calibrating costs ≤ 0.01 tau against the mean (2 standard errors of
    slack for 40 contests). Unshrunk, the bridged design loses about 0.067."""
    loss = -_tau_gains(design, 0.0, (DEFAULT_SHRINKAGE,))[:, 0]
    limit = 0.01 + 2 * _standard_error(loss)
    assert loss.mean() <= limit, f"lost {loss.mean():.4f} tau to the mean (limit {limit:.4f})"


@pytest.mark.parametrize("design", DESIGNS)
def test_default_shrinkage_keeps_nine_tenths_of_the_gain_under_leniency(design):
    """Lenient and harsh judges (sd 1 mark): the shrunk fit keeps ≥ 90 % of the unshrunk
    fit's gain over the mean, i.e. mean(shrunk − 0.9 × unshrunk) ≥ 0, less 2 standard errors."""
    shrunk, unshrunk = _tau_gains(design, 1.0, (DEFAULT_SHRINKAGE, 0.0)).T
    assert unshrunk.mean() > 0.05  # calibration pays off here, so the share means something
    kept = shrunk - 0.9 * unshrunk
    assert kept.mean() >= -2 * _standard_error(kept), (
        f"kept {shrunk.mean() / unshrunk.mean():.0%} of a {unshrunk.mean():.3f} gain"
    )
