"""The bell: a task created for a person shows in their header's count and on Thông báo, linked
to the task; opening it marks it read and goes there; "Đánh dấu đã đọc tất cả" reads the rest;
another person's notification id changes nothing; the count costs one statement a page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from engine import ManualClock, transaction
from engine.notifications import NotificationModel
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.statements import counted
from tests.web.both_databases import app_on
from tests.web.conftest import post

PAGE = "/notifications/"
REVIEWER = "qlkh.cv2"
_COUNT = re.compile(r'class="bell[^"]*"[^>]*>.*?<span class="count">(\d+)</span></a>', re.S)
_OPEN = re.compile(
    r'<form method="post" action="/notifications/(\d+)/open" class="notice-open">\s*'
    r'<input type="hidden" name="csrf_token" value="[^"]+">\s*'
    r'<input type="hidden" name="next" value="([^"]+)">'
)


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, tmp_path: Path, web_clock: ManualClock) -> Iterator[Flask]:
    """Each test on SQLite and on PostgreSQL."""
    yield from app_on(request, tmp_path, web_clock)


def submitted(office: Any) -> int:
    """A proposal by trungtam.cv1, sent to Phòng Quản lý khoa học's review."""
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    return item


def bell(client: Any, url: str = "/") -> int:
    found = _COUNT.search(client.get(url).get_data(as_text=True))
    return int(found.group(1)) if found else 0


def unread(app: Flask, username: str) -> list[int]:
    with transaction(app.extensions["pheduyet.sessions"], write=False) as s:
        return list(
            s.scalars(
                select(NotificationModel.id).where(
                    NotificationModel.recipient == username, NotificationModel.read_at.is_(None)
                )
            )
        )


def test_bell__a_new_task_is_counted_listed_and_opening_it_reads_it(
    app: Flask, login: Any, office: Any
) -> None:
    client = login(REVIEWER)
    assert bell(client) == 0
    item = submitted(office)
    task = office.task(REVIEWER, item, "xem_xet_de_xuat")
    assert bell(client) == 1
    html = client.get(PAGE).get_data(as_text=True)
    assert "Công việc mới" in html and "Bạn có 1 thông báo chưa đọc." in html
    [(number, place)] = _OPEN.findall(html)
    assert place == f"/tasks/{task.id}"
    assert client.get(PAGE + "?chua_doc=1").get_data(as_text=True).count("notice-open") == 1
    opened = post(client, PAGE, f"{PAGE}{number}/open", {"next": place})
    assert opened.status_code == 303 and opened.headers["Location"] == place
    assert unread(app, REVIEWER) == [] and bell(client) == 0
    html = client.get(PAGE).get_data(as_text=True)
    assert "Bạn đã đọc hết thông báo." in html and "notice-open" in html
    assert "Không có thông báo chưa đọc." in client.get(PAGE + "?chua_doc=1").get_data(as_text=True)


def test_bell__a_return_shows_its_reason_and_all_are_marked_read_at_once(
    app: Flask, login: Any, office: Any
) -> None:
    items = [submitted(office) for _ in range(2)]
    for item in items:
        office.do(REVIEWER, item, "xem_xet_de_xuat", decision="tra_lai", y_kien="Bổ sung dự toán")
    client = login("trungtam.cv1")
    assert bell(client) == 2
    html = client.get(PAGE).get_data(as_text=True)
    assert html.count("Hồ sơ bị trả lại") == 2 and "Bổ sung dự toán" in html
    done = post(client, PAGE, PAGE + "read")
    assert done.status_code == 303
    assert "Đã đánh dấu 2 thông báo là đã đọc." in client.get(PAGE).get_data(as_text=True)
    assert unread(app, "trungtam.cv1") == [] and bell(client) == 0


def test_bell__another_persons_notification_is_left_alone_and_no_other_site_is_reached(
    app: Flask, login: Any, office: Any
) -> None:
    submitted(office)
    [theirs] = unread(app, REVIEWER)
    client = login("trungtam.cv1")
    answer = post(client, PAGE, f"{PAGE}{theirs}/open", {"next": "https://example.com/x"})
    assert answer.status_code == 303 and answer.headers["Location"] == PAGE
    assert unread(app, REVIEWER) == [theirs]
    assert post(client, PAGE, PAGE + "read").status_code == 303
    assert unread(app, REVIEWER) == [theirs]


def test_bell__a_stranger_is_sent_to_the_login_and_a_post_needs_its_token(
    app: Flask, login: Any
) -> None:
    stranger = app.test_client()
    response = stranger.get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert 'class="bell' not in stranger.get("/login").get_data(as_text=True)
    assert login(REVIEWER).post(PAGE + "read").status_code == 400


def test_bell__the_count_comes_with_the_person_whatever_the_notifications(
    app: Flask, login: Any, office: Any
) -> None:
    client = login(REVIEWER)
    client.get("/items/")
    with counted(app.extensions["pheduyet.sessions"]) as none:
        assert client.get("/items/").status_code == 200
    for _ in range(3):
        submitted(office)
    with counted(app.extensions["pheduyet.sessions"]) as three:
        html = client.get("/items/").get_data(as_text=True)
    assert len(three) == len(none)
    assert '<span class="count">3</span>' in html
    (read,) = [str(statement) for statement in three if "notifications" in str(statement)]
    assert "session_generation" in read  # the person's own statement (web.auth.load_user)
