"""Does calibration find the true order? Simulated pre-selections with known quality, lenient
and harsh judges, and incomplete panels (5 of 12 judges per pitch), over many seeds.

Prints, for each method, the mean Kendall's tau between the true quality and the leaderboard,
how often the true best pitch is ranked first, and how often the true top 5 are the top 5.

Run: .venv/bin/python bench/bench_calibration.py [SEEDS]   — prints figures, asserts nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from pitchjudge.scoring import METHODS, AggregationRule, leaderboard  # noqa: E402
from pitchjudge.scoring.simulation import simulate_contest  # noqa: E402

SCENARIOS = {
    "5 of 12 judges, leniency sd 1.0": {"judges_per_pitch": 5, "leniency_sd": 1.0},
    "5 of 12 judges, leniency sd 0.5": {"judges_per_pitch": 5, "leniency_sd": 0.5},
    "3 of 12 judges, leniency sd 1.0": {"judges_per_pitch": 3, "leniency_sd": 1.0},
    "12 of 12 judges (complete)": {"judges_per_pitch": 12, "leniency_sd": 1.0},
}


def figures(contest, rule: AggregationRule) -> tuple[float, bool, bool]:
    """(Kendall's tau with the truth, true winner ranked 1st, true top 5 = top 5)."""
    board = leaderboard(contest.marks, contest.criteria, rule)
    truth = contest.quality.reindex(board["pitch"]).to_numpy()
    tau = stats.kendalltau(truth, board["total"].to_numpy()).statistic
    winner = board.loc[board["pitch"] == contest.quality.idxmax(), "rank"].iloc[0] == 1
    top = set(board["pitch"][:5]) == set(contest.quality.nlargest(5).index)
    return float(tau), bool(winner), top


def main(seeds: int) -> None:
    rules = {method: AggregationRule(method=method) for method in METHODS}
    rules["calibrated, shrinkage 2"] = AggregationRule(method="calibrated", shrinkage=2.0)
    started = time.perf_counter()
    for title, settings in SCENARIOS.items():
        print(f"\n{title}: 60 pitches, 4 weighted criteria on 1–10, noise sd 0.8, {seeds} seeds")
        print(f"  {'method':<24}{'Kendall tau':>12}{'winner found':>14}{'top 5 found':>13}")
        for name, rule in rules.items():
            taus, winners, tops = [], [], []
            for seed in range(seeds):
                contest = simulate_contest(seed, n_pitches=60, n_judges=12, **settings)
                tau, winner, top = figures(contest, rule)
                taus.append(tau)
                winners.append(winner)
                tops.append(top)
            print(
                f"  {name:<24}{np.mean(taus):>12.3f}{np.mean(winners):>13.0%}{np.mean(tops):>13.0%}"
            )
    print(f"\n({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100)
