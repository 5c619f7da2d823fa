"""Small e-mail widgets the pages share: "e-mail me my link", invitations, reminders, reply-to,
and the "e-mail is not configured" notice."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

from pitchjudge.errors import PitchJudgeError
from pitchjudge.i18n import Gettext
from pitchjudge.services import mail as outbox
from pitchjudge.ui import state
from pitchjudge.ui.widgets import show_form_errors

LINK_FORM_KEY = "mail_link_again"
LINK_SENT_KEY = "mail_link_again_sent"


def not_configured_notice(_: Gettext) -> None:
    """Warn the organiser that mail only waits in the outbox, and how much of it."""
    if state.get_settings().smtp is not None:
        return
    with state.db_session(read_only=True) as session:
        waiting = outbox.waiting_count(session=session)
    st.warning(
        _(
            "E-mail is not configured: {count} messages waiting. Set PITCHJUDGE_SMTP_URL and "
            "PITCHJUDGE_MAIL_FROM, or read and copy each message on the page Emails."
        ).format(count=waiting),
        icon=":material/mail:",
    )


def link_again_form(contest_id: int, _: Gettext) -> None:
    """E-mail me my link again: the same answer whether or not the address applied."""
    with st.form(LINK_FORM_KEY, clear_on_submit=True, enter_to_submit=True):
        st.markdown("**" + _("Lost your link?") + "**")
        email = st.text_input(
            _("The contact e-mail of your application"), max_chars=254, key="mail_link_email"
        )
        asked = st.form_submit_button(_("E-mail me my link again"), icon=":material/mail:")
    if asked:
        try:
            with state.db_session() as session:
                outbox.request_links(
                    session=session,
                    settings=state.get_settings(),
                    contest_id=contest_id,
                    email=email,
                    client=state.client_address() or None,
                    language=state.language(),
                )
        except PitchJudgeError as error:
            show_form_errors(error, _, {})
        else:
            st.session_state[LINK_SENT_KEY] = True
    if st.session_state.get(LINK_SENT_KEY):
        st.success(
            _(
                "If an application was made with this address, a message with its private "
                "link is on its way. Check your spam folder too."
            ),
            icon=":material/outgoing_mail:",
        )


def invite_one_button(judge_id: int, *, enabled: bool, _: Gettext, run) -> None:
    """E-mail one judge their link (with `run`: the page's run-and-reload)."""
    if st.button(
        _("E-mail the link"),
        key=f"judge_mail_{judge_id}",
        icon=":material/mail:",
        disabled=not enabled,
        help=_("Sends the personal link, its QR code and the rounds to the judge's address."),
    ):
        run(
            lambda s: outbox.queue_judge_invitation(
                session=s, settings=state.get_settings(), judge_id=judge_id
            ),
            _("The invitation is in the outbox."),
        )


def invite_all_button(contest_id: int, count: int, *, _: Gettext, run) -> None:
    """E-mail every active judge with an address their link; the label says how many."""
    if st.button(
        _("E-mail their links to {count} judges").format(count=count),
        key="judges_mail_all",
        icon=":material/forward_to_inbox:",
        disabled=count == 0,
    ):
        run(
            lambda s: outbox.queue_invitations(
                session=s, settings=state.get_settings(), contest_id=contest_id
            ),
            _("{count} invitations are in the outbox.").format(count=count),
        )


def remind_late_button(round_id: int, late: Sequence[int], *, _: Gettext, key: str) -> None:
    """One click: e-mail each late judge what they have left in the round."""
    if not late:
        return
    if st.button(
        _("E-mail a reminder to the {count} late judges").format(count=len(late)),
        key=key,
        icon=":material/notifications:",
    ):
        try:
            with state.db_session() as session:
                result = outbox.queue_reminders(
                    session=session,
                    settings=state.get_settings(),
                    round_id=round_id,
                    judge_ids=list(late),
                )
        except PitchJudgeError as error:
            state.show_error(error)
            return
        message = _("{count} reminders are in the outbox.").format(count=result.queued)
        if result.skipped:
            message += " " + _("No address or no working link: {names}.").format(
                names=", ".join(result.skipped)
            )
        st.success(message, icon=":material/outgoing_mail:")


def reply_to_form(contest_id: int, current: str, _: Gettext, notice_key: str) -> None:
    """The organiser's address that replies to the app's e-mails go to."""
    with st.form("contest_reply_to", enter_to_submit=False):
        value = st.text_input(
            _("Reply-to address of the e-mails"),
            value=current,
            max_chars=254,
            help=_("Applicants' and judges' replies go there (usually the organisers' address)."),
        )
        if st.form_submit_button(_("Save the address")):
            try:
                with state.db_session() as session:
                    outbox.set_reply_to(session=session, contest_id=contest_id, reply_to=value)
            except PitchJudgeError as error:
                state.show_error(error)
            else:
                st.session_state[notice_key] = _("The reply-to address is saved.")
                st.rerun()
