"""A name the engine refuses (engine/names.py) reads in Vietnamese on the admin pages, with
nothing saved: a NUL or a line break, a text-direction override that makes a name read as
another's, a pile of combining marks."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import post
from tests.web.test_web__admin import ADMIN, add_person, state


@pytest.mark.parametrize(
    ("display_name", "message"),
    [
        ("Trần Văn\x00 Mới", "Họ tên có ký tự điều khiển"),
        ("Trần Văn \u202eiớM", "Họ tên có ký tự ẩn làm đảo chiều chữ"),
        ("Tr" + "\u0300" * 50 + "ần", "Họ tên có quá nhiều dấu chồng lên một chữ."),
    ],
)
def test_names__a_refused_display_name_says_why(
    app: Flask, login: Any, display_name: str, message: str
) -> None:
    client = login(ADMIN)
    before = state(app)
    response = add_person(client, display_name=display_name)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert "Chưa có gì được lưu." in page and "control character" not in page
    assert state(app) == before


def test_names__a_refused_group_name_says_why(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    before = state(app)
    response = post(
        client,
        "/admin/groups",
        "/admin/groups",
        {"intent": "add", "key": "nhom_moi", "name": "Nhóm\x00 mới"},
    )
    assert response.status_code == 422
    assert "Tên nhóm có ký tự điều khiển" in response.get_data(as_text=True)
    assert state(app) == before
