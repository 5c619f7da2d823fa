"""Organiser: a round's analytics — judges × pitches, leniency, outliers, ties, one pitch, rules."""

import math

import pandas as pd
import streamlit as st

from pitchjudge.analytics_charts import heatmap_figure, leniency_figure, rank_range_figure
from pitchjudge.formatting import (
    decimal_separator,
    format_datetime_short,
    format_fixed,
    format_number_text,
    format_share,
    localized_style,
    plotly_separators,
)
from pitchjudge.scoring import ScoringError
from pitchjudge.scoring.statistics import FAMILY_ERROR, LENIENCY_SHARE
from pitchjudge.services import analytics, contests, results
from pitchjudge.ui import state
from pitchjudge.ui.widgets import inert, round_picker, show_notice, weak_design_warning

NOTICE_KEY = "analytics_notice"
ROUND_KEY = "analytics_round"
PITCH_KEY = "analytics_pitch"

_ = state.gettext()
pgettext = state.pgettext()
lang = state.language()
contest = state.organiser_page(_("Analytics"))
show_notice(NOTICE_KEY)

with state.db_session(read_only=True) as session:
    rounds = list(contests.list_rounds(session=session, contest_id=contest.id))
round_ = round_picker(rounds, _, key=ROUND_KEY)
if round_ is None:
    st.stop()

with state.db_session(read_only=True) as session:
    overview = analytics.round_overview(session=session, round_id=round_.id)
if not overview.n_marks:
    st.info(_("No marks yet in this round: the analytics appear as soon as judges score."))
    st.stop()
st.caption(
    _("{marks} marks from {judges} judges on {pitches} applications.").format(
        marks=overview.n_marks, judges=overview.n_judges, pitches=overview.n_pitches
    )
)
with state.db_session(read_only=True) as session:
    design = results.round_design(session=session, round_id=round_.id)
if design.weak:
    weak_design_warning(design.connectivity, design.limit, _, language=lang)

METHODS = {
    "mean": _("Mean"),
    "trimmed": _("Trimmed mean"),
    "calibrated": _("Calibrated"),
    "median": _("Median"),
    "zscore": _("z-scores"),
}
TWO_JUDGES = _("Comparing judges needs at least two judges who scored the same applications.")
INTERVAL_SENTENCE = _("Intervals: the 90 % range of the total this jury would give on average.")
# Numbers are written by `show_table` in the contest's way (442,50 in French): a column's
# config only names it.
NUMBER = st.column_config.Column()


def show_table(frame: pd.DataFrame, **kwargs) -> None:
    """st.dataframe with numbers as the visitor's language writes them, no 'nan'/'None'."""
    st.dataframe(localized_style(frame, language=lang), **kwargs)


def chart(figure, **kwargs) -> None:
    """st.plotly_chart with the language's decimal mark in labels and hover."""
    figure.update_layout(separators=plotly_separators(lang))
    st.plotly_chart(figure, **kwargs)


def cannot(error: Exception) -> None:
    """An analysis the engine refuses, with its reason (which may quote names: made inert)."""
    st.warning(_("This cannot be computed: {reason}").format(reason=inert(str(error))))


def figure_or_dash(value: float) -> str:
    if value is None or not math.isfinite(value):
        return "—"
    return format_fixed(value, language=lang)


def judge_flag_rule(statistics: pd.DataFrame) -> str:
    """The rule that makes a judge stand out, with this round's thresholds."""
    leniency = float(statistics["outlier_threshold"].iloc[0])
    agreement = float(statistics["agreement_threshold"].iloc[0])
    if not (math.isfinite(leniency) and math.isfinite(agreement)):
        return _("With fewer than 4 judges, no judge is flagged: there are too few to compare.")
    return _(
        "A judge stands out when their leniency z is beyond ±{leniency} or their agreement z "
        "is below −{agreement}: thresholds for this round's number of judges, set so that in "
        "contests without an outlier judge at most {family} flag anyone ({share} for leniency, "
        "the rest for agreement; Bonferroni correction over the judges)."
    ).format(
        leniency=format_fixed(leniency, language=lang),
        agreement=format_fixed(agreement, language=lang),
        family=format_share(FAMILY_ERROR, language=lang),
        share=format_share(FAMILY_ERROR * LENIENCY_SHARE, language=lang),
    )


tabs = st.tabs(
    [
        _("Judges × applications"),
        _("Leniency and agreement"),
        _("Outliers"),
        _("Ties and rank ranges"),
        _("One application"),
        _("Rules side by side"),
    ]
)

with tabs[0]:
    st.caption(
        _(
            "Each cell is the weighted total a judge gave an application (all criteria); a "
            "blank cell: the judge did not score it completely. Applications from the highest "
            "average to the lowest."
        )
    )
    try:
        with state.db_session(read_only=True) as session:
            grid = analytics.totals_grid(session=session, round_id=round_.id)
    except ScoringError as error:
        cannot(error)
    else:
        chart(heatmap_figure(grid), width="stretch", theme=None, key="analytics_heatmap")

with tabs[1]:
    try:
        with state.db_session(read_only=True) as session:
            lenient = analytics.leniency(session=session, round_id=round_.id)
    except ScoringError as error:
        cannot(error)
    else:
        if overview.n_judges < 2 or not lenient.deviations["deviation"].notna().any():
            st.info(TWO_JUDGES)
        else:
            st.caption(
                _(
                    "Each point is one application: the judge's total minus the mean total of "
                    "the other judges on it. Above the dashed line, the judge was more generous "
                    "than the rest of the panel; below it, harsher."
                )
            )
            chart(
                leniency_figure(
                    lenient.deviations,
                    axis_title=_("Judge's total − other judges' mean (points)"),
                ),
                width="stretch",
                theme=None,
                key="analytics_leniency",
            )
        reasons = {
            "lenient": _("lenient"),
            "harsh": _("harsh"),
            "disagrees with the panel": _("disagrees with the panel"),
        }
        statistics = lenient.statistics
        if not statistics.empty:
            st.subheader(_("Judges"))
            shown = pd.DataFrame(
                {
                    _("Judge"): statistics["name"],
                    _("Applications"): statistics["n_pitches"],
                    _("Marks"): statistics["n_marks"],
                    _("Mean mark"): statistics["mean_mark"],
                    _("Leniency (points)"): statistics["offset"],
                    _("Leniency (per mark)"): statistics["offset_per_mark"],
                    _("Agreement with the panel"): statistics["agreement"],
                    _("Leniency z"): statistics["offset_z"],
                    _("Agreement z"): statistics["agreement_z"],
                    _("Stands out"): [
                        ", ".join(reasons.get(r, r) for r in text.split(", ") if r)
                        for text in statistics["outlier_reason"]
                    ],
                }
            )
            show_table(
                shown,
                hide_index=True,
                width="stretch",
                column_config={
                    column: NUMBER
                    for column in (
                        _("Mean mark"),
                        _("Leniency (points)"),
                        _("Leniency (per mark)"),
                        _("Agreement with the panel"),
                        _("Leniency z"),
                        _("Agreement z"),
                    )
                },
            )
            st.caption(
                _(
                    "Leniency: how many points the judge adds to (or takes from) a total "
                    "compared with the panel, once the quality of the applications they saw is "
                    "taken into account. Agreement: correlation between the judge's totals and "
                    "the other judges' mean (1 = same order). Leniency z and agreement z compare "
                    "each judge with the other judges only (studentised deleted residuals, as in "
                    "Grubbs' outlier test)."
                )
                + " "
                + judge_flag_rule(statistics)
            )
        if not lenient.agreement.empty:
            st.subheader(_("How much the panel agrees"))
            total_row = lenient.agreement.iloc[0]
            cols = st.columns(5)
            cols[0].metric(
                _("Krippendorff's alpha"), figure_or_dash(total_row["krippendorff_alpha"])
            )
            cols[1].metric(_("ICC(2,1), one judge"), figure_or_dash(total_row["icc_single"]))
            cols[2].metric(_("ICC(2,k), the panel"), figure_or_dash(total_row["icc_average"]))
            cols[3].metric(
                _("ICC(3,k), the ranking"),
                figure_or_dash(total_row["icc_consistency_average"]),
            )
            cols[4].metric(_("Kendall's W"), figure_or_dash(total_row["kendall_w"]))
            st.markdown(
                "\n".join(
                    f"- {line}"
                    for line in (
                        _(
                            "**Krippendorff's alpha** — how much the judges agree on the "
                            "totals beyond chance: 1 is perfect agreement, 0 no better than "
                            "chance (missing marks allowed)."
                        ),
                        _(
                            "**ICC(2,1), one judge** and **ICC(2,k), the panel** — two-way "
                            "random effects, absolute agreement (Shrout & Fleiss 1979): how "
                            "far one judge's totals, or the panel's average, match those of "
                            "another panel of judges; a judge's constant leniency counts as "
                            "disagreement (1 = perfectly reliable)."
                        ),
                        _(
                            "**ICC(3,k), the ranking** — two-way mixed effects, consistency: "
                            "the same for the panel's average once each judge's constant "
                            "leniency is set aside. When every judge scored every application "
                            "that leniency is shared by all and cannot change the order, so "
                            "this is the figure that matches the ranking."
                        ),
                        _(
                            "**Kendall's W** — how similarly the judges order the applications,"
                            " from 0 (no common order) to 1 (the same order for everyone)."
                        ),
                        _(
                            "ICC and Kendall's W need every judge to have scored every "
                            "application; “—” means they cannot be computed here."
                        ),
                    )
                )
            )
            with st.expander(_("Agreement criterion by criterion")):
                scopes = lenient.agreement
                show_table(
                    pd.DataFrame(
                        {
                            _("Scope"): [
                                _("Weighted total") if s == "total" and k == 0 else s
                                for k, s in enumerate(scopes["scope"])
                            ],
                            _("Applications"): scopes["n_pitches"],
                            _("Judges"): scopes["n_judges"],
                            _("Complete"): scopes["complete"],
                            _("Krippendorff's alpha"): scopes["krippendorff_alpha"],
                            _("ICC(2,1), one judge"): scopes["icc_single"],
                            _("ICC(2,k), the panel"): scopes["icc_average"],
                            _("ICC(3,k), the ranking"): scopes["icc_consistency_average"],
                            _("Kendall's W"): scopes["kendall_w"],
                            _("p-value of W"): scopes["kendall_p"],
                        }
                    ),
                    hide_index=True,
                    width="stretch",
                    column_config={
                        column: NUMBER
                        for column in (
                            _("Krippendorff's alpha"),
                            _("ICC(2,1), one judge"),
                            _("ICC(2,k), the panel"),
                            _("ICC(3,k), the ranking"),
                            _("Kendall's W"),
                        )
                    },
                )

with tabs[2]:
    st.caption(
        _(
            "A mark stands out when its distance from the other judges' marks (their median) "
            "on the same application and criterion is unusual for this round (modified "
            "z-score beyond 3.5). It needs at least three judges on the application."
        )
    )
    try:
        with state.db_session(read_only=True) as session:
            outliers = analytics.outlying_marks(session=session, round_id=round_.id)
    except ScoringError as error:
        cannot(error)
    else:
        if overview.n_judges < 2:
            st.info(TWO_JUDGES)
        elif outliers.empty:
            st.success(_("No mark stands out from the panel."), icon=":material/check_circle:")
        else:
            show_table(
                pd.DataFrame(
                    {
                        _("Judge"): outliers["name"],
                        _("Application"): outliers["startup_name"],
                        _("Criterion"): outliers["criterion"],
                        _("Mark"): outliers["value"],
                        _("Other judges' median"): outliers["others_median"],
                        _("Other judges' mean"): outliers["others_mean"],
                        _("Difference from the median"): outliers["deviation"],
                        _("z-score"): outliers["z"],
                    }
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    _("Other judges' median"): NUMBER,
                    _("Other judges' mean"): NUMBER,
                    _("Difference from the median"): NUMBER,
                    _("z-score"): NUMBER,
                },
            )

with tabs[3]:
    try:
        with state.db_session(read_only=True) as session:
            ranges = analytics.rank_ranges(session=session, round_id=round_.id)
    except ScoringError as error:
        cannot(error)
    else:
        ranked = ranges[ranges["rank"].notna()]
        if ranked.empty:
            st.info(_("No application has a complete set of marks yet."))
        else:
            st.caption(
                INTERVAL_SENTENCE
                + " "
                + _(
                    "Dot: the rank; bar: the ranks the application could plausibly take (90 % "
                    "range). In orange: statistical ties, where the order of neighbours could "
                    "easily be the other way round. “Too close to call”: the marks cannot "
                    "separate the two applications either side of the winner's, podium or "
                    "promotion line."
                )
            )
            chart(
                rank_range_figure(ranges, axis_title=_("Rank")),
                width="stretch",
                theme=None,
                key="analytics_ranks",
            )
            show_table(
                pd.DataFrame(
                    {
                        "#": ranges["rank"],
                        _("Application"): ranges["startup_name"],
                        _("Total"): ranges["total"],
                        _("Total, low"): ranges["total_low"],
                        _("Total, high"): ranges["total_high"],
                        _("Best rank"): ranges["rank_best"],
                        _("Worst rank"): ranges["rank_worst"],
                        _("P(beats next)"): ranges["p_beats_next"],
                        _("Tie group"): ranges["tie_group"],
                        _("Too close to call"): ranges["too_close_to_call"],
                    }
                ),
                hide_index=True,
                width="stretch",
                column_config={
                    _("Total"): NUMBER,
                    _("Total, low"): NUMBER,
                    _("Total, high"): NUMBER,
                    _("P(beats next)"): NUMBER,
                },
            )


@st.fragment
def one_application() -> None:
    """Choosing another application reruns this part only, not the whole analysis."""
    with state.db_session(read_only=True) as session:
        choices = analytics.pitch_choices(session=session, round_id=round_.id)
    if not choices:
        st.info(_("No application has been scored in this round yet."))
        return
    names = dict(choices)
    pitch_id = st.selectbox(
        _("Application"), options=list(names), format_func=names.get, key=PITCH_KEY
    )
    with state.db_session(read_only=True) as session:
        detail = analytics.pitch_detail(session=session, round_id=round_.id, pitch_id=pitch_id)
    st.subheader(_("Marks"))
    if detail.marks.empty:
        st.info(_("No mark yet for this application."))
    else:
        table = detail.marks.copy()
        table[_("Weighted total")] = detail.weighted_totals
        show_table(table, width="stretch")
    if detail.not_counted:
        st.caption(
            _("Not counted (conflict of interest): {names}").format(
                names=", ".join(inert(name) for name in detail.not_counted)
            )
        )

    st.subheader(_("Comments"))
    statuses = {
        "submitted": pgettext("scorecard", "Submitted"),
        "draft": pgettext("scorecard", "Draft"),
    }
    written = detail.comments[
        (detail.comments["comment"].str.strip() != "")
        | (detail.comments["private_note"].str.strip() != "")
    ]
    if written.empty:
        st.caption(_("No comment yet."))
    for row in written.itertuples(index=False):
        with st.container(border=True):
            st.markdown(f"**{inert(row.name)}** · {statuses.get(row.status, row.status)}")
            if row.comment.strip():
                st.caption(_("For the applicant"))
                st.markdown(inert(row.comment))
            if row.private_note.strip():
                st.caption(_("Private note (jury only)"))
                st.markdown(inert(row.private_note))

    st.subheader(_("Adjustments"))
    if detail.adjustments.empty:
        st.caption(_("No adjustment."))
    else:
        show_table(
            pd.DataFrame(
                {
                    _("Adjustment"): detail.adjustments["name"],
                    _("Points"): detail.adjustments["points"],
                    _("Reason"): detail.adjustments["reason"],
                }
            ),
            hide_index=True,
            width="stretch",
        )

    st.subheader(_("History"))
    history = detail.history
    if history.empty:
        st.caption(_("Nothing recorded yet for this application."))
    else:
        fields = {
            "comment": _("Comment for the applicant"),
            "private_note": _("Private note"),
            "status": _("Status"),
            "adjustment": _("Adjustment"),
            "stage_pitch": _("Pitch started on stage"),
            "stage_qa": _("Q&A started"),
            "stage_end": _("Left the stage"),
            "stage_reset": _("Stage timer reset"),
            "overtime_penalty": _("Overtime penalty"),
        }
        show_table(
            pd.DataFrame(
                {
                    _("When"): [
                        format_datetime_short(at, timezone=contest.timezone, language=lang)
                        for at in history["at"]
                    ],
                    _("Judge"): history["name"],
                    _("What"): [fields.get(w, w) for w in history["what"]],
                    _("Before"): [
                        statuses.get(v, v)
                        if w == "status"
                        else format_number_text(v, language=lang)
                        for w, v in zip(history["what"], history["before"], strict=True)
                    ],
                    _("After"): [
                        statuses.get(v, v)
                        if w == "status"
                        else format_number_text(v, language=lang)
                        for w, v in zip(history["what"], history["after"], strict=True)
                    ],
                }
            ),
            hide_index=True,
            width="stretch",
        )


with tabs[4]:
    one_application()

with tabs[5]:
    try:
        with state.db_session(read_only=True) as session:
            compared = analytics.compare_rules(session=session, round_id=round_.id)
    except ScoringError as error:
        cannot(error)
    else:
        for method, reason in compared.problems.items():
            st.warning(
                _("{rule} cannot be used here: {reason}").format(
                    rule=METHODS.get(method, method), reason=inert(reason)
                ),
                icon=":material/block:",
            )
        table = compared.table
        if compared.methods and not table.empty:
            changed = int(table["rank_changes"].sum())
            st.caption(
                _(
                    "The same marks ranked by each rule, the round's other settings kept "
                    "(trimming, rounding, tie-breaks). This round uses: {rule}."
                ).format(rule=METHODS.get(compared.own_method, compared.own_method))
            )
            st.metric(_("Applications whose rank changes"), changed)
            shown = pd.DataFrame(
                {
                    _("Application"): table["startup_name"],
                    _("Rank changes"): table["rank_changes"],
                }
            )
            for method in compared.methods:
                label = METHODS.get(method, method)
                shown[f"{label} · #"] = table[f"rank_{method}"]
                shown[f"{label} · {_('total')}"] = table[f"total_{method}"]
            flagged = table["rank_changes"].to_numpy()
            styled = shown.style.apply(
                lambda row: [
                    "background-color: #ffe8a3" if flagged[row.name] else "" for _cell in row
                ],
                axis=1,
            ).format(
                {f"{METHODS.get(m, m)} · {_('total')}": "{:.2f}" for m in compared.methods},
                na_rep="—",
                decimal=decimal_separator(lang),
            )
            st.dataframe(styled, hide_index=True, width="stretch")
