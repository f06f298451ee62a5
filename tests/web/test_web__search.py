"""Tìm kiếm: the header's box on every page, the results with and without diacritics, by
number, only what the person may see, paging, and the empty and not-found pages."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

PHIEU = {
    "ten_nhiem_vu": "Xây dựng Quy định quản lý nhiệm vụ KH&CN",
    "linh_vuc": "nong_nghiep",
    "tinh_cap_thiet": "Đà Lạt cần giống dâu tây sạch bệnh",
    "muc_tieu": "Hoàn thiện quy trình nhân giống",
    "ket_qua_du_kien": "Mô hình 50 ha",
    "thoi_gian_thang": 24,
    "kinh_phi_du_kien": 1_500_000_000,
}
Login = Callable[[str], FlaskClient]


def _proposal(office: Any, who: str = "trungtam.cv1") -> int:
    item: int = office.start("de_xuat_nhiem_vu", who)
    office.do(who, item, "lap_phieu_de_xuat", **PHIEU)
    return item


def _page(client: FlaskClient, query: str | None = None, **args: Any) -> str:
    params = {**({"q": query} if query is not None else {}), **args}
    response = client.get("/tim-kiem", query_string=params)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _found(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'href="/items/(\d+)"', page)]


def test_search__the_box_is_in_every_pages_header(login: Login) -> None:
    client = login("trungtam.cv1")
    for url in ("/", "/items/", "/items/new"):
        page = client.get(url).get_data(as_text=True)
        assert 'action="/tim-kiem"' in page, url
        assert 'name="q"' in page


def test_search__needs_a_login(app: Any) -> None:
    response = app.test_client().get("/tim-kiem?q=quy")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_search__an_empty_query_shows_the_box_and_a_hint(login: Login) -> None:
    page = _page(login("trungtam.cv1"))
    assert "<h1>Tìm kiếm</h1>" in page
    assert "Tìm hồ sơ theo số, tên, nội dung hoặc tệp đính kèm" in page
    assert "«quy dinh» cũng tìm thấy «quy định»" in page
    assert "Không tìm thấy" not in page
    assert "<table" not in page


def test_search__with_and_without_diacritics(login: Login, office: Any) -> None:
    item = _proposal(office)
    client = login("trungtam.cv1")
    for query in ("quy dinh", "Quy định", "QUY ĐỊNH", "da lat dau tay"):
        page = _page(client, query)
        assert _found(page) == [item], query
    page = _page(client, "dau tay")
    assert "Đề xuất nhiệm vụ" in page  # the process
    assert "Đang xử lý" in page
    assert "02/03/2026" in page  # the day it was started, as people write dates
    assert "<mark>dâu</mark> <mark>tây</mark>" in page  # where it matched


def test_search__by_number(login: Login, office: Any) -> None:
    first = _proposal(office)
    second = _proposal(office)
    client = login("trungtam.cv1")
    assert _found(_page(client, f"số {second}")) == [second]
    assert _found(_page(client, str(first))) == [first]


def test_search__finds_only_what_the_person_may_see(login: Login, office: Any) -> None:
    item = _proposal(office)
    assert _found(_page(login("giamdoc"), "quy dinh")) == [item]
    page = _page(login("cn.cv1"), "quy dinh")
    assert _found(page) == []
    assert "Không tìm thấy hồ sơ nào khớp với «quy dinh»." in page
    assert _found(_page(login("cn.cv1"), str(item))) == []


def test_search__what_was_typed_is_shown_as_text(login: Login) -> None:
    query = '<script>alert("x")</script>'
    page = _page(login("trungtam.cv1"), query)
    assert "<script>alert" not in page
    assert f"«{html.escape(query)}»" in page.replace("&#34;", "&quot;")


def test_search__pages_of_twenty(login: Login, office: Any) -> None:
    items = [_proposal(office) for _ in range(21)]
    client = login("trungtam.cv1")
    first = _page(client, "quy dinh")
    assert _found(first) == list(reversed(items))[:20]
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = _page(client, "quy dinh", trang=2)
    assert _found(second) == [items[0]]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    beyond = _page(client, "quy dinh", trang=9)
    assert "Không còn hồ sơ nào khớp với «quy dinh»." in beyond
