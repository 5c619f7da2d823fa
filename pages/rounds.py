"""Organiser: the contest's rounds, their order and their status."""

from functools import partial

import streamlit as st

from pitchjudge.errors import PitchJudgeError
from pitchjudge.formatting import format_number
from pitchjudge.models import AssignmentMode, RoundStatus
from pitchjudge.services import contests, promotion, results
from pitchjudge.ui import state
from pitchjudge.ui.widgets import inert, run_and_reload, show_form_errors, show_notice

NOTICE_KEY = "rounds_notice"

_ = state.gettext()
lang = state.language()
ngettext = state.ngettext()
contest = state.organiser_page(_("Rounds"))

show_notice(NOTICE_KEY)

STATUS = {
    RoundStatus.DRAFT: (_("Draft"), "gray"),
    RoundStatus.OPEN: (_("Open"), "green"),
    RoundStatus.CLOSED: (_("Closed"), "orange"),
    RoundStatus.LOCKED: (_("Locked"), "violet"),
}
ACTIONS = {
    RoundStatus.OPEN: _("Open for judging"),
    RoundStatus.CLOSED: _("Close"),
    RoundStatus.LOCKED: _("Lock the results"),
}
MODES = {
    AssignmentMode.ALL: _("Every judge scores every pitch"),
    AssignmentMode.K_PER_PITCH: _("A few judges per pitch"),
}


run = partial(run_and_reload, notice_key=NOTICE_KEY, _=_)


def promotion_panel(round_, target) -> None:
    """Promote the top N, or a hand-picked set, of a closed round to the next one."""
    closed = round_.status in (RoundStatus.CLOSED, RoundStatus.LOCKED)
    with st.expander(_("Promote to {round}").format(round=target.name), icon=":material/upgrade:"):
        if not closed:
            st.caption(_("Close this round to promote its best startups to the next one."))
            return
        with state.db_session(read_only=True) as session:
            people = promotion.candidates(session=session, round_id=round_.id)
        if not people:
            st.info(_("This round has no startup."))
            return
        ranked = sum(c.rank is not None for c in people)
        top = st.columns([1, 2], vertical_alignment="bottom")
        count = top[0].number_input(
            _("How many"),
            min_value=1,
            max_value=max(1, ranked),
            value=min(max(1, ranked), 6),
            key=f"promote_count_{round_.id}",
        )
        if top[1].button(
            ngettext("Promote the top one", "Promote the top {count}", int(count)).format(
                count=int(count)
            ),
            key=f"promote_top_{round_.id}",
            type="primary",
            disabled=not ranked,
        ):

            def promote_top(s, rid=round_.id, n=int(count)):
                table = results.round_leaderboard(session=s, round_id=rid)
                ids = promotion.top_pitches(table, n)
                return promotion.promote(session=s, round_id=rid, pitch_ids=ids)

            run(
                promote_top,
                ngettext(
                    "{count} startup promoted to {round}.",
                    "{count} startups promoted to {round}.",
                    int(count),
                ).format(count=int(count), round=target.name),
            )
        labels = {
            c.pitch_id: (f"{c.rank}. " if c.rank else "– ")
            + c.startup_name
            + (f" ({format_number(c.total, language=lang)})" if c.total is not None else "")
            for c in people
        }
        picked = st.multiselect(
            _("Or pick them by hand"),
            options=list(labels),
            placeholder=_("Choose startups"),
            default=[c.pitch_id for c in people if c.in_next_round],
            format_func=labels.get,
            key=f"promote_pick_{round_.id}",
        )
        if st.button(
            ngettext("Promote this one", "Promote these {count}", len(picked)).format(
                count=len(picked)
            ),
            key=f"promote_picked_{round_.id}",
            disabled=not picked,
        ):
            run(
                lambda s, rid=round_.id, ids=tuple(picked): promotion.promote(
                    session=s, round_id=rid, pitch_ids=ids
                ),
                ngettext(
                    "{count} startup promoted to {round}.",
                    "{count} startups promoted to {round}.",
                    len(picked),
                ).format(count=len(picked), round=target.name),
            )
        now_in = [c.startup_name for c in people if c.in_next_round]
        if now_in:
            st.caption(
                _("In {round} now: {names}").format(
                    round=inert(target.name), names=", ".join(inert(n) for n in now_in)
                )
            )


def blend_panel(round_, earlier: list) -> None:
    """Blend an earlier round into this round's results, with the formula in plain words."""
    with st.expander(_("Blend with an earlier round"), icon=":material/join:"):
        with state.db_session(read_only=True) as session:
            shown = results.blend_formula(session=session, round_id=round_.id)
        st.caption(
            _("Results of this round: {formula}").format(formula=inert(shown))
            if shown
            else _("Results of this round count alone.")
        )
        names = {r.id: r.name for r in earlier}
        options = [None, *names]
        with st.form(f"blend_{round_.id}", enter_to_submit=False):
            chosen = st.selectbox(
                _("Earlier round"),
                options=options,
                index=options.index(round_.blend_round_id)
                if round_.blend_round_id in options
                else 0,
                format_func=lambda rid: _("None") if rid is None else names[rid],
            )
            share = st.slider(
                _("Its share of the total (%)"),
                min_value=1,
                max_value=99,
                value=round((round_.blend_weight or 0.3) * 100),
            )
            if st.form_submit_button(_("Save the blend")):
                run(
                    lambda s, rid=round_.id, e=chosen, w=share / 100: promotion.set_blend(
                        session=s,
                        round_id=rid,
                        earlier_round_id=e,
                        weight=None if e is None else w,
                    ),
                    _("The blend is saved."),
                )


with state.db_session(read_only=True) as session:
    rounds = list(contests.list_rounds(session=session, contest_id=contest.id))

if not rounds:
    st.info(_('No round yet. A contest usually has a "Pre-selection" and a "Final".'))

for index, round_ in enumerate(rounds):
    label, colour = STATUS[RoundStatus(round_.status)]
    with st.container(border=True):
        head, badge = st.columns([5, 1], vertical_alignment="center")
        mode = MODES[AssignmentMode(round_.assignment_mode)]
        if round_.judges_per_pitch:
            mode += f" ({round_.judges_per_pitch})"
        head.markdown(f"**{index + 1}. {inert(round_.name)}** — {mode}")
        with badge:
            st.badge(label, color=colour)
        cols = st.columns(5)
        if cols[0].button(_("Move up"), key=f"round_up_{round_.id}", disabled=index == 0):
            run(
                lambda s, rid=round_.id: contests.move_round(session=s, round_id=rid, offset=-1),
                _("The order is saved."),
            )
        if cols[1].button(
            _("Move down"), key=f"round_down_{round_.id}", disabled=index == len(rounds) - 1
        ):
            run(
                lambda s, rid=round_.id: contests.move_round(session=s, round_id=rid, offset=1),
                _("The order is saved."),
            )
        for column, target in zip(
            cols[2:4], contests.ROUND_TRANSITIONS[round_.status], strict=False
        ):
            text = (
                _("Reopen")
                if (round_.status, target) == (RoundStatus.CLOSED, RoundStatus.OPEN)
                else ACTIONS[target]
            )
            final = target == RoundStatus.LOCKED
            confirmed = not final or st.checkbox(
                _("Locking is final"),
                key=f"round_lock_confirm_{round_.id}",
                help=_("A locked round's marks and results can never change again."),
            )
            if column.button(
                text,
                key=f"round_{target}_{round_.id}",
                type="primary" if target == RoundStatus.OPEN else "secondary",
                disabled=not confirmed,
            ):
                run(
                    lambda s, rid=round_.id, t=target: contests.set_round_status(
                        session=s, round_id=rid, status=t
                    ),
                    _("{round} is now {status}.").format(
                        round=round_.name, status=STATUS[target][0].lower()
                    ),
                )
        if round_.status == RoundStatus.DRAFT and cols[4].button(
            _("Delete"), key=f"round_delete_{round_.id}"
        ):
            run(
                lambda s, rid=round_.id: contests.delete_round(session=s, round_id=rid),
                _("The round is deleted."),
            )
        if index + 1 < len(rounds):
            promotion_panel(round_, rounds[index + 1])
        if index > 0:
            blend_panel(round_, rounds[:index])

st.header(_("New round"))
LABELS = {
    "name": _("Round name"),
    "judges_per_pitch": _("Judges per pitch"),
    "assignment_mode": _("Assignment"),
}
with st.form("round_new", enter_to_submit=False):
    name = st.text_input(LABELS["name"], placeholder=_("e.g. Pre-selection, Final"))
    mode = st.radio(
        LABELS["assignment_mode"], options=list(MODES), format_func=MODES.get, horizontal=True
    )
    k = st.number_input(
        LABELS["judges_per_pitch"],
        min_value=1,
        max_value=50,
        value=3,
        help=_("Used when a few judges score each pitch."),
    )
    if st.form_submit_button(_("Create the round"), type="primary"):
        try:
            with state.db_session() as session:
                contests.create_round(
                    session=session,
                    contest_id=contest.id,
                    name=name,
                    assignment_mode=mode,
                    judges_per_pitch=int(k),
                )
        except PitchJudgeError as error:
            show_form_errors(error, _, LABELS)
        else:
            st.session_state[NOTICE_KEY] = _("The round is created.")
            st.rerun()
