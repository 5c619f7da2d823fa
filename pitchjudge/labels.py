"""Readable, translated names for the columns and codes of result tables (screen and exports):
`Chance of beating the next one`, not `p_beats_next`; `Submitted`, not `submitted`."""

from __future__ import annotations

from collections.abc import Callable

import pandas as pd

from pitchjudge.i18n import N_, Gettext

COLUMNS: dict[str, str] = {
    # leaderboard
    "rank": N_("Rank"),
    "startup": N_("Startup"),
    "startup_name": N_("Startup"),
    "judged_total": N_("Judged total"),
    "adjustments": N_("Adjustments"),
    "total": N_("Total"),
    "round_total": N_("This round"),
    "earlier_total": N_("Earlier round"),
    "n_judges": N_("Judges"),
    "p_beats_next": N_("Chance of beating the next one"),
    "statistical_tie": N_("Statistical tie"),
    "too_few_judges": N_("Too few judges"),
    "not_trimmed": N_("Not trimmed"),
    "incomplete": N_("Incomplete"),
    "flags": N_("Flags"),
    "problem": N_("Problem"),
    # marks, scorecards, adjustments
    "judge": N_("Judge"),
    "criterion": N_("Criterion"),
    "value": N_("Mark"),
    "status": N_("Status"),
    "comment": N_("Comment for the applicant"),
    "private_note": N_("Private note"),
    "adjustment": N_("Adjustment"),
    "points": N_("Points"),
    # audit log
    "at": N_("When"),
    "actor": N_("Who"),
    "actor_id": N_("Who (id)"),
    "entity": N_("On what"),
    "entity_id": N_("Id"),
    "action": N_("Action"),
    "field": N_("Field"),
    "before": N_("Before"),
    "after": N_("After"),
    # judges' statistics and agreement
    "name": N_("Name"),
    "n_pitches": N_("Applications"),
    "n_marks": N_("Marks"),
    "mean_mark": N_("Mean mark"),
    "offset": N_("Leniency (points)"),
    "offset_per_mark": N_("Leniency (per mark)"),
    "agreement": N_("Agreement with the panel"),
    "offset_z": N_("Leniency (z)"),
    "agreement_z": N_("Agreement (z)"),
    "outlier": N_("Stands out"),
    "outlier_reason": N_("Why"),
    "outlier_threshold": N_("Leniency threshold (|z|)"),
    "agreement_threshold": N_("Agreement threshold (−z)"),
    "group": N_("Group"),
    "scope": N_("Scope"),
    "complete": N_("Complete"),
    "krippendorff_alpha": N_("Krippendorff's alpha"),
    "icc_single": N_("ICC, one judge"),
    "icc_average": N_("ICC, the panel"),
    "icc_consistency_single": N_("ICC(3,1), one judge, consistency"),
    "icc_consistency_average": N_("ICC(3,k), the panel, consistency"),
    "kendall_w": N_("Kendall's W"),
    "kendall_p": N_("Kendall's W, p-value"),
}

FLAGS: dict[str, str] = {
    "statistical_tie": N_("statistical tie"),
    "too_few_judges": N_("too few judges"),
    "not_trimmed": N_("not trimmed"),
    "incomplete": N_("incomplete"),
    "no_earlier_result": N_("no earlier result"),
    "total": N_("total"),
    "lenient": N_("lenient"),
    "harsh": N_("harsh"),
    "disagrees with the panel": N_("disagrees with the panel"),
}

# A scorecard's status, translated with the context "scorecard" (pgettext).
STATUSES: dict[str, str] = {
    "draft": "Draft",
    "submitted": "Submitted",
}

# Columns whose codes are words to translate, and how they are joined.
_CODED = {"flags": FLAGS, "outlier_reason": FLAGS, "scope": FLAGS}


def flags_text(codes: str | None, _: Gettext) -> str:
    """'statistical_tie, too_few_judges' → 'égalité statistique, trop peu de juges'."""
    if not codes:
        return ""
    return ", ".join(_(FLAGS[code]) if code in FLAGS else code for code in codes.split(", "))


def readable(
    frame: pd.DataFrame,
    _: Gettext,
    pgettext: Callable[[str, str], str] | None = None,
    *,
    yes_no: bool = True,
) -> pd.DataFrame:
    """`frame` with translated headers, translated codes (flags, statuses), booleans as
    Yes/No words (or left as booleans when `yes_no` is False), and no 'nan' or 'None'."""
    in_context = pgettext or (lambda _context, message: _(message))
    shown = frame.copy()
    for column in shown.columns:
        series = shown[column]
        if column in _CODED:
            shown[column] = series.map(lambda v: flags_text(v, _) if isinstance(v, str) else v)
        elif column == "status":
            shown[column] = series.map(
                lambda v: in_context("scorecard", STATUSES[v]) if v in STATUSES else v
            )
        elif yes_no and pd.api.types.is_bool_dtype(series):
            shown[column] = series.map(lambda v: _("Yes") if v else _("No"))
        elif series.dtype == object or pd.api.types.is_string_dtype(series):
            shown[column] = series.map(
                lambda v: "" if v is None or (not isinstance(v, str) and pd.isna(v)) else v
            )
    return shown.rename(columns=lambda name: _(COLUMNS[name]) if name in COLUMNS else name)
