"""E-mail: the outbox is written with the event, and a real SMTP server (aiosmtpd) receives
every message type, retries, refusals and a sender killed mid-delivery."""

from __future__ import annotations

import os
import re
import signal
import smtplib
import subprocess
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from pitchjudge import mail
from pitchjudge.cli import main as cli_main
from pitchjudge.config import load_settings
from pitchjudge.db import session_scope
from pitchjudge.errors import ConfigError, FormInvalid, ValidationError
from pitchjudge.formatting import format_datetime
from pitchjudge.models import Contest, Judge, MailStatus, OutboxMessage, Pitch, Round, utcnow
from pitchjudge.services import applications, feedback, judges, mail_sender, ratelimit
from pitchjudge.services import mail as outbox
from tests.factories import make_contest, make_judging, run_in_own_loop, submit
from tests.smtp_support import parts, smtp_server

REPO = Path(__file__).resolve().parents[1]
LINK = re.compile(r"http://localhost:8501/\?(?:token|judge)=[A-Za-z0-9_\-]+")


def with_smtp(settings, server):
    return replace(
        settings,
        smtp=load_settings(
            {"PITCHJUDGE_SMTP_URL": server.url, "PITCHJUDGE_MAIL_FROM": "x@prix.example"},
            env_file=None,
        ).smtp,
        mail_from="Prix Test <jury@prix.example>",
    )


def rows(engine, **where) -> list[OutboxMessage]:
    with session_scope(engine, read_only=True) as session:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        for name, value in where.items():
            query = query.where(getattr(OutboxMessage, name) == value)
        return list(session.exec(query).all())


class Clock:
    """A clock the test moves by hand (retry delays without sleeping)."""

    def __init__(self) -> None:
        self.now = utcnow()

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


# --- the outbox is written with the event ----------------------------------------------------


def test_an_application_and_its_receipt_are_stored_together(engine, settings):
    contest = make_contest(engine)
    result = submit(engine, settings, contest.id)
    [receipt] = rows(engine)
    assert receipt.kind == mail.RECEIPT
    assert receipt.to_address == "camille@kelvio.example"
    assert receipt.status == MailStatus.QUEUED
    [link] = set(LINK.findall(receipt.body_text))
    assert link in receipt.body_html
    token = link.split("token=")[1]
    assert token == result.token
    with session_scope(engine, read_only=True) as session:
        assert applications.application_by_token(session=session, token=token).id == result.pitch.id


def test_the_web_requests_that_cause_mail_never_talk_to_the_smtp_server(
    sqlite_engine, settings, monkeypatch
):
    """With SMTP configured, submitting an application, asking for one's links again and
    inviting a judge open no SMTP connection (a slow or hanging mail server cannot hold up a
    page): they only write the outbox, and the sender, outside any request, delivers."""
    engine = sqlite_engine
    opened: list[str] = []
    real_smtp_init = smtplib.SMTP.__init__

    def recording_init(self, *args, **kwargs):
        opened.append(type(self).__name__)
        real_smtp_init(self, *args, **kwargs)

    monkeypatch.setattr(smtplib.SMTP, "__init__", recording_init)  # SMTP_SSL inherits it
    with smtp_server() as server:
        configured = with_smtp(settings, server)
        data = make_judging(engine, configured, judges=1, pitches=1)
        contest_id = data["contest"].id
        submit(engine, configured, contest_id)
        with session_scope(engine) as session:
            outbox.request_links(
                session=session,
                settings=configured,
                contest_id=contest_id,
                email="camille@kelvio.example",
                client="10.0.0.9",
                language="fr",
            )
            session.get(Judge, data["judges"][0]).email = "judge@jury.example"
        with session_scope(engine) as session:
            outbox.queue_judge_invitation(
                session=session, settings=configured, judge_id=data["judges"][0]
            )
        assert opened == []  # the requests' work is done, and no connection was made
        assert len(rows(engine, status=MailStatus.QUEUED)) == 3
        report = mail_sender.deliver_due(engine, configured, holder="test")
        assert opened  # the sender, and only it, connects
        assert len(server.handler.messages()) == 3, report


def test_no_application_without_its_receipt(engine, settings, monkeypatch):
    contest = make_contest(engine)

    def broken(**_kwargs):
        raise RuntimeError("outbox unavailable")

    monkeypatch.setattr(outbox, "queue_receipt", broken)
    with pytest.raises(RuntimeError):
        submit(engine, settings, contest.id)
    with session_scope(engine, read_only=True) as session:
        assert session.exec(select(Pitch)).all() == []
    assert rows(engine) == []


def test_no_receipt_without_its_application(engine, settings):
    contest = make_contest(engine)
    submit(engine, settings, contest.id)
    with pytest.raises(FormInvalid) as refused:
        submit(engine, settings, contest.id)
    assert any("already applied" in str(error) for error in refused.value.errors)
    assert len(rows(engine)) == 1


# --- every message type, delivered to a real SMTP server ---------------------------------------


def _every_type(engine, settings) -> dict[str, int]:
    """Queue one message of each type; returns kind → outbox id."""
    data = make_judging(engine, settings, judges=2, pitches=3)
    contest_id = data["contest"].id
    with session_scope(engine) as session:
        contest = session.get(Contest, contest_id)
        contest.language = "en"
        contest.reply_to = "orga@prix.example"
        for number, judge_id in enumerate(data["judges"]):
            session.get(Judge, judge_id).email = f"judge{number}@jury.example"
        pitch = session.get(Pitch, data["pitches"][0])
        pitch.contact_email = "founder@startup.example"
        pitch.language = "fr"
        pitch.status = "shortlisted"
    submitted = submit(engine, settings, contest_id, language="en")
    with session_scope(engine) as session:
        outbox.request_links(
            session=session,
            settings=settings,
            contest_id=contest_id,
            email="founder@startup.example",
            client="10.0.0.1",
            language="fr",
        )
        outbox.queue_judge_invitation(
            session=session, settings=settings, judge_id=data["judges"][0]
        )
        outbox.queue_reminders(
            session=session, settings=settings, round_id=data["round_id"], judge_ids=data["judges"]
        )
        feedback.set_feedback_released(
            session=session, round_id=data["round_id"], released=True, settings=settings
        )
        for kind in mail.DECISIONS:
            outbox.queue_decisions(
                session=session,
                settings=settings,
                contest_id=contest_id,
                kind=kind,
                pitch_ids=[data["pitches"][0]],
            )
    found = {}
    for row in rows(engine):
        found.setdefault(row.kind, row.id)
    assert set(found) == set(mail.KINDS), "one message of every type"
    return {"submitted": submitted, **found}


def test_every_message_type_arrives_with_its_headers_and_both_parts(sqlite_engine, settings):
    engine = sqlite_engine
    kinds = _every_type(engine, settings)
    with smtp_server() as server:
        configured = with_smtp(settings, server)
        report = mail_sender.deliver_due(engine, configured, holder="test")
        assert report.failed == report.retried == 0
        received = {m["Message-ID"]: m for m in server.handler.messages()}
    stored = {row.id: row for row in rows(engine)}
    assert all(row.status == MailStatus.SENT for row in stored.values())
    assert len(received) == len(stored)
    for kind in mail.KINDS:
        row = stored[kinds[kind]]
        message = received[row.message_id]
        assert message["From"] == "Prix Test <jury@prix.example>"
        assert message["To"].addresses[0].addr_spec == row.to_address
        assert message["Reply-To"] == "orga@prix.example"
        assert message["Subject"] == row.subject and "Prix Test 2027" in row.subject
        assert message["Date"].datetime is not None
        assert message["Content-Language"] == row.language
        text, html = parts(message)
        links = set(LINK.findall(text))
        assert links, f"{kind}: a link in the text part"
        for link in links:
            assert link in html, f"{kind}: the same link in the HTML part"
        assert row.smtp_answer.startswith("250 ")
    french = received[stored[kinds[mail.DECISION_SHORTLISTED]].message_id]
    assert "présélectionnée" in french["Subject"] or "retenu" in french["Subject"]
    english = received[stored[kinds[mail.RECEIPT]].message_id]
    assert "your application" in english["Subject"]
    invitation = received[stored[kinds[mail.JUDGE_INVITE]].message_id]
    [image] = [p for p in invitation.walk() if p.get_content_type() == "image/png"]
    assert image["Content-ID"] == "<qr>"
    assert image.get_content().startswith(b"\x89PNG")
    assert 'src="cid:qr"' in parts(invitation)[1]


def test_the_receipts_link_opens_the_application(sqlite_engine, settings):
    contest = make_contest(sqlite_engine)
    result = submit(sqlite_engine, settings, contest.id)
    with smtp_server() as server:
        mail_sender.deliver_due(sqlite_engine, with_smtp(settings, server), holder="test")
        [message] = server.handler.messages()
    text, _html = parts(message)
    token = LINK.search(text).group(0).split("token=")[1]
    with session_scope(sqlite_engine, read_only=True) as session:
        pitch = applications.application_by_token(session=session, token=token)
    assert pitch.id == result.pitch.id
    assert "Kelvio" in text and "Camille Martin (CEO)" in text


# --- retries, refusals, outages ----------------------------------------------------------------


def test_421_and_451_are_retried_with_growing_delays_then_delivered(sqlite_engine, settings):
    contest = make_contest(sqlite_engine)
    submit(sqlite_engine, settings, contest.id)
    clock = Clock()
    with smtp_server() as server:
        server.handler.data_answers = ["421 4.7.0 Too busy, come back later", "451 4.3.0 Try later"]
        configured = with_smtp(settings, server)
        first = mail_sender.deliver_due(sqlite_engine, configured, holder="t", clock=clock)
        [row] = rows(sqlite_engine)
        assert (first.retried, row.status, row.attempts) == (1, MailStatus.QUEUED, 1)
        assert row.smtp_answer.startswith("421")
        assert row.next_attempt_at == clock.now + timedelta(seconds=30)
        # Not due yet: nothing is tried.
        assert (
            mail_sender.deliver_due(sqlite_engine, configured, holder="t", clock=clock).attempted
            == 0
        )
        clock.advance(31)
        mail_sender.deliver_due(sqlite_engine, configured, holder="t", clock=clock)
        [row] = rows(sqlite_engine)
        assert (row.status, row.attempts) == (MailStatus.QUEUED, 2)
        assert row.smtp_answer.startswith("451")
        assert row.next_attempt_at == clock.now + timedelta(seconds=60)
        clock.advance(61)
        mail_sender.deliver_due(sqlite_engine, configured, holder="t", clock=clock)
        [row] = rows(sqlite_engine)
        assert (row.status, row.attempts) == (MailStatus.SENT, 3)
        assert len(server.handler.messages()) == 1


def test_a_server_that_is_down_keeps_the_message_until_it_is_back(sqlite_engine, settings):
    contest = make_contest(sqlite_engine)
    submit(sqlite_engine, settings, contest.id)
    clock = Clock()
    with smtp_server() as server:
        configured = with_smtp(settings, server)
        server.stop()
        report = mail_sender.deliver_due(sqlite_engine, configured, holder="t", clock=clock)
        [row] = rows(sqlite_engine)
        assert report.retried == 1 and row.status == MailStatus.QUEUED
        assert "Connection" in row.smtp_answer or "refused" in row.smtp_answer
        server.start()
        clock.advance(31)
        mail_sender.deliver_due(sqlite_engine, configured, holder="t", clock=clock)
        [row] = rows(sqlite_engine)
        assert row.status == MailStatus.SENT
        [message] = server.handler.messages()
        assert message["Message-ID"] == row.message_id


def test_a_550_is_marked_failed_with_the_servers_answer(sqlite_engine, settings):
    contest = make_contest(sqlite_engine)
    submit(sqlite_engine, settings, contest.id)
    submit(sqlite_engine, settings, contest.id, startup_name="Other", contact_email="o@o.example")
    with smtp_server() as server:
        server.handler.rcpt_answers = ["550 5.1.1 <camille@kelvio.example>: no such user"]
        report = mail_sender.deliver_due(sqlite_engine, with_smtp(settings, server), holder="t")
        assert (report.failed, report.sent) == (1, 1)
    failed, sent = rows(sqlite_engine)
    assert failed.status == MailStatus.FAILED
    assert failed.smtp_answer == "550 5.1.1 <camille@kelvio.example>: no such user"
    assert sent.status == MailStatus.SENT


def test_resend_queues_a_failed_message_again_and_a_sent_one_as_a_copy(sqlite_engine, settings):
    contest = make_contest(sqlite_engine)
    submit(sqlite_engine, settings, contest.id)
    with smtp_server() as server:
        configured = with_smtp(settings, server)
        server.handler.rcpt_answers = ["550 5.1.1 no such user"]
        mail_sender.deliver_due(sqlite_engine, configured, holder="t")
        [row] = rows(sqlite_engine)
        with session_scope(sqlite_engine) as session:
            outbox.resend(session=session, settings=settings, message_id=row.id)
        mail_sender.deliver_due(sqlite_engine, configured, holder="t")
        [row] = rows(sqlite_engine)
        assert row.status == MailStatus.SENT
        with session_scope(sqlite_engine) as session:
            copy = outbox.resend(session=session, settings=settings, message_id=row.id)
        mail_sender.deliver_due(sqlite_engine, configured, holder="t")
        first, second = server.handler.messages()
    assert copy.message_id != row.message_id
    assert {first["Message-ID"], second["Message-ID"]} == {row.message_id, copy.message_id}


# --- one sender per database, and a sender killed mid-delivery --------------------------------


def test_only_one_sender_holds_the_lease(engine):
    now = utcnow()
    assert mail_sender.acquire_lease(engine, holder="a", ttl_s=30, now=now)
    assert not mail_sender.acquire_lease(engine, holder="b", ttl_s=30, now=now)
    assert mail_sender.acquire_lease(engine, holder="a", ttl_s=30, now=now + timedelta(seconds=10))
    assert not mail_sender.acquire_lease(
        engine, holder="b", ttl_s=30, now=now + timedelta(seconds=39)
    )
    assert mail_sender.acquire_lease(engine, holder="b", ttl_s=30, now=now + timedelta(seconds=41))
    mail_sender.release_lease(engine, holder="b")
    assert mail_sender.acquire_lease(engine, holder="a", ttl_s=30)


def test_a_sender_without_the_lease_sends_nothing(sqlite_engine, settings):
    contest = make_contest(sqlite_engine)
    submit(sqlite_engine, settings, contest.id)
    assert mail_sender.acquire_lease(sqlite_engine, holder="other replica")
    with smtp_server() as server:
        report = mail_sender.deliver_due(sqlite_engine, with_smtp(settings, server), holder="me")
        assert report.attempted == 0 and server.handler.messages() == []
    assert rows(sqlite_engine)[0].status == MailStatus.QUEUED


def _sender(env: dict[str, str], root: Path, name: str) -> subprocess.Popen:
    log = (root / f"{name}.log").open("wb")
    return subprocess.Popen(
        [
            str(REPO / ".venv" / "bin" / "pitchjudge"),
            "send-mail",
            "--loop",
            "--poll-seconds",
            "0.2",
            "--lease-seconds",
            "2",
        ],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def test_a_sender_killed_between_data_and_sent_loses_nothing_and_duplicates_once(
    tmp_path, sqlite_template
):
    import shutil

    from pitchjudge.db import make_engine

    database = tmp_path / "app.db"
    shutil.copy(sqlite_template, database)
    engine = make_engine(f"sqlite:///{database}")
    values = {
        "PITCHJUDGE_DATABASE_URL": f"sqlite:///{database}",
        "PITCHJUDGE_DATA_DIR": str(tmp_path / "data"),
        "PITCHJUDGE_ADMIN_PASSWORD": "correct horse battery",
        "PITCHJUDGE_MAIL_FROM": "jury@prix.example",
    }
    settings = load_settings(values, env_file=None)
    contest = make_contest(engine)
    submit(engine, settings, contest.id)
    submit(engine, settings, contest.id, startup_name="Second", contact_email="s@s.example")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PITCHJUDGE_")}
    with smtp_server() as server:
        env.update(values, PITCHJUDGE_SMTP_URL=server.url)
        server.handler.hold_next_s = 30  # the server has the message; "250" comes late
        first = _sender(env, tmp_path, "first")
        try:
            assert server.handler.data_seen.wait(60), "the first sender reached DATA"
            os.kill(first.pid, signal.SIGKILL)
            first.wait(10)
        finally:
            if first.poll() is None:
                first.kill()
        in_flight = [r for r in rows(engine) if r.status == MailStatus.SENDING]
        assert len(in_flight) == 1 and in_flight[0].attempts == 1
        second = _sender(env, tmp_path, "second")
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                if all(r.status == MailStatus.SENT for r in rows(engine)):
                    break
                time.sleep(0.2)
        finally:
            second.send_signal(signal.SIGTERM)
            second.wait(10)
        stored = rows(engine)
        assert [r.status for r in stored] == [MailStatus.SENT, MailStatus.SENT]
        ids = [m["Message-ID"] for m in server.handler.messages()]
    assert sorted(set(ids)) == sorted(r.message_id for r in stored), "nothing lost"
    assert ids.count(in_flight[0].message_id) == 2, "the interrupted one arrived twice"
    assert len(ids) == 3, "at most one duplicate"
    engine.dispose()


# --- "e-mail me my link again" and rate limits -------------------------------------------------


def test_my_links_go_only_to_a_known_address_and_carry_every_application(engine, settings):
    contest = make_contest(engine)
    first = submit(engine, settings, contest.id)
    second = submit(engine, settings, contest.id, startup_name="Kelvio Two")
    before = len(rows(engine))
    with session_scope(engine) as session:
        outbox.request_links(
            session=session,
            settings=settings,
            contest_id=contest.id,
            email="nobody@nowhere.example",
            client="10.0.0.2",
            language="en",
        )
    assert len(rows(engine)) == before, "an unknown address is sent nothing"
    with session_scope(engine) as session:
        outbox.request_links(
            session=session,
            settings=settings,
            contest_id=contest.id,
            email="Camille@KELVIO.example",
            client="10.0.0.2",
            language="en",
        )
    [links] = rows(engine, kind=mail.LINK_AGAIN)
    assert links.to_address == "Camille@kelvio.example"
    found = LINK.findall(links.body_text)
    assert {f.split("token=")[1] for f in found} == {first.token, second.token}, (
        "the links already given keep working and are the ones sent"
    )


def test_link_requests_are_limited_per_address_silently_and_per_client_visibly(engine, settings):
    contest = make_contest(engine)
    submit(engine, settings, contest.id)

    def ask(email: str, client: str) -> None:
        with session_scope(engine) as session:
            outbox.request_links(
                session=session,
                settings=settings,
                contest_id=contest.id,
                email=email,
                client=client,
                language="en",
            )

    for number in range(5):
        ask("camille@kelvio.example", f"10.1.0.{number}")
    assert len(rows(engine, kind=mail.LINK_AGAIN)) == outbox.LINK_PER_ADDRESS.count
    for number in range(outbox.LINK_PER_CLIENT.count):
        ask(f"x{number}@unknown.example", "10.9.9.9")
    with pytest.raises(ratelimit.RateLimited) as refused:
        ask("camille@kelvio.example", "10.9.9.9")
    assert refused.value.retry_after > 0
    assert "Try again in 60 minutes" in str(refused.value)


def test_applications_are_limited_per_client_and_per_contact_email(engine, settings):
    contest = make_contest(engine)
    for number in range(applications.APPLY_PER_EMAIL.count):
        submit(
            engine, settings, contest.id, startup_name=f"Same {number}", client=f"10.2.0.{number}"
        )
    with pytest.raises(ratelimit.RateLimited, match="contact e-mail"):
        submit(engine, settings, contest.id, startup_name="One too many", client="10.2.1.1")
    for number in range(applications.APPLY_PER_CLIENT.count):
        submit(
            engine,
            settings,
            contest.id,
            startup_name=f"Client {number}",
            contact_email=f"c{number}@c.example",
            client="10.3.0.1",
        )
    with pytest.raises(ratelimit.RateLimited, match="this connection"):
        submit(
            engine,
            settings,
            contest.id,
            startup_name="Six",
            contact_email="six@c.example",
            client="10.3.0.1",
        )
    with session_scope(engine, read_only=True) as session:
        count = len(session.exec(select(Pitch)).all())
    assert count == applications.APPLY_PER_EMAIL.count + applications.APPLY_PER_CLIENT.count
    # Another connection is not affected.
    submit(
        engine,
        settings,
        contest.id,
        startup_name="Other",
        contact_email="o@o.example",
        client="10.4.0.1",
    )


# --- judges, feedback, decisions ----------------------------------------------------------------


def test_a_reissued_judge_link_is_emailed_and_the_old_one_is_not(engine, settings):
    data = make_judging(engine, settings, judges=1, pitches=1)
    judge_id = data["judges"][0]
    with session_scope(engine) as session:
        session.get(Judge, judge_id).email = "judge@jury.example"
    with session_scope(engine) as session:
        token = judges.reissue_link(session=session, settings=settings, judge_id=judge_id)
    [invitation] = rows(engine, kind=mail.JUDGE_INVITE)
    assert f"?judge={token}" in invitation.body_text
    assert data["tokens"][0] not in invitation.body_text
    assert invitation.inline_png


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", ("The rounds:", "The dates:", "Applications close", "The final on stage")),
        ("fr", ("Les tours :", "Les dates :", "Clôture des candidatures", "La finale sur scène")),
    ],
)
def test_a_judge_invitation_lists_the_rounds_and_the_dates(engine, settings, language, words):
    """The judge learns which rounds there are and when to keep free, in the contest's
    language and time zone (a date left unset is not listed)."""
    data = make_judging(engine, settings, judges=1, pitches=1)
    judge_id = data["judges"][0]
    closes = datetime(2027, 3, 14, 22, 59, tzinfo=UTC)  # 23:59 in Paris
    on_stage = datetime(2027, 4, 2, 17, 0, tzinfo=UTC)  # 19:00 in Paris (summer time)
    with session_scope(engine) as session:
        contest = session.get(Contest, data["contest"].id)
        contest.language = language
        contest.timezone = "Europe/Paris"
        contest.applications_close_at = closes
        contest.stage_starts_at = on_stage
        session.get(Judge, judge_id).email = "judge@jury.example"
    with session_scope(engine) as session:
        outbox.queue_judge_invitation(session=session, settings=settings, judge_id=judge_id)
        round_name = session.get(Round, data["round_id"]).name
    [invitation] = rows(engine, kind=mail.JUDGE_INVITE)
    for text in (invitation.body_text, invitation.body_html):
        for word in words:
            assert word in text
        assert round_name in text
        assert format_datetime(closes, timezone="Europe/Paris", language=language) in text
        assert format_datetime(on_stage, timezone="Europe/Paris", language=language) in text
    # Paris time, not UTC (22:59 and 17:00), as people of the language write it.
    local = ("11:59", "7:00") if language == "en" else ("23:59", "19:00")
    assert all(time in invitation.body_text for time in local)
    # Without dates, no empty "dates" heading.
    with session_scope(engine) as session:
        contest = session.get(Contest, data["contest"].id)
        contest.applications_close_at = contest.stage_starts_at = None
    with session_scope(engine) as session:
        outbox.queue_judge_invitation(session=session, settings=settings, judge_id=judge_id)
    second = rows(engine, kind=mail.JUDGE_INVITE)[-1]
    assert words[1] not in second.body_text
    assert words[0] in second.body_text


def test_inviting_all_judges_skips_those_without_an_address(engine, settings):
    data = make_judging(engine, settings, judges=3, pitches=1)
    with session_scope(engine) as session:
        session.get(Judge, data["judges"][0]).email = "a@jury.example"
        session.get(Judge, data["judges"][1]).email = "b@jury.example"
    with session_scope(engine) as session:
        result = outbox.queue_invitations(
            session=session, settings=settings, contest_id=data["contest"].id
        )
    assert result.queued == 2 and result.skipped == ["Judge 3"]


def test_reminders_list_what_each_judge_has_left(engine, settings):
    data = make_judging(engine, settings, judges=2, pitches=2)
    with session_scope(engine) as session:
        for number, judge_id in enumerate(data["judges"]):
            session.get(Judge, judge_id).email = f"j{number}@jury.example"
    with session_scope(engine) as session:
        result = outbox.queue_reminders(
            session=session, settings=settings, round_id=data["round_id"], judge_ids=data["judges"]
        )
    assert result.queued == 2
    reminder = rows(engine, kind=mail.JUDGE_REMINDER)[0]
    assert "Startup 1" in reminder.body_text and "Startup 2" in reminder.body_text
    assert "2" in reminder.subject


def test_feedback_notices_go_once_per_applicant_however_often_released(engine, settings):
    data = make_judging(engine, settings, judges=1, pitches=3)
    for released in (True, False, True):
        with session_scope(engine) as session:
            feedback.set_feedback_released(
                session=session, round_id=data["round_id"], released=released, settings=settings
            )
    notices = rows(engine, kind=mail.FEEDBACK_RELEASED)
    assert sorted(n.to_address for n in notices) == ["s0@x.example", "s1@x.example", "s2@x.example"]
    # Their links work (the test pitches' old random links were re-issued to be e-mailed).
    with session_scope(engine, read_only=True) as session:
        for notice in notices:
            token = LINK.search(notice.body_text).group(0).split("token=")[1]
            pitch = applications.application_by_token(session=session, token=token)
            assert pitch.contact_email == notice.to_address


def test_decision_notices_use_the_organisers_intro_and_are_previewed_without_side_effects(
    engine, settings
):
    data = make_judging(engine, settings, judges=1, pitches=2)
    contest_id = data["contest"].id
    with session_scope(engine) as session:
        outbox.set_intro(
            session=session,
            contest_id=contest_id,
            kind=mail.DECISION_FINALIST,
            text="Bravo {startup}! See you on stage for {contest}.",
        )
        hashes = [session.get(Pitch, p).token_hash for p in data["pitches"]]
    with session_scope(engine, read_only=True) as session:
        drafts = outbox.decision_drafts(
            session=session,
            settings=settings,
            contest_id=contest_id,
            kind=mail.DECISION_FINALIST,
            pitch_ids=data["pitches"],
        )
    assert (
        len(drafts) == 2
        and "Bravo Startup 1! See you on stage for Prix Test 2027." in drafts[0].body_text
    )
    assert rows(engine) == []
    with session_scope(engine, read_only=True) as session:
        assert [session.get(Pitch, p).token_hash for p in data["pitches"]] == hashes
    for _ in range(2):
        with session_scope(engine) as session:
            outbox.queue_decisions(
                session=session,
                settings=settings,
                contest_id=contest_id,
                kind=mail.DECISION_FINALIST,
                pitch_ids=data["pitches"],
            )
    sent = rows(engine, kind=mail.DECISION_FINALIST)
    assert len(sent) == 2, "once per application"
    assert "Bravo Startup" in sent[0].body_html


# --- header injection and addresses -------------------------------------------------------------


def test_no_header_can_be_injected_and_long_subjects_are_cut(sqlite_engine, settings):
    data = make_judging(sqlite_engine, settings, judges=1, pitches=1)
    with session_scope(sqlite_engine) as session:
        judge = session.get(Judge, data["judges"][0])
        judge.name = "Eve\r\nBcc: victim@evil.example"
        judge.email = "eve@jury.example"
        contest = session.get(Contest, data["contest"].id)
        contest.name = "Prix " + "très long " * 60 + "\r\nX-Injected: yes"
    with session_scope(sqlite_engine) as session:
        outbox.queue_judge_invitation(session=session, settings=settings, judge_id=judge.id)
    with smtp_server() as server:
        mail_sender.deliver_due(sqlite_engine, with_smtp(settings, server), holder="t")
        [message] = server.handler.messages()
        [raw] = server.handler.received
    assert message["Bcc"] is None and message["X-Injected"] is None
    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in headers and b"\nX-Injected:" not in headers
    assert message["To"].addresses[0].addr_spec == "eve@jury.example"
    assert message["To"].addresses[0].display_name == "Eve Bcc: victim@evil.example"
    assert len(message["Subject"]) <= mail.SUBJECT_MAX


@pytest.mark.parametrize(
    "address",
    ["a@b.example\r\nBcc: x@y.example", "not-an-address", "a@b", "<a@b.example>", "a b@c.example"],
)
def test_bad_addresses_are_refused(address):
    with pytest.raises(ValidationError):
        mail.clean_address(address)


# --- settings -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", ["http://mail.example.org", "smtp://", "smtp://host:99999", "smtp://host?verify=0"]
)
def test_a_bad_smtp_url_stops_start_up_naming_the_setting(url):
    with pytest.raises(ConfigError, match="PITCHJUDGE_SMTP_URL"):
        load_settings(
            {"PITCHJUDGE_SMTP_URL": url, "PITCHJUDGE_MAIL_FROM": "a@b.example"}, env_file=None
        )


def test_smtp_urls_are_read_with_their_security():
    def smtp(url):
        return load_settings(
            {"PITCHJUDGE_SMTP_URL": url, "PITCHJUDGE_MAIL_FROM": "a@b.example"}, env_file=None
        ).smtp

    starttls = smtp("smtp://me%40x.org:p%40ss@mail.example.org")
    assert (starttls.security, starttls.port, starttls.username, starttls.password) == (
        "starttls",
        587,
        "me@x.org",
        "p@ss",
    )
    assert (smtp("smtps://mail.example.org").security, smtp("smtps://m.example.org").port) == (
        "tls",
        465,
    )
    assert smtp("smtp://127.0.0.1:2525?tls=none").security == "none"


def test_smtp_needs_a_valid_sender():
    with pytest.raises(ConfigError, match="PITCHJUDGE_MAIL_FROM"):
        load_settings({"PITCHJUDGE_SMTP_URL": "smtp://mail.example.org"}, env_file=None)
    with pytest.raises(ConfigError, match="PITCHJUDGE_MAIL_FROM"):
        load_settings(
            {"PITCHJUDGE_SMTP_URL": "smtp://m.example.org", "PITCHJUDGE_MAIL_FROM": "nobody"},
            env_file=None,
        )


def test_send_mail_without_smtp_says_how_many_wait(tmp_path, monkeypatch, capsys, settings):
    monkeypatch.chdir(tmp_path)
    for name, value in {
        "PITCHJUDGE_DATABASE_URL": settings.database_url,
        "PITCHJUDGE_DATA_DIR": str(settings.data_dir),
        "PITCHJUDGE_ADMIN_PASSWORD": "correct horse battery",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("PITCHJUDGE_SMTP_URL", raising=False)
    from pitchjudge.db import make_engine, migrate

    engine = make_engine(settings.database_url)
    migrate(engine)
    contest = make_contest(engine)
    submit(engine, settings, contest.id)
    assert cli_main(["send-mail"]) == 1
    assert (
        "E-mail is not configured (PITCHJUDGE_SMTP_URL): 1 messages waiting"
        in capsys.readouterr().err
    )
    monkeypatch.setenv("PITCHJUDGE_SMTP_URL", "smtp://bad host")
    assert cli_main(["send-mail"]) == 2
    assert "PITCHJUDGE_SMTP_URL" in capsys.readouterr().err
    engine.dispose()


def test_the_lifespan_hook_sends_while_the_server_runs_and_stops_with_it(
    tmp_path, sqlite_template, monkeypatch
):
    import asyncio
    import shutil

    from pitchjudge.db import make_engine
    from pitchjudge.mail_worker import mail_sender_lifespan

    database = tmp_path / "app.db"
    shutil.copy(sqlite_template, database)
    engine = make_engine(f"sqlite:///{database}")
    monkeypatch.chdir(tmp_path)
    with smtp_server() as server:
        values = {
            "PITCHJUDGE_DATABASE_URL": f"sqlite:///{database}",
            "PITCHJUDGE_DATA_DIR": str(tmp_path / "data"),
            "PITCHJUDGE_ADMIN_PASSWORD": "correct horse battery",
            "PITCHJUDGE_SMTP_URL": server.url,
            "PITCHJUDGE_MAIL_FROM": "jury@prix.example",
        }
        for name, value in values.items():
            monkeypatch.setenv(name, value)
        settings = load_settings(env_file=None)
        contest = make_contest(engine)
        submit(engine, settings, contest.id)

        async def serve() -> None:
            async with mail_sender_lifespan(None):
                for _ in range(300):
                    if rows(engine)[0].status == MailStatus.SENT:
                        return
                    await asyncio.sleep(0.1)

        run_in_own_loop(serve())
        assert rows(engine)[0].status == MailStatus.SENT
        assert len(server.handler.messages()) == 1
    # Stopped with the server: its lease is free for the next sender at once.
    assert mail_sender.acquire_lease(engine, holder="next")
    engine.dispose()


def test_a_link_reissued_by_the_organiser_is_the_one_emailed_later(engine, settings):
    contest = make_contest(engine)
    first = submit(engine, settings, contest.id)
    with session_scope(engine) as session:
        token = applications.reissue_link(
            session=session, pitch_id=first.pitch.id, settings=settings
        )
    with session_scope(engine) as session:
        outbox.request_links(
            session=session,
            settings=settings,
            contest_id=contest.id,
            email="camille@kelvio.example",
            client=None,
            language="en",
        )
    [links] = rows(engine, kind=mail.LINK_AGAIN)
    assert f"?token={token}" in links.body_text
    assert f"?token={first.token}" not in links.body_text


def test_a_kept_connection_the_server_closed_is_reopened_without_a_retry_delay(
    sqlite_engine, settings
):
    contest = make_contest(sqlite_engine)
    submit(sqlite_engine, settings, contest.id)
    with smtp_server() as server:
        configured = with_smtp(settings, server)
        transport = mail_sender.SmtpTransport(configured.smtp)
        try:
            first = mail_sender.deliver_due(
                sqlite_engine, configured, holder="t", transport=transport
            )
            server.stop()  # the server restarts: the kept connection is dead
            server.start()
            submit(
                sqlite_engine, settings, contest.id, startup_name="B", contact_email="b@b.example"
            )
            second = mail_sender.deliver_due(
                sqlite_engine, configured, holder="t", transport=transport
            )
        finally:
            transport.close()
        assert (first.sent, second.sent, second.retried) == (1, 1, 0)
        assert len(server.handler.messages()) == 2
