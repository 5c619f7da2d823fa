"""Organiser: judges, their personal links (with QR codes), and conflicts of interest."""

from functools import partial

import streamlit as st

from pitchjudge.printing import judge_links_sheet
from pitchjudge.qr import qr_png
from pitchjudge.services import applications, impact, judges
from pitchjudge.ui import confirm, mail_widgets, state
from pitchjudge.ui.widgets import inert, run_and_reload, show_notice

NOTICE_KEY = "judges_notice"

_ = state.gettext()
ngettext = state.ngettext()
settings = state.get_settings()
contest = state.organiser_page(_("Judges"))

show_notice(NOTICE_KEY)

LABELS = {
    "name": _("Name"),
    "email": _("Email"),
    "affiliation": _("Affiliation"),
    "reason": _("Reason"),
}


run = partial(run_and_reload, notice_key=NOTICE_KEY, _=_, labels=LABELS)


with state.db_session(read_only=True) as session:
    judge_rows = list(judges.list_judges(session=session, contest_id=contest.id))
    conflicts = list(judges.list_conflicts(session=session, contest_id=contest.id))
    flagged = judges.marks_made_before_conflicts(session=session, contest_id=contest.id)
    pitches = applications.list_applications(session=session, contest_id=contest.id)


def link_lines(judge_id: int, *, replaced: bool) -> list[str]:
    """What changing a judge's link does, in numbers (for the dialog that asks first)."""
    with state.db_session(read_only=True) as session:
        facts = impact.link_impact(session=session, judge_id=judge_id)
    lines = [
        _(
            "**{name}'s current link stops working at once**, on every device they opened it on."
        ).format(name=inert(facts.judge_name))
        + " "
        + (
            _("You will then send them the new link.")
            if replaced
            else _("They cannot score until you issue a new link.")
        )
    ]
    if facts.to_score:
        lines.append(
            ngettext(
                "They have {count} scorecard still to submit in an open round",
                "They have {count} scorecards still to submit in an open round",
                facts.to_score,
            ).format(count=facts.to_score)
            + " "
            + ngettext(
                "({drafts} already started: its marks are kept).",
                "({drafts} already started: their marks are kept).",
                facts.drafts,
            ).format(drafts=facts.drafts)
        )
    else:
        lines.append(_("They have no scorecard left to submit in an open round."))
    return lines


def deactivate_lines(judge_id: int) -> list[str]:
    """What deactivating a judge does, in numbers."""
    with state.db_session(read_only=True) as session:
        facts = impact.link_impact(session=session, judge_id=judge_id)
    lines = [
        _(
            "**{name}'s link stops working at once** and they are left out of new plans; "
            "the marks they submitted are kept. You can reactivate them later."
        ).format(name=inert(facts.judge_name))
    ]
    if facts.to_score:
        lines.append(
            ngettext(
                "{count} scorecard of theirs in an open round will not be submitted",
                "{count} scorecards of theirs in an open round will not be submitted",
                facts.to_score,
            ).format(count=facts.to_score)
            + " "
            + ngettext(
                "({drafts} already started).",
                "({drafts} already started).",
                facts.drafts,
            ).format(drafts=facts.drafts)
        )
    else:
        lines.append(_("They have no scorecard left to submit in an open round."))
    return lines


def conflict_lines(conflict_id: int) -> list[str]:
    """What removing a conflict gives back to the judge, in numbers."""
    with state.db_session(read_only=True) as session:
        facts = impact.conflict_removal(session=session, conflict_id=conflict_id)
    lines = [
        _(
            "**{judge} will see {startup}'s deck and marks** and can be assigned to score it."
        ).format(judge=inert(facts.judge_name), startup=inert(facts.startup_name))
    ]
    if facts.scorecards:
        lines.append(
            ngettext(
                "Their {count} earlier scorecard of this startup counts again.",
                "Their {count} earlier scorecards of this startup count again.",
                facts.scorecards,
            ).format(count=facts.scorecards)
        )
    return lines


links = {j.id: judges.judge_token(settings=settings, judge=j) for j in judge_rows}
active = [j for j in judge_rows if j.active and links[j.id]]

top = st.columns([3, 2], vertical_alignment="bottom")
top[0].caption(
    _("{active} active judges of {total}").format(active=len(active), total=len(judge_rows))
)
if active:
    top[1].download_button(
        _("Printable sheet of all links"),
        data=judge_links_sheet(
            contest.name,
            [
                (j.name, j.affiliation, judges.judge_link(state.base_url(), links[j.id]))
                for j in active
            ],
            hint=_(
                "Open your personal link (or scan the code) on the laptop you will judge "
                "with. Keep it to yourself: it signs you in."
            ),
        ),
        file_name="judge-links.html",
        mime="text/html",
        icon=":material/print:",
        on_click="ignore",
    )

mail_widgets.invite_all_button(contest.id, sum(1 for j in active if j.email), _=_, run=run)

if flagged:
    st.warning(
        _("Marks given before a conflict was recorded no longer count:")
        + "\n\n"
        + "\n".join(f"- {inert(j)} — {inert(p)} ({n})" for j, p, n in flagged),
        icon=":material/warning:",
    )

if not judge_rows:
    st.info(_("No judge yet. Add the first one below."))

for judge in judge_rows:
    token = links[judge.id]
    with st.container(border=True):
        head, badge = st.columns([5, 1], vertical_alignment="center")
        head.markdown(
            # Empty fields are left out (never "— —").
            " — ".join(
                part for part in (f"**{inert(judge.name)}**", inert(judge.affiliation)) if part
            )
            + f"  \n{inert(judge.email or '')}"
        )
        with badge:
            st.badge(
                _("Active") if judge.active else _("Inactive"),
                color="green" if judge.active else "gray",
            )
        with st.expander(_("Link and QR code"), icon=":material/qr_code_2:"):
            if token and judge.active:
                link = judges.judge_link(state.base_url(), token)
                left, right = st.columns([3, 1])
                left.code(link, language=None, wrap_lines=True)
                left.caption(
                    _("Send this link to the judge only: it signs them in, no password needed.")
                )
                right.image(
                    qr_png(link),
                    width=160,
                    alt=_("QR code of {name}'s personal link").format(name=judge.name),
                )
                mail_widgets.invite_one_button(judge.id, enabled=bool(judge.email), _=_, run=run)
            elif not judge.active:
                st.info(_("Inactive judges have no working link."))
            else:
                st.warning(_("This judge has no working link. Issue a new one."))
        with (
            st.expander(_("Edit"), icon=":material/edit:"),
            st.form(f"judge_edit_{judge.id}", enter_to_submit=False),
        ):
            name = st.text_input(LABELS["name"], value=judge.name, max_chars=120)
            email = st.text_input(LABELS["email"], value=judge.email, max_chars=254)
            affiliation = st.text_input(
                LABELS["affiliation"], value=judge.affiliation, max_chars=200
            )
            if st.form_submit_button(_("Save")):
                run(
                    lambda s, jid=judge.id, d=judges.JudgeInput(name, email, affiliation): (
                        judges.update_judge(session=s, judge_id=jid, data=d)
                    ),
                    _("The judge is saved."),
                )
        cols = st.columns(3)
        if judge.active:  # the link stops working: ask first, with the scorecards left
            confirm.ask_button(_("Deactivate"), key=f"judge_deactivate_{judge.id}", where=cols[0])
            confirm.confirm_dialog(
                f"judge_deactivate_{judge.id}",
                title=_("Deactivate {name}?").format(name=judge.name),
                lines=partial(deactivate_lines, judge.id),
                confirm_label=_("Deactivate"),
                action=partial(
                    run,
                    lambda s, jid=judge.id: judges.set_judge_active(
                        session=s, judge_id=jid, active=False
                    ),
                    _("The judge is saved."),
                ),
                _=_,
            )
        elif cols[0].button(_("Reactivate"), key=f"judge_active_{judge.id}"):
            run(
                lambda s, jid=judge.id: judges.set_judge_active(
                    session=s, judge_id=jid, active=True
                ),
                _("The judge is saved."),
            )
        confirm.ask_button(
            _("New link"),
            key=f"judge_reissue_{judge.id}",
            where=cols[1],
            help=_("The current link stops working."),
        )
        confirm.ask_button(
            _("Revoke the link"),
            key=f"judge_revoke_{judge.id}",
            where=cols[2],
            disabled=not token,
        )
        confirm.confirm_dialog(
            f"judge_reissue_{judge.id}",
            title=_("A new link for {name}?").format(name=judge.name),
            lines=partial(link_lines, judge.id, replaced=True),
            confirm_label=_("Make a new link"),
            action=partial(
                run,
                lambda s, jid=judge.id: judges.reissue_link(
                    session=s, settings=settings, judge_id=jid
                ),
                _("A new link is ready; the previous one no longer works."),
            ),
            _=_,
        )
        confirm.confirm_dialog(
            f"judge_revoke_{judge.id}",
            title=_("Revoke the link of {name}?").format(name=judge.name),
            lines=partial(link_lines, judge.id, replaced=False),
            confirm_label=_("Revoke the link"),
            action=partial(
                run,
                lambda s, jid=judge.id: judges.revoke_link(session=s, judge_id=jid),
                _("The link no longer works."),
            ),
            _=_,
        )

st.header(_("Add a judge"))
with st.form("judge_new", clear_on_submit=True, enter_to_submit=False):
    cols = st.columns(3)
    name = cols[0].text_input(LABELS["name"] + " *", max_chars=120, key="judge_new_name")
    email = cols[1].text_input(LABELS["email"], max_chars=254, key="judge_new_email")
    affiliation = cols[2].text_input(
        LABELS["affiliation"], max_chars=200, key="judge_new_affiliation"
    )
    if st.form_submit_button(_("Add the judge"), type="primary"):
        run(
            lambda s: judges.add_judge(
                session=s,
                settings=settings,
                contest_id=contest.id,
                data=judges.JudgeInput(name, email, affiliation),
            ),
            _("The judge is added. Send them their link."),
        )

st.header(_("Conflicts of interest"))
st.caption(_("A judge with a conflict never sees that pitch's deck or marks and cannot score it."))
if conflicts:
    for conflict, judge, pitch in conflicts:
        cols = st.columns([5, 1], vertical_alignment="center")
        who = (
            _("declared by the judge")
            if conflict.declared_by == "judge"
            else _("recorded by the organisers")
        )
        cols[0].markdown(
            f"**{inert(judge.name)}** × **{inert(pitch.startup_name)}**"
            + (f" — {inert(conflict.reason)}" if conflict.reason else "")
            + f" *({who})*"
        )
        confirm.ask_button(_("Remove"), key=f"conflict_remove_{conflict.id}", where=cols[1])
        confirm.confirm_dialog(
            f"conflict_remove_{conflict.id}",
            title=_("Remove this conflict?"),
            lines=partial(conflict_lines, conflict.id),
            confirm_label=_("Remove the conflict"),
            action=partial(
                run,
                lambda s, cid=conflict.id: judges.remove_conflict(session=s, conflict_id=cid),
                _("The conflict is removed."),
            ),
            _=_,
        )
else:
    st.info(_("No conflict recorded."))

if judge_rows and pitches:
    with st.form("conflict_new", clear_on_submit=True, enter_to_submit=False):
        cols = st.columns([2, 2, 3])
        judge_names = {j.name: j.id for j in judge_rows}
        pitch_names = {p.startup_name: p.id for p in pitches}
        chosen_judge = cols[0].selectbox(
            _("Judge"),
            options=list(judge_names),
            index=None,
            placeholder=_("Choose a judge"),
            key="conflict_judge",
        )
        chosen_pitch = cols[1].selectbox(
            _("Application"),
            options=list(pitch_names),
            index=None,
            placeholder=_("Choose an application"),
            key="conflict_pitch",
        )
        reason = cols[2].text_input(
            LABELS["reason"],
            max_chars=500,
            key="conflict_reason",
            placeholder=_("e.g. investor in the startup"),
        )
        if st.form_submit_button(_("Record the conflict")):
            if chosen_judge is None or chosen_pitch is None:
                st.error(_("Choose a judge and an application."))
            else:
                run(
                    lambda s: judges.add_conflict(
                        session=s,
                        judge_id=judge_names[chosen_judge],
                        pitch_id=pitch_names[chosen_pitch],
                        reason=reason,
                    ),
                    _("The conflict is recorded."),
                )
