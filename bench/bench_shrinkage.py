"""Which default shrinkage for "calibrated"? Kendall's tau against the true order, by simulation.

For each ridge λ (in marks: each judge counts as if they had λ extra marks at offset 0) and
each scenario — no leniency at all, leniency sd 0.5 and 1.0, 3 or 5 of 12 judges per pitch,
and a weak design (two halves of the jury linked by a single bridging scorecard) — the mean
tau of "calibrated" minus that of "mean", over the same seeds. The default must lose at most
0.01 to the mean without leniency and keep ≥ 90 % of the best gain under leniency.

Run: .venv/bin/python bench/bench_shrinkage.py [SEEDS]   — prints figures, asserts nothing
(tests/test_scoring_simulation.py asserts both bounds on fewer contests).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from scipy import stats  # noqa: E402

from pitchjudge.scoring import AggregationRule, leaderboard  # noqa: E402
from pitchjudge.scoring.simulation import (  # noqa: E402
    Contest,
    bridged_contest,
    simulate_contest,
)

LAMBDAS = (0.0, 0.5, 1.0, 2.0, 3.0, 5.0)
SCENARIOS = {
    "no leniency, 5 of 12": {"judges_per_pitch": 5, "leniency_sd": 0.0},
    "no leniency, 3 of 12": {"judges_per_pitch": 3, "leniency_sd": 0.0},
    "leniency 0.5, 5 of 12": {"judges_per_pitch": 5, "leniency_sd": 0.5},
    "leniency 1.0, 5 of 12": {"judges_per_pitch": 5, "leniency_sd": 1.0},
    "leniency 1.0, 3 of 12": {"judges_per_pitch": 3, "leniency_sd": 1.0},
    "weak design, no leniency": {"weak": True, "leniency_sd": 0.0},
    "weak design, leniency 1.0": {"weak": True, "leniency_sd": 1.0},
}


def tau(contest: Contest, rule: AggregationRule) -> float:
    board = leaderboard(contest.marks, contest.criteria, rule)
    truth = contest.quality.reindex(board["pitch"]).to_numpy()
    return float(stats.kendalltau(truth, board["total"].to_numpy()).statistic)


def main(seeds: int, only: str = "") -> None:
    started = time.perf_counter()
    header = "".join(f"{'λ=' + format(x, 'g'):>9}" for x in LAMBDAS)
    print(f"\nCalibrated tau minus mean tau, {seeds} seeds, 60 pitches, 12 judges")
    print(f"  {'scenario':<28}{'mean tau':>9}{header}")
    for title, settings in SCENARIOS.items():
        if only and only not in title:
            continue
        settings = dict(settings)
        weak = settings.pop("weak", False)
        gains = {x: [] for x in LAMBDAS}
        base = []
        for seed in range(seeds):
            if weak:
                contest = bridged_contest(seed, leniency_sd=settings["leniency_sd"])
            else:
                contest = simulate_contest(seed, n_pitches=60, n_judges=12, **settings)
            mean_tau = tau(contest, AggregationRule(method="mean"))
            base.append(mean_tau)
            for x in LAMBDAS:
                rule = AggregationRule(method="calibrated", shrinkage=x)
                gains[x].append(tau(contest, rule) - mean_tau)
        row = "".join(f"{np.mean(gains[x]):>+9.3f}" for x in LAMBDAS)
        print(f"  {title:<28}{np.mean(base):>9.3f}{row}")
    print(f"\n({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100, sys.argv[2] if len(sys.argv) > 2 else "")
