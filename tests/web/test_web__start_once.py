"""A double "Tạo mới": the form carries a key made when it was shown; submitting it twice, one
after the other or at the same moment, starts one item and sends both answers to it."""

from __future__ import annotations

import re
import threading
from typing import Any

from flask import Flask

import engine
from engine import transaction

PROCESS = "de_xuat_nhiem_vu"
STARTER = "trungtam.cv1"


def form_fields(page: str) -> dict[str, str]:
    form = page[page.index(f'action="/items/new/{PROCESS}"') :]
    form = form[: form.index("</form>")]
    return dict(re.findall(r'name="(csrf_token|khoa_tao_moi)" value="([^"]+)"', form))


def items(app: Flask) -> list[int]:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return engine.visible_instance_ids(s, engine.get_identity(s, STARTER))


def test_start_once__the_same_form_twice_starts_one_item(app: Flask, login: Any) -> None:
    client = login(STARTER)
    fields = form_fields(client.get("/items/new").get_data(as_text=True))
    assert len(fields["khoa_tao_moi"]) >= 16
    data = {**fields, "tieu_de": "Chuỗi liên kết lúa gạo"}
    first = client.post(f"/items/new/{PROCESS}", data=data)
    second = client.post(f"/items/new/{PROCESS}", data=data)
    assert first.status_code == second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert len(items(app)) == 1
    page = client.get(second.headers["Location"]).get_data(as_text=True)
    assert "đã được tạo từ lần gửi trước, không tạo thêm" in page


def test_start_once__a_form_shown_again_starts_another(app: Flask, login: Any) -> None:
    client = login(STARTER)
    for _ in range(2):
        fields = form_fields(client.get("/items/new").get_data(as_text=True))
        assert client.post(f"/items/new/{PROCESS}", data=fields).status_code == 303
    assert len(items(app)) == 2


def test_start_once__parallel_submits_start_one_item(app: Flask, login: Any) -> None:
    clients = [login(STARTER) for _ in range(4)]
    fields = form_fields(clients[0].get("/items/new").get_data(as_text=True))
    key = fields["khoa_tao_moi"]
    answers: list[tuple[int, str]] = []
    gate = threading.Barrier(len(clients))

    def submit(client: Any) -> None:
        token = form_fields(client.get("/items/new").get_data(as_text=True))["csrf_token"]
        gate.wait()
        response = client.post(
            f"/items/new/{PROCESS}", data={"csrf_token": token, "khoa_tao_moi": key}
        )
        answers.append((response.status_code, response.headers.get("Location", "")))

    threads = [threading.Thread(target=submit, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(answers) == 4 and {status for status, _ in answers} == {303}
    assert len({location for _, location in answers}) == 1
    assert len(items(app)) == 1


def test_start_once__another_persons_key_is_not_theirs(app: Flask, login: Any) -> None:
    client = login(STARTER)
    fields = form_fields(client.get("/items/new").get_data(as_text=True))
    client.post(f"/items/new/{PROCESS}", data=fields)
    other = login("trungtam.tp")
    token = form_fields(other.get("/items/new").get_data(as_text=True))["csrf_token"]
    response = other.post(
        f"/items/new/{PROCESS}", data={"csrf_token": token, "khoa_tao_moi": fields["khoa_tao_moi"]}
    )
    assert response.status_code == 303 and "không tạo thêm" not in other.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        mine = engine.visible_instance_ids(s, engine.get_identity(s, "trungtam.tp"))
    assert len(mine) == 1 and mine != items(app)
