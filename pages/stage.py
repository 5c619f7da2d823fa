"""Organiser: run the live final — running order, who is on stage, pitch and Q&A timers."""

from functools import partial

import pandas as pd
import streamlit as st

from pitchjudge.formatting import format_number
from pitchjudge.models import RoundStatus
from pitchjudge.services import board, contests, stage
from pitchjudge.ui import state
from pitchjudge.ui.timer import stage_timer
from pitchjudge.ui.vote_panel import vote_panel
from pitchjudge.ui.widgets import inert, round_picker, run_and_reload, show_notice

NOTICE_KEY = "stage_notice"


def order_key(round_id: int, pitch_ids: list[int]) -> str:
    """The running-order editor's key: one per round and order."""
    return f"stage_order_{round_id}_" + "-".join(str(p) for p in pitch_ids)


_ = state.gettext()
lang = state.language()
settings = state.get_settings()
contest = state.organiser_page(_("Stage"))
show_notice(NOTICE_KEY)
run = partial(run_and_reload, notice_key=NOTICE_KEY, _=_)

with state.db_session(read_only=True) as session:
    rounds = list(contests.list_rounds(session=session, contest_id=contest.id))
round_ = round_picker(rounds, _, key="stage_round")
if round_ is None:
    st.stop()

with state.db_session(read_only=True) as session:
    slots = stage.running_order(session=session, round_id=round_.id)
if not slots:  # a first running order, by application (written once, not on every run)
    with state.db_session() as session:
        stage.ensure_running_order(session=session, round_id=round_.id)
with state.db_session(read_only=True) as session:
    slots = stage.running_order(session=session, round_id=round_.id)
    now = stage.round_stage_now(session=session, round_id=round_.id)
    timing = stage.timing(session=session, contest_id=contest.id)

PHASES = {
    stage.WAITING: _("Waiting"),
    stage.PITCH: _("Pitching"),
    stage.QA: _("Q&A"),
    stage.DONE: _("Done"),
}

if not slots:
    st.info(
        _(
            "No startup in this round yet. The first round takes every application; a later "
            "round takes the startups promoted to it (page Rounds)."
        )
    )
    st.stop()
live = round_.status == RoundStatus.OPEN
if not live:
    st.warning(
        _("Open this round (page Rounds) to run the stage. The running order can be set now."),
        icon=":material/info:",
    )

left, right = st.columns([3, 2], gap="large")
with left, st.container(border=True):
    if now.pitch_id is None:
        st.markdown("### " + _("Nobody on stage"))
        if now.next_startup:
            st.caption(_("Next: {name}").format(name=inert(now.next_startup)))
    else:
        st.markdown(
            f"### {inert(now.startup_name)}  \n"
            + _("{phase} · {position} of {total}").format(
                phase=PHASES[now.phase], position=now.position, total=now.total
            )
        )
    stage_timer(now, _, size="large", key="stage_timer")

    waiting = [s for s in slots if s.phase == stage.WAITING]
    # One big button for what usually comes next; the others beside it, smaller.
    if now.phase == stage.PITCH:
        if st.button(
            _("Start the Q&A"),
            type="primary",
            icon=":material/forum:",
            disabled=not live,
            width="stretch",
            key="stage_qa",
        ):
            run(lambda s: stage.start_qa(session=s, round_id=round_.id), _("Q&A started."))
    elif waiting:
        if st.button(
            _("Next on stage: {name}").format(name=inert(waiting[0].startup_name)),
            type="primary",
            icon=":material/play_arrow:",
            disabled=not live,
            width="stretch",
            key="stage_next",
        ):
            run(
                lambda s: stage.start_next(session=s, round_id=round_.id),
                _("{name} is on stage.").format(name=inert(waiting[0].startup_name)),
            )
    elif now.phase == stage.WAITING:
        st.success(_("Every startup has pitched."), icon=":material/celebration:")
    buttons = st.columns(2)
    if now.phase in (stage.PITCH, stage.QA) and buttons[0].button(
        _("End: leave the stage"),
        icon=":material/stop_circle:",
        disabled=not live,
        width="stretch",
        key="stage_end",
    ):
        run(lambda s: stage.end_on_stage(session=s, round_id=round_.id), _("Off stage."))
    with buttons[1].popover(
        _("Out of order…"), icon=":material/swap_vert:", disabled=not waiting, width="stretch"
    ):
        names = {s.pitch_id: s.startup_name for s in waiting}
        chosen = st.selectbox(
            _("Startup"), options=list(names), format_func=names.get, key="stage_pick"
        )
        if st.button(_("Put on stage now"), key="stage_pick_go", disabled=not live):
            run(
                lambda s: stage.start_pitch(session=s, round_id=round_.id, pitch_id=chosen),
                _("{name} is on stage.").format(name=inert(names.get(chosen, ""))),
            )

    for slot in slots:
        if slot.penalty_points > 0 and slot.penalty_decision is None and slot.phase != "pitch":
            with st.container(border=True):
                st.markdown(
                    _(
                        "**{name}** pitched {over} s over time: proposed penalty "
                        "**−{points}** points."
                    ).format(
                        name=inert(slot.startup_name),
                        over=round(slot.overtime_seconds),
                        points=format_number(slot.penalty_points, language=lang),
                    )
                )
                cols = st.columns(2)
                if cols[0].button(
                    _("Apply the penalty"), key=f"penalty_apply_{slot.pitch_id}", type="primary"
                ):
                    run(
                        lambda s, pid=slot.pitch_id: stage.decide_penalty(
                            session=s, round_id=round_.id, pitch_id=pid, apply=True
                        ),
                        _("Penalty applied: it is now in the results."),
                    )
                if cols[1].button(_("Waive it"), key=f"penalty_waive_{slot.pitch_id}"):
                    run(
                        lambda s, pid=slot.pitch_id: stage.decide_penalty(
                            session=s, round_id=round_.id, pitch_id=pid, apply=False
                        ),
                        _("Penalty waived."),
                    )

with right:
    st.subheader(_("Running order"))
    table = pd.DataFrame(
        {
            "order": [s.position for s in slots],
            "startup": [s.startup_name for s in slots],
            "phase": [PHASES[s.phase] for s in slots],
            "pitch_time": [
                ""
                if s.pitch_seconds_used is None
                else f"{int(s.pitch_seconds_used) // 60}:{int(s.pitch_seconds_used) % 60:02d}"
                for s in slots
            ],
        },
        index=[s.pitch_id for s in slots],
    )
    edited = st.data_editor(
        table,
        # A new order gets a fresh editor: edits are kept by row number, and would otherwise
        # be applied again to the startups now on those rows.
        key=order_key(round_.id, [s.pitch_id for s in slots]),
        hide_index=True,
        width="stretch",
        disabled=["startup", "phase", "pitch_time"],
        column_config={
            "order": st.column_config.NumberColumn(
                _("Order"), min_value=1, max_value=len(slots), step=1, required=True
            ),
            "startup": st.column_config.TextColumn(_("Startup")),
            "phase": st.column_config.TextColumn(_("Status")),
            "pitch_time": st.column_config.TextColumn(_("Pitch time")),
        },
    )
    cols = st.columns(2)
    if cols[0].button(_("Save the order"), icon=":material/save:", key="stage_save_order"):
        numbers = list(edited["order"])
        if any(pd.isna(n) for n in numbers) or len(set(numbers)) != len(numbers):
            st.error(_("Give every startup a different number."))
        else:
            ordered = [int(pid) for pid in edited.sort_values("order").index]
            run(
                lambda s: stage.set_running_order(session=s, round_id=round_.id, pitch_ids=ordered),
                _("The running order is saved."),
            )
    if cols[1].button(_("Draw lots"), icon=":material/casino:", key="stage_draw"):
        run(
            lambda s: stage.draw_running_order(session=s, round_id=round_.id),
            _("Lots drawn: the running order is new (startups already on stage keep theirs)."),
        )

with st.expander(_("Timers and rules"), icon=":material/timer:"), st.form("stage_timing"):
    cols = st.columns(3)
    pitch_minutes = cols[0].number_input(
        _("Pitch (minutes)"),
        min_value=0.5,
        max_value=60.0,
        step=0.5,
        value=timing.pitch_seconds / 60,
    )
    qa_minutes = cols[1].number_input(
        _("Q&A (minutes)"),
        min_value=0.0,
        max_value=60.0,
        step=0.5,
        value=timing.qa_seconds / 60,
    )
    penalty = cols[2].number_input(
        _("Overtime penalty (points per started minute)"),
        min_value=0.0,
        max_value=100.0,
        step=0.5,
        value=float(timing.overtime_penalty),
        help=_("0: no penalty is proposed. Each penalty is proposed to you to confirm."),
    )
    after_qa = st.toggle(
        _("Judges can score a startup only once its Q&A has ended"),
        value=round_.scoring_after_qa,
        help=_("They can still take notes while it pitches."),
    )
    announced = stage.start_time_local(contest)
    cols = st.columns([2, 1, 1], vertical_alignment="bottom")
    announce = cols[0].toggle(
        _("Announce the start on the stage screen"),
        value=announced is not None,
        key="stage_announce",
        help=_("Before the first startup goes on stage, the stage screen shows this time."),
    )
    start_day = cols[1].date_input(
        _("Day"),
        value=announced[0] if announced else "today",
        format="DD/MM/YYYY",
        key="stage_start_day",
    )
    start_time = cols[2].time_input(
        _("Start time"),
        value=announced[1] if announced else "19:00",
        step=300,
        key="stage_start_time",
    )
    if st.form_submit_button(_("Save"), type="primary"):

        def save(s):
            stage.set_timing(
                session=s,
                contest_id=contest.id,
                settings=stage.Timing(
                    pitch_seconds=round(pitch_minutes * 60),
                    qa_seconds=round(qa_minutes * 60),
                    overtime_penalty=float(penalty),
                ),
            )
            stage.set_scoring_after_qa(session=s, round_id=round_.id, enabled=after_qa)
            stage.set_start_time(
                session=s,
                contest_id=contest.id,
                day=start_day if announce else None,
                at=start_time if announce else None,
            )

        run(save, _("Timers and rules saved."))

with st.expander(_("Stage screen"), icon=":material/cast:"):
    token = state.display_token(contest.id)
    st.caption(_("A big clock and the startup on stage, for a screen the speakers can see:"))
    st.code(board.stage_screen_link(state.base_url(), token), language=None, wrap_lines=True)

with st.expander(_("Audience vote"), icon=":material/how_to_vote:"):
    vote_panel(contest, round_, _)
