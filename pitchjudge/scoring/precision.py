"""How precise each total is: the one error model behind every interval and probability.

Every interval, P(beats next), rank range and "too close to call" flag of the engine is built
here, for every method and panel size alike. The target is the **pool truth**: the total this
round's whole jury would give the pitch on average (what a complete panel's mean estimates,
and what "calibrated" estimates). The error of a shown total T_p against it has two parts:

- the judges' noise on this pitch: the residuals e_pj of the additive model
  t_pj = q_p + o_j + e_pj fitted to the judges' weighted totals (`fit_additive`, one
  implementation; Searle 1987), with variance σ² (residual mean square, df = marks − pitches −
  judges + groups);
- the panel's leniency, when the pitch was marked by only k of the J judges: the mean offset of
  its k judges minus the mean offset of all J. With offsets of variance σ_o² (estimated
  from the fitted offsets, less their own estimation noise: a method-of-moments estimate),
  Var = σ_o² (1/k − 1/J) and two pitches sharing s judges covary by σ_o² (s / (k_a k_b) − 1/J).
  Zero for a complete panel, where leniency is shared by everyone and cancels.

Per method:
- "mean" and "zscore": Var(T_p) = σ²/k_p + σ_o² (1/k_p − 1/J).
- "median" and "trimmed": the mean's variance × the method's relative efficiency at k_p judges
  (Var(method) / Var(mean)), measured by simulating panels of k_p marks drawn from the round's
  own residuals, on the marks' own grid (whole marks stay whole), so that discreteness and
  heavy tails count. A median of 3 whole marks is much noisier than their mean, and says so.
- "calibrated": the least-squares variance of q̂_p, σ² (1/k_p + N_p M N_pᵀ / k_p²), with σ² M
  the offsets' covariance (`AdditiveFit.quality_variance`), plus, under a ridge `shrinkage`
  λ, the bias the ridge leaves in the offsets (σ_o² λ² G², G = (C + λI)⁻¹).

Intervals: T_p ± t_{df, (1+level)/2} × SE_p (Student's t), centred on the total shown.
P(A beats B): an empirical-Bayes posterior (Efron & Morris 1975, "Data analysis using Stein's
estimator and its generalizations", JASA 70): true totals ~ N(m, τ²), τ² = Var(T) − mean SE²,
so each total shrinks towards the mean by B_p = τ² / (τ² + SE_p²) and
P = Φ((μ_A − μ_B) / √(v_A + v_B − 2 B_A B_B Cov_AB)). A posterior probability stays
calibrated after the board is sorted (no winner's curse), which a plain z-test does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy import sparse, special

from pitchjudge.scoring.calibration import fit_additive
from pitchjudge.scoring.methods import Groups, mean_panel, median_panel, trimmed_panel

if TYPE_CHECKING:  # pragma: no cover
    from pitchjudge.scoring.leaderboard import Scored

#: Simulated panels per panel size when measuring a method's relative efficiency.
EFFICIENCY_DRAWS = 3000
#: A design whose judge graph has an algebraic connectivity below this (in pitches' worth of
#: links) is "weak": judge offsets, hence "calibrated" totals, rest on a handful of marks.
WEAK_CONNECTIVITY = 1.0
#: Pitch × judge designs up to this many cells are read densely when pairs of pitches are compared.
DENSE_CELLS = 2_000_000


@dataclass
class Precision:
    """The error model of one scored round (arrays in pitch-code order)."""

    se: np.ndarray  # (pitches,) standard error of the total against the pool truth; NaN unknown
    dof: int  # degrees of freedom of σ²
    sigma2: float  # residual variance of a judge's total
    leniency_var: float  # σ_o², variance of the judges' offsets (total units)
    n: np.ndarray  # (pitches,) judges with a complete scorecard
    n_judges: int  # judges of the round with at least one scorecard
    incidence: object  # pitch × judge 0/1 (dense or sparse)
    scale: np.ndarray  # (pitches,) factor on the leniency part (efficiency, or shrunk)
    fit: object  # the AdditiveFit (None without any scorecard)
    calibrated: bool

    def covariance(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Cov(T_a, T_b) of distinct pitches a, b (their errors share judges' leniency)."""
        a, b = np.asarray(a), np.asarray(b)
        if len(a) == 0 or self.fit is None:
            return np.zeros(len(a))
        inc = self.incidence
        if sparse.issparse(inc) and inc.shape[0] * inc.shape[1] <= DENSE_CELLS:
            inc = inc.toarray()  # row picks of a small dense array beat sparse indexing
        if sparse.issparse(inc):
            shared = np.asarray(inc[a].multiply(inc[b]).sum(axis=1)).ravel()
        else:
            shared = (inc[a] * inc[b]).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.calibrated:
                cov = self.sigma2 * self.fit.quality_covariance(a, b)
            else:
                leniency = self.leniency_var * (
                    shared / (self.n[a] * self.n[b]) - 1.0 / max(self.n_judges, 1)
                )
                cov = leniency * np.sqrt(self.scale[a] * self.scale[b])
        return np.where(np.isfinite(cov), cov, 0.0)


def precision(scored: Scored) -> Precision:
    """The error model of `scored` (see the module docstring)."""
    prepared, rule = scored.prepared, scored.rule
    totals = scored.judge_totals
    n_pitches = prepared.n_pitches
    n = np.bincount(totals.pitch, minlength=n_pitches).astype(float)
    empty = Precision(
        se=np.full(n_pitches, np.nan),
        dof=0,
        sigma2=np.nan,
        leniency_var=0.0,
        n=n,
        n_judges=0,
        incidence=np.zeros((n_pitches, 0)),
        scale=np.ones(n_pitches),
        fit=None,
        calibrated=rule.method == "calibrated",
    )
    if not len(totals.pitch):
        return empty
    fit = fit_additive(
        totals.pitch,
        totals.judge,
        totals.total,
        n_pitches,
        prepared.n_judges,
        shrinkage=rule.shrinkage if rule.method == "calibrated" else 0.0,
        allow_disconnected=True,
    )
    if fit.dof <= 0 or not np.isfinite(fit.sigma2[0]):
        return empty
    sigma2 = float(fit.sigma2[0])
    used = fit._used_judges
    offsets = fit.offset[used, 0]
    noise = sigma2 * float(np.trace(fit.offset_error()))
    spread = float((offsets**2).sum()) - noise
    leniency_var = max(spread / max(len(used) - fit.n_groups, 1), 0.0)
    n_used = len(used)
    with np.errstate(invalid="ignore", divide="ignore"):
        if rule.method == "calibrated":
            if rule.shrinkage > 0 and sigma2 > 0:
                fit.add_ridge_bias(leniency_var / sigma2)
            variance = sigma2 * fit.quality_variance()
            scale = np.ones(n_pitches)
        else:
            leniency = leniency_var * np.maximum(1.0 / n - 1.0 / n_used, 0.0)
            scale = (
                efficiency(scored, n)
                if rule.method in ("median", "trimmed")
                else np.ones(n_pitches)
            )
            variance = scale * (sigma2 / n + leniency)
    se = np.where((n > 0) & np.isfinite(scored.total), np.sqrt(variance), np.nan)
    return Precision(
        se=se,
        dof=int(fit.dof),
        sigma2=sigma2,
        leniency_var=leniency_var,
        n=n,
        n_judges=n_used,
        incidence=fit._incidence,
        scale=scale,
        fit=fit,
        calibrated=rule.method == "calibrated",
    )


def efficiency(scored: Scored, n: np.ndarray) -> np.ndarray:
    """Var(method) / Var(mean) of each pitch's panel, by simulation on the round's residuals.

    A panel of k judges is drawn (with replacement) from the round's scorecards' residual rows
    r_pj = x_pj· − x̄_p· (× √(k_p/(k_p − 1)), every criterion of one judge together, so the
    criteria's correlation is kept; when every pitch had the same jury, each of its judges
    contributes one of their own rows, so the jury's leniency pattern is kept), added to a
    centre placed at random between two grid points, put back on the marks' grid, and scored
    by the rule's own method (`pitchjudge.scoring.methods`) and by the mean.
    Seeded: the same round gives the same figure.
    """
    prepared, rule = scored.prepared, scored.rule
    result = np.ones(len(n))
    cube = np.full((prepared.n_pitches, prepared.n_judges, prepared.n_criteria), np.nan)
    cube[prepared.pitch, prepared.judge, prepared.criterion] = prepared.value
    complete = ~np.isnan(cube).any(axis=2)
    count = complete.sum(axis=1)
    rows = complete & (count >= 2)[:, None]
    if not rows.any():
        return result
    with np.errstate(invalid="ignore", divide="ignore"):
        centre = np.nanmean(np.where(complete[..., None], cube, np.nan), axis=1)
    residual = (cube - centre[:, None, :])[rows] * np.sqrt(count / (count - 1))[
        np.nonzero(rows)[0]
    ][:, None]
    residual = residual[np.lexsort(np.nan_to_num(residual).T[::-1])]  # independent of names
    step = _grid(prepared.value)
    ranked = count >= 2
    jury = np.flatnonzero(complete[ranked].any(axis=0))
    same_jury = bool(ranked.any()) and bool(complete[ranked][:, jury].all())
    if same_jury:
        scaled = np.sqrt(len(jury) / (len(jury) - 1))
        full = (cube - centre[:, None, :])[ranked][:, jury] * scaled  # (pitches, judges, criteria)
        # Judges in an order that does not depend on their names (the figures must not).
        flat = np.nan_to_num(np.moveaxis(full, 1, 0).reshape(len(jury), -1))
        full = full[:, np.lexsort(flat.T[::-1])]
        jury = np.arange(len(jury))
    if step:
        # The residuals of rounded marks carry the rounding noise already (variance ≈ step²/12,
        # Sheppard 1898); each simulated panel is rounded again below, so take it out first or
        # the simulated marks are noisier than the real ones and a median's stickiness to the
        # grid (its main error on a coarse scale) is smoothed away.
        spread = np.nanmean(residual**2, axis=0)
        with np.errstate(invalid="ignore", divide="ignore"):
            shrink = np.sqrt(np.maximum(spread - step**2 / 12, 0.0) / spread)
        shrink = np.where(np.isfinite(shrink), shrink, 1.0)
        residual = residual * shrink
        if same_jury:
            full = full * shrink
    rng = np.random.default_rng(20_261_204)
    weights = prepared.weights
    for k in np.unique(n[n >= 2]).astype(int):
        if rule.method == "trimmed" and (k < rule.min_judges_to_trim or rule.trim == 0):
            continue
        if same_jury and k == len(jury):
            # Every pitch had the same jury: keep it (judge j's row comes from a pitch j
            # marked), so this jury's own leniency pattern shapes the method's error.
            picked = full[rng.integers(0, len(full), size=(EFFICIENCY_DRAWS, k)), jury]
        else:
            picked = residual[rng.integers(0, len(residual), size=(EFFICIENCY_DRAWS, k))]
        shift = rng.random((EFFICIENCY_DRAWS, 1, prepared.n_criteria)) * (step or 1.0)
        marks = picked + shift
        if step:
            marks = np.floor(marks / step + 0.5) * step
        # (draws, criteria, judges) flattened into groups of k sorted marks.
        flat = np.sort(np.moveaxis(marks, 1, 2), axis=2).reshape(-1)
        groups = Groups.uniform(EFFICIENCY_DRAWS * prepared.n_criteria, k)
        if rule.method == "median":
            panel = median_panel(flat, groups)
        else:
            panel = trimmed_panel(flat, groups, rule.trim, rule.min_judges_to_trim)[0]
        mean = mean_panel(flat, groups)
        # Errors against the centre each panel was drawn around (its truth): mean squared
        # error, so that a method's systematic gaps (a median of whole marks sticking to the
        # grid, a jury's skewed leniency) count as well as its spread.
        truth = shift[:, 0, :] @ weights
        method_error = panel.reshape(EFFICIENCY_DRAWS, -1) @ weights - truth
        mean_error = mean.reshape(EFFICIENCY_DRAWS, -1) @ weights - truth
        base = np.mean(mean_error**2)
        if base > 0:
            result[n == k] = max(np.mean(method_error**2) / base, 1e-3)
    return result


def _grid(values: np.ndarray) -> float:
    """The step of the marks (1 for whole marks, 0.5 for halves, 0.1 …; 0 when none fits)."""
    for step in (1.0, 0.5, 0.25, 0.1):
        scaled = values / step
        if len(values) and np.allclose(scaled, np.round(scaled), atol=1e-9):
            return step
    return 0.0


def posterior(scored: Scored, model: Precision) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(posterior mean, posterior variance, shrink factor B) of each pitch's pool truth."""
    total, se = scored.total, model.se
    known = np.isfinite(total) & np.isfinite(se)
    mean = np.full(len(total), np.nan)
    var = np.full(len(total), np.nan)
    factor = np.full(len(total), np.nan)
    if known.sum() < 2:
        mean[known], var[known], factor[known] = total[known], se[known] ** 2, 1.0
        return mean, var, factor
    centre = float(np.mean(total[known]))
    spread = float(np.var(total[known], ddof=1))
    noise = float(np.mean(se[known] ** 2))
    # τ² never below a tenth of the observed spread: a board whose spread is all noise still
    # gets probabilities, but they stay modest.
    tau2 = max(spread - noise, 0.1 * spread, 1e-12)
    with np.errstate(invalid="ignore", divide="ignore"):
        b = tau2 / (tau2 + se[known] ** 2)
    factor[known] = b
    mean[known] = centre + b * (total[known] - centre)
    var[known] = b * se[known] ** 2
    return mean, var, factor


def beat_probability(
    scored: Scored, model: Precision, first: np.ndarray, second: np.ndarray
) -> np.ndarray:
    """P(pool truth of `first` > that of `second`), pairwise, from the posterior."""
    mean, var, factor = posterior(scored, model)
    first, second = np.asarray(first, dtype=np.int64), np.asarray(second, dtype=np.int64)
    cov = model.covariance(first, second) * factor[first] * factor[second]
    with np.errstate(invalid="ignore", divide="ignore"):
        spread = np.sqrt(np.maximum(var[first] + var[second] - 2 * cov, 0.0))
        difference = mean[first] - mean[second]
        p = special.ndtr(difference / spread)
    p = np.where(spread == 0, np.where(difference > 0, 1.0, 0.5), p)
    exact_tie = scored.total[first] == scored.total[second]
    p = np.where(exact_tie, 0.5, p)
    return np.where(np.isfinite(difference) & np.isfinite(spread), p, np.nan)


def beat_next(scored: Scored, model: Precision | None = None) -> np.ndarray:
    """P(each pitch in board order beats the next one); NaN for the last and the unknown."""
    order = scored.order
    result = np.full(len(order), np.nan)
    if len(order) < 2:
        return result
    model = model or precision(scored)
    result[:-1] = beat_probability(scored, model, order[:-1], order[1:])
    return result


def connectivity(pitch: np.ndarray, judge: np.ndarray, n_pitches: int, n_judges: int) -> float:
    """Algebraic connectivity of the judge graph of a judge–pitch design, in pitches' worth.

    The judges' information matrix C = diag(n_j) − Nᵀ diag(1/n_p) N (the Laplacian of the
    graph linking two judges by Σ_p 1/n_p over the pitches they share) has a second-smallest
    eigenvalue λ₂ (Fiedler 1973, "Algebraic connectivity of graphs", Czech. Math. J. 23) that
    is 0 for a design split into groups and small when one or two marks hold it together;
    Var(ô_a − ô_b) ≥ 2σ²/λ₂ for some pair of judges. A complete panel of P pitches has λ₂ = P.
    NaN with fewer than two judges.
    """
    pairs = np.unique(np.asarray(pitch) * max(n_judges, 1) + np.asarray(judge))
    pitch, judge = pairs // max(n_judges, 1), pairs % max(n_judges, 1)
    judges = np.unique(judge)
    if len(judges) < 2:
        return float("nan")
    remap = np.searchsorted(judges, judge)
    n_p = np.bincount(pitch, minlength=n_pitches).astype(float)
    incidence = sparse.csr_matrix(
        (np.ones(len(pitch)), (pitch, remap)), shape=(n_pitches, len(judges))
    )
    weighted = sparse.diags(np.where(n_p > 0, 1.0 / np.maximum(n_p, 1), 0.0)) @ incidence
    cross = np.asarray((incidence.T @ weighted).todense())
    laplacian = np.diag(np.asarray(incidence.sum(axis=0)).ravel()) - cross
    eigen = np.linalg.eigvalsh(laplacian)
    # A split design's λ₂ is 0 only up to round-off (about 1e-16 × the largest eigenvalue).
    return float(eigen[1]) if eigen[1] > 1e-9 * max(eigen[-1], 1.0) else 0.0
