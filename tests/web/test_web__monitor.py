"""Theo dõi: the monitor list and its filters, counts, the Excel export, the per-process
heatmap data and page; auditors only."""

from __future__ import annotations

from datetime import datetime, timedelta
from html.parser import HTMLParser
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

import engine
from engine import ManualClock, transaction
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.integration.test_processes__giao_nhiem_vu import TASK
from workflows.org_chart import add_unit

# The Văn phòng Sở's leaders follow the Sở's work since 2025 (no Thanh tra Sở after the Luật
# Thanh tra 84/2025); the 2020 chart's inspectorate keeps its access. Văn phòng staff do not.
AUDITORS = ["giamdoc", "phogiamdoc", "vp.tp", "tt.tp", "tt.cv1", "quantri"]
STAFF = ["qlkh.cv1", "qlkh.tp", "vp.vanthu", "trungtam.cv1", "chutich"]
URLS = [
    "/monitor/",
    "/monitor/?process=de_xuat_nhiem_vu&status=overdue",
    "/monitor/export.xlsx",
    "/monitor/processes/de_xuat_nhiem_vu",
    "/monitor/processes/de_xuat_nhiem_vu/stats.json",
    "/monitor/processes/de_xuat_nhiem_vu/diagram.xml",
]
LAP_PHIEU = "Lập phiếu đề xuất nhiệm vụ"
XEM_XET = "Xem xét, tổng hợp đề xuất"
CAP_NHAT = "Thực hiện, cập nhật tiến độ"
TRUNG_TAM = "Trung tâm Ứng dụng khoa học và công nghệ"
QLKH = "Phòng Quản lý Khoa học"
QLCS = "Phòng Quản lý Khoa học và Công nghệ cơ sở"


class Tables(HTMLParser):
    """The body rows of the page's tables, by the table's class; each row a dict of its cells'
    text by their data-label (the labels the phone layout shows)."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tables: dict[str, list[dict[str, str]]] = {}
        self._table: list[dict[str, str]] | None = None
        self._row: dict[str, str] | None = None
        self._label: str | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "table":
            self._table = self.tables.setdefault(found.get("class") or "", [])
        elif tag == "tr" and self._table is not None:
            self._row = {}
        elif tag == "td" and self._row is not None:
            self._label, self._text = found.get("data-label"), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._row is not None and self._label is not None:
            self._row[self._label] = " ".join("".join(self._text).split())
            self._label = None
        elif tag == "tr" and self._table is not None and self._row:
            self._table.append(self._row)
            self._row = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._label is not None:
            self._text.append(data)


def page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return str(response.get_data(as_text=True))


def listed(client: Any, query: str = "") -> list[dict[str, str]]:
    return Tables(page(client, "/monitor/" + query)).tables.get("list monitor-rows", [])


def exported_notes(client: Any, query: str = "") -> dict[int, str]:
    """Item number -> the export's "Ghi chú" (notes) of its row."""
    sheet = load_workbook(BytesIO(client.get("/monitor/export.xlsx" + query).data)).active
    assert sheet is not None
    [header, *rows] = sheet.iter_rows(min_row=2, values_only=True)
    column = header.index("Ghi chú")
    return {int(str(row[0])): str(row[column] or "") for row in rows}


def ids(client: Any, query: str = "") -> list[int]:
    return [int(row["Số"]) for row in listed(client, query)]


def start(app: Flask, office: Any, process_id: str, who: str, title: str, **data: Any) -> int:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return engine.start_instance(s, office.config, process_id, who, title=title, data=data)


def finish_task(office: Any, item: int, who: str = "cs.cv1") -> None:
    office.do(
        who,
        item,
        "cap_nhat_tien_do",
        ty_le_hoan_thanh=100,
        noi_dung_cap_nhat="Đã trình dự thảo quy định",
        hoan_thanh=True,
    )
    office.do(who, item, "bao_cao_ket_qua", so_bao_cao="15/BC-QLCS", ket_qua="Hoàn thành")
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")


@pytest.fixture
def scene(app: Flask, office: Any, web_clock: ManualClock) -> dict[str, int]:
    """Two proposals at their first step, one at the science office's review, one planned task;
    the clock then stands on Friday 6 March 2026, 08:00 in Hà Nội."""
    day = timedelta(days=1)
    first = start(app, office, "de_xuat_nhiem_vu", "trungtam.cv1", "Mô hình lúa gạo BG1")
    web_clock.advance(day)
    second = start(app, office, "de_xuat_nhiem_vu", "trungtam.cv1", "Nuôi tôm nước lợ")
    coffee = start(app, office, "de_xuat_nhiem_vu", "qlkh.cv1", "Chuỗi giá trị cà phê")
    web_clock.advance(day)
    office.do("qlkh.cv1", coffee, "lap_phieu_de_xuat", **PHIEU)
    task = start(app, office, "giao_nhiem_vu", "vp.tp", "Quy định thông tin báo cáo", **TASK)
    web_clock.advance(2 * day)
    return {"first": first, "second": second, "coffee": coffee, "task": task}


@pytest.mark.parametrize("who", STAFF)
def test_monitor__staff_get_the_403_page_everywhere(login: Any, who: str) -> None:
    client = login(who)
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 403, url
        assert "Không có quyền" in response.get_data(as_text=True)
    assert 'href="/monitor/"' not in page(client, "/")  # no "Theo dõi" in the menu


@pytest.mark.parametrize("who", AUDITORS)
def test_monitor__auditors_see_every_page(login: Any, who: str) -> None:
    client = login(who)
    for url in URLS:
        assert client.get(url).status_code == 200, url
    assert 'href="/monitor/"' in page(client, "/")


def test_monitor__without_a_login_it_asks_for_one(app: Flask) -> None:
    client = app.test_client()
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], url


def test_monitor__an_unknown_process_is_not_found(login: Any) -> None:
    client = login("giamdoc")
    for url in (
        "/monitor/processes/khong_co",
        "/monitor/processes/khong_co/stats.json",
        "/monitor/processes/khong_co/diagram.xml",
    ):
        assert client.get(url).status_code == 404, url


def test_monitor__empty_states(login: Any) -> None:
    client = login("tt.cv1")
    html = page(client, "/monitor/")
    assert "Không có hồ sơ nào đang xử lý." in html and "monitor-rows" not in html
    assert "Không có hồ sơ nào khớp với bộ lọc." in page(client, "/monitor/?q=kh%C3%B4ng+c%C3%B3")


def test_monitor__every_open_step_with_its_holder_oldest_first(
    login: Any, scene: dict[str, int]
) -> None:
    rows = listed(login("tt.cv1"))
    assert [int(r["Số"]) for r in rows] == [
        scene["first"],
        scene["second"],
        scene["coffee"],
        scene["task"],
    ]
    first, _second, coffee, task = rows
    assert first["Hồ sơ"] == "Mô hình lúa gạo BG1"
    assert first["Quy trình"] == "Đề xuất nhiệm vụ khoa học và công nghệ"
    assert (first["Bước hiện tại"], first["Đơn vị"]) == (LAP_PHIEU, TRUNG_TAM)
    assert first["Người xử lý"] == "Hà Thị Linh (Viên chức)"
    assert (first["Từ ngày"], first["Số ngày"], first["Hạn xử lý"]) == ("02/03/2026", "4", "—")
    assert (coffee["Bước hiện tại"], coffee["Đơn vị"], coffee["Từ ngày"]) == (
        XEM_XET,
        QLKH,
        "04/03/2026",
    )
    # A step nobody has taken yet says so: the manager sees why it waits.
    assert coffee["Người xử lý"].endswith("(chưa có người nhận)")
    assert (task["Bước hiện tại"], task["Đơn vị"], task["Người xử lý"]) == (
        CAP_NHAT,
        QLCS,
        f"{QLCS} (chưa có người nhận)",
    )
    assert (task["Hạn xử lý"], task["Tình trạng"]) == ("20/03/2026", "Trong hạn")


def test_monitor__links_to_the_item_and_to_its_process(login: Any, scene: dict[str, int]) -> None:
    html = page(login("giamdoc"), "/monitor/")
    assert f'href="/items/{scene["coffee"]}"' in html
    for process_id in ("de_xuat_nhiem_vu", "giao_nhiem_vu", "xay_dung_quy_dinh"):
        assert f'href="/monitor/processes/{process_id}"' in html
    assert 'href="/monitor/processes/trinh_ubnd"' not in html  # only ever called by others


def test_monitor__past_the_due_date_it_says_qua_han(
    login: Any, scene: dict[str, int], web_clock: ManualClock
) -> None:
    client = login("giamdoc")
    assert "Quá hạn" not in {r["Tình trạng"] for r in listed(client)}
    web_clock.advance(timedelta(days=13))  # Thursday 19 March
    rows = {int(r["Số"]): r for r in listed(client)}
    # The review had 10 working days from 4 March: until the end of the 18th.
    assert (rows[scene["coffee"]]["Hạn xử lý"], rows[scene["coffee"]]["Tình trạng"]) == (
        "18/03/2026",
        "Quá hạn",
    )
    assert rows[scene["task"]]["Tình trạng"] == "Trong hạn"
    web_clock.advance(timedelta(days=2))  # Saturday 21 March: past the end of the 20th
    rows = {int(r["Số"]): r for r in listed(client)}
    assert rows[scene["task"]]["Tình trạng"] == "Quá hạn"
    assert rows[scene["first"]]["Tình trạng"] == "Không có hạn"  # the first step has no deadline
    html = page(client, "/monitor/")
    assert '<span class="number">4</span> việc đang xử lý' in html
    assert '<span class="number">2</span> quá hạn' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?process=de_xuat_nhiem_vu", ["first", "second", "coffee"]),
        ("?process=giao_nhiem_vu", ["task"]),
        ("?unit=trung_tam_ud", ["first", "second"]),
        ("?unit=phong_qlkh", ["coffee"]),
        ("?unit=phong_qlkhcn_cs", ["task"]),
        ("?unit=so_tu_phap", []),
        ("?step=xem_xet_de_xuat", ["coffee"]),
        ("?step=lap_phieu_de_xuat", ["first", "second"]),
        ("?process=giao_nhiem_vu&step=lap_phieu_de_xuat", []),
        ("?status=within", ["first", "second"]),
        ("?status=overdue", ["coffee", "task"]),
        ("?status=overdue&process=giao_nhiem_vu", ["task"]),
        ("?status=nonsense", ["first", "second", "coffee", "task"]),
        ("?q=c%C3%A0+ph%C3%AA", ["coffee"]),
        ("?q=C%C3%80+PH%C3%8A", ["coffee"]),
        # Typed without diacritics, as the header's search takes it: "Chuỗi giá trị cà phê".
        ("?q=ca+phe", ["coffee"]),
        ("?q=CHUOI+GIA+TRI", ["coffee"]),
        ("?q=c%C3%A1+ph%C3%AA", []),  # "cá phê": typed with diacritics, only those
        ("?q=ca%CC%80+phe%CC%82", ["coffee"]),  # "cà phê" with its marks apart (Unikey's NFD)
        ("?process=&unit=&step=&status=&q=", ["first", "second", "coffee", "task"]),
    ],
)
def test_monitor__each_filter_narrows_the_list(
    login: Any, scene: dict[str, int], web_clock: ManualClock, query: str, expected: list[str]
) -> None:
    web_clock.advance(timedelta(days=15))
    assert ids(login("tt.tp"), query) == [scene[name] for name in expected]


def test_monitor__the_text_filter_finds_an_item_by_its_number(
    login: Any, scene: dict[str, int]
) -> None:
    assert ids(login("tt.tp"), f"?q={scene['task']}") == [scene["task"]]


def test_monitor__the_form_keeps_the_filters_and_offers_the_choices(
    login: Any, scene: dict[str, int]
) -> None:
    html = page(
        login("giamdoc"),
        "/monitor/?process=de_xuat_nhiem_vu&unit=phong_qlkh"
        "&step=xem_xet_de_xuat&status=within&q=c%C3%A0",
    )
    assert '<option value="de_xuat_nhiem_vu" selected>' in html
    assert '<option value="phong_qlkh" selected>Phòng Quản lý Khoa học</option>' in html
    assert '<option value="phong_qlkh.lanh_dao">— Lãnh đạo Phòng Quản lý Khoa học</option>' in html
    assert '<option value="xem_xet_de_xuat" selected>Xem xét, tổng hợp đề xuất</option>' in html
    assert '<option value="lap_phieu_de_xuat">' in html
    assert '<option value="cap_nhat_tien_do">' not in html  # a step of another process
    assert '<option value="within" selected>Trong hạn</option>' in html
    assert 'value="cà"' in html
    assert (
        'href="/monitor/export.xlsx?process=de_xuat_nhiem_vu&amp;unit=phong_qlkh'
        '&amp;step=xem_xet_de_xuat&amp;status=within&amp;q=c%C3%A0"'
    ) in html
    assert "<script>" not in html and ' style="' not in html


def test_monitor__done_on_time_and_done_late(
    app: Flask, login: Any, office: Any, web_clock: ManualClock
) -> None:
    on_time = start(app, office, "giao_nhiem_vu", "vp.tp", "Đúng hạn", **TASK)
    late = start(app, office, "giao_nhiem_vu", "vp.tp", "Trễ hạn", **TASK)
    still_open = start(app, office, "giao_nhiem_vu", "vp.tp", "Còn mở", **TASK)
    web_clock.advance(timedelta(days=3))
    finish_task(office, on_time)
    office.tick(19)  # past 20 March: the escalation timer fires
    office.do("phogiamdoc", late, "don_doc", noi_dung_don_doc="Đề nghị hoàn thành ngay")
    finish_task(office, late)
    client = login("giamdoc")
    [done] = listed(client, "?status=done_on_time")
    assert (int(done["Số"]), done["Tình trạng"], done["Từ ngày"]) == (
        on_time,
        "Hoàn thành đúng hạn",
        "02/03/2026",
    )
    [done_late] = listed(client, "?status=done_late")
    assert (int(done_late["Số"]), done_late["Tình trạng"]) == (late, "Hoàn thành quá hạn")
    # Which steps made it late, and that the person named is the item's starter.
    said = done_late["Bước hiện tại"].split("Trễ hạn ở bước: ")[1]
    assert "Báo cáo kết quả" in said and "Thực hiện, cập nhật tiến độ" in said
    assert done_late["Người xử lý"].endswith("(người tạo)")
    # A finished item is its starter's unit's: counted, shown and filtered by it.
    assert done_late["Đơn vị"] == "Văn phòng Sở"
    counts = Tables(page(client, "/monitor/?status=done_late")).tables["list compact counts"]
    assert {r["Đơn vị"]: r["Số việc"] for r in counts if "Đơn vị" in r} == {"Văn phòng Sở": "1"}
    assert ids(client, "?status=done_late&unit=van_phong_so") == [late]
    assert ids(client, "?status=done_late&unit=phong_qlkh") == []
    assert "Trễ hạn" not in done["Bước hiện tại"]
    # The export says it too, in its own column.
    notes = exported_notes(client, "?status=done_late")
    assert notes[late].startswith("Trễ hạn ở bước: ") and "Báo cáo kết quả" in notes[late]
    sheet = load_workbook(BytesIO(client.get("/monitor/export.xlsx?status=done_late").data)).active
    assert sheet is not None
    [row] = list(sheet.iter_rows(min_row=3, values_only=True))
    assert row[4] == "Văn phòng Sở" and str(row[5]).endswith(" (người tạo)")
    assert ids(client, "?status=done_late&process=de_xuat_nhiem_vu") == []
    assert still_open in ids(client, "?status=overdue")
    assert on_time not in ids(client) and late not in ids(client)
    html = page(client, "/monitor/?status=done_late")
    assert '<span class="number">1</span> hồ sơ đã hoàn thành' in html


def test_monitor__counts_per_step_and_per_unit(login: Any, scene: dict[str, int]) -> None:
    tables = Tables(page(login("giamdoc"), "/monitor/")).tables["list compact counts"]
    per_step = {r["Bước"]: r["Số việc"] for r in tables if "Bước" in r}
    per_unit = {r["Đơn vị"]: r["Số việc"] for r in tables if "Đơn vị" in r}
    assert per_step == {LAP_PHIEU: "2", XEM_XET: "1", CAP_NHAT: "1"}
    assert next(iter(per_step)) == LAP_PHIEU  # the busiest first
    assert per_unit == {TRUNG_TAM: "2", QLKH: "1", QLCS: "1"}
    filtered = Tables(page(login("giamdoc"), "/monitor/?process=de_xuat_nhiem_vu"))
    steps = {r["Bước"]: r["Số việc"] for r in filtered.tables["list compact counts"] if "Bước" in r}
    assert steps == {LAP_PHIEU: "2", XEM_XET: "1"}


def test_monitor__counts_link_to_their_filter(login: Any, scene: dict[str, int]) -> None:
    html = page(login("giamdoc"), "/monitor/?process=de_xuat_nhiem_vu")
    assert 'href="/monitor/?process=de_xuat_nhiem_vu&amp;step=lap_phieu_de_xuat"' in html
    assert 'href="/monitor/?process=de_xuat_nhiem_vu&amp;unit=trung_tam_ud"' in html
    assert 'href="/monitor/?process=de_xuat_nhiem_vu&amp;status=overdue"' in html


def test_monitor__export_to_excel(
    app: Flask, login: Any, office: Any, scene: dict[str, int]
) -> None:
    formula = start(app, office, "de_xuat_nhiem_vu", "trungtam.cv1", '=HYPERLINK("x")')
    response = login("tt.cv1").get("/monitor/export.xlsx?process=de_xuat_nhiem_vu")
    assert response.status_code == 200
    assert response.mimetype == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    assert response.headers["Content-Disposition"] == (
        "attachment; filename=theo-doi-de_xuat_nhiem_vu-2026-03-06.xlsx"
    )
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet is not None
    title = str(sheet["A1"].value)
    assert "Quy trình: Đề xuất nhiệm vụ khoa học và công nghệ" in title
    assert "Đơn vị: tất cả" in title and "Xuất lúc 06/03/2026 08:00" in title
    values = [list(row) for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert values[0] == [
        "Số",
        "Hồ sơ",
        "Quy trình",
        "Bước hiện tại",
        "Đơn vị",
        "Người xử lý",
        "Từ ngày",
        "Số ngày",
        "Hạn xử lý",
        "Tình trạng",
        "Ghi chú",
        "Nội dung",
    ]
    assert [row[0] for row in values[1:]] == [
        scene["first"],
        scene["second"],
        scene["coffee"],
        formula,
    ]
    first = values[1]
    assert first[1:6] == [
        "Mô hình lúa gạo BG1",
        "Đề xuất nhiệm vụ khoa học và công nghệ",
        LAP_PHIEU,
        TRUNG_TAM,
        "Hà Thị Linh (Viên chức)",
    ]
    assert first[6] == datetime(2026, 3, 2, 8, 0)  # Hà Nội wall-clock time, a real date
    assert (first[7], first[8], first[9], first[10]) == (4.0, None, "Không có hạn", "")
    assert sheet["G3"].is_date and sheet["G3"].number_format == "dd/mm/yyyy"
    assert sheet["B6"].value == '=HYPERLINK("x")' and sheet["B6"].data_type == "s"


def test_monitor__export_carries_due_dates_and_every_filter(
    login: Any, scene: dict[str, int], web_clock: ManualClock
) -> None:
    web_clock.advance(timedelta(days=15))
    response = login("giamdoc").get("/monitor/export.xlsx?status=overdue&unit=phong_qlkhcn_cs")
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet is not None
    title = str(sheet["A1"].value)
    assert "Tình trạng: Quá hạn" in title and f"Đơn vị: {QLCS}" in title
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [row[0] for row in rows] == [scene["task"]]
    assert rows[0][8] == datetime(2026, 3, 20, 23, 59, 59)
    assert rows[0][9] == "Quá hạn"
    assert rows[0][11] == TASK["noi_dung"]  # the task's whole wording, beside its title
    assert sheet["I3"].number_format == "dd/mm/yyyy"
    disposition = response.headers["Content-Disposition"]
    assert "theo-doi-phong_qlkhcn_cs-overdue-2026-03-21.xlsx" in disposition  # its filter


def test_monitor__export_names_the_step_and_the_search(login: Any, scene: dict[str, int]) -> None:
    response = login("giamdoc").get("/monitor/export.xlsx?step=lap_phieu_de_xuat&q=l%C3%BAa")
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet is not None
    title = str(sheet["A1"].value)
    assert f"Bước: {LAP_PHIEU}" in title and "Tìm: “lúa”" in title
    assert [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)] == [scene["first"]]


def test_monitor__step_statistics_as_json(login: Any, office: Any, scene: dict[str, int]) -> None:
    data = login("giamdoc").get("/monitor/processes/de_xuat_nhiem_vu/stats.json").get_json()
    assert data["process_id"] == "de_xuat_nhiem_vu"
    steps = {s["element_id"]: s for s in data["steps"]}
    assert steps["lap_phieu_de_xuat"] == {
        "element_id": "lap_phieu_de_xuat",
        "title": LAP_PHIEU,
        "waiting": 2,
        "avg_waiting_days": 3.5,
        "done": 1,
        "avg_duration_days": 1.0,
        "heat": 2,
    }
    assert (steps["xem_xet_de_xuat"]["waiting"], steps["xem_xet_de_xuat"]["done"]) == (1, 0)
    assert steps["xem_xet_de_xuat"]["avg_waiting_days"] == 2.0
    assert "cap_nhat_tien_do" not in steps  # another process's step


@pytest.mark.parametrize(
    ("waiting", "avg_days", "heat"),
    [
        (0, 0.0, 0),
        (1, 0.0, 1),
        (2, 1.9, 1),
        (3, 0.5, 2),
        (1, 2.0, 2),
        (6, 0.0, 3),
        (1, 5.0, 3),
        (10, 0.0, 4),
        (1, 12.0, 4),
        (7, 11.0, 4),
    ],
)
def test_monitor__heat_rises_with_the_queue_and_the_wait(
    waiting: int, avg_days: float, heat: int
) -> None:
    from web.monitor import heat as heat_of

    assert heat_of(engine.StepStat("x", "X", waiting, avg_days, 0, 0.0)) == heat


def test_monitor__the_process_page(login: Any, scene: dict[str, int]) -> None:
    html = page(login("tt.cv1"), "/monitor/processes/de_xuat_nhiem_vu")
    assert "<h1>Đề xuất nhiệm vụ khoa học và công nghệ</h1>" in html
    assert 'data-stats-url="/monitor/processes/de_xuat_nhiem_vu/stats.json"' in html
    assert 'data-xml-url="/monitor/processes/de_xuat_nhiem_vu/diagram.xml"' in html
    assert "vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in html
    assert "js/heatmap.js" in html and "<script>" not in html and ' style="' not in html
    rows = Tables(html).tables["list step-stats"]
    by_step = {r["Bước"]: r for r in rows}
    assert by_step[LAP_PHIEU] == {
        "Bước": LAP_PHIEU,
        "Đang chờ": "2",
        "Chờ trung bình (ngày)": "3,5",
        "Đã xử lý": "1",
        "Thời gian xử lý trung bình (ngày)": "1,0",
    }
    assert by_step[XEM_XET]["Thời gian xử lý trung bình (ngày)"] == "—"
    assert rows[0]["Bước"] == LAP_PHIEU  # the longest queue first
    assert 'href="/monitor/?process=de_xuat_nhiem_vu&amp;step=lap_phieu_de_xuat"' in html


def test_monitor__a_process_without_items_still_renders(login: Any) -> None:
    html = page(login("giamdoc"), "/monitor/processes/xay_dung_quy_dinh")
    assert "Chưa có hồ sơ nào qua quy trình này." in html
    stats = login("giamdoc").get("/monitor/processes/xay_dung_quy_dinh/stats.json").get_json()
    assert stats["steps"] == []


def test_monitor__the_diagram_xml(login: Any) -> None:
    response = login("quantri").get("/monitor/processes/giao_nhiem_vu/diagram.xml")
    assert response.mimetype == "application/xml"
    assert b'<bpmn:process id="giao_nhiem_vu"' in response.data
    # Served as a download, so an uploaded file never renders as a page of the site.
    assert response.headers["Content-Disposition"].startswith("attachment")


def _unit_menu(html: str) -> tuple[str, str]:
    """The unit filter's two groups: (Phòng, đơn vị thuộc Sở; Nhóm khác), as HTML."""
    menu = html.split('<select id="f-unit" name="unit">', 1)[1].split("</select>", 1)[0]
    units, others = menu.split('<optgroup label="Nhóm khác">', 1)
    return units, others


def test_monitor__the_unit_filter_groups_the_databases_units(app: Flask, login: Any) -> None:
    """The units are the database's: the loaded chart's (here the 2020 one, with Thanh tra Sở)
    and one added since in Quản trị, each with its leaders right under it, never under Nhóm
    khác; the filter takes the added unit."""
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        add_unit(s, "phong_bao_chi", "Phòng Báo chí, Xuất bản")
    client = login("giamdoc")
    units, others = _unit_menu(page(client, "/monitor/"))
    for key in ("phong_qlkhcn_cs", "phong_qlcn_ttcn", "thanh_tra_so", "phong_bao_chi"):
        assert f'<option value="{key}">' in units, key
        assert f'<option value="{key}.lanh_dao">— Lãnh đạo' in units, key
        assert f'value="{key}"' not in others and f'value="{key}.lanh_dao"' not in others
    assert '<option value="phong_bao_chi">Phòng Báo chí, Xuất bản</option>' in units
    # Groups that are no unit of the Sở stay under Nhóm khác.
    assert '<option value="lanh_dao_so">' in others and "lanh_dao_so" not in units
    chosen, _others = _unit_menu(page(client, "/monitor/?unit=phong_bao_chi"))
    assert '<option value="phong_bao_chi" selected>Phòng Báo chí, Xuất bản</option>' in chosen


def test_monitor__a_step_a_return_opened_says_so_and_why(login: Any, office: Any) -> None:
    """An item back at its drafter is marked "Bị trả lại" with the reason, in Theo dõi as in
    the drafter's inbox; once resubmitted, the next step is no return."""
    from tests.web.test_web__items import PHIEU

    reason = "Bổ sung dự toán kinh phí chi tiết"
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    office.do(
        "qlkh.cv2", item, "xem_xet_de_xuat", comment=reason, decision="tra_lai", y_kien=reason
    )
    client = login("tt.tp")
    row = next(r for r in listed(client) if int(r["Số"]) == item)
    assert "Bị trả lại" in row["Bước hiện tại"] and f"Lý do: {reason}" in row["Bước hiện tại"]
    assert exported_notes(client)[item] == f"Bị trả lại. Lý do: {reason}"
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    row = next(r for r in listed(client) if int(r["Số"]) == item)
    assert "Bị trả lại" not in row["Bước hiện tại"]
    assert exported_notes(client)[item] == ""
