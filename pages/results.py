"""Organiser: a round's results, and what the projector shows (hidden, live, frozen, reveal)."""

from functools import partial

import pandas as pd
import streamlit as st

from pitchjudge.charts import leaderboard_figure
from pitchjudge.formatting import format_fixed, localized_style
from pitchjudge.labels import readable
from pitchjudge.models import BoardMode, BoardState, RoundStatus
from pitchjudge.qr import qr_png
from pitchjudge.scoring import ScoringError
from pitchjudge.services import board, contests, exports, feedback, impact, results
from pitchjudge.ui import confirm, downloads, room_board, state
from pitchjudge.ui.widgets import (
    inert,
    round_picker,
    run_and_reload,
    show_notice,
    weak_design_warning,
)

NOTICE_KEY = "results_notice"

_ = state.gettext()
ngettext = state.ngettext()
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


@st.fragment(run_every=f"{settings.refresh_s}s")
def projector_preview() -> None:
    """A live 16:9 thumbnail of the room screen (from the projectors' shared cache)."""
    view = state.board_view(contest.id, state.board_fingerprint(contest.id))
    room_board.show_preview(view, _=_, ngettext=ngettext, lang=lang)


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
        link = board.display_link(state.base_url(), token)
        st.caption(_("Open this link on the projector's laptop (no sign-in needed):"))
        st.code(link, language=None, wrap_lines=True)
        st.image(qr_png(link), width=130, alt=_("QR code of the projector's link"))

    MODES = {
        BoardMode.FULL: _("Every place"),
        BoardMode.PAGES: _("Pages"),
        BoardMode.TOP: _("Top N"),
    }
    shown_display = board.display_of(contest)
    layout_cols = st.columns([3, 2], vertical_alignment="top")
    with layout_cols[1], st.form("board_display", border=False):
        mode = st.segmented_control(
            _("Layout on the projector"),
            options=list(MODES),
            format_func=MODES.get,
            default=BoardMode(shown_display.mode),
            key="board_display_mode",
            help=_(
                "Every place: all on one screen (it turns pages by itself when rows would "
                "be too small to read). Pages: large rows, a page every few seconds. "
                'Top N: the best N, then "and M more".'
            ),
        )
        settings_cols = st.columns(2)
        page_seconds = settings_cols[0].number_input(
            _("Seconds per page"),
            min_value=board.PAGE_SECONDS[0],
            max_value=board.PAGE_SECONDS[1],
            value=shown_display.page_seconds,
            step=1,
            key="board_display_page_seconds",
        )
        top_n = settings_cols[1].number_input(
            _("Places in the top N"),
            min_value=board.TOP_N[0],
            max_value=board.TOP_N[1],
            value=shown_display.top_n,
            step=1,
            key="board_display_top_n",
        )
        whiskers = st.toggle(
            _("Show each total's uncertainty (90 % range)"),
            value=shown_display.whiskers,
            key="board_display_whiskers",
            help=_(
                'Off by default: the room sees "too close to call" only where the order '
                "decides something (the winner, the podium, the promotion cut)."
            ),
        )
        if st.form_submit_button(_("Apply to every projector"), icon=":material/cast:"):
            run(
                lambda s: board.set_board_display(
                    session=s,
                    contest_id=contest.id,
                    mode=mode or shown_display.mode,
                    page_seconds=int(page_seconds),
                    top_n=int(top_n),
                    whiskers=whiskers,
                ),
                _("Every projector now uses this layout."),
                labels={
                    "mode": _("Layout on the projector"),
                    "page_seconds": _("Seconds per page"),
                    "top_n": _("Places in the top N"),
                },
            )
    with layout_cols[0]:
        st.caption(_("What the projectors show now:"))
        projector_preview()

RELEASE_KEY = f"feedback_released_{round_.id}"
RELEASE_DIALOG = f"feedback_release_{round_.id}"
with state.db_session(read_only=True) as session:
    gap = impact.scoring_gap(session=session, round_id=round_.id)
# Released too early, feedback shows applicants averages and ranks that can still change.
premature = round_.status in (RoundStatus.DRAFT, RoundStatus.OPEN) or gap.missing > 0


def ask_before_release() -> None:
    if st.session_state.get(RELEASE_KEY) and premature:
        confirm.open_dialog(RELEASE_DIALOG)


def release_lines() -> list[str]:
    lines = []
    if round_.status in (RoundStatus.DRAFT, RoundStatus.OPEN):
        lines.append(
            "**"
            + _("{round} is still {status}: marks can still change.").format(
                round=inert(round_.name), status=_(round_.status)
            )
            + "**"
        )
    if gap.missing:
        lines.append(
            ngettext(
                "{count} scorecard is not submitted",
                "{count} scorecards are not submitted",
                gap.missing,
            ).format(count=gap.missing)
            + " ("
            + _("{submitted} of {total}").format(submitted=gap.submitted, total=gap.scorecards)
            + "); "
            + ngettext(
                "{count} judge has not finished.",
                "{count} judges have not finished.",
                gap.judges_unfinished,
            ).format(count=gap.judges_unfinished)
        )
    lines.append(
        _(
            "Applicants would read averages, comments and rank bands that may still change. "
            "You can withdraw the feedback later with the same switch."
        )
    )
    return lines


released = st.toggle(
    _("Applicants can read their feedback for this round"),
    value=round_.feedback_released,
    key=RELEASE_KEY,
    on_change=ask_before_release,
    help=_(
        "Through their private link: their marks against the average of all, the jury's "
        "comments (anonymous) and their rank band, also as a PDF."
    ),
)
release = partial(
    run,
    lambda s: feedback.set_feedback_released(
        session=s, round_id=round_.id, released=released, settings=state.get_settings()
    ),
    _("Feedback released; applicants are e-mailed their link.")
    if released
    else _("Feedback withdrawn."),
)
if released != round_.feedback_released:
    if released and premature:
        confirm.confirm_dialog(
            RELEASE_DIALOG,
            title=_("Release the feedback now?"),
            lines=release_lines,
            confirm_label=_("Release the feedback"),
            action=release,
            on_cancel=lambda: st.session_state.__setitem__(RELEASE_KEY, False),
            _=_,
        )
    else:
        release()

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


FAILED = _(
    "This file could not be built. Nothing was downloaded; the details are in the server's "
    "log under the error id {error_id}."
)
downloads.download_button(
    _("Results workbook (XLSX)"),
    workbook,
    key="results_xlsx",
    file_name="results.xlsx",
    mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    failed=FAILED,
    where=head[1],
    icon=":material/download:",
    type="primary",
    help=_("Every round: leaderboard, marks, comments, adjustments, and the audit log."),
)
for column, label, build, kind, key in (
    (head[2], _("Leaderboard (CSV)"), leaderboard_csv, "leaderboard", "results_leaderboard_csv"),
    (head[3], _("Marks (CSV)"), marks_csv, "marks", "results_marks_csv"),
):
    downloads.download_button(
        label,
        build,
        key=key,
        file_name=exports.export_file_name(round_.name, kind, "csv"),
        mime="text/csv",
        failed=FAILED,
        where=column,
        icon=":material/download:",
        help=_("This round only."),
    )
try:
    with state.db_session(read_only=True) as session:
        formula = results.blend_formula(session=session, round_id=round_.id)
        table = results.round_leaderboard(session=session, round_id=round_.id)
        rows = board.compute_rows(session=session, round_id=round_.id)
        design = results.round_design(session=session, round_id=round_.id)
        calls = results.round_decision_lines(session=session, round_id=round_.id)
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
st.caption(_("Bars: the 90 % range of the total this jury would give on average."))
LINES = {"winner": _("Winner"), "podium": _("Podium"), "promotion": _("Promotion cut")}
for call in calls[calls["too_close"]].to_dict("records"):
    st.warning(
        _("{line}: too close to call between {above} and {below} (P = {p}).").format(
            line=LINES.get(call["line"], call["line"]),
            above=inert(call["above_name"]),
            below=inert(call["below_name"]),
            p=format_fixed(call["p"], language=lang),
        ),
        icon=":material/balance:",
    )
if design.weak:
    weak_design_warning(design.connectivity, design.limit, _, language=lang)
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
            "too_close_to_call",
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
