"""How sure each total and rank is: bootstrap over judges, or the model's own errors."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np
import pandas as pd
from scipy import stats

from pitchjudge.scoring.calibration import fit_additive
from pitchjudge.scoring.errors import ScoringError
from pitchjudge.scoring.leaderboard import Scored, as_rule, score, tie_flags
from pitchjudge.scoring.rounding import half_up, snap
from pitchjudge.scoring.rules import AggregationRule

APPROACHES = ("auto", "bootstrap", "model")
#: Replicates computed at once in the vectorised bootstrap (bounds memory to ~100 MB).
_CELLS_PER_CHUNK = 12_000_000


def uncertainty(
    marks: pd.DataFrame,
    criteria: pd.DataFrame,
    rule: AggregationRule | dict | None = None,
    adjustments: pd.DataFrame | None = None,
    *,
    resamples: int = 1000,
    level: float = 0.9,
    seed: int = 0,
    approach: str = "auto",
    min_bootstrap_judges: int = 8,
) -> pd.DataFrame:
    """Interval of each pitch's total, range of its rank, P(beats the next one), ties.

    Approaches:
    - "bootstrap" (Efron & Tibshirani 1993, "An Introduction to the Bootstrap", ch. 6 and 13):
      draw the round's judges with replacement `resamples` times (a judge drawn twice counts
      twice, with all of their marks), recompute every total with the same rule (method,
      trimming, rounding; tie-breaks are ignored), and read percentiles. Resampling whole
      judges keeps what they share across pitches, so a lenient judge moves every pitch they
      marked together and, in a complete panel, cancels out of the comparisons.
    - "model": the total's standard error from the spread of the judges' weighted totals
      (pooled over pitches; for "calibrated", the additive model's residual variance and the
      offsets' covariance), with totals drawn from Student's t. For small panels, where a
      bootstrap over 3–7 judges is too coarse.
    - "auto" (default): "bootstrap" when the median pitch has at least `min_bootstrap_judges`
      judges, else "model".

    Columns (leaderboard order): rank, pitch, total, total_low, total_high (a `level`
    interval), std_error, rank_best, rank_worst (the `level` range of ranks), p_beats_next,
    statistical_tie (P below the rule's `tie_probability`, with the next or previous pitch),
    approach. Reproducible: the same `seed` gives the same figures.
    """
    rule = as_rule(rule)
    if approach not in APPROACHES:
        raise ScoringError(f"approach must be one of {', '.join(APPROACHES)}, not {approach!r}.")
    if not 0 < level < 1:
        raise ScoringError(f"level must be between 0 and 1, not {level!r}.")
    if resamples < 10:
        raise ScoringError(f"resamples must be at least 10, not {resamples!r}.")
    scored = score(marks, criteria, rule, adjustments)
    rng = np.random.default_rng(seed)
    if approach == "auto":
        ranked = scored.n_judges[np.isfinite(scored.total)]
        big = len(ranked) and np.median(ranked) >= min_bootstrap_judges
        approach = "bootstrap" if big else "model"
    if approach == "bootstrap":
        draws = rng.integers(
            0, scored.prepared.n_judges, size=(resamples, scored.prepared.n_judges)
        )
        replicates = _bootstrap(scored, draws)
        known = np.ones(scored.prepared.n_pitches, dtype=bool)
    else:
        replicates, known = _model(scored, resamples, rng)
    return _summarise(scored, replicates, known, level, approach)


def _summarise(
    scored: Scored, replicates: np.ndarray, known: np.ndarray, level: float, approach: str
) -> pd.DataFrame:
    """Percentiles of the replicates; nothing is claimed for pitches of unknown spread."""
    order = scored.order
    tail = (1 - level) / 2
    with _quiet():
        low = np.nanquantile(replicates, tail, axis=0)
        high = np.nanquantile(replicates, 1 - tail, axis=0)
        spread = np.nanstd(replicates, axis=0, ddof=1)
    ranks = _ranks(replicates)
    with _quiet():
        best = np.nanquantile(ranks, tail, axis=0, method="lower")
        worst = np.nanquantile(ranks, 1 - tail, axis=0, method="higher")
    unranked = ~np.isfinite(scored.total) | ~known
    for column in (low, high, spread, best, worst):
        column[unranked] = np.nan

    p_next = np.full(len(order), np.nan)
    if len(order) > 1:
        a, b = replicates[:, order[:-1]], replicates[:, order[1:]]
        both = np.isfinite(a) & np.isfinite(b)
        wins = np.where(both, (a > b) + 0.5 * (a == b), 0.0).sum(axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            p_next[:-1] = np.where(both.sum(axis=0) > 0, wins / both.sum(axis=0), np.nan)
        p_next[:-1][~np.isfinite(scored.total[order[1:]])] = np.nan
        p_next[:-1][~known[order[:-1]] | ~known[order[1:]]] = np.nan
    return pd.DataFrame(
        {
            "rank": pd.array(scored.rank[order], dtype="Int64"),
            "pitch": scored.prepared.pitches.take(order),
            "total": scored.total[order],
            "total_low": low[order],
            "total_high": high[order],
            "std_error": spread[order],
            "rank_best": pd.array(best[order], dtype="Int64"),
            "rank_worst": pd.array(worst[order], dtype="Int64"),
            "p_beats_next": p_next,
            "statistical_tie": tie_flags(p_next, scored.rule.tie_probability),
            "approach": approach,
        }
    )


@contextmanager
def _quiet() -> Iterator[None]:
    """Silence numpy's all-NaN warnings (an unmarked pitch simply has no interval)."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        yield


def _ranks(replicates: np.ndarray) -> np.ndarray:
    """Competition ranks (1 = best, ties share the best rank) of each replicate's totals."""
    finite = np.isfinite(replicates)
    filled = np.where(finite, -replicates, np.inf)
    ranks = stats.rankdata(filled, method="min", axis=1).astype(float)
    ranks[~finite] = np.nan
    return ranks


def _finish_totals(panel: np.ndarray, scored: Scored) -> np.ndarray:
    """Totals from panel marks (..., pitches, criteria) with the rule's rounding (float)."""
    rule, prepared = scored.rule, scored.prepared
    if rule.round_criteria:
        panel = half_up(panel, rule.decimals)[0]
    weighted = panel * prepared.weights
    if rule.round_weighted:
        weighted = half_up(weighted, rule.decimals)[0]
    total = snap(weighted.sum(axis=-1) + prepared.adjustments.sum(axis=1))
    if rule.round_total:
        total = half_up(total, rule.decimals)[0]
    return total


def _dense(scored: Scored) -> np.ndarray:
    """Marks (method units for zscore) as a pitches × judges × criteria array with NaN."""
    prepared = scored.prepared
    values = scored.panels.adjusted if scored.rule.method == "zscore" else prepared.value
    cube = np.full((prepared.n_pitches, prepared.n_judges, prepared.n_criteria), np.nan)
    cube[prepared.pitch, prepared.judge, prepared.criterion] = values
    return cube


def _dense_panels(cube: np.ndarray, rule: AggregationRule, method: str) -> np.ndarray:
    """Panel marks of cubes (..., pitches, judges, criteria) under a non-model method."""
    with _quiet():
        if method in ("mean", "zscore"):
            return np.nanmean(cube, axis=-2)
        ordered = np.sort(cube, axis=-2)  # NaN last
        valid = ~np.isnan(ordered)
        n = valid.sum(axis=-2, keepdims=True)
        if method == "median":
            low = np.take_along_axis(ordered, np.maximum(n - 1, 0) // 2, axis=-2)
            high = np.take_along_axis(ordered, np.minimum(n // 2, cube.shape[-2] - 1), axis=-2)
            return np.where(n > 0, (low + high) / 2, np.nan)[..., 0, :]
        position = np.arange(cube.shape[-2])[:, None]
        applies = (n >= rule.min_judges_to_trim) & (rule.trim > 0)
        keep = valid & (~applies | ((position >= rule.trim) & (position < n - rule.trim)))
        return np.where(keep, ordered, 0.0).sum(axis=-2) / keep.sum(axis=-2)


def _bootstrap(scored: Scored, draws: np.ndarray) -> np.ndarray:
    """Totals of every resample of judges (rows of `draws`)."""
    cube = _dense(scored)
    method = scored.rule.method
    if method == "calibrated":
        if np.isnan(cube).any():
            return _bootstrap_calibrated(scored, cube, draws)
        # A complete design stays complete when judges are resampled, and on a complete
        # design the least-squares quality is the plain mean (the offsets sum to zero).
        method = "mean"
    chunk = max(1, _CELLS_PER_CHUNK // max(cube.size, 1))
    totals = np.empty((len(draws), scored.prepared.n_pitches))
    for start in range(0, len(draws), chunk):
        picked = draws[start : start + chunk]
        resampled = np.moveaxis(cube[:, picked, :], 1, 0)  # (chunk, pitches, judges, criteria)
        panels = _dense_panels(resampled, scored.rule, method)
        totals[start : start + chunk] = _finish_totals(panels, scored)
    return totals


def _bootstrap_calibrated(scored: Scored, cube: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Refit the additive model on each resample (a judge drawn twice is two judges)."""
    prepared = scored.prepared
    chunk = max(1, _CELLS_PER_CHUNK // (3 * max(cube.shape[0] * cube.shape[1], 1)))
    totals = np.full((len(draws), prepared.n_pitches), np.nan)
    for start in range(0, len(draws), chunk):
        picked = draws[start : start + chunk]
        panel = np.full((len(picked), prepared.n_pitches, prepared.n_criteria), np.nan)
        for c in range(prepared.n_criteria):
            values = np.moveaxis(cube[:, picked, c], 1, 0)  # (chunk, pitches, judges)
            panel[..., c] = batched_quality(values, scored.rule.shrinkage)
        totals[start : start + chunk] = _finish_totals(snap(panel), scored)
    return totals


def batched_quality(values: np.ndarray, shrinkage: float = 0.0) -> np.ndarray:
    """Pitch qualities of the additive model for many small designs at once.

    `values` is (designs, pitches, judges) with NaN for missing marks; the same absorbed
    normal equations as `fit_additive`, solved as one batch of J × J systems. A design that is
    not connected gives NaN qualities.
    """
    mask = ~np.isnan(values)
    marked = mask.astype(float)
    n_p = marked.sum(axis=2)
    n_j = marked.sum(axis=1)
    inverse_n = np.where(n_p > 0, 1.0 / np.maximum(n_p, 1), 0.0)
    filled = np.where(mask, values, 0.0)
    pitch_mean = filled.sum(axis=2) * inverse_n
    r = np.where(mask, values - pitch_mean[..., None], 0.0).sum(axis=1)
    c_matrix = -np.einsum("bpj,bpk->bjk", marked * inverse_n[..., None], marked)
    designs, n_judges = n_j.shape
    diagonal = np.arange(n_judges)
    c_matrix[:, diagonal, diagonal] += n_j
    used = n_j > 0
    connected = _connected(marked, used)
    if shrinkage > 0:
        system = c_matrix + shrinkage * np.eye(n_judges)
        rhs = r
    else:
        system = np.zeros((designs, n_judges + 1, n_judges + 1))
        system[:, :n_judges, :n_judges] = c_matrix
        system[:, :n_judges, n_judges] = used
        system[:, n_judges, :n_judges] = used
        system[:, diagonal, diagonal] += ~used  # a judge without marks keeps offset 0
        rhs = np.concatenate([r, np.zeros((designs, 1))], axis=1)
    system[~connected] = np.eye(system.shape[1])
    offset = np.linalg.solve(system, rhs[..., None])[:, :n_judges, 0]
    quality = pitch_mean - np.einsum("bpj,bj->bp", marked, offset) * inverse_n
    quality[(n_p == 0) | ~connected[:, None]] = np.nan
    return quality


def _connected(marked: np.ndarray, used: np.ndarray) -> np.ndarray:
    """Whether each design's judges are all linked through shared pitches."""
    n_judges = marked.shape[2]
    reach = np.einsum("bpj,bpk->bjk", marked, marked) > 0
    for _ in range(max(1, int(np.ceil(np.log2(max(n_judges, 2)))))):
        reach = np.einsum("bjk,bkl->bjl", reach.astype(np.float64), reach.astype(np.float64)) > 0
    first = used.argmax(axis=1)
    from_first = reach[np.arange(len(first)), first]
    return (from_first | ~used).all(axis=1)


def _model(
    scored: Scored, resamples: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Totals drawn as total + SE × t(df), independently per pitch; and where SE is known.

    SE comes from the additive model fitted on the judges' weighted totals (residual variance
    and the offsets' covariance) for "calibrated", and for any method when every ranked pitch
    has the same judges (their leniency then cancels between pitches). Otherwise leniency does
    not cancel, and SE = s / √n with s the pooled within-pitch spread of judge totals. With no
    spread to learn from (e.g. one judge per pitch), nothing is claimed: the figures are missing.
    """
    prepared = scored.prepared
    totals = scored.judge_totals
    n_pitches = prepared.n_pitches
    n = np.bincount(totals["pitch"], minlength=n_pitches).astype(float)
    ranked = np.isfinite(scored.total)
    same_judges = bool(ranked.any()) and bool((n[ranked] == prepared.n_judges).all())
    se = np.full(n_pitches, np.nan)
    dof = 1
    if len(totals) and (scored.rule.method == "calibrated" or same_judges):
        fit = fit_additive(
            totals["pitch"].to_numpy(),
            totals["judge"].to_numpy(),
            totals["total"].to_numpy(),
            n_pitches,
            prepared.n_judges,
            shrinkage=scored.rule.shrinkage,
            allow_disconnected=True,
        )
        with np.errstate(invalid="ignore"):
            se = np.sqrt(fit.sigma2[0] * fit.quality_variance())
        dof = fit.dof
    elif len(totals):
        with np.errstate(invalid="ignore", divide="ignore"):
            means = np.bincount(totals["pitch"], weights=totals["total"], minlength=n_pitches) / n
            deviations = totals["total"].to_numpy() - means[totals["pitch"].to_numpy()]
            dof = int((n[n > 0] - 1).sum())
            pooled = np.sqrt((deviations**2).sum() / dof) if dof > 0 else np.nan
            se = pooled / np.sqrt(n)
    noise = rng.standard_t(max(dof, 1), size=(resamples, n_pitches))
    draws = scored.total[None, :] + noise * np.where(np.isfinite(se), se, 0.0)[None, :]
    if scored.rule.round_total:
        draws = half_up(draws, scored.rule.decimals)[0]
    return draws, np.isfinite(se)
