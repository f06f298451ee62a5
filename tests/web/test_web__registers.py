"""Sổ đăng ký văn bản đi: the numbers the văn thư's issuing step took, newest first, each with
its date, its item and who issued it; filtered by register, year and text; as an Excel sheet;
for the Văn phòng Sở, the leadership and the auditors only; a fixed number of statements."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from openpyxl import load_workbook

import engine
from engine import ManualClock, transaction
from engine.registers import RegisterField, issue_number
from tests.statements import counted
from tests.web.api_helpers import make_token
from tests.web.test_web__monitor import Tables

URL = "/so-van-ban-di/"
EXPORT = URL + "export.xlsx"
GIAM_DOC = "Nguyễn Văn Bình (Giám đốc Sở)"  # who signed both tờ trình
_NEXT = re.compile(r'href="([^"]*)" rel="next"')
TTR = RegisterField("so_ky_hieu", "TTr", "/TTr-SKHCN")


def rows(client: Any, url: str = URL) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, url
    return Tables(response.get_data(as_text=True)).tables.get("list registers", [])


@pytest.fixture
def two(office: Any, web_clock: ManualClock) -> tuple[int, int]:
    first = office.issued_to_trinh("Về việc phê duyệt danh mục nhiệm vụ năm 2027")
    web_clock.advance(timedelta(days=1))
    second = office.issued_to_trinh("Về việc ban hành quy định quản lý nhiệm vụ")
    return first, second


def test_registers__newest_first_with_number_date_item_and_issuer(
    login: Any, two: tuple[int, int]
) -> None:
    first, second = two
    client = login("vp.vanthu")
    html = client.get(URL).get_data(as_text=True)
    assert "<title>Sổ đăng ký văn bản đi" in html
    found = rows(client)
    assert [r["Số, ký hiệu"] for r in found] == ["02/TTr-SKHCN", "01/TTr-SKHCN"]
    assert [r["Ngày cấp số"] for r in found] == ["03/03/2026", "02/03/2026"]
    assert found[0]["Trích yếu nội dung"] == "Về việc ban hành quy định quản lý nhiệm vụ"
    assert {r["Tên loại"] for r in found} == {"Tờ trình"}
    # Neither issued copy is attached yet: the register says so, until the clerk attaches one.
    assert {r["Tình trạng"] for r in found} == {"Đã phát hành Chưa đính kèm bản phát hành"}
    assert found[0]["Người cấp số"].startswith("Lê Thị Mai")  # the demo's văn thư
    assert found[0]["Người ký"] == GIAM_DOC
    assert f'href="/items/{second}"' in html and f'href="/items/{first}"' in html
    # The header links the register for who may read it.
    assert 'href="/so-van-ban-di/"' in html


def test_registers__the_issued_copy_attached_by_who_issued_it(
    app: Flask, login: Any, office: Any, two: tuple[int, int], tmp_path: Any
) -> None:
    """The copy bearing the number is attached after the number is given, by the clerk who
    gave it (a file attached by someone else is not it)."""
    first, second = two
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        engine.add_attachment(
            s, office.clock, tmp_path, first, "vp.vanthu", "01-TTr.pdf", b"%PDF-1.4\n%x\n"
        )
        engine.add_attachment(
            s, office.clock, tmp_path, second, "qlkh.cv1", "ghi-chu.pdf", b"%PDF-1.4\n%y\n"
        )
    found = {r["Số, ký hiệu"]: r["Tình trạng"] for r in rows(login("vp.vanthu"))}
    assert found == {
        "01/TTr-SKHCN": "Đã phát hành",
        "02/TTr-SKHCN": "Đã phát hành Chưa đính kèm bản phát hành",
    }


def test_registers__filters_by_year_register_and_text(login: Any, two: tuple[int, int]) -> None:
    client = login("giamdoc")
    assert len(rows(client, URL + "?year=2026")) == 2
    assert rows(client, URL + "?year=2025") == []
    assert "Chưa cấp số văn bản đi nào trong năm 2025" in client.get(URL + "?year=2025").get_data(
        as_text=True
    )
    assert len(rows(client, URL + "?key=TTr&year=2026")) == 2
    assert rows(client, URL + "?key=Q%C4%90&year=2026") == []
    found = rows(client, URL + "?q=02%2FTTr")
    assert [r["Số, ký hiệu"] for r in found] == ["02/TTr-SKHCN"]
    found = rows(client, URL + "?q=danh+m%E1%BB%A5c")
    assert [r["Số, ký hiệu"] for r in found] == ["01/TTr-SKHCN"]
    # A year that is no year shows this year's register, not an error.
    assert len(rows(client, URL + "?year=abc")) == 2


def test_registers__a_void_number_stays_in_the_register(
    app: Flask, login: Any, two: tuple[int, int]
) -> None:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        engine.void_number(s, "TTr", 2026, 1, "Văn bản bị thu hồi")
    found = rows(login("vp.vanthu"))
    assert [r["Số, ký hiệu"] for r in found] == ["02/TTr-SKHCN", "01/TTr-SKHCN"]
    assert found[1]["Tình trạng"] == "Đã hủy số Văn bản bị thu hồi"


@pytest.mark.parametrize("who", ["vp.vanthu", "vp.tp", "giamdoc", "quantri"])
def test_registers__the_office_the_leadership_and_the_auditors_may_read_it(
    login: Any, who: str
) -> None:
    assert login(who).get(URL).status_code == 200


@pytest.mark.parametrize("who", ["qlkh.cv1", "qlkh.tp"])
def test_registers__everyone_else_gets_403(login: Any, two: tuple[int, int], who: str) -> None:
    client = login(who)
    for url in (URL, EXPORT):
        response = client.get(url)
        assert response.status_code == 403
        assert "Bạn không có quyền xem trang này." in response.get_data(as_text=True)
    assert 'href="/so-van-ban-di/"' not in client.get("/").get_data(as_text=True)


def test_registers__a_stranger_is_sent_to_log_in(app: Flask) -> None:
    response = app.test_client().get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_registers__the_years_register_as_excel(login: Any, two: tuple[int, int]) -> None:
    response = login("vp.vanthu").get(EXPORT + "?key=TTr&year=2026")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith("so-van-ban-di-TTr-2026.xlsx")
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet is not None
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert values[0][:3] == ["Số, ký hiệu", "Ngày cấp số", "Tên loại"]
    # As a paper register reads: oldest first.
    assert [(v[0], v[2], v[3], v[4]) for v in values[1:]] == [
        ("01/TTr-SKHCN", "Tờ trình", "Về việc phê duyệt danh mục nhiệm vụ năm 2027", GIAM_DOC),
        ("02/TTr-SKHCN", "Tờ trình", "Về việc ban hành quy định quản lý nhiệm vụ", GIAM_DOC),
    ]


def _statements(app: Flask, client: Any, url: str) -> int:
    client.get(url)  # warm: the first request of a client loads what every later one reuses
    with counted(app.extensions["pheduyet.sessions"]) as found:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(found)


def test_registers__a_fixed_number_of_statements_whatever_the_rows(
    app: Flask, login: Any, office: Any, two: tuple[int, int]
) -> None:
    clerk, auditor = login("vp.vanthu"), login("giamdoc")
    urls = [URL, URL + "?q=TTr", EXPORT]
    before = [_statements(app, c, u) for c in (clerk, auditor) for u in urls]
    for n in range(6):
        office.issued_to_trinh(f"Tờ trình số {n}")
    after = [_statements(app, c, u) for c in (clerk, auditor) for u in urls]
    assert after == before
    print("statements per page:", after)


def test_registers__pages_of_50_each_number_once(
    app: Flask, login: Any, office: Any, two: tuple[int, int]
) -> None:
    # Numbers given straight by the engine (the process path is tested above): 120 in all.
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        for _ in range(118):
            issue_number(s, TTR, office.clock(), office.config.timezone)
    client, url, texts, sizes = login("vp.vanthu"), URL, [], []
    while True:
        html = client.get(url).get_data(as_text=True)
        page = Tables(html).tables.get("list registers", [])
        sizes.append(len(page))
        texts += [r["Số, ký hiệu"] for r in page]
        more = _NEXT.search(html)
        if not more:
            break
        url = more.group(1).replace("&amp;", "&")
    assert sizes == [50, 50, 20]
    assert texts == [f"{n:02d}/TTr-SKHCN" for n in range(120, 0, -1)]


def test_registers__an_item_whose_document_went_out_numbered_is_cancelled_by_an_admin_only(
    app: Flask, login: Any, office: Any
) -> None:
    """The drafter who started a tờ trình may no longer cancel it once the văn thư issued it
    under a number: no cancel button, and a forged POST is refused with the number named,
    nothing changed; an administrator still may."""
    item = office.issued_to_trinh("Về việc phê duyệt danh mục nhiệm vụ năm 2027")
    drafter = login("qlkh.cv1")
    page = drafter.get(f"/items/{item}").get_data(as_text=True)
    assert f'action="/items/{item}/cancel"' not in page
    token = make_token(app, "qlkh.cv1")
    api = app.test_client().get(
        f"/api/v1/items/{item}", headers={"Authorization": f"Bearer {token}"}
    )
    assert api.get_json()["may_cancel"] is False  # the API says what the page offers
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert token is not None
    refused = drafter.post(
        f"/items/{item}/cancel",
        data={"ly_do": "Không cần nữa", "csrf_token": token.group(1)},
        follow_redirects=True,
    )
    said = refused.get_data(as_text=True)
    assert "Hồ sơ đã có văn bản được cấp số (01/TTr-SKHCN) nên chỉ quản trị viên được hủy" in said
    assert office.show(item).status == "running"
    office.cancel(item, "quantri", "Nhập nhầm quy trình")
    assert office.show(item).status == "cancelled"
