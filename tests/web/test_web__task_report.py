"""Báo cáo tình hình thực hiện nhiệm vụ in Theo dõi: the four states per lead unit for the
chosen period, each number a link to its tasks, the same table in Excel; auditors only; a
fixed number of statements whatever the number of tasks."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from typing import Any

from flask import Flask
from openpyxl import load_workbook

import engine
from engine import transaction
from tests.integration.test_engine__task_report import CS, VP, _done, _task, _until
from tests.statements import counted
from tests.web.test_web__monitor import Tables, page
from workflows.org_chart import add_unit, units_of

REPORT = "/monitor/report/"
EXPORT = "/monitor/report/export.xlsx"
HEADERS = [
    "Đơn vị chủ trì",
    "Hoàn thành đúng hạn",
    "Hoàn thành quá hạn",
    "Đang thực hiện trong hạn",
    "Quá hạn chưa hoàn thành",
    "Tổng số",
]
CS_NAME = "Phòng Quản lý Khoa học và Công nghệ cơ sở"


def _tasks(office: Any) -> dict[str, int]:
    """On 18 March 2026: in Phòng QLKHCN cơ sở one done on time, one done late; in Văn phòng
    Sở one open within its deadline, one open overdue; one due next quarter."""
    made = {
        "on_time": _task(office, CS, "2026-03-20", "Đúng hạn"),
        "late": _task(office, CS, "2026-03-13", "Quá hạn, đã xong"),
        "within": _task(office, VP, "2026-03-31", "Trong hạn"),
        "overdue": _task(office, VP, "2026-03-16", "Quá hạn"),
        "next": _task(office, VP, "2026-06-30", "Quý sau"),
    }
    _until(office, date(2026, 3, 10))
    _done(office, made["on_time"], "cs.cv1")
    _until(office, date(2026, 3, 17))
    _done(office, made["late"], "cs.cv1")
    _until(office, date(2026, 3, 18))
    return made


def _table(html: str) -> list[dict[str, str]]:
    return Tables(html).tables["list compact task-report"]


def test_report__four_states_per_unit_for_the_current_quarter(login: Any, office: Any) -> None:
    made = _tasks(office)
    html = page(login("giamdoc"), REPORT)
    assert "Quý I năm 2026" in html and "tính đến ngày 18/03/2026" in html
    rows = {r["Đơn vị chủ trì"]: r for r in _table(html)}
    assert [rows[CS_NAME][h] for h in HEADERS[1:]] == ["1", "1", "0", "0", "2"]
    assert [rows["Văn phòng Sở"][h] for h in HEADERS[1:]] == ["0", "0", "1", "1", "2"]
    assert [rows["Tổng cộng"][h] for h in HEADERS[1:]] == ["1", "1", "1", "1", "4"]
    # A number opens its tasks.
    link = f"?ky=q1&amp;nam=2026&amp;unit={VP}&amp;state=open_overdue#danh-sach"
    assert link in html
    listed = Tables(page(login("giamdoc"), REPORT + link.replace("&amp;", "&")))
    [row] = listed.tables["list task-report-items"]
    assert (row["Số"], row["Hạn"], row["Tình trạng"]) == (
        str(made["overdue"]),
        "16/03/2026",
        "Quá hạn chưa hoàn thành",
    )
    # Theo dõi leads to it.
    assert 'href="/monitor/report/"' in page(login("giamdoc"), "/monitor/")


def test_report__another_period_and_a_bad_one(login: Any, office: Any) -> None:
    _tasks(office)
    client = login("tt.tp")
    q2 = page(client, REPORT + "?ky=q2&nam=2026")
    assert "Quý II năm 2026" in q2
    # Q2 seen on 18 March: what is due in it, and what is open with a deadline before it
    # (judged today: one within, one overdue).
    totals = {r["Đơn vị chủ trì"]: r for r in _table(q2)}["Tổng cộng"]
    assert totals["Đang thực hiện trong hạn"] == "2"
    assert totals["Quá hạn chưa hoàn thành"] == "1"
    bad = page(client, REPORT + "?ky=q7&nam=20x6")
    assert "Kỳ báo cáo không hợp lệ" in bad and "Quý I năm 2026" in bad
    assert "Không có nhiệm vụ nào trong kỳ báo cáo này." in page(client, REPORT + "?ky=y&nam=2024")


def test_report__the_excel_has_the_same_numbers(login: Any, office: Any) -> None:
    _tasks(office)
    response = login("giamdoc").get(EXPORT + "?ky=q1&nam=2026")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert "Quý I năm 2026" in str(values[0][0]) and "18/03/2026" in str(values[0][0])
    assert values[1] == HEADERS
    body = {r[0]: r[1:] for r in values[2:]}
    assert body[CS_NAME] == [1, 1, 0, 0, 2]
    assert body["Văn phòng Sở"] == [0, 0, 1, 1, 2]
    assert body["Tổng cộng"] == [1, 1, 1, 1, 4]
    assert list(body)[-1] == "Tổng cộng"


def test_report__the_excel_lists_the_counted_tasks_on_a_second_sheet(
    login: Any, office: Any
) -> None:
    made = _tasks(office)
    response = login("giamdoc").get(EXPORT + "?ky=q1&nam=2026")
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["Báo cáo nhiệm vụ", "Danh sách nhiệm vụ"]
    values = [list(r) for r in book["Danh sách nhiệm vụ"].iter_rows(values_only=True)]
    assert "Quý I năm 2026" in str(values[0][0]) and "18/03/2026" in str(values[0][0])
    assert values[1] == [
        "Số",
        "Nhiệm vụ",
        "Nội dung nhiệm vụ",
        "Đơn vị chủ trì",
        "Hạn",
        "Ngày báo cáo",
        "Tình trạng",
    ]
    # The task's whole wording beside its title (a plan's title is cut at 160 characters).
    tasks = [[t[0], t[1], *t[3:]] for t in values[2:] if t[2] == _content(office, t[0])]
    assert len(tasks) == len(values) - 2
    # Every counted task, none of the next quarter's; per unit and state as the counts say.
    counts = {r[0]: r[1:5] for r in list(book["Báo cáo nhiệm vụ"].iter_rows(values_only=True))[2:]}
    for unit, numbers in counts.items():
        for state, number in zip(HEADERS[1:5], numbers, strict=True):
            listed = [t for t in tasks if t[5] == state and unit in (t[2], "Tổng cộng")]
            assert len(listed) == number, (unit, state)
    assert made["next"] not in [t[0] for t in tasks]
    # By unit in the table's order, then by deadline; dates as dates.
    units = [r for r in counts if r != "Tổng cộng"]
    assert [t[2] for t in tasks] == sorted((t[2] for t in tasks), key=units.index)
    by_number = {t[0]: t for t in tasks}
    assert by_number[made["overdue"]][2:] == [
        "Văn phòng Sở",
        datetime(2026, 3, 16),
        None,
        "Quá hạn chưa hoàn thành",
    ]
    assert by_number[made["late"]][3:5] == [datetime(2026, 3, 13), datetime(2026, 3, 17)]
    assert [t[0] for t in tasks if t[2] == "Văn phòng Sở"] == [made["overdue"], made["within"]]
    assert [t[0] for t in tasks if t[2] == CS_NAME] == [made["late"], made["on_time"]]


def _content(office: Any, item: int) -> str:
    with transaction(office.factory) as s:
        data = engine.item_data(s, item)
    return str(data.get("noi_dung_day_du") or data["noi_dung"])


def test_report__auditors_only(login: Any) -> None:
    for who in ("qlkh.cv1", "cs.cv1"):
        client = login(who)
        assert client.get(REPORT).status_code == 403, who
        assert client.get(EXPORT).status_code == 403, who
    assert login("tt.cv1").get(REPORT).status_code == 200
    assert "/login" in login("giamdoc").application.test_client().get(REPORT).location


def _statements(app: Flask, client: Any, url: str) -> int:
    client.get(url)  # warm
    with counted(app.extensions["pheduyet.sessions"]) as found:
        assert client.get(url).status_code == 200, url
    return len(found)


def test_report__a_fixed_number_of_statements_whatever_the_tasks(
    app: Flask, login: Any, office: Any
) -> None:
    urls = [REPORT, REPORT + f"?ky=q1&nam=2026&unit={VP}", EXPORT]
    client = login("giamdoc")
    _task(office, CS, "2026-03-20", "Một nhiệm vụ")
    before = [_statements(app, client, url) for url in urls]
    _tasks(office)
    for n in range(12):
        _task(office, (CS, VP)[n % 2], f"2026-03-{10 + n}", f"Nhiệm vụ {n}")
    after = [_statements(app, client, url) for url in urls]
    assert after == before
    print("statements per page:", dict(zip(urls, after, strict=True)))


def test_report__a_unit_added_in_quan_tri_has_its_own_row_in_the_databases_order(
    app: Flask, login: Any, office: Any
) -> None:
    """Rows follow the database's units (the loaded 2020 chart's and one added since), in
    Quản trị's order, on the page and in the Excel; none of them is read from a shipped file."""
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        add_unit(s, "phong_bao_chi", "Phòng Báo chí, Xuất bản")
        order = [u.name for u in units_of(s)]
    _tasks(office)
    _task(office, "phong_bao_chi", "2026-03-25", "Quy chế phát ngôn")
    names = [r["Đơn vị chủ trì"] for r in _table(page(login("giamdoc"), REPORT))]
    assert names == [*sorted(names[:-1], key=order.index), "Tổng cộng"]
    assert names[:3] == ["Phòng Báo chí, Xuất bản", CS_NAME, "Văn phòng Sở"]
    rows = {r["Đơn vị chủ trì"]: r for r in _table(page(login("giamdoc"), REPORT))}
    assert [rows["Phòng Báo chí, Xuất bản"][h] for h in HEADERS[1:]] == ["0", "0", "1", "0", "1"]
    book = load_workbook(BytesIO(login("giamdoc").get(EXPORT).data))
    sheet = book.worksheets[0]
    assert [r[0] for r in list(sheet.iter_rows(values_only=True))[2:]] == names
