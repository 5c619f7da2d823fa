"""How far each judge sits from the rest of the panel: total deviations and outlying marks."""

from __future__ import annotations

import numpy as np
import pandas as pd

from pitchjudge.scoring.inputs import prepare
from pitchjudge.scoring.leaderboard import judge_weighted_totals
from pitchjudge.scoring.statistics import OUTLIER_Z, _modified_z

DEVIATION_COLUMNS = ["pitch", "judge", "total", "n_others", "others_mean", "deviation"]
OUTLIER_COLUMNS = [
    "pitch",
    "judge",
    "criterion",
    "value",
    "n_others",
    "others_mean",
    "others_median",
    "deviation",
    "z",
    "outlier",
]


def total_deviations(marks: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """One row per judge and pitch they marked on every criterion: how generous they were.

    With t_pj = Σ_c w_c x_pjc the judge's weighted total of pitch p, `others_mean` is the mean
    total of the other judges who marked p completely and `deviation` = t_pj − others_mean
    (leave-one-out, as the "corrected item–total" agreement of `judge_statistics`): positive
    means more generous than the rest of the panel on the same pitch. NaN when nobody else
    marked the pitch. A judge's deviations, taken together, show their leniency against the
    panel without assuming every judge saw an equally good batch of pitches.
    """
    if marks.empty:
        return pd.DataFrame(columns=DEVIATION_COLUMNS)
    prepared = prepare(marks, criteria)
    totals = judge_weighted_totals(prepared, prepared.value)
    pitch = totals["pitch"].to_numpy()
    judge = totals["judge"].to_numpy()
    value = totals["total"].to_numpy(dtype=float)
    sums = np.bincount(pitch, weights=value, minlength=prepared.n_pitches)
    counts = np.bincount(pitch, minlength=prepared.n_pitches)
    others = counts[pitch] - 1
    with np.errstate(invalid="ignore", divide="ignore"):
        others_mean = np.where(others > 0, (sums[pitch] - value) / np.maximum(others, 1), np.nan)
    return pd.DataFrame(
        {
            "pitch": np.asarray(prepared.pitches.take(pitch)),
            "judge": np.asarray(prepared.judges.take(judge)),
            "total": value,
            "n_others": others,
            "others_mean": others_mean,
            "deviation": value - others_mean,
        }
    )


def mark_outliers(
    marks: pd.DataFrame,
    criteria: pd.DataFrame,
    *,
    outlier_z: float = OUTLIER_Z,
    min_others: int = 2,
) -> pd.DataFrame:
    """Every mark with how far it sits from the other judges' marks of the same cell.

    For the mark x_pjc of judge j on pitch p and criterion c, with the other judges' marks of
    (p, c) — at least `min_others` of them, else NaN (with one other judge, two marks that
    differ are each other's outlier: nothing tells which one stands out):
    - `others_mean`, `others_median`: their mean and median;
    - `deviation` d = x_pjc − others_median: the median, so that one wild mark does not make
      its neighbours look odd too;
    - `z`: the modified z-score of d among all deviations of criterion c in the round,
      M = 0.6745 (d − median) / MAD (Iglewicz & Hoaglin 1993, "How to Detect and Handle
      Outliers", ASQC — the score `judge_statistics` uses for judges), per criterion so that
      criteria on different scales do not mix;
    - `outlier`: |z| > `outlier_z`.
    Rows in the order of `marks`.
    """
    if marks.empty:
        return pd.DataFrame(columns=OUTLIER_COLUMNS)
    prepare(marks, criteria)  # the same checks as every other computation of the engine
    frame = marks[["pitch", "judge", "criterion", "value"]].reset_index(drop=True).copy()
    value = frame["value"].to_numpy(dtype=float)
    frame["value"] = value
    others_mean = np.full(len(frame), np.nan)
    others_median = np.full(len(frame), np.nan)
    for rows in frame.groupby(["pitch", "criterion"], sort=False).indices.values():
        if len(rows) - 1 < max(min_others, 1):
            continue
        cell = value[rows]
        others_mean[rows] = (cell.sum() - cell) / (len(cell) - 1)
        others_median[rows] = _leave_one_out_medians(cell)
    deviation = value - others_median
    z = np.full(len(frame), np.nan)
    for rows in frame.groupby("criterion", sort=False).indices.values():
        z[rows] = _modified_z(deviation[rows])
    frame["n_others"] = (
        frame.groupby(["pitch", "criterion"], sort=False)["value"].transform("count").to_numpy() - 1
    )
    frame["others_mean"] = others_mean
    frame["others_median"] = others_median
    frame["deviation"] = deviation
    frame["z"] = z
    frame["outlier"] = np.isfinite(z) & (np.abs(np.nan_to_num(z)) > outlier_z)
    return frame


def _leave_one_out_medians(values: np.ndarray) -> np.ndarray:
    """For each value, the median of the others (from one sort, not one median per value)."""
    n = len(values)
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    position = np.empty(n, dtype=np.int64)
    position[order] = np.arange(n)
    left = n - 1

    def at(k: int) -> np.ndarray:
        # The k-th smallest of the others: skip over the value left out.
        return ranked[np.where(k < position, k, k + 1)]

    if left % 2:
        return at(left // 2)
    return (at(left // 2 - 1) + at(left // 2)) / 2
