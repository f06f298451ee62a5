"""An urging's mail, in each language: the leaders' words under their own label, never under
"Lý do trả lại"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine import MailItem, OutgoingMail
from workflows.mail_text import render

AT = datetime(2026, 3, 21, 1, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "subject", "label"),
    [
        (
            "vi",
            "[Phê duyệt] Lãnh đạo Sở đôn đốc: Báo cáo kết quả – Nhiệm vụ II.2",
            "Nội dung đôn đốc",
        ),
        (
            "en",
            "[Phê duyệt] The department's leaders urge: Báo cáo kết quả – Nhiệm vụ II.2",
            "What the leaders wrote",
        ),
    ],
)
def test_urging_mail__says_who_urges_and_what(locale: str, subject: str, label: str) -> None:
    item = MailItem(
        id=1,
        event="urged",
        instance_id=7,
        task_id="t-1",
        title="Nhiệm vụ II.2",
        step="Báo cáo kết quả",
        due_at=AT,
        reason="Báo cáo trước 25/3",
        actor="giamdoc",
        created_at=AT,
    )
    mail = OutgoingMail("m", "cs.cv1", "Phan Thị Hạnh", "h@example.vn", locale, False, 1, (item,))
    rendered = render(mail, "https://pheduyet.example.vn", UTC, AT)
    assert rendered.subject == subject
    assert f"{label}: Báo cáo trước 25/3" in rendered.text
    assert "https://pheduyet.example.vn/tasks/t-1" in rendered.text
