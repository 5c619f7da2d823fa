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

#: Modified z-score beyond which a mark is flagged (Iglewicz & Hoaglin 1993).
OUTLIER_Z = 3.5
#: Share of contests without an outlier judge in which some judge may be flagged anyway
#: (below the 5 % the product promises, so that the promise holds beyond sampling noise).
FAMILY_ERROR = 0.04
#: Part of that share spent on the leniency check; the rest goes to the agreement check (a
#: judge who marks against the panel stands out by far, so it needs little of it).
LENIENCY_SHARE = 15 / 16


def judge_threshold(n_judges: int, error: float) -> float:
    """The |t| beyond which one of n judges is flagged by a check with family error `error`.

    Each judge's statistic is a studentised deleted residual t_j = (x_j − x̄₋ⱼ) /
    (s₋ⱼ √(1 + 1/(n−1))), which for n honest (normal) judges follows Student's t with n − 2
    degrees of freedom: the judge is compared with the others only, so an outlier does not
    hide itself by inflating the spread. The largest |t_j| is Grubbs' statistic, the
    likelihood-ratio test for one outlier (Grubbs 1950, Ann. Math. Stat. 21; Cook & Weisberg
    1982, "Residuals and Influence in Regression", ch. 2). Its level is set by Bonferroni
    over the n judges, two-sided: each gets `error` / (2n). For this statistic that bound is
    practically exact, not conservative (two honest judges can hardly both pass the
    threshold): the simulation in `bench/bench_uncertainty.py` measures it.
    """
    if n_judges < 4:
        return float("inf")
    return float(stats.t.ppf(1 - error / (2 * n_judges), n_judges - 2))


def judge_thresholds(
    n_leniency: int, n_agreement: int, family_error: float = FAMILY_ERROR
) -> tuple[float, float]:
    """(leniency |t|, agreement −t) thresholds: in contests without an outlier judge, some
    judge is flagged in at most `family_error` of them (the two checks share it: Bonferroni,
    `LENIENCY_SHARE` to leniency, one-sided for agreement)."""
    leniency = judge_threshold(n_leniency, family_error * LENIENCY_SHARE)
    # One-sided: only too little agreement flags; error/(2n) per side ⇔ 2·error two-sided.
    agreement = judge_threshold(n_agreement, 2 * family_error * (1 - LENIENCY_SHARE))
    return leniency, agreement


def _deleted_t(values: np.ndarray) -> np.ndarray:
    """Each value's studentised deleted residual against the other finite values."""
    finite = np.isfinite(values)
    result = np.full(len(values), np.nan)
    n = int(finite.sum())
    if n < 4:
        return result
    x = values[finite]
    total, squares = x.sum(), (x**2).sum()
    others_mean = (total - x) / (n - 1)
    others_var = (squares - x**2 - (n - 1) * others_mean**2) / (n - 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        t = (x - others_mean) / np.sqrt(np.maximum(others_var, 0) * (1 + 1 / (n - 1)))
    result[finite] = np.where(others_var > 1e-24, t, 0.0)
    return result


def judge_statistics(
    marks: pd.DataFrame,
    criteria: pd.DataFrame,
    *,
    outlier_z: float | None = None,
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
    - `offset_z`, `agreement_z`: each judge against the other judges, as a studentised deleted
      residual (`judge_threshold`), the agreement taken through Fisher's z = atanh(r) first
      so that honest judges' values are near normal; `outlier` when |offset_z| exceeds
      `outlier_threshold` or −agreement_z exceeds `agreement_threshold`
      (`judge_thresholds`): in contests without an outlier judge, at most `FAMILY_ERROR`
      (4 %) flag anyone. `outlier_reason` says which check. Pass `outlier_z` to use one
      fixed threshold for both instead.
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
    offset_z = _deleted_t(offset)
    with np.errstate(invalid="ignore", divide="ignore"):
        agreement_z = _deleted_t(np.arctanh(np.clip(agreement, -0.999, 0.999)))
    if outlier_z is None:
        outlier_z, agreement_limit = judge_thresholds(
            int(np.isfinite(offset).sum()), int(np.isfinite(agreement).sum())
        )
    else:
        agreement_limit = outlier_z
    reasons = []
    for k in range(n_judges):
        found = []
        if np.isfinite(offset_z[k]) and offset_z[k] > outlier_z:
            found.append("lenient")
        if np.isfinite(offset_z[k]) and offset_z[k] < -outlier_z:
            found.append("harsh")
        if np.isfinite(agreement_z[k]) and agreement_z[k] < -agreement_limit:
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
            "outlier_threshold": outlier_z,
            "agreement_threshold": agreement_limit,
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
        result[k] = np.corrcoef(mine, rest)[0, 1]  # Pearson's r
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
      ICC(2,k) = (BMS − EMS) / (BMS + (JMS − EMS) / n). Judges' leniency counts as
      disagreement: the reliability of a mean over a random panel of judges.
    - `icc_consistency_single`, `icc_consistency_average`: ICC(3,1) and ICC(3,k), two-way
      mixed, consistency (same source): leniency shared by every pitch does not count. This
      is the one that matches a complete panel's ranking (by mean, trimmed, median or
      calibrated totals), where each judge's offset cancels between pitches.
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
        "icc_consistency_single": np.nan,
        "icc_consistency_average": np.nan,
        "kendall_w": np.nan,
        "kendall_p": np.nan,
    }
    if complete:
        result["icc_single"], result["icc_average"] = icc2(table)
        result["icc_consistency_single"], result["icc_consistency_average"] = icc3(table)
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


def _mean_squares(table: np.ndarray) -> tuple[int, int, float, float, float]:
    """(n, k, BMS, JMS, EMS) of the two-way ANOVA of a complete targets × judges table."""
    n, k = table.shape
    grand = table.mean()
    ss_rows = k * ((table.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((table.mean(axis=0) - grand) ** 2).sum()
    ss_error = ((table - grand) ** 2).sum() - ss_rows - ss_cols
    return n, k, ss_rows / (n - 1), ss_cols / (k - 1), ss_error / ((n - 1) * (k - 1))


def icc2(table: np.ndarray) -> tuple[float, float]:
    """(ICC(2,1), ICC(2,k)) of a complete targets × judges table (Shrout & Fleiss 1979)."""
    n, k, bms, jms, ems = _mean_squares(table)
    with np.errstate(invalid="ignore", divide="ignore"):
        single = (bms - ems) / (bms + (k - 1) * ems + k * (jms - ems) / n)
        average = (bms - ems) / (bms + (jms - ems) / n)
    return float(single), float(average)


def icc3(table: np.ndarray) -> tuple[float, float]:
    """(ICC(3,1), ICC(3,k)): two-way mixed effects, consistency (Shrout & Fleiss 1979).

    ICC(3,1) = (BMS − EMS) / (BMS + (k−1) EMS), ICC(3,k) = (BMS − EMS) / BMS. Judges' constant
    leniency does not count against them: this is the reliability of a ranking by a complete
    panel's totals, where every judge's offset is shared by every pitch and cancels (McGraw &
    Wong 1996, "Forming inferences about some intraclass correlation coefficients",
    Psychological Methods 1(1): ICC(C,1) and ICC(C,k)).
    """
    _, k, bms, _, ems = _mean_squares(table)
    with np.errstate(invalid="ignore", divide="ignore"):
        single = (bms - ems) / (bms + (k - 1) * ems)
        average = (bms - ems) / bms
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
