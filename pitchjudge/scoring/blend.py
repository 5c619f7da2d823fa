"""Blending rounds: a final's result that also counts an earlier round (e.g. 30 % + 70 %)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd

from pitchjudge.scoring.leaderboard import FLAG_STATISTICAL_TIE
from pitchjudge.scoring.rounding import exact, fraction_half_up
from pitchjudge.scoring.rules import AggregationRule

FLAG_NO_EARLIER_RESULT = "no_earlier_result"


def blend(
    current: pd.DataFrame,
    earlier: pd.DataFrame,
    weight: float,
    rule: AggregationRule,
) -> pd.DataFrame:
    """`current`'s leaderboard with `total` = weight × earlier total + (1 − weight) × its own.

    Both frames are `leaderboard` outputs keyed by `pitch`; their totals must be in the same
    units (the same rubric, and not the "zscore" method). The blend is computed exactly on the
    totals as shown (decimals) and rounded half-up to `rule.decimals` when `rule.round_total`.
    Columns added after `total`: `round_total` (this round's own total) and `earlier_total`.
    Ranks: by the blended total, then by this round's total (the later stage decides), then
    shared. A pitch with no earlier total is unranked and flagged "no_earlier_result".
    `p_beats_next` and the statistical-tie flag are this round's own estimates and do not
    describe a blend, so they are dropped (NaN / False).
    """
    if not 0 < weight < 1:
        raise ValueError(f"the earlier round's share must be between 0 and 1, not {weight!r}")
    board = current.copy()
    earlier_totals = earlier.set_index("pitch")["total"] if len(earlier) else pd.Series()
    earlier_col = board["pitch"].map(earlier_totals).astype(float)
    own = board["total"].astype(float)
    share = exact(weight)
    blended = []
    for mine, before in zip(own, earlier_col, strict=True):
        if np.isnan(mine) or np.isnan(before):
            blended.append(np.nan)
            continue
        value = share * exact(before) + (1 - share) * exact(mine)
        if rule.round_total:
            value = fraction_half_up(value, rule.decimals)
        blended.append(float(value) if isinstance(value, Fraction) else value)
    position = board.columns.get_loc("total")
    board["total"] = blended
    board.insert(position + 1, "round_total", own.to_numpy())
    board.insert(position + 2, "earlier_total", earlier_col.to_numpy())
    board["p_beats_next"] = np.nan
    board["statistical_tie"] = False
    missing = earlier_col.isna().to_numpy()

    totals = board["total"].to_numpy(dtype=float)
    keys = [np.where(np.isnan(totals), -np.inf, totals), np.nan_to_num(own.to_numpy(), nan=-np.inf)]
    order = np.lexsort([np.arange(len(board)), -keys[1], -keys[0]])
    board = board.iloc[order].reset_index(drop=True)
    sorted_keys = np.vstack([k[order] for k in keys])
    ranked = np.isfinite(board["total"].to_numpy(dtype=float))
    rank = np.full(len(board), np.nan)
    positions = np.arange(1, len(board) + 1)
    new_block = np.ones(len(board), dtype=bool)
    new_block[1:] = (sorted_keys[:, 1:] != sorted_keys[:, :-1]).any(axis=0)
    rank[ranked] = np.maximum.accumulate(np.where(new_block, positions, 0))[ranked]
    board["rank"] = pd.array(rank, dtype="Int64")

    missing = missing[order]
    flags = []
    for text, lacks in zip(board["flags"], missing, strict=True):
        names = [f for f in str(text).split(", ") if f and f != FLAG_STATISTICAL_TIE]
        if lacks:
            names.append(FLAG_NO_EARLIER_RESULT)
        flags.append(", ".join(names))
    board["flags"] = flags
    return board


def formula(weight: float, earlier_name: str, current_name: str) -> str:
    """The blend as people read it: "30 % Pre-selection + 70 % Final"."""
    earlier = round(weight * 100, 1)
    current = round(100 - earlier, 1)
    shown = (f"{v:g}" for v in (earlier, current))
    first, second = shown
    return f"{first} % {earlier_name} + {second} % {current_name}"
