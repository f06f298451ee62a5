"""An urging's mail, in each language: the leaders' words under their own label, never under
"Lý do trả lại"."""

from __future__ import annotations

from datetime import UTC

import pytest

from tests.mail_items import AT, mail_item, one_mail
from workflows.mail_text import render


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
    item = mail_item("urged", "Báo cáo kết quả", reason="Báo cáo trước 25/3", actor="giamdoc")
    mail = one_mail(item, locale)
    rendered = render(mail, "https://pheduyet.example.vn", UTC, AT)
    assert rendered.subject == subject
    assert f"{label}: Báo cáo trước 25/3" in rendered.text
    assert "https://pheduyet.example.vn/tasks/t-1" in rendered.text
