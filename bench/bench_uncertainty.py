"""Honest uncertainty, and how fast: the full coverage study and the engine's speed ratios.

1. Speed, as ratios to a bare pandas groupby of the same marks in the same process
   (`marks.groupby(["pitch", "criterion"])["value"].mean()`): `leaderboard` (mean and
   calibrated) and `uncertainty` at 40,000 marks (1,000 pitches × 5 judges of 60 × 8
   criteria) and 400,000 marks (10,000 pitches), and how much 400k costs against 40k.
2. Coverage: for every setting (complete panels of 3–12 judges and 3, 4 or 5 of 12 judges per
   pitch; 1–5 and 0–10 scales; with and without judge leniency; marks rounded and clipped;
   20 pitches, 4 weighted criteria) and every method, over SEEDS simulated rounds: how often
   the 90 % interval holds the pool truth, the calibration error of P(beats next) (largest
   and pair-weighted mean |claimed − observed| over bins of 0.1 with ≥ 50 pairs), and the
   share of pitches too close to call at the winner and podium lines. Then P(beats next)
   pooled over all settings, bin by bin.
3. Judge flags: in 1,000 contests per setting (complete panels of 6 and 8 judges, 5 of 12
   and 5 of 20 per pitch), the share without an outlier judge that flag anyone, and how often
   a judge planted 3 marks more lenient is flagged, each with its simulation standard error.

Reproducible: every figure comes from fixed seeds (timings aside).
Run: .venv/bin/python bench/bench_uncertainty.py [SEEDS] [speed] [coverage] [flags]  (default:
all three) — prints figures, asserts nothing.
"""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from pitchjudge.scoring import (  # noqa: E402
    AggregationRule,
    judge_statistics,
    leaderboard,
    uncertainty,
)
from pitchjudge.scoring.simulation import (  # noqa: E402
    COVERAGE_METHODS,
    CoverageRecords,
    coverage_records,
    coverage_settings,
    simulate_contest,
)
from pitchjudge.scoring.statistics import (  # noqa: E402
    FAMILY_ERROR,
    LENIENCY_SHARE,
    judge_thresholds,
)

N_CRITERIA = 8
JUDGES_PER_PITCH = 5
JUDGE_POOL = 60


def cpu_time(action: Callable[[], object]) -> float:
    """CPU time of one call (CPU, not wall-clock: a shared machine's other processes then slow
    the groupby and the engine alike, and the ratios stay meaningful)."""
    started = time.process_time()
    action()
    return time.process_time() - started


def marks_of(n_pitches: int, seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """n_pitches × 5 judges (of 60, with leniency) × 8 criteria on 1–10, as the app reads them."""
    rng = np.random.default_rng(seed)
    quality = rng.normal(5.5, 1.5, n_pitches)
    leniency = rng.normal(0, 1, JUDGE_POOL)
    panels = np.argsort(rng.random((n_pitches, JUDGE_POOL)), axis=1)[:, :JUDGES_PER_PITCH]
    pitch = np.repeat(np.arange(n_pitches), JUDGES_PER_PITCH * N_CRITERIA)
    judge = np.repeat(panels.reshape(-1), N_CRITERIA)
    criterion = np.tile(np.arange(N_CRITERIA), n_pitches * JUDGES_PER_PITCH)
    noise = rng.normal(0, 1, len(pitch))
    value = np.clip(np.rint(quality[pitch] + leniency[judge] + noise), 1, 10)
    names = np.array([f"Criterion {c + 1}" for c in range(N_CRITERIA)], dtype=object)
    marks = pd.DataFrame(
        {"pitch": pitch + 1, "judge": judge + 1, "criterion": names[criterion], "value": value}
    )
    criteria = pd.DataFrame(
        {
            "criterion": names,
            "weight": [float(c % 3 + 1) for c in range(N_CRITERIA)],
            "min": 1.0,
            "max": 10.0,
        }
    )
    return marks, criteria


RUNS = (
    ("leaderboard mean", leaderboard, "mean"),
    ("leaderboard calibrated", leaderboard, "calibrated"),
    ("uncertainty mean", uncertainty, "mean"),
    ("uncertainty calibrated", uncertainty, "calibrated"),
    ("uncertainty median", uncertainty, "median"),
)


def timings(marks: pd.DataFrame, criteria: pd.DataFrame, repeats: int) -> dict[str, float]:
    """Median CPU time of each action over `repeats` rounds, and of its ratio to the groupby.

    Fair to both sides: one process, every action run once before timing (warm), and each
    round times the bare groupby and then every action in turn, so that a burst of load on the
    shared machine touches both sides of a ratio; medians, not best times.
    """
    actions: dict[str, Callable[[], object]] = {
        "groupby": lambda: marks.groupby(["pitch", "criterion"])["value"].mean()
    }
    for name, function, method in RUNS:
        rule = AggregationRule(method=method)
        actions[name] = lambda f=function, r=rule: f(marks, criteria, r)
    for action in actions.values():
        action()
    seconds: dict[str, list[float]] = {name: [] for name in actions}
    ratios: dict[str, list[float]] = {name: [] for name in actions}
    for _ in range(repeats):
        base = cpu_time(actions["groupby"])
        seconds["groupby"].append(base)
        for name, action in actions.items():
            if name != "groupby":
                spent = cpu_time(action)
                seconds[name].append(spent)
                ratios[name].append(spent / base)
    row = {name: float(np.median(values)) for name, values in seconds.items()}
    row.update(
        {f"{name} ratio": float(np.median(ratios[name])) for name in actions if name != "groupby"}
    )
    return row


def speed() -> None:
    print(
        "Speed (median CPU time of 11 interleaved rounds, after a warm-up; ratio = median of "
        "time / bare pandas groupby of the same marks timed just before, same process)"
    )
    figures: dict[int, dict[str, float]] = {}
    for n_pitches in (1_000, 10_000):
        marks, criteria = marks_of(n_pitches, seed=n_pitches)
        row = timings(marks, criteria, 11 if n_pitches == 1_000 else 7)
        figures[n_pitches] = row
        print(f"\n  {len(marks):,} marks: groupby {row['groupby'] * 1000:.1f} ms")
        for name, _function, _method in RUNS:
            print(f"    {name:<24}{row[name] * 1000:9.1f} ms {row[name + ' ratio']:8.1f}× groupby")
    print("\n  400k marks against 40k marks (cost ratio of the median times; linear would be 10×)")
    for name in ("groupby", *(name for name, _f, _m in RUNS)):
        ratio = figures[10_000][name] / figures[1_000][name]
        print(f"    {name:<24}{ratio:9.1f}×")
    print(f"  (load: {' '.join(f'{x:.2f}' for x in os.getloadavg())} on {os.cpu_count()} CPUs)")


def coverage(seeds: int) -> None:
    print(
        f"\nCoverage of the 90 % interval (pool truth), P(beats next) calibration, share too "
        f"close to call; {seeds} rounds of 20 pitches per cell (seeds 0–{seeds - 1})"
    )
    print(
        "  P err max: largest |claimed − observed| over the P bins (0.5–0.6 … 0.9–1) holding "
        "≥ 50 pairs;\n  beyond noise: that gap less 2 binomial standard errors of its bin "
        "(> 0.05 = a real miss of ±0.05)"
    )
    print(
        f"  {'setting':<28}{'method':<12}{'coverage':>9}{'P err max':>11}{'P err mean':>11}"
        f"{'beyond noise':>13}{'flagged':>9}"
    )
    pooled: dict[str, list[CoverageRecords]] = {m: [] for m in COVERAGE_METHODS}
    worst = {m: (1.0, 0.0) for m in COVERAGE_METHODS}
    cells = outside = p_raw = p_real = 0
    for setting in coverage_settings(full=True):
        for method in COVERAGE_METHODS:
            records = coverage_records(setting, method, range(seeds))
            pooled[method].append(records)
            summary = records.summary(min_pairs=50)
            low, high = worst[method]
            worst[method] = (min(low, summary["coverage"]), max(high, summary["coverage"]))
            cells += 1
            off = not 0.86 <= summary["coverage"] <= 0.94
            outside += off
            p_raw += summary["p_error"] > 0.05
            p_real += summary["p_error_beyond_noise"] > 0.05
            mark = " ← coverage" if off else ""
            mark += " ← P" if summary["p_error_beyond_noise"] > 0.05 else ""
            print(
                f"  {setting.name:<28}{method:<12}{summary['coverage']:>9.3f}"
                f"{summary['p_error']:>11.3f}{summary['p_error_mean']:>11.3f}"
                f"{summary['p_error_beyond_noise']:>13.3f}{summary['flagged']:>9.2f}{mark}",
                flush=True,
            )
    print(
        f"\n  {cells} cells: coverage outside 0.86–0.94 in {outside}; P err max above 0.05 in "
        f"{p_raw}, beyond sampling noise in {p_real}"
    )
    print("\n  Over all settings: coverage range, and P(beats next) claimed → observed per bin")
    for method in COVERAGE_METHODS:
        everything = functools.reduce(CoverageRecords.__add__, pooled[method])
        p, h = everything.claimed, everything.held.astype(float)
        usable = np.isfinite(p)
        p, h = p[usable], h[usable]
        flip = p < 0.5
        p, h = np.where(flip, 1 - p, p), np.where(flip, 1 - h, h)
        bins = []
        for low in (0.5, 0.6, 0.7, 0.8, 0.9):
            inside = (p >= low) & ((p < low + 0.1) if low < 0.9 else (p <= 1.0))
            if inside.any():
                bins.append(f"{p[inside].mean():.2f}→{h[inside].mean():.2f} ({inside.sum()})")
        summary = everything.summary()
        print(
            f"  {method:<11} coverage {worst[method][0]:.3f}–{worst[method][1]:.3f} "
            f"(all {summary['coverage']:.3f}); flagged {summary['flagged']:.2f}; " + "; ".join(bins)
        )


#: Judge-flag settings: (judges, judges per pitch), 30 pitches, leniency sd 0.5 mark.
FLAG_SETTINGS = ((6, 6), (8, 8), (12, 5), (20, 5))
FLAG_CONTESTS = 1000


def flag_rates(
    n_judges: int, per_pitch: int, seeds: range, shift: float = 3.0
) -> tuple[float, float]:
    """(share of contests without an outlier that flag some judge, share of contests where a
    judge planted `shift` marks more lenient, clipped to the scale, is flagged)."""
    honest = planted = 0
    for seed in seeds:
        contest = simulate_contest(
            seed, n_pitches=30, n_judges=n_judges, judges_per_pitch=per_pitch, leniency_sd=0.5
        )
        honest += bool(judge_statistics(contest.marks, contest.criteria)["outlier"].any())
        marks = contest.marks.copy()
        chosen = marks["judge"] == "J01"
        marks.loc[chosen, "value"] = np.clip(marks.loc[chosen, "value"] + shift, 1, 10)
        flagged = judge_statistics(marks, contest.criteria).set_index("judge")["outlier"]
        planted += bool(flagged["J01"])
    return honest / len(seeds), planted / len(seeds)


def judge_flags(contests: int) -> None:
    print(
        f"\nJudge flags over {contests} simulated contests per setting (seeds 0–{contests - 1}; "
        f"30 pitches, 4 criteria on 1–10, leniency sd 0.5, noise sd 0.8)"
    )
    print(
        f"  rule: leniency |t| > t(n−2) at {FAMILY_ERROR * LENIENCY_SHARE:.2%}/(2n), agreement "
        f"−t > t(n−2) at {FAMILY_ERROR * (1 - LENIENCY_SHARE):.2%}/n (family {FAMILY_ERROR:.0%})"
    )
    print(
        f"  {'setting':<22}{'thresholds':>14}{'false positive':>20}{'planted flagged':>20}"
        "\n  (false positive: contests without an outlier judge that flag anyone; planted: a "
        "judge 3 marks more lenient, clipped; ± one simulation standard error)"
    )
    for n_judges, per_pitch in FLAG_SETTINGS:
        false_positive, power = flag_rates(n_judges, per_pitch, range(contests))
        leniency, agreement = judge_thresholds(n_judges, n_judges)
        se_fp = np.sqrt(false_positive * (1 - false_positive) / contests)
        se_power = np.sqrt(power * (1 - power) / contests)
        name = f"{per_pitch} of {n_judges} judges"
        print(
            f"  {name:<22}{leniency:>7.2f} {agreement:>6.2f}"
            f"{false_positive:>13.3f} ± {se_fp:.3f}{power:>13.3f} ± {se_power:.3f}",
            flush=True,
        )


PARTS = ("speed", "coverage", "flags")


def main(seeds: int, parts: tuple[str, ...] = PARTS) -> None:
    started = time.perf_counter()
    if "speed" in parts:
        speed()
    if "coverage" in parts:
        coverage(seeds)
    if "flags" in parts:
        judge_flags(FLAG_CONTESTS)
    print(f"\n({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 100,
        tuple(sys.argv[2:]) or PARTS,
    )
