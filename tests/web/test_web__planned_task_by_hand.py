"""A planned task started by hand (Giao nhiệm vụ theo kế hoạch, Tạo mới) says what the task is,
so the leader who assigns it reads what they assign: its card asks for Nội dung nhiệm vụ,
refuses to start without it (keeping what was typed), and the API asks the same. The plan's
import still fills in the whole start form itself."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.web.api_helpers import api_as
from tests.web.conftest import post

START = "/items/new/giao_nhiem_vu"
CONTENT = "Rà soát, cập nhật danh mục thủ tục hành chính lĩnh vực khoa học và công nghệ"


def test_by_hand__the_card_asks_what_the_task_is(login: Any) -> None:
    page = login("giamdoc").get("/items/new").get_data(as_text=True)
    assert 'name="noi_dung_day_du"' in page and "Nội dung nhiệm vụ" in page


def test_by_hand__no_content_no_item_and_the_title_stays(login: Any, office: Any) -> None:
    client = login("vp.tp")
    response = post(client, "/items/new", START, {"tieu_de": "Việc mới", "noi_dung_day_du": " "})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Hãy nhập nội dung nhiệm vụ" in html and 'value="Việc mới"' in html
    assert office.inbox("giamdoc") == []


def test_by_hand__the_director_reads_what_they_assign(login: Any, office: Any) -> None:
    client = login("vp.tp")
    sent = {"tieu_de": "Việc mới", "noi_dung_day_du": CONTENT}
    assert post(client, "/items/new", START, sent).status_code == 303
    (task,) = office.inbox("giamdoc")
    assert task.element_id == "phan_cong"
    assert office.show(task.instance_id).data["noi_dung_day_du"] == CONTENT
    page = login("giamdoc").get(f"/tasks/{task.id}").get_data(as_text=True)
    assert CONTENT in page and "Hồ sơ chưa có nội dung nào được nhập" not in page


def test_by_hand__an_item_left_unnamed_is_named_by_its_content(login: Any, office: Any) -> None:
    sent = {"tieu_de": "", "noi_dung_day_du": f"{CONTENT}\nGồm cả các thủ tục liên thông."}
    assert post(login("vp.tp"), "/items/new", START, sent).status_code == 303
    (task,) = office.inbox("giamdoc")
    assert office.show(task.instance_id).title == CONTENT


def test_by_hand__the_api_asks_it_too(app: Flask) -> None:
    leader = api_as(app, "giamdoc")
    status, body = leader.post("/processes/giao_nhiem_vu/items", {"title": "Nhiệm vụ giao"})
    assert (status, body["error"]["fields"]["noi_dung_day_du"]["code"]) == (422, "required")
    sent = {"title": "Nhiệm vụ giao", "data": {"noi_dung_day_du": CONTENT}}
    status, item = leader.post("/processes/giao_nhiem_vu/items", sent)
    assert status == 201 and item["open_tasks"], item


def test_by_hand__a_long_first_line_names_the_item_cut_short(login: Any, office: Any) -> None:
    content = "Rà soát " + "thủ tục hành chính " * 60  # one line of over a thousand characters
    sent = {"tieu_de": "", "noi_dung_day_du": content}
    assert post(login("vp.tp"), "/items/new", START, sent).status_code == 303
    (task,) = office.inbox("giamdoc")
    title = office.show(task.instance_id).title
    assert len(title) == 500 and title.endswith("…") and content.startswith(title[:-1])
