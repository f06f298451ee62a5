"""Nhập kế hoạch from the web: upload a plan, review and correct its rows, start the tasks."""

from __future__ import annotations

import html
import io
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import transaction
from tests.conftest import FIXTURES
from tests.web.conftest import csrf_token, post
from workflows.plan_assign import PROCESS_ID
from workflows.plan_import import find_assignments, read_plan

PLAN = FIXTURES / "plan" / "ke_hoach_2020.txt"
ROWS = find_assignments(read_plan(PLAN))
ADMIN = "quantri"
LEADER = "giamdoc"  # Lãnh đạo Sở: one of the people of Theo dõi
_ITEM_LINK = re.compile(r'href="/items/(\d+)"')
_FORM_ACTION = re.compile(r'<form method="post" action="(/plan-import/[^"]+)"')
_START_KEY = re.compile(r'name="khoa_tao_moi" value="([^"]+)"')


@pytest.fixture(autouse=True)
def draft_folder(app: Flask, tmp_path: Path) -> Path:
    folder = tmp_path / "plan_imports"
    app.config["PLAN_IMPORT_FOLDER"] = str(folder)
    return folder


def titles(app: Flask) -> set[str]:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return engine.instance_titles(s, PROCESS_ID)


def item(app: Flask, item_id: int) -> engine.InstanceView:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return engine.show_instance(s, item_id)


def upload(client: FlaskClient, content: bytes, name: str, year: str = "") -> Any:
    return post(
        client,
        "/plan-import/",
        "/plan-import/",
        {"ke_hoach": (io.BytesIO(content), name), "nam": year},
        content_type="multipart/form-data",
    )


def review(client: FlaskClient) -> tuple[str, str]:
    """Upload the plan fixture (tests/fixtures/plan); the review page's URL and HTML."""
    response = upload(client, PLAN.read_bytes(), PLAN.name)
    assert response.status_code == 303, response.get_data(as_text=True)
    url = response.headers["Location"]
    return url, client.get(url).get_data(as_text=True)


def text_of(response: Any) -> str:
    return html.unescape(response.get_data(as_text=True))


def test_plan_import__admin_corrects_rows_and_starts_each_kept_one_once(
    app: Flask, login: Any
) -> None:
    client = login(ADMIN)
    _url, page = review(client)
    shown = html.unescape(page)
    assert shown.count('name="bo_qua_') == len(ROWS)
    assert "10/06/2020" in shown and "Không có thời hạn" in shown  # deadlines as people read
    assert "Thường xuyên" in shown and "Trong năm 2020" in shown
    assert "Kế hoạch không nêu đơn vị chủ trì" in shown  # the reason a row needs a decision
    assert "Giữ như trong văn bản" in shown
    action = _FORM_ACTION.search(page)
    key = _START_KEY.search(page)
    assert action and key
    # Row 1 names no lead: the person picks one; row 3's deadline moves; row 2 is left out.
    form = {
        "csrf_token": csrf_token(page),
        "khoa_tao_moi": key.group(1),
        "chu_tri_0": "phong_qlkh",
        "han_2": "2026-07-31",
        "bo_qua_1": "1",
    }
    response = client.post(action.group(1), data=form)
    assert response.status_code == 303
    result = client.get(response.headers["Location"])
    summary = text_of(result)
    assert f"đã khởi tạo {len(ROWS) - 1} nhiệm vụ" in summary
    assert "1 dòng được bỏ qua" in summary
    started = [int(i) for i in _ITEM_LINK.findall(result.get_data(as_text=True))]
    assert len(started) == len(ROWS) - 1 == len(titles(app))

    by_section_text = {item(app, i).data["noi_dung_day_du"]: item(app, i) for i in started}
    first = by_section_text[ROWS[0].text or ROWS[0].summary]
    assert first.data["don_vi_chu_tri"] == "phong_qlkh"
    assert first.data["ten_don_vi_chu_tri"] == "Phòng Quản lý Khoa học"
    third = by_section_text[ROWS[2].text or ROWS[2].summary]
    assert third.data["han_hoan_thanh"] == "2026-07-31"
    assert third.data["han_goc"] == "2020-06-15"  # the plan's own words stay with the item
    assert (ROWS[1].text or ROWS[1].summary) not in by_section_text

    # The same form again (a double click, a resend): nothing more.
    again = client.post(action.group(1), data=form)
    assert again.status_code == 303
    assert len(titles(app)) == len(ROWS) - 1
    assert "không khởi tạo thêm" in text_of(client.get(again.headers["Location"]))


def test_plan_import__a_fresh_form_of_a_started_plan_starts_only_new_rows(
    app: Flask, login: Any
) -> None:
    client = login(LEADER)
    _url, page = review(client)
    action = _FORM_ACTION.search(page)
    assert action
    first = {"csrf_token": csrf_token(page), "khoa_tao_moi": "a" * 24, "bo_qua_1": "1"}
    assert client.post(action.group(1), data=first).status_code == 303
    assert len(titles(app)) == len(ROWS) - 1
    # Another upload and form (new key), the left-out row kept this time: only it starts.
    _url, page = review(client)
    action = _FORM_ACTION.search(page)
    assert action
    second = {"csrf_token": csrf_token(page), "khoa_tao_moi": "b" * 24}
    response = client.post(action.group(1), data=second)
    summary = text_of(client.get(response.headers["Location"]))
    assert "đã khởi tạo 1 nhiệm vụ" in summary
    assert f"{len(ROWS) - 1} nhiệm vụ đã có từ trước" in summary
    assert len(titles(app)) == len(ROWS)


@pytest.mark.parametrize("who", ["qlkh.cv1", "qlkh.tp"])
def test_plan_import__others_get_403(login: Any, who: str) -> None:
    client = login(who)
    assert client.get("/plan-import/").status_code == 403
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post(
        "/plan-import/",
        data={"csrf_token": token, "ke_hoach": (io.BytesIO(PLAN.read_bytes()), PLAN.name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 403


def test_plan_import__the_review_is_the_uploaders_only(app: Flask, login: Any) -> None:
    url, _page = review(login(ADMIN))
    other = login(LEADER)
    theirs, made_up = other.get(url), other.get("/plan-import/" + "x" * 32)
    assert theirs.status_code == made_up.status_code == 404
    # One page for both, so ids cannot be probed, saying what to do.
    said = theirs.get_data(as_text=True)
    assert said == made_up.get_data(as_text=True)
    assert "Hãy tải tệp kế hoạch lên lại." in said and 'href="/plan-import/"' in said


def _fake_docx() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "không phải văn bản Word")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "name", "words"),
    [
        (b"", "ke_hoach.txt", "Tệp rỗng"),
        ("Kế hoạch\n\nMột văn bản không giao việc.\n".encode(), "ke_hoach.txt", "Không tìm thấy"),
        (b"\xff\xfe\x00k", "ke_hoach.txt", "UTF-8"),
        (b"PK not a real zip", "ke_hoach.docx", "không phải văn bản Word"),
        (_fake_docx(), "ke_hoach.docx", "không phải văn bản Word"),
        (PLAN.read_bytes(), "ke_hoach.pdf", "chỉ nhận"),
    ],
)
def test_plan_import__a_file_that_is_not_a_plan_is_refused_with_a_clear_message(
    app: Flask, login: Any, draft_folder: Path, content: bytes, name: str, words: str
) -> None:
    response = upload(login(ADMIN), content, name)
    assert response.status_code == 422
    assert words.lower() in text_of(response).lower()
    assert titles(app) == set()
    assert not draft_folder.exists() or not any(draft_folder.iterdir())


def test_plan_import__year_moves_the_deadlines(login: Any) -> None:
    client = login(ADMIN)
    response = upload(client, PLAN.read_bytes(), PLAN.name, year="2026")
    page = text_of(client.get(response.headers["Location"]))
    assert "10/06/2026" in page and "Kế hoạch gốc: 10/06/2020" in page
    bad = upload(client, PLAN.read_bytes(), PLAN.name, year="1800")
    assert bad.status_code == 422 and "Năm của kế hoạch" in text_of(bad)


def test_plan_import__the_review_marks_the_deadlines_already_passed(login: Any) -> None:
    """Read as written, the 2020 plan's dates are long past: each such row says so, and the
    page says where those tasks go (the leadership's Phân công) unless a new day is typed.
    Moved to 2026 (today is 02/03/2026), none has passed."""
    client = login(ADMIN)
    _url, page = review(client)
    page = html.unescape(page)
    rows = re.findall(r'<tr id="dong-\d+">.*?</tr>', page, re.S)
    passed = [r for r in rows if '<span class="badge overdue">Đã hết hạn</span>' in r]
    assert passed and all("2020" in r for r in passed)  # "15/06/2020", "Trong năm 2020"
    assert len(passed) < len(rows)  # "Thường xuyên", "Từ năm 2021": no day has passed
    # On a phone the table's rows stack: each cell names its column.
    assert all('data-label="Thời hạn"' in r and 'data-label="Bỏ qua"' in r for r in rows)
    assert f"{len(passed)} nhiệm vụ có thời hạn đã qua" in page
    moved = text_of(client.get(upload(client, PLAN.read_bytes(), PLAN.name, "2026").location))
    assert "Đã hết hạn" not in moved and "có thời hạn đã qua" not in moved


def test_plan_import__a_wrong_correction_starts_nothing(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    url, page = review(client)
    form = {"csrf_token": csrf_token(page), "khoa_tao_moi": "c" * 24, "chu_tri_0": "khong_co"}
    response = client.post(url, data=form)
    assert response.status_code == 422
    assert "Dòng 1" in text_of(response)
    every = {f"bo_qua_{i}": "1" for i in range(len(ROWS))}
    response = client.post(url, data={**form, "chu_tri_0": "", **every})
    assert response.status_code == 422
    # A new deadline already past (today is 02/03/2026) would only send the task to the
    # leadership to set another: refused, as Phân công refuses it.
    response = client.post(url, data={**form, "chu_tri_0": "", "han_2": "2026-03-01"})
    assert response.status_code == 422
    assert "Dòng 3: thời hạn mới đã qua" in text_of(response)
    assert titles(app) == set()


def test_plan_import__csrf_is_enforced(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    response = client.post(
        "/plan-import/",
        data={"ke_hoach": (io.BytesIO(PLAN.read_bytes()), PLAN.name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    url, _page = review(client)
    assert client.post(url, data={"khoa_tao_moi": "d" * 24}).status_code == 400
    assert titles(app) == set()


def test_plan_import__linked_from_theo_doi(login: Any) -> None:
    assert 'href="/plan-import/"' in login(LEADER).get("/monitor/").get_data(as_text=True)


_PARTNER = re.compile(r'name="phoi_hop_3" value="([^"]+)"')


def test_plan_import__the_review_sets_an_outside_lead_and_the_sos_cooperating_units(
    app: Flask, login: Any
) -> None:
    """A lead the plan leaves unnamed may be an outside body; the Sở's cooperating units are
    ticked (each gets a task of its own); a forged unit starts nothing and keeps the ticks."""
    client = login(ADMIN)
    _url, page = review(client)
    shown = html.unescape(page)
    assert "Cơ quan, đơn vị ngoài Sở" in shown and "Sửa đơn vị phối hợp thuộc Sở" in shown
    action, key = _FORM_ACTION.search(page), _START_KEY.search(page)
    assert action and key
    # Row 4's lead (Chi cục TĐC) is no partner of its own.
    partners = [k for k in _PARTNER.findall(page) if k != "chi_cuc_tdc"][:2]
    form = {
        "csrf_token": csrf_token(page),
        "khoa_tao_moi": key.group(1),
        "chu_tri_0": "co-quan:Sở Tài chính",
        "phoi_hop_sua_3": "1",
        "phoi_hop_3": [*partners, "khong_co"],
    }
    refused = client.post(action.group(1), data=form)
    assert refused.status_code == 422 and not titles(app)
    again = refused.get_data(as_text=True)
    assert "Dòng 4: hãy chọn đơn vị phối hợp trong danh sách." in html.unescape(again)
    assert all(f'name="phoi_hop_3" value="{k}" checked' in again for k in partners)
    # Only the row whose list was changed comes back open.
    assert again.count("<details open><summary>Sửa đơn vị phối hợp") == 1

    response = client.post(action.group(1), data={**form, "phoi_hop_3": partners})
    assert response.status_code == 303
    started = {
        item(app, i).data["noi_dung_day_du"]: item(app, i) for i in _started(client, response)
    }
    first = started[ROWS[0].text or ROWS[0].summary]
    assert (first.data["don_vi_chu_tri"], first.data["ten_don_vi_chu_tri"]) == (
        None,
        "Sở Tài chính",
    )
    fourth = started[ROWS[3].text or ROWS[3].summary]
    assert fourth.data["ma_don_vi_phoi_hop"] == partners
    assert len(fourth.data["don_vi_phoi_hop"]) == 2
    third = started[ROWS[2].text or ROWS[2].summary]  # untouched: as the plan has them
    assert third.data["don_vi_phoi_hop"] == list(ROWS[2].cooperating_units)


def _started(client: FlaskClient, response: Any) -> list[int]:
    result = client.get(response.headers["Location"])
    return [int(i) for i in _ITEM_LINK.findall(result.get_data(as_text=True))]
