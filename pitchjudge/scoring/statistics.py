"""How the judges behave and agree: leniency, leave-one-out agreement, alpha, ICC, Kendall's W."""

from __future__ import annotations

import warnings

import krippendorff
import numpy as np
import pandas as pd
from scipy import stats

from pitchjudge.scoring.calibration import fit_additive
from pitchjudge.scoring.inputs import Prepared, prepare
from pitchjudge.scoring.leaderboard import judge_weighted_totals

#: Modified z-score beyond which a judge is flagged (Iglewicz & Hoaglin 1993).
OUTLIER_Z = 3.5


def judge_statistics(
    marks: pd.DataFrame,
    criteria: pd.DataFrame,
    *,
    outlier_z: float = OUTLIER_Z,
) -> pd.DataFrame:
    """One row per judge: leniency, agreement with the rest of the panel, outlier flag.

    Works on each judge's weighted total t_pj = Σ_c w_c x_pjc of every pitch they marked on
    all criteria.
    - `offset`: the judge's leniency o_j of the additive model t_pj = q_p + o_j + e_pj fitted
      by least squares with Σ o_j = 0 (see `pitchjudge.scoring.calibration`); positive =
      lenient, in points of the total; `offset_per_mark` = offset / Σ_c w_c, in marks of the
      scale. When the design falls apart, offsets are relative to each `group`.
    - `agreement`: leave-one-out Pearson correlation between the judge's totals and the mean
      total the other judges gave the same pitches (the "corrected item–total correlation" of
      psychometrics); needs 3 shared pitches.
    - `offset_z`, `agreement_z`: modified z-scores M = 0.6745 (x − median) / MAD across judges
      (Iglewicz & Hoaglin 1993, "How to Detect and Handle Outliers", ASQC);
      `outlier` when |offset_z| > `outlier_z` or agreement_z < −`outlier_z`, or when the
      judge's totals correlate negatively with the panel's; `outlier_reason` says which.
    """
    prepared = prepare(marks, criteria)
    totals = judge_weighted_totals(prepared, prepared.value)
    n_judges = prepared.n_judges
    pitch = totals["pitch"].to_numpy()
    judge = totals["judge"].to_numpy()
    value = totals["total"].to_numpy()

    offset = np.full(n_judges, np.nan)
    group = np.full(n_judges, -1)
    if len(totals):
        fit = fit_additive(
            pitch, judge, value, prepared.n_pitches, n_judges, allow_disconnected=True
        )
        offset, group = fit.offset[:, 0], fit.group_of_judge
    agreement = _leave_one_out(pitch, judge, value, prepared)
    offset_z = _modified_z(offset)
    agreement_z = _modified_z(agreement)
    reasons = []
    for k in range(n_judges):
        found = []
        if np.isfinite(offset_z[k]) and offset_z[k] > outlier_z:
            found.append("lenient")
        if np.isfinite(offset_z[k]) and offset_z[k] < -outlier_z:
            found.append("harsh")
        if (np.isfinite(agreement_z[k]) and agreement_z[k] < -outlier_z) or agreement[k] < 0:
            found.append("disagrees with the panel")
        reasons.append(", ".join(found))
    n_marks = np.bincount(prepared.judge, minlength=n_judges)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_mark = (
            np.bincount(prepared.judge, weights=prepared.value, minlength=n_judges) / n_marks
        )
    return pd.DataFrame(
        {
            "judge": prepared.judges,
            "n_pitches": np.bincount(judge, minlength=n_judges),
            "n_marks": n_marks,
            "mean_mark": mean_mark,
            "offset": offset,
            "offset_per_mark": offset / prepared.weights.sum(),
            "agreement": agreement,
            "offset_z": offset_z,
            "agreement_z": agreement_z,
            "outlier": [bool(reason) for reason in reasons],
            "outlier_reason": reasons,
            "group": group,
        }
    )


def _leave_one_out(pitch, judge, value, prepared: Prepared) -> np.ndarray:
    n_pitches = prepared.n_pitches
    sums = np.bincount(pitch, weights=value, minlength=n_pitches)
    counts = np.bincount(pitch, minlength=n_pitches)
    result = np.full(prepared.n_judges, np.nan)
    for k in range(prepared.n_judges):
        rows = judge == k
        others = counts[pitch[rows]] - 1
        usable = others > 0
        if usable.sum() < 3:
            continue
        mine = value[rows][usable]
        rest = (sums[pitch[rows]][usable] - mine) / others[usable]
        if np.ptp(mine) == 0 or np.ptp(rest) == 0:
            continue
        result[k] = stats.pearsonr(mine, rest).statistic
    return result


def _modified_z(values: np.ndarray) -> np.ndarray:
    finite = np.isfinite(values)
    result = np.full(len(values), np.nan)
    if finite.sum() < 3:
        return result
    median = np.median(values[finite])
    mad = np.median(np.abs(values[finite] - median))
    # When more than half the judges agree exactly, fall back on the mean absolute deviation.
    scale = mad / 0.6745 if mad > 0 else np.mean(np.abs(values[finite] - median)) * 1.253314
    if scale > 0:
        result[finite] = (values[finite] - median) / scale
    else:
        result[finite] = 0.0
    return result


def agreement(marks: pd.DataFrame, criteria: pd.DataFrame) -> pd.DataFrame:
    """How much the judges agree, for the weighted total and for each criterion.

    One row per scope ("total", then each criterion) with n_pitches, n_judges, `complete`
    (every judge marked every pitch) and:
    - `krippendorff_alpha`: Krippendorff's alpha, interval metric, missing marks allowed
      (Hayes & Krippendorff 2007, "Answering the call for a standard reliability measure for
      coding data", Communication Methods and Measures 1(1); computed by the `krippendorff`
      package). 1 = perfect agreement, 0 = no better than chance.
    - `icc_single`, `icc_average`: ICC(2,1) and ICC(2,k), two-way random effects, absolute
      agreement, of one judge and of the panel's mean (Shrout & Fleiss 1979, "Intraclass
      correlations: uses in assessing rater reliability", Psychological Bulletin 86(2)):
      ICC(2,1) = (BMS − EMS) / (BMS + (k−1) EMS + k (JMS − EMS) / n),
      ICC(2,k) = (BMS − EMS) / (BMS + (JMS − EMS) / n).
    - `kendall_w`, `kendall_p`: Kendall's coefficient of concordance W of the judges'
      rankings of the pitches, corrected for ties (Kendall & Babington Smith 1939, "The problem
      of m rankings", Ann. Math. Stat. 10(3)), via Friedman's χ² = m (n − 1) W (scipy), and
      its p-value.
    ICC and W need a complete panel (NaN otherwise); alpha does not.
    """
    prepared = prepare(marks, criteria)
    totals = judge_weighted_totals(prepared, prepared.value)
    scopes = [("total", totals["pitch"], totals["judge"], totals["total"])]
    for k, name in enumerate(prepared.criteria):
        rows = prepared.criterion == k
        scopes.append((name, prepared.pitch[rows], prepared.judge[rows], prepared.value[rows]))
    records = []
    for name, pitch, judge, value in scopes:
        table = np.full((prepared.n_pitches, prepared.n_judges), np.nan)
        table[np.asarray(pitch), np.asarray(judge)] = np.asarray(value)
        records.append({"scope": name, **agreement_of(table)})
    return pd.DataFrame(records)


def agreement_of(table: np.ndarray) -> dict:
    """Agreement statistics of a pitches × judges table (NaN = not marked)."""
    table = table[~np.isnan(table).all(axis=1)]
    table = table[:, ~np.isnan(table).all(axis=0)]
    n_pitches, n_judges = table.shape
    complete = bool(n_pitches >= 2 and n_judges >= 2 and not np.isnan(table).any())
    result = {
        "n_pitches": n_pitches,
        "n_judges": n_judges,
        "complete": complete,
        "krippendorff_alpha": _alpha(table),
        "icc_single": np.nan,
        "icc_average": np.nan,
        "kendall_w": np.nan,
        "kendall_p": np.nan,
    }
    if complete:
        result["icc_single"], result["icc_average"] = icc2(table)
        result["kendall_w"], result["kendall_p"] = kendall_w(table)
    return result


def _alpha(table: np.ndarray) -> float:
    pairable = (~np.isnan(table)).sum(axis=1) >= 2
    if pairable.sum() < 2 or len(np.unique(table[pairable][~np.isnan(table[pairable])])) < 2:
        return np.nan
    try:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)
            return float(
                krippendorff.alpha(reliability_data=table.T, level_of_measurement="interval")
            )
    except (ValueError, ZeroDivisionError):
        return np.nan


def icc2(table: np.ndarray) -> tuple[float, float]:
    """(ICC(2,1), ICC(2,k)) of a complete targets × judges table (Shrout & Fleiss 1979)."""
    n, k = table.shape
    grand = table.mean()
    ss_rows = k * ((table.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((table.mean(axis=0) - grand) ** 2).sum()
    ss_error = ((table - grand) ** 2).sum() - ss_rows - ss_cols
    bms = ss_rows / (n - 1)
    jms = ss_cols / (k - 1)
    ems = ss_error / ((n - 1) * (k - 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        single = (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)
        average = (bms - ems) / (bms + (jms - ems) / n)
    return float(single), float(average)


def kendall_w(table: np.ndarray) -> tuple[float, float]:
    """(W, p-value) of a complete pitches × judges table, ties corrected, via Friedman's test."""
    n_pitches, n_judges = table.shape
    if n_pitches < 3:
        return np.nan, np.nan
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            chi2, p_value = stats.friedmanchisquare(*table)
        except (ValueError, ZeroDivisionError):
            return np.nan, np.nan
    if not np.isfinite(chi2):
        return np.nan, np.nan
    return float(chi2 / (n_judges * (n_pitches - 1))), float(p_value)
