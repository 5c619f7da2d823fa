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


def bridged_contest(seed: int, *, leniency_sd: float) -> Contest:
    """A weakly linked design: two halves of a 12-judge jury each marking their own 30 of 60
    pitches (from `simulate_contest` with 4 judges per pitch), linked by one judge of the
    first half (J00) also marking one pitch of the second half."""
    first = simulate_contest(
        seed, n_pitches=60, n_judges=12, judges_per_pitch=4, leniency_sd=leniency_sd
    )
    marks = first.marks.copy()
    pitch_no = marks["pitch"].str[1:].astype(int)
    judge_no = marks["judge"].str[1:].astype(int)
    half_pitch, half_judge = pitch_no >= 30, judge_no >= 6
    keep = half_pitch == half_judge
    # The bridge: J00 (first half) also marks one pitch of the second half.
    target = marks.loc[keep & half_pitch, "pitch"].iloc[0]
    bridge = marks[(marks["pitch"] == target) & keep].drop_duplicates("criterion").copy()
    bridge["judge"] = "J00"
    rng = np.random.default_rng(seed + 99)
    quality = first.quality[target]
    bridge["value"] = np.clip(
        np.rint(quality + first.leniency["J00"] + rng.normal(0, 0.8, len(bridge))), 1, 10
    )
    marks = pd.concat([marks[keep], bridge], ignore_index=True)
    marks = marks.drop_duplicates(["pitch", "judge", "criterion"])
    return Contest(marks, first.criteria, first.quality, first.leniency)


@dataclass(frozen=True)
class Setting:
    """A family of simulated rounds for the coverage study."""

    name: str
    n_judges: int
    judges_per_pitch: int
    scale: tuple[int, int]
    leniency: bool
    n_pitches: int = 20
    n_criteria: int = 4


def simulate_round(seed: int, setting: Setting) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """(marks, criteria, pool truth by pitch) of one simulated round of `setting`.

    On a scale lo–hi of range R: criterion qualities μ_pc ~ N(mid, 0.15 R) (a pitch's criteria
    share 80 % of their variance), judge leniency o_j ~ N(0, 0.1 R) when `leniency`, noise
    N(0, 0.12 R); marks rounded to whole numbers and clipped to the scale. Each pitch gets
    `judges_per_pitch` of the `n_judges` judges in balanced random order. The pool truth is
    the exact expected weighted total of a mark rounded and clipped, averaged over the whole
    jury: what an infinitely repeated complete panel of this jury would give on average.
    """
    rng = np.random.default_rng(seed)
    lo, hi = setting.scale
    span = hi - lo
    n_p, n_j, n_c = setting.n_pitches, setting.n_judges, setting.n_criteria
    base = rng.normal((lo + hi) / 2, 0.15 * span * np.sqrt(0.8), n_p)
    quality = base[:, None] + rng.normal(0, 0.15 * span * np.sqrt(0.2), (n_p, n_c))
    leniency = rng.normal(0, 0.1 * span, n_j) if setting.leniency else np.zeros(n_j)
    weights = rng.integers(1, 4, n_c).astype(float)
    noise_sd = 0.12 * span
    k = setting.judges_per_pitch
    slots = np.concatenate([rng.permutation(n_j) for _ in range(n_p * k // n_j + 2)])
    panels = []
    cursor = 0
    for _ in range(n_p):
        chosen: list[int] = []
        while len(chosen) < k:
            judge = int(slots[cursor % len(slots)])
            cursor += 1
            if judge not in chosen:
                chosen.append(judge)
        panels.append(chosen)
    panel = np.array(panels)  # (pitches, k)
    centre = quality[:, None, :] + leniency[panel][:, :, None]
    values = np.clip(np.rint(centre + rng.normal(0, noise_sd, centre.shape)), lo, hi)
    pitch = np.repeat(np.arange(n_p), k * n_c)
    judge = np.repeat(panel.reshape(-1), n_c)
    criterion = np.tile(np.arange(n_c), n_p * k)
    marks = pd.DataFrame(
        {
            "pitch": [f"P{p:02d}" for p in pitch],
            "judge": [f"J{j:02d}" for j in judge],
            "criterion": [f"C{c}" for c in criterion],
            "value": values.reshape(-1),
        }
    )
    criteria = pd.DataFrame(
        {
            "criterion": [f"C{c}" for c in range(n_c)],
            "weight": weights,
            "min": float(lo),
            "max": float(hi),
        }
    )
    # E[clip(round(m + noise))] = lo + Σ_{v=lo+1..hi} P(m + noise ≥ v − ½).
    everyone = quality[:, None, :] + leniency[None, :, None]  # (pitches, judges, criteria)
    steps = np.arange(lo + 1, hi + 1) - 0.5
    expected = lo + stats.norm.sf((steps - everyone[..., None]) / noise_sd).sum(axis=-1)
    truth = (expected.mean(axis=1) * weights).sum(axis=1)
    return marks, criteria, pd.Series(truth, index=[f"P{p:02d}" for p in range(n_p)])


COVERAGE_METHODS = ("mean", "trimmed", "median", "calibrated")


def coverage_settings(full: bool = True) -> list[Setting]:
    """The study's settings: complete panels of 3–12 judges and incomplete panels k = 3–5."""
    settings = []
    sizes = range(3, 13) if full else (3, 6, 10)
    for scale in ((1, 5), (0, 10)):
        for leniency in (False, True):
            tag = f"{scale[0]}-{scale[1]}{' lenient' if leniency else ''}"
            for n in sizes:
                settings.append(Setting(f"complete {n} · {tag}", n, n, scale, leniency))
            for k in (3, 4, 5) if full else (3, 5):
                settings.append(Setting(f"{k} of 12 · {tag}", 12, k, scale, leniency))
    return settings


@dataclass
class CoverageRecords:
    """Raw outcomes of simulated rounds (concatenated over rounds)."""

    covered: np.ndarray  # per pitch: pool truth inside the interval
    claimed: np.ndarray  # per neighbour pair: P(upper beats lower)
    held: np.ndarray  # per neighbour pair: the pool truths are in that order
    flagged: int  # pitches too close to call
    pitches: int

    def __add__(self, other: CoverageRecords) -> CoverageRecords:
        return CoverageRecords(
            np.concatenate([self.covered, other.covered]),
            np.concatenate([self.claimed, other.claimed]),
            np.concatenate([self.held, other.held]),
            self.flagged + other.flagged,
            self.pitches + other.pitches,
        )

    def summary(self, min_pairs: int = 50) -> dict[str, float]:
        """coverage, p_error (largest |claimed − observed| over P bins of 0.1 from 0.5 holding at
        least `min_pairs` pairs), p_error_mean (pair-weighted mean), p_error_beyond_noise (the
        largest |claimed − observed| − 2 binomial standard errors: > 0.05 means a gap beyond
        ±0.05 that sampling noise does not explain), flagged (share)."""
        p, h = self.claimed, self.held.astype(float)
        usable = np.isfinite(p)
        p, h = p[usable], h[usable]
        flip = p < 0.5  # a claim of p for A over B is a claim of 1 − p for B over A
        p, h = np.where(flip, 1 - p, p), np.where(flip, 1 - h, h)
        errors, weights, beyond = [], [], []
        for low in (0.5, 0.6, 0.7, 0.8, 0.9):
            inside = (p >= low) & ((p < low + 0.1) if low < 0.9 else (p <= 1.0))
            if inside.sum() >= min_pairs:
                claimed = p[inside].mean()
                errors.append(abs(claimed - h[inside].mean()))
                weights.append(inside.sum())
                # Sampling noise of the observed share (binomial), for telling a real gap
                # from the luck of a few hundred pairs.
                noise = np.sqrt(claimed * (1 - claimed) / inside.sum())
                beyond.append(errors[-1] - 2 * noise)
        return {
            "p_error_beyond_noise": float(max(beyond)) if beyond else float("nan"),
            "coverage": float(self.covered.mean()) if len(self.covered) else float("nan"),
            "p_error": float(max(errors)) if errors else float("nan"),
            "p_error_mean": float(np.average(errors, weights=weights)) if errors else float("nan"),
            "flagged": self.flagged / max(self.pitches, 1),
        }


def coverage_records(
    setting: Setting, method: str, seeds: range, *, level: float = 0.9, resamples: int = 200
) -> CoverageRecords:
    """Simulate a round per seed, score it with `method`, and check its uncertainty."""
    from pitchjudge.scoring.uncertainty import uncertainty

    rule = AggregationRule(method=method)
    covered, claimed, held = [], [], []
    flagged = pitches = 0
    for seed in seeds:
        marks, criteria, truth = simulate_round(seed, setting)
        sure = uncertainty(marks, criteria, rule, level=level, resamples=resamples, seed=seed)
        real = truth.reindex(sure["pitch"]).to_numpy()
        covered.append(((sure["total_low"] <= real) & (real <= sure["total_high"])).to_numpy())
        claimed.append(sure["p_beats_next"].to_numpy(dtype=float)[:-1])
        held.append(real[:-1] > real[1:])
        flagged += int(sure["too_close_to_call"].sum())
        pitches += len(sure)
    return CoverageRecords(
        np.concatenate(covered), np.concatenate(claimed), np.concatenate(held), flagged, pitches
    )


def coverage_study(
    setting: Setting, method: str, seeds: range, *, level: float = 0.9
) -> dict[str, float]:
    """`coverage_records(...).summary()`: coverage, P calibration error, share flagged."""
    return coverage_records(setting, method, seeds, level=level).summary()
