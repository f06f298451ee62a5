"""Listings are read models: Theo dõi, its step statistics, its export, "Hồ sơ của tôi" and the
item page each run a fixed number of SQL statements, whatever the number of items and however
long an item's history; Theo dõi and "Hồ sơ của tôi" come 50 rows a page, every row once."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask

import engine
from engine import ManualClock, transaction
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.integration.test_processes__giao_nhiem_vu import TASK
from tests.statements import counted
from tests.web.test_web__monitor import Tables

MONITOR = "/monitor/"
STATS = "/monitor/processes/de_xuat_nhiem_vu"
EXPORT = "/monitor/export.xlsx"
MINE = "/items/"
_NEXT = re.compile(r'href="([^"]*)" rel="next"')


def statements(app: Flask, client: Any, url: str) -> int:
    client.get(url)  # warm: the first request of a client loads what every later one reuses
    with counted(app.extensions["pheduyet.sessions"]) as found:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(found)


def proposal(office: Any, returns: int = 0) -> int:
    """A proposal by trungtam.cv1, returned `returns` times, now at the council's step."""
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    for _ in range(returns):
        office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="tra_lai", y_kien="Bổ sung")
        office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="dong_y")
    return item


def pages(client: Any, url: str) -> list[list[dict[str, str]]]:
    """Every page of a listing, following its "Trang sau" links."""
    found = []
    while True:
        html = client.get(url).get_data(as_text=True)
        tables = Tables(html).tables
        found.append(tables.get("list monitor-rows") or tables.get("list items") or [])
        more = _NEXT.search(html)
        if not more:
            return found
        url = more.group(1).replace("&amp;", "&")


def test_listings__a_fixed_number_of_statements_whatever_the_items(
    app: Flask, login: Any, office: Any
) -> None:
    first = [proposal(office) for _ in range(3)]
    auditor, owner = login("giamdoc"), login("trungtam.cv1")
    urls = {
        "monitor": MONITOR,
        "monitor filtered": MONITOR + "?unit=hoi_dong_tu_van&q=%C4%91%E1%BB%81+xu%E1%BA%A5t",
        "stats": STATS,
        "export": EXPORT,
    }
    before = {name: statements(app, auditor, url) for name, url in urls.items()}
    before["mine"] = statements(app, owner, MINE)
    before["item"] = statements(app, owner, f"/items/{first[0]}")
    for n in range(30):
        proposal(office, returns=n % 3)
    after = {name: statements(app, auditor, url) for name, url in urls.items()}
    after["mine"] = statements(app, owner, MINE)
    after["item"] = statements(app, owner, f"/items/{first[0]}")
    assert after == before
    print("statements per page:", after)


def test_listings__the_item_page_does_not_grow_with_its_history(
    app: Flask, login: Any, office: Any
) -> None:
    short, long = proposal(office), proposal(office, returns=6)
    owner = login("trungtam.cv1")
    assert statements(app, owner, f"/items/{long}") == statements(app, owner, f"/items/{short}")


@pytest.fixture
def many(office: Any, web_clock: ManualClock) -> list[int]:
    """120 proposals by trungtam.cv1 at their first step, a minute apart, some at the same
    minute (so the order needs its tie-breaker)."""
    items = []
    for n in range(120):
        with transaction(office.factory) as s:
            item = engine.start_instance(
                s, office.config, "de_xuat_nhiem_vu", "trungtam.cv1", title=f"Hồ sơ {n}"
            )
        items.append(item)
        if n % 3:
            web_clock.advance(timedelta(minutes=1))
    return items


def test_listings__monitor_pages_of_50_each_row_once_in_order(login: Any, many: list[int]) -> None:
    found = pages(login("giamdoc"), MONITOR + "?process=de_xuat_nhiem_vu&status=within")
    assert [len(p) for p in found] == [50, 50, 20]
    ids = [int(row["Số"]) for page in found for row in page]
    assert ids == many  # oldest first, none twice, none missing


def test_listings__monitor_pages_keep_the_filters(
    app: Flask, login: Any, office: Any, many: list[int]
) -> None:
    other = int(office.start("giao_nhiem_vu", "vp.tp", **TASK))
    client = login("giamdoc")
    html = client.get(MONITOR + "?process=de_xuat_nhiem_vu&q=h%E1%BB%93+s%C6%A1").get_data(
        as_text=True
    )
    link = _NEXT.search(html)
    assert link
    query = parse_qs(urlsplit(link.group(1).replace("&amp;", "&")).query)
    assert query["process"] == ["de_xuat_nhiem_vu"] and query["q"] == ["hồ sơ"]
    assert "after" in query
    found = pages(client, MONITOR + "?process=de_xuat_nhiem_vu&q=h%E1%BB%93+s%C6%A1")
    ids = [int(row["Số"]) for page in found for row in page]
    assert ids == many and other not in ids
    # The counts are of every row, not of the page.
    assert '<span class="number">120</span> việc đang xử lý' in html


def test_listings__a_forged_cursor_is_the_first_page(login: Any, many: list[int]) -> None:
    client = login("giamdoc")
    for cursor in ("x", "%%%", "WyJhIiwxXQ", "W10", "eyJhIjoxfQ", "A" * 5000):
        response = client.get(MONITOR + "?after=" + cursor)
        assert response.status_code == 200, cursor
        rows = Tables(response.get_data(as_text=True)).tables["list monitor-rows"]
        assert int(rows[0]["Số"]) == many[0], cursor
        assert client.get(MINE + "?after=" + cursor).status_code == 200, cursor


def test_listings__mine_pages_of_50_newest_first(
    app: Flask, login: Any, office: Any, many: list[int]
) -> None:
    other = int(office.start("de_xuat_nhiem_vu", "qlkh.cv1"))
    found = pages(login("trungtam.cv1"), MINE)
    assert [len(p) for p in found] == [50, 50, 20]
    ids = [int(row["Số"]) for page in found for row in page]
    assert ids == sorted(many, reverse=True) and other not in ids
