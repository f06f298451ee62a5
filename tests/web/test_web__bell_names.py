"""Thông báo names people by their full names, in words that fit the event (who sent the task,
who returned the item), read in one statement for the page whatever the number of rows."""

from __future__ import annotations

from typing import Any

from flask import Flask

from engine import transaction
from engine.notifications import notify
from engine.users import UserModel
from tests.statements import counted
from tests.web.test_web__bell import PAGE, REVIEWER, submitted

SENDER = "trungtam.cv1"


def full_name(app: Flask, username: str) -> str:
    with transaction(app.extensions["pheduyet.sessions"], write=False) as s:
        person = s.get(UserModel, username)
        assert person is not None and person.display_name != username
        return person.display_name


def test_bell_names__the_sender_is_named_in_full(app: Flask, login: Any, office: Any) -> None:
    submitted(office)
    html = login(REVIEWER).get(PAGE).get_data(as_text=True)
    assert f"Người chuyển: {full_name(app, SENDER)}" in html
    assert SENDER not in html and "Người thực hiện" not in html


def test_bell_names__who_returned_it_is_named_in_full(app: Flask, login: Any, office: Any) -> None:
    item = submitted(office)
    office.do(REVIEWER, item, "xem_xet_de_xuat", decision="tra_lai", y_kien="Bổ sung dự toán")
    html = login(SENDER).get(PAGE).get_data(as_text=True)
    assert f"Người trả lại: {full_name(app, REVIEWER)}" in html
    assert f": {REVIEWER}<" not in html


def test_bell_names__one_statement_names_every_row(app: Flask, login: Any, office: Any) -> None:
    client = login(REVIEWER)
    submitted(office)
    client.get(PAGE)
    with counted(app.extensions["pheduyet.sessions"]) as one:
        assert client.get(PAGE).status_code == 200
    for _ in range(3):
        submitted(office)
    with counted(app.extensions["pheduyet.sessions"]) as four:
        html = client.get(PAGE).get_data(as_text=True)
    assert html.count(f"Người chuyển: {full_name(app, SENDER)}") == 4
    assert len(four) == len(one)


def test_bell_names__a_note_is_named_by_its_event(app: Flask, login: Any, office: Any) -> None:
    """A returned task's note is its reason, an urging's its text, any other (a forwarded
    task's comment) a comment: never a "Lý do trả lại" that nobody returned."""
    notes = {"returned": "Thiếu dự toán", "urged": "Đề nghị khẩn trương", "new_task": "Nhờ xem"}
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        for event, note in notes.items():
            notify(
                s,
                event=event,
                recipients=[SENDER],
                dedupe_key=f"note:{event}",
                at=office.clock(),
                title=f"Hồ sơ {event}",
                reason=note,
                actor=REVIEWER,
            )
    html = login(SENDER).get(PAGE).get_data(as_text=True)
    assert "Lý do trả lại: Thiếu dự toán" in html
    assert "Nội dung đôn đốc: Đề nghị khẩn trương" in html
    assert "Ý kiến kèm theo: Nhờ xem" in html
