"""Errors of the scoring engine: plain `ValueError`s a page can show as they are."""

from __future__ import annotations

from collections.abc import Sequence


class ScoringError(ValueError):
    """Marks, criteria, adjustments or a rule that the engine cannot score; says why."""


class DisconnectedDesign(ScoringError):
    """The judge–pitch design falls apart into groups that share no judge.

    Judge offsets are only identified within a connected design: if no judge links two groups
    of pitches, a difference between the groups could be quality or leniency alike (Weeks &
    Williams 1964, "A note on the determination of connectedness in an N-way cross
    classification", Technometrics 6(3)). `groups` lists each group's judges and pitches.
    """

    def __init__(self, groups: Sequence[tuple[list, list]], *, criterion=None) -> None:
        self.groups = list(groups)
        self.criterion = criterion
        shown = []
        for number, (judges, pitches) in enumerate(self.groups[:5], start=1):
            shown.append(f"group {number}: judges {_listing(judges)}; pitches {_listing(pitches)}")
        more = f"; … and {len(self.groups) - 5} more groups" if len(self.groups) > 5 else ""
        where = f" for criterion {criterion!r}" if criterion is not None else ""
        super().__init__(
            f"The judges and pitches{where} split into {len(self.groups)} groups that share no "
            f"judge, so judge leniency cannot be told apart from pitch quality and the "
            f"'calibrated' method cannot be used. Have at least one judge mark pitches of "
            f"every group, or use another method. " + "; ".join(shown) + more
        )


def _listing(items: Sequence, limit: int = 6) -> str:
    shown = ", ".join(str(item) for item in list(items)[:limit])
    return shown + (f" (+{len(items) - limit} more)" if len(items) > limit else "")
