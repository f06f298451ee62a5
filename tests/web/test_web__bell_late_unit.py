"""Báo cáo quá hạn names the late unit: the escalation of an overdue step tells whom to chase,
the unit that holds it by its name, on Thông báo and in the mail (a real SMTP server)."""

from __future__ import annotations

from typing import Any

import engine
from engine import DeadlinePolicy, transaction
from tests.smtp_server import Mailbox
from tests.web.conftest import post
from tests.web.test_web__urging import _overdue
from workflows.mailing import MailSettings, sender

UNIT = "Phòng Quản lý Khoa học và Công nghệ cơ sở"  # phong_qlkhcn_cs, the lead unit
PROFILE = "/account/"
FROM = "Sở KH&CN <pheduyet@skhcn.gov.vn>"


def deliver(office: Any, mailbox: Mailbox) -> None:
    """The worker's mail round: the digests whose hour has come, then every message due."""
    settings = MailSettings(engine.SmtpSettings.from_url(mailbox.url), FROM)
    zone = office.config.timezone
    engine.deliver_mail(
        office.factory,
        office.clock,
        sender(settings, zone, office.clock),
        zone=zone,
        domain=settings.domain,
    )


def choose(client: Any, email: str, **choices: str) -> None:
    """Save Thông tin cá nhân as a person does: an address, and a delivery for every event."""
    form = {"email": email, "locale": "vi", "digest_hour": "7"}
    for event in engine.CHOOSABLE_EVENTS:
        form[f"event_{event}"] = choices.get(str(event), "immediately")
    answer = post(client, PROFILE, PROFILE, form)
    assert answer.status_code == 303, answer.get_data(as_text=True)


def about(mailbox: Mailbox, address: str, words: str) -> list[Any]:
    return [m for m in mailbox.to(address) if words in str(m["Subject"])]


def test_escalation__the_bell_and_the_mail_name_the_late_unit(
    office: Any, login: Any, mailbox: Mailbox
) -> None:
    item = _overdue(office)  # the unit's progress step, unclaimed, past its deadline
    director = login("giamdoc")
    choose(director, "giamdoc@skhcn.gov.vn")
    office.tick(4)  # more than two working days past: the step is reported to the leadership
    with transaction(office.factory) as s:
        engine.scan_deadlines(s, office.config, DeadlinePolicy())
    step = office.task("cs.cv1", item, "cap_nhat_tien_do")

    # Nobody of the unit has taken the step, so its head holds it too: the Sở's leaders are told.
    bell = director.get("/notifications/").get_data(as_text=True)
    note = bell[bell.index(f'value="/tasks/{step.id}"') :]
    note = note[: note.index("</li>")]
    assert "Báo cáo quá hạn" in bell[: bell.index(f'value="/tasks/{step.id}"')]
    assert "Bước: Thực hiện, cập nhật tiến độ" in note
    assert f"Đơn vị chậm xử lý: {UNIT}" in note

    deliver(office, mailbox)
    (mail,) = about(mailbox, "giamdoc@skhcn.gov.vn", "Thực hiện, cập nhật tiến độ")
    # Told of several units' steps, the director tells them apart in the mailbox's list.
    assert str(mail["Subject"]).startswith(
        f"[Phê duyệt] Báo cáo công việc quá hạn của {UNIT}: Thực hiện, cập nhật tiến độ – "
    )
    text = mail.get_body(("plain",)).get_content()
    assert f"Đơn vị chậm xử lý: {UNIT}" in text


def test_escalation__a_step_claimed_in_the_unit_is_reported_to_its_head_by_the_units_name(
    office: Any, login: Any
) -> None:
    item = _overdue(office)
    officer = login("cs.cv1")
    step = f"/tasks/{office.task('cs.cv1', item, 'cap_nhat_tien_do').id}"
    assert post(officer, step, f"{step}/claim").status_code in (302, 303)
    office.tick(4)
    with transaction(office.factory) as s:
        engine.scan_deadlines(s, office.config, DeadlinePolicy())
    bell = login("cs.tp").get("/notifications/").get_data(as_text=True)
    assert "Báo cáo quá hạn" in bell and f"Đơn vị chậm xử lý: {UNIT}" in bell
    # The officer who holds it is told it is overdue, not reported on.
    assert "Đơn vị chậm xử lý" not in officer.get("/notifications/").get_data(as_text=True)
