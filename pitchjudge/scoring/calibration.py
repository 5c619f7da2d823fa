"""The additive judge-leniency model: mark = pitch quality + judge offset + noise.

For the marks y_pj of one criterion (pitch p, judge j; missing cells allowed), the model

    y_pj = q_p + o_j + e_pj,   Σ_j o_j = 0   (one such constraint per connected group)

is fitted jointly by least squares, optionally with a ridge penalty λ Σ_j o_j² ("shrinkage",
a Gaussian prior on the offsets: each judge counts as if they had λ extra marks at offset 0,
as in Bayesian examiner calibration, Paul 1981, "Bayesian methods for calibration of
examiners", Br. J. Math. Stat. Psychol. 34). The pitch effects are absorbed (the classical
reduction of a two-way layout with missing cells; Searle 1987, "Linear Models for Unbalanced
Data", ch. 4): with n_p marks on pitch p, ȳ_p their mean and N the pitch × judge incidence,

    C = diag(n_j) − Nᵀ diag(1/n_p) N,   r_j = Σ_p N_pj (y_pj − ȳ_p),
    (C + λI) o = r   (λ > 0)   or   [C E; Eᵀ 0] [o; μ] = [r; 0]   (λ = 0),
    q_p = ȳ_p − Σ_j N_pj o_j / n_p,

which is exactly the least-squares solution of the full design (a test checks it against
statsmodels OLS) at the cost of a J × J solve. C has rank J − (number of groups), so the
offsets are identified only when the design is connected (Weeks & Williams 1964); a
disconnected design raises `DisconnectedDesign` unless the caller asks for offsets within each
group. The variance of q_p is σ² (1/n_p + N_p M N_pᵀ / n_p²) with σ² M the offsets' covariance.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse import csgraph

from pitchjudge.scoring.errors import DisconnectedDesign


@dataclass
class AdditiveFit:
    """Least-squares estimates of the additive model (one column per response)."""

    quality: np.ndarray  # (pitches, k); NaN for pitches without marks
    offset: np.ndarray  # (judges, k); NaN for judges without marks
    residual: np.ndarray  # (marks, k)
    dof: int
    sigma2: np.ndarray  # (k,) residual variance (NaN when dof == 0)
    n_groups: int
    group_of_judge: np.ndarray  # (judges,) group number, -1 without marks
    _incidence: np.ndarray | sparse.csr_matrix
    _judge_block: np.ndarray  # (used judges, used judges)
    _used_judges: np.ndarray
    _marks_per_pitch: np.ndarray
    _shrinkage: float = 0.0
    _ridge_inverse: np.ndarray | None = None  # G = (C + λI)⁻¹ under a ridge

    def _used_incidence(self):
        """The incidence's columns of the judges with marks (all of them, usually: no copy)."""
        if len(self._used_judges) == self._incidence.shape[1]:
            return self._incidence
        return self._incidence[:, self._used_judges]

    def offset_error(self) -> np.ndarray:
        """Var(ô − o) / σ² of the used judges' offsets (the covariance block σ² M)."""
        return self._judge_block

    def add_ridge_bias(self, ratio: float) -> None:
        """Count the ridge's bias in the offsets' error: M += (σ_o²/σ²) λ² G².

        A ridge pulls every offset towards 0, by −λ G o: with offsets of variance σ_o², that
        bias has covariance σ_o² λ² G² (Hoerl & Kennard 1970, "Ridge regression", Technometrics
        12(1): mean squared error = variance + squared bias).
        """
        if self._ridge_inverse is None or not np.isfinite(ratio) or ratio <= 0:
            return
        g = self._ridge_inverse
        self._judge_block = self._judge_block + ratio * self._shrinkage**2 * (g @ g)

    def quality_variance(self) -> np.ndarray:
        """Var(q_p) / σ² for each pitch (NaN without marks)."""
        n = self._marks_per_pitch
        used = self._used_incidence()
        projected = np.asarray(used @ self._judge_block)
        if sparse.issparse(used):
            quadratic = np.asarray(sparse.csr_matrix(used).multiply(projected).sum(axis=1)).ravel()
        else:
            quadratic = (used * projected).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n > 0, 1.0 / n + quadratic / n**2, np.nan)

    def quality_covariance(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Cov(q_a, q_b) / σ² of distinct pitches a, b: N_a M N_bᵀ / (n_a n_b)."""
        n = self._marks_per_pitch
        used = self._used_incidence()
        left, right = used[a], used[b]
        if sparse.issparse(used):
            left, right = left.toarray(), right.toarray()
        quadratic = ((left @ self._judge_block) * right).sum(axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            return quadratic / (n[a] * n[b])


#: Designs with at most this many pitch × judge cells are handled as dense arrays.
_DENSE_CELLS = 0
#: Up to this many pitch × judge cells, Nᵀ diag(1/n_p) N is a sparse × dense product.
_PRODUCT_CELLS = 1_000_000


def connected_groups(
    pitch: np.ndarray,
    judge: np.ndarray,
    n_pitches: int,
    n_judges: int,
    cross: np.ndarray | None = None,
) -> tuple[int, np.ndarray]:
    """(number of groups, group of each pitch then each judge; -1 for those without marks).

    `cross`: any judges × judges matrix with the pattern of Nᵀ N (the fit passes its own).
    """
    if cross is None:
        cross = _judge_cross(_incidence(pitch, judge, n_pitches, n_judges))
    n_found, judge_group = csgraph.connected_components(cross, directed=False)
    used_j = np.zeros(n_judges, dtype=bool)
    used_j[judge] = True
    if n_found == 1:  # one group, every judge in it (the usual case)
        pitch_group = np.full(n_pitches, -1)
        pitch_group[pitch] = 0
        return 1, np.concatenate([pitch_group, np.zeros(n_judges, dtype=judge_group.dtype)])
    # Renumber the groups of judges with marks 0, 1, … in order of their first judge.
    kept, judge_group = np.unique(np.where(used_j, judge_group, -1), return_inverse=True)
    judge_group = judge_group - (kept[0] == -1 if len(kept) else 0)
    judge_group[~used_j] = -1
    pitch_group = np.full(n_pitches, -1)
    pitch_group[pitch] = judge_group[judge]
    return int(judge_group.max(initial=-1) + 1), np.concatenate([pitch_group, judge_group])


def _incidence(pitch, judge, n_pitches, n_judges):
    if n_pitches * n_judges <= _DENSE_CELLS:
        dense = np.zeros((n_pitches, n_judges))
        dense[pitch, judge] = 1.0
        return dense
    if _cells_in_order(pitch, judge, n_judges):  # already CSR's layout: no conversion
        indptr = np.zeros(n_pitches + 1, dtype=np.int64)
        np.cumsum(np.bincount(pitch, minlength=n_pitches), out=indptr[1:])
        return sparse.csr_matrix(
            (np.ones(len(pitch)), judge, indptr), shape=(n_pitches, n_judges), copy=False
        )
    return sparse.csr_matrix((np.ones(len(pitch)), (pitch, judge)), shape=(n_pitches, n_judges))


def _cells_in_order(pitch: np.ndarray, judge: np.ndarray, n_judges: int) -> bool:
    """Whether the (pitch, judge) cells are distinct and sorted (as judges' totals are)."""
    cells = np.asarray(pitch) * max(n_judges, 1) + np.asarray(judge)
    return bool(len(cells) < 2 or (cells[1:] > cells[:-1]).all())


def _judge_cross(incidence, weights: np.ndarray | None = None, *, dense: bool = True):
    """Nᵀ diag(weights) N as a judges × judges array (sparse if `dense` is False and N is)."""
    if sparse.issparse(incidence):
        weighted = incidence
        if weights is not None:  # rows scaled in place of a diagonal product (same values)
            weighted = incidence.copy()
            weighted.data = weighted.data * np.repeat(weights, np.diff(incidence.indptr))
        cross = incidence.T.tocsr() @ weighted
        return cross.toarray() if dense else cross
    weighted = incidence if weights is None else incidence * weights[:, None]
    return incidence.T @ weighted


def fit_additive(
    pitch: np.ndarray,
    judge: np.ndarray,
    y: np.ndarray,
    n_pitches: int,
    n_judges: int,
    *,
    shrinkage: float = 0.0,
    allow_disconnected: bool = False,
    pitch_labels: pd.Index | None = None,
    judge_labels: pd.Index | None = None,
    criterion: object = None,
) -> AdditiveFit:
    """Fit y = q[pitch] + o[judge] + e by least squares with Σ o = 0 in each group."""
    y = np.asarray(y, dtype=float).reshape(len(pitch), -1)
    n_obs = len(pitch)
    n_p = np.bincount(pitch, minlength=n_pitches).astype(float)
    n_j = np.bincount(judge, minlength=n_judges).astype(float)
    used_p, used_j = n_p > 0, n_j > 0

    inverse_n = np.where(used_p, 1.0 / np.maximum(n_p, 1.0), 0.0)
    incidence = _incidence(pitch, judge, n_pitches, n_judges)
    # Nᵀ diag(1/n_p) N; its sparse pattern gives the groups (graph search on a sparse matrix).
    if sparse.issparse(incidence) and n_pitches * n_judges <= _PRODUCT_CELLS:
        # Nᵀ (diag(1/n_p) N) as sparse × dense: one pass, and the J × J result is dense.
        weighted = np.zeros((n_pitches, n_judges))
        weighted[pitch, judge] = inverse_n[pitch]
        cross = np.asarray(incidence.T @ weighted)
        n_groups, labels = connected_groups(
            pitch, judge, n_pitches, n_judges, sparse.csr_matrix(cross)
        )
    else:
        cross = _judge_cross(incidence, inverse_n, dense=False)
        n_groups, labels = connected_groups(pitch, judge, n_pitches, n_judges, cross)
        cross = cross.toarray() if sparse.issparse(cross) else cross
    if n_groups > 1 and not allow_disconnected:
        raise DisconnectedDesign(
            _describe_groups(labels, n_groups, n_pitches, pitch_labels, judge_labels),
            criterion=criterion,
        )

    columns = range(y.shape[1])
    pitch_mean = (
        np.column_stack([np.bincount(pitch, weights=y[:, k], minlength=n_pitches) for k in columns])
        * inverse_n[:, None]
    )
    deviation = y - pitch_mean[pitch]
    r = np.column_stack(
        [np.bincount(judge, weights=deviation[:, k], minlength=n_judges) for k in columns]
    )

    judges = np.flatnonzero(used_j)
    c_matrix = (np.diag(n_j) - cross)[np.ix_(judges, judges)]
    rhs = r[judges]
    ridge_inverse = None
    if shrinkage > 0:
        system = c_matrix + shrinkage * np.eye(len(judges))
        ridge_inverse = np.linalg.inv(system)
        solved = ridge_inverse @ rhs
        judge_block = ridge_inverse @ c_matrix @ ridge_inverse  # Var(o) / σ² under the ridge
    else:
        group_of = labels[n_pitches:][judges]
        membership = (group_of[:, None] == np.arange(n_groups)[None, :]).astype(float)
        size = len(judges) + n_groups
        system = np.zeros((size, size))
        system[: len(judges), : len(judges)] = c_matrix
        system[: len(judges), len(judges) :] = membership
        system[len(judges) :, : len(judges)] = membership.T
        judge_block = np.linalg.inv(system)[: len(judges), : len(judges)]
        solved = judge_block @ rhs  # the block is a generalised inverse G of C: Var(o) = σ² G

    offset = np.full((n_judges, y.shape[1]), np.nan)
    offset[judges] = solved
    used_incidence = incidence if len(judges) == n_judges else incidence[:, judges]
    shift = np.asarray(used_incidence @ solved) * inverse_n[:, None]
    quality = np.where(used_p[:, None], pitch_mean - shift, np.nan)
    residual = y - quality[pitch] - offset[judge]
    dof = int(n_obs - used_p.sum() - used_j.sum() + n_groups)
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = (residual**2).sum(axis=0) / dof if dof > 0 else np.full(y.shape[1], np.nan)
    return AdditiveFit(
        quality=quality,
        offset=offset,
        residual=residual,
        dof=dof,
        sigma2=np.asarray(sigma2, dtype=float),
        n_groups=n_groups,
        group_of_judge=labels[n_pitches:],
        _incidence=incidence,
        _judge_block=judge_block,
        _used_judges=judges,
        _marks_per_pitch=n_p,
        _shrinkage=float(shrinkage),
        _ridge_inverse=ridge_inverse,
    )


def _describe_groups(labels, n_groups, n_pitches, pitch_labels, judge_labels):
    pitch_group, judge_group = labels[:n_pitches], labels[n_pitches:]
    groups = []
    for group in range(n_groups):
        judges = np.flatnonzero(judge_group == group)
        pitches = np.flatnonzero(pitch_group == group)
        groups.append(
            (
                [judge_labels[k] if judge_labels is not None else k for k in judges],
                [pitch_labels[k] if pitch_labels is not None else k for k in pitches],
            )
        )
    return groups
