"""E-mail in the pages (AppTest): the Emails page, "e-mail me my link", invitations, reminders."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from sqlmodel import select
from streamlit.testing.v1 import AppTest

from pitchjudge import mail
from pitchjudge.config import load_settings
from pitchjudge.db import session_scope
from pitchjudge.models import Contest, Judge, MailStatus, OutboxMessage, Pitch, Scorecard
from pitchjudge.services import mail_sender
from pitchjudge.ui import state
from tests.apptest_support import APP, run_page, texts
from tests.factories import make_contest, make_judging, submit
from tests.smtp_support import smtp_server


def outbox_rows(engine, kind: str | None = None) -> list[OutboxMessage]:
    with session_scope(engine, read_only=True) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind:
            query = query.where(OutboxMessage.kind == kind)
        return list(session.exec(query).all())


def english(engine, contest_id: int) -> None:
    with session_scope(engine) as session:
        session.get(Contest, contest_id).language = "en"


def test_the_emails_page_is_for_organisers_only(app_env):
    engine, settings = app_env
    contest = make_contest(engine)
    submit(engine, settings, contest.id)
    at = AppTest.from_file(str(Path(APP).parent / "pages/emails.py"), default_timeout=30)
    at.session_state[state.LANGUAGE_KEY] = "en"
    at.run()
    assert not at.exception
    assert "Emails" not in [t.value for t in at.title]
    assert "camille@kelvio.example" not in texts(at)


def test_without_smtp_the_organiser_sees_what_waits_and_can_read_each_message(app_env):
    engine, settings = app_env
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id)
    at = run_page("pages/emails.py", organiser=True)
    body = texts(at)
    assert "E-mail is not configured: 1 messages waiting" in body
    assert at.metric[0].label == "Queued" and at.metric[0].value == "1"
    table = at.dataframe[0].value
    assert list(table["Recipient"]) == ["camille@kelvio.example"]
    assert list(table["Type"]) == ["Application receipt"]
    # The text part, in a code box (with its copy button), holds the private link.
    assert any(f"?token={result.token}" in code.value for code in at.code)


def test_a_refused_message_shows_the_servers_answer_and_can_be_resent(app_env):
    engine, settings = app_env
    contest = make_contest(engine)
    submit(engine, settings, contest.id)
    with smtp_server() as server:
        configured = replace(
            settings,
            smtp=load_settings(
                {"PITCHJUDGE_SMTP_URL": server.url, "PITCHJUDGE_MAIL_FROM": "a@prix.example"},
                env_file=None,
            ).smtp,
            mail_from="a@prix.example",
        )
        server.handler.rcpt_answers = ["550 5.1.1 <camille@kelvio.example>: no such user"]
        mail_sender.deliver_due(engine, configured, holder="t")
    at = run_page("pages/emails.py", organiser=True)
    table = at.dataframe[0].value
    assert list(table["Status"]) == ["Failed"]
    assert list(table["Server's answer"]) == ["550 5.1.1 <camille@kelvio.example>: no such user"]
    at.button(key=f"emails_resend_{outbox_rows(engine)[0].id}").click().run()
    assert not at.exception
    assert outbox_rows(engine)[0].status == MailStatus.QUEUED
    assert "The message is queued again." in texts(at)


def test_a_failed_message_is_announced_and_comes_first_before_newer_ones(app_env):
    engine, settings = app_env
    contest = make_contest(engine)
    submit(engine, settings, contest.id)
    with smtp_server() as server:
        configured = replace(
            settings,
            smtp=load_settings(
                {"PITCHJUDGE_SMTP_URL": server.url, "PITCHJUDGE_MAIL_FROM": "a@prix.example"},
                env_file=None,
            ).smtp,
            mail_from="a@prix.example",
        )
        server.handler.rcpt_answers = ["550 5.1.1 <camille@kelvio.example>: no such user"]
        mail_sender.deliver_due(engine, configured, holder="t")
        server.handler.rcpt_answers = []
        submit(
            engine, settings, contest.id, startup_name="Later", contact_email="later@example.org"
        )
        mail_sender.deliver_due(engine, configured, holder="t")
    at = run_page("pages/emails.py", organiser=True)
    assert any("1 message could not be sent" in w.value for w in at.warning)
    table = at.dataframe[0].value
    assert list(table["Status"]) == ["Failed", "Sent"]  # the failed one is older, yet first
    failed = outbox_rows(engine)[0].id
    reading = at.selectbox(key="emails_message")
    assert reading.value == failed
    assert reading.options[reading.index].startswith(f"#{failed} · Failed · camille@kelvio")
    # Sent again: no warning, and the same message stays open with its new status (its label
    # and its place in the list changed).
    at.button(key=f"emails_resend_{failed}").click().run()
    assert not any("could not be sent" in w.value for w in at.warning)
    reading = at.selectbox(key="emails_message")
    assert reading.value == failed
    assert reading.options[reading.index].startswith(f"#{failed} · Queued · camille@kelvio")
    assert f"#{failed} · Queued" not in reading.options[0]  # no longer first
    assert "Status:** Queued" in texts(at)


@pytest.mark.parametrize("kind", list(mail.KINDS))
def test_every_template_has_a_preview_with_sample_data(app_env, kind):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page("pages/emails.py", organiser=True)
    at.selectbox(key="emails_template_kind").set_value(kind).run()
    assert not at.exception
    assert any("Prix Test 2027" in code.value for code in at.code)
    assert "Prix Test 2027" in texts(at)  # the subject


def test_the_intro_of_a_message_type_is_edited_and_used(app_env):
    engine, _settings = app_env
    make_contest(engine)
    at = run_page("pages/emails.py", organiser=True)
    at.selectbox(key="emails_template_kind").set_value(mail.RECEIPT).run()
    at.text_area[0].set_value("Merci {startup}, à très vite !")
    at.button(key=f"FormSubmitter:emails_intro_{mail.RECEIPT}-Save the intro").click().run()
    assert not at.exception
    assert any("Merci Kelvio, à très vite !" in code.value for code in at.code)


def test_decision_notices_are_previewed_then_sent(app_env):
    engine, settings = app_env
    data = make_judging(engine, settings, judges=1, pitches=3, open_round=False)
    with session_scope(engine) as session:
        for pitch_id in data["pitches"][:2]:
            session.get(Pitch, pitch_id).status = "shortlisted"
    at = run_page("pages/emails.py", organiser=True)
    at.selectbox(key="emails_decision_kind").set_value(mail.DECISION_SHORTLISTED).run()
    assert outbox_rows(engine) == [], "a preview sends nothing"
    send = at.button(key="emails_decision_send")
    assert send.label == "Send 2 notices"
    send.click().run()
    assert not at.exception
    assert len(outbox_rows(engine, mail.DECISION_SHORTLISTED)) == 2


def _lost_link(at: AppTest, email: str) -> AppTest:
    at.text_input(key="mail_link_email").set_value(email)
    at.button(key="FormSubmitter:mail_link_again-E-mail me my link again").click().run()
    assert not at.exception
    return at


SAME_ANSWER = "If an application was made with this address, a message with its private link"


def test_email_me_my_link_answers_the_same_for_a_known_and_an_unknown_address(app_env):
    engine, settings = app_env
    contest = make_contest(engine)
    english(engine, contest.id)
    submit(engine, settings, contest.id)
    before = len(outbox_rows(engine))
    unknown = _lost_link(run_page("pages/my_application.py"), "nobody@nowhere.example")
    assert SAME_ANSWER in texts(unknown)
    assert len(outbox_rows(engine)) == before
    known = _lost_link(run_page("pages/my_application.py"), "camille@kelvio.example")
    assert SAME_ANSWER in texts(known)
    [sent] = outbox_rows(engine, mail.LINK_AGAIN)
    assert sent.to_address == "camille@kelvio.example"


def test_email_me_my_link_refuses_a_malformed_address(app_env):
    engine, _settings = app_env
    make_contest(engine)
    at = _lost_link(run_page("pages/my_application.py"), "not an address")
    assert "is not a valid email address" in texts(at)
    assert SAME_ANSWER not in texts(at)


def test_judges_page_emails_one_judge_or_all(app_env):
    engine, settings = app_env
    data = make_judging(engine, settings, judges=2, pitches=1, open_round=False)
    with session_scope(engine) as session:
        session.get(Judge, data["judges"][0]).email = "a@jury.example"
    at = run_page("pages/judges.py", organiser=True)
    everyone = at.button(key="judges_mail_all")
    assert everyone.label == "E-mail their links to 1 judges"
    assert at.button(key=f"judge_mail_{data['judges'][1]}").disabled  # no address
    at.button(key=f"judge_mail_{data['judges'][0]}").click().run()
    assert not at.exception
    [invitation] = outbox_rows(engine, mail.JUDGE_INVITE)
    assert invitation.to_address == "a@jury.example"
    at.button(key="judges_mail_all").click().run()
    assert len(outbox_rows(engine, mail.JUDGE_INVITE)) == 2


def test_progress_page_reminds_late_judges_in_one_click(app_env):
    engine, settings = app_env
    data = make_judging(engine, settings, judges=2, pitches=2)
    on_time = data["judges"][0]
    with session_scope(engine) as session:
        for number, judge_id in enumerate(data["judges"]):
            session.get(Judge, judge_id).email = f"j{number}@jury.example"
        for pitch_id in data["pitches"]:
            session.add(
                Scorecard(
                    round_id=data["round_id"],
                    judge_id=on_time,
                    pitch_id=pitch_id,
                    status="submitted",
                )
            )
    at = run_page("pages/progress.py", organiser=True)
    button = at.button(key="progress_remind")
    assert button.label == "E-mail a reminder to the 1 late judges"
    button.click().run()
    assert not at.exception
    [reminder] = outbox_rows(engine, mail.JUDGE_REMINDER)
    assert reminder.to_address == "j1@jury.example"
    assert "Startup 1" in reminder.body_text and "Startup 2" in reminder.body_text


def test_contest_page_sets_the_reply_to_address(app_env):
    engine, _settings = app_env
    contest = make_contest(engine)
    at = run_page("pages/contest.py", organiser=True)
    form = next(t for t in at.text_input if t.label == "Reply-to address of the e-mails")
    form.set_value("bad\naddress")
    at.button(key="FormSubmitter:contest_reply_to-Save the address").click().run()
    assert "not a valid email address" in texts(at) or "line break" in texts(at)
    form = next(t for t in at.text_input if t.label == "Reply-to address of the e-mails")
    form.set_value("orga@prix.example")
    at.button(key="FormSubmitter:contest_reply_to-Save the address").click().run()
    assert not at.exception
    with session_scope(engine, read_only=True) as session:
        assert session.get(Contest, contest.id).reply_to == "orga@prix.example"


def test_the_apply_page_says_when_a_contact_email_has_applied_too_often(app_env):
    from tests import pdf_samples
    from tests.test_pages import fill_apply_form, submit_form

    engine, settings = app_env
    contest = make_contest(engine)
    for number in range(3):
        submit(engine, settings, contest.id, startup_name=f"Earlier {number}")
    at = run_page()
    fill_apply_form(at, deck=pdf_samples.make_deck(pages=2), name="One more")
    submit_form(at)
    shown = texts(at).replace("\\", "")  # the message is drawn as escaped Markdown
    assert "Too many applications with this contact e-mail. Try again in" in shown
    assert "is registered" not in texts(at)
    with session_scope(engine, read_only=True) as session:
        assert len(session.exec(select(Pitch)).all()) == 3
