"""Quản trị marks a group as a body outside the Sở: the drafter of a regulation is offered it
for consultation as soon as it has a receiver, and no longer once unmarked; a unit never is one."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import transaction
from tests.web.conftest import PASSWORD, post

ADMIN = "quantri"
GROUPS = "/admin/groups"
TICK = "Cơ quan ngoài Sở (được lấy ý kiến khi soạn thảo quy định)"
GIAO = {
    "ten_du_thao": "Quy định quản lý hoạt động chuyển giao công nghệ",
    "hinh_thuc_van_ban": "qd_chu_tich",
    "don_vi_soan_thao": "phong_khtc",
    "trinh_tu_rut_gon": False,
    "so_ngay_tham_dinh": 10,
}


def outside(app: Flask) -> list[str]:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return engine.list_outside_groups(s)


def state(app: Flask) -> tuple[Any, ...]:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return (
            engine.list_groups(s),
            engine.list_units(s),
            engine.list_outside_groups(s),
            engine.list_users(s),
        )


def drafter_page(office: Any, login: Any) -> str:
    """The drafter's form of a new regulation (soan_du_thao, after the director assigns it)."""
    with transaction(office.factory) as s:
        item = engine.start_instance(s, office.config, "xay_dung_quy_dinh", "giamdoc")
    giao = office.task("giamdoc", item, "giao_soan_thao").id
    with transaction(office.factory) as s:
        engine.complete_task(s, office.config, giao, "giamdoc", data=GIAO)
    task = office.task("khtc.cv1", item, "soan_du_thao").id
    return str(login("khtc.cv1").get(f"/tasks/{task}").get_data(as_text=True))


def save(client: FlaskClient, data: dict[str, str]) -> Any:
    return post(client, GROUPS, GROUPS, data)


def test_admin_outside__a_marked_group_with_a_member_is_offered_to_the_drafter(
    app: Flask, login: Any, office: Any
) -> None:
    client = login(ADMIN)
    assert TICK in client.get(GROUPS).get_data(as_text=True)
    added = {"intent": "add", "key": "so_cong_thuong", "name": "Sở Công Thương"}
    response = save(client, {**added, "is_outside": "1"})
    assert response.status_code == 302
    page = client.get(GROUPS).get_data(as_text=True)
    assert "Đã đánh dấu nhóm so_cong_thuong là cơ quan ngoài Sở." in page
    assert "so_cong_thuong" in outside(app)
    assert 'value="so_cong_thuong"' not in drafter_page(office, login)  # nobody receives yet

    person = {
        "username": "congthuong",
        "display_name": "Văn thư Sở Công Thương",
        "groups": ["so_cong_thuong"],
        "password": PASSWORD,
    }
    assert post(client, "/admin/users", "/admin/users", person).status_code == 302
    page = drafter_page(office, login)
    assert 'value="so_cong_thuong"' in page and "Sở Công Thương" in page

    # Renamed from its row with the tick box left as it was: still outside, still offered.
    renamed = {"intent": "rename", "key": "so_cong_thuong", "outside_shown": "1"}
    response = save(client, {**renamed, "name": "Sở Công Thương tỉnh", "is_outside": "1"})
    assert response.status_code == 302
    assert "so_cong_thuong" in outside(app)
    assert "Sở Công Thương tỉnh" in drafter_page(office, login)

    # A rename sent without the row's tick box (an older page) keeps the mark too.
    response = save(client, {"intent": "rename", "key": "so_cong_thuong", "name": "Sở Công Thương"})
    assert response.status_code == 302 and "so_cong_thuong" in outside(app)

    response = save(client, {**renamed, "name": "Sở Công Thương"})
    assert response.status_code == 302
    page = client.get(GROUPS).get_data(as_text=True)
    assert "Đã bỏ đánh dấu cơ quan ngoài Sở của nhóm so_cong_thuong." in page
    assert "so_cong_thuong" not in outside(app)
    assert 'value="so_cong_thuong"' not in drafter_page(office, login)


def test_admin_outside__the_list_shows_the_mark_and_units_have_no_tick_box(
    app: Flask, login: Any
) -> None:
    client = login(ADMIN)
    save(
        client, {"intent": "add", "key": "so_tai_chinh", "name": "Sở Tài chính", "is_outside": "1"}
    )
    page = client.get(GROUPS).get_data(as_text=True)
    assert "<th>Cơ quan ngoài Sở</th>" in page
    row = page.split("<code>so_tai_chinh</code>", 1)[1].split("</tr>", 1)[0]
    assert "checked" in row and '<td data-label="Cơ quan ngoài Sở">Có</td>' in row
    unit = page.split("<code>phong_qlkh</code>", 1)[1].split("</tr>", 1)[0]
    assert (
        'name="is_outside"' not in unit and '<td data-label="Cơ quan ngoài Sở">Không</td>' in unit
    )


@pytest.mark.parametrize(
    "data",
    [
        {
            "intent": "add",
            "key": "phong_moi",
            "name": "Phòng Mới",
            "is_unit": "1",
            "is_outside": "1",
        },
        {
            "intent": "rename",
            "key": "phong_qlkh",
            "name": "Phòng Quản lý Khoa học",
            "outside_shown": "1",
            "is_outside": "1",
        },
    ],
)
def test_admin_outside__a_unit_is_never_an_outside_body(
    app: Flask, login: Any, data: dict[str, str]
) -> None:
    client = login(ADMIN)
    before = state(app)
    response = save(client, data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Một đơn vị của Sở không phải cơ quan ngoài Sở" in html
    assert state(app) == before


@pytest.mark.parametrize("username", ["qlkh.cv1", "giamdoc"])
def test_admin_outside__only_an_admin_marks_a_group(app: Flask, login: Any, username: str) -> None:
    client = login(username)
    before = state(app)
    data = {"intent": "add", "key": "so_cong_thuong", "name": "Sở Công Thương", "is_outside": "1"}
    response = post(client, "/", GROUPS, data)
    assert response.status_code == 403
    assert state(app) == before
