"""Half-up rounding that is exact on decimal inputs, fast on arrays.

Published results round half-up (2.675 → 2.68, half away from zero for negatives) on the
decimal numbers people wrote down. A binary float such as 2.675 is really
2.67499999999999982…, so `round(2.675, 2)` gives 2.67. Two tools here:

- `round_half_up(x, decimals)`: one number, via `decimal.Decimal(repr(x))` — the shortest
  decimal that reads back as `x`, i.e. the number as written.
- `half_up(array, decimals)`: vectorised. It rounds the float and also returns which values lie
  within a hair (`TOLERANCE` units of the last kept decimal) of a rounding boundary. Any value
  further than that from a boundary rounds exactly as its exact decimal value would, because
  the float arithmetic that produced it erred by far less than the tolerance. Callers recompute
  the flagged values in exact arithmetic (`fractions.Fraction`) when the method allows it, and
  otherwise treat them as exact halves (rounded up).
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np

#: Distance to a rounding boundary, in units of the last kept decimal, below which a float is
#: "ambiguous". It only has to exceed the float error of the arithmetic before rounding (about
#: 1e-11 for sums of thousands of marks): a value further from a boundary rounds as its exact
#: value would, and a value flagged needlessly only costs an exact recomputation.
TOLERANCE = 1e-7
#: Decimals to which non-exact results (calibrated, zscore) are snapped before rounding and
#: ranking, so that float noise (1e-15) never decides a rank.
SNAP_DECIMALS = 9


def round_half_up(value: float, decimals: int) -> float:
    """`value` rounded half-up to `decimals` places, exactly as the decimal it reads as."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return value
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP)) + 0.0


def fraction_half_up(value: Fraction, decimals: int) -> Fraction:
    """An exact rational rounded half-up (away from zero) to `decimals` places."""
    scale = 10**decimals
    magnitude = abs(value) * scale
    kept = math.floor(magnitude + Fraction(1, 2))
    return Fraction(kept if value >= 0 else -kept, scale)


def exact(value: float) -> Fraction:
    """A float input as the exact decimal it was written as (its shortest repr)."""
    return Fraction(repr(float(value)))


def half_up(values: np.ndarray, decimals: int) -> tuple[np.ndarray, np.ndarray]:
    """(rounded values, mask of values within `TOLERANCE` of a boundary); NaN stays NaN."""
    values = np.asarray(values, dtype=float)
    scale = 10.0**decimals
    scaled = np.abs(values) * scale
    floor = np.floor(scaled)
    fraction = scaled - floor
    ambiguous = np.abs(fraction - 0.5) <= TOLERANCE * np.maximum(1.0, scaled * 1e-6)
    kept = floor + ((fraction > 0.5) | ambiguous)
    rounded = np.copysign(kept / scale, values) + 0.0
    return rounded, ambiguous


def snap(values: np.ndarray) -> np.ndarray:
    """Values rounded to `SNAP_DECIMALS` places, so float noise never decides a comparison."""
    return np.round(np.asarray(values, dtype=float), SNAP_DECIMALS) + 0.0
