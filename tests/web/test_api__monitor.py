"""The API's Theo dõi: the rows where items wait and their counts, with the page's filters and
keyset paging; managers and inspectors only (403 for anyone else, as the page)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.web.api_helpers import ON_BOTH, api_as, app_either  # noqa: F401  (the app fixture)
from tests.web.test_api__items import START


@ON_BOTH
def test_monitor__rows_counts_filters_and_paging(app: Flask) -> None:
    starter = api_as(app, "trungtam.cv1")
    ids = [starter.post(START, {"title": f"Đề xuất {n}"})[1]["id"] for n in range(3)]
    leader = api_as(app, "giamdoc")
    status, body = leader.get("/monitor?limit=2")
    assert status == 200, body
    assert len(body["rows"]) == 2 and body["next_cursor"] and body["total"] == 3
    assert body["by_status"].get("within") == 3
    assert [c["count"] for c in body["per_step"]] == [3]
    status, rest = leader.get(f"/monitor?limit=2&cursor={body['next_cursor']}")
    assert len(rest["rows"]) == 1 and rest["next_cursor"] is None
    assert {r["item_id"] for r in body["rows"] + rest["rows"]} == set(ids)
    row = body["rows"][0]
    assert row["element_id"] == "lap_phieu_de_xuat" and row["task_id"]
    status, found = leader.get("/monitor?q=Đề xuất 1")
    assert [r["item_id"] for r in found["rows"]] == [ids[1]]
    assert leader.get("/monitor?process=giao_nhiem_vu")[1]["rows"] == []
    assert leader.get("/monitor?status=overdue")[1]["rows"] == []
    status, done = leader.get("/monitor?status=done_on_time")
    assert status == 200 and done["rows"] == []


@pytest.mark.parametrize(
    ("who", "query", "status", "code"),
    [
        ("trungtam.cv1", "", 403, "forbidden"),
        ("qlkh.cv1", "", 403, "forbidden"),
        ("giamdoc", "status=stuck", 422, "invalid_data"),
        ("giamdoc", "limit=0", 422, "invalid_data"),
        ("giamdoc", "sort=x", 422, "invalid_data"),
    ],
)
def test_monitor__refusals(app: Flask, who: str, query: str, status: int, code: str) -> None:
    answer = api_as(app, who).get(f"/monitor?{query}")
    assert (answer[0], answer[1]["error"]["code"]) == (status, code)
