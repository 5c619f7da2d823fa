"""The leaderboard: panel marks, weighting, rounding, adjustments, tie-breaks and ranks."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import numpy as np
import pandas as pd

from pitchjudge.scoring.errors import ScoringError
from pitchjudge.scoring.inputs import Prepared, prepare
from pitchjudge.scoring.methods import EXACT_METHODS, Panels, compute_panels, exact_panel
from pitchjudge.scoring.precision import beat_next
from pitchjudge.scoring.rounding import exact, fraction_half_up, half_up, snap
from pitchjudge.scoring.rules import (
    ADJUSTMENT_PREFIX,
    CRITERION_PREFIX,
    JUDGED_TOTAL,
    MAX_JUDGE_TOTAL,
    SHARED,
    AggregationRule,
)

FLAG_TOO_FEW_JUDGES = "too_few_judges"
FLAG_NOT_TRIMMED = "not_trimmed"
FLAG_INCOMPLETE = "incomplete"
FLAG_STATISTICAL_TIE = "statistical_tie"


class JudgeTotals(NamedTuple):
    """Each judge's weighted total of each pitch they marked on every criterion, as arrays
    (pitch and judge codes; the leaderboard's own pass needs no DataFrame)."""

    pitch: np.ndarray
    judge: np.ndarray
    total: np.ndarray


@dataclass
class Scored:
    """Everything `leaderboard` computes, as arrays in pitch-code order."""

    prepared: Prepared
    rule: AggregationRule
    panels: Panels
    panel: np.ndarray  # (pitches, criteria) panel marks as shown (rounded if the rule says)
    judged: np.ndarray  # (pitches,)
    adjustments: np.ndarray  # (pitches,)
    total: np.ndarray  # (pitches,)
    n_judges: np.ndarray  # (pitches,)
    judge_totals: JudgeTotals  # complete scorecards, in the method's units
    order: np.ndarray  # pitch codes, best first
    rank: np.ndarray  # (pitches,) float, NaN when unranked


def as_rule(rule: AggregationRule | dict | None) -> AggregationRule:
    """`rule` as an AggregationRule (a dict is read with `AggregationRule.from_dict`)."""
    if rule is None:
        return AggregationRule()
    if isinstance(rule, AggregationRule):
        return rule
    return AggregationRule.from_dict(rule)


def leaderboard(
    marks: pd.DataFrame,
    criteria: pd.DataFrame,
    rule: AggregationRule | dict | None = None,
    adjustments: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per pitch, best first: panel marks, totals, rank and flags.

    Columns: `rank` (equal after every tie-break → shared: 1, 2, 2, 4; missing for an
    incomplete pitch), `pitch`, one column per criterion (its panel mark), `judged_total`
    (Σ weight × panel mark), one column per adjustment name, `adjustments` (their sum),
    `total` (judged total + adjustments), `n_judges`, `p_beats_next` (quick estimate of the
    probability that this pitch really beats the next one), and the flags `statistical_tie`,
    `too_few_judges`, `not_trimmed`, `incomplete`, with `flags` listing those set.
    """
    return scored_frame(score(marks, criteria, as_rule(rule), adjustments))


def score(
    marks: pd.DataFrame,
    criteria: pd.DataFrame,
    rule: AggregationRule,
    adjustments: pd.DataFrame | None = None,
) -> Scored:
    """The leaderboard's arrays (used by `uncertainty` and the statistics too)."""
    prepared = prepare(marks, criteria, adjustments)
    panels = compute_panels(prepared, rule)
    exact_method = rule.method in EXACT_METHODS
    decimals = rule.decimals
    ambiguous = np.zeros(prepared.n_pitches, dtype=bool)

    panel = panels.panel if exact_method else snap(panels.panel)
    if rule.round_criteria:
        panel, flagged = half_up(panel, decimals)
        ambiguous |= flagged.any(axis=1)
    weighted = panel * prepared.weights
    if rule.round_weighted:
        weighted, flagged = half_up(weighted, decimals)
        ambiguous |= flagged.any(axis=1)
    judged = weighted.sum(axis=1)
    adjustment_sum = prepared.adjustments.sum(axis=1)
    total = judged + adjustment_sum
    # Float noise off (0.1 + 0.2 shows as 0.3); a value this moves onto a rounding boundary is
    # flagged below and recomputed exactly.
    judged, total = snap(judged), snap(total)
    if rule.round_total:
        judged, flagged_judged = half_up(judged, decimals)
        total, flagged_total = half_up(total, decimals)
        ambiguous |= flagged_judged | flagged_total
    if exact_method and ambiguous.any():
        _recompute_exactly(prepared, rule, np.flatnonzero(ambiguous), panel, judged, total)

    n_judges = _judges_per_pitch(prepared)
    judge_totals = judge_total_arrays(prepared, panels.adjusted)
    order, rank = _rank(prepared, rule, panel, judged, total, judge_totals)
    return Scored(
        prepared=prepared,
        rule=rule,
        panels=panels,
        panel=panel,
        judged=judged,
        adjustments=adjustment_sum,
        total=total,
        n_judges=n_judges,
        judge_totals=judge_totals,
        order=order,
        rank=rank,
    )


def _recompute_exactly(
    prepared: Prepared,
    rule: AggregationRule,
    pitches: np.ndarray,
    panel: np.ndarray,
    judged: np.ndarray,
    total: np.ndarray,
) -> None:
    """Recompute the pitches whose floats sit on a rounding boundary with exact fractions."""
    bounds = prepared.pitch_slices()
    weights = [exact(w) for w in prepared.weights]
    decimals = rule.decimals
    for p in pitches:
        rows = slice(bounds[p], bounds[p + 1])
        marks: dict[int, list[Fraction]] = {}
        for criterion, value in zip(prepared.criterion[rows], prepared.value[rows], strict=True):
            marks.setdefault(int(criterion), []).append(exact(value))
        judged_exact: Fraction | None = Fraction(0)
        for criterion in range(prepared.n_criteria):
            if criterion not in marks:
                judged_exact = None
                continue
            value, _ = exact_panel(marks[criterion], rule)
            if rule.round_criteria:
                value = fraction_half_up(value, decimals)
            panel[p, criterion] = float(value)
            part = value * weights[criterion]
            if rule.round_weighted:
                part = fraction_half_up(part, decimals)
            if judged_exact is not None:
                judged_exact += part
        if judged_exact is None:
            continue
        total_exact = judged_exact + sum(
            (exact(points) for _, points in prepared.adjustment_rows.get(int(p), [])),
            Fraction(0),
        )
        if rule.round_total:
            judged_exact = fraction_half_up(judged_exact, decimals)
            total_exact = fraction_half_up(total_exact, decimals)
        judged[p] = float(judged_exact)
        total[p] = float(total_exact)


def _judges_per_pitch(prepared: Prepared) -> np.ndarray:
    if len(prepared.pitch) == 0:
        return np.zeros(prepared.n_pitches, dtype=np.int64)
    table = prepared.cell_table()
    if table is not None:
        return (table[1].reshape(prepared.n_pitches, -1) > 0).sum(axis=1)
    cells, _ = prepared.cells()
    return np.bincount(cells // prepared.n_judges, minlength=prepared.n_pitches)


def judge_weighted_totals(prepared: Prepared, adjusted: np.ndarray) -> pd.DataFrame:
    """Each judge's weighted total of each pitch they marked on every criterion (columns
    pitch, judge, total: codes and points; `judge_total_arrays` as a DataFrame)."""
    return pd.DataFrame(judge_total_arrays(prepared, adjusted)._asdict(), copy=False)


def judge_total_arrays(prepared: Prepared, adjusted: np.ndarray) -> JudgeTotals:
    """Each judge's weighted total t_pj = Σ_c w_c x_pjc of each pitch they marked on every
    criterion, in (pitch, judge) code order."""
    n_c = prepared.n_criteria
    weighted = adjusted * prepared.weights[prepared.criterion]
    table = prepared.cell_table()
    if table is not None:  # a bincount over every possible cell: no sort, no lookup
        key, count = table
        cells = np.flatnonzero(count == n_c)
        totals = np.bincount(key, weights=weighted, minlength=len(count))[cells]
    else:
        cells, inverse = prepared.cells()
        complete = np.bincount(inverse, minlength=len(cells)) == n_c
        totals = np.bincount(inverse, weights=weighted, minlength=len(cells))[complete]
        cells = cells[complete]
    n_judges = max(prepared.n_judges, 1)
    return JudgeTotals(cells // n_judges, cells % n_judges, totals)


def resolve_tie_break(key: str, prepared: Prepared) -> tuple[str, int | None]:
    """("criterion" | "adjustment" | "judged_total" | "max_judge_total" | "shared", index)."""
    if key in (JUDGED_TOTAL, MAX_JUDGE_TOTAL, SHARED):
        return key, None
    criteria = [str(c) for c in prepared.criteria.tolist()]
    adjustments = [str(a) for a in prepared.adjustment_names]
    if key.startswith(CRITERION_PREFIX):
        name = key[len(CRITERION_PREFIX) :]
        if name not in criteria:
            raise ScoringError(
                f"Tie-break {key!r}: no criterion is called {name!r} "
                f"(criteria: {', '.join(criteria)})."
            )
        return "criterion", criteria.index(name)
    if key.startswith(ADJUSTMENT_PREFIX):
        name = key[len(ADJUSTMENT_PREFIX) :]
        # An adjustment nobody received this round is zero for everyone.
        return "adjustment", adjustments.index(name) if name in adjustments else None
    if key in criteria:
        return "criterion", criteria.index(key)
    if key in adjustments:
        return "adjustment", adjustments.index(key)
    raise ScoringError(
        f"Tie-break {key!r} is neither a criterion nor an adjustment of this round; write "
        f'"{CRITERION_PREFIX}NAME", "{ADJUSTMENT_PREFIX}NAME", "{JUDGED_TOTAL}", '
        f'"{MAX_JUDGE_TOTAL}" or "{SHARED}".'
    )


def _tie_break_keys(
    prepared: Prepared,
    rule: AggregationRule,
    panel: np.ndarray,
    judged: np.ndarray,
    judge_totals: JudgeTotals,
) -> list[np.ndarray]:
    keys = []
    for key in rule.tie_break:
        kind, index = resolve_tie_break(key, prepared)
        if kind == SHARED:
            break
        if kind == "criterion":
            keys.append(panel[:, index])
        elif kind == "adjustment":
            keys.append(
                prepared.adjustments[:, index]
                if index is not None
                else np.zeros(prepared.n_pitches)
            )
        elif kind == JUDGED_TOTAL:
            keys.append(judged)
        else:
            raw = judge_total_arrays(prepared, prepared.value)
            best = np.full(prepared.n_pitches, -np.inf)
            np.maximum.at(best, raw.pitch, raw.total)
            keys.append(best)
    return keys


def _rank(
    prepared: Prepared,
    rule: AggregationRule,
    panel: np.ndarray,
    judged: np.ndarray,
    total: np.ndarray,
    judge_totals: JudgeTotals,
) -> tuple[np.ndarray, np.ndarray]:
    """Order best first (total, then each tie-break, higher first) and shared ranks."""
    keys = [total, *_tie_break_keys(prepared, rule, panel, judged, judge_totals)]
    keys = [np.where(np.isnan(k), -np.inf, snap(k)) for k in keys]
    codes = np.arange(prepared.n_pitches)
    order = np.lexsort([codes, *[-k for k in reversed(keys)]])
    rank = np.full(prepared.n_pitches, np.nan)
    ranked = order[np.isfinite(total[order])]
    if len(ranked):
        stacked = np.vstack([k[ranked] for k in keys])
        new_block = np.ones(len(ranked), dtype=bool)
        new_block[1:] = (stacked[:, 1:] != stacked[:, :-1]).any(axis=0)
        positions = np.arange(1, len(ranked) + 1)
        rank[ranked] = np.maximum.accumulate(np.where(new_block, positions, 0))
    return order, rank


def beat_probabilities(scored: Scored) -> np.ndarray:
    """P(pitch beats the next one in the order): the one estimate of the engine.

    The same posterior probability as `uncertainty()` gives (`pitchjudge.scoring.precision`:
    the error of each total against the pool truth, per method, leniency and judge offsets
    included), so the leaderboard and the uncertainty view never disagree.
    """
    return beat_next(scored)


def tie_flags(p_beats_next: np.ndarray, threshold: float) -> np.ndarray:
    """A pitch is a statistical tie when it, or the one above it, is unlikely to win the pair."""
    low = np.nan_to_num(p_beats_next, nan=1.0) < threshold
    flags = low.copy()
    flags[1:] |= low[:-1]
    return flags


def scored_frame(scored: Scored) -> pd.DataFrame:
    """The leaderboard DataFrame of `scored`, best first."""
    prepared, rule, order = scored.prepared, scored.rule, scored.order
    p_next = beat_probabilities(scored)
    statistical_tie = tie_flags(p_next, rule.tie_probability)
    too_few = scored.n_judges[order] < rule.min_judges
    not_trimmed = scored.panels.not_trimmed[order].any(axis=1)
    incomplete = np.isnan(scored.panel[order]).any(axis=1)
    columns: dict[object, object] = {
        "rank": pd.array(scored.rank[order], dtype="Int64"),
        "pitch": prepared.pitches.take(order),
    }
    for index, name in enumerate(prepared.criteria):
        columns[name] = scored.panel[order, index]
    columns["judged_total"] = scored.judged[order]
    for index, name in enumerate(prepared.adjustment_names):
        columns[name] = prepared.adjustments[order, index]
    columns["adjustments"] = scored.adjustments[order]
    columns["total"] = scored.total[order]
    columns["n_judges"] = scored.n_judges[order]
    columns["p_beats_next"] = p_next
    columns["statistical_tie"] = statistical_tie
    columns["too_few_judges"] = too_few
    columns["not_trimmed"] = not_trimmed
    columns["incomplete"] = incomplete
    named = (
        (FLAG_STATISTICAL_TIE, statistical_tie),
        (FLAG_TOO_FEW_JUDGES, too_few),
        (FLAG_NOT_TRIMMED, not_trimmed),
        (FLAG_INCOMPLETE, incomplete),
    )
    # One code per row (bit k = k-th flag), one label per code: no Python loop over flags.
    code = np.zeros(len(order), dtype=np.int64)
    for bit, (_name, values) in enumerate(named):
        code |= np.asarray(values, dtype=np.int64) << bit
    labels = [
        ", ".join(name for bit, (name, _values) in enumerate(named) if combination >> bit & 1)
        for combination in range(1 << len(named))
    ]
    columns["flags"] = [labels[c] for c in code.tolist()]
    return pd.DataFrame(columns, copy=False)  # every column is a fresh array


def panel_marks(
    marks: pd.DataFrame,
    criteria: pd.DataFrame,
    rule: AggregationRule | dict | None = None,
) -> pd.DataFrame:
    """One row per pitch and criterion: how its panel mark was made (for an audit view).

    Columns: pitch, criterion, n_marks, panel (as in the leaderboard), weight, weighted
    (weight × panel, rounded if the rule says), not_trimmed, and for "calibrated" the mean
    offset of the judges who marked it (`mean_offset`: how lenient this pitch's panel was).
    """
    scored = score(marks, criteria, as_rule(rule))
    prepared, rule = scored.prepared, scored.rule
    pitch, criterion = np.nonzero(scored.panels.count > 0)
    panel = scored.panel[pitch, criterion]
    weight = prepared.weights[criterion]
    weighted = panel * weight
    if rule.round_weighted:
        weighted, ambiguous = half_up(weighted, rule.decimals)
        for k in np.flatnonzero(ambiguous):
            weighted[k] = float(fraction_half_up(exact(panel[k]) * exact(weight[k]), rule.decimals))
    frame = pd.DataFrame(
        {
            "pitch": prepared.pitches.take(pitch),
            "criterion": prepared.criteria.take(criterion),
            "n_marks": scored.panels.count[pitch, criterion],
            "panel": panel,
            "weight": weight,
            "weighted": weighted,
            "not_trimmed": scored.panels.not_trimmed[pitch, criterion],
        }
    )
    if scored.panels.offset is not None:
        offsets = scored.panels.offset[prepared.judge, prepared.criterion]
        key = prepared.pitch * prepared.n_criteria + prepared.criterion
        sums = np.bincount(key, weights=offsets, minlength=prepared.n_pitches * prepared.n_criteria)
        counts = np.bincount(key, minlength=len(sums))
        frame["mean_offset"] = (sums / np.maximum(counts, 1))[
            pitch * prepared.n_criteria + criterion
        ]
    return frame
