"""The API's external tasks: an outside worker (an administrator, or a member of the group
external_workers) fetches and locks the tasks of its topics, extends the lock, completes one
with variables (the item goes on) or reports failures until an incident; a lock that ran out
lets another worker take it; anyone else is 403; Theo dõi shows the item waiting with its
topic. Our own model: tests/fixtures/external."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import ManualClock, transaction
from tests.conftest import fixture_files
from tests.web.api_helpers import ON_BOTH, Api, api_as, app_either  # noqa: F401  (the app fixture)
from workflows import engine_config

TOPIC = "tra-cuu-mst"
FETCH = "/external-tasks/fetch-and-lock"


@pytest.fixture
def item(app: Flask, web_clock: ManualClock) -> int:
    factory = app.extensions["pheduyet.sessions"]
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("external"), web_clock, services=())
        engine.add_group(s, "external_workers", "Dịch vụ ngoài")
        engine.add_user(s, "robot", groups=["external_workers"])
        return engine.start_instance(
            s, engine_config(web_clock), "camunda_external", "quantri", data={"mst": "01"}
        )


def _fetch(api: Api, worker: str, ms: int = 60_000) -> tuple[int, Any]:
    return api.post(FETCH, {"worker_id": worker, "topics": [TOPIC], "lock_duration": ms})


@ON_BOTH
def test_external__fetch_lock_complete(app: Flask, item: int) -> None:
    robot = api_as(app, "robot")
    status, body = _fetch(robot, "w1")
    assert status == 200, body
    (task,) = body["tasks"]
    assert (task["item_id"], task["topic"], task["worker_id"]) == (item, TOPIC, "w1")
    assert task["variables"]["mst"] == "01"
    assert _fetch(robot, "w2")[1]["tasks"] == []
    path = f"/external-tasks/{task['id']}"
    status, body = robot.post(f"{path}/extend-lock", {"worker_id": "w1", "new_duration": 120_000})
    assert status == 200 and body["lock_expires_at"] > task["lock_expires_at"]
    status, body = robot.post(f"{path}/complete", {"worker_id": "w2", "variables": {}})
    assert (status, body["error"]["reason"]) == (409, "lock_not_held")
    assert body["error"]["details"]["locked_by"] == "w1"
    status, body = robot.post(f"{path}/complete", {"worker_id": "w1", "variables": {"_x": 1}})
    assert (status, body["error"]["code"]) == (422, "invalid_data")
    status, body = robot.post(f"{path}/complete", {"worker_id": "w1", "variables": {"found": True}})
    assert status == 200 and body == {"item_id": item, "item_status": "completed"}
    status, body = robot.post(f"{path}/complete", {"worker_id": "w1", "variables": {}})
    assert (status, body["error"]["code"]) == (404, "not_found")


@ON_BOTH
def test_external__expired_lock_and_failures_until_an_incident(
    app: Flask, item: int, web_clock: ManualClock
) -> None:
    admin = api_as(app, "quantri")  # administrators act as workers too
    task = _fetch(admin, "w1", 5_000)[1]["tasks"][0]
    web_clock.advance(timedelta(seconds=6))
    again = _fetch(admin, "w2")[1]["tasks"][0]
    assert again["id"] == task["id"] and again["worker_id"] == "w2"
    path = f"/external-tasks/{task['id']}"
    status, body = admin.post(f"{path}/extend-lock", {"worker_id": "w1", "new_duration": 5_000})
    assert status == 409
    failure = {"worker_id": "w2", "error_message": "Cổng thuế lỗi", "retries": 1}
    status, body = admin.post(f"{path}/failure", {**failure, "retry_timeout": 10_000})
    assert status == 200 and body == {"outcome": "retry"}
    assert _fetch(admin, "w2")[1]["tasks"] == []
    web_clock.advance(timedelta(seconds=11))
    third = _fetch(admin, "w2")[1]["tasks"][0]
    assert (third["retries"], third["error_message"]) == (1, "Cổng thuế lỗi")
    status, body = admin.post(f"{path}/failure", {**failure, "retries": 0})
    assert body == {"outcome": "incident"}
    status, shown = admin.get(f"/items/{item}")
    assert shown["status"] == "error" and "Cổng thuế lỗi" in shown["error"]
    status, shown = admin.post(f"/items/{item}/retry")
    assert status == 200 and shown["status"] == "running"
    assert len(_fetch(admin, "w3")[1]["tasks"]) == 1


def test_external__who_may_act_and_bad_bodies(app: Flask, item: int) -> None:
    status, body = _fetch(api_as(app, "trungtam.cv1"), "w1")
    assert (status, body["error"]["reason"]) == (403, "not_an_external_worker")
    robot = api_as(app, "robot")
    status, body = robot.post(FETCH, {"worker_id": "w", "topics": [TOPIC], "lock_duration": 10})
    assert (status, body["error"]["fields"]["lock_duration"]["code"]) == (422, "min")
    status, body = robot.post(FETCH, {"worker_id": "w", "topics": []})
    assert status == 422 and set(body["error"]["fields"]) >= {"topics", "lock_duration"}
    status, body = api_as(app, "robot", "read").post(FETCH, {})
    assert (status, body["error"]["code"]) == (403, "token_scope")
    status, body = robot.post(
        "/external-tasks/khong-co/failure",
        {"worker_id": "w", "error_message": "x", "retries": 0},
    )
    assert (status, body["error"]["code"]) == (404, "not_found")


def test_external__theo_doi_shows_the_item_waiting_with_its_topic(
    app: Flask, item: int, login: Callable[[str], FlaskClient]
) -> None:
    status, body = api_as(app, "giamdoc").get("/monitor")
    assert status == 200, body
    (waiting,) = [t for t in body["external_tasks"] if t["item_id"] == item]
    assert (waiting["topic"], waiting["element_id"]) == (TOPIC, "lookup")
    assert (
        api_as(app, "giamdoc").get("/monitor?process=de_xuat_nhiem_vu")[1]["external_tasks"] == []
    )
    page = login("giamdoc").get("/monitor/").get_data(as_text=True)
    assert "Hồ sơ chờ dịch vụ bên ngoài" in page and f"<code>{TOPIC}</code>" in page


@ON_BOTH
def test_external__a_business_error_goes_where_the_diagram_catches_it(
    app: Flask, web_clock: ManualClock
) -> None:
    """Camunda's handleBpmnError (tests/fixtures/external_errors): the worker's error code takes
    the item to the error event that catches it, with the code, the message and the worker's
    variables set; the task's input parameters came with the fetch."""
    factory = app.extensions["pheduyet.sessions"]
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("external_errors"), web_clock, services=())
        engine.add_user(s, "binh", display_name="Bình")
        item = engine.start_instance(
            s, engine_config(web_clock), "tax_lookup_errors", "quantri", data={"mst": "01"}
        )
    admin = api_as(app, "quantri")
    status, body = admin.post(
        FETCH, {"worker_id": "w1", "topics": ["tra-cuu-mst-loi"], "lock_duration": 60_000}
    )
    (task,) = body["tasks"]
    assert (task["variables"]["ma_tra_cuu"], task["variables"]["kenh"]) == ("01", "api")
    path = f"/external-tasks/{task['id']}/bpmn-error"
    status, body = admin.post(path, {"worker_id": "w2", "error_code": "MST_KHONG_CO"})
    assert (status, body["error"]["reason"]) == (409, "lock_not_held")
    status, body = admin.post(path, {"worker_id": "w1", "error_code": ""})
    assert status == 422
    status, body = admin.post(
        path,
        {
            "worker_id": "w1",
            "error_code": "MST_KHONG_CO",
            "error_message": "Không tìm thấy mã số thuế",
            "variables": {"lan_tra_cuu": 2},
        },
    )
    assert status == 200, body
    assert body == {"outcome": "caught", "item_id": item, "item_status": "running"}
    with transaction(factory) as s:
        (review,) = engine.open_tasks(s, item)
        data = engine.show_instance(s, item).data
    assert review.element_id == "review"
    assert (data["ma_loi"], data["thong_bao_loi"], data["lan_tra_cuu"]) == (
        "MST_KHONG_CO",
        "Không tìm thấy mã số thuế",
        2,
    )
    status, body = admin.post(path, {"worker_id": "w1", "error_code": "MST_KHONG_CO"})
    assert status == 404  # the task is gone: the item went on
