"""The API's processes and items: what a person may start, starting with data (and once only
with an Idempotency-Key), their items with filters and keyset paging, one item with its
dossier, history and diagram state, cancelling; every refusal with its status and code, and the
pages' access rules (another unit's item is 404). The main flow runs on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import engine
from engine import ManualClock, transaction
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.web.api_helpers import ON_BOTH, api_as, app_either  # noqa: F401  (the app fixture)
from tests.web.both_databases import app_on
from workflows import engine_config

START = "/processes/de_xuat_nhiem_vu/items"


def _complete(app: Flask, who: str, item: int, element_id: str, **data: Any) -> None:
    factory = app.extensions["pheduyet.sessions"]
    with transaction(factory) as s:
        (task,) = [
            t
            for t in engine.tasks_for(s, who)
            if t.instance_id == item and t.element_id == element_id
        ]
        engine.complete_task(s, engine_config(app.config["NOW"]), task.id, who, data=data)


@pytest.fixture(params=["sqlite", "postgres"])
def any_app(
    request: pytest.FixtureRequest, tmp_path: Path, web_clock: ManualClock
) -> Iterator[Flask]:
    """The web app on a copy of the prepared SQLite file, or on its own PostgreSQL schema."""
    yield from app_on(request, tmp_path, web_clock)


def test_items__main_flow(any_app: Flask) -> None:
    app = any_app
    starter = api_as(app, "trungtam.cv1")
    status, body = starter.get("/processes")
    assert status == 200
    keys = {p["key"] for p in body["processes"]}
    assert "de_xuat_nhiem_vu" in keys and "xay_dung_quy_dinh" not in keys  # leaders only
    status, item = starter.post(START, {"title": "Chuỗi lúa gạo", "data": {}})
    assert status == 201, item
    assert (item["title"], item["status"], item["created_by"]) == (
        "Chuỗi lúa gạo",
        "running",
        "trungtam.cv1",
    )
    (first,) = item["open_tasks"]
    assert first["element_id"] == "lap_phieu_de_xuat" and first["may_act"] is True
    assert item["diagram"]["current"] and item["history"][0]["kind"] == "started"
    _complete(app, "trungtam.cv1", item["id"], "lap_phieu_de_xuat", **PHIEU)
    status, shown = starter.get(f"/items/{item['id']}")
    assert status == 200
    assert "lap_phieu_de_xuat" in shown["diagram"]["completed"]
    fields = {f["name"]: f["value"] for s in shown["dossier"] for f in s["fields"]}
    assert fields["ten_nhiem_vu"] == PHIEU["ten_nhiem_vu"]
    assert [h["kind"] for h in shown["history"]][:2] == ["started", "completed"]
    # The item's `version` is the revision its tasks give, to send back as expected_version.
    (review,) = shown["open_tasks"]
    status, task = api_as(app, "qlkh.cv1").get(f"/tasks/{review['id']}")
    assert (shown["version"], shown["process_version"]) == (task["version"], 1)
    # Another unit's civil servant does not see it (404 as on the pages); the reviewing unit,
    # a candidate now, and the department's leadership do.
    assert api_as(app, "cs.cv1").get(f"/items/{item['id']}")[0] == 404
    assert api_as(app, "cs.cv1").get(f"/items/{item['id']}/diagram.xml")[0] == 404
    status, _ = starter.get(f"/items/{item['id']}/diagram.xml")
    xml = starter.last.get_data(as_text=True)
    assert status == 200 and starter.last.mimetype == "application/xml"
    assert all(f'id="{element}"' in xml for element in shown["diagram"]["completed"])
    assert api_as(app, "qlkh.cv1").get(f"/items/{item['id']}")[0] == 200
    leader = api_as(app, "giamdoc")
    assert leader.get(f"/items/{item['id']}")[0] == 200
    status, body = starter.get("/items")
    assert status == 200 and [i["id"] for i in body["items"]] == [item["id"]]
    # Seeing is not enough to cancel: the starter (or an administrator) may.
    status, body = leader.post(f"/items/{item['id']}/cancel", {"reason": "Trùng lặp"})
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, cancelled = starter.post(f"/items/{item['id']}/cancel", {"reason": "Trùng lặp"})
    assert status == 200 and cancelled["status"] == "cancelled" and not cancelled["may_cancel"]
    assert cancelled["history"][-1]["comment"] == "Trùng lặp"
    status, body = starter.post(f"/items/{item['id']}/cancel", {"reason": "Lần nữa"})
    assert (status, body["error"]["code"]) == (409, "conflict")


@ON_BOTH
def test_items__start_with_the_processes_start_fields(app: Flask) -> None:
    leader = api_as(app, "giamdoc")
    processes = {p["key"]: p for p in leader.get("/processes")[1]["processes"]}
    fields = processes["giao_nhiem_vu"]["start_fields"]
    assert "don_vi_chu_tri" in fields and processes["de_xuat_nhiem_vu"]["start_fields"] == []
    status, item = leader.post(
        "/processes/giao_nhiem_vu/items",
        {
            "title": "Nhiệm vụ giao",
            "data": {"don_vi_chu_tri": "trung_tam_ud", "noi_dung_day_du": "Nội dung nhiệm vụ"},
        },
    )
    assert status == 201 and item["open_tasks"], item
    status, body = leader.post("/processes/giao_nhiem_vu/items", {"data": {"initiator": "x"}})
    assert (status, body["error"]["fields"]["initiator"]["code"]) == (422, "unknown")
    # A start field the start form declares is checked as it declares it, asked or not.
    wrong = {"section": {"x": 1}, "don_vi_phoi_hop": "x", "noi_dung_day_du": "Nội dung"}
    status, body = leader.post("/processes/giao_nhiem_vu/items", {"data": wrong})
    assert status == 422, body
    assert {k: v["code"] for k, v in body["error"]["fields"].items()} == {
        "section": "type",
        "don_vi_phoi_hop": "type",
    }


@ON_BOTH
def test_items__start_once_per_idempotency_key(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    key = {"Idempotency-Key": "k" * 24}
    first = api.post(START, {"title": "Một lần", "data": {}}, headers=key)
    again = api.post(START, {"title": "Một lần", "data": {}}, headers=key)
    assert first[0] == again[0] == 201 and first[1]["id"] == again[1]["id"]
    # The same request written another way (members in another order, other spacing).
    status, body = api.call(
        "POST",
        START,
        data='{ "data" : {},\n "title": "Một lần" }',
        content_type="application/json",
        headers=key,
    )
    assert (status, body["id"]) == (201, first[1]["id"])
    # The same key with another request starts nothing and says why.
    for path, other in (
        (START, {"title": "Lần khác", "data": {}}),
        (START, {"title": "Một lần", "data": {"a": 1}}),
        (START, {}),
        ("/processes/xay_dung_quy_dinh/items", {"title": "Một lần", "data": {}}),
    ):
        status, body = api.post(path, other, headers=key)
        assert (status, body["error"]["code"]) == (422, "idempotency_key_reused"), other
        assert body["error"]["message"]
    assert [i["id"] for i in api.get("/items")[1]["items"]] == [first[1]["id"]]
    # Keys are each person's own: another's same key is another request.
    assert api_as(app, "cs.cv1").post(START, {}, headers=key)[0] == 201
    status, body = api.post(START, {}, headers={"Idempotency-Key": "short"})
    assert (status, body["error"]["code"]) == (400, "invalid_idempotency_key")


@pytest.mark.parametrize(
    ("path", "body", "status", "code", "where"),
    [
        ("/processes/xay_dung_quy_dinh/items", {}, 403, "forbidden", ("reason", "not_a_starter")),
        ("/processes/khong_co/items", {}, 404, "not_found", None),
        ("/processes/trinh_ubnd/items", {}, 404, "not_found", None),  # called by others only
        (START, {"title": "x" * 1000}, 422, "invalid_input", ("reason", "title_too_long")),
        (START, {"tieu_de": "x"}, 422, "invalid_data", ("fields", "tieu_de", "unknown")),
        (START, {"data": []}, 422, "invalid_data", ("fields", "data", "type")),
        (
            START,
            {"data": {"ket_luan": "de_nghi"}},
            422,
            "invalid_data",
            ("fields", "ket_luan", "unknown"),
        ),
        (START, {"data": {"a": "\x00"}}, 422, "invalid_data", None),
    ],
)
def test_items__start_refusals(
    app: Flask, path: str, body: Any, status: int, code: str, where: tuple[str, ...] | None
) -> None:
    answer = api_as(app, "trungtam.cv1").post(path, body)
    assert answer[0] == status, answer
    error = answer[1]["error"]
    assert error["code"] == code and error["message"]
    if where and where[0] == "reason":
        assert error["reason"] == where[1]
    elif where:
        assert error["fields"][where[1]]["code"] == where[2]


def test_items__a_character_written_as_a_surrogate_pair_is_one_character(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    body = b'{"title": "\\ud83c\\udf3e L\\u00faa g\\u1ea1o", "data": {}}'
    status, item = api.call("POST", START, data=body, content_type="application/json")
    assert (status, item["title"]) == (201, "\N{EAR OF RICE} Lúa gạo")


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        (b"{not json", "application/json", 400, "invalid_json"),
        (b"[1, 2]", "application/json", 400, "invalid_json"),
        (b"\xff\xfe", "application/json", 400, "invalid_json"),
        # Half of a surrogate pair is no character: SQLite's driver could not store it.
        (b'{"title": "\\ud800x", "data": {}}', "application/json", 400, "invalid_json"),
        (
            b'{"title": "ok", "data": {"muc_tieu": ["\\uDFFF"]}}',
            "application/json",
            400,
            "invalid_json",
        ),
        (b'{"title": "' + b"x" * (1024 * 1024) + b'"}', "application/json", 413, "body_too_large"),
    ],
)
def test_items__bodies_that_are_not_json_or_too_large(
    app: Flask, data: bytes, content_type: str, status: int, code: str
) -> None:
    api = api_as(app, "trungtam.cv1")
    answer = api.call("POST", START, data=data, content_type=content_type)
    assert (answer[0], answer[1]["error"]["code"]) == (status, code)
    assert api.get("/items")[1]["items"] == []


@ON_BOTH
def test_items__filters_and_keyset_paging(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    ids = [api.post(START, {"title": f"Hồ sơ {n}"})[1]["id"] for n in range(3)]
    api.post(f"/items/{ids[0]}/cancel", {"reason": "Không cần"})
    status, page = api.get("/items?limit=2")
    assert status == 200 and [i["id"] for i in page["items"]] == ids[:0:-1]
    status, rest = api.get(f"/items?limit=2&cursor={page['next_cursor']}")
    assert [i["id"] for i in rest["items"]] == [ids[0]] and rest["next_cursor"] is None
    assert [i["id"] for i in api.get("/items?status=cancelled")[1]["items"]] == [ids[0]]
    assert len(api.get("/items?status=running&process=de_xuat_nhiem_vu")[1]["items"]) == 2
    assert api.get("/items?process=giao_nhiem_vu")[1]["items"] == []
    assert api.get("/items?cursor=not-ours")[1]["items"][0]["id"] == ids[-1]  # the first page
    assert api_as(app, "cs.cv1").get("/items")[1]["items"] == []  # only one's own


@pytest.mark.parametrize(
    ("query", "field", "code"),
    [
        ("limit=51", "limit", "max"),
        ("limit=0", "limit", "min"),
        ("limit=ten", "limit", "type"),
        ("status=done", "status", "enum"),
        ("sort=id", "sort", "unknown"),
    ],
)
def test_items__bad_queries_are_422_by_field(app: Flask, query: str, field: str, code: str) -> None:
    status, body = api_as(app, "trungtam.cv1").get(f"/items?{query}")
    assert (status, body["error"]["code"]) == (422, "invalid_data")
    assert body["error"]["fields"][field]["code"] == code


def test_items__unknown_items_routes_and_methods(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    for path in ("/items/999", "/items/abc", "/nothing/here", "/items/99999999999"):
        status, body = api.get(path)
        assert (status, body["error"]["code"]) == (404, "not_found"), path
    status, body = api.call("DELETE", "/items")
    assert (status, body["error"]["code"]) == (405, "method_not_allowed")
    assert "GET" in api.last.headers["Allow"]
    status, body = api.post("/items/999/cancel", {"reason": "x"})
    assert (status, body["error"]["code"]) == (404, "not_found")
    status, body = api.post("/items/999/cancel", {})
    assert body["error"]["fields"]["reason"]["code"] == "required"
    for empty in ("", "   "):  # spaces alone are no reason either: the same code
        status, body = api.post("/items/999/cancel", {"reason": empty})
        assert body["error"]["fields"]["reason"]["code"] == "min_length", empty


@ON_BOTH
def test_items__another_units_item_is_404_even_to_cancel(app: Flask) -> None:
    item = api_as(app, "trungtam.cv1").post(START, {})[1]["id"]
    stranger = api_as(app, "cs.cv1")
    assert stranger.get(f"/items/{item}")[0] == 404
    status, body = stranger.post(f"/items/{item}/cancel", {"reason": "x"})
    assert (status, body["error"]["code"]) == (404, "not_found")
    admin = api_as(app, "quantri")
    assert admin.post(f"/items/{item}/cancel", {"reason": "Nhập nhầm"})[1]["status"] == "cancelled"


def test_items__listing_runs_a_fixed_number_of_statements(app: Flask) -> None:
    """The token (one read), the person, the page's items and their open steps: the same
    statements for one item as for four, and no write once the token's use is recorded."""
    from tests.statements import counted

    api = api_as(app, "trungtam.cv1")

    def statements() -> list[str]:
        api.get("/items")  # warm, and the token's use recorded for this minute
        with counted(app.extensions["pheduyet.sessions"]) as found:
            assert api.get("/items")[0] == 200
        return found

    api.post(START, {})
    one = statements()
    for _ in range(3):
        api.post(START, {})
    assert len(statements()) == len(one) <= 6, one
    assert not [s for s in one if s.lstrip().upper().startswith(("UPDATE", "INSERT"))]


def test_items__engine_errors_keep_code_reason_and_parameters(app: Flask) -> None:
    from web.api.errors import from_engine_error

    with app.app_context():
        script = from_engine_error(engine.ScriptError("name 'secret_var' is not defined", line=3))
        conflict = from_engine_error(
            engine.Conflict("task done", handled_by="qlkh.cv1", handled_at="2026-03-02T01:00:00")
        )
        data = from_engine_error(
            engine.InvalidData("bad", {"n": "too big"}, {"n": {"code": "max", "limit": 100}})
        )
    body = script.get_json()["error"]
    assert (script.status_code, body["code"]) == (422, "script_error")
    assert "secret_var" not in str(body)  # its words are for the log, as on the pages
    assert conflict.status_code == 409
    assert conflict.get_json()["error"]["details"] == {
        "handled_by": "qlkh.cv1",
        "handled_at": "2026-03-02T01:00:00",
    }
    assert data.get_json()["error"]["fields"] == {
        "n": {"code": "max", "limit": 100, "message": "too big"}
    }


def test_items__what_an_operation_does_not_take_is_refused(app: Flask) -> None:
    """A query parameter or a body an operation does not declare is refused as a declared
    one's unknown names are: not silently ignored (a claim with a broken body went through)."""
    api = api_as(app, "trungtam.cv1")
    status, body = api.get("/processes?foo=1")
    assert (status, body["error"]["fields"]["foo"]["code"]) == (422, "unknown")
    item = api.post(START, {})[1]
    (task,) = item["open_tasks"]
    status, body = api.post(f"/tasks/{task['id']}/claim", data="{garbage")
    assert (status, body["error"]["code"]) == (400, "invalid_json")
    status, body = api.post(f"/tasks/{task['id']}/release", {"reason": "x"})
    assert (status, body["error"]["fields"]["reason"]["code"]) == (422, "unknown")
    # No body, or an empty object, is what these take: the action itself answers.
    assert api.post(f"/tasks/{task['id']}/release", data="")[1]["error"]["code"] == "conflict"
    assert api.post(f"/tasks/{task['id']}/release", {})[1]["error"]["code"] == "conflict"
