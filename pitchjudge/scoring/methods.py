"""The aggregation methods: how the judges' marks of one criterion become a panel mark.

Each function takes the marks of every (pitch, criterion) group, sorted by value within the
group, and returns one panel mark per group. `exact_panel` is the same arithmetic on exact
fractions, for the few values that sit on a rounding boundary.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from pitchjudge.scoring.calibration import fit_additive
from pitchjudge.scoring.inputs import Prepared
from pitchjudge.scoring.rules import AggregationRule

#: Methods whose panel marks are exact decimal arithmetic on the marks (others are estimates).
EXACT_METHODS = ("mean", "trimmed", "median")


@dataclass
class Panels:
    """Panel marks of every pitch × criterion, and each mark in the method's own units."""

    panel: np.ndarray  # (pitches, criteria), NaN where nobody marked
    count: np.ndarray  # (pitches, criteria) number of marks
    not_trimmed: np.ndarray  # (pitches, criteria) trimming was due but too few judges
    adjusted: np.ndarray  # (marks,) raw mark, z-score or mark − judge offset
    offset: np.ndarray | None = None  # (judges, criteria) for "calibrated"


@dataclass
class Groups:
    """The (pitch, criterion) groups of the sorted marks."""

    start: np.ndarray  # (groups,) first row
    size: np.ndarray  # (groups,)
    pitch: np.ndarray  # (groups,)
    criterion: np.ndarray  # (groups,)
    n_marks: int

    @property
    def id(self) -> np.ndarray:
        """(marks,) group number of each mark (made when a method needs it)."""
        return np.repeat(np.arange(len(self.start)), self.size)

    @classmethod
    def of(cls, prepared: Prepared) -> Groups:
        key = prepared.pitch * max(prepared.n_criteria, 1) + prepared.criterion
        first = np.ones(len(key), dtype=bool)
        first[1:] = key[1:] != key[:-1]
        start = np.flatnonzero(first)
        size = np.diff(np.append(start, len(key)))
        return cls(
            start=start,
            size=size,
            pitch=prepared.pitch[start],
            criterion=prepared.criterion[start],
            n_marks=len(key),
        )

    @classmethod
    def uniform(cls, n_groups: int, size: int) -> Groups:
        """`n_groups` consecutive groups of `size` marks each (simulated panels)."""
        start = np.arange(n_groups) * size
        zeros = np.zeros(n_groups, dtype=np.int64)
        return cls(
            start=start,
            size=np.full(n_groups, size),
            pitch=zeros,
            criterion=zeros,
            n_marks=n_groups * size,
        )

    def position(self) -> np.ndarray:
        """Rank of each mark within its group (0 = lowest)."""
        return np.arange(self.n_marks) - np.repeat(self.start, self.size)


def mean_panel(values: np.ndarray, groups: Groups) -> np.ndarray:
    """Arithmetic mean of the judges' marks: panel = Σ_j x_j / n."""
    return np.add.reduceat(values, groups.start) / groups.size


def median_panel(values: np.ndarray, groups: Groups) -> np.ndarray:
    """Median of the judges' marks (mean of the two middle marks for an even panel).

    The most robust location estimate (breakdown point 50 %); with small panels it throws
    away most of the information, and the ISU data set shows it changes 174 placements.
    """
    low = groups.start + (groups.size - 1) // 2
    high = groups.start + groups.size // 2
    return (values[low] + values[high]) / 2


def trimmed_panel(
    values: np.ndarray, groups: Groups, trim: int, min_judges: int
) -> tuple[np.ndarray, np.ndarray]:
    """Trimmed mean: drop the `trim` highest and `trim` lowest marks, average the rest.

    panel = Σ_{k=t}^{n−t−1} x_(k) / (n − 2t) on the sorted marks x_(0) ≤ … ≤ x_(n−1), when
    n ≥ `min_judges`; the plain mean otherwise (then flagged "not_trimmed"). This is the ISU
    Judging System's panel mark of a program component (ISU Special Regulations & Technical
    Rules 2016: drop the single highest and lowest mark, average, round to 2 decimals) and
    diving's scoring (World Aquatics: the two highest and two lowest of 7 marks dropped).
    Returns (panel marks, groups where trimming was due but impossible).
    """
    applies = groups.size >= min_judges if trim > 0 else np.zeros(len(groups.size), bool)
    position = groups.position()
    ids = groups.id
    size = groups.size[ids]
    keep = ~applies[ids] | ((position >= trim) & (position < size - trim))
    kept_sum = np.add.reduceat(np.where(keep, values, 0.0), groups.start)
    kept = np.add.reduceat(keep.astype(np.int64), groups.start)
    return kept_sum / kept, (trim > 0) & ~applies


def zscore_marks(prepared: Prepared) -> np.ndarray:
    """Each mark as a z-score within its judge and criterion: z = (x − m_jc) / s_jc.

    m_jc and s_jc (sample standard deviation) are over the pitches judge j marked on criterion
    c; a judge with one mark or no spread gets z = 0. The panel mark is the mean z, so totals
    are in standard-deviation units. Kept for comparison only, a poor default: it assumes every
    judge saw an equally good random batch of pitches (a judge given a strong batch is pushed
    down), it erases real differences in how widely judges spread their marks, and with the
    handful of pitches per judge of a pre-selection its estimates of m and s are noisy. The
    `calibrated` method models leniency without those assumptions.
    """
    key = prepared.judge * max(prepared.n_criteria, 1) + prepared.criterion
    size = max(prepared.n_judges * max(prepared.n_criteria, 1), 1)
    n = np.bincount(key, minlength=size).astype(float)
    mean = np.bincount(key, weights=prepared.value, minlength=size) / np.maximum(n, 1)
    deviation = prepared.value - mean[key]
    squares = np.bincount(key, weights=deviation**2, minlength=size)
    with np.errstate(invalid="ignore", divide="ignore"):
        sd = np.sqrt(squares / (n - 1))
    spread = sd[key]
    usable = (n[key] >= 2) & (spread > 1e-12)
    return np.where(usable, deviation / np.where(usable, spread, 1.0), 0.0)


def compute_panels(prepared: Prepared, rule: AggregationRule) -> Panels:
    """Panel marks of every pitch and criterion under `rule.method`."""
    shape = (prepared.n_pitches, prepared.n_criteria)
    panel = np.full(shape, np.nan)
    count = np.zeros(shape, dtype=np.int64)
    not_trimmed = np.zeros(shape, dtype=bool)
    if len(prepared.value) == 0:
        return Panels(panel, count, not_trimmed, prepared.value.copy())
    groups = Groups.of(prepared)
    count[groups.pitch, groups.criterion] = groups.size
    adjusted = prepared.value
    offset = None
    if rule.method == "mean":
        values = mean_panel(prepared.value, groups)
    elif rule.method == "median":
        values = median_panel(prepared.value, groups)
    elif rule.method == "trimmed":
        values, missed = trimmed_panel(prepared.value, groups, rule.trim, rule.min_judges_to_trim)
        not_trimmed[groups.pitch, groups.criterion] = missed
    elif rule.method == "zscore":
        adjusted = zscore_marks(prepared)
        values = mean_panel(adjusted, groups)
    else:
        values, adjusted, offset = _calibrated(prepared, rule, groups)
    panel[groups.pitch, groups.criterion] = values
    return Panels(panel, count, not_trimmed, adjusted, offset)


def _calibrated(prepared: Prepared, rule: AggregationRule, groups: Groups):
    """Calibrated panel mark: the pitch's quality q_p in y_pj = q_p + o_j + e_pj.

    Fitted per criterion (see `pitchjudge.scoring.calibration`). Fitting per criterion then
    weighting equals fitting the judges' weighted totals whenever each judge marks every
    criterion of the pitches they see (least squares is linear in y for a fixed design), and
    gives each criterion a panel mark on its own scale. With a complete panel the offsets are
    the judges' mean deviations and q_p is the plain mean.
    """
    values = np.empty(len(groups.start))
    adjusted = np.empty(len(prepared.value))
    offset = np.full((prepared.n_judges, prepared.n_criteria), np.nan)
    shared = _shared_design(prepared)
    if shared is not None:
        # Every judge marked every criterion of what they saw: one design, all criteria fitted
        # at once (the same J × J system, one right-hand side per criterion).
        pitch, judge, table = shared
        fit = fit_additive(
            pitch,
            judge,
            table,
            prepared.n_pitches,
            prepared.n_judges,
            shrinkage=rule.shrinkage,
            pitch_labels=prepared.pitches,
            judge_labels=prepared.judges,
            criterion=prepared.criteria[0] if prepared.n_criteria == 1 else None,
        )
        offset[:] = fit.offset
        adjusted[:] = prepared.value - fit.offset[prepared.judge, prepared.criterion]
        values[:] = fit.quality[groups.pitch, groups.criterion]
        return values, adjusted, offset
    for criterion in range(prepared.n_criteria):
        rows = prepared.criterion == criterion
        if not rows.any():
            continue
        fit = fit_additive(
            prepared.pitch[rows],
            prepared.judge[rows],
            prepared.value[rows],
            prepared.n_pitches,
            prepared.n_judges,
            shrinkage=rule.shrinkage,
            pitch_labels=prepared.pitches,
            judge_labels=prepared.judges,
            criterion=prepared.criteria[criterion],
        )
        offset[:, criterion] = fit.offset[:, 0]
        adjusted[rows] = prepared.value[rows] - fit.offset[prepared.judge[rows], 0]
        in_criterion = groups.criterion == criterion
        values[in_criterion] = fit.quality[groups.pitch[in_criterion], 0]
    return values, adjusted, offset


def exact_panel(marks: list[Fraction], rule: AggregationRule) -> tuple[Fraction, bool]:
    """The panel mark of one group in exact arithmetic, and whether trimming was missed."""
    ordered = sorted(marks)
    n = len(ordered)
    if rule.method == "median":
        return (ordered[(n - 1) // 2] + ordered[n // 2]) / 2, False
    if rule.method == "trimmed" and rule.trim > 0:
        if n >= rule.min_judges_to_trim:
            kept = ordered[rule.trim : n - rule.trim]
            return sum(kept, Fraction(0)) / len(kept), False
        return sum(ordered, Fraction(0)) / n, True
    return sum(ordered, Fraction(0)) / n, False


def _shared_design(prepared: Prepared):
    """(pitch, judge, marks table) when every judge marked every criterion of each pitch seen.

    The table has one row per (pitch, judge) cell and one column per criterion; None when some
    cell lacks a criterion (then each criterion has its own design).
    """
    n_c = prepared.n_criteria
    cells, inverse = prepared.cells()
    if len(cells) * n_c != len(inverse):
        return None
    table = np.zeros((len(cells), n_c))
    table[inverse, prepared.criterion] = prepared.value
    return cells // max(prepared.n_judges, 1), cells % max(prepared.n_judges, 1), table
