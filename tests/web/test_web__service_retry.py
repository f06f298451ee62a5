"""Thử lại: an item parked by a failed service call shows its error and a retry button to
managers and administrators, on the item page and in Theo dõi; the retry runs the failed step
again. Everyone else sees no button and is refused."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import transaction
from tests.conftest import FIXTURES, fixture_files
from tests.web.api_helpers import api_as
from tests.web.conftest import post, refused_deploy
from workflows import engine_config

RETRY = "Thử lại"


@pytest.fixture
def parked(office: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """An item of camunda_services whose archive call failed at the start."""
    handlers = tmp_path / "handlers.py"
    shutil.copy(FIXTURES / "service_handlers" / "handlers.py", handlers)
    monkeypatch.setenv("PHEDUYET_SERVICES", str(handlers))
    office.config = engine_config(office.clock)
    with transaction(office.factory) as s:
        engine.deploy(
            s, fixture_files("services"), office.clock, services=office.config.services.keys()
        )
    item_id: int = office.start("camunda_services", "qlkh.cv1", archive_down=True, invoice="HD-03")
    return item_id


def test_a_manager_sees_the_error_and_retries_the_item(parked: int, login: Any) -> None:
    client: FlaskClient = login("giamdoc")
    page = client.get(f"/items/{parked}").get_data(as_text=True)
    assert "kho lưu trữ không phản hồi" in page
    assert RETRY in page
    monitor = client.get("/monitor/?status=error").get_data(as_text=True)
    assert f"/items/{parked}/retry" in monitor

    response = post(client, "/monitor/", f"/items/{parked}/retry", {"back": "monitor"})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/monitor/")
    page = client.get(f"/items/{parked}").get_data(as_text=True)
    assert "quy trình chạy tiếp" in page
    assert "Hệ thống gọi dịch vụ" in page  # the calls are in the history
    assert f"/items/{parked}/retry" not in page


def test_the_starter_sees_the_error_but_may_not_retry(parked: int, login: Any) -> None:
    client: FlaskClient = login("qlkh.cv1")
    page = client.get(f"/items/{parked}").get_data(as_text=True)
    assert "kho lưu trữ không phản hồi" in page
    assert f"/items/{parked}/retry" not in page
    response = post(client, f"/items/{parked}", f"/items/{parked}/retry")
    assert response.status_code == 403


def test_the_api_retries_for_managers_only(parked: int, app: Flask) -> None:
    status, body = api_as(app, "qlkh.cv1").post(f"/items/{parked}/retry")
    assert (status, body["error"]["code"]) == (403, "forbidden")
    status, item = api_as(app, "giamdoc").post(f"/items/{parked}/retry")
    assert status == 200 and item["status"] == "completed" and item["error"] is None
    status, body = api_as(app, "giamdoc").post(f"/items/{parked}/retry")
    assert (status, body["error"]["code"]) == (409, "conflict")


def test_the_deploy_page_refuses_a_service_task_no_handler_is_mapped_to(
    login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PHEDUYET_SERVICES", "")
    path = FIXTURES / "services" / "camunda_after_user.bpmn"
    page = refused_deploy(login("quantri"), path)
    assert "phần tử register" in page and "dòng 15" in page
    assert "map &#39;vn.gov.sokhcn.Register&#39; in the services module" in page
