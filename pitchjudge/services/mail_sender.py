"""The sender: delivers the outbox over SMTP, outside any web request, one sender per database.

Each attempt is recorded (status "sending", attempt count) and committed *before* the message
goes to the server; the "sent" mark follows the server's 250. A sender killed in between
leaves the message "sending", and the next sender sends it again with the same Message-ID:
at most one duplicate, never a loss. Only the holder of the database lease sends, so several
replicas (or a stray `pitchjudge send-mail`) never deliver the same message twice at once.
"""

from __future__ import annotations

import email.policy
import logging
import os
import smtplib
import socket
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import parseaddr

from sqlalchemy import Engine, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from pitchjudge import mail
from pitchjudge.config import Settings, SmtpSettings
from pitchjudge.db import session_scope
from pitchjudge.models import MailStatus, OutboxMessage, WorkerLease, utcnow

log = logging.getLogger("pitchjudge.mail")

LEASE_NAME = "mail-sender"
LEASE_TTL_S = 30.0
#: Retry delays: 30 s, 1 min, 2 min … capped at 1 h; after MAX_ATTEMPTS the message fails.
BACKOFF_FIRST_S = 30.0
BACKOFF_MAX_S = 3600.0
MAX_ATTEMPTS = 12


def backoff(attempts: int, *, first_s: float = BACKOFF_FIRST_S) -> timedelta:
    """The wait before attempt `attempts + 1`: doubling from `first_s`, at most an hour."""
    return timedelta(seconds=min(BACKOFF_MAX_S, first_s * 2 ** max(0, attempts - 1)))


def holder_name() -> str:
    """Who holds the lease: this host and process (and thread, for in-process senders)."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"[:120]


def acquire_lease(
    engine: Engine, *, holder: str, ttl_s: float = LEASE_TTL_S, now: datetime | None = None
) -> bool:
    """Take or renew the sender's lease; False while another live sender holds it."""
    now = now or utcnow()
    expires = now + timedelta(seconds=ttl_s)
    with session_scope(engine) as session:
        taken = session.execute(
            update(WorkerLease)
            .where(
                col(WorkerLease.name) == LEASE_NAME,
                (col(WorkerLease.holder) == holder) | (col(WorkerLease.expires_at) <= now),
            )
            .values(holder=holder, expires_at=expires)
        ).rowcount
        if taken:
            return True
        if session.get(WorkerLease, LEASE_NAME) is not None:
            return False
    try:
        with session_scope(engine) as session:
            session.add(WorkerLease(name=LEASE_NAME, holder=holder, expires_at=expires))
        return True
    except IntegrityError:
        return False  # another sender created it first


def release_lease(engine: Engine, *, holder: str) -> None:
    """Give the lease up (on a clean stop), so the next sender need not wait for it to expire."""
    with session_scope(engine) as session:
        session.execute(
            update(WorkerLease)
            .where(col(WorkerLease.name) == LEASE_NAME, col(WorkerLease.holder) == holder)
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )


class Transient(Exception):
    """A failure worth retrying (4xx, connection trouble)."""


class Permanent(Exception):
    """The server refused the message for good (5xx)."""


def _answer(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {text}".strip()


class SmtpTransport:
    """One SMTP connection, opened on first use and kept for the next messages."""

    def __init__(self, config: SmtpSettings) -> None:
        self.config = config
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        context = ssl.create_default_context()
        if c.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                c.host, c.port, timeout=c.timeout_s, context=context
            )
        else:
            smtp = smtplib.SMTP(c.host, c.port, timeout=c.timeout_s)
        smtp.ehlo()
        if c.security == "starttls":
            smtp.starttls(context=context)
            smtp.ehlo()
        if c.username:
            smtp.login(c.username, c.password or "")
        return smtp

    def send(self, message: EmailMessage, *, sender: str, recipient: str) -> str:
        """Hand `message` over; returns the server's answer, raises Transient or Permanent."""
        try:
            if self._smtp is None:
                self._smtp = self._connect()
            smtp = self._smtp
            try:
                code, text = smtp.mail(sender)
            except (smtplib.SMTPServerDisconnected, ConnectionError):
                # A kept connection the server has since closed: open a new one, once (nothing
                # of this message was sent yet).
                self.close()
                self._smtp = smtp = self._connect()
                code, text = smtp.mail(sender)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, text, sender)
            code, text = smtp.rcpt(recipient)
            if code not in (250, 251):
                raise smtplib.SMTPRecipientsRefused({recipient: (code, text)})
            # The final answer to DATA is the server's receipt ("250 2.0.0 Ok: queued as …").
            code, text = smtp.data(message.as_bytes(policy=email.policy.SMTP))
            if code != 250:  # smtplib raises for the 354 step only, not for the final answer
                raise smtplib.SMTPDataError(code, text)
            return _answer(code, text)
        except smtplib.SMTPRecipientsRefused as error:
            self.close()
            code, text = next(iter(error.recipients.values()))
            raise (Permanent if code >= 500 else Transient)(_answer(code, text)) from None
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as error:
            self.close()
            raise (Permanent if error.smtp_code >= 500 else Transient)(
                _answer(error.smtp_code, error.smtp_error)
            ) from None
        except smtplib.SMTPResponseException as error:
            # Greeting, HELO, STARTTLS or login trouble: the server's or our settings' fault,
            # not this message's; it waits for the next attempt.
            self.close()
            raise Transient(_answer(error.smtp_code, error.smtp_error)) from None
        except (smtplib.SMTPException, OSError) as error:
            self.close()
            raise Transient(f"{type(error).__name__}: {error}") from None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (smtplib.SMTPException, OSError):
                self._smtp.close()
            self._smtp = None


@dataclass
class Report:
    """What one pass of the sender did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    answers: list[str] = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.failed


def mime_for(row: OutboxMessage, settings: Settings) -> EmailMessage:
    return mail.build_mime(
        message_id=row.message_id,
        created_at=row.created_at,
        mail_from=settings.mail_from,
        to_address=row.to_address,
        to_name=row.to_name,
        reply_to=row.reply_to,
        subject=row.subject,
        body_text=row.body_text,
        body_html=row.body_html,
        inline_png=row.inline_png,
        language=row.language,
    )


def _due_ids(engine: Engine, now: datetime, limit: int) -> list[int]:
    with session_scope(engine, read_only=True) as session:
        return list(
            session.exec(
                select(OutboxMessage.id)
                .where(
                    # "sending" rows were left by a sender that died mid-attempt (we hold the
                    # lease, so no other sender is working on them): they go again.
                    (col(OutboxMessage.status) == MailStatus.SENDING)
                    | (
                        (col(OutboxMessage.status) == MailStatus.QUEUED)
                        & (col(OutboxMessage.next_attempt_at) <= now)
                    )
                )
                .order_by(col(OutboxMessage.next_attempt_at), col(OutboxMessage.id))
                .limit(limit)
            ).all()
        )


def _advance(
    engine: Engine,
    *,
    finish: tuple[int, str, str, datetime | None] | None,
    start: int | None,
    now: datetime,
) -> OutboxMessage | None:
    """One commit: record the outcome of the previous message (`finish`: id, status, answer,
    next attempt) and the attempt on the next one (`start`), before it is handed over.

    So at any moment at most one message has been handed to the server without its outcome
    being recorded: a crash costs at most one duplicate, and a message costs one commit.
    """
    with session_scope(engine) as session:
        if finish is not None:
            message_id, status, answer, retry_at = finish
            done = session.get(OutboxMessage, message_id)
            if done is not None:
                done.status = status
                done.smtp_answer = answer[:2000]
                if status == MailStatus.SENT:
                    done.sent_at = now
                if retry_at is not None:
                    done.next_attempt_at = retry_at
                session.add(done)
        if start is None:
            return None
        row = session.get(OutboxMessage, start)
        if row is None or row.status not in (MailStatus.QUEUED, MailStatus.SENDING):
            return None
        row.status = MailStatus.SENDING
        row.attempts += 1
        row.last_attempt_at = now
        session.add(row)
        session.flush()
        return row


def deliver_due(
    engine: Engine,
    settings: Settings,
    *,
    holder: str,
    transport: SmtpTransport | None = None,
    batch: int = 200,
    lease_ttl_s: float = LEASE_TTL_S,
    backoff_first_s: float = BACKOFF_FIRST_S,
    clock: Callable[[], datetime] = utcnow,
    stop: threading.Event | None = None,
) -> Report:
    """One pass: send what is due, if this sender holds the lease (else do nothing)."""
    report = Report()
    if settings.smtp is None:
        return report
    due = _due_ids(engine, clock(), batch)
    # An idle sender only reads: the lease (a write) is taken when there is work.
    if not due or not acquire_lease(engine, holder=holder, ttl_s=lease_ttl_s, now=clock()):
        return report
    own_transport = transport is None
    transport = transport or SmtpTransport(settings.smtp)
    sender = parseaddr(settings.mail_from)[1]
    renewed = clock()
    finish: tuple[int, str, str, datetime | None] | None = None
    try:
        for message_id in due:
            if stop is not None and stop.is_set():
                break
            if (clock() - renewed).total_seconds() > lease_ttl_s / 3:
                if not acquire_lease(engine, holder=holder, ttl_s=lease_ttl_s, now=clock()):
                    break  # lost the lease (paused too long): someone else sends now
                renewed = clock()
            row = _advance(engine, finish=finish, start=message_id, now=clock())
            finish = None
            if row is None:
                continue
            try:
                answer = transport.send(
                    mime_for(row, settings), sender=sender, recipient=row.to_address
                )
            except Permanent as error:
                finish = (message_id, MailStatus.FAILED, str(error), None)
                report.failed += 1
                report.answers.append(str(error))
                log.warning("mail %s to %s refused: %s", row.id, row.to_address, error)
            except Transient as error:
                report.answers.append(str(error))
                log.info("mail %s to %s will be retried: %s", row.id, row.to_address, error)
                if row.attempts >= MAX_ATTEMPTS:
                    finish = (message_id, MailStatus.FAILED, str(error), None)
                    report.failed += 1
                else:
                    retry_at = clock() + backoff(row.attempts, first_s=backoff_first_s)
                    finish = (message_id, MailStatus.QUEUED, str(error), retry_at)
                    report.retried += 1
                break  # the server is unwell: the rest waits for the next pass
            else:
                finish = (message_id, MailStatus.SENT, answer, None)
                report.sent += 1
    finally:
        if finish is not None:
            _advance(engine, finish=finish, start=None, now=clock())
        if own_transport:
            transport.close()
    return report


def run(
    engine: Engine,
    settings: Settings,
    *,
    stop: threading.Event,
    poll_s: float = 1.0,
    lease_ttl_s: float = LEASE_TTL_S,
    backoff_first_s: float = BACKOFF_FIRST_S,
    on_pass: Callable[[Report], None] | None = None,
) -> None:
    """Send until `stop` is set: a pass, then a pause of `poll_s` when nothing was due."""
    holder = holder_name()
    transport = SmtpTransport(settings.smtp) if settings.smtp else None
    try:
        while not stop.is_set():
            try:
                report = deliver_due(
                    engine,
                    settings,
                    holder=holder,
                    transport=transport,
                    lease_ttl_s=lease_ttl_s,
                    backoff_first_s=backoff_first_s,
                    stop=stop,
                )
            except Exception:  # the database went away for a moment: keep the loop alive
                log.exception("mail sender pass failed")
                report = Report()
            if on_pass is not None:
                on_pass(report)
            if report.attempted == 0 or report.retried:
                if transport is not None and report.attempted == 0:
                    transport.close()
                stop.wait(poll_s)
    finally:
        if transport is not None:
            transport.close()
        if settings.smtp is not None:
            release_lease(engine, holder=holder)


def start_thread(
    engine: Engine, settings: Settings, *, poll_s: float = 1.0
) -> tuple[threading.Thread, threading.Event]:
    """Run the sender in a daemon thread of this process; set the event to stop it."""
    stop = threading.Event()
    thread = threading.Thread(
        target=run,
        args=(engine, settings),
        kwargs={"stop": stop, "poll_s": poll_s},
        name="pitchjudge-mail-sender",
        daemon=True,
    )
    thread.start()
    return thread, stop
