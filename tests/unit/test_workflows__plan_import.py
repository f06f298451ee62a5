"""The plan importer's parser on the department's plan (.txt and .docx) and on small cases."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import jsonschema
import pytest
from click.testing import CliRunner

from cli.main import main
from engine import InvalidInput
from tests import hostile_archives
from workflows.org_chart import CHART_2020_PATH, read_org_chart
from workflows.plan_assign import start_data
from workflows.plan_files import MAX_PLAN_BYTES
from workflows.plan_import import (
    Assignment,
    Deadline,
    DeadlineKind,
    Every,
    find_assignments,
    read_plan,
)
from workflows.plan_text import SO_UNITS
from workflows.plan_units import recognising, registry_from_files
from workflows.plan_year import in_year, plan_year


@pytest.fixture(autouse=True)
def _no_database(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The command line's dry runs read no database of the checkout: the one they would open
    does not exist, so they read the shipped chart and list."""
    monkeypatch.setenv("PHEDUYET_DATABASE_URL", f"sqlite:///{tmp_path / 'absent.db'}")


ROOT = Path(__file__).parents[2]
# A copy of the department's plan kept in the repository, so that the tests need nothing
# outside it.
PLAN = ROOT / "tests" / "fixtures" / "plan" / "ke_hoach_2020.txt"

ALL = "Các phòng, đơn vị trực thuộc Sở"
QLKH = "Phòng Quản lý Khoa học"
QLKH_CS = "Phòng Quản lý Khoa học và Công nghệ cơ sở"
TRUNG_TAM = "Trung tâm Ứng dụng khoa học và công nghệ"
CHI_CUC = "Chi cục Tiêu chuẩn Đo lường Chất lượng"
QLCN = "Phòng Quản lý Công nghệ và Thị trường công nghệ"
KCN = "Ban Quản lý các KCN tỉnh"
LIEN_HIEP = "Liên hiệp các Hội khoa học và kỹ thuật tỉnh"
TTTT = "Sở Thông tin và Truyền thông"
D, Y, FROM, EVERY, NONE = (
    DeadlineKind.DATE,
    DeadlineKind.YEAR,
    DeadlineKind.FROM_YEAR,
    DeadlineKind.RECURRING,
    DeadlineKind.NONE,
)

# Every task of sections II.1–II.4: section, lead, partners, deadline, whether a person must
# decide something, and a word of the summary.
EXPECTED = [
    ("II.1", None, (), D, date(2020, 6, 10), True, "Rà soát lại tất cả các văn bản"),
    ("II.2", None, (), NONE, None, True, "Rà soát lại chức năng"),
    ("II.2", QLKH_CS, (ALL,), D, date(2020, 6, 15), False, "công tác thông tin báo cáo"),
    ("II.2", CHI_CUC, (), D, date(2020, 6, 15), False, "tiêu chuẩn đo lường chất lượng"),
    ("II.2", "Văn phòng Sở", (ALL,), EVERY, None, False, "cải cách hành chính"),
    # "chủ động phối hợp với các ngành": partners no unit list names
    ("II.2", "Thanh tra Sở", (ALL,), EVERY, None, True, "thanh tra, kiểm tra"),
    ("II.2", QLCN, (KCN,), Y, 2020, False, "quản lý nhà nước về công nghệ"),
    # two units given the lead: the first leads until a person confirms
    ("II.3", QLKH, (QLKH_CS,), FROM, 2020, True, "Khảo sát, đánh giá thực trạng"),
    ("II.3", QLKH_CS, (), Y, 2020, False, "nghiên cứu khoa học ở cấp cơ sở"),
    ("II.3", "Phòng Quản lý Chuyên ngành", (), FROM, 2021, False, "sở hữu trí tuệ"),
    ("II.3", TRUNG_TAM, (LIEN_HIEP, TTTT), Y, 2020, False, "phổ biến khoa học và công nghệ"),
    ("II.4.1", "Phòng Kế hoạch Tài chính", (), Y, 2020, False, "Quy định định mức"),
    ("II.4.2", QLKH, (QLKH_CS,), Y, 2020, False, "Quy định quản lý, tổ chức thực hiện"),
    ("II.4.2", QLKH, (), NONE, None, True, "bổ sung 03 nhiệm vụ"),
    ("II.4.2", QLKH, ("Bộ Khoa học và Công nghệ",), NONE, None, True, "Hội nghị sơ kết 5 năm"),
    ("II.4.2", QLKH, (), NONE, None, True, "tổng kết"),
    # the closing "Giao Trung tâm … chuẩn bị các tài liệu … trước ngày 01/6/2020" is the
    # deadline of the section's task, told in needs_decision
    ("II.4.3", TRUNG_TAM, (), D, date(2020, 6, 1), True, "Chuẩn bị báo cáo đánh giá"),
]


def _row(a: Assignment) -> tuple[object, ...]:
    return (
        a.section,
        a.lead_unit,
        a.cooperating_units,
        a.deadline.kind,
        a.deadline.value,
        a.needs_decision is not None,
    )


def _expected_rows() -> list[tuple[object, ...]]:
    return [row[:6] for row in EXPECTED]


@pytest.fixture(scope="module")
def plan_text() -> str:
    return read_plan(PLAN)


@pytest.fixture(scope="module")
def assignments(plan_text: str) -> list[Assignment]:
    return find_assignments(plan_text)


def test_plan_import__fixture_is_the_plan_the_demo_ships() -> None:
    # Both are copies of the department's plan, kept in the repository: a clone anywhere has them.
    assert PLAN.read_bytes() == (ROOT / "workflows" / "data" / "ke_hoach_2020.txt").read_bytes()


def test_plan_import__finds_every_assignment(assignments: list[Assignment]) -> None:
    assert [_row(a) for a in assignments] == _expected_rows()


@pytest.mark.parametrize(("index", "expected"), list(enumerate(EXPECTED)))
def test_plan_import__summaries(
    assignments: list[Assignment], index: int, expected: tuple[object, ...]
) -> None:
    summary = assignments[index].summary
    assert str(expected[6]).casefold() in summary.casefold()
    assert len(summary) <= 340
    assert "*" not in summary
    # who does it is in lead_unit, not repeated at the front of the summary
    assert not summary.startswith(("Giao ", "Chủ trì"))


def test_plan_import__notes_say_what_to_decide(assignments: list[Assignment]) -> None:
    notes = {i: a.needs_decision or "" for i, a in enumerate(assignments)}
    assert "cần chọn đơn vị chủ trì" in notes[0]
    assert "cần chọn đơn vị chủ trì" in notes[1] and "cần đặt thời hạn" in notes[1]
    assert "các ngành" in notes[5]
    assert f"đã tạm lấy {QLKH} chủ trì" in notes[7]
    assert all("cần đặt thời hạn" in notes[i] for i in (13, 14, 15))
    assert "01/06/2020" in notes[16] and "cần xác nhận" in notes[16]


def test_plan_import__bullets_belong_to_their_task(assignments: list[Assignment]) -> None:
    proposal = assignments[13]
    assert proposal.text.count("\n- ") == 3
    assert "gồm 3 nội dung" in proposal.summary
    assert "Nghiên cứu đánh giá nâng cao trình độ công nghệ" in proposal.summary
    assert "giống lúa BG1" in proposal.text
    meeting = assignments[16]
    assert meeting.text.count("\n- ") == 3
    assert meeting.text.endswith("trước ngày 01/6/2020.")


def test_plan_import__to_json(assignments: list[Assignment]) -> None:
    first = assignments[0].to_json()
    assert list(first) == [
        "section",
        "section_title",
        "summary",
        "text",
        "lead_unit",
        "cooperating_units",
        "deadline",
        "source_deadline",
        "needs_decision",
        "product",
    ]
    assert first["deadline"] == {"kind": "date", "value": "2020-06-10"}
    assert first["source_deadline"] is None  # read as written: nothing moved
    assert first["text"].endswith("Thời gian hoàn thành trước ngày 10/6/2020.")
    assert assignments[4].to_json()["deadline"] == {"kind": "recurring", "value": None}
    assert assignments[7].to_json()["deadline"] == {"kind": "from_year", "value": 2020}
    assert assignments[2].to_json()["cooperating_units"] == [ALL]
    dumped = json.loads(json.dumps([a.to_json() for a in assignments], ensure_ascii=False))
    assert [(row["section"], row["lead_unit"]) for row in dumped] == [
        (row[0], row[1]) for row in EXPECTED
    ]


def _add_runs(paragraph: docx.text.paragraph.Paragraph, line: str) -> None:
    # The .txt marks bold and italic with asterisks; in Word they are run formatting.
    bold = italic = False
    for part in re.split(r"(\*+)", line):
        if part.startswith("*"):
            bold ^= len(part) >= 2
            italic ^= len(part) % 2 == 1
        elif part:
            run = paragraph.add_run(part)
            run.bold, run.italic = bold or None, italic or None


def _docx_from(text: str, path: Path) -> Path:
    document = docx.Document()
    lines = [line for line in text.splitlines() if line.strip()]
    # Letterheads sit in a table: "Số: …" on the left, place and date on the right.
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = lines[0], lines[1]
    for line in lines[2:]:
        if line.startswith("- "):
            # Word's own bullet list: the "- " is the style's, not the text's.
            _add_runs(document.add_paragraph(style="List Bullet"), line[2:])
        else:
            _add_runs(document.add_paragraph(), line)
    document.save(str(path))
    return path


def test_plan_import__docx_gives_the_same_assignments(
    plan_text: str, assignments: list[Assignment], tmp_path: Path
) -> None:
    text = read_plan(_docx_from(plan_text, tmp_path / "ke_hoach.docx"))
    assert "*" not in text
    assert text.startswith("Số: /KH-KHCN\n\nBắc Giang")
    assert find_assignments(text) == assignments


def test_plan_import__txt_with_byte_order_mark(plan_text: str, tmp_path: Path) -> None:
    path = tmp_path / "ke_hoach.txt"
    path.write_bytes(b"\xef\xbb\xbf" + plan_text.encode("utf-8"))
    assert read_plan(path) == plan_text


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ke_hoach.pdf", b"%PDF-1.4", "must be a .txt or .docx"),
        ("ke_hoach.txt", "Kế hoạch".encode("utf-16"), "not UTF-8"),
        ("ke_hoach.docx", b"not a zip file", "not a readable .docx"),
        ("missing.txt", None, "cannot read"),
        ("missing.docx", None, "cannot read"),
    ],
)
def test_plan_import__unreadable_files_are_refused(
    tmp_path: Path, name: str, content: bytes | None, message: str
) -> None:
    if content is not None:
        (tmp_path / name).write_bytes(content)
    with pytest.raises(InvalidInput, match=message):
        read_plan(tmp_path / name)


def _plan(*paragraphs: str) -> str:
    return "\n\n".join(
        [
            "I. MỤC ĐÍCH",
            "Giao Văn phòng Sở trước ngày 1/1/2020.",
            "II. NHIỆM VỤ TRỌNG TÂM",
            *paragraphs,
            "III. TỔ CHỨC THỰC HIỆN",
            "Giao Thanh tra Sở theo dõi.",
        ]
    )


@pytest.mark.parametrize(
    ("paragraphs", "lead", "partners", "deadline"),
    [
        # the longest name wins; a hyphenated spelling is the same unit
        (
            [
                "1. Việc A",
                "Giao Phòng Quản lý Khoa học và Công nghệ cơ sở chủ trì việc A. "
                "Thời gian hoàn thành trước ngày 10 tháng 6 năm 2020.",
            ],
            QLKH_CS,
            (),
            Deadline(D, date(2020, 6, 10)),
        ),
        (
            [
                "1. Việc A",
                "Giao phòng kế hoạch - tài chính chủ trì, phối hợp với Văn phòng Sở và "
                "Thanh tra Sở làm việc A. Thực hiện trong năm 2021.",
            ],
            "Phòng Kế hoạch Tài chính",
            ("Văn phòng Sở", "Thanh tra Sở"),
            Deadline(Y, 2021),
        ),
        # a decision's own date is not a deadline
        (
            [
                "1. Việc A",
                "Giao Thanh tra Sở chủ trì sửa Quyết định số 1/2015/QĐ-UBND ngày 31/12/2015.",
            ],
            "Thanh tra Sở",
            (),
            Deadline(NONE),
        ),
        # a paragraph that only states the deadline belongs to the task above it
        (
            [
                "1. Việc A",
                "Giao Thanh tra Sở chủ trì việc A.",
                "Thời gian hoàn thành: trước ngày 30/6/2020.",
            ],
            "Thanh tra Sở",
            (),
            Deadline(D, date(2020, 6, 30)),
        ),
        # a numbered heading with no paragraph is itself the task
        (
            ["1. Giao Văn phòng Sở chủ trì việc B. Thực hiện từ năm 2022."],
            "Văn phòng Sở",
            (),
            Deadline(FROM, 2022),
        ),
        # "4.x. Giao <unit>" gives the unit to a paragraph that does not start "Chủ trì"
        (
            ["4. Phân công", "4.1. Giao Thanh tra Sở", "Tham mưu việc C hằng năm."],
            "Thanh tra Sở",
            (),
            Deadline(NONE),
        ),
        # labels as bullets of their own: "- Thời gian:" is read as "Thời gian:" is
        (
            [
                "1. Việc D",
                "Xây dựng mô hình ứng dụng tiến bộ kỹ thuật.",
                "- Đơn vị thực hiện: Thanh tra Sở.",
                "- Thời gian: Quý III/2020.",
            ],
            "Thanh tra Sở",
            (),
            Deadline(D, date(2020, 9, 30)),
        ),
        (
            [
                "1. Việc E",
                "Làm việc E. - Đơn vị thực hiện: Thanh tra Sở. - Thời gian: Thường xuyên.",
            ],
            "Thanh tra Sở",
            (),
            Deadline(DeadlineKind.RECURRING),
        ),
        # the labelled deadline comes before one the task's words name on the way
        (
            [
                "1. Việc G",
                "Đề xuất đặt hàng nhiệm vụ thực hiện từ năm 2022.",
                "- Đơn vị thực hiện: Thanh tra Sở.",
                "- Thời gian: tháng 4/2020.",
            ],
            "Thanh tra Sở",
            (),
            Deadline(D, date(2020, 4, 30)),
        ),
    ],
)
def test_plan_import__small_plans(
    paragraphs: list[str], lead: str, partners: tuple[str, ...], deadline: Deadline
) -> None:
    [found] = find_assignments(_plan(*paragraphs))
    assert (found.lead_unit, found.cooperating_units, found.deadline) == (lead, partners, deadline)


@pytest.mark.parametrize(
    ("paragraph", "note"),
    [
        (
            "Giao Phòng Thông tin chủ trì việc A. Thực hiện trong năm 2020.",
            "Không nhận ra đơn vị được giao",
        ),
        (
            # "Quý III/2020" is read now (test_workflows__plan_genre.py); this still is not
            "Giao Văn phòng Sở chủ trì việc A. Thời gian hoàn thành: khi có kinh phí.",
            "Không đọc được thời hạn “Thời gian hoàn thành: khi có kinh phí.”",
        ),
        (
            "Giao Văn phòng Sở chủ trì việc A trước ngày 1/6/2020. Thực hiện trong năm 2020.",
            "Kế hoạch nêu nhiều thời hạn (trước ngày 01/06/2020; trong năm 2020)",
        ),
        (
            "Giao các phòng, đơn vị trực thuộc Sở chủ trì việc A. Thực hiện trong năm 2020.",
            "cần chọn một đơn vị chủ trì",
        ),
    ],
)
def test_plan_import__doubts_are_told(paragraph: str, note: str) -> None:
    [found] = find_assignments(_plan("1. Việc A", paragraph))
    assert note in (found.needs_decision or "")


def test_plan_import__the_standing_body_is_given_a_task() -> None:
    """The standing body of TỔ CHỨC THỰC HIỆN ("X là cơ quan thường trực, có trách nhiệm …"):
    in a UBND's plan it is often the Sở's own main task."""
    found = find_assignments(
        _plan("1. Việc A", "Giao Văn phòng Sở chủ trì việc A trong năm 2020.")
        + "\n\nSở Khoa học và Công nghệ là cơ quan thường trực, có trách nhiệm theo dõi, đôn "
        "đốc, tổng hợp kết quả thực hiện trước ngày 15/12/2020."
    )
    standing = found[-1]
    assert (standing.section, standing.lead_unit) == ("III", "Sở Khoa học và Công nghệ")
    assert standing.summary.startswith("Theo dõi, đôn đốc, tổng hợp kết quả")
    assert standing.deadline == Deadline(DeadlineKind.DATE, date(2020, 12, 15))


def test_plan_import__a_label_on_the_tasks_line_leaves_no_dash_in_its_summary() -> None:
    [found] = find_assignments(
        _plan("1. Việc E", "Làm việc E tại huyện. - Đơn vị thực hiện: Thanh tra Sở.")
    )
    assert found.summary == "Làm việc E tại huyện"


def test_plan_import__another_sos_units_are_never_this_sos() -> None:
    header = "UBND TỈNH BẮC GIANG\n\nSỞ LAO ĐỘNG - THƯƠNG BINH VÀ XÃ HỘI\n\nSố: 12/KH-SLĐTBXH"
    found = find_assignments(
        header
        + "\n\nKẾ HOẠCH\n\nCông tác năm 2027\n\n"
        + _plan(
            "1. Giao Thanh tra Sở chủ trì, phối hợp với Văn phòng Sở, Chi cục Tiêu chuẩn Đo "
            "lường Chất lượng, UBND các huyện, thành phố và Sở Khoa học và Công nghệ kiểm tra "
            "việc A trong năm 2027.",
            "2. Giao Sở Khoa học và Công nghệ chủ trì việc B trong năm 2027.",
        )
    )
    theirs, ours = found[0], found[1]
    issuer = "Sở Lao động - Thương binh và Xã hội"
    assert theirs.lead_unit == f"Thanh tra {issuer}"
    assert theirs.cooperating_units == (  # a unit only this Sở has stays this Sở's
        f"Văn phòng {issuer}",
        "Chi cục Tiêu chuẩn Đo lường Chất lượng",
        "UBND các huyện, thành phố",
        "Sở Khoa học và Công nghệ",
    )
    assert f"Kế hoạch do {issuer} ban hành: “Thanh tra Sở” là đơn vị của {issuer}" in (
        theirs.needs_decision or ""
    )
    assert ours.lead_unit == "Sở Khoa học và Công nghệ" and not ours.needs_decision
    chart = read_org_chart(CHART_2020_PATH)
    assert start_data(theirs, chart, 2027)["don_vi_chu_tri"] is None  # a person chooses


def test_plan_import__lines_without_words_and_empty_labels_are_no_tasks() -> None:
    found = find_assignments(
        _plan(
            "1. Việc A",
            "Giao Thanh tra Sở chủ trì việc A trong năm 2020.",
            "||| --- |||",
            "2. Đơn vị chủ trì:",
            "3. ………",
        )
    )
    assert [(a.section, a.lead_unit) for a in found] == [("II.1", "Thanh tra Sở")]


def test_plan_import__what_a_list_of_units_names_past_the_units_read_is_said() -> None:
    [found] = find_assignments(
        _plan(
            "1. Việc H",
            "Triển khai phủ sóng 5G tại trung tâm các xã.",
            "Đơn vị chủ trì: Thanh tra Sở, Viettel Bắc Giang.",
            "Thời gian hoàn thành: Quý III/2020.",
        )
    )
    assert found.lead_unit == "Thanh tra Sở"
    assert "Kế hoạch nêu thêm “Viettel Bắc Giang” trong đơn vị chủ trì" in (
        found.needs_decision or ""
    )


def test_plan_import__an_empty_section_of_tasks_has_none() -> None:
    assert find_assignments(_plan()) == []


def test_plan_import__a_plan_without_a_section_of_tasks_is_refused() -> None:
    with pytest.raises(InvalidInput, match="no section of tasks"):
        find_assignments("I. MỤC ĐÍCH\n\nGiao Văn phòng Sở chủ trì việc A.")


def test_plan_import__unit_names_are_the_org_charts() -> None:
    # The importer's lead_unit must find its unit by name in the org chart.
    chart = {unit.name for unit in read_org_chart(CHART_2020_PATH).units}
    assert set(SO_UNITS) - {"Lãnh đạo Sở"} == chart


# --- a plan read as a plan of another year (--year) ----------------------------------------


def test_plan_year__the_plans_own_year(assignments: list[Assignment]) -> None:
    assert plan_year(assignments) == 2020
    assert plan_year(find_assignments(_plan("1. Việc A", "Giao Văn phòng Sở việc A."))) is None


def test_plan_year__moves_every_deadline_and_keeps_the_plans_own(
    assignments: list[Assignment],
) -> None:
    moved = in_year(assignments, 2026)
    rows = [(a.deadline, a.source_deadline) for a in moved]
    assert rows[0] == (Deadline(D, date(2026, 6, 10)), Deadline(D, date(2020, 6, 10)))
    assert rows[6] == (Deadline(Y, 2026), Deadline(Y, 2020))
    # "từ năm 2021" in a plan of 2020 is next year's: in a plan of 2026, 2027
    assert rows[9] == (Deadline(FROM, 2027), Deadline(FROM, 2021))
    assert rows[4] == (Deadline(EVERY), None)  # "thường xuyên": nothing to move
    assert rows[1] == (Deadline(NONE), None)
    # the plan's words are kept as written; only deadlines change
    assert [a.text for a in moved] == [a.text for a in assignments]
    assert [a.needs_decision for a in moved] == [a.needs_decision for a in assignments]
    assert [
        replace(a, deadline=a.source_deadline or a.deadline, source_deadline=None) for a in moved
    ] == assignments
    assert in_year(assignments, 2020) == assignments


@pytest.mark.parametrize(
    ("year", "expected"),
    [(2026, date(2026, 2, 28)), (2028, date(2028, 2, 29)), (2019, date(2019, 2, 28))],
)
def test_plan_year__29_february_in_a_common_year_is_28(year: int, expected: date) -> None:
    text = _plan(
        "1. Việc A",
        "Giao Văn phòng Sở chủ trì việc A. Thời gian hoàn thành trước ngày 29/2/2020.",
    )
    [found] = in_year(find_assignments(text), year)
    assert found.deadline == Deadline(D, expected)
    assert found.source_deadline == Deadline(D, date(2020, 2, 29))


@pytest.mark.parametrize("year", [1999, 2101, 0, -2026])
def test_plan_year__a_year_out_of_range_is_refused(
    assignments: list[Assignment], year: int
) -> None:
    with pytest.raises(InvalidInput, match="from 2000 to 2100"):
        in_year(assignments, year)


def test_plan_year__a_tie_is_the_earliest_year() -> None:
    text = _plan(
        "1. Việc A",
        "Giao Văn phòng Sở chủ trì việc A. Thực hiện trong năm 2021.",
        "2. Việc B",
        "Giao Thanh tra Sở chủ trì việc B. Thực hiện trong năm 2020.",
    )
    assert plan_year(find_assignments(text)) == 2020


# --- what an item of the plan starts with ----------------------------------------------------

START_FORM = ROOT / "bpmn" / "forms" / "nhiem_vu_ke_hoach.json"


def test_plan_start_data__everything_a_person_must_read(assignments: list[Assignment]) -> None:
    chart = read_org_chart(CHART_2020_PATH)
    moved = in_year(assignments, 2026)
    meeting = start_data(moved[16], chart, 2020)
    assert meeting["section"] == "II.4.3"
    assert meeting["ten_muc"] == f"Giao {TRUNG_TAM}"
    assert meeting["noi_dung_day_du"] == assignments[16].text  # whole, bullets and all
    assert "…" not in meeting["noi_dung_day_du"] and meeting["noi_dung_day_du"].count("\n- ") == 3
    assert (meeting["don_vi_chu_tri"], meeting["ten_don_vi_chu_tri"]) == ("trung_tam_ud", TRUNG_TAM)
    assert meeting["thoi_han"] == "Trước ngày 01/06/2026"
    assert meeting["han_hoan_thanh"] == "2026-06-01"
    assert (meeting["thoi_han_goc"], meeting["han_goc"]) == ("Trước ngày 01/06/2020", "2020-06-01")
    assert meeting["nam_ke_hoach"] == 2020
    assert "cần xác nhận" in meeting["can_quyet_dinh"]
    # what the diagram computes the deadline from is the moved one
    assert (meeting["loai_han"], meeting["gia_tri_han"]) == ("date", "2026-06-01")

    review = start_data(moved[0], chart, 2020)
    assert review["don_vi_chu_tri"] is None and review["ten_don_vi_chu_tri"] is None
    assert "cần chọn đơn vị chủ trì" in review["can_quyet_dinh"]
    partners = start_data(moved[10], chart, 2020)
    assert partners["don_vi_phoi_hop"] == [LIEN_HIEP, TTTT]
    assert (partners["thoi_han"], partners["han_hoan_thanh"]) == ("Trong năm 2026", "2026-12-31")
    yearly = start_data(moved[4], chart, 2020)
    assert (yearly["thoi_han"], yearly["han_hoan_thanh"]) == ("Thường xuyên hằng năm", None)
    assert (yearly["thoi_han_goc"], yearly["han_goc"]) == (None, None)  # nothing was moved
    unmoved = start_data(assignments[16], chart, 2020)
    assert unmoved["thoi_han"] == "Trước ngày 01/06/2020" and unmoved["han_goc"] is None
    assert start_data(assignments[1], chart)["thoi_han"] == "Kế hoạch không nêu thời hạn"


def test_plan_start_data__its_labels(assignments: list[Assignment]) -> None:
    form = json.loads(START_FORM.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(form)
    fields = form["properties"]
    data = start_data(in_year(assignments, 2026)[16], read_org_chart(CHART_2020_PATH), 2020)
    assert set(fields) <= set(data)
    # what a person reads is labelled in Vietnamese; the deadline's machine values are not shown
    assert all(spec["title"] and spec["title"] != name for name, spec in fields.items())
    assert not {"loai_han", "gia_tri_han", "don_vi_chu_tri"} & set(fields)
    dates = {name for name, spec in fields.items() if spec.get("format") == "date"}
    assert dates == {"han_hoan_thanh", "ket_thuc_chuoi", "han_goc", "ngay_van_ban"}
    # the plan leaves its own date blank; this task does not recur
    for name in dates - {"ngay_van_ban", "ket_thuc_chuoi"}:
        date.fromisoformat(data[name])
    assert jsonschema.Draft202012Validator(form).is_valid(
        {k: v for k, v in data.items() if k in fields and v is not None}
    )


# --- hostile plans: refused with a reason before they are read (exit 6 in the CLI) ----------


def _big_plan(path: Path, size: int) -> Path:
    """The plan with its section of tasks padded to `size` bytes by more tasks of one unit."""
    text = PLAN.read_bytes()
    cut = text.index(b"\nIII.")
    line = "\nGiao Văn phòng Sở chủ trì triển khai thực hiện nhiệm vụ.".encode()
    room = size - len(text)
    padding = line * (room // len(line))
    padding += b" " * (room - len(padding))
    path.write_bytes(text[:cut] + padding + text[cut:])
    return path


def _hostile_plan(kind: str, tmp_path: Path) -> Path:
    if kind == "big_plan.txt":
        return _big_plan(tmp_path / kind, MAX_PLAN_BYTES + 1)
    path = tmp_path / kind
    made = {
        "zip_bomb.docx": hostile_archives.zip_bomb_docx,
        "billion_laughs.docx": hostile_archives.billion_laughs_docx,
        "declares_4gb.docx": lambda: hostile_archives.declares_huge_size(
            hostile_archives.real_docx("II. NHIỆM VỤ VÀ GIẢI PHÁP")
        ),
        "nested_archives.docx": lambda: hostile_archives.nested(3),
        "many_entries.docx": lambda: hostile_archives.many_entries(1001),
        "broken_xml.docx": lambda: hostile_archives.replace_part(
            hostile_archives.real_docx("x"), "word/document.xml", b"<w:document><unclosed>"
        ),
    }
    path.write_bytes(made[kind]())
    return path


HOSTILE_PLANS = [
    ("big_plan.txt", "over the limit of 2,097,152 bytes"),
    ("zip_bomb.docx", "compressed 1,0"),
    ("billion_laughs.docx", "declares a DOCTYPE or entities"),
    ("declares_4gb.docx", "unpacks to more than 100 MB"),
    ("nested_archives.docx", "nested deeper"),
    ("many_entries.docx", "over the limit of 1,000"),
    ("broken_xml.docx", "not a readable .docx"),
]


@pytest.mark.parametrize(("kind", "words"), HOSTILE_PLANS, ids=[k for k, _ in HOSTILE_PLANS])
def test_plan_import__hostile_files_are_refused_before_reading(
    tmp_path: Path, kind: str, words: str
) -> None:
    path = _hostile_plan(kind, tmp_path)
    began = time.monotonic()
    with pytest.raises(InvalidInput) as refused:
        read_plan(path)
    assert time.monotonic() - began < 2
    assert words in refused.value.message and str(path) in refused.value.message


@pytest.mark.parametrize(("kind", "words"), HOSTILE_PLANS, ids=[k for k, _ in HOSTILE_PLANS])
def test_plan_import__hostile_files_exit_6_with_the_reason(
    tmp_path: Path, kind: str, words: str
) -> None:
    path = _hostile_plan(kind, tmp_path)
    result = CliRunner().invoke(main, ["plan", "import", "--dry-run", "--json", str(path)])
    assert result.exit_code == 6, result.output
    error = json.loads(result.output)["error"]
    assert error["code"] == "invalid_input" and words in error["message"]
    assert "unexpected" not in result.output


@pytest.fixture(scope="module", autouse=True)
def _units_of_the_2020_chart() -> Iterator[None]:
    """The plan of 2020 names the units of the 2020 chart (the demo's), not today's."""
    with recognising(registry_from_files(CHART_2020_PATH)):
        yield


def test_plan_import__a_plan_just_under_the_limit_is_read(tmp_path: Path) -> None:
    path = _big_plan(tmp_path / "dai.txt", MAX_PLAN_BYTES)
    began = time.monotonic()
    assert len(find_assignments(read_plan(path))) > len(EXPECTED)
    assert time.monotonic() - began < 30


def test_plan_import__a_docx_with_an_embedded_workbook_is_read(tmp_path: Path) -> None:
    path = tmp_path / "bao_cao.docx"
    path.write_bytes(hostile_archives.nested(2))
    assert "Báo cáo" in read_plan(path)


def test_plan_start_data__next_years_plan_starts_its_periods_with_its_year() -> None:
    """Next year's plan, imported in December: its quarterly work is first due at the end of
    its first quarter and runs through its year, not through the weeks left of this one."""
    chart = read_org_chart(CHART_2020_PATH)
    quarterly = Assignment(
        section="II.1",
        summary="Báo cáo tiến độ",
        lead_unit=None,
        cooperating_units=(),
        deadline=Deadline(DeadlineKind.RECURRING, Every("quarter")),
        needs_decision=None,
    )
    december = date(2026, 12, 15)
    data = start_data(quarterly, chart, 2027, december)
    assert (data["loai_han"], data["gia_tri_han"]) == ("date", "2027-03-31")
    assert data["ket_thuc_chuoi"] == "2027-12-31"
    this_year = start_data(quarterly, chart, 2026, december)
    assert (this_year["gia_tri_han"], this_year["ket_thuc_chuoi"]) == ("2026-12-31", "2026-12-31")


@pytest.mark.parametrize(
    ("header", "moved_to", "years"),
    [
        (2027, None, (2027, 2027)),  # next year's plan, its deadlines in 2027
        (2026, None, (2026, 2026)),  # "giai đoạn 2026-2030": the header's year, not 2028's
        (None, None, (2028, 2028)),  # no year in the header: the year its deadlines name most
        (2022, 2027, (2022, 2027)),  # --year 2027: carried out five years later
    ],
)
def test_plan_years__the_headers_year_and_the_year_carried_out_in(
    header: int | None, moved_to: int | None, years: tuple[int, int]
) -> None:
    from workflows.plan_assign import plan_years
    from workflows.plan_source import SourceDocument

    own = 2028 if header in (None, 2026) else header
    tasks = [
        Assignment(
            section=f"II.{i}",
            summary="Việc",
            lead_unit=None,
            cooperating_units=(),
            deadline=Deadline(DeadlineKind.YEAR, own),
            needs_decision=None,
            source=SourceDocument(year=header),
        )
        for i in range(2)
    ]
    if moved_to is not None:
        tasks = in_year(tasks, moved_to)
    assert plan_years(tasks) == years
