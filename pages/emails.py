"""Organiser: the outbox (queued, sent, failed, with the server's answers), resend, decision
notices after a preview, and every template with sample data and its editable intro."""

import pandas as pd
import streamlit as st

from pitchjudge import mail
from pitchjudge.errors import PitchJudgeError
from pitchjudge.formatting import format_datetime_short
from pitchjudge.i18n import LANGUAGES
from pitchjudge.services import applications
from pitchjudge.services import mail as outbox
from pitchjudge.ui import state
from pitchjudge.ui.mail_widgets import not_configured_notice
from pitchjudge.ui.widgets import inert, show_notice

NOTICE_KEY = "emails_notice"
STATUS_KEY = "emails_status"
MESSAGE_KEY = "emails_message"

_ = state.gettext()
ngettext = state.ngettext()
lang = state.language()
settings = state.get_settings()
contest = state.organiser_page(_("Emails"))

show_notice(NOTICE_KEY)
not_configured_notice(_)

STATUS_WORDS = {
    "queued": _("Queued"),
    "sending": _("Sending"),
    "sent": _("Sent"),
    "failed": _("Failed"),
}

with state.db_session(read_only=True) as session:
    counts = outbox.outbox_counts(session=session)
cols = st.columns(4)
for column, status in zip(cols, ("queued", "sending", "sent", "failed"), strict=True):
    column.metric(STATUS_WORDS[status], counts[status])

if counts["failed"]:
    st.warning(
        ngettext(
            "{count} message could not be sent: it is first in the outbox below, with the mail "
            "server's answer.",
            "{count} messages could not be sent: they are first in the outbox below, with the "
            "mail server's answer.",
            counts["failed"],
        ).format(count=counts["failed"]),
        icon=":material/error:",
    )

outbox_tab, decisions_tab, templates_tab = st.tabs(
    [_("Outbox"), _("Decision notices"), _("Templates")]
)

with outbox_tab:
    chosen = st.segmented_control(
        _("Show"),
        options=["", "queued", "sent", "failed"],
        format_func=lambda s: STATUS_WORDS.get(s, _("All")),
        default="",
        key=STATUS_KEY,
    )
    with state.db_session(read_only=True) as session:
        messages = list(outbox.list_outbox(session=session, status=chosen or None))
    if not messages:
        st.info(_("No message here yet."))
    else:
        st.dataframe(
            pd.DataFrame(
                {
                    _("Created"): [
                        format_datetime_short(
                            m.created_at, timezone=contest.timezone, language=lang
                        )
                        for m in messages
                    ],
                    _("Recipient"): [m.to_address for m in messages],
                    _("Type"): [_(mail.KINDS.get(m.kind, m.kind)) for m in messages],
                    _("Status"): [STATUS_WORDS.get(m.status, m.status) for m in messages],
                    _("Attempts"): [m.attempts for m in messages],
                    _("Sent"): [
                        format_datetime_short(m.sent_at, timezone=contest.timezone, language=lang)
                        if m.sent_at
                        else ""
                        for m in messages
                    ],
                    _("Server's answer"): [m.smtp_answer for m in messages],
                    _("Subject"): [m.subject for m in messages],
                }
            ),
            hide_index=True,
            width="stretch",
        )
        by_id = {m.id: m for m in messages}
        # Chosen by id, not by its label: after "send again" the same message stays open,
        # with its new status (its label, and its place in the list, change).
        message_id = st.selectbox(
            _("Read a message"),
            options=list(by_id),
            format_func=lambda i: (
                f"#{i} · {STATUS_WORDS.get(by_id[i].status, by_id[i].status)} · "
                f"{by_id[i].to_address} · {by_id[i].subject}"
            ),
            key=MESSAGE_KEY,
        )
        message = by_id[message_id]
        st.markdown(
            f"**{_('To')}:** {inert(message.to_name)} — {inert(message.to_address)}  \n"
            f"**{_('Subject')}:** {inert(message.subject)}  \n"
            f"**{_('Status')}:** {STATUS_WORDS.get(message.status, message.status)}"
            + (f" — {inert(message.smtp_answer)}" if message.smtp_answer else "")
        )
        text_tab, html_tab = st.tabs([_("Text (to copy)"), _("As sent (HTML)")])
        text_tab.code(message.body_text, language=None, wrap_lines=True)
        with html_tab:
            st.html(message.body_html)
        again = (
            _("Send a copy again") if message.status == "sent" else _("Try to send it again now")
        )
        if st.button(again, key=f"emails_resend_{message.id}", icon=":material/replay:"):
            with state.db_session() as session:
                outbox.resend(session=session, settings=settings, message_id=message.id)
            st.session_state[NOTICE_KEY] = _("The message is queued again.")
            st.rerun()

with decisions_tab:
    st.caption(
        _(
            "Optional: tell applicants your decision. Nothing is sent before you have read the "
            "preview and clicked Send."
        )
    )
    kind = st.selectbox(
        _("Decision"),
        options=list(mail.DECISIONS),
        format_func=lambda k: _(mail.KINDS[k]),
        key="emails_decision_kind",
    )
    with state.db_session(read_only=True) as session:
        candidates = outbox.decision_candidates(session=session, contest_id=contest.id, kind=kind)
        every = applications.list_applications(session=session, contest_id=contest.id)
    names = {row.id: row.startup_name for row in every if row.status != "withdrawn"}
    chosen_ids = st.multiselect(
        _("Applications"),
        options=list(names),
        default=[p.id for p in candidates if p.id in names],
        format_func=names.__getitem__,
        key=f"emails_decision_pitches_{kind}",
        placeholder=_("Choose applications"),
    )
    if chosen_ids:
        with state.db_session(read_only=True) as session:
            drafts = outbox.decision_drafts(
                session=session,
                settings=settings,
                contest_id=contest.id,
                kind=kind,
                pitch_ids=chosen_ids,
            )
        st.markdown(f"**{_('Preview')}** — {inert(drafts[0].subject)}")
        st.code(drafts[0].body_text, language=None, wrap_lines=True)
        if st.button(
            _("Send {count} notices").format(count=len(chosen_ids)),
            type="primary",
            key="emails_decision_send",
            icon=":material/send:",
        ):
            try:
                with state.db_session() as session:
                    count = outbox.queue_decisions(
                        session=session,
                        settings=settings,
                        contest_id=contest.id,
                        kind=kind,
                        pitch_ids=chosen_ids,
                    )
            except PitchJudgeError as error:
                state.show_error(error)
            else:
                st.session_state[NOTICE_KEY] = _(
                    "{count} notices are in the outbox (an application already told is not "
                    "told twice)."
                ).format(count=count)
                st.rerun()
    else:
        st.info(_("Choose the applications to notify."))

with templates_tab:
    cols = st.columns(2)
    template = cols[0].selectbox(
        _("Message type"),
        options=list(mail.KINDS),
        format_func=lambda k: _(mail.KINDS[k]),
        key="emails_template_kind",
    )
    preview_lang = cols[1].selectbox(
        _("Language"),
        options=list(LANGUAGES),
        format_func=LANGUAGES.__getitem__,
        index=list(LANGUAGES).index(contest.language),
        key="emails_template_lang",
    )
    with st.form(f"emails_intro_{template}", enter_to_submit=False):
        intro = st.text_area(
            _("Intro paragraph"),
            value=(contest.mail_intros or {}).get(template, ""),
            placeholder=mail.intro_for(template, contest.language, None, {"contest": contest.name}),
            help=_(
                "Empty: the default text, in each recipient's language. You may use {contest}, "
                "{startup}, {round} and {name}."
            ),
            max_chars=2000,
        )
        if st.form_submit_button(_("Save the intro")):
            try:
                with state.db_session() as session:
                    outbox.set_intro(
                        session=session, contest_id=contest.id, kind=template, text=intro
                    )
            except PitchJudgeError as error:
                state.show_error(error)
            else:
                st.session_state[NOTICE_KEY] = _("The intro is saved.")
                st.rerun()
    sample = outbox.demo_previews(contest=contest, settings=settings, language=preview_lang)[
        template
    ]
    st.markdown(f"**{_('Subject')}:** {inert(sample.subject)}")
    text_tab, html_tab = st.tabs([_("Text"), _("HTML")])
    text_tab.code(sample.body_text, language=None, wrap_lines=True)
    with html_tab:
        st.html(sample.body_html)
