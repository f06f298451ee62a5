"""Việc cần xử lý and the task page: who sees which task, urgency, every department form,
completing with data, comments and files, returns with their reason, claim, release, forward,
and what must never happen (another unit's task, no CSRF token, a double approval, a bad file).
A task's POST is checked and run differently on the two databases (engine.rehearses): those
tests run on both."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from html import escape
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import engine
from engine import ManualClock, transaction
from tests.conftest import FIXTURES
from tests.integration.test_processes__de_xuat_nhiem_vu import HOI_DONG, PHIEU
from tests.integration.test_processes__giao_nhiem_vu import TASK as GIAO_TASK
from tests.integration.test_processes__trinh_ubnd import TO_TRINH
from tests.integration.test_processes__xay_dung_quy_dinh import DU_THAO
from tests.integration.test_processes__xay_dung_quy_dinh import PATH as QUY_DINH_PATH
from tests.office import TIME_PASSES
from tests.web.api_helpers import ON_BOTH, app_either  # noqa: F401  (the app fixture)
from tests.web.conftest import csrf_token, flashes, post, with_draft
from web.formatting import ZONE

DONG_Y = {"decision": "dong_y"}
# Each process: who starts it, with what, then every step in order as (who, step, data).
PATHS: dict[str, tuple[str, dict[str, Any], list[tuple[str, str, dict[str, Any]]]]] = {
    "de_xuat_nhiem_vu": (
        "trungtam.cv1",
        {},
        [
            ("trungtam.cv1", "lap_phieu_de_xuat", PHIEU),
            ("qlkh.cv2", "xem_xet_de_xuat", DONG_Y),
            ("hoidong", "danh_gia_hoi_dong", HOI_DONG),
            ("giamdoc", "quyet_dinh_giam_doc", {"decision": "phe_duyet"}),
            ("qlkh.cv1", "soan_to_trinh", TO_TRINH),
            ("qlkh.tp", "kiem_tra_noi_dung", DONG_Y),
            ("vp.vanthu", "kiem_tra_the_thuc", DONG_Y),
            ("giamdoc", "ky_to_trinh", {"decision": "ky"}),
            ("vp.vanthu", "phat_hanh", {"ngay_ban_hanh": "2026-03-02"}),
            ("vp.vanthu", "gui_van_ban", {}),
            ("vpubnd", "tiep_nhan", {"so_den": 88}),
            ("vpubnd", "tham_tra_ho_so", {"decision": "du_ho_so"}),
            (
                "chutich",
                "chi_dao",
                {"decision": "phe_duyet", "so_quyet_dinh": "88/QĐ-UBND", "ngay_ky": "2026-03-02"},
            ),
        ],
    ),
    "xay_dung_quy_dinh": ("giamdoc", {}, QUY_DINH_PATH),
    "giao_nhiem_vu": (
        "vp.tp",
        {**GIAO_TASK, "don_vi_chu_tri": None},
        [
            ("giamdoc", "phan_cong", {"don_vi_chu_tri": "phong_qlkh", "han_xu_ly": "2026-06-30"}),
            (
                "qlkh.cv1",
                "cap_nhat_tien_do",
                {"ty_le_hoan_thanh": 100, "hoan_thanh": True, "noi_dung_cap_nhat": "Đã xong"},
            ),
            ("qlkh.cv1", "bao_cao_ket_qua", {"so_bao_cao": "15/BC", "ket_qua": "Hoàn thành"}),
            ("giamdoc", "danh_gia_ket_qua", {"decision": "chap_nhan"}),
        ],
    ),
}
CASES = [
    (process, index)
    for process, (_w, _d, steps) in PATHS.items()
    for index in range(len(steps))
    if steps[index][0] != TIME_PASSES
]


def _start(office: Any, process: str, who: str, title: str | None = None, **data: Any) -> int:
    with transaction(office.factory) as s:
        return engine.start_instance(s, office.config, process, who, title=title, data=data)


def _attachments(app: Flask, item: int) -> list[engine.AttachmentView]:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return engine.list_attachments(s, item)


def _stored_files(app: Flask) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return sorted(folder.iterdir()) if folder.exists() else []


def _proposal(office: Any, title: str = "Chuỗi liên kết lúa gạo") -> int:
    """An item waiting at Phòng Quản lý Khoa học's review."""
    item = _start(office, "de_xuat_nhiem_vu", "trungtam.cv1", title)
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    return item


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def _url(office: Any, who: str, item: int, step: str) -> str:
    return f"/tasks/{office.task(who, item, step).id}"


def _form_data(data: dict[str, Any]) -> dict[str, Any]:
    """How a browser sends these values: text, and checkboxes only when ticked."""
    sent: dict[str, Any] = {}
    for key, value in data.items():
        if value is True:
            sent[key] = "on"
        elif value is not False and value is not None:
            sent[key] = value if isinstance(value, list) else str(value)
    return sent


def _revision(html: str) -> str:
    found = re.search(r'name="_revision" value="(\d+)"', html)
    assert found
    return found.group(1)


# --- the inbox -------------------------------------------------------------------------------


def test_inbox__a_unit_sees_its_tasks_and_another_unit_does_not(office: Any, login: Any) -> None:
    item = _proposal(office, "Đề xuất về giống lúa BG1")
    mine = _page(login("qlkh.cv1"), "/")
    assert "Đề xuất về giống lúa BG1" in mine and f"Số {item}" in mine
    assert "Xem xét, tổng hợp đề xuất" in mine
    assert "Đề xuất nhiệm vụ khoa học và công nghệ" in mine  # the process
    assert "Phòng Quản lý Khoa học (chưa có người nhận)" in mine
    assert "Nhận xử lý" in mine and "02/03/2026" in mine  # received since, dd/mm/yyyy
    assert 'data-label="Hạn xử lý"' in mine  # a card per task on a phone
    other = _page(login("cs.cv1"), "/")
    assert "Đề xuất về giống lúa BG1" not in other
    assert "Không có việc nào đang chờ bạn." in other


def test_inbox__most_urgent_first_with_due_badges(
    office: Any, login: Any, web_clock: ManualClock
) -> None:
    def assign(title: str, deadline: str | None) -> int:
        data = {**GIAO_TASK, "gia_tri_han": deadline, "loai_han": "date" if deadline else "none"}
        return _start(office, "giao_nhiem_vu", "vp.tp", title, **data)

    later = assign("Nhiệm vụ hạn 20/3", "2026-03-20")
    sooner = assign("Nhiệm vụ hạn 5/3", "2026-03-05")
    soonest = assign("Nhiệm vụ hạn 3/3", "2026-03-03")
    web_clock.advance(timedelta(hours=1))
    newest = _start(office, "de_xuat_nhiem_vu", "cs.cv1", "Phiếu chưa có hạn (mới)")
    client = login("cs.cv1")
    page = _page(client, "/")
    order = [page.index(f"Số {i}<") for i in (soonest, sooner, later, newest)]
    assert order == sorted(order)
    assert page.count("Sắp đến hạn") == 1 and "Quá hạn" not in page
    web_clock.advance(timedelta(days=2))  # Wednesday 4 March
    page = _page(client, "/")
    row = {i: page[page.index(f"Số {i}<") :].split("</tr>")[0] for i in (soonest, sooner, later)}
    assert 'badge overdue">Quá hạn' in row[soonest]
    assert "Sắp đến hạn" in row[sooner]
    assert "badge" not in row[later]
    assert "1 việc quá hạn" in page


def test_inbox__claim_release_and_forward(office: Any, login: Any, app: Flask) -> None:
    item = _proposal(office)
    client = login("qlkh.cv1")
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    response = post(client, "/", f"/tasks/{task.id}/claim", {"back": "inbox"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert office.inbox("qlkh.cv2", item) == []  # a colleague no longer sees it as open
    page = _page(client, "/")
    assert "Bạn đã nhận xử lý việc này." in page and "Thôi nhận xử lý" in page
    assert "Nhóm:" not in page.split(f"Số {item}<")[1].split("</tr>")[0]
    assert post(client, "/", f"/tasks/{task.id}/release").status_code == 302
    assert "Đã thôi nhận xử lý; việc trở lại danh sách chung của đơn vị." in _page(client, "/")
    assert office.inbox("qlkh.cv2", item)[0].assignee is None
    task_page = _page(client, f"/tasks/{task.id}")
    assert '<option value="qlkh.tp">' in task_page  # colleagues to forward to
    assert '<option value="qlkh.cv1">' not in task_page
    response = post(
        client,
        f"/tasks/{task.id}",
        f"/tasks/{task.id}/forward",
        {"to": "qlkh.tp", "_comment": "Nhờ anh xem giúp"},
    )
    assert response.status_code == 302
    assert "Đã chuyển xử lý cho" in _page(client, "/")
    [forwarded] = office.inbox("qlkh.tp", item)
    assert forwarded.assignee == "qlkh.tp"
    moved = office.show(item).history[-1]
    assert (moved.kind, moved.actor, moved.comment) == ("assigned", "qlkh.cv1", "Nhờ anh xem giúp")
    assert "Nhờ anh xem giúp" in _page(login("qlkh.tp"), f"/tasks/{task.id}")


def test_inbox__a_task_the_process_gave_me_cannot_go_back_to_a_group(
    office: Any, login: Any
) -> None:
    item = _start(office, "de_xuat_nhiem_vu", "trungtam.cv1")
    client = login("trungtam.cv1")
    task = office.task("trungtam.cv1", item, "lap_phieu_de_xuat")
    assert "Thôi nhận xử lý" not in _page(client, "/")
    response = post(client, "/", f"/tasks/{task.id}/release", follow_redirects=True)
    assert "không thôi nhận xử lý được" in response.get_data(as_text=True)
    assert office.inbox("trungtam.cv1", item)[0].assignee == "trungtam.cv1"


# --- every form of the department renders ----------------------------------------------------


@pytest.mark.parametrize(
    ("process", "index"), CASES, ids=[f"{p}-{PATHS[p][2][i][1]}-{i}" for p, i in CASES]
)
def test_task__every_department_form_renders(
    office: Any, login: Any, process: str, index: int
) -> None:
    starter, data, steps = PATHS[process]
    item = _start(office, process, starter, **data)
    for who, step, values in steps[:index]:
        office.do(who, item, step, **values)
    who, step, values = steps[index]
    response = login(who).get(_url(office, who, item, step))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'name="_revision"' in html and 'enctype="multipart/form-data"' in html
    assert ' style="' not in html and "<script>" not in html  # the CSP forbids both
    for name in values:
        assert f'name="{name}"' in html, name
    if "decision" in values:
        assert 'name="decision" value="' in html
        assert '<button type="submit" name="decision"' in html
    assert 'id="f-_comment"' not in html  # these forms have their own y_kien
    assert 'name="_files"' in html and "Tệp đính kèm" in html
    assert '<script src="/static/js/app.js" defer>' in html  # it stops a second click


@pytest.mark.parametrize("process", list(PATHS))
def test_task__every_process_runs_to_its_end_through_the_forms(
    office: Any, login: Any, process: str
) -> None:
    starter, data, steps = PATHS[process]
    item = _start(office, process, starter, **data)
    clients: dict[str, Any] = {}
    for who, step, values in steps:
        if who == TIME_PASSES:
            office.do(who, item, step, **values)
            continue
        client = clients.get(who) or clients.setdefault(who, login(who))
        url = _url(office, who, item, step)
        response = post(client, url, url, **with_draft(_page(client, url), _form_data(values)))
        assert response.status_code == 302, (step, response.get_data(as_text=True)[-3000:])
    view = office.show(item)
    if process == "de_xuat_nhiem_vu":
        assert view.status == "completed" and view.data["so_ky_hieu"] == "01/TTr-SKHCN"
    if process == "xay_dung_quy_dinh":
        assert office.steps(item) == ["soan_to_trinh"]
        assert view.data["don_vi_lay_y_kien"] == DU_THAO["don_vi_lay_y_kien"]
    if process == "giao_nhiem_vu":
        assert view.status == "completed" and view.data["ty_le_hoan_thanh"] == 100


def test_task__the_overdue_chase_renders(office: Any, login: Any) -> None:
    item = _start(office, "giao_nhiem_vu", "vp.tp", **GIAO_TASK)
    office.tick(19.5)  # past 20 March
    page = _page(login("phogiamdoc"), _url(office, "phogiamdoc", item, "don_doc"))
    assert "Nội dung đôn đốc" in page and 'name="noi_dung_don_doc"' in page


# --- completing ------------------------------------------------------------------------------


@ON_BOTH
def test_task__submit_a_proposal_through_the_form(office: Any, login: Any) -> None:
    item = _start(office, "de_xuat_nhiem_vu", "trungtam.cv1", "Phiếu qua biểu mẫu")
    client = login("trungtam.cv1")
    url = _url(office, "trungtam.cv1", item, "lap_phieu_de_xuat")
    page = _page(client, url)
    assert '<label for="f-ten_nhiem_vu">Tên nhiệm vụ' in page and 'class="req"' in page
    assert 'type="radio" id="f-linh_vuc-1" name="linh_vuc" value="nong_nghiep"' in page
    assert 'type="number" id="f-thoi_gian_thang"' in page
    assert '<button type="submit" class="primary">Trình</button>' in page
    sent = {
        **_form_data(PHIEU),
        "kinh_phi_du_kien": "1.500.000.000",
        "y_kien": "Kính trình Phòng Quản lý Khoa học",
    }
    response = post(client, url, url, sent)
    assert response.status_code == 302 and response.headers["Location"].endswith("/")
    assert "Đã trình" in _page(client, "/")
    view = office.show(item)
    assert office.steps(item) == ["xem_xet_de_xuat"]
    assert view.data["ten_nhiem_vu"] == PHIEU["ten_nhiem_vu"]
    assert view.data["thoi_gian_thang"] == 24 and view.data["kinh_phi_du_kien"] == 1_500_000_000
    last = view.history[-1] if view.history[-1].kind == "completed" else view.history[-2]
    assert (last.actor, last.comment) == ("trungtam.cv1", "Kính trình Phòng Quản lý Khoa học")


def test_task__a_dot_groups_three_digits_never_fewer(office: Any, login: Any) -> None:
    """A "2.5" in a whole number's field is refused (it was read as 25: the dot taken for the
    thousands' separator it is in "1.500.000"); nothing moves."""
    item = _start(office, "de_xuat_nhiem_vu", "trungtam.cv1")
    client = login("trungtam.cv1")
    url = _url(office, "trungtam.cv1", item, "lap_phieu_de_xuat")
    response = post(client, url, url, {**_form_data(PHIEU), "thoi_gian_thang": "2.5"})
    assert response.status_code == 422
    assert 'value="2.5"' in response.get_data(as_text=True)
    assert office.steps(item) == ["lap_phieu_de_xuat"]


@ON_BOTH
def test_task__field_errors_in_vietnamese_next_to_fields_input_kept(
    office: Any, login: Any
) -> None:
    item = _start(office, "de_xuat_nhiem_vu", "trungtam.cv1")
    client = login("trungtam.cv1")
    url = _url(office, "trungtam.cv1", item, "lap_phieu_de_xuat")
    sent = {
        **_form_data(PHIEU),
        "muc_tieu": "  ",
        "thoi_gian_thang": "hai năm",
        "ten_nhiem_vu": "Tên <b>đã</b> nhập",
        "_comment": "x",
    }
    response = post(client, url, url, sent)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-muc_tieu-error">Hãy nhập mục tiêu</p>' in html
    assert 'id="f-thoi_gian_thang-error">Hãy nhập một số nguyên từ 1 đến 60</p>' in html
    assert 'value="Tên &lt;b&gt;đã&lt;/b&gt; nhập"' in html  # kept, and escaped
    assert 'value="nong_nghiep" checked' in html
    assert "Chưa gửi được" in html and 'href="#f-muc_tieu"' in html
    assert office.steps(item) == ["lap_phieu_de_xuat"]


def test_task__a_return_needs_a_reason_and_the_drafter_reads_it_first(
    office: Any, login: Any
) -> None:
    item = _proposal(office)
    reviewer = login("qlkh.cv1")
    url = _url(office, "qlkh.cv1", item, "xem_xet_de_xuat")
    page = _page(reviewer, url)
    assert '<button type="submit" name="decision" value="dong_y" class="primary">' in page
    assert '<button type="submit" name="decision" value="tra_lai" class="danger">' in page
    assert "Bắt buộc khi chọn: Trả lại" in page
    refused = post(reviewer, url, url, {"decision": "tra_lai"})
    assert refused.status_code == 422
    assert "Trả lại phải nêu lý do" in refused.get_data(as_text=True)
    assert office.steps(item) == ["xem_xet_de_xuat"]
    response = post(reviewer, url, url, {"decision": "tra_lai", "y_kien": "Thiếu dự toán"})
    assert response.status_code == 302
    assert "Đã trả lại hồ sơ số" in " ".join(flashes(_page(reviewer, "/")))
    proposer = login("trungtam.cv1")
    assert "Bị trả lại" in _page(proposer, "/")
    drafter = _page(proposer, _url(office, "trungtam.cv1", item, "lap_phieu_de_xuat"))
    assert "Lý do trả lại" in drafter and "Thiếu dự toán" in drafter
    assert "Nguyễn Văn An" in drafter  # who returned it
    assert drafter.index("Lý do trả lại") < drafter.index('name="ten_nhiem_vu"')
    assert f'value="{escape(PHIEU["ten_nhiem_vu"])}"' in drafter  # the draft comes back filled in
    assert 'id="f-y_kien"' in drafter and ">Thiếu dự toán</textarea>" not in drafter


def test_task__the_chairmans_instruction_is_the_reason(office: Any, login: Any) -> None:
    starter, _data, steps = PATHS["de_xuat_nhiem_vu"]
    item = _start(office, "de_xuat_nhiem_vu", starter)
    for who, step, values in steps[:-1]:
        office.do(who, item, step, **values)
    chairman = login("chutich")
    url = _url(office, "chutich", item, "chi_dao")
    response = post(
        chairman,
        url,
        url,
        {"decision": "tra_lai", "buoc_tra_lai": "ho_so", "y_kien_chi_dao": "Cân nhắc kinh phí"},
    )
    assert response.status_code == 302
    page = _page(login("giamdoc"), _url(office, "giamdoc", item, "quyet_dinh_giam_doc"))
    assert "Lý do trả lại" in page and "Cân nhắc kinh phí" in page


def test_task__no_form_means_a_comment_and_a_done_button(
    office: Any, login: Any, app: Flask
) -> None:
    with transaction(office.factory) as s:
        source = FIXTURES / "camunda" / "unit_task.bpmn"
        engine.deploy(s, [engine.SourceFile(source.name, source.read_bytes())], office.clock)
    item = _start(
        office,
        "unit_task",
        "qlkh.cv1",
        lead_unit="Phòng Quản lý Khoa học",
        deadline="2026-04-01",
        leader="qlkh.tp",
    )
    worker = login("qlkh.cv2")
    url = _url(office, "qlkh.cv2", item, "carry_out")
    page = _page(worker, url)
    assert 'type="number" id="f-progress"' in page and 'min="0"' in page and 'max="100"' in page
    assert 'class="date" id="f-report_date"' in page and 'type="checkbox" id="f-done"' in page
    assert 'id="f-_comment"' in page
    too_much = post(worker, url, url, {"progress": "120"})
    assert too_much.status_code == 422
    assert "Giá trị lớn nhất là 100." in too_much.get_data(as_text=True)
    office.tick(11)  # the escalation timer gives the leader a task without a form
    leader = login("qlkh.tp")
    chase = _url(office, "qlkh.tp", item, "chase")
    page = _page(leader, chase)
    # A step without a label says nothing upward: "Trình" is for sending up for a decision.
    assert 'id="f-_comment"' in page and ">Hoàn thành</button>" in page
    assert post(leader, chase, chase, {"_comment": "Đã nhắc đơn vị"}).status_code == 302
    done = post(worker, url, url, {"progress": "100", "report_date": "15/03/2026", "done": "on"})
    assert done.status_code == 302
    view = office.show(item)
    assert view.data["report_date"] == "2026-03-15" and view.data["done"] is True
    assert any(h.comment == "Đã nhắc đơn vị" for h in view.history)


# --- what must never happen ------------------------------------------------------------------


@pytest.mark.parametrize("action", ["", "/claim", "/release", "/forward"])
@ON_BOTH
def test_task__another_units_task_is_not_found_and_unchanged(
    office: Any, login: Any, action: str
) -> None:
    item = _proposal(office)
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    before = office.show(item)
    outsider = login("cs.cv1")
    assert outsider.get(f"/tasks/{task.id}").status_code == 404
    token = csrf_token(_page(outsider, "/"))
    response = outsider.post(
        f"/tasks/{task.id}{action}",
        data={"csrf_token": token, "decision": "dong_y", "to": "cs.cv1", "_revision": "1"},
    )
    assert response.status_code == 404
    assert office.show(item) == before


@ON_BOTH
def test_task__a_task_that_does_not_exist_is_not_found(login: Any) -> None:
    client = login("qlkh.cv1")
    assert client.get("/tasks/00000000-0000-0000-0000-000000000000").status_code == 404
    assert client.get("/tasks/not-a-task").status_code == 404


@ON_BOTH
def test_task__an_inspector_may_read_but_not_act(office: Any, login: Any) -> None:
    item = _proposal(office)
    url = _url(office, "qlkh.cv1", item, "xem_xet_de_xuat")
    before = office.show(item)
    inspector = login("tt.cv1")
    page = _page(inspector, url)
    assert "Bạn chỉ được xem việc này" in page and 'name="decision"' not in page
    response = post(inspector, url, url, {"decision": "dong_y"})
    assert response.status_code == 403
    assert office.show(item) == before


def test_task__a_post_without_its_csrf_token_changes_nothing(office: Any, login: Any) -> None:
    item = _proposal(office)
    url = _url(office, "qlkh.cv1", item, "xem_xet_de_xuat")
    before = office.show(item)
    client = login("qlkh.cv1")
    for action in ("", "/claim", "/forward"):
        response = client.post(url + action, data={"decision": "dong_y", "to": "qlkh.tp"})
        assert response.status_code == 400
    assert office.show(item) == before


@ON_BOTH
def test_task__a_double_submit_approves_once(office: Any, login: Any) -> None:
    item = _proposal(office)
    client = login("qlkh.cv1")
    url = _url(office, "qlkh.cv1", item, "xem_xet_de_xuat")
    page = _page(client, url)
    sent = {"csrf_token": csrf_token(page), "_revision": _revision(page), "decision": "dong_y"}
    first = client.post(url, data=sent)
    second = client.post(url, data=sent)
    assert first.status_code == 302 and second.status_code == 409
    html = second.get_data(as_text=True)
    # Told of her own action as hers, not in the third person.
    assert "Bạn đã xử lý việc này lúc 02/03/2026 08:00." in html
    assert "Nguyễn Văn An (Chuyên viên) xử lý" not in html
    done = [
        h
        for h in office.show(item).history
        if h.kind == "completed" and h.element_id == "xem_xet_de_xuat"
    ]
    assert len(done) == 1


def test_task__sent_after_a_colleague_took_it_says_who(office: Any, login: Any) -> None:
    """A group's step taken by a colleague while the page was open: the refusal names who holds
    it now, as the claim does, not that the step no longer waits."""
    item = _proposal(office)
    late = login("qlkh.cv2")
    url = _url(office, "qlkh.cv2", item, "xem_xet_de_xuat")
    page = _page(late, url)
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    assert post(login("qlkh.cv1"), "/", f"/tasks/{task.id}/claim").status_code == 302
    sent = {"csrf_token": csrf_token(page), "_revision": _revision(page), "decision": "dong_y"}
    chosen = {"_files": [(io.BytesIO(b"%PDF-1.4\n"), "nhan-xet.pdf")]}
    refused = late.post(url, data={**sent, **chosen}, content_type="multipart/form-data")
    assert refused.status_code == 409
    html = refused.get_data(as_text=True)
    assert "Việc này đã được Nguyễn Văn An (Chuyên viên) nhận xử lý." in html
    assert "nhan-xet.pdf" in html  # the chosen file named: it was not kept either
    assert "không còn chờ xử lý" not in html
    assert office.steps(item) == ["xem_xet_de_xuat"]


def test_task__a_second_tab_gets_back_the_choices_made_too(office: Any, login: Any) -> None:
    """The proposal sent from one tab, then from a second: the page that says it is done gives
    back what the second held to copy, the field chosen ("Lĩnh vực") as well as the words."""
    item = _start(office, "de_xuat_nhiem_vu", "trungtam.cv1", "Chuỗi liên kết lúa gạo")
    client = login("trungtam.cv1")
    url = _url(office, "trungtam.cv1", item, "lap_phieu_de_xuat")
    page = _page(client, url)
    sent = {"csrf_token": csrf_token(page), "_revision": _revision(page), **_form_data(PHIEU)}
    assert client.post(url, data=sent).status_code == 302
    second = client.post(url, data={**sent, "linh_vuc": "y_duoc", "muc_tieu": "Mục tiêu khác"})
    html = second.get_data(as_text=True)
    assert second.status_code == 409
    assert "Y dược" in html and "Mục tiêu khác" in html


@pytest.mark.parametrize("revision", ["abc", "-1", "1.5", "\u0663"])
def test_task__a_revision_that_is_not_a_number_is_refused(
    office: Any, login: Any, revision: str
) -> None:
    """Not taken as none sent, which would skip the check that nobody acted first."""
    item = _proposal(office)
    client = login("qlkh.cv1")
    url = _url(office, "qlkh.cv1", item, "xem_xet_de_xuat")
    before = office.show(item)
    sent = {"csrf_token": csrf_token(_page(client, url)), "_revision": revision}
    response = client.post(url, data={**sent, "decision": "dong_y"})
    assert response.status_code == 400
    assert "Yêu cầu không hợp lệ." in response.get_data(as_text=True)
    assert office.show(item) == before


@ON_BOTH
def test_task__a_colleague_first_then_nothing_is_lost(office: Any, login: Any) -> None:
    item = _proposal(office)
    url = _url(office, "qlkh.cv1", item, "xem_xet_de_xuat")
    late = login("qlkh.cv1")
    page = _page(late, url)
    office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="dong_y")
    response = late.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "_revision": _revision(page),
            "decision": "tra_lai",
            "y_kien": "Ý kiến tôi đã gõ",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Việc này đã được Đặng Thị Chi (Chuyên viên) xử lý lúc" in html
    assert "Ý kiến tôi đã gõ" in html  # shown back, to copy


@ON_BOTH
def test_task__a_stale_page_on_a_task_still_open_keeps_the_input(office: Any, login: Any) -> None:
    starter, _data, steps = PATHS["xay_dung_quy_dinh"]
    item = _start(office, "xay_dung_quy_dinh", starter)
    for who, step, values in steps[:2]:
        office.do(who, item, step, **values)
    client = login("qlkh.cv1")
    url = _url(office, "qlkh.cv1", item, "gop_y")
    page = _page(client, url)
    office.do("vp.cv2", item, "gop_y", ket_qua_gop_y="thong_nhat")  # the item moves on
    response = client.post(
        url,
        data={
            "csrf_token": csrf_token(page),
            "_revision": _revision(page),
            "ket_qua_gop_y": "co_y_kien",
            "y_kien": "Sửa Điều 3",
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409 and "Hồ sơ vừa được cập nhật" in html
    assert ">Sửa Điều 3</textarea>" in html
    assert 'data-warn-unsaved="changed"' in html  # leaving it asks: the input is not saved
    assert len(office.inbox("qlkh.cv1", item)) == 1
    again = client.post(
        url,
        data={
            "csrf_token": csrf_token(html),
            "_revision": _revision(html),
            "ket_qua_gop_y": "co_y_kien",
            "y_kien": "Sửa Điều 3",
        },
    )
    assert again.status_code == 302


# --- files -----------------------------------------------------------------------------------


@ON_BOTH
def test_task__a_file_goes_with_the_completion(office: Any, login: Any, app: Flask) -> None:
    item = _proposal(office)
    client = login("qlkh.cv1")
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    url = f"/tasks/{task.id}"
    response = post(
        client,
        url,
        url,
        {
            "decision": "dong_y",
            "_files": [
                (BytesIO(b"%PDF-1.7 bien ban"), "bien_ban.pdf"),
                (BytesIO("Ghi chú".encode()), "ghi_chu.txt"),
            ],
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    files = _attachments(app, item)
    assert [f.filename for f in files] == ["bien_ban.pdf", "ghi_chu.txt"]
    assert {f.task_id for f in files} == {task.id}
    assert len(_stored_files(app)) == 2
    assert office.steps(item) == ["danh_gia_hoi_dong"]
    assert "bien_ban.pdf" in _page(
        login("hoidong"), _url(office, "hoidong", item, "danh_gia_hoi_dong")
    )


@pytest.mark.parametrize(
    ("files", "why"),
    [
        ([(b"MZ\x90\x00", "phan_mem.exe")], "»: loại tệp .exe không được nhận"),
        ([(b"<html>not a pdf</html>", "gia_mao.pdf")], "»: nội dung không phải là tệp .pdf thật"),
        ([(b"%PDF-1.7 ok", "tot.pdf"), (b"MZ\x90\x00", "phan_mem.exe")], "loại tệp .exe"),
    ],
)
def test_task__a_refused_file_refuses_the_whole_action(
    office: Any, login: Any, app: Flask, files: list[tuple[bytes, str]], why: str
) -> None:
    item = _proposal(office)
    before = office.show(item)
    client = login("qlkh.cv1")
    url = _url(office, "qlkh.cv1", item, "xem_xet_de_xuat")
    response = post(
        client,
        url,
        url,
        {
            "decision": "dong_y",
            "y_kien": "Đồng ý, kèm biên bản",
            "_files": [(BytesIO(content), name) for content, name in files],
        },
        content_type="multipart/form-data",
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-_files-error">«' in html and why in html
    assert "FileRefusal" not in html and "headline=" not in html  # never a Python repr
    assert ">Đồng ý, kèm biên bản</textarea>" in html
    assert office.show(item) == before
    assert _attachments(app, item) == []
    assert office.steps(item) == ["xem_xet_de_xuat"]
    assert _stored_files(app) == []


@ON_BOTH
def test_task__a_refused_form_keeps_none_of_its_files(office: Any, login: Any, app: Flask) -> None:
    item = _proposal(office)
    client = login("qlkh.cv1")
    url = _url(office, "qlkh.cv1", item, "xem_xet_de_xuat")
    response = post(
        client,
        url,
        url,
        {"decision": "tra_lai", "_files": [(BytesIO(b"%PDF-1.7 ok"), "bien_ban.pdf")]},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "Trả lại phải nêu lý do" in response.get_data(as_text=True)
    assert _attachments(app, item) == [] and _stored_files(app) == []


def test_task__a_proposal_takes_its_own_name(login: Any, office: Any) -> None:
    item = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    client = login("trungtam.cv1")
    url = _url(office, "trungtam.cv1", item, "lap_phieu_de_xuat")
    post(client, url, url, _form_data(PHIEU))
    view = office.show(item)
    assert view.title == PHIEU["ten_nhiem_vu"]
    assert view.history[-1].kind == "renamed"
    assert "Cập nhật tên hồ sơ" in client.get(f"/items/{item}").get_data(as_text=True)


def test_task__a_progress_update_says_what_was_done_in_one_sentence(
    office: Any, login: Any
) -> None:
    """The step's own message ("Đã cập nhật tiến độ (40%).") goes on into the flash's sentence,
    whether the person pressed the step's button or sent the form without one (the button's
    words, already said, are not said again); a message of two sentences (a notice after the
    step's) stands whole, the item after it; then where the item is now."""
    data = {**GIAO_TASK, "gia_tri_han": "2026-03-20", "loai_han": "date"}
    item = _start(office, "giao_nhiem_vu", "vp.tp", "Cập nhật tiến độ", **data)
    client = login("cs.cv1")
    progress = {"ty_le_hoan_thanh": "40", "noi_dung_cap_nhat": "Đã khảo sát 3 huyện"}
    said_now: list[str] = []
    for pressed in ({"hanh_dong": "cap_nhat"}, {}):
        url = _url(office, "cs.cv1", item, "cap_nhat_tien_do")
        response = post(client, url, url, {**progress, **pressed}, follow_redirects=True)
        said_now += flashes(response.get_data(as_text=True))
    said = (
        f"Đã cập nhật tiến độ (40%) — hồ sơ số {item} (Thực hiện, cập nhật tiến độ). Hồ sơ đang "
        "ở bước «Thực hiện, cập nhật tiến độ», do Phan Thị Hạnh (Chuyên viên) xử lý."
    )  # the next update is theirs: whoever updated it carries it on
    assert said_now == [said, said]


def test_task__a_step_done_shows_no_due_badge(
    office: Any, login: Any, web_clock: ManualClock
) -> None:
    """Opened from an old notice after it was handled, a step says who handled it and shows
    no "Quá hạn" or "Sắp đến hạn" beside its deadline (it still did)."""
    item = _proposal(office)
    url = _url(office, "qlkh.cv1", item, "xem_xet_de_xuat")
    office.do("qlkh.cv1", item, "xem_xet_de_xuat", decision="dong_y")
    web_clock.advance(timedelta(days=60))  # long past the step's deadline
    html = _page(login("qlkh.cv1"), url)
    assert "Bạn đã xử lý việc này lúc" in html
    start = html.index('<header class="task-head">')
    head = html[start : html.index("</header>", start)]
    assert "Hạn xử lý:" in head and "badge" not in head


def test_task__a_deadline_in_working_days_is_the_end_of_its_last_day(
    office: Any, login: Any
) -> None:
    """ "Trong N ngày làm việc" runs to the end of the last day: the page names the day, no
    hour (the walk saw "21/12/2026 07:42", the hour the step happened to open)."""
    item = _proposal(office)
    [task] = [t for t in office.inbox("qlkh.cv1", item) if t.element_id == "xem_xet_de_xuat"]
    assert task.due_at is not None
    last_day = task.due_at.astimezone(ZONE)
    assert (last_day.hour, last_day.minute, last_day.second) == (23, 59, 59)
    html = _page(login("qlkh.cv1"), _url(office, "qlkh.cv1", item, "xem_xet_de_xuat"))
    facts = html[html.index("<dt>Hạn xử lý</dt>") :][:80]
    assert f"<dd>{last_day:%d/%m/%Y}</dd>" in facts
