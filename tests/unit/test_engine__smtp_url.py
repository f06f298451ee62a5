"""PHEDUYET_SMTP_URL read into SMTP settings: ports, TLS rules, the login, the options, and the
URLs refused with the reason."""

from __future__ import annotations

import pytest

from engine import MailError, SmtpSettings


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp://mail.so.vn", ("mail.so.vn", 25, False, False, None, None)),
        ("smtp://mail.so.vn:2525?starttls=required", ("mail.so.vn", 2525, False, True, None, None)),
        ("smtp://mail.so.vn:587", ("mail.so.vn", 587, False, True, None, None)),
        (
            "smtp://thu%40so.vn:p%40ss%3Aw@mail.so.vn:25",
            ("mail.so.vn", 25, False, True, "thu@so.vn", "p@ss:w"),
        ),
        ("smtps://u:p@mail.so.vn", ("mail.so.vn", 465, True, False, "u", "p")),
    ],
)
def test_smtp_url__read(url: str, expected: tuple[object, ...]) -> None:
    s = SmtpSettings.from_url(url)
    assert (s.host, s.port, s.implicit_tls, s.starttls_required, s.username, s.password) == (
        expected
    )


def test_smtp_url__options() -> None:
    s = SmtpSettings.from_url("smtp://h?cafile=/etc/ssl/ca.pem&timeout=5")
    assert (s.cafile, s.timeout) == ("/etc/ssl/ca.pem", 5.0)


@pytest.mark.parametrize(
    "url",
    ["http://mail.so.vn", "smtp://", "smtp://h?tls=1", "smtp://h:99999", "smtp://h?starttls=no"],
)
def test_smtp_url__refused(url: str) -> None:
    with pytest.raises(MailError) as refused:
        SmtpSettings.from_url(url)
    assert refused.value.details["reason"] == "smtp_url"
