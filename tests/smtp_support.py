"""A real SMTP server for tests: aiosmtpd on a free local port, whose answers can be scripted."""

from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Recorder:
    """The server's handler: keeps every message it accepted, answers as scripted."""

    #: Answers to give to the next DATA commands instead of accepting ("451 4.3.0 Try later").
    data_answers: list[str] = field(default_factory=list)
    #: Answers to give to the next RCPT commands ("550 5.1.1 No such user").
    rcpt_answers: list[str] = field(default_factory=list)
    #: Seconds to wait, after keeping a message, before answering its DATA (once).
    hold_next_s: float = 0.0
    received: list[bytes] = field(default_factory=list)
    data_seen: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.rcpt_answers:
            return self.rcpt_answers.pop(0)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_answers:
            return self.data_answers.pop(0)
        with self.lock:
            self.received.append(envelope.content)
            number = len(self.received)
        self.data_seen.set()
        if self.hold_next_s:
            hold, self.hold_next_s = self.hold_next_s, 0.0
            await asyncio.sleep(hold)
        return f"250 2.0.0 Ok: queued as T{number}"

    def messages(self) -> list[EmailMessage]:
        """Every accepted message, parsed back with the `email` package."""
        with self.lock:
            raw = list(self.received)
        return [email.message_from_bytes(data, policy=email.policy.default) for data in raw]


class SmtpServer:
    """aiosmtpd on 127.0.0.1:`port`; can be stopped and started again on the same port."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = Recorder()
        self._controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}?tls=none"

    def start(self) -> None:
        self._controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@contextmanager
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML bodies of a message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, "both a text and an HTML part"
    return text.get_content(), html.get_content()
