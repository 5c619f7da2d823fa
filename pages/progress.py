"""Organiser: a round's progress — who has scored what, who is late, and any scorecard's history."""

import pandas as pd
import streamlit as st

from pitchjudge.formatting import format_datetime_short, format_number_text
from pitchjudge.services import contests, scoring
from pitchjudge.ui import mail_widgets, state
from pitchjudge.ui.unjudged import unjudged_warning
from pitchjudge.ui.widgets import inert, round_picker, show_notice

NOTICE_KEY = "progress_notice"

_ = state.gettext()
pgettext = state.pgettext()
ngettext = state.ngettext()
lang = state.language()
contest = state.organiser_page(_("Progress"))
show_notice(NOTICE_KEY)

with state.db_session(read_only=True) as session:
    rounds = list(contests.list_rounds(session=session, contest_id=contest.id))
round_ = round_picker(rounds, _, key="progress_round")
if round_ is None:
    st.stop()
unjudged_warning(round_, notice_key=NOTICE_KEY, _=_, ngettext=ngettext)


@st.fragment(run_every="10s")
def live_progress() -> None:
    """Refreshes by itself while the organiser watches the round fill up."""
    with state.db_session(read_only=True) as session:
        progress = scoring.round_progress(session=session, round_id=round_.id)
    if not progress.judges or not progress.pitches:
        st.info(_("No judge or no application in this round yet."))
        return
    labels = {
        "submitted": pgettext("scorecard", "Submitted"),
        "draft": pgettext("scorecard", "Draft"),
        "not_started": pgettext("scorecard", "Not started"),
        "conflict": _("Conflict"),
        "unassigned": "",
    }
    done = sum(d for d, _t in progress.completion.values())
    total = sum(t for _d, t in progress.completion.values())
    cols = st.columns(3)
    cols[0].metric(_("Scorecards submitted"), f"{done} / {total}")
    cols[1].metric(_("Round"), round_.name)
    cols[2].metric(_("Late judges"), len(progress.late))
    st.progress(done / total if total else 0.0)

    st.subheader(_("Judges"))
    names = {j.id: j.name for j in progress.judges}
    st.dataframe(
        pd.DataFrame(
            {
                _("Judge"): [j.name for j in progress.judges],
                pgettext("scorecard", "Submitted"): [
                    progress.completion[j.id][0] for j in progress.judges
                ],
                _("Assigned"): [progress.completion[j.id][1] for j in progress.judges],
                _("Completion"): [
                    100 * d / t if t else 0.0
                    for d, t in (progress.completion[j.id] for j in progress.judges)
                ],
                _("Late"): [_("late") if j.id in progress.late else "" for j in progress.judges],
            }
        ),
        column_config={
            _("Completion"): st.column_config.ProgressColumn(
                _("Completion"), format="%.0f %%", min_value=0, max_value=100
            )
        },
        hide_index=True,
        width="stretch",
    )
    if progress.late:
        st.warning(
            _("Late: {names}").format(names=", ".join(inert(names[j]) for j in progress.late)),
            icon=":material/schedule:",
        )
        if round_.status == "open":
            mail_widgets.remind_late_button(round_.id, progress.late, _=_, key="progress_remind")

    st.subheader(_("Judges × pitches"))
    colours = {
        "submitted": "#c3f0c8",
        "draft": "#ffe8a3",
        "not_started": "#f3f3f3",
        "conflict": "#f7c1c1",
        "unassigned": "#ffffff",
    }
    states = pd.DataFrame(
        {j.name: [progress.cells[(j.id, p.id)] for p in progress.pitches] for j in progress.judges},
        index=[p.startup_name for p in progress.pitches],
    )
    styled = states.replace(labels).style.apply(
        lambda column: [f"background-color: {colours[s]}" for s in states[column.name]]
    )
    st.dataframe(styled, width="stretch", height=min(38 * (len(progress.pitches) + 1), 600))


live_progress()

st.subheader(_("History of a scorecard"))
with state.db_session(read_only=True) as session:
    progress = scoring.round_progress(session=session, round_id=round_.id)
if progress.judges and progress.pitches:
    cols = st.columns(2)
    judge_names = {j.name: j.id for j in progress.judges}
    pitch_names = {p.startup_name: p.id for p in progress.pitches}
    judge_name = cols[0].selectbox(_("Judge"), options=list(judge_names), key="history_judge")
    pitch_name = cols[1].selectbox(_("Application"), options=list(pitch_names), key="history_pitch")
    with state.db_session(read_only=True) as session:
        events = scoring.scorecard_history_rows(
            session=session,
            round_id=round_.id,
            judge_id=judge_names[judge_name],
            pitch_id=pitch_names[pitch_name],
        )
    fields = {
        "comment": _("Comment for the applicant"),
        "private_note": _("Private note"),
        "status": _("Status"),
    }
    statuses = {
        "submitted": pgettext("scorecard", "Submitted"),
        "draft": pgettext("scorecard", "Draft"),
    }

    def shown_value(what: str, value: str) -> str:
        """A status in words ("draft" → "Brouillon"), a number as the contest writes it."""
        if what == "status":
            return statuses.get(value, value)
        return format_number_text(value, language=lang)

    if events:
        st.dataframe(
            pd.DataFrame(
                {
                    _("When"): [
                        format_datetime_short(e.at, timezone=contest.timezone, language=lang)
                        for e in events
                    ],
                    _("What"): [fields.get(e.what, e.what) for e in events],
                    _("Before"): [shown_value(e.what, e.before) for e in events],
                    _("After"): [shown_value(e.what, e.after) for e in events],
                }
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info(_("Nothing recorded yet for this scorecard."))
