"""Quản trị → Webhook: an administrator adds an address for some events and sees its secret
once, a refused address is explained, and the delivery log shows what was sent and lets a
failed delivery be sent again."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

import engine
from engine import ManualClock, transaction
from engine.webhook_delivery import MAX_ATTEMPTS, Answer
from tests.web.conftest import post

ADMIN = "quantri"
PAGE = "/admin/webhooks/"
HOOK = {"url": "https://he-thong.tinh.gov.vn/su-kien", "active": "1"}


def hooks(app: Flask) -> list[engine.Webhook]:
    with transaction(app.extensions["pheduyet.sessions"], write=False) as s:
        return engine.list_webhooks(s)


def test_admin_webhooks__added_with_its_secret_shown_once_then_listed(
    app: Flask, login: Any
) -> None:
    client = login(ADMIN)
    assert 'href="/admin/webhooks/"' in client.get("/admin/processes").get_data(as_text=True)
    answer = post(client, PAGE, PAGE, {**HOOK, "event_types": ["task.created", "item.finished"]})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-store"
    secret = re.search(r'<code class="secret">([^<]+)</code>', page)
    assert secret and len(secret.group(1)) >= 32
    [hook] = hooks(app)
    assert (hook.url, hook.event_types, hook.active) == (
        HOOK["url"],
        ("item.finished", "task.created"),
        True,
    )
    again = client.get(PAGE).get_data(as_text=True)
    assert secret.group(1) not in again
    assert HOOK["url"] in again and "Có việc mới" in again and "Hồ sơ hoàn thành" in again


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("https://ten:matkhau@he-thong.tinh.gov.vn/x", "không được chứa tên đăng nhập"),
        ("ftp://he-thong.tinh.gov.vn/x", "bắt đầu bằng http:// hoặc https://"),
        ("https:///x", "tên máy chủ hợp lệ"),
    ],
)
def test_admin_webhooks__a_refused_address_is_explained(
    app: Flask, login: Any, url: str, words: str
) -> None:
    answer = post(login(ADMIN), PAGE, PAGE, {"url": url, "event_types": ["item.started"]})
    assert answer.status_code == 422
    assert words in answer.get_data(as_text=True)
    assert hooks(app) == []


def test_admin_webhooks__no_event_and_a_short_secret_are_refused(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    none = post(client, PAGE, PAGE, HOOK)
    assert none.status_code == 422 and "ít nhất một loại sự kiện" in none.get_data(as_text=True)
    short = post(client, PAGE, PAGE, {**HOOK, "event_types": ["item.started"], "secret": "ngắn"})
    assert short.status_code == 422 and "Khóa bí mật phải có từ 16" in short.get_data(as_text=True)
    assert hooks(app) == []


def test_admin_webhooks__only_for_administrators(login: Any) -> None:
    client = login("trungtam.cv1")
    assert client.get(PAGE).status_code == 403


def test_admin_webhooks__the_log_shows_a_failure_and_sends_it_again(
    app: Flask, login: Any, office: Any, web_clock: ManualClock
) -> None:
    client = login(ADMIN)
    post(client, PAGE, PAGE, {**HOOK, "event_types": ["item.started"]})
    office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    factory = app.extensions["pheduyet.sessions"]

    def refuse(_url: str, _body: bytes, _headers: dict[str, str]) -> Answer:
        return Answer(503, "HTTP 503 Service Unavailable")

    for _ in range(MAX_ATTEMPTS):
        engine.deliver_webhooks(factory, web_clock, post=refuse)
        web_clock.advance(timedelta(hours=6))
    page = client.get(PAGE).get_data(as_text=True)
    assert "Hồ sơ được tạo" in page and "Gửi không được" in page
    assert "HTTP 503 Service Unavailable" in page
    with transaction(factory, write=False) as s:
        [failed] = engine.list_deliveries(s)
    assert failed.attempts == MAX_ATTEMPTS

    answer = post(client, PAGE, f"/admin/webhooks/deliveries/{failed.id}/retry")
    assert answer.status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "Đang chờ gửi" in page and "lượt chạy nền kế tiếp" in page
    assert engine.deliver_webhooks(factory, web_clock, post=lambda *_: Answer(204)).sent == 1
    assert "Đã gửi" in client.get(PAGE).get_data(as_text=True)


def test_admin_webhooks__switched_off_then_removed(app: Flask, login: Any, office: Any) -> None:
    client = login(ADMIN)
    post(client, PAGE, PAGE, {**HOOK, "event_types": ["item.started"]})
    [hook] = hooks(app)
    post(client, PAGE, f"/admin/webhooks/{hook.id}/active", {"active": "0"})
    assert not hooks(app)[0].active
    office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    assert "Chưa có sự kiện nào được gửi." in client.get(PAGE).get_data(as_text=True)
    post(client, PAGE, f"/admin/webhooks/{hook.id}/active", {"active": "1"})
    assert hooks(app)[0].active
    answer = post(client, PAGE, f"/admin/webhooks/{hook.id}/remove")
    assert answer.status_code == 302 and hooks(app) == []
    assert post(client, PAGE, f"/admin/webhooks/{hook.id}/remove").status_code == 404


def test_admin_webhooks__every_event_type_has_its_words() -> None:
    from web.admin_webhooks import EVENT_LABELS

    assert tuple(EVENT_LABELS) == engine.WEBHOOK_EVENTS
