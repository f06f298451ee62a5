"""An escalation's mail names the late units in its subject, in each language, so a leader told
of several tells them apart in the mailbox's list; a long list of units is cut and the step and
the item's title still show."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from engine import MailItem, OutgoingMail
from workflows.mail_text import render

AT = datetime(2026, 3, 21, 1, 0, tzinfo=UTC)
MANY = ", ".join(f"Phòng Quản lý chuyên ngành số {n}" for n in range(1, 6))


def escalation(units: str | None, locale: str) -> OutgoingMail:
    item = MailItem(
        id=1,
        event="escalated",
        instance_id=7,
        task_id="t-1",
        title="Nhiệm vụ II.2",
        step="Thẩm định hồ sơ",
        due_at=AT,
        reason=units,
        actor=None,
        created_at=AT,
    )
    return OutgoingMail("m", "lan", "Lê Lan", "lan@example.vn", locale, False, 1, (item,))


@pytest.mark.parametrize(
    ("units", "locale", "subject"),
    [
        (
            "Phòng Kế hoạch - Tài chính",
            "vi",
            "[Phê duyệt] Báo cáo công việc quá hạn của Phòng Kế hoạch - Tài chính: "
            "Thẩm định hồ sơ – Nhiệm vụ II.2",
        ),
        (
            "Phòng A, Phòng B",
            "en",
            "[Phê duyệt] Overdue in Phòng A, Phòng B: Thẩm định hồ sơ – Nhiệm vụ II.2",
        ),
        (None, "vi", "[Phê duyệt] Báo cáo công việc quá hạn: Thẩm định hồ sơ – Nhiệm vụ II.2"),
        (None, "en", "[Phê duyệt] Overdue in your unit: Thẩm định hồ sơ – Nhiệm vụ II.2"),
    ],
    ids=["vi", "en-two-units", "vi-no-unit", "en-no-unit"],
)
def test_escalation_mail__the_subject_names_the_late_units(
    units: str | None, locale: str, subject: str
) -> None:
    rendered = render(escalation(units, locale), "https://pheduyet.example.vn", UTC, AT)
    assert rendered.subject == subject


def test_escalation_mail__many_units_are_cut_in_the_subject_and_listed_in_full_in_the_body() -> (
    None
):
    rendered = render(escalation(MANY, "vi"), None, UTC, AT)
    assert rendered.subject == (
        "[Phê duyệt] Báo cáo công việc quá hạn của Phòng Quản lý chuyên ngành số 1, "
        "Phòng Quản lý chuyên ngành số 2, …: Thẩm định hồ sơ – Nhiệm vụ II.2"
    )
    assert f"Đơn vị chậm xử lý: {MANY}" in rendered.text


def test_escalation_mail__names_that_just_fit_are_all_shown() -> None:
    first = "Phòng Quản lý Khoa học và Công nghệ cơ sở tỉnh"
    second = "Phòng Quản lý chuyên ngành Sở"  # both, with ", …", make the limit: 80
    assert len(f"{first}, {second}, …") == 80
    rendered = render(escalation(f"{first}, {second}, Văn phòng Sở", "vi"), None, UTC, AT)
    assert f"quá hạn của {first}, {second}, …: Thẩm định" in rendered.subject


def test_escalation_mail__one_long_unit_name_is_cut_in_the_subject() -> None:
    name = (
        "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ thuộc Sở Khoa học và Công nghệ tỉnh "
        "Lâm Đồng"
    )
    rendered = render(escalation(name, "en"), None, UTC, AT)
    assert rendered.subject == (
        "[Phê duyệt] Overdue in Trung tâm Ứng dụng tiến bộ khoa học và công nghệ thuộc Sở Khoa "
        "học và Công…: Thẩm định hồ sơ – Nhiệm vụ II.2"
    )
    assert f"Unit behind schedule: {name}" in rendered.text
