"""An urging (Đôn đốc) is one of the mail choices on Thông tin cá nhân: its mail goes at once
by default, in the daily digest or not at all as the person chose, while the bell tells of it
always. It is listed with the other lateness events. Mail goes to a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

from tests.smtp_server import Mailbox
from tests.web.conftest import post
from tests.web.test_web__bell_late_unit import PROFILE, about, choose, deliver
from tests.web.test_web__urging import URGING, _overdue


def test_urging__the_profile_lists_it_as_a_choice_sent_at_once_by_default(login: Any) -> None:
    html = login("cs.cv1").get(PROFILE).get_data(as_text=True)
    assert "Lãnh đạo Sở đôn đốc việc quá hạn của đơn vị bạn" in html
    assert 'name="event_urged" value="immediately" checked' in html
    assert 'name="event_urged" value="off"' in html
    assert 'name="event_urged" value="off" disabled' not in html


def test_urging__the_choice_stands_with_the_other_lateness_events(login: Any) -> None:
    html = login("cs.tp").get(PROFILE).get_data(as_text=True)  # a head: offered every event
    legends = re.findall(r'id="event_\w+">\s*<legend>([^<]+)</legend>', html)
    assert legends == [
        "Công việc mới",
        "Hồ sơ bị trả lại",
        "Sắp đến hạn",
        "Quá hạn",
        "Báo cáo quá hạn",
        "Lãnh đạo Sở đôn đốc",
        "Hồ sơ đã hoàn thành",
    ]


def test_urging__no_mail_for_one_who_chose_none_a_digest_for_one_who_chose_it(
    office: Any, login: Any, mailbox: Mailbox
) -> None:
    item = _overdue(office)
    officer, head = login("cs.cv1"), login("cs.tp")
    step = f"/tasks/{office.task('cs.cv1', item, 'cap_nhat_tien_do').id}"
    assert post(officer, step, f"{step}/claim").status_code in (302, 303)
    choose(officer, "hanh@skhcn.gov.vn", urged="off")
    choose(head, "long@skhcn.gov.vn", urged="digest")
    assert 'name="event_urged" value="off" checked' in officer.get(PROFILE).get_data(as_text=True)

    director = login("giamdoc")
    chase = f"/tasks/{office.task('giamdoc', item, 'don_doc').id}"
    assert post(director, chase, chase, {"noi_dung_don_doc": URGING}).status_code in (302, 303)
    deliver(office, mailbox)
    assert about(mailbox, "hanh@skhcn.gov.vn", "đôn đốc") == []
    assert about(mailbox, "long@skhcn.gov.vn", "đôn đốc") == []
    for client in (officer, head):  # the bell tells them whatever their mail
        assert f"Nội dung đôn đốc: {URGING}" in client.get("/notifications/").get_data(as_text=True)

    office.clock.advance(timedelta(days=1))  # past the head's digest hour (07:00)
    deliver(office, mailbox)
    (digest,) = about(mailbox, "long@skhcn.gov.vn", "Tổng hợp thông báo")
    text = digest.get_body(("plain",)).get_content()
    assert "Lãnh đạo Sở đôn đốc" in text and URGING in text
    assert mailbox.to("hanh@skhcn.gov.vn") == []


def test_urging__mailed_at_once_by_default(office: Any, login: Any, mailbox: Mailbox) -> None:
    item = _overdue(office)
    officer = login("cs.cv1")
    step = f"/tasks/{office.task('cs.cv1', item, 'cap_nhat_tien_do').id}"
    assert post(officer, step, f"{step}/claim").status_code in (302, 303)
    choose(officer, "hanh@skhcn.gov.vn")
    director = login("giamdoc")
    chase = f"/tasks/{office.task('giamdoc', item, 'don_doc').id}"
    assert post(director, chase, chase, {"noi_dung_don_doc": URGING}).status_code in (302, 303)
    deliver(office, mailbox)
    (mail,) = about(mailbox, "hanh@skhcn.gov.vn", "đôn đốc")
    assert URGING in mail.get_body(("plain",)).get_content()
