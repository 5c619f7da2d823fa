"""Simulated contests with a known true order, to compare aggregation methods."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from pitchjudge.scoring.leaderboard import leaderboard
from pitchjudge.scoring.rules import AggregationRule


@dataclass(frozen=True)
class Contest:
    """Marks of a simulated round and the truth behind them."""

    marks: pd.DataFrame
    criteria: pd.DataFrame
    quality: pd.Series  # true quality by pitch (the weighted mean of its criterion qualities)
    leniency: pd.Series  # true offset by judge


def simulate_contest(
    seed: int,
    *,
    n_pitches: int = 60,
    n_judges: int = 12,
    judges_per_pitch: int = 5,
    n_criteria: int = 4,
    leniency_sd: float = 1.0,
    noise_sd: float = 0.8,
    scale: tuple[int, int] = (1, 10),
) -> Contest:
    """A pre-selection round: each pitch marked by `judges_per_pitch` of `n_judges` judges.

    True quality q_p ~ N(5.5, 1.2) with criterion-specific deviations ~ N(0, 0.5); each judge
    has a leniency o_j ~ N(0, `leniency_sd`) (lenient and harsh judges alike) applied to every
    mark; marks = q + o + N(0, `noise_sd`), rounded to whole numbers and clipped to `scale`.
    Judges are assigned in balanced random order (each judge gets about the same load).
    """
    rng = np.random.default_rng(seed)
    quality = rng.normal(5.5, 1.2, n_pitches)
    per_criterion = quality[:, None] + rng.normal(0, 0.5, (n_pitches, n_criteria))
    leniency = rng.normal(0, leniency_sd, n_judges)
    weights = rng.integers(1, 4, n_criteria).astype(float)
    slots = np.concatenate(
        [rng.permutation(n_judges) for _ in range(n_pitches * judges_per_pitch // n_judges + 2)]
    )
    rows: list[tuple[str, str, str, float]] = []
    cursor = 0
    for p in range(n_pitches):
        chosen: list[int] = []
        while len(chosen) < judges_per_pitch:
            judge = int(slots[cursor % len(slots)])
            cursor += 1
            if judge not in chosen:
                chosen.append(judge)
        for judge in chosen:
            noisy = per_criterion[p] + leniency[judge] + rng.normal(0, noise_sd, n_criteria)
            values = np.clip(np.rint(noisy), *scale)
            rows.extend(
                (f"P{p:03d}", f"J{judge:02d}", f"C{c}", float(values[c])) for c in range(n_criteria)
            )
    names = [f"P{p:03d}" for p in range(n_pitches)]
    true_total = (per_criterion * weights).sum(axis=1) / weights.sum()
    return Contest(
        marks=pd.DataFrame(rows, columns=["pitch", "judge", "criterion", "value"]),
        criteria=pd.DataFrame(
            {
                "criterion": [f"C{c}" for c in range(n_criteria)],
                "weight": weights,
                "min": float(scale[0]),
                "max": float(scale[1]),
            }
        ),
        quality=pd.Series(true_total, index=names),
        leniency=pd.Series(leniency, index=[f"J{j:02d}" for j in range(n_judges)]),
    )


def recovery(contest: Contest, rule: AggregationRule) -> tuple[float, bool]:
    """(Kendall's tau between true quality and the total, whether the true best ranks 1st)."""
    board = leaderboard(contest.marks, contest.criteria, rule).set_index("pitch")
    truth = contest.quality.reindex(board.index)
    tau = stats.kendalltau(truth.to_numpy(), board["total"].to_numpy()).statistic
    best = contest.quality.idxmax()
    return float(tau), bool(board.loc[best, "rank"] == 1)
