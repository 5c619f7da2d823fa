"""Organiser: the contest's rounds, their order and their status."""

from functools import partial

import streamlit as st

from pitchjudge.errors import PitchJudgeError
from pitchjudge.formatting import format_number
from pitchjudge.models import AssignmentMode, RoundStatus
from pitchjudge.services import contests, impact, promotion, results
from pitchjudge.ui import confirm, state
from pitchjudge.ui.widgets import inert, run_and_reload, show_form_errors, show_notice

NOTICE_KEY = "rounds_notice"
UNDO_KEY = "rounds_undo"  # (label, round id, status to go back to | pitch ids to promote)

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
    with st.expander(
        _("Promote to {round}").format(round=inert(target.name)), icon=":material/upgrade:"
    ):
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
        before = sorted(c.pitch_id for c in people if c.in_next_round)

        def promote(s, rid=round_.id, n=None, ids=()):
            if n is not None:
                table = results.round_leaderboard(session=s, round_id=rid)
                ids = promotion.top_pitches(table, n)
            done = promotion.promote(session=s, round_id=rid, pitch_ids=ids)
            if not before:  # the first promotion: nothing to put back
                return done
            st.session_state[UNDO_KEY] = (
                _("Undo: put back the previous {count} in {round}").format(
                    count=len(before), round=inert(target.name)
                ),
                rid,
                before,
            )
            return done

        def change_lines(rid=round_.id, n=None, ids=()) -> list[str]:
            with state.db_session(read_only=True) as session:
                if n is not None:
                    table = results.round_leaderboard(session=session, round_id=rid)
                    ids = promotion.top_pitches(table, n)
                change = impact.promotion_change(session=session, round_id=rid, pitch_ids=ids)
            return promotion_lines(change, len(ids))

        def promote_button(key: str, label: str, count: int, *, n=None, ids=(), **kwargs) -> None:
            """Asks first, with who enters and who leaves (the top `n`, or `ids`)."""
            confirm.ask_button(label, key=key, **kwargs)
            confirm.confirm_dialog(
                key,
                title=label,
                lines=partial(change_lines, n=n, ids=ids),
                confirm_label=label,
                action=partial(
                    run,
                    partial(promote, n=n, ids=ids),
                    ngettext(
                        "{count} startup promoted to {round}.",
                        "{count} startups promoted to {round}.",
                        count,
                    ).format(count=count, round=inert(target.name)),
                ),
                _=_,
            )

        promote_button(
            f"promote_top_{round_.id}",
            ngettext("Promote the top {count}", "Promote the top {count}", int(count)).format(
                count=int(count)
            ),
            int(count),
            n=int(count),
            where=top[1],
            type="primary",
            disabled=not ranked,
        )
        labels = {
            c.pitch_id: (f"{c.rank}. " if c.rank else "– ")
            + c.startup_name
            + (f" ({format_number(c.total, language=lang)})" if c.total is not None else "")
            for c in people
        }
        # The key follows the set in the next round: after any promotion the box starts
        # again from what is now there (a kept selection would offer to undo it).
        picked = st.multiselect(
            _("Or pick them by hand"),
            options=list(labels),
            default=before,
            format_func=labels.get,
            key=f"promote_pick_{round_.id}_{'-'.join(map(str, before))}",
            placeholder=_("Choose startups"),
        )
        same = sorted(picked) == before
        promote_button(
            f"promote_picked_{round_.id}",
            ngettext("Promote this {count}", "Promote these {count}", len(picked)).format(
                count=len(picked)
            ),
            len(picked),
            ids=tuple(picked),
            disabled=not picked or same,
            help=_("These are the startups in the next round now.") if same and picked else None,
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


def set_status(s, *, round_id: int, status: str, back: str):
    """Change a round's status; closing can be undone (reopened) from the notice."""
    done = contests.set_round_status(session=s, round_id=round_id, status=status)
    if status == RoundStatus.CLOSED:
        st.session_state[UNDO_KEY] = (
            _("Undo: reopen {round}").format(round=done.name),
            round_id,
            back,
        )
    return done


def status_lines(round_id: int, target: str) -> list[str]:
    """What closing or locking a round means, with its missing scorecards counted."""
    with state.db_session(read_only=True) as session:
        gap = impact.scoring_gap(session=session, round_id=round_id)
    lines = []
    if gap.missing:
        lines.append(
            "**"
            + ngettext(
                "{count} scorecard is not submitted",
                "{count} scorecards are not submitted",
                gap.missing,
            ).format(count=gap.missing)
            + "; "
            + ngettext(
                "{count} judge has not finished.",
                "{count} judges have not finished.",
                gap.judges_unfinished,
            ).format(count=gap.judges_unfinished)
            + "**"
        )
        lines.append(
            _("{submitted} of {total} scorecards are submitted; only submitted ones count.").format(
                submitted=gap.submitted, total=gap.scorecards
            )
        )
    else:
        lines.append(_("All {total} scorecards are submitted.").format(total=gap.scorecards))
    if target == RoundStatus.CLOSED:
        lines.append(
            _("Judges can no longer change anything in this round. You can reopen it later.")
        )
    else:
        lines.append(
            _("**Locking is final**: this round's marks and results can never change again.")
        )
    return lines


def promotion_lines(change, count: int) -> list[str]:
    """Who enters and who leaves the next round, by name and in numbers."""
    if change is None:
        return [_("This is the last round: add a round to promote startups to.")]
    lines = [
        ngettext(
            "{count} startup will be in {round}.",
            "{count} startups will be in {round}.",
            count,
        ).format(count=count, round=inert(change.target_name))
    ]
    if change.before:
        lines.append(
            "**"
            + ngettext(
                "This replaces the {count} startup in {round} now.",
                "This replaces the {count} startups in {round} now.",
                len(change.before),
            ).format(count=len(change.before), round=inert(change.target_name))
            + "**"
        )
    if change.leaving:
        lines.append(
            ngettext(
                "{count} leaves: {names}", "{count} leave: {names}", len(change.leaving)
            ).format(count=len(change.leaving), names=", ".join(inert(n) for n in change.leaving))
        )
    if change.entering:
        lines.append(
            ngettext(
                "{count} enters: {names}", "{count} enter: {names}", len(change.entering)
            ).format(count=len(change.entering), names=", ".join(inert(n) for n in change.entering))
        )
    if change.before and not change.leaving and not change.entering:
        lines.append(_("Nothing changes."))
    return lines


def undo(entry: tuple) -> None:
    """Undo the last close or promotion (a button's callback)."""
    _label, round_id, back = entry
    try:
        with state.db_session() as session:
            if isinstance(back, str):
                contests.set_round_status(session=session, round_id=round_id, status=back)
            else:
                promotion.promote(session=session, round_id=round_id, pitch_ids=back)
    except PitchJudgeError as error:
        st.session_state[NOTICE_KEY] = None
        st.session_state["rounds_undo_error"] = error.localized(_)
    else:
        st.session_state[NOTICE_KEY] = _("Undone.")


# Offered once, right after the action, beside its notice.
if entry := st.session_state.pop(UNDO_KEY, None):
    st.button(
        entry[0], key="rounds_undo_button", on_click=undo, args=(entry,), icon=":material/undo:"
    )
if message := st.session_state.pop("rounds_undo_error", None):
    st.error(message, icon=":material/error:")

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
            key = f"round_{target}_{round_.id}"
            change = partial(
                run,
                partial(set_status, round_id=round_.id, status=target, back=round_.status),
                _("{round} is now {status}.").format(
                    round=round_.name, status=STATUS[target][0].lower()
                ),
            )
            kind = "primary" if target == RoundStatus.OPEN else "secondary"
            if target in (RoundStatus.CLOSED, RoundStatus.LOCKED):
                confirm.ask_button(text, key=key, where=column, type=kind)
                confirm.confirm_dialog(
                    key,
                    title=_("{action}: {round}?").format(action=text, round=round_.name),
                    lines=partial(status_lines, round_.id, target),
                    confirm_label=_("Close the round") if target == RoundStatus.CLOSED else text,
                    action=change,
                    _=_,
                )
            elif column.button(text, key=key, type=kind):
                change()
        if round_.status == RoundStatus.DRAFT:
            key = f"round_delete_{round_.id}"
            confirm.ask_button(_("Delete"), key=key, where=cols[4])
            confirm.confirm_dialog(
                key,
                title=_("Delete {round}?").format(round=round_.name),
                lines=lambda: [
                    _(
                        "The round, its settings and its assignments are deleted. It has no "
                        "marks (a round with marks cannot be deleted)."
                    )
                ],
                confirm_label=_("Delete"),
                action=partial(
                    run,
                    lambda s, rid=round_.id: contests.delete_round(session=s, round_id=rid),
                    _("The round is deleted."),
                ),
                _=_,
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
# A new key after each round created: the form starts empty again (no duplicate by accident).
NEW_FORM_KEY = "round_new_generation"
generation = st.session_state.get(NEW_FORM_KEY, 0)
with st.form(f"round_new_{generation}", enter_to_submit=False):
    name = st.text_input(
        LABELS["name"],
        placeholder=_("e.g. Pre-selection, Final"),
        key=f"round_new_name_{generation}",
    )
    mode = st.radio(
        LABELS["assignment_mode"],
        options=list(MODES),
        format_func=MODES.get,
        horizontal=True,
        key=f"round_new_mode_{generation}",
    )
    k = st.number_input(
        LABELS["judges_per_pitch"],
        min_value=1,
        max_value=50,
        value=3,
        help=_("Used when a few judges score each pitch."),
        key=f"round_new_k_{generation}",
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
            st.session_state[NEW_FORM_KEY] = generation + 1
            st.rerun()
