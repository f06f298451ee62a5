"""An escalation's mail names the late units in its subject, in each language, so a leader told
of several tells them apart in the mailbox's list; a long list of units is cut on whole names
(a name may hold ", " itself) and the step and the item's title still show."""

from __future__ import annotations

from datetime import UTC

import pytest

from engine import OutgoingMail
from tests.mail_items import AT, mail_item, one_mail
from workflows.mail_text import UNITS_IN_SUBJECT, render

MANY = tuple(f"Phòng Quản lý chuyên ngành số {n}" for n in range(1, 6))
STEP = "Thẩm định hồ sơ"
# A unit's name with ", " in it, after one that leaves room for "Phòng Kế hoạch, …" but not
# for the whole of it: the subject shows the first and "…", never half of the second.
COMMA = "Phòng Kế hoạch, Tài chính"
LONG = "Chi cục Tiêu chuẩn - Đo lường - Chất lượng tỉnh Lâm Đồng"


def escalation(units: tuple[str, ...] | None, locale: str) -> OutgoingMail:
    """An escalation as the engine writes it: the units' names, and their text as its note."""
    note = ", ".join(units) if units else None
    return one_mail(mail_item("escalated", STEP, reason=note, units=units), locale)


@pytest.mark.parametrize(
    ("units", "locale", "subject"),
    [
        (
            ("Phòng Kế hoạch - Tài chính",),
            "vi",
            "[Phê duyệt] Báo cáo công việc quá hạn của Phòng Kế hoạch - Tài chính: "
            "Thẩm định hồ sơ – Nhiệm vụ II.2",
        ),
        (
            ("Phòng A", "Phòng B"),
            "en",
            "[Phê duyệt] Overdue in Phòng A, Phòng B: Thẩm định hồ sơ – Nhiệm vụ II.2",
        ),
        (None, "vi", "[Phê duyệt] Báo cáo công việc quá hạn: Thẩm định hồ sơ – Nhiệm vụ II.2"),
        (None, "en", "[Phê duyệt] Overdue in your unit: Thẩm định hồ sơ – Nhiệm vụ II.2"),
    ],
    ids=["vi", "en-two-units", "vi-no-unit", "en-no-unit"],
)
def test_escalation_mail__the_subject_names_the_late_units(
    units: tuple[str, ...] | None, locale: str, subject: str
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
    assert f"Đơn vị chậm xử lý: {', '.join(MANY)}" in rendered.text


def test_escalation_mail__names_that_just_fit_are_all_shown() -> None:
    first = "Phòng Quản lý Khoa học và Công nghệ cơ sở tỉnh"
    second = "Phòng Quản lý chuyên ngành Sở"  # both, with ", …", make the limit: 80
    assert len(f"{first}, {second}, …") == 80
    rendered = render(escalation((first, second, "Văn phòng Sở"), "vi"), None, UTC, AT)
    assert f"quá hạn của {first}, {second}, …: Thẩm định" in rendered.subject


def test_escalation_mail__one_long_unit_name_is_cut_in_the_subject() -> None:
    name = (
        "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ thuộc Sở Khoa học và Công nghệ tỉnh "
        "Lâm Đồng"
    )
    rendered = render(escalation((name,), "en"), None, UTC, AT)
    assert rendered.subject == (
        "[Phê duyệt] Overdue in Trung tâm Ứng dụng tiến bộ khoa học và công nghệ thuộc Sở Khoa "
        "học và Công…: Thẩm định hồ sơ – Nhiệm vụ II.2"
    )
    assert f"Unit behind schedule: {name}" in rendered.text


def test_escalation_mail__a_name_with_a_comma_is_kept_whole_or_left_out_whole() -> None:
    # Names apart by "; " where one has a comma of its own (engine.unit_separator).
    assert len(f"{LONG}; {COMMA}") > UNITS_IN_SUBJECT >= len(f"{LONG}; Phòng Kế hoạch, …")
    cut = render(escalation((LONG, COMMA), "vi"), None, UTC, AT)
    assert cut.subject == (
        f"[Phê duyệt] Báo cáo công việc quá hạn của {LONG}; …: Thẩm định hồ sơ – Nhiệm vụ II.2"
    )
    assert f"Đơn vị chậm xử lý: {LONG}, {COMMA}" in cut.text
    whole = render(escalation((COMMA, "Văn phòng Sở"), "en"), None, UTC, AT)
    assert whole.subject == (
        f"[Phê duyệt] Overdue in {COMMA}; Văn phòng Sở: Thẩm định hồ sơ – Nhiệm vụ II.2"
    )


@pytest.mark.parametrize(
    ("note", "units"),
    [
        ("Phòng A, Phòng B", "Phòng A, Phòng B"),
        # Without the list, the note is one name: cut on whole words, never split on ", ".
        (f"{LONG}, {COMMA}", f"{LONG}, Phòng Kế hoạch, Tài…"),
    ],
    ids=["short", "long"],
)
def test_escalation_mail__a_row_written_without_the_list_names_its_note(
    note: str, units: str
) -> None:
    """A row an older process wrote after the upgrade: its note alone, as the subject read it."""
    old = one_mail(mail_item("escalated", STEP, reason=note), "vi")
    rendered = render(old, None, UTC, AT)
    assert rendered.subject == (
        f"[Phê duyệt] Báo cáo công việc quá hạn của {units}: Thẩm định hồ sơ – Nhiệm vụ II.2"
    )
    assert f"Đơn vị chậm xử lý: {note}" in rendered.text
