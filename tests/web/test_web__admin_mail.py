"""Quản trị: the people list shows each address and an administrator edits it (a malformed one
refused, nothing saved); "Thư chưa gửi được" lists the failed mail with its recipient, event,
item, attempts and last error, and "Gửi lại" queues it again; others get 403."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, update

import engine
from engine import ManualClock, transaction
from engine.notifications import NotificationModel
from tests.web.both_databases import app_on
from tests.web.conftest import post

ADMIN = "quantri"
PAGE = "/admin/mail/"
ERROR = "550 5.1.1 <cv1@skhcn.gov.vn>: Recipient address rejected"


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, tmp_path: Path, web_clock: ManualClock) -> Iterator[Flask]:
    """Each test on SQLite and on PostgreSQL."""
    yield from app_on(request, tmp_path, web_clock)


def failed(app: Flask, clock: ManualClock, *people: str) -> list[int]:
    """One failed notification mail for each person, its retries run out."""
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        for n, person in enumerate(people):
            engine.set_email(s, person, f"{person}@skhcn.gov.vn")
            engine.notify(
                s,
                event="new_task",
                recipients=[person],
                dedupe_key=f"test:{n}",
                at=clock(),
                title=f"Đề xuất nhiệm vụ số {n}",
                step="Xem xét đề xuất",
            )
        s.execute(update(NotificationModel).values(status="failed", attempts=8, last_error=ERROR))
        return list(s.scalars(select(NotificationModel.id).order_by(NotificationModel.id)))


def statuses(app: Flask) -> list[tuple[str, int]]:
    with transaction(app.extensions["pheduyet.sessions"], write=False) as s:
        rows = s.execute(
            select(NotificationModel.status, NotificationModel.attempts).order_by(
                NotificationModel.id
            )
        )
        return [(status, attempts) for status, attempts in rows]


def test_admin_mail__failed_mail_is_listed_and_sent_again(
    app: Flask, login: Any, web_clock: ManualClock
) -> None:
    first, second = failed(app, web_clock, "trungtam.cv1", "qlkh.cv2")
    client = login(ADMIN)
    assert f'href="{PAGE}"' in client.get("/admin/processes").get_data(as_text=True)
    html = client.get(PAGE).get_data(as_text=True)
    for words in (
        "Thư chưa gửi được",
        "trungtam.cv1@skhcn.gov.vn",
        "Công việc mới",
        "Đề xuất nhiệm vụ số 0",
        "Recipient address rejected",
        ">8<",
        "Gửi lại tất cả (2 thư)",
    ):
        assert words in html, words
    answer = post(client, PAGE, PAGE + "retry", {"id": str(first)})
    assert answer.status_code == 303 and answer.headers["Location"] == PAGE
    assert statuses(app) == [("pending", 0), ("failed", 8)]
    html = client.get(PAGE).get_data(as_text=True)
    assert "1 thư sẽ được gửi lại" in html and "Đề xuất nhiệm vụ số 0" not in html
    assert post(client, PAGE, PAGE + "retry", {"id": [str(second), "abc"]}).status_code == 303
    html = client.get(PAGE).get_data(as_text=True)
    assert statuses(app) == [("pending", 0), ("pending", 0)]
    assert "Không có thư nào bị lỗi" in html
    assert post(client, PAGE, PAGE + "retry", {"id": str(first)}).status_code == 303
    assert "Không có thư nào cần gửi lại" in client.get(PAGE).get_data(as_text=True)


def test_admin_mail__only_for_administrators(
    app: Flask, login: Any, web_clock: ManualClock
) -> None:
    [row] = failed(app, web_clock, "trungtam.cv1")
    client = login("trungtam.cv1")
    assert client.get(PAGE).status_code == 403
    assert post(client, "/", PAGE + "retry", {"id": str(row)}).status_code == 403
    assert statuses(app) == [("failed", 8)]
    response = app.test_client().get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def emails(app: Flask) -> dict[str, str | None]:
    with transaction(app.extensions["pheduyet.sessions"], write=False) as s:
        return {u.username: u.email for u in engine.list_users(s)}


def test_admin_mail__an_administrator_sets_an_address_and_a_bad_one_changes_nothing(
    app: Flask, login: Any
) -> None:
    client = login(ADMIN)
    url = "/admin/users/trungtam.cv1"
    page = client.get(url).get_data(as_text=True)
    assert 'name="email"' in page
    fields = {"display_name": "Chuyên viên Trung tâm", "unit": "", "active": "1", "password": ""}
    answer = post(client, url, url, {**fields, "email": "cv1@skhcn.gov.vn"})
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert emails(app)["trungtam.cv1"] == "cv1@skhcn.gov.vn"
    listing = client.get("/admin/users").get_data(as_text=True)
    assert "cv1@skhcn.gov.vn" in listing and "Thư điện tử" in listing
    assert 'value="cv1@skhcn.gov.vn"' in client.get(url).get_data(as_text=True)
    refused = post(client, url, url, {**fields, "display_name": "Tên khác", "email": "cv1@"})
    assert refused.status_code == 422
    assert "Địa chỉ thư điện tử không đúng dạng" in refused.get_data(as_text=True)
    assert emails(app)["trungtam.cv1"] == "cv1@skhcn.gov.vn"
    assert post(client, url, url, {**fields, "email": ""}).status_code == 302
    assert emails(app)["trungtam.cv1"] is None


def test_admin_mail__a_new_person_gets_their_address(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    person = {
        "username": "qlkh.cv9",
        "display_name": "Chuyên viên mới",
        "unit": "",
        "active": "1",
        "password": "mật khẩu dài",
        "email": "cv9@skhcn.gov.vn",
    }
    answer = post(client, "/admin/users", "/admin/users", person)
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert emails(app)["qlkh.cv9"] == "cv9@skhcn.gov.vn"
    bad = post(client, "/admin/users", "/admin/users", {**person, "username": "x.y", "email": "@"})
    assert bad.status_code == 422 and "x.y" not in emails(app)
