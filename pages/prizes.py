"""Organiser: the prizes, their allocation (explained, ties settled by hand), the palmarès."""

from functools import partial

import streamlit as st

from pitchjudge.formatting import format_datetime, format_fixed
from pitchjudge.models import PrizeEligibility, PrizeSource
from pitchjudge.services import awards, contests
from pitchjudge.services.awards import PrizeForm
from pitchjudge.ui import confirm, state
from pitchjudge.ui.widgets import inert, run_and_reload, show_notice

NOTICE_KEY = "prizes_notice"
EDIT_KEY = "prizes_editing"  # the prize id being edited; absent: the form adds a prize
FORM_KEY = "prize_form"
FREEZE_KEY = "prizes_freeze"
UNFREEZE_KEY = "prizes_unfreeze"

_ = state.gettext()
lang = state.language()
ngettext = state.ngettext()
contest = state.organiser_page(_("Prizes"))
token = state.organiser_token()

show_notice(NOTICE_KEY)
run = partial(
    run_and_reload,
    notice_key=NOTICE_KEY,
    _=_,
    labels={
        "name": _("Name"),
        "amount": _("Amount"),
        "jury_weight": _("Jury's share (%)"),
        "category_ids": _("Categories"),
        "pitch_ids": _("Startups"),
        "pitch_id": _("Winner"),
    },
)

SOURCES = {
    PrizeSource.JURY: _("The jury ranking of a round"),
    PrizeSource.AUDIENCE: _("The audience vote"),
    PrizeSource.COMPOSITE: _("Jury and audience combined"),
}
ELIGIBILITY = {
    PrizeEligibility.ALL: _("Every startup ranked"),
    PrizeEligibility.FINALISTS: _("Finalists only (the last round)"),
    PrizeEligibility.CATEGORIES: _("Some categories"),
    PrizeEligibility.LIST: _("A hand-picked list"),
}

with state.db_session(read_only=True) as session:
    prizes = awards.list_prizes(session=session, contest_id=contest.id)
    rounds = list(contests.list_rounds(session=session, contest_id=contest.id))
    categories = list(contests.list_categories(session=session, contest_id=contest.id))
    startups = awards.startup_choices(session=session, contest_id=contest.id)
    result = awards.allocation(session=session, contest_id=contest.id, language=lang)
    palmares = awards.palmares_state(session=session, contest_id=contest.id)
    formulas = {p.id: awards.formula(p, _) for p in prizes}

round_names = {r.id: r.name for r in rounds}
category_names = {c.id: c.name for c in categories}
startup_names = dict(startups)


def money(amount: float) -> str:
    return format_fixed(amount, language=lang) if amount else ""


def describe(prize) -> str:
    """Sponsor, amount, what decides it, who may win it and whether it combines, in words."""
    parts = [inert(p) for p in (prize.sponsor, money(prize.amount)) if p]
    round_name = round_names.get(prize.round_id) if prize.round_id else None
    decided = formulas[prize.id]
    if round_name:
        decided += " — " + inert(round_name)
    parts.append(_("decided by {what}").format(what=decided))
    who = ELIGIBILITY[PrizeEligibility(prize.eligibility)]
    if prize.eligibility == PrizeEligibility.CATEGORIES:
        who += ": " + ", ".join(inert(category_names.get(c, "?")) for c in prize.category_ids or [])
    if prize.eligibility == PrizeEligibility.LIST:
        who += ": " + ", ".join(inert(startup_names.get(p, "?")) for p in prize.pitch_ids or [])
    parts.append(who)
    parts.append(
        _("one prize per startup") if prize.exclusive else _("may combine with other prizes")
    )
    return " · ".join(parts)


# --- the allocation -------------------------------------------------------------------------

st.subheader(_("Allocation"))
if not prizes:
    st.info(_("No prize yet. Define the prizes below, most prestigious first."))
elif result.frozen:
    st.success(
        _("Confirmed on {when}. The prizes cannot change until you unfreeze.").format(
            when=format_datetime(result.frozen_at, timezone=contest.timezone, language=lang)
        ),
        icon=":material/lock:",
    )
else:
    st.caption(
        _(
            "Proposed from the current results: the prizes are given from the most "
            "prestigious down, each to its best eligible startup; a startup holds one "
            "exclusive prize at most. Ties are never broken for you."
        )
    )

for index, row in enumerate(result.rows, start=1):
    with st.container(border=True):
        winner = inert(row.winner_name) if row.winner_name else "—"
        st.markdown(f"**{index}. {inert(row.prize_name)}** → **{winner}**")
        st.caption(inert(row.explanation))
        if row.outcome == "tie" and not result.frozen:
            options = [pitch for pitch, _name in row.tied]
            names = dict(row.tied)
            cols = st.columns([3, 2], vertical_alignment="bottom")
            chosen = cols[0].radio(
                _("Who wins {prize}?").format(prize=row.prize_name),
                options=options,
                format_func=lambda p, names=names: names.get(p, "?"),
                key=f"prize_tie_{row.prize_id}",
                horizontal=True,
            )
            if cols[1].button(
                _("Give the prize to this startup"), key=f"prize_pick_{row.prize_id}"
            ):
                run(
                    lambda s, pid=row.prize_id, p=chosen: awards.pick_tie(
                        session=s,
                        organiser_token=token,
                        contest_id=contest.id,
                        prize_id=pid,
                        pitch_id=p,
                    ),
                    _("Your pick is saved."),
                )


def freeze_lines() -> list[str]:
    awarded = [r for r in result.rows if r.winner_id is not None]
    total = sum(r.amount for r in awarded)
    lines = [
        ngettext(
            "{awarded} of {count} prize will be awarded",
            "{awarded} of {count} prizes will be awarded",
            len(result.rows),
        ).format(awarded=len(awarded), count=len(result.rows))
        + (_(", {amount} in all.").format(amount=money(total)) if total else ".")
    ]
    lines += [
        f"- {inert(r.prize_name)} → {inert(r.winner_name) if r.winner_name else '—'}"
        for r in result.rows
    ]
    lines.append(_("The prizes and the allocation cannot change until you unfreeze."))
    return lines


def unfreeze_lines() -> list[str]:
    lines = [
        ngettext(
            "The confirmed allocation of {count} prize goes back to a proposal.",
            "The confirmed allocation of {count} prizes goes back to a proposal.",
            len(result.rows),
        ).format(count=len(result.rows)),
        _("It will follow the current results; the ceremony and the public page stop."),
    ]
    return lines


if prizes and not result.frozen:
    confirm.ask_button(
        _("Confirm and freeze the allocation"),
        key=FREEZE_KEY,
        type="primary",
        disabled=result.pending_ties > 0,
        icon=":material/lock:",
    )
    if result.pending_ties:
        st.caption(
            ngettext(
                "{count} tie waits for your pick.",
                "{count} ties wait for your pick.",
                result.pending_ties,
            ).format(count=result.pending_ties)
        )
    confirm.confirm_dialog(
        FREEZE_KEY,
        title=_("Confirm and freeze the allocation"),
        lines=freeze_lines,
        confirm_label=_("Freeze"),
        action=partial(
            run,
            lambda s: awards.freeze(session=s, organiser_token=token, contest_id=contest.id),
            _("The allocation is confirmed."),
        ),
        _=_,
    )


def _palmares_file(kind: str) -> bytes:
    with state.db_session(read_only=True) as session:
        build = awards.palmares_pdf if kind == "pdf" else awards.palmares_csv
        return build(session=session, contest_id=contest.id, language=lang)


# --- the palmarès ---------------------------------------------------------------------------

if result.frozen:
    st.subheader(_("Palmarès"))
    cols = st.columns(3)
    cols[0].download_button(
        _("Palmarès (PDF)"),
        data=lambda: _palmares_file("pdf"),
        file_name="palmares.pdf",
        mime="application/pdf",
        icon=":material/download:",
        on_click="ignore",
        key="prizes_pdf",
    )
    cols[1].download_button(
        _("Palmarès (CSV)"),
        data=lambda: _palmares_file("csv"),
        file_name="palmares.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
        key="prizes_csv",
    )
    confirm.ask_button(_("Unfreeze"), key=UNFREEZE_KEY, where=cols[2], icon=":material/lock_open:")
    confirm.confirm_dialog(
        UNFREEZE_KEY,
        title=_("Unfreeze the allocation"),
        lines=unfreeze_lines,
        confirm_label=_("Unfreeze"),
        action=partial(
            run,
            lambda s: awards.unfreeze(session=s, organiser_token=token, contest_id=contest.id),
            _("The allocation is a proposal again."),
        ),
        _=_,
    )

    with st.container(border=True):
        st.markdown("**" + _("Ceremony on the projector") + "**")
        st.caption(
            _(
                "Every projector open on the display link shows the palmarès, prize by prize "
                "(the prize, its sponsor, then the winner), from the last prize up to the first."
            )
        )
        if not palmares.ceremony:
            if st.button(_("Start the ceremony"), key="prizes_ceremony_on", type="primary"):
                run(
                    lambda s: awards.set_ceremony(
                        session=s, organiser_token=token, contest_id=contest.id, on=True
                    ),
                    _("The ceremony is on the projector."),
                )
        else:
            with state.db_session(read_only=True) as session:
                slide = awards.ceremony_slide(session=session, contest_id=contest.id)
            if slide is not None:
                where = (
                    _("Title")
                    if slide.phase == "title"
                    else {
                        "prize": _("{prize}: the prize"),
                        "sponsor": _("{prize}: the sponsor"),
                        "winner": _("{prize}: the winner"),
                    }[slide.phase].format(prize=inert(slide.prize_name))
                )
                st.markdown(
                    _("Step {step} of {last} — {where}").format(
                        step=slide.step, last=slide.last_step, where=where
                    )
                )
            nav = st.columns(3)
            for column, label, offset, key in (
                (nav[0], _("Previous"), -1, "prizes_ceremony_previous"),
                (nav[1], _("Next"), 1, "prizes_ceremony_next"),
            ):
                if column.button(label, key=key, width="stretch"):
                    run(
                        lambda s, o=offset: awards.move_ceremony(
                            session=s, organiser_token=token, contest_id=contest.id, offset=o
                        ),
                        _("The projector follows."),
                    )
            if nav[2].button(_("End the ceremony"), key="prizes_ceremony_off", width="stretch"):
                run(
                    lambda s: awards.set_ceremony(
                        session=s, organiser_token=token, contest_id=contest.id, on=False
                    ),
                    _("The projector shows the leaderboard again."),
                )

    public = st.toggle(
        _("Public results page (/palmares)"),
        value=palmares.public,
        key="prizes_public",
        help=_("Anyone with the app's address can then read the palmarès. Off by default."),
    )
    if public != palmares.public:
        run(
            lambda s: awards.set_public(
                session=s, organiser_token=token, contest_id=contest.id, on=public
            ),
            _("The public results page is open.") if public else _("The public page is closed."),
        )


# --- the prizes -----------------------------------------------------------------------------

st.subheader(_("Prizes, most prestigious first"))
for index, prize in enumerate(prizes):
    with st.container(border=True):
        st.markdown(f"**{index + 1}. {inert(prize.name)}**")
        st.caption(describe(prize))
        if result.frozen:
            continue
        cols = st.columns(4)
        if cols[0].button(_("Move up"), key=f"prize_up_{prize.id}", disabled=index == 0):
            run(
                lambda s, pid=prize.id: awards.move_prize(
                    session=s, organiser_token=token, contest_id=contest.id, prize_id=pid, offset=-1
                ),
                _("The order is saved."),
            )
        if cols[1].button(
            _("Move down"), key=f"prize_down_{prize.id}", disabled=index == len(prizes) - 1
        ):
            run(
                lambda s, pid=prize.id: awards.move_prize(
                    session=s, organiser_token=token, contest_id=contest.id, prize_id=pid, offset=1
                ),
                _("The order is saved."),
            )
        cols[2].button(
            _("Edit"),
            key=f"prize_edit_{prize.id}",
            on_click=lambda pid=prize.id: st.session_state.update({EDIT_KEY: pid}),
        )
        delete_key = f"prize_delete_{prize.id}"
        confirm.ask_button(_("Delete"), key=delete_key, where=cols[3])
        confirm.confirm_dialog(
            delete_key,
            title=_("Delete {prize}").format(prize=prize.name),
            lines=lambda prize=prize: [
                _("The prize {prize} and its tie pick are deleted; {count} prizes remain.").format(
                    prize=inert(prize.name), count=len(prizes) - 1
                )
            ],
            confirm_label=_("Delete"),
            action=partial(
                run,
                lambda s, pid=prize.id: awards.delete_prize(
                    session=s, organiser_token=token, contest_id=contest.id, prize_id=pid
                ),
                _("The prize is deleted."),
            ),
            _=_,
        )

if not result.frozen:
    editing = next((p for p in prizes if p.id == st.session_state.get(EDIT_KEY)), None)
    st.subheader(
        _("Edit {prize}").format(prize=inert(editing.name)) if editing else _("Add a prize")
    )
    with st.form(FORM_KEY, enter_to_submit=False, clear_on_submit=editing is None):
        suffix = editing.id if editing else "new"
        name = st.text_input(
            _("Name"), value=editing.name if editing else "", max_chars=120, key=f"pf_name_{suffix}"
        )
        cols = st.columns(2)
        sponsor = cols[0].text_input(
            _("Sponsor"),
            value=editing.sponsor if editing else "",
            max_chars=120,
            key=f"pf_sponsor_{suffix}",
        )
        amount = cols[1].number_input(
            _("Amount"),
            min_value=0.0,
            value=float(editing.amount) if editing else 0.0,
            step=100.0,
            key=f"pf_amount_{suffix}",
        )
        sources = list(SOURCES)
        source = st.selectbox(
            _("What decides it"),
            options=sources,
            index=sources.index(PrizeSource(editing.source)) if editing else 0,
            format_func=lambda s: SOURCES[s],
            key=f"pf_source_{suffix}",
        )
        round_options = [None, *round_names]
        round_id = st.selectbox(
            _("Round"),
            options=round_options,
            index=round_options.index(editing.round_id)
            if editing and editing.round_id in round_options
            else 0,
            format_func=lambda r: _("The last round") if r is None else round_names[r],
            key=f"pf_round_{suffix}",
        )
        share = st.slider(
            _("Jury's share (%)"),
            min_value=0,
            max_value=100,
            value=round((editing.jury_weight if editing else 0.7) * 100),
            help=_(
                "For “jury and audience combined” only: the jury total is min–max normalised "
                "over the eligible startups (best 1, worst 0), the audience counts as the share "
                "of their votes."
            ),
            key=f"pf_share_{suffix}",
        )
        modes = list(ELIGIBILITY)
        eligibility = st.radio(
            _("Who may win it"),
            options=modes,
            index=modes.index(PrizeEligibility(editing.eligibility)) if editing else 0,
            format_func=lambda m: ELIGIBILITY[m],
            key=f"pf_eligibility_{suffix}",
        )
        chosen_categories = st.multiselect(
            _("Categories"),
            options=list(category_names),
            default=list(editing.category_ids or []) if editing else [],
            format_func=lambda c: category_names[c],
            placeholder=_("Choose categories"),
            key=f"pf_categories_{suffix}",
        )
        chosen_startups = st.multiselect(
            _("Startups"),
            options=list(startup_names),
            default=[p for p in (editing.pitch_ids or []) if p in startup_names] if editing else [],
            format_func=lambda p: startup_names[p],
            placeholder=_("Choose startups"),
            key=f"pf_startups_{suffix}",
        )
        exclusive = st.checkbox(
            _("One prize per startup (a winner of another such prize cannot take it)"),
            value=editing.exclusive if editing else True,
            key=f"pf_exclusive_{suffix}",
        )
        submitted = st.form_submit_button(
            _("Save the prize") if editing else _("Add the prize"), type="primary"
        )
    if editing and st.button(_("Cancel the edit"), key="prize_edit_cancel"):
        st.session_state.pop(EDIT_KEY, None)
        st.rerun()
    if submitted:
        form = PrizeForm(
            name=name,
            sponsor=sponsor,
            amount=float(amount),
            source=source,
            round_id=round_id,
            jury_weight=share / 100,
            eligibility=eligibility,
            category_ids=chosen_categories if eligibility == PrizeEligibility.CATEGORIES else (),
            pitch_ids=chosen_startups if eligibility == PrizeEligibility.LIST else (),
            exclusive=exclusive,
        )

        def save(s):
            saved = awards.save_prize(
                session=s,
                organiser_token=token,
                contest_id=contest.id,
                form=form,
                prize_id=editing.id if editing else None,
            )
            st.session_state.pop(EDIT_KEY, None)
            return saved

        run(save, _("The prize is saved."))
