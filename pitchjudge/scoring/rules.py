"""The aggregation rule: which method, which trimming, where to round, how to break ties."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from pitchjudge.scoring.errors import ScoringError

#: The aggregation methods, in the order a settings page would offer them.
METHODS = ("mean", "trimmed", "median", "calibrated", "zscore")
#: Tie-break keys that are not a criterion or an adjustment.
JUDGED_TOTAL = "judged_total"
MAX_JUDGE_TOTAL = "max_judge_total"
SHARED = "shared"
SPECIAL_TIE_BREAKS = (JUDGED_TOTAL, MAX_JUDGE_TOTAL, SHARED)
CRITERION_PREFIX = "criterion:"
ADJUSTMENT_PREFIX = "adjustment:"
MAX_DECIMALS = 6
#: The default ridge of "calibrated" (see `AggregationRule.shrinkage`).
DEFAULT_SHRINKAGE = 2.0


@dataclass(frozen=True)
class AggregationRule:
    """How a round's marks become a ranked leaderboard; stored as JSON in `Round.rule`.

    - `method`: how the judges' marks of one criterion become the panel mark (see
      `pitchjudge.scoring` for each method's formula and source): "mean", "trimmed",
      "median", "calibrated" or "zscore".
    - `trim`: for "trimmed", how many highest and how many lowest marks of each criterion are
      dropped, applied only when at least `min_judges_to_trim` judges marked that criterion
      (otherwise the plain mean is used and the pitch is flagged "not_trimmed").
    - `decimals`: the number of decimals of every rounding; rounding is half-up (half away from
      zero), exact on decimal inputs.
    - `round_criteria`: round each criterion's panel mark before weighting;
      `round_weighted`: round each weighted criterion (panel mark × weight);
      `round_total`: round the judged total and the total (after adjustments).
    - `tie_break`: ordered keys that separate equal totals, higher first: "criterion:NAME",
      "adjustment:NAME" (or a bare NAME of either), "judged_total" (the total before
      adjustments), "max_judge_total" (the highest single judge's weighted total), and
      "shared" (stop: the rest share a rank; implied at the end).
    - `min_judges`: pitches marked by fewer judges are flagged "too_few_judges".
    - `shrinkage`: for "calibrated", a ridge penalty on judge offsets, in marks: each judge
      counts as if they also had `shrinkage` marks at zero offset. `DEFAULT_SHRINKAGE` (2) by
      default, chosen by simulation (bench/bench_shrinkage.py): without any leniency it loses
      at most 0.008 in Kendall's tau to the mean (0.067 unshrunk on a weakly linked design),
      and it keeps ≥ 96 % of the unshrunk gain when judges are lenient or harsh. 0 turns it
      off (plain least squares). No effect on a complete panel.
    - `tie_probability`: two neighbours are a "statistical tie" when the probability that the
      higher one really beats the lower one is below this.
    """

    method: str = "mean"
    trim: int = 1
    min_judges_to_trim: int = 5
    decimals: int = 2
    round_criteria: bool = False
    round_weighted: bool = False
    round_total: bool = True
    tie_break: tuple[str, ...] = field(default_factory=tuple)
    min_judges: int = 3
    shrinkage: float = DEFAULT_SHRINKAGE
    tie_probability: float = 0.9

    def __post_init__(self) -> None:
        problems = []
        if self.method not in METHODS:
            problems.append(f"method must be one of {', '.join(METHODS)}, not {self.method!r}")
        for name in ("trim", "min_judges_to_trim", "decimals", "min_judges"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                problems.append(f"{name} must be a whole number ≥ 0, not {value!r}")
        if not problems:
            if self.decimals > MAX_DECIMALS:
                problems.append(f"decimals must be at most {MAX_DECIMALS}, not {self.decimals}")
            if self.method == "trimmed" and self.min_judges_to_trim < 2 * self.trim + 1:
                problems.append(
                    f"min_judges_to_trim must be at least 2 × trim + 1 = {2 * self.trim + 1} "
                    f"so that a mark is left, not {self.min_judges_to_trim}"
                )
            if self.min_judges < 1:
                problems.append("min_judges must be at least 1")
        for name in ("round_criteria", "round_weighted", "round_total"):
            if not isinstance(getattr(self, name), bool):
                problems.append(f"{name} must be true or false, not {getattr(self, name)!r}")
        if not _is_number(self.shrinkage) or not 0 <= self.shrinkage < math.inf:
            problems.append(f"shrinkage must be a number ≥ 0, not {self.shrinkage!r}")
        if not _is_number(self.tie_probability) or not 0.5 < self.tie_probability < 1:
            problems.append(
                f"tie_probability must be between 0.5 and 1 (excluded), not "
                f"{self.tie_probability!r}"
            )
        tie_break = self.tie_break
        if isinstance(tie_break, str) or not isinstance(tie_break, list | tuple):
            problems.append(f"tie_break must be a list of keys, not {tie_break!r}")
        else:
            object.__setattr__(self, "tie_break", tuple(tie_break))
            problems.extend(_tie_break_problems(self.tie_break))
        if problems:
            raise ScoringError("Invalid aggregation rule: " + "; ".join(problems) + ".")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready settings (for `Round.rule`)."""
        data = asdict(self)
        data["tie_break"] = list(self.tie_break)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> AggregationRule:
        """The rule stored by `to_dict` (missing settings take their default)."""
        if data is None:
            return cls()
        if not isinstance(data, dict):
            raise ScoringError(f"An aggregation rule must be a mapping, not {type(data).__name__}.")
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ScoringError(
                f"Unknown aggregation rule setting(s): {', '.join(unknown)}. "
                f"Known: {', '.join(sorted(known))}."
            )
        return cls(**data)

    def replace(self, **changes: Any) -> AggregationRule:
        """A copy with some settings changed (validated again)."""
        return AggregationRule.from_dict({**self.to_dict(), **changes})


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _tie_break_problems(keys: tuple) -> list[str]:
    problems = []
    for position, key in enumerate(keys):
        if not isinstance(key, str) or not key.strip():
            problems.append(f"tie_break entries must be non-empty text, not {key!r}")
        elif key == SHARED and position != len(keys) - 1:
            problems.append('"shared" can only be the last tie_break entry')
        elif key in (CRITERION_PREFIX, ADJUSTMENT_PREFIX):
            problems.append(f"tie_break entry {key!r} needs a name after the colon")
    if len(set(keys)) != len(keys):
        problems.append("tie_break lists a key twice")
    return problems
