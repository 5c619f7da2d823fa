"""Organiser: a round's results, and what the projector shows (hidden, live, frozen, reveal)."""

from functools import partial

import pandas as pd
import streamlit as st

from pitchjudge.charts import leaderboard_figure
from pitchjudge.formatting import localized_style
from pitchjudge.labels import readable
from pitchjudge.models import BoardState
from pitchjudge.qr import qr_png
from pitchjudge.scoring import ScoringError
from pitchjudge.services import board, contests, exports, feedback, results
from pitchjudge.ui import state
from pitchjudge.ui.widgets import inert, round_picker, run_and_reload, show_notice

NOTICE_KEY = "results_notice"

_ = state.gettext()
pgettext = state.pgettext()
lang = state.language()
settings = state.get_settings()
contest = state.organiser_page(_("Results"))
show_notice(NOTICE_KEY)
run = partial(run_and_reload, notice_key=NOTICE_KEY, _=_)

with state.db_session(read_only=True) as session:
    rounds = list(contests.list_rounds(session=session, contest_id=contest.id))
round_ = round_picker(rounds, _, key="results_round")
if round_ is None:
    st.stop()

STATES = {
    BoardState.HIDDEN: _("Hidden"),
    BoardState.LIVE: _("Live"),
    BoardState.FROZEN: _("Frozen"),
    BoardState.REVEAL: _("Reveal"),
}

with st.container(border=True):
    st.subheader(_("Projector"))
    cols = st.columns([3, 2], vertical_alignment="top")
    with cols[0]:
        chosen = st.segmented_control(
            _("The projector shows this round"),
            options=list(STATES),
            format_func=STATES.get,
            default=BoardState(round_.board),
            key=f"board_state_{round_.id}",
            help=_(
                "Frozen: the board stops moving. Reveal: places appear one by one, from "
                "the last to the winner, each time you click."
            ),
        )
        if chosen and chosen != round_.board:
            run(
                lambda s: board.set_board(session=s, round_id=round_.id, state=chosen),
                _("The projector now shows: {state}.").format(state=STATES[chosen]),
            )
        if round_.board == BoardState.REVEAL:
            total = len(round_.board_snapshot or [])
            st.progress(
                round_.board_revealed / total if total else 1.0,
                text=_("{shown} of {total} places revealed").format(
                    shown=round_.board_revealed, total=total
                ),
            )
            if st.button(
                _("Reveal the next place"),
                type="primary",
                key="board_reveal_next",
                disabled=round_.board_revealed >= total,
                icon=":material/trophy:",
            ):
                run(
                    lambda s: board.reveal_next(session=s, round_id=round_.id),
                    _("One more place revealed."),
                )
    with cols[1]:
        token = state.display_token(contest.id)
        link = board.display_link(settings.base_url, token)
        st.caption(_("Open this link on the projector's laptop (no sign-in needed):"))
        st.code(link, language=None, wrap_lines=True)
        st.image(qr_png(link), width=130, alt=_("QR code of the projector's link"))

released = st.toggle(
    _("Applicants can read their feedback for this round"),
    value=round_.feedback_released,
    key=f"feedback_released_{round_.id}",
    help=_(
        "Through their private link: their marks against the average of all, the jury's "
        "comments (anonymous) and their rank band, also as a PDF."
    ),
)
if released != round_.feedback_released:
    run(
        lambda s: feedback.set_feedback_released(session=s, round_id=round_.id, released=released),
        _("Feedback released.") if released else _("Feedback withdrawn."),
    )

head = st.columns([2, 3, 2, 2], vertical_alignment="bottom")
head[0].subheader(_("Leaderboard"))
# French Excel splits a CSV on ";" and reads "442,5" as a number; English Excel wants "," and
# "442.5". The contest's language picks the default; the organiser can switch.
semicolon = st.toggle(
    _("CSV for French Excel (; and decimal comma)"),
    value=contest.language == "fr",
    key="results_csv_semicolon",
    help=_(
        "On: cells separated by semicolons and numbers written 442,5, as French Excel "
        "expects. Off: commas and 442.5, for English spreadsheets."
    ),
)


def workbook() -> bytes:
    """Built only when the organiser clicks, not on every run of the page."""
    with state.db_session(read_only=True) as session:
        return exports.results_workbook(session=session, contest_id=contest.id)


def leaderboard_csv() -> bytes:
    with state.db_session(read_only=True) as session:
        return exports.leaderboard_csv(session=session, round_id=round_.id, semicolon=semicolon)


def marks_csv() -> bytes:
    with state.db_session(read_only=True) as session:
        return exports.marks_csv(session=session, round_id=round_.id, semicolon=semicolon)


head[1].download_button(
    _("Results workbook (XLSX)"),
    data=workbook,
    file_name="results.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    icon=":material/download:",
    on_click="ignore",
    key="results_xlsx",
    help=_("Every round: leaderboard, marks, comments, adjustments, and the audit log."),
)
for column, label, build, kind, key in (
    (head[2], _("Leaderboard (CSV)"), leaderboard_csv, "leaderboard", "results_leaderboard_csv"),
    (head[3], _("Marks (CSV)"), marks_csv, "marks", "results_marks_csv"),
):
    column.download_button(
        label,
        data=build,
        file_name=exports.export_file_name(round_.name, kind, "csv"),
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key=key,
        help=_("This round only."),
    )
try:
    with state.db_session(read_only=True) as session:
        formula = results.blend_formula(session=session, round_id=round_.id)
        table = results.round_leaderboard(session=session, round_id=round_.id)
        rows = board.compute_rows(session=session, round_id=round_.id)
except ScoringError as error:
    st.warning(_("The results cannot be computed yet: {reason}").format(reason=str(error)))
    st.stop()
if table.empty:
    st.info(_("No marks yet in this round."))
    st.stop()
if formula:
    st.info(
        _("Total = {formula} (set on the page Rounds).").format(formula=inert(formula)),
        icon=":material/join:",
    )
st.plotly_chart(leaderboard_figure(rows, large=False, language=lang), width="stretch", theme=None)
shown = table.drop(
    columns=[
        c
        for c in (
            "pitch",
            "adjustments",
            "statistical_tie",
            "too_few_judges",
            "not_trimmed",
            "incomplete",
        )
        if c in table.columns
    ]
)
shown = readable(shown, _, pgettext).rename(columns={_("Rank"): "#"})
st.dataframe(localized_style(shown, language=lang), hide_index=True, width="stretch")

with st.expander(_("Judges and agreement")):
    try:
        with state.db_session(read_only=True) as session:
            judges_table = results.round_judge_statistics(session=session, round_id=round_.id)
            agreement = results.round_agreement(session=session, round_id=round_.id)
    except (ScoringError, ValueError) as error:
        st.info(str(error))
    else:
        judges_shown = readable(judges_table.drop(columns=["judge"]), _, pgettext)
        st.dataframe(localized_style(judges_shown, language=lang), hide_index=True, width="stretch")
        agreement_shown = readable(pd.DataFrame(agreement), _, pgettext)
        st.dataframe(
            localized_style(agreement_shown, language=lang), hide_index=True, width="stretch"
        )
