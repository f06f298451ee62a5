"""Migrated models started by people, on SQLite and PostgreSQL: the Camunda models of
tests/fixtures/migrated_starts, deployed by an administrator besides the catalog, are offered on
"Tạo mới" and by GET /api/v1/processes to the people they name as starters (everyone when they
name none), their start form asked and checked there; a model started only by a message, or
only called by another, is offered to no one; a start someone may not make is refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

import engine
from engine import transaction
from engine.instances import InstanceModel
from tests.conftest import fixture_files
from tests.statements import counted
from tests.web.api_helpers import ON_BOTH, api_as, app_either  # noqa: F401
from tests.web.conftest import post

PROCESS = "de_nghi_cap_thiet_bi"  # candidateStarterGroups="phong_qlkh", a required start form
OPEN = "gop_y_thu_tuc"  # no starters named: anyone; calls tong_hop_gop_y
NEVER = {"nhan_cong_van", "tong_hop_gop_y"}  # a message start only; called only
STAFF, OTHER = "qlkh.cv1", "trungtam.cv1"  # of Phòng Quản lý Khoa học; of another unit
TITLE = "Đề nghị cấp thiết bị văn phòng"


@pytest.fixture
def deployed(app: Flask) -> Flask:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        engine.deploy(s, fixture_files("migrated_starts"), app.config["NOW"], "quantri")
    return app


def _items(app: Flask, process_id: str) -> list[engine.InstanceView]:
    with transaction(app.extensions["pheduyet.sessions"], write=False) as s:
        ids = s.scalars(select(InstanceModel.id).where(InstanceModel.process_id == process_id))
        return [engine.show_instance(s, i) for i in ids]


def _offered(client: FlaskClient) -> tuple[str, set[str]]:
    page = client.get("/items/new")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    return html, set(re.findall(r'action="/items/new/([a-z_]+)"', html))


@ON_BOTH
@pytest.mark.parametrize(
    ("who", "mine"), [(STAFF, {PROCESS, OPEN}), (OTHER, {OPEN}), ("giamdoc", {OPEN})]
)
def test_migrated__offered_to_the_starters_the_model_names(
    deployed: Flask, login: Any, who: str, mine: set[str]
) -> None:
    html, actions = _offered(login(who))
    assert "de_xuat_nhiem_vu" in actions  # the department's own, first
    added = html[html.index("Quy trình đã triển khai thêm") :]
    assert html.index("Quy trình của Sở") < html.index("Quy trình đã triển khai thêm")
    assert actions & ({PROCESS, OPEN} | NEVER) == mine
    assert ("Thiết bị cần cấp" in added) is (PROCESS in mine)  # its start form's field
    assert "Góp ý cải tiến thủ tục" in added  # titled by the model's name
    status, body = api_as(deployed, who).get("/processes")
    listed = {p["key"]: p for p in body["processes"]}
    assert status == 200 and set(listed) & ({PROCESS, OPEN} | NEVER) == mine
    assert listed[OPEN]["built_in"] is False and listed["de_xuat_nhiem_vu"]["built_in"] is True
    if PROCESS in mine:
        assert listed[PROCESS]["title"] == TITLE
        assert listed[PROCESS]["start_fields"] == ["ghi_chu", "so_luong", "thiet_bi"]


@ON_BOTH
def test_migrated__the_page_checks_the_start_form_then_lands_on_the_first_task(
    deployed: Flask, login: Any
) -> None:
    client = login(STAFF)
    url = f"/items/new/{PROCESS}"
    typed = {"tieu_de": "Máy in tầng 3", "so_luong": "2", "ghi_chu": "Gấp"}
    refused = post(client, "/items/new", url, typed)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert f"Chưa tạo được hồ sơ «{TITLE}»" in html  # said first, with a link to the field
    field = f"f-{PROCESS}-thiet_bi"  # a start form's ids are its process's: several on a page
    assert f'href="#{field}">Thiết bị cần cấp: Mục này bắt buộc nhập.' in html
    assert f'id="{field}-error"' in html
    assert 'value="Máy in tầng 3"' in html and 'value="Gấp"' in html  # what was typed stays
    assert html.count('<details class="start-form" open>') == 1  # its form, open
    assert _items(deployed, PROCESS) == []

    answer = {"thiet_bi": "Máy in laser", "so_luong": "2"}
    response = post(client, "/items/new", url, answer)
    assert response.status_code == 303
    [item] = _items(deployed, PROCESS)
    [task] = item.open_tasks
    assert (item.title, item.created_by, task.element_id) == (TITLE, STAFF, "hoan_thien")
    assert (item.data["thiet_bi"], item.data["so_luong"]) == ("Máy in laser", 2)
    assert response.headers["Location"].endswith(f"/tasks/{task.id}")
    # Its pages name the process as its model does, not by its key.
    inbox = client.get("/").text
    assert f'data-label="Quy trình">{TITLE}</td>' in inbox and PROCESS not in inbox
    page = client.get(f"/tasks/{task.id}").text
    assert f"<dt>Quy trình</dt><dd>{TITLE}</dd>" in page


@ON_BOTH
@pytest.mark.parametrize(
    ("who", "process_id", "status"),
    [(OTHER, PROCESS, 403), (STAFF, "nhan_cong_van", 404), (STAFF, "tong_hop_gop_y", 404)],
)
def test_migrated__a_forged_start_is_refused_and_starts_nothing(
    deployed: Flask, login: Any, who: str, process_id: str, status: int
) -> None:
    client = login(who)
    answer = {"thiet_bi": "Máy in laser", "so_luong": "2"}
    response = post(client, "/items/new", f"/items/new/{process_id}", answer)
    assert response.status_code == status
    assert _items(deployed, process_id) == []
    code, body = api_as(deployed, who).post(f"/processes/{process_id}/items", {})
    assert code == status and _items(deployed, process_id) == []
    if status == 403:
        assert body["error"]["reason"] == "not_a_starter"


@ON_BOTH
def test_migrated__the_api_starts_it_with_the_same_checks(deployed: Flask) -> None:
    api = api_as(deployed, STAFF)
    start = f"/processes/{PROCESS}/items"
    status, body = api.post(start, {"data": {"so_luong": 2}})
    assert (status, body["error"]["fields"]["thiet_bi"]["code"]) == (422, "required")
    status, body = api.post(start, {"data": {"thiet_bi": "Máy in", "so_luong": 0}})
    assert (status, body["error"]["fields"]["so_luong"]["code"]) == (422, "min")
    status, body = api.post(start, {"data": {"thiet_bi": "Máy in", "initiator": "giamdoc"}})
    assert (status, body["error"]["fields"]["initiator"]["code"]) == (422, "unknown")
    assert _items(deployed, PROCESS) == []
    status, item = api.post(
        start, {"title": "Máy in tầng 3", "data": {"thiet_bi": "Máy in", "so_luong": 1}}
    )
    assert status == 201 and item["title"] == "Máy in tầng 3"
    assert [t["element_id"] for t in item["open_tasks"]] == ["hoan_thien"]
    status, other = api_as(deployed, OTHER).post(f"/processes/{OPEN}/items", {})
    assert status == 201 and other["title"] == "Góp ý cải tiến thủ tục"


def test_migrated__the_offers_take_the_same_statements_however_many_models(
    app: Flask, login: Any
) -> None:
    """The page and the API read the offers and their start forms in a fixed number of
    statements: no query per deployed model (a version's facts are read once, then cached)."""
    client, api = login(STAFF), api_as(app, STAFF)
    factory = app.extensions["pheduyet.sessions"]

    def counts() -> tuple[int, int]:
        client.get("/items/new")  # a version new to this process is read once, here
        api.get("/processes")  # and the token's first use is recorded
        with counted(factory) as page:
            assert client.get("/items/new").status_code == 200
        with counted(factory) as listed:
            assert api.get("/processes")[0] == 200
        return len(page), len(listed)

    before = counts()
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("migrated_starts"), app.config["NOW"], "quantri")
        copies = fixture_files("migrated_starts/de_nghi_cap_thiet_bi.bpmn") * 6
        for n, source in enumerate(copies):
            text = source.content.decode().replace(PROCESS, f"mo_hinh_{n}")
            engine.deploy(s, [engine.SourceFile(f"m{n}.bpmn", text.encode())], app.config["NOW"])
    assert counts() == before
    html = client.get("/items/new").text
    assert len(re.findall(r'action="/items/new/mo_hinh_\d"', html)) == 6
    ids = re.findall(r'\sid="([^"]+)"', html)  # six forms with the same fields, no id twice
    assert len(ids) == len(set(ids)) and 'id="f-mo_hinh_5-thiet_bi"' in html
