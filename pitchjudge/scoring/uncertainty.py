"""How sure each total and rank is: intervals, rank ranges, P(beats next), decision lines.

One definition for every method and panel size (`pitchjudge.scoring.precision`): the interval
is the 90 % (by default) range of the **pool truth**, the total this round's whole jury would
give the pitch on average.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from pitchjudge.scoring.errors import ScoringError
from pitchjudge.scoring.leaderboard import Scored, as_rule, score, tie_flags
from pitchjudge.scoring.precision import Precision, beat_next, posterior, precision
from pitchjudge.scoring.rules import AggregationRule

APPROACHES = ("auto", "model")
#: The sentence shown wherever intervals are shown (translated by the pages).
INTERVAL_MEANING = "90 % range of the total this jury would give on average"
#: Decision lines drawn by default: (name, places above the line).
DEFAULT_LINES = (("winner", 1), ("podium", 3))


def uncertainty(
    marks: pd.DataFrame,
    criteria: pd.DataFrame,
    rule: AggregationRule | dict | None = None,
    adjustments: pd.DataFrame | None = None,
    *,
    resamples: int = 400,
    level: float = 0.9,
    seed: int = 0,
    approach: str = "model",
    lines: dict[str, int] | None = None,
) -> pd.DataFrame:
    """Interval of each pitch's total, range of its rank, P(beats the next one), ties.

    Every figure comes from one error model (`pitchjudge.scoring.precision`), whatever the
    method and the panel size: the `level` interval covers the pool truth (the total this
    round's whole jury would give the pitch on average), P(beats next) is the posterior
    probability that the pitch's pool truth beats the next one's, and the rank range is read
    from `resamples` posterior draws of every pitch's pool truth (fixed `seed`).

    `lines` maps a decision line's name to the number of places above it (default: "winner"
    = 1 and "podium" = 3; add e.g. "promotion": 8). The two pitches on either side of a line
    are `too_close_to_call` when P(the one above beats the one below) < the rule's
    `tie_probability`; `decision_line` names the lines a pitch touches.

    Columns (leaderboard order): rank, pitch, total, total_low, total_high, std_error,
    rank_best, rank_worst, p_beats_next, statistical_tie (P below `tie_probability` with the
    next or previous pitch: per-pair information), too_close_to_call, decision_line,
    approach ("model"). `approach` is kept for old callers: "auto" and "model" are the same.
    """
    rule = as_rule(rule)
    if approach not in APPROACHES:
        raise ScoringError(f"approach must be one of {', '.join(APPROACHES)}, not {approach!r}.")
    if not 0 < level < 1:
        raise ScoringError(f"level must be between 0 and 1, not {level!r}.")
    if resamples < 10:
        raise ScoringError(f"resamples must be at least 10, not {resamples!r}.")
    scored = score(marks, criteria, rule, adjustments)
    model = precision(scored)
    return _summarise(scored, model, level, resamples, seed, lines)


def _summarise(
    scored: Scored,
    model: Precision,
    level: float,
    resamples: int,
    seed: int,
    lines: dict[str, int] | None,
) -> pd.DataFrame:
    order = scored.order
    n_pitches = len(order)
    known = np.isfinite(model.se) & np.isfinite(scored.total)
    critical = stats.t.ppf((1 + level) / 2, max(model.dof, 1))
    low = np.where(known, scored.total - critical * model.se, np.nan)
    high = np.where(known, scored.total + critical * model.se, np.nan)
    best, worst = _rank_range(scored, model, known, level, resamples, seed)
    p_next = beat_next(scored, model)
    tie = scored.rule.tie_probability
    close = np.zeros(n_pitches, dtype=bool)
    touched: list[list[str]] = [[] for _ in range(n_pitches)]
    for name, places in DEFAULT_LINES if lines is None else tuple(lines.items()):
        places = int(places)
        if not 0 < places < n_pitches:
            continue
        touched[places - 1].append(str(name))
        touched[places].append(str(name))
        p = p_next[places - 1]
        if np.isfinite(p) and p < tie:
            close[places - 1] = close[places] = True
    return pd.DataFrame(
        {
            "rank": pd.array(scored.rank[order], dtype="Int64"),
            "pitch": scored.prepared.pitches.take(order),
            "total": scored.total[order],
            "total_low": low[order],
            "total_high": high[order],
            "std_error": np.where(known, model.se, np.nan)[order],
            "rank_best": pd.array(best[order], dtype="Int64"),
            "rank_worst": pd.array(worst[order], dtype="Int64"),
            "p_beats_next": p_next,
            "statistical_tie": tie_flags(p_next, tie),
            "too_close_to_call": close,
            "decision_line": [", ".join(names) for names in touched],
            "approach": "model",
        }
    )


def _rank_range(
    scored: Scored,
    model: Precision,
    known: np.ndarray,
    level: float,
    resamples: int,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """The `level` range of each known pitch's rank over posterior draws of the pool truths.

    Pitches without a known spread keep their total in every draw (and get no range).
    """
    n = len(scored.total)
    best = np.full(n, np.nan)
    worst = np.full(n, np.nan)
    ranked = np.flatnonzero(np.isfinite(scored.total))
    if not known.any():
        return best, worst
    mean, var, _ = posterior(scored, model)
    rng = np.random.default_rng(seed)
    centre = np.where(known, mean, scored.total)[ranked]
    sd = np.where(known, np.sqrt(np.nan_to_num(var)), 0.0)[ranked]
    draws = (centre + sd * rng.standard_normal((resamples, len(ranked)))).astype(np.float32)
    # Rank of each pitch in each draw (1 = best): one argsort per draw, then its inverse.
    position = np.argsort(-draws, axis=1)
    ranks = np.empty(position.shape, dtype=np.int32)
    ranks_of = np.arange(1, len(ranked) + 1, dtype=np.int32)[None, :]
    np.put_along_axis(ranks, position, ranks_of, axis=1)
    tail = (1 - level) / 2
    lo_index = int(np.floor(tail * (resamples - 1)))
    hi_index = int(np.ceil((1 - tail) * (resamples - 1)))
    # Two order statistics per pitch: a partition, not a sort (nor np.nanquantile's loop).
    ranks = np.partition(ranks, (lo_index, hi_index), axis=0)
    best[ranked] = ranks[lo_index]
    worst[ranked] = ranks[hi_index]
    # A shown rank shared by a tie is the best of the group: keep the range around it.
    shown = scored.rank[ranked]
    best[ranked] = np.minimum(best[ranked], shown)
    worst[ranked] = np.maximum(worst[ranked], shown)
    best[~known], worst[~known] = np.nan, np.nan
    return best, worst


def decision_lines(
    sure: pd.DataFrame, lines: dict[str, int], tie_probability: float
) -> pd.DataFrame:
    """One row per decision line of an `uncertainty` frame: who is either side, P, too close.

    Columns: line, places, above, below (pitch ids), p (P(above beats below)), too_close.
    """
    records = []
    for name, places in lines.items():
        places = int(places)
        if not 0 < places < len(sure):
            continue
        p = float(sure["p_beats_next"].iloc[places - 1])
        records.append(
            {
                "line": name,
                "places": places,
                "above": sure["pitch"].iloc[places - 1],
                "below": sure["pitch"].iloc[places],
                "p": p,
                "too_close": bool(np.isfinite(p) and p < tie_probability),
            }
        )
    return pd.DataFrame(records, columns=["line", "places", "above", "below", "p", "too_close"])
