"""Sending the department's notification mail: the settings from the environment, a message
composed from the outbox's OutgoingMail (mail_text's words), handed to SMTP (engine.mail)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from email.header import Header
from email.message import Message
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr, parseaddr

from engine import Clock, MailError, MailItem, NotifyEvent, OutgoingMail, SmtpSettings, send_message

from .mail_text import APP, render

MAIL_FROM_ENV = "PHEDUYET_MAIL_FROM"
BASE_URL_ENV = "PHEDUYET_BASE_URL"
SMTP_URL_ENV = "PHEDUYET_SMTP_URL"
DEFAULT_FROM = "pheduyet@localhost"


@dataclass(frozen=True)
class MailSettings:
    """Where mail goes (SMTP), whom it is from, and the address of the web app for links."""

    smtp: SmtpSettings
    mail_from: str
    base_url: str | None = None

    @classmethod
    def from_environment(cls) -> MailSettings | None:
        """PHEDUYET_SMTP_URL, PHEDUYET_MAIL_FROM and PHEDUYET_BASE_URL; None when no SMTP URL
        is set (mail then waits in the outbox). MailError for a malformed URL or sender."""
        url = os.environ.get(SMTP_URL_ENV, "").strip()
        if not url:
            return None
        mail_from = os.environ.get(MAIL_FROM_ENV, "").strip() or DEFAULT_FROM
        if "@" not in parseaddr(mail_from)[1]:
            raise MailError(f"{MAIL_FROM_ENV} is not an address: {mail_from!r}")
        base = os.environ.get(BASE_URL_ENV, "").strip() or None
        if base and not base.startswith(("http://", "https://")):
            raise MailError(f"{BASE_URL_ENV} must start with http:// or https://: {base!r}")
        return cls(SmtpSettings.from_url(url), mail_from, base)

    @property
    def domain(self) -> str:
        """The domain of the sender, for Message-IDs."""
        return parseaddr(self.mail_from)[1].rpartition("@")[2] or "localhost"


def compose(mail: OutgoingMail, settings: MailSettings, zone: tzinfo, now: datetime) -> Message:
    """The message itself: plain text and HTML alternatives, the outbox's Message-ID.

    Built with the classic MIME classes and an RFC 2047 Header: the newer EmailMessage folds a
    long Vietnamese subject between two encoded words and mail readers then lose the space
    there ("quá hạn" read as "quáhạn")."""
    rendered = render(mail, settings.base_url, zone, now)
    message = MIMEMultipart("alternative")
    # compat32 messages take a Header (typeshed's Message says str only)
    message["Subject"] = Header(rendered.subject, "utf-8")  # type: ignore[assignment]
    name, address = parseaddr(settings.mail_from)
    message["From"] = formataddr((name or APP, address), "utf-8")
    message["To"] = formataddr((mail.display_name, mail.email), "utf-8")
    message["Date"] = format_datetime(now)
    message["Message-ID"] = mail.message_id
    message["Auto-Submitted"] = "auto-generated"  # no vacation replies to a robot
    message["Content-Language"] = mail.locale
    message.attach(MIMEText(rendered.text, "plain", "utf-8"))
    message.attach(MIMEText(rendered.html, "html", "utf-8"))
    return message


def sender(settings: MailSettings, zone: tzinfo, clock: Clock) -> Callable[[OutgoingMail], None]:
    """What the outbox calls for each message (engine.deliver_mail's `send`)."""

    def send(mail: OutgoingMail) -> None:
        send_message(settings.smtp, compose(mail, settings, zone, clock()))

    return send


def trial_mail(
    username: str,
    display_name: str,
    email: str,
    locale: str,
    settings: MailSettings,
    at: datetime,
) -> OutgoingMail:
    """A test message for `pheduyet notify test`: sent at once, not through the outbox."""
    return OutgoingMail(
        message_id=f"<pheduyet.test.{uuid.uuid4().hex}@{settings.domain}>",
        recipient=username,
        display_name=display_name,
        email=email,
        locale=locale,
        digest=False,
        attempt=1,
        items=(
            MailItem(
                id=0,
                event=NotifyEvent.TEST,
                instance_id=None,
                task_id=None,
                title="",
                step=None,
                due_at=None,
                reason=None,
                units=None,
                actor=None,
                created_at=at,
            ),
        ),
    )
