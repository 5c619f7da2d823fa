"""E-mail over an encrypted connection: STARTTLS with a login (smtp://user:pass@host:587) and
implicit TLS (smtps://…:465), against a real aiosmtpd speaking TLS with a certificate made for
the test. A server whose certificate is not trusted never receives the message in clear."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from pitchjudge.config import load_settings
from pitchjudge.models import MailStatus
from pitchjudge.services import mail_sender
from tests.factories import make_contest, submit
from tests.smtp_support import Recorder, free_port
from tests.test_mail import rows

pytestmark = pytest.mark.skipif(
    shutil.which("openssl") is None, reason="the openssl command makes the test certificate"
)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (its own authority)."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return cert, key


class Seen(Recorder):
    """Keeps, with each message, whether it came over TLS and who logged in."""

    def __init__(self) -> None:
        super().__init__()
        self.sessions: list[tuple[bool, str | None]] = []

    async def handle_DATA(self, server, session, envelope):
        user = session.auth_data.decode() if session.authenticated else None
        encrypted = server.transport.get_extra_info("ssl_object") is not None
        self.sessions.append((encrypted, user))
        return await super().handle_DATA(server, session, envelope)


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        b"jury@prix.example",
        b"s3cret:pass",
    )
    return AuthResult(success=ok, auth_data=auth_data.login if ok else None)


def server_context(certificate) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*map(str, certificate))
    return context


def configured(settings, url: str):
    return replace(
        settings,
        smtp=load_settings(
            {"PITCHJUDGE_SMTP_URL": url, "PITCHJUDGE_MAIL_FROM": "jury@prix.example"},
            env_file=None,
        ).smtp,
    )


def start(controller: Controller):
    controller.start()
    return controller


def test_starttls_with_a_login_delivers_encrypted(
    sqlite_engine, settings, certificate, monkeypatch
):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))  # trust the test's authority
    handler, port = Seen(), free_port()
    controller = start(
        Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            tls_context=server_context(certificate),
            require_starttls=True,
            authenticator=authenticator,
            auth_required=True,
        )
    )
    try:
        submit(sqlite_engine, settings, make_contest(sqlite_engine).id)
        url = f"smtp://jury%40prix.example:s3cret%3Apass@127.0.0.1:{port}"
        report = mail_sender.deliver_due(sqlite_engine, configured(settings, url), holder="t")
    finally:
        controller.stop()
    assert report.sent == 1, report.answers
    assert handler.sessions == [(True, "jury@prix.example")]
    [row] = rows(sqlite_engine)
    assert row.status == MailStatus.SENT


def test_implicit_tls_delivers(sqlite_engine, settings, certificate, monkeypatch):
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    handler, port = Seen(), free_port()
    controller = start(
        Controller(
            handler, hostname="127.0.0.1", port=port, ssl_context=server_context(certificate)
        )
    )
    try:
        submit(sqlite_engine, settings, make_contest(sqlite_engine).id)
        report = mail_sender.deliver_due(
            sqlite_engine, configured(settings, f"smtps://127.0.0.1:{port}"), holder="t"
        )
    finally:
        controller.stop()
    assert report.sent == 1, report.answers
    assert handler.sessions == [(True, None)]


def test_an_untrusted_certificate_keeps_the_message_queued_and_sends_nothing(
    sqlite_engine, settings, certificate, monkeypatch
):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)  # the system's authorities only
    handler, port = Seen(), free_port()
    controller = start(
        Controller(
            handler,
            hostname="127.0.0.1",
            port=port,
            tls_context=server_context(certificate),
            require_starttls=True,
        )
    )
    try:
        submit(sqlite_engine, settings, make_contest(sqlite_engine).id)
        report = mail_sender.deliver_due(
            sqlite_engine, configured(settings, f"smtp://127.0.0.1:{port}"), holder="t"
        )
    finally:
        controller.stop()
    assert (report.sent, report.retried) == (0, 1)
    assert handler.received == []
    [row] = rows(sqlite_engine)
    assert row.status == MailStatus.QUEUED
    assert "CERTIFICATE_VERIFY_FAILED" in (row.smtp_answer or "")
