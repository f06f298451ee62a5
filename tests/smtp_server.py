"""A real SMTP server on 127.0.0.1 for mail tests (aiosmtpd in a thread): it keeps what it
receives, can be stopped and started again on its port (a server that is down, then back), and
can offer STARTTLS with a certificate of its own and ask for a login."""

from __future__ import annotations

import socket
import ssl
import subprocess
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "pheduyet", "mat-khau@thu:1"  # quoted in the URL


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Mailbox:
    """What the server received: (envelope recipients, parsed message) in order."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.received: list[tuple[list[str], EmailMessage]] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 OK"

    def start(self, **smtp_options: Any) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, **smtp_options)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.received if address in rcpt]


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    """A plain SMTP server, no TLS, no login."""
    box = Mailbox(free_port())
    box.start()
    yield box
    box.stop()


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (openssl): (certificate, key)."""
    cert, key = folder / "smtp.pem", folder / "smtp.key"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def check_login(_server: Any, _session: Any, _envelope: Any, _mechanism: str, data: Any) -> Any:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def tls_mailbox(tmp_path: Path) -> Iterator[tuple[Mailbox, Path]]:
    """A server that offers STARTTLS (its own certificate) and takes one login after it:
    (the server, the certificate to trust)."""
    cert, key = certificate(tmp_path)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    box = Mailbox(free_port())
    box.start(tls_context=context, require_starttls=True, authenticator=check_login)
    yield box, cert
    box.stop()
