"""The plan importer on plans of the genre it was not built on: a UBND tỉnh plan assigning sở
and UBND huyện, a Sở's yearly plan with labels and unit headings, and a .docx table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import docx
import pytest
from click.testing import CliRunner

from cli.main import main
from engine import InvalidInput
from workflows.org_chart import CHART_2020_PATH, read_org_chart
from workflows.plan_assign import first_due, start_data
from workflows.plan_deadline import (
    Deadline,
    DeadlineKind,
    Every,
    Unreadable,
    plan_year_of,
    read_deadlines,
)
from workflows.plan_import import Assignment, find_assignments, read_plan, require_assignments
from workflows.plan_units import recognising, registry_from_files


@pytest.fixture(autouse=True)
def _no_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The command line's dry runs read no database of the checkout: the one they would open
    does not exist, so they read the shipped chart and list."""
    monkeypatch.setenv("PHEDUYET_DATABASE_URL", f"sqlite:///{tmp_path / 'absent.db'}")


FIXTURES = Path(__file__).parents[1] / "fixtures" / "plan"
SO = "Sở Khoa học và Công nghệ"
D = "date"

# Written by hand from the plans' words: section, lead, partners, deadline, needs a decision.
UBND_2021 = [
    # "I. MỤC ĐÍCH, YÊU CẦU" says why, but a "Giao X chủ trì …" there is a task all the same
    ("I.1", SO, [], (D, "2021-12-31"), False),
    # "(thay thế Quyết định số 12/2019/QĐ-UBND ngày 3/5/2019 …)" is not the deadline; "30/6"
    # takes the plan's year (its title: "… năm 2021")
    ("II.1", SO, ["Sở Tư pháp"], (D, "2021-06-30"), False),
    # led by another sở in the UBND's plan: the Sở only cooperates, a person decides
    ("II.1", "Sở Tài chính", [SO], (D, "2021-12-31"), True),  # trong Quý IV năm 2021
    (
        "II.2",
        SO,
        ["Trung tâm Thông tin và Thống kê khoa học và công nghệ"],
        ("year", 2025),  # giai đoạn 2021-2025
        False,
    ),
    # the Sở is not named at all
    ("II.2", "Quỹ Phát triển khoa học và công nghệ tỉnh", [], ("from_year", 2021), True),
    ("II.2", "Sở Nội vụ", [SO], (D, "2021-09-30"), True),  # trong tháng 9
    # an unknown unit is kept by its name and told
    ("II.2", "Trung tâm Dữ liệu tỉnh", ["Sở Thông tin và Truyền thông"], (D, "2021-10-31"), True),
    ("III.1", SO, [], ("recurring", {"every": "half_year", "day": None}), False),
    ("III.1", SO, [], (D, "2021-09-15"), False),
    ("III.2", "Sở Tài chính", [], (D, "2021-12-31"), True),  # 6 tháng cuối năm
    # a group of bodies cannot lead alone
    (
        "III.3",
        "UBND các huyện, thành phố",
        [],
        ("recurring", {"every": "quarter", "day": None}),
        True,
    ),
]
SO_2022 = [
    (
        "II.1",
        "Phòng Quản lý Khoa học",
        ["Phòng Kế hoạch Tài chính", "Sở Tư pháp"],
        (D, "2022-06-30"),
        False,
    ),
    (
        "II.2",
        "Trung tâm Thông tin và Thống kê khoa học và công nghệ",
        [],
        ("recurring", {"every": "month", "day": None}),
        False,
    ),
    ("II.3", "Văn phòng Sở", [], ("recurring", {"every": "month", "day": 25}), False),
    ("II.3", "Văn phòng Sở", [], (D, "2022-06-30"), False),  # 6 tháng đầu năm
    ("II.3", "Văn phòng Sở", [], (D, "2022-12-31"), False),  # cuối năm; "+" items stay in it
    ("II.4", "Chi cục Tiêu chuẩn Đo lường Chất lượng", [], ("recurring", None), False),
    ("II.4", "Chi cục Tiêu chuẩn Đo lường Chất lượng", [], ("year", 2025), False),
    (
        "II.5",
        "Quỹ Phát triển khoa học và công nghệ tỉnh",
        [],
        ("recurring", {"every": "year", "day": None}),
        False,
    ),
    ("II.6", "Phòng Truyền thông", [], (D, "2022-09-30"), True),  # Quý III/2022; unknown unit
    # "III. TỔ CHỨC THỰC HIỆN" is read too: "X chủ trì" is a task, "Các phòng … triển khai" not
    ("III", "Trung tâm Kỹ thuật Tiêu chuẩn Đo lường Chất lượng", [], (D, "2022-09-15"), False),
]


def _rows(found: list[Assignment]) -> list[tuple[object, ...]]:
    return [
        (
            a.section,
            a.lead_unit,
            list(a.cooperating_units),
            tuple(a.deadline.to_json().values()),
            a.needs_decision is not None,
        )
        for a in found
    ]


@pytest.mark.parametrize(
    ("name", "expected"), [("ubnd_tinh_2021.txt", UBND_2021), ("so_khcn_2022.txt", SO_2022)]
)
def test_genre__plans_give_the_assignments_written_by_hand(
    name: str, expected: list[tuple[object, ...]]
) -> None:
    found = find_assignments(read_plan(FIXTURES / name))
    assert _rows(found) == expected
    assert all(not a.summary.startswith(("- ", "a)", "Giao ")) for a in found)
    notes = [a.needs_decision or "" for a in found]
    assert all("cần" in note for note in notes if note)


def test_genre__a_task_led_outside_the_so_in_another_bodys_plan_is_told() -> None:
    found = find_assignments(read_plan(FIXTURES / "ubnd_tinh_2021.txt"))
    notes = {(a.section, a.lead_unit): a.needs_decision or "" for a in found}
    assert (
        "Đơn vị chủ trì là cơ quan ngoài Sở (Sở Tài chính): Sở chỉ phối hợp"
        in notes[("II.1", "Sở Tài chính")]
    )
    assert f"{SO} không được giao" in notes[("III.2", "Sở Tài chính")]
    assert notes[("II.1", SO)] == ""  # the Sở's own task stays its own
    # the Sở's own plan gives its units and the bodies it names their tasks without a word
    own = find_assignments(read_plan(FIXTURES / "so_khcn_2022.txt"))
    assert all("chủ trì là cơ quan ngoài Sở" not in (a.needs_decision or "") for a in own)


def test_genre__unknown_unit_is_told_with_the_reason() -> None:
    found = find_assignments(read_plan(FIXTURES / "so_khcn_2022.txt"))
    assert "Phòng Truyền thông" in (found[8].needs_decision or "")
    assert "không có trong sơ đồ tổ chức" in (found[8].needs_decision or "")


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("trước ngày 30/6", Deadline(DeadlineKind.DATE, date(2021, 6, 30))),
        ("Thời gian: 30/6", Deadline(DeadlineKind.DATE, date(2021, 6, 30))),
        ("ngày 15/9/2021", Deadline(DeadlineKind.DATE, date(2021, 9, 15))),
        ("trong tháng 9", Deadline(DeadlineKind.DATE, date(2021, 9, 30))),
        ("tháng 10/2021", Deadline(DeadlineKind.DATE, date(2021, 10, 31))),
        ("Quý III/2021", Deadline(DeadlineKind.DATE, date(2021, 9, 30))),
        ("trong Quý IV năm 2021", Deadline(DeadlineKind.DATE, date(2021, 12, 31))),
        ("6 tháng đầu năm", Deadline(DeadlineKind.DATE, date(2021, 6, 30))),
        ("6 tháng cuối năm", Deadline(DeadlineKind.DATE, date(2021, 12, 31))),
        ("cuối năm", Deadline(DeadlineKind.DATE, date(2021, 12, 31))),
        ("năm 2021-2025", Deadline(DeadlineKind.YEAR, 2025)),
        ("giai đoạn 2021-2025", Deadline(DeadlineKind.YEAR, 2025)),
        ("từ Quý II/2021", Deadline(DeadlineKind.FROM_YEAR, 2021)),
        ("thường xuyên", Deadline(DeadlineKind.RECURRING)),
        ("hằng năm", Deadline(DeadlineKind.RECURRING, Every("year"))),
        ("hằng quý", Deadline(DeadlineKind.RECURRING, Every("quarter"))),
        ("hàng tháng", Deadline(DeadlineKind.RECURRING, Every("month"))),
        ("trước ngày 25 hằng tháng", Deadline(DeadlineKind.RECURRING, Every("month", 25))),
        ("định kỳ 6 tháng", Deadline(DeadlineKind.RECURRING, Every("half_year"))),
        # a range or list of months or quarters means its end, never a day and a month
        ("tháng 9-10/2021", Deadline(DeadlineKind.DATE, date(2021, 10, 31))),
        ("Tháng 11-12/2021", Deadline(DeadlineKind.DATE, date(2021, 12, 31))),
        ("tháng 6, 12/2021", Deadline(DeadlineKind.DATE, date(2021, 12, 31))),
        ("tháng 6 và tháng 12", Deadline(DeadlineKind.DATE, date(2021, 12, 31))),
        ("quý 1-2/2021", Deadline(DeadlineKind.DATE, date(2021, 6, 30))),
        ("Quý III-IV/2021", Deadline(DeadlineKind.DATE, date(2021, 12, 31))),
        ("trong quý III và quý IV", Deadline(DeadlineKind.DATE, date(2021, 12, 31))),
        # periodic work keeps its day, before or after the period
        (
            "hằng quý, trước ngày 20 tháng cuối quý",
            Deadline(DeadlineKind.RECURRING, Every("quarter", 20)),
        ),
        (
            "trước ngày 20 tháng cuối mỗi quý",
            Deadline(DeadlineKind.RECURRING, Every("quarter", 20)),
        ),
        ("hằng tháng (trước ngày 25)", Deadline(DeadlineKind.RECURRING, Every("month", 25))),
    ],
)
def test_genre__deadline_grammar(words: str, expected: Deadline) -> None:
    assert read_deadlines(words, 2021) == [expected]


@pytest.mark.parametrize(
    "words",
    [
        "(thay thế Quyết định số 12/2019/QĐ-UBND ngày 3/5/2019)",
        "theo Kế hoạch số 45/KH-UBND ngày 10/3/2021",
    ],
)
def test_genre__another_documents_date_is_never_a_deadline(words: str) -> None:
    assert read_deadlines(words, 2021) == []


@pytest.fixture(scope="module", autouse=True)
def _units_of_the_2020_chart() -> Iterator[None]:
    """The plan of 2020 names the units of the 2020 chart (the demo's), not today's."""
    with recognising(registry_from_files(CHART_2020_PATH)):
        yield


@pytest.mark.parametrize(
    ("words", "reason"),
    [
        ("tuần đầu tháng 7/2021", "không phải một ngày cụ thể"),
        ("đầu tháng 7", "không phải một ngày cụ thể"),
        ("tháng 13-14/2021", "không phải một ngày có thật"),
        ("tháng 10/9/2021", "không rõ là ngày hay khoảng tháng"),
    ],
)
def test_genre__a_deadline_without_a_sure_day_is_told(words: str, reason: str) -> None:
    [unread] = read_deadlines(words, 2021)
    assert isinstance(unread, Unreadable)
    assert reason in unread.reason


def test_genre__an_unsure_deadline_needs_a_decision() -> None:
    text = (
        "KẾ HOẠCH\n\nCông tác năm 2021\n\nII. NHIỆM VỤ\n\n"
        "Văn phòng Sở chủ trì tổ chức hội nghị sơ kết. Thời gian: tuần đầu tháng 7/2021.\n"
    )
    [task] = find_assignments(text)
    assert task.deadline == Deadline(DeadlineKind.NONE)
    assert "tuần đầu tháng 7/2021" in (task.needs_decision or "")
    assert "cần đặt thời hạn" in (task.needs_decision or "")


def test_genre__a_date_without_a_year_in_a_plan_without_one_is_told() -> None:
    [unread] = read_deadlines("trước ngày 30/6", None)
    assert "không nêu năm" in getattr(unread, "reason", "")


def test_genre__the_plan_year_comes_from_the_document() -> None:
    assert plan_year_of((FIXTURES / "ubnd_tinh_2021.txt").read_text(encoding="utf-8")) == 2021
    assert plan_year_of((FIXTURES / "so_khcn_2022.txt").read_text(encoding="utf-8")) == 2022
    assert plan_year_of("Hà Nội, ngày 3 tháng 4 năm 2019\n\nKẾ HOẠCH\n\nCông tác") == 2019


def test_genre__a_periodic_item_starts_with_its_first_periods_deadline() -> None:
    [task] = [a for a in find_assignments(read_plan(FIXTURES / "so_khcn_2022.txt"))][2:3]
    data = start_data(task, read_org_chart(CHART_2020_PATH), 2022, date(2022, 3, 28))
    assert (data["loai_han"], data["gia_tri_han"]) == ("date", "2022-04-25")
    assert data["lap_lai"] == {"every": "month", "day": 25}
    assert data["ket_thuc_chuoi"] == "2022-12-31"  # a monthly report runs through the plan's year
    assert first_due(Every("quarter"), date(2022, 3, 28)) == date(2022, 3, 31)
    assert first_due(Every("half_year"), date(2022, 7, 1)) == date(2022, 12, 31)


def _table_plan(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("KẾ HOẠCH")
    document.add_paragraph("Công tác năm 2021")
    document.add_paragraph("II. NHIỆM VỤ")
    # columns in an order of their own, recognised by their header's words
    table = document.add_table(rows=1, cols=5)
    for cell, word in zip(
        table.rows[0].cells,
        ["STT", "Thời gian hoàn thành", "Nội dung công việc", "Đơn vị phối hợp", "Đơn vị chủ trì"],
        strict=True,
    ):
        cell.text = word
    for row in [
        ("1", "Quý II/2021", "Xây dựng quy chế", "Sở Tư pháp", "Phòng Quản lý Khoa học"),
        ("2", "hằng quý", "Báo cáo tiến độ", "", "Văn phòng Sở"),
    ]:
        for cell, text in zip(table.add_row().cells, row, strict=True):
            cell.text = text
    document.save(str(path))
    return path


def test_genre__a_docx_table_of_tasks(tmp_path: Path) -> None:
    found = find_assignments(read_plan(_table_plan(tmp_path / "bang.docx")))
    assert _rows(found) == [
        ("II.1", "Phòng Quản lý Khoa học", ["Sở Tư pháp"], (D, "2021-06-30"), False),
        ("II.2", "Văn phòng Sở", [], ("recurring", {"every": "quarter", "day": None}), False),
    ]
    assert found[0].summary == "Xây dựng quy chế"


_TEXT_TABLE = """KẾ HOẠCH

Công tác năm 2021

II. NHIỆM VỤ

{rows}

III. TỔ CHỨC THỰC HIỆN

Giao Văn phòng Sở chủ trì tổng hợp kết quả trước ngày 15/12/2021.
"""


@pytest.mark.parametrize(
    "rows",
    [
        # cells between bars, as typed or pasted from a spreadsheet into a text file
        "STT | Nội dung công việc | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành\n"
        "I | Thể chế | | |\n"
        "1.1 | Xây dựng quy chế | Phòng Quản lý Khoa học | Sở Tư pháp | Quý II/2021\n"
        "1.2 | Báo cáo tiến độ | Văn phòng Sở | | hằng quý",
        # Markdown's table, its rule under the header
        "| STT | Nội dung công việc | Cơ quan chủ trì | Cơ quan phối hợp | Thời gian hoàn thành |\n"
        "|---|---|---|---|---|\n"
        "| I | Thể chế | | | |\n"
        "| 1.1 | Xây dựng quy chế | Phòng Quản lý Khoa học | Sở Tư pháp | Quý II/2021 |\n"
        "| 1.2 | Báo cáo tiến độ | Văn phòng Sở | | hằng quý |",
        # cells between tabs
        "STT\tNội dung công việc\tCơ quan chủ trì\tCơ quan phối hợp\tThời gian hoàn thành\n"
        "I\tThể chế\t\t\t\n"
        "1.1\tXây dựng quy chế\tPhòng Quản lý Khoa học\tSở Tư pháp\tQuý II/2021\n"
        "1.2\tBáo cáo tiến độ\tVăn phòng Sở\t\thằng quý",
    ],
)
def test_genre__a_table_of_tasks_typed_in_a_text_file(rows: str, tmp_path: Path) -> None:
    path = tmp_path / "bang.txt"
    path.write_text(_TEXT_TABLE.format(rows=rows), encoding="utf-8")
    found = find_assignments(read_plan(path))
    assert _rows(found) == [
        ("II.1.1", "Phòng Quản lý Khoa học", ["Sở Tư pháp"], (D, "2021-06-30"), False),
        ("II.1.2", "Văn phòng Sở", [], ("recurring", {"every": "quarter", "day": None}), False),
        ("III", "Văn phòng Sở", [], (D, "2021-12-15"), False),
    ]
    assert [a.summary for a in found[:2]] == ["Xây dựng quy chế", "Báo cáo tiến độ"]


def test_genre__bars_in_a_line_of_text_are_text(tmp_path: Path) -> None:
    path = tmp_path / "vach.txt"
    text = _TEXT_TABLE.format(rows="Giao Văn phòng Sở chủ trì việc A | B | C trong năm 2021.")
    path.write_text(text, encoding="utf-8")
    assert read_plan(path) == text.rstrip("\n")


def test_genre__a_plan_with_nothing_to_import_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="Đơn vị chủ trì"):
        require_assignments("Báo cáo tình hình\n\nMọi việc bình thường.")
    path = tmp_path / "trong.txt"
    path.write_text("Báo cáo tình hình\n\nMọi việc bình thường.", encoding="utf-8")
    result = CliRunner().invoke(main, ["plan", "import", "--dry-run", "--json", str(path)])
    assert result.exit_code == 6, result.output
    assert "NHIỆM VỤ VÀ GIẢI PHÁP" in json.loads(result.output)["error"]["message"]


def test_genre__a_docx_that_is_not_a_document_is_refused(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "khong_phai.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    result = CliRunner().invoke(main, ["plan", "import", "--dry-run", str(path)])
    assert result.exit_code == 6, result.output
