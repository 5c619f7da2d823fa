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
from scipy import linalg, sparse
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
    _incidence: sparse.csr_matrix
    _judge_block: np.ndarray  # (used judges, used judges)
    _used_judges: np.ndarray
    _marks_per_pitch: np.ndarray

    def quality_variance(self) -> np.ndarray:
        """Var(q_p) / σ² for each pitch (NaN without marks)."""
        n = self._marks_per_pitch
        used = self._incidence[:, self._used_judges]
        projected = np.asarray(used @ self._judge_block)
        quadratic = np.asarray(used.multiply(projected).sum(axis=1)).ravel()
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(n > 0, 1.0 / n + quadratic / n**2, np.nan)


def connected_groups(
    pitch: np.ndarray, judge: np.ndarray, n_pitches: int, n_judges: int
) -> tuple[int, np.ndarray]:
    """(number of groups, group label of each pitch then each judge) of the bipartite design."""
    incidence = sparse.csr_matrix(
        (np.ones(len(pitch)), (pitch, judge)), shape=(n_pitches, n_judges)
    )
    graph = sparse.bmat([[None, incidence], [incidence.T, None]], format="csr")
    return csgraph.connected_components(graph, directed=False)


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

    _, labels = connected_groups(pitch, judge, n_pitches, n_judges)
    group_labels = np.unique(labels[:n_pitches][used_p])
    if len(group_labels) > 1 and not allow_disconnected:
        raise DisconnectedDesign(
            _describe_groups(labels, group_labels, used_p, used_j, pitch_labels, judge_labels),
            criterion=criterion,
        )

    incidence = sparse.csr_matrix((np.ones(n_obs), (pitch, judge)), shape=(n_pitches, n_judges))
    by_pitch = sparse.csr_matrix(
        (np.ones(n_obs), (pitch, np.arange(n_obs))), shape=(n_pitches, n_obs)
    )
    by_judge = sparse.csr_matrix(
        (np.ones(n_obs), (judge, np.arange(n_obs))), shape=(n_judges, n_obs)
    )
    with np.errstate(divide="ignore"):
        inverse_n = np.where(used_p, 1.0 / n_p, 0.0)
    pitch_mean = np.asarray(by_pitch @ y) * inverse_n[:, None]
    r = np.asarray(by_judge @ (y - pitch_mean[pitch]))

    judges = np.flatnonzero(used_j)
    weighted = (incidence.T @ sparse.diags(inverse_n) @ incidence).toarray()
    c_matrix = (np.diag(n_j) - weighted)[np.ix_(judges, judges)]
    rhs = r[judges]
    if shrinkage > 0:
        system = c_matrix + shrinkage * np.eye(len(judges))
        judge_block = linalg.inv(system, check_finite=False)
        solved = judge_block @ rhs
        judge_block = judge_block @ c_matrix @ judge_block  # Var(o) / σ² under the ridge
    else:
        group_of = labels[n_pitches:][judges]
        membership = (group_of[:, None] == group_labels[None, :]).astype(float)
        size = len(judges) + len(group_labels)
        system = np.zeros((size, size))
        system[: len(judges), : len(judges)] = c_matrix
        system[: len(judges), len(judges) :] = membership
        system[len(judges) :, : len(judges)] = membership.T
        judge_block = linalg.inv(system, check_finite=False)[: len(judges), : len(judges)]
        solved = judge_block @ rhs  # the block is a generalised inverse G of C: Var(o) = σ² G

    offset = np.full((n_judges, y.shape[1]), np.nan)
    offset[judges] = solved
    shift = np.asarray(incidence[:, judges] @ solved) * inverse_n[:, None]
    quality = np.where(used_p[:, None], pitch_mean - shift, np.nan)
    residual = y - quality[pitch] - offset[judge]
    dof = int(n_obs - used_p.sum() - used_j.sum() + len(group_labels))
    with np.errstate(invalid="ignore", divide="ignore"):
        sigma2 = (residual**2).sum(axis=0) / dof if dof > 0 else np.full(y.shape[1], np.nan)
    group_of_judge = np.full(n_judges, -1)
    group_of_judge[judges] = np.searchsorted(group_labels, labels[n_pitches:][judges])
    return AdditiveFit(
        quality=quality,
        offset=offset,
        residual=residual,
        dof=dof,
        sigma2=np.asarray(sigma2, dtype=float),
        n_groups=len(group_labels),
        group_of_judge=group_of_judge,
        _incidence=incidence,
        _judge_block=judge_block,
        _used_judges=judges,
        _marks_per_pitch=n_p,
    )


def _describe_groups(labels, group_labels, used_p, used_j, pitch_labels, judge_labels):
    n_pitches = len(used_p)
    groups = []
    for group in group_labels:
        pitches = np.flatnonzero((labels[:n_pitches] == group) & used_p)
        judges = np.flatnonzero((labels[n_pitches:] == group) & used_j)
        groups.append(
            (
                [judge_labels[k] if judge_labels is not None else k for k in judges],
                [pitch_labels[k] if pitch_labels is not None else k for k in pitches],
            )
        )
    return groups
