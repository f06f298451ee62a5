"""The plan importer on shapes other offices' plans take: a line that is only an aside, a Word
table with group rows (numbered I, II or merged across), decomposed Vietnamese, another Sở's
own "Phòng …", units written as abbreviations."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import docx
import pytest

from workflows.plan_import import Assignment, find_assignments, read_plan

OTHER_SO = """UBND TỈNH BẮC GIANG
SỞ GIÁO DỤC VÀ ĐÀO TẠO
Số: 1890/KH-SGDĐT

KẾ HOẠCH
Thực hiện nhiệm vụ trọng tâm năm 2027

II. NỘI DUNG NHIỆM VỤ
(Chi tiết tại Phụ lục kèm theo)
1. Phòng Kế hoạch - Tài chính chủ trì xây dựng kế hoạch phát triển giáo dục. Thời gian: \
Tháng 6/2027.
2. Công tác văn phòng
- VP chủ trì rà soát thủ tục hành chính; thời gian hoàn thành: Quý I/2027.
- TTr chủ trì tiếp công dân. Thời gian: Thường xuyên.
- P.KHTC chủ trì lập dự toán kinh phí năm 2028. Thời gian: Tháng 7/2027.
"""


def _row(a: Assignment) -> tuple[str, str | None, str]:
    return a.section, a.lead_unit, a.summary


def _found(tmp_path: Path, text: str) -> list[Assignment]:
    """The tasks of a plan in these words, read from a .txt file."""
    plan = tmp_path / "ke_hoach.txt"
    plan.write_text(text, encoding="utf-8")
    return find_assignments(read_plan(plan))


def test_other_offices__an_aside_alone_is_detail_and_abbreviated_units_lead_their_lines(
    tmp_path: Path,
) -> None:
    found = _found(tmp_path, OTHER_SO)
    assert [_row(a) for a in found] == [
        (
            "II.1",
            "Phòng Kế hoạch - Tài chính (Sở Giáo dục và Đào tạo)",
            "Xây dựng kế hoạch phát triển giáo dục",
        ),
        ("II.2", "VP", "Rà soát thủ tục hành chính"),
        ("II.2", "TTr", "Tiếp công dân"),
        ("II.2", "P.KHTC", "Lập dự toán kinh phí năm 2028"),
    ]
    # Another Sở's "Phòng Kế hoạch - Tài chính" is never this Sở's unit of that name.
    assert "là đơn vị của Sở Giáo dục và Đào tạo" in (found[0].needs_decision or "")
    for abbreviated in found[1:]:
        assert f"Không nhận ra đơn vị được giao “{abbreviated.lead_unit}”" in (
            abbreviated.needs_decision or ""
        )


def test_other_offices__decomposed_vietnamese_reads_as_composed(tmp_path: Path) -> None:
    composed, decomposed = tmp_path / "nfc.txt", tmp_path / "nfd.txt"
    composed.write_text(OTHER_SO, encoding="utf-8")
    decomposed.write_text(unicodedata.normalize("NFD", OTHER_SO), encoding="utf-8")
    assert find_assignments(read_plan(decomposed)) == find_assignments(read_plan(composed))


_TABLE = [
    ("I", "Công tác tổ chức bộ máy", "", "", ""),
    ("1", "Tham mưu kiện toàn tổ chức bộ máy", "Quý II/2026", "Phòng Quản lý Khoa học", ""),
    ("2", "Thẩm định đề án vị trí việc làm", "Thường xuyên", "Văn phòng Sở", "Sở Tài chính"),
    ("II", "Công tác cải cách hành chính", "", "", ""),
    ("3", "Xác định Chỉ số cải cách hành chính", "Tháng 6/2026", "Văn phòng Sở", ""),
]


def _grouped_table(path: Path, merged: bool) -> Path:
    document = docx.Document()
    for line in ("KẾ HOẠCH", "Công tác năm 2026", "II. NHIỆM VỤ CỤ THỂ"):
        document.add_paragraph(line)
    table = document.add_table(rows=1, cols=5)
    header = ["STT", "Nội dung công việc", "Thời gian hoàn thành", "Cơ quan chủ trì", "Phối hợp"]
    for cell, word in zip(table.rows[0].cells, header, strict=True):
        cell.text = word
    for values in _TABLE:
        cells = table.add_row().cells
        if merged and values[0] in ("I", "II"):
            cells[1].merge(cells[4])  # the group's name across the row, as Word draws it
            cells[0].text, cells[1].text = values[0], values[1]
            continue
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    document.save(str(path))
    return path


@pytest.mark.parametrize("merged", [False, True], ids=["numbered", "merged"])
def test_other_offices__a_tables_group_rows_head_its_tasks(tmp_path: Path, merged: bool) -> None:
    found = find_assignments(read_plan(_grouped_table(tmp_path / "bang.docx", merged)))
    assert [(a.section, a.section_title, a.lead_unit, a.summary) for a in found] == [
        (
            "II.1.1",
            "Tham mưu kiện toàn tổ chức bộ máy",
            "Phòng Quản lý Khoa học",
            "Tham mưu kiện toàn tổ chức bộ máy",
        ),
        (
            "II.1.2",
            "Thẩm định đề án vị trí việc làm",
            "Văn phòng Sở",
            "Thẩm định đề án vị trí việc làm",
        ),
        (
            "II.2.3",
            "Xác định Chỉ số cải cách hành chính",
            "Văn phòng Sở",
            "Xác định Chỉ số cải cách hành chính",
        ),
    ]
    assert found[1].cooperating_units == ("Sở Tài chính",)


PRODUCTS = """KẾ HOẠCH
Công tác năm 2026

II. NHIỆM VỤ CỤ THỂ
1. Phòng Quản lý Khoa học chủ trì xây dựng dự toán ngân sách năm 2027.
Thời gian hoàn thành: Tháng 10/2026.
Sản phẩm: Tờ trình UBND tỉnh.

| STT | Nội dung nhiệm vụ | Đơn vị chủ trì | Thời gian hoàn thành | Sản phẩm |
|---|---|---|---|---|
| 2 | Rà soát thủ tục hành chính | Văn phòng Sở | Quý I/2026 | Báo cáo rà soát |
"""


def test_other_offices__what_a_task_delivers_is_kept(tmp_path: Path) -> None:
    found = _found(tmp_path, PRODUCTS)
    assert [(a.section, a.product) for a in found] == [
        ("II.1", "Tờ trình UBND tỉnh"),
        ("II.2", "Báo cáo rà soát"),
    ]
    assert found[0].to_json()["product"] == "Tờ trình UBND tỉnh"


def test_other_offices__a_task_numbered_past_99_keeps_its_words(tmp_path: Path) -> None:
    rows = "\n".join(
        f"| {n} | Rà soát dự án số {n} | Văn phòng Sở | Quý II/2026 |" for n in range(98, 102)
    )
    plan = tmp_path / "dai.txt"
    plan.write_text(
        "KẾ HOẠCH\nCông tác năm 2026\n\nII. NHIỆM VỤ\n\n"
        "| STT | Nội dung nhiệm vụ | Đơn vị chủ trì | Thời gian hoàn thành |\n"
        f"|---|---|---|---|\n{rows}\n",
        encoding="utf-8",
    )
    found = find_assignments(read_plan(plan))
    assert [(a.section, a.summary) for a in found] == [
        (f"II.{n}", f"Rà soát dự án số {n}") for n in range(98, 102)
    ]


DISTRICT = """ỦY BAN NHÂN DÂN
HUYỆN YÊN THẾ

KẾ HOẠCH
Chuyển đổi số năm 2026

II. NHIỆM VỤ
Chi tiết tại các mục dưới đây:
1. Xây dựng cơ sở dữ liệu đất đai của huyện. Giao Văn phòng HĐND và UBND huyện chủ trì, \
phối hợp với Phòng Tài nguyên và Môi trường; thời gian hoàn thành trước ngày 30/9/2026.
2. Kiện toàn Ban Chỉ huy phòng, chống thiên tai xã. Giao Công chức Văn phòng - Thống kê chủ \
trì; thời gian hoàn thành trước ngày 15/4/2026.

III. TỔ CHỨC THỰC HIỆN
1. Trung tâm Văn hóa, Thông tin và Thể thao huyện:
Tuyên truyền về chuyển đổi số trên Đài truyền thanh huyện. Thời gian: Năm 2026.
2. UBND các xã, thị trấn:
Kiện toàn Tổ công nghệ số cộng đồng trước ngày 15/12/2026.
"""


def test_other_offices__who_leads_said_after_the_work_and_names_with_commas(
    tmp_path: Path,
) -> None:
    found = _found(tmp_path, DISTRICT)
    assert [(a.section, a.lead_unit, a.summary) for a in found] == [
        ("II.1", "Văn phòng HĐND và UBND huyện", "Xây dựng cơ sở dữ liệu đất đai của huyện"),
        (
            "II.2",
            "Công chức Văn phòng - Thống kê",
            "Kiện toàn Ban Chỉ huy phòng, chống thiên tai xã",
        ),
        (
            "III.1",
            "Trung tâm Văn hóa, Thông tin và Thể thao huyện",
            "Tuyên truyền về chuyển đổi số trên Đài truyền thanh huyện",
        ),
        (
            "III.2",
            "UBND các xã, thị trấn",
            "Kiện toàn Tổ công nghệ số cộng đồng trước ngày 15/12/2026",
        ),
    ]
    assert found[0].cooperating_units == ("Phòng Tài nguyên và Môi trường",)


def _one_task(tmp_path: Path, task: str) -> Assignment:
    [found] = _found(tmp_path, f"KẾ HOẠCH\nCông tác năm 2026\n\nII. NHIỆM VỤ\n1. {task}\n")
    return found


def test_other_offices__a_word_on_the_way_is_no_second_deadline(tmp_path: Path) -> None:
    """The words "… tài sản công định kỳ" name no deadline beside the labelled one."""
    task = _one_task(
        tmp_path,
        "Tổng hợp báo cáo kê khai tài sản công định kỳ. Đơn vị thực hiện: Văn phòng Sở. "
        "Thời gian: trước ngày 31/01 hằng năm.",
    )
    assert task.deadline.describe() == "trước ngày 31/01 hằng năm"
    assert task.needs_decision is None


def test_other_offices__two_leads_are_said_even_when_the_first_is_unknown(tmp_path: Path) -> None:
    task = _one_task(
        tmp_path,
        "Kiểm tra công tác cải cách hành chính.\n"
        "Đơn vị chủ trì: Phòng Cải cách hành chính; Văn phòng Sở.\nThời gian: Quý II/2026.",
    )
    assert (task.lead_unit, task.cooperating_units) == (
        "Phòng Cải cách hành chính",
        ("Văn phòng Sở",),
    )
    assert "giao cùng lúc cho Phòng Cải cách hành chính và Văn phòng Sở" in (
        task.needs_decision or ""
    )


SHORT_NAMES = """UBND TỈNH LẠNG SƠN
SỞ NỘI VỤ
Số: 412/KH-SNV

KẾ HOẠCH
Chuyển đổi số năm 2027

I. MỤC ĐÍCH, YÊU CẦU
Sở Nội vụ phối hợp với Trung tâm Phục vụ hành chính công tỉnh (sau đây gọi tắt là Trung tâm \
PVHCC) và Văn phòng Sở (VP) triển khai kế hoạch.

II. NHIỆM VỤ
1. Trung tâm PVHCC chủ trì số hóa hồ sơ thủ tục hành chính. Thời gian: Quý II/2027.
2. VP chủ trì, phối hợp với Trung tâm PVHCC rà soát quy trình nội bộ. Thời gian: Quý III/2027.
3. Phòng Tổ chức (PTC) chủ trì đào tạo kỹ năng số. Thời gian: Quý IV/2027.
4. PTC chủ trì đánh giá kết quả. Thời gian: Tháng 12/2027.
"""


def test_other_offices__a_short_name_given_in_brackets_stands_for_its_unit(
    tmp_path: Path,
) -> None:
    """A plan names a unit in full once, with its short name in brackets, and by the short name
    afterwards: the tasks go to the unit (one unit for the review page to map, not two). The
    issuing Sở's own Văn phòng is named as theirs."""
    found = _found(tmp_path, SHORT_NAMES)
    assert [(a.section, a.lead_unit, a.cooperating_units) for a in found] == [
        ("II.1", "Trung tâm Phục vụ hành chính công tỉnh", ()),
        ("II.2", "Văn phòng Sở Nội vụ", ("Trung tâm Phục vụ hành chính công tỉnh",)),
        ("II.3", "Phòng Tổ chức", ()),
        ("II.4", "Phòng Tổ chức", ()),
    ]


def test_other_offices__words_in_brackets_that_are_no_short_name_name_nothing(
    tmp_path: Path,
) -> None:
    task = _one_task(
        tmp_path,
        "Phòng Kế hoạch - Tài chính (theo Quyết định số 12/QĐ-UBND) chủ trì lập dự toán. "
        "Thời gian: Tháng 7/2026.",
    )
    assert task.lead_unit == "Phòng Kế hoạch - Tài chính"
