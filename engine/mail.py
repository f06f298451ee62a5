"""Handing a message to an SMTP server, configured by one URL.

``PHEDUYET_SMTP_URL``:

- ``smtp://host[:port]`` (port 25 by default): STARTTLS whenever the server offers it; a plain
  connection when it does not, unless the URL logs in or uses port 587, where STARTTLS is
  required (a password is never sent in clear; 587 is the submission port, TLS is its rule).
- ``smtp://user:password@host:587``: STARTTLS, then the login (user and password are URL-decoded,
  so ``%40`` stands for ``@``).
- ``smtps://user:password@host[:465]``: TLS from the first byte (implicit TLS).
- Query options: ``starttls=required`` (refuse a server without it), ``cafile=/path/ca.pem`` (trust
  an office's own certificate authority besides the system's), ``timeout=30`` (seconds).

Certificates are always checked. Every failure is a ``MailError`` whose message names the
problem (cannot connect, no STARTTLS, the login refused, an address refused); the refusals
that retrying cannot mend (a 5xx for the address) are ``permanent``.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import Message
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from .errors import EngineError

SMTP_URL_ENV = "PHEDUYET_SMTP_URL"
DEFAULT_TIMEOUT = 30.0


class MailError(EngineError):
    """The mail could not be handed to the server: the message names the problem (connection,
    STARTTLS, login, a refused address). `permanent` errors are not retried."""

    code = "mail_error"

    def __init__(self, message: str, *, permanent: bool = False, **details: Any) -> None:
        super().__init__(message, **details)
        self.permanent = permanent


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to hand over mail (see the module's description of the URL)."""

    host: str
    port: int
    implicit_tls: bool = False
    starttls_required: bool = False
    username: str | None = None
    password: str | None = None
    cafile: str | None = None
    timeout: float = DEFAULT_TIMEOUT

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Read an smtp:// or smtps:// URL; MailError (reason 'smtp_url') when it is not one."""
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError as exc:
            raise MailError(f"{SMTP_URL_ENV}: {exc}", reason="smtp_url") from None
        if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
            raise MailError(
                f"{SMTP_URL_ENV} must look like smtp://user:password@host:587 or smtps://host",
                reason="smtp_url",
            )
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        unknown = set(query) - {"starttls", "cafile", "timeout"}
        if unknown:
            raise MailError(
                f"{SMTP_URL_ENV}: unknown option(s) {', '.join(sorted(unknown))}",
                reason="smtp_url",
            )
        implicit = parts.scheme == "smtps"
        port = port or (465 if implicit else 25)
        username = unquote(parts.username) if parts.username else None
        starttls = query.get("starttls", "")
        if starttls not in ("", "required", "auto"):
            raise MailError(f"{SMTP_URL_ENV}: starttls is 'required' or 'auto'", reason="smtp_url")
        try:
            timeout = float(query.get("timeout", DEFAULT_TIMEOUT))
        except ValueError:
            raise MailError(f"{SMTP_URL_ENV}: timeout is seconds", reason="smtp_url") from None
        return cls(
            host=parts.hostname,
            port=port,
            implicit_tls=implicit,
            starttls_required=not implicit
            and (starttls == "required" or username is not None or port == 587),
            username=username,
            password=unquote(parts.password) if parts.password else None,
            cafile=query.get("cafile") or None,
            timeout=timeout,
        )

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    context = ssl.create_default_context()
    if settings.cafile:
        try:
            context.load_verify_locations(cafile=settings.cafile)
        except (OSError, ssl.SSLError) as exc:
            raise MailError(f"cannot read the CA file {settings.cafile}: {exc}") from None
    return context


def send_message(settings: SmtpSettings, message: Message) -> None:
    """Hand one message to the server (its To, From and Message-ID set by the caller)."""
    try:
        with _connect(settings) as client:
            _secure_and_login(client, settings)
            refused = client.send_message(message)
    except MailError:
        raise
    except smtplib.SMTPRecipientsRefused as exc:
        raise _refused(settings, exc.recipients) from None
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(
            f"the server {settings.where} refused the login of '{settings.username}': "
            f"{exc.smtp_code} {_text(exc.smtp_error)}",
            reason="smtp_login",
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise MailError(
            f"the server {settings.where} refused the message: {exc.smtp_code} "
            f"{_text(exc.smtp_error)}",
            permanent=500 <= exc.smtp_code < 600,
            reason="smtp_refused",
        ) from None
    except ssl.SSLError as exc:
        raise MailError(f"TLS with {settings.where} failed: {exc}", reason="smtp_tls") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(
            f"cannot talk to the mail server {settings.where}: {exc or type(exc).__name__}",
            reason="smtp_connect",
        ) from None
    if refused:
        raise _refused(settings, refused)


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    if settings.implicit_tls:
        return smtplib.SMTP_SSL(
            settings.host,
            settings.port,
            timeout=settings.timeout,
            context=_tls_context(settings),
        )
    return smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)


def _secure_and_login(client: smtplib.SMTP, settings: SmtpSettings) -> None:
    client.ehlo()
    if not settings.implicit_tls:
        if client.has_extn("starttls"):
            client.starttls(context=_tls_context(settings))
            client.ehlo()
        elif settings.starttls_required:
            raise MailError(
                f"the server {settings.where} does not offer STARTTLS, and this connection "
                "needs it (a login or port 587): the mail was not sent",
                reason="smtp_no_starttls",
            )
    if settings.username:
        try:
            client.login(settings.username, settings.password or "")
        except UnicodeEncodeError:
            raise MailError(
                "smtplib logs in with ASCII user names and passwords only", reason="smtp_login"
            ) from None


def _refused(settings: SmtpSettings, refused: dict[str, tuple[int, bytes]]) -> MailError:
    said = "; ".join(f"{to}: {code} {_text(text)}" for to, (code, text) in refused.items())
    return MailError(
        f"the server {settings.where} refused the address {said}",
        permanent=all(500 <= code < 600 for code, _t in refused.values()),
        reason="smtp_address_refused",
    )


def _text(value: bytes | str) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)
