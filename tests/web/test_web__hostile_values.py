"""Values no person types, sent by someone probing: a number of thousands of digits, a JSON body
nested a hundred thousand deep, a file filed under another item's step. Each is refused with its
reason (in Vietnamese on the pages) and changes nothing; none is a 500."""

from __future__ import annotations

import io
from typing import Any

import pytest
from flask import Flask

from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.web.api_helpers import api_as
from tests.web.conftest import post
from tests.web.test_api__items import START

PDF = b"%PDF-1.4\n% test\n"


def _draft(office: Any) -> tuple[int, str]:
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    return item, f"/tasks/{office.task('trungtam.cv1', item, 'lap_phieu_de_xuat').id}"


@pytest.mark.parametrize(
    ("typed", "said"),
    [
        ("9" * 350, "Số quá lớn."),
        ("9" * 500, "Số quá lớn."),
        ("-" + "9" * 5000, "Số quá lớn."),
        ("0" * 5000 + "1" + "0" * 400, "Số quá lớn."),
        ("9" * 500 + "x", "Nhập số tiền (đồng)"),
        ("²", "Nhập số tiền (đồng)"),
    ],
)
def test_a_number_no_one_writes_is_refused_on_the_page(
    office: Any, login: Any, typed: str, said: str
) -> None:
    """Past about 300 digits a number is too large to store, however many digits it has (int()
    refuses 4,300: none of them is read past 400); a text with more than digits is not a number
    (the form's own words)."""
    item, url = _draft(office)
    fields = {**PHIEU, "kinh_phi_du_kien": typed}
    response = post(login("trungtam.cv1"), url, url, {k: str(v) for k, v in fields.items()})
    assert response.status_code == 422
    assert said in response.get_data(as_text=True)
    assert office.steps(item) == ["lap_phieu_de_xuat"]


def test_a_number_no_one_writes_is_refused_by_the_api(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    item = api.post(START, {})[1]["id"]
    task = next(t for t in api.get("/tasks")[1]["tasks"] if t["item_id"] == item)
    version = api.get(f"/tasks/{task['id']}")[1]["version"]
    for value, code in (
        (10**400, "too_large"),
        ([[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]], "too_deep"),
    ):
        body = {"data": {**PHIEU, "kinh_phi_du_kien": value}, "expected_version": version}
        status, answer = api.post(f"/tasks/{task['id']}/complete", body)
        assert (status, answer["error"]["fields"]["kinh_phi_du_kien"]["code"]) == (422, code)
    assert api.get(f"/tasks/{task['id']}")[1]["version"] == version


def test_a_body_nested_too_deeply_is_not_json(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    status, answer = api.call("POST", START, data="[" * 100_000, content_type="application/json")
    assert (status, answer["error"]["code"]) == (400, "invalid_json")


def test_a_file_under_another_items_step_is_refused_and_not_stored(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    mine, other = (api.post(START, {})[1]["id"] for _ in range(2))
    other_step = next(t for t in api.get("/tasks")[1]["tasks"] if t["item_id"] == other)["id"]
    for task_id in (other_step, "not-a-task"):
        status, answer = api.call(
            "POST",
            f"/items/{mine}/attachments",
            data={"file": (io.BytesIO(PDF), "du_toan.pdf"), "task_id": task_id},
            content_type="multipart/form-data",
        )
        assert (status, answer["error"]["code"]) == (404, "not_found"), task_id
    assert api.get(f"/items/{mine}/attachments")[1]["documents"] == []


def test_a_title_of_only_invisible_characters_is_no_title(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    status, item = api.post(START, {"title": "\u200b\u200b \u2060"})
    assert status == 201
    assert item["title"] == "Đề xuất nhiệm vụ khoa học và công nghệ cấp tỉnh"  # its process


def test_a_title_keeps_no_control_characters_nor_direction_overrides(app: Flask) -> None:
    """U+202E would show "\u202eevil title" reversed in every listing, a tab or ESC as nothing
    a colleague can read."""
    api = api_as(app, "trungtam.cv1")
    status, item = api.post(START, {"title": "\u202eĐề xuất\u202c\tlúa\x1b[31m gạo\u2067"})
    assert status == 201
    assert item["title"] == "Đề xuất lúa[31m gạo"


def test_two_files_in_one_upload_are_refused_not_half_stored(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    item = api.post(START, {})[1]["id"]
    files = [(io.BytesIO(PDF), "a.pdf"), (io.BytesIO(PDF), "b.pdf")]
    status, answer = api.call(
        "POST",
        f"/items/{item}/attachments",
        data={"file": files},
        content_type="multipart/form-data",
    )
    assert (status, answer["error"]["code"]) == (400, "one_file")
    assert api.get(f"/items/{item}/attachments")[1]["documents"] == []
