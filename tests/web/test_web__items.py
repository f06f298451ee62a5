"""Items: the catalog (Tạo mới), starting one, "Hồ sơ của tôi", the item page with its diagram,
history and attachments, who may see what, uploads and downloads, cancelling."""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import ManualClock, transaction
from tests.integration.test_processes__de_xuat_nhiem_vu import HOI_DONG, PHIEU
from tests.integration.test_processes__giao_nhiem_vu import TASK as GIAO
from tests.web.conftest import flashes, post

VENDOR = Path(__file__).parents[2] / "web" / "static" / "vendor"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 64
REASON = "Thiếu dự toán kinh phí chi tiết"


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def status(client: FlaskClient, url: str) -> int:
    with client.get(url) as response:  # closes a streamed file
        return response.status_code


def _item(app: Flask, item_id: int) -> engine.InstanceView:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return engine.show_instance(s, item_id)


def _attachments(app: Flask, item_id: int) -> list[engine.AttachmentView]:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return engine.list_attachments(s, item_id)


def _stored_files(app: Flask) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def returned(office: Any) -> int:
    """A proposal by trungtam.cv1, returned once by qlkh.cv2 with a reason, resubmitted and
    accepted: it now waits for the advisory council (a step with a deadline)."""
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    office.do(
        "qlkh.cv2", item, "xem_xet_de_xuat", comment=REASON, decision="tra_lai", y_kien=REASON
    )
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="dong_y")
    return item


# --- Tạo mới ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "offered", "not_offered"),
    [
        ("qlkh.cv1", {"de_xuat_nhiem_vu"}, {"xay_dung_quy_dinh", "giao_nhiem_vu", "trinh_ubnd"}),
        ("trungtam.cv1", {"de_xuat_nhiem_vu"}, {"xay_dung_quy_dinh", "trinh_ubnd"}),
        ("giamdoc", {"de_xuat_nhiem_vu", "xay_dung_quy_dinh", "giao_nhiem_vu"}, {"trinh_ubnd"}),
        ("vp.tp", {"de_xuat_nhiem_vu"}, {"xay_dung_quy_dinh", "trinh_ubnd"}),
    ],
)
def test_items__the_catalog_offers_what_each_person_may_start(
    login: Any, username: str, offered: set[str], not_offered: set[str]
) -> None:
    page = login(username).get("/items/new")
    assert page.status_code == 200
    actions = set(re.findall(r'action="/items/new/([a-z_]+)"', text(page)))
    assert offered <= actions
    assert not actions & not_offered
    assert "Đề xuất nhiệm vụ khoa học và công nghệ" in text(page)
    assert "Lập phiếu đề xuất nhiệm vụ KH&amp;CN cấp tỉnh" in text(page)  # the description


def test_items__in_english_the_catalog_describes_its_processes_in_english(login: Any) -> None:
    client = login("giamdoc")
    post(client, "/", "/lang/en")
    page = text(client.get("/items/new"))
    assert "Propose a science and technology task" in page
    assert "Fill in a proposal for a provincial science and technology task" in page
    assert "Assign a task of the plan to a lead unit" in page
    assert "Lập phiếu đề xuất" not in page


def test_items__the_new_item_page_may_come_back_on_back(login: Any) -> None:
    """Tạo mới alone is not "no-store": Chromium keeps it as it was left and shows it again on
    Back, with the same resend key, so "Tạo hồ sơ" sent again gives the item already made
    (seen in Chromium against `pheduyet serve`; a resent key: tests/web/test_web__start_once).
    Pages that show items stay out of every cache."""
    client = login("trungtam.cv1")
    assert client.get("/items/new").headers["Cache-Control"] == "private, no-cache"
    assert client.get("/").headers["Cache-Control"] == "no-store"


def test_items__starting_goes_to_the_first_task_with_a_message(login: Any, app: Flask) -> None:
    client = login("trungtam.cv1")
    response = post(
        client,
        "/items/new",
        "/items/new/de_xuat_nhiem_vu",
        {"tieu_de": "  Chuỗi liên kết lúa gạo  "},
    )
    assert response.status_code == 303
    item = _item(app, 1)
    assert (item.title, item.created_by) == ("Chuỗi liên kết lúa gạo", "trungtam.cv1")
    [task] = item.open_tasks
    assert task.element_id == "lap_phieu_de_xuat"
    assert response.headers["Location"].endswith(f"/tasks/{task.id}")
    assert "Đã tạo hồ sơ số 1: Chuỗi liên kết lúa gạo" in flashes(text(client.get("/items/")))[0]


def test_items__the_typed_title_fills_the_field_that_names_the_item(login: Any, app: Flask) -> None:
    """A proposal's "Tên nhiệm vụ" shows what its "Tiêu đề" said, to keep or correct, instead
    of asking it again; a title left empty fills nothing."""
    client = login("trungtam.cv1")
    start = post(client, "/items/new", "/items/new/de_xuat_nhiem_vu", {"tieu_de": "Lúa gạo"})
    form = text(client.get(start.headers["Location"]))
    box = form[form.index('name="ten_nhiem_vu"') :]
    assert box[: box.index(">")].count('value="Lúa gạo"') == 1
    # The start has no form of its own: its field shows under the label the proposal's gives it.
    dossier = text(client.get("/items/1")).split('class="card dossier"')[1].split("</section>")[0]
    assert "<dt>Tên nhiệm vụ</dt>" in dossier and "ten_nhiem_vu" not in dossier
    untitled = post(client, "/items/new", "/items/new/de_xuat_nhiem_vu", {"tieu_de": ""})
    form = text(client.get(untitled.headers["Location"]))
    box = form[form.index('name="ten_nhiem_vu"') :]
    assert 'value="' not in box[: box.index(">")] or 'value=""' in box[: box.index(">")]
    assert _item(app, 2).title == "Đề xuất nhiệm vụ khoa học và công nghệ"


def test_items__a_typed_title_corrected_at_the_first_step_is_followed(
    login: Any, app: Flask
) -> None:
    """The typed title fills "Tên nhiệm vụ" to keep or correct: corrected there, the item's
    name follows (the dossier once showed two names); a name given by a rename stays."""
    client = login("trungtam.cv1")
    start = post(client, "/items/new", "/items/new/de_xuat_nhiem_vu", {"tieu_de": "Lúa gạo"})
    url = start.headers["Location"]
    page = text(client.get(url))
    revision = re.search(r'name="_revision" value="(\d+)"', page)
    sent = {**PHIEU, "ten_nhiem_vu": "Chuỗi liên kết lúa gạo hữu cơ"}
    form = {k: str(v) for k, v in sent.items()}
    form["_revision"] = revision.group(1) if revision else ""
    assert post(client, url, url, form).status_code == 302  # done: back to the inbox
    item = _item(app, 1)
    assert item.title == "Chuỗi liên kết lúa gạo hữu cơ"
    assert [h.kind for h in item.history].count("renamed") == 1


def test_items__a_title_left_empty_is_the_process_title(login: Any, app: Flask) -> None:
    client = login("giamdoc")
    response = post(client, "/items/new", "/items/new/xay_dung_quy_dinh", {"tieu_de": ""})
    assert response.status_code == 303
    item = _item(app, 1)
    assert item.title == "Xây dựng dự thảo quy định"
    assert response.headers["Location"].endswith(f"/tasks/{item.open_tasks[0].id}")


@pytest.mark.parametrize(
    ("username", "process_id", "status"),
    [
        ("qlkh.cv1", "xay_dung_quy_dinh", 403),  # only lanh_dao_so may
        ("qlkh.cv1", "giao_nhiem_vu", 403),
        ("giamdoc", "trinh_ubnd", 404),  # called by other processes only
        ("giamdoc", "khong_co_quy_trinh", 404),
    ],
)
def test_items__a_start_not_allowed_is_refused_and_nothing_is_stored(
    login: Any, app: Flask, username: str, process_id: str, status: int
) -> None:
    client = login(username)
    response = post(client, "/items/new", f"/items/new/{process_id}", {"tieu_de": "Thử"})
    assert response.status_code == status
    assert "Không có quyền" in text(response) or "Không tìm thấy" in text(response)
    with pytest.raises(engine.NotFound):
        _item(app, 1)
    assert "Bạn chưa có hồ sơ nào" in text(client.get("/items/"))


@pytest.mark.parametrize("who", ["giamdoc", "vp.tp"])
def test_items__a_planned_task_started_by_hand_asks_the_leadership_first(
    login: Any, app: Flask, who: str
) -> None:
    client = login(who)
    assert "Giao nhiệm vụ theo kế hoạch" in text(client.get("/items/new"))
    sent = {"tieu_de": "Việc mới", "noi_dung_day_du": "Tổng hợp báo cáo tình hình thực hiện"}
    response = post(client, "/items/new", "/items/new/giao_nhiem_vu", sent)
    assert response.status_code == 303
    assert [t.element_id for t in _item(app, 1).open_tasks] == ["phan_cong"]


def test_items__starting_needs_a_csrf_token(login: Any, app: Flask) -> None:
    response = login("qlkh.cv1").post("/items/new/de_xuat_nhiem_vu", data={"tieu_de": "x"})
    assert response.status_code == 400
    with pytest.raises(engine.NotFound):
        _item(app, 1)


# --- Hồ sơ của tôi ------------------------------------------------------------------------


def test_items__mine_lists_what_i_started_or_acted_on_newest_first(
    login: Any, office: Any, returned: int, web_clock: ManualClock
) -> None:
    web_clock.advance(timedelta(days=1))
    second = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    owner = text(login("trungtam.cv1").get("/items/"))
    assert owner.index(f'href="/items/{second}"') < owner.index(f'href="/items/{returned}"')
    assert "Đang xử lý" in owner
    assert "Hội đồng tư vấn đánh giá theo 4 tiêu chí" in owner  # the current step
    assert "Hội đồng tư vấn xác định nhiệm vụ" in owner  # its holder
    assert "03/03/2026" in owner  # the last change of the second item
    participant = text(login("qlkh.cv2").get("/items/"))
    assert f'href="/items/{returned}"' in participant
    assert f'href="/items/{second}"' not in participant
    stranger = text(login("cn.cv1").get("/items/"))
    assert "Bạn chưa có hồ sơ nào" in stranger


def test_items__mine_shows_finished_and_cancelled_items(login: Any, office: Any) -> None:
    item = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    office.cancel(item, "trungtam.cv1", "Nhập nhầm")
    page = text(login("trungtam.cv1").get("/items/"))
    assert "Đã hủy" in page


# --- The item page ------------------------------------------------------------------------


def test_items__the_page_shows_the_history_with_the_return_and_its_reason(
    login: Any, returned: int
) -> None:
    page = text(login("trungtam.cv1").get(f"/items/{returned}"))
    assert "Đề xuất nhiệm vụ khoa học và công nghệ" in page and "phiên bản 1" in page
    assert "Hà Thị Linh" in page  # the starter by name
    timeline = page[page.index('class="timeline"') :]
    for words in (
        "Tạo hồ sơ",
        "Đã xử lý",
        "Lập phiếu đề xuất nhiệm vụ",
        "Xem xét, tổng hợp đề xuất",
        "Đặng Thị Chi",
        "Đạt, trình Hội đồng",
        "02/03/2026 08:00",
    ):
        assert words in timeline, words
    returned_entry = re.search(r'<li class="event-completed return">(.*?)</li>', timeline, re.S)
    assert returned_entry, "the return is not marked"
    assert "Trả lại" in returned_entry.group(1) and REASON in returned_entry.group(1)
    assert "Lý do trả lại" in returned_entry.group(1)


def test_items__the_page_shows_the_holder_and_the_due_date_and_overdue(
    login: Any, returned: int, web_clock: ManualClock, app: Flask
) -> None:
    client = login("trungtam.cv1")
    [task] = _item(app, returned).open_tasks
    assert task.due_at is not None
    page = text(client.get(f"/items/{returned}"))
    holders = page[page.index('id="dang-cho"') : page.index('id="tep-dinh-kem"')]
    assert "Hội đồng tư vấn đánh giá theo 4 tiêu chí" in holders
    assert "Hội đồng tư vấn xác định nhiệm vụ" in holders
    assert "Hạn xử lý" in holders and "23/03/2026" in holders
    assert "Quá hạn" not in holders
    assert "/tasks/" not in holders  # the proposer cannot act on the council's step
    web_clock.advance(task.due_at - web_clock() + timedelta(hours=1))
    page = text(client.get(f"/items/{returned}"))
    assert "Quá hạn" in page[page.index('id="dang-cho"') : page.index('id="tep-dinh-kem"')]


def test_items__the_history_names_a_timer_that_fired_as_its_diagram_does(
    login: Any, office: Any, web_clock: ManualClock, app: Flask
) -> None:
    """The reminder and the lateness of an assigned task, fired by the clock, read by the
    names on the diagram ("Nhắc hạn", "Quá hạn"), never by the elements' ids."""
    from workflows import engine_config

    item = int(office.start("giao_nhiem_vu", "vp.tp", **GIAO))
    web_clock.advance(timedelta(days=40))
    engine.run_due_timers(app.extensions["pheduyet.sessions"], engine_config(web_clock))
    page = text(login("cs.cv1").get(f"/items/{item}"))
    history = page[page.index('id="qua-trinh"') :]
    history = history[: history.index("</section>")]
    fired = re.findall(r'— ([^:<]*): <span class="step">([^<]*)</span>', history)
    assert fired == [("Đến thời điểm hẹn", "Nhắc hạn"), ("Đến thời điểm hẹn", "Quá hạn")]
    # An id the item's process shares with a process it calls is named as the item's own.
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        titles = engine.step_titles(s, item)
    assert titles["ket_thuc"] == "Hoàn thành"  # thuc_hien_nhiem_vu's says "Đã báo cáo kết quả"


def test_items__the_holder_gets_a_link_to_the_task(login: Any, returned: int, app: Flask) -> None:
    [task] = _item(app, returned).open_tasks
    page = text(login("hoidong").get(f"/items/{returned}"))
    assert f'href="/tasks/{task.id}"' in page


def test_items__the_diagram_has_its_data_and_a_text_alternative(login: Any, returned: int) -> None:
    page = text(login("trungtam.cv1").get(f"/items/{returned}"))
    assert f'data-diagram-url="/items/{returned}/diagram.xml"' in page
    assert f'data-progress-url="/items/{returned}/progress.json"' in page
    assert "/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js" in page
    assert "/static/js/diagram.js" in page
    steps = page[page.index('id="cac-buoc"') : page.index('aria-labelledby="qua-trinh"')]
    done = steps[: steps.index("Đang ở bước")]
    assert "Lập phiếu đề xuất nhiệm vụ" in done and "Xem xét, tổng hợp đề xuất" in done
    assert "Hội đồng tư vấn đánh giá theo 4 tiêu chí" in steps[steps.index("Đang ở bước") :]


def test_items__diagram_xml_is_the_items_own_version(login: Any, returned: int) -> None:
    response = login("trungtam.cv1").get(f"/items/{returned}/diagram.xml")
    assert response.status_code == 200
    assert response.mimetype == "text/xml"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert 'id="lap_phieu_de_xuat"' in text(response) and "bpmndi:BPMNDiagram" in text(response)


def test_items__progress_says_which_steps_are_done_and_which_are_current(
    login: Any, office: Any, returned: int
) -> None:
    client = login("trungtam.cv1")
    progress = client.get(f"/items/{returned}/progress.json").get_json()
    assert progress["current"] == ["danh_gia_hoi_dong"]
    assert {"bat_dau", "lap_phieu_de_xuat", "xem_xet_de_xuat"} <= set(progress["completed"])
    assert "danh_gia_hoi_dong" not in progress["completed"]
    office.do("hoidong", returned, "danh_gia_hoi_dong", **HOI_DONG)
    progress = client.get(f"/items/{returned}/progress.json").get_json()
    assert progress["current"] == ["quyet_dinh_giam_doc"]
    assert "danh_gia_hoi_dong" in progress["completed"]


# --- Who may see what ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "sees"),
    [
        ("trungtam.cv1", True),  # the starter
        ("qlkh.cv2", True),  # acted on it
        ("qlkh.cv1", True),  # a candidate of a step (the science office)
        ("hoidong", True),  # may act on it now
        ("giamdoc", True),  # an auditor: the Sở's leadership
        ("tt.tp", True),  # an auditor: the inspectorate
        ("quantri", True),  # an administrator
        ("cn.cv1", False),  # another unit's staff, never part of it
        ("khtc.tp", False),  # another unit's head
    ],
)
def test_items__who_may_see_an_item_and_its_files(
    login: Any, office: Any, app: Flask, returned: int, username: str, sees: bool
) -> None:
    owner = login("trungtam.cv1")
    post(
        owner,
        f"/items/{returned}",
        f"/items/{returned}/attachments",
        {"tep": [(io.BytesIO(PDF), "phieu.pdf")]},
        content_type="multipart/form-data",
    )
    [attachment] = _attachments(app, returned)
    before = _item(app, returned)
    client = login(username)
    urls = [
        f"/items/{returned}",
        f"/items/{returned}/diagram.xml",
        f"/items/{returned}/progress.json",
        f"/attachments/{attachment.id}",
    ]
    for url in urls:
        assert status(client, url) == (200 if sees else 404), url
    if not sees:
        assert "Không tìm thấy" in text(client.get(f"/items/{returned}"))
        upload = post(
            client,
            "/items/",
            f"/items/{returned}/attachments",
            {"tep": [(io.BytesIO(PDF), "khac.pdf")]},
            content_type="multipart/form-data",
        )
        cancel = post(client, "/items/", f"/items/{returned}/cancel", {"ly_do": "Không cần"})
        assert (upload.status_code, cancel.status_code) == (404, 404)
        assert f'href="/items/{returned}"' not in text(client.get("/items/"))
    after = _item(app, returned)
    assert (after.status, len(after.history)) == (before.status, len(before.history))
    assert len(_attachments(app, returned)) == 1


def test_items__an_unknown_item_or_file_is_not_found(login: Any) -> None:
    client = login("giamdoc")
    for url in (
        "/items/999",
        "/items/999/diagram.xml",
        "/items/999/progress.json",
        "/attachments/khong-co",
        "/attachments/00000000-0000-0000-0000-000000000000",
    ):
        assert status(client, url) == 404, url


# --- Attachments --------------------------------------------------------------------------


def _upload(client: FlaskClient, item: int, *files: tuple[bytes, str]) -> Any:
    return post(
        client,
        f"/items/{item}",
        f"/items/{item}/attachments",
        {"tep": [(io.BytesIO(content), name) for content, name in files]},
        content_type="multipart/form-data",
        follow_redirects=True,
    )


def test_items__a_pdf_is_attached_and_downloaded_as_a_file(
    login: Any, app: Flask, returned: int
) -> None:
    client = login("hoidong")  # the council holds the item's open step
    page = _upload(client, returned, (PDF, "Phiếu đề xuất.pdf"))
    assert "Đã đính kèm tệp Phiếu đề xuất.pdf" in text(page)
    [attachment] = _attachments(app, returned)
    assert (attachment.uploaded_by, attachment.size) == ("hoidong", len(PDF))
    files = text(page)[text(page).index('id="tep-dinh-kem"') :]
    assert f'href="/attachments/{attachment.id}"' in files
    assert "Thư ký Hội đồng tư vấn" in files and "02/03/2026" in files and "byte" in files
    timeline = text(page)[text(page).index('class="timeline"') :]
    assert "Đính kèm tệp" in timeline
    with login("giamdoc").get(f"/attachments/{attachment.id}") as download:
        assert download.status_code == 200
        assert download.get_data() == PDF
    assert download.mimetype == "application/pdf"
    assert download.headers["Content-Disposition"].startswith("inline;")  # a PDF opens
    assert "filename*=UTF-8''Phi%E1%BA%BFu" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in download.headers["Cache-Control"]
    stored = _stored_files(app)
    assert len(stored) == 1 and "static" not in stored[0].parts


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (EXE, "bao_cao.pdf", "nội dung không phải là tệp .pdf thật"),
        (EXE, "setup.exe", "loại tệp .exe không được nhận"),
        (b"", "rong.pdf", "tệp rỗng"),
        (b"\xff\xfe\x00 not utf-8 \xff", "ghi_chu.txt", "tệp .txt phải là văn bản UTF-8"),
    ],
    ids=["renamed-exe", "exe", "empty", "txt-not-utf8"],
)
def test_items__a_refused_file_says_why_and_stores_nothing(
    login: Any, app: Flask, returned: int, content: bytes, name: str, message: str
) -> None:
    page = _upload(login("trungtam.cv1"), returned, (content, name))
    assert f"Không nhận tệp {name}: {message}" in text(page)
    assert _attachments(app, returned) == []
    assert _stored_files(app) == []
    assert "Đính kèm tệp" not in text(page)[text(page).index('class="timeline"') :]


def test_items__a_file_over_the_limit_is_refused(login: Any, app: Flask, returned: int) -> None:
    app.config["MAX_ATTACHMENT_BYTES"] = 100
    page = _upload(login("trungtam.cv1"), returned, (PDF + b"0" * 100, "lon.pdf"))
    assert "Không nhận tệp lon.pdf: tệp lớn hơn giới hạn 100 byte" in text(page)
    assert _attachments(app, returned) == [] and _stored_files(app) == []


def test_items__among_several_files_only_the_refused_one_is_left_out(
    login: Any, app: Flask, returned: int
) -> None:
    page = _upload(login("trungtam.cv1"), returned, (PDF, "a.pdf"), (EXE, "b.exe"))
    assert "Đã đính kèm tệp a.pdf" in text(page) and "Không nhận tệp b.exe" in text(page)
    assert [a.filename for a in _attachments(app, returned)] == ["a.pdf"]
    assert len(_stored_files(app)) == 1


def test_items__a_request_over_the_upload_limit_gets_a_413_page_in_vietnamese(
    login: Any, app: Flask, returned: int
) -> None:
    client = login("trungtam.cv1")
    app.config["MAX_CONTENT_LENGTH"] = 2000
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', text(client.get(f"/items/{returned}"))
    ).group(1)  # type: ignore[union-attr]
    response = client.post(
        f"/items/{returned}/attachments",
        data={"csrf_token": token, "tep": (io.BytesIO(PDF * 100), "to.pdf")},
        content_type="multipart/form-data",
        headers={"Referer": f"http://localhost/items/{returned}"},
    )
    assert response.status_code == 413
    page = text(response)
    assert "Tệp quá lớn" in page and "tối đa 20 MB một lần gửi" in page
    # Back as the browser goes back: to the page with what was typed there.
    assert f'href="http://localhost/items/{returned}" data-history-back>Quay lại</a>' in page
    assert _attachments(app, returned) == []


def test_items__uploading_without_a_file_says_so(login: Any, app: Flask, returned: int) -> None:
    page = _upload(login("trungtam.cv1"), returned)
    assert "Hãy chọn ít nhất một tệp" in text(page)


def test_items__a_finished_item_takes_no_more_files(
    login: Any, app: Flask, office: Any, returned: int
) -> None:
    client = login("trungtam.cv1")
    office.cancel(returned, "trungtam.cv1", "Không còn cần thiết")
    page = text(client.get(f"/items/{returned}"))
    assert f'action="/items/{returned}/attachments"' not in page
    page = text(_upload(client, returned, (PDF, "muon.pdf")))
    assert "không đính kèm thêm được" in page
    assert _attachments(app, returned) == []


# --- Cancelling ---------------------------------------------------------------------------


def test_items__cancelling_needs_a_reason(login: Any, app: Flask, returned: int) -> None:
    client = login("trungtam.cv1")
    page = post(
        client,
        f"/items/{returned}",
        f"/items/{returned}/cancel",
        {"ly_do": "  "},
        follow_redirects=True,
    )
    assert "Hủy hồ sơ phải nêu lý do" in text(page)
    assert _item(app, returned).status == "running"
    page = post(
        client,
        f"/items/{returned}",
        f"/items/{returned}/cancel",
        {"ly_do": "Đơn vị rút đề xuất"},
        follow_redirects=True,
    )
    assert f"Đã hủy hồ sơ số {returned}" in " ".join(flashes(text(page)))
    assert _item(app, returned).status == "cancelled"
    timeline = text(page)[text(page).index('class="timeline"') :]
    assert "Hủy hồ sơ" in timeline and "Đơn vị rút đề xuất" in timeline
    assert "Lý do hủy" in timeline
    assert f'action="/items/{returned}/cancel"' not in text(page)


@pytest.mark.parametrize(("username", "status"), [("qlkh.cv2", 403), ("giamdoc", 403)])
def test_items__only_the_starter_or_an_admin_may_cancel(
    login: Any, app: Flask, returned: int, username: str, status: int
) -> None:
    client = login(username)
    assert f'action="/items/{returned}/cancel"' not in text(client.get(f"/items/{returned}"))
    response = post(client, f"/items/{returned}", f"/items/{returned}/cancel", {"ly_do": "x"})
    assert response.status_code == status
    assert _item(app, returned).status == "running"


def test_items__an_admin_may_cancel(login: Any, app: Flask, returned: int) -> None:
    client = login("quantri")
    assert f'action="/items/{returned}/cancel"' in text(client.get(f"/items/{returned}"))
    post(client, f"/items/{returned}", f"/items/{returned}/cancel", {"ly_do": "Trùng hồ sơ"})
    assert _item(app, returned).status == "cancelled"


# --- Assets and the content security policy -----------------------------------------------


def test_items__pages_have_no_inline_scripts_or_styles_and_no_outside_links(
    login: Any, returned: int
) -> None:
    client = login("trungtam.cv1")
    for url in ("/items/new", "/items/", f"/items/{returned}"):
        page = text(client.get(url))
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), url
        assert "style=" not in page and "<style" not in page, url
        for asset in re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page):
            assert asset.startswith("/static/"), asset
            assert status(client, asset) == 200, asset


def test_items__the_vendored_viewer_matches_its_record() -> None:
    record = json.loads((VENDOR / "VENDOR.json").read_text("utf-8"))["bpmn-js"]
    assert record["version"] == "18.31.1"
    assert "bpmn-js-18.31.1.tgz" in record["source"]
    assert "watermark" in record["licence"]
    for name, digest in record["files"].items():
        path = VENDOR / "bpmn-js" / name
        assert hashlib.sha256(path.read_bytes()).hexdigest() == digest, name
    assert "bpmn-navigated-viewer.production.min.js" in record["files"]
    assert "watermark" in (VENDOR / "bpmn-js" / "LICENSE").read_text("utf-8")
    on_disk = {
        p.relative_to(VENDOR / "bpmn-js").as_posix()
        for p in (VENDOR / "bpmn-js").rglob("*")
        if p.is_file()
    }
    assert on_disk == set(record["files"])


@pytest.mark.parametrize("who", ["qlkh.cv2", "tt.cv1", "giamdoc"])
def test_items__seeing_an_item_is_not_enough_to_add_files_to_it(
    login: Any, app: Flask, returned: int, who: str
) -> None:
    client = login(who)
    page = text(client.get(f"/items/{returned}"))
    assert 'name="tep"' not in page  # no upload form for someone without a part in it
    response = _upload(client, returned, (PDF, "thay_the.pdf"))
    assert response.status_code == 403
    assert _attachments(app, returned) == []


def test_items__an_absurd_item_number_is_not_found(login: Any) -> None:
    client = login("qlkh.cv1")
    assert client.get("/items/99999999999999999999999").status_code == 404


def _menu_on(client: Any, url: str) -> list[str]:
    """The menu entries marked as where the page belongs."""
    nav = text(client.get(url)).split("<nav", 1)[1].split("</nav>", 1)[0]
    return re.findall(r'class="on">([^<]+)</a>', nav)


@pytest.mark.parametrize(
    ("username", "marked"),
    [
        ("trungtam.cv1", ["Hồ sơ của tôi"]),  # started it
        ("qlkh.cv2", ["Hồ sơ của tôi"]),  # acted on it
        ("hoidong", ["Việc cần xử lý"]),  # its step waits for them
        ("giamdoc", ["Theo dõi"]),  # a monitor's look at another's item
    ],
)
def test_items__the_menu_marks_the_list_the_item_belongs_to_for_each_person(
    login: Any, returned: int, username: str, marked: list[str]
) -> None:
    assert _menu_on(login(username), f"/items/{returned}") == marked
