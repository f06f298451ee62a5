"""On the drafter's page the outside bodies are the database's outside actors: a sở added
since (with its receiver) is offered and consulted, one that is not offered is refused in
Vietnamese and nothing moves."""

from __future__ import annotations

import io
from typing import Any

import engine
from engine import transaction
from tests.office import DRAFT_PDF
from tests.web.conftest import PASSWORD, post
from workflows.legal_drafting import REQUIRED_FOR_CHAIRMAN

GIAO = {
    "ten_du_thao": "Quy định quản lý hoạt động chuyển giao công nghệ",
    "hinh_thuc_van_ban": "qd_chu_tich",
    "don_vi_soan_thao": "phong_khtc",
    "trinh_tu_rut_gon": False,
    "so_ngay_tham_dinh": 10,
}


def _drafting(office: Any) -> tuple[int, str]:
    with transaction(office.factory) as s:
        engine.add_group(s, "so_cong_thuong", "Sở Công Thương", outside=True)
        engine.add_user(
            s,
            "congthuong",
            display_name="Văn thư Sở Công Thương",
            groups=["so_cong_thuong"],
            password=PASSWORD,
        )
        item = engine.start_instance(s, office.config, "xay_dung_quy_dinh", "giamdoc")
    giao = office.task("giamdoc", item, "giao_soan_thao").id
    with transaction(office.factory) as s:
        engine.complete_task(s, office.config, giao, "giamdoc", data=GIAO)
    return item, f"/tasks/{office.task('khtc.cv1', item, 'soan_du_thao').id}"


def test_outside_actors__a_so_added_since_is_offered_and_gets_its_task(
    login: Any, office: Any
) -> None:
    item, url = _drafting(office)
    drafter = login("khtc.cv1")
    page = drafter.get(url).get_data(as_text=True)
    assert 'value="so_cong_thuong"' in page and "Sở Công Thương" in page
    assert 'value="hoi_dong_tu_van"' not in page
    sent = {
        "tom_tat_du_thao": "Dự thảo gồm 3 chương",
        "co_quan_lay_y_kien": [*REQUIRED_FOR_CHAIRMAN, "so_cong_thuong"],
        "_files": [(io.BytesIO(DRAFT_PDF), "du-thao.pdf")],
    }
    assert post(drafter, url, url, sent, content_type="multipart/form-data").status_code == 302
    [task] = office.inbox("congthuong", item)
    assert (task.element_id, task.candidate_groups) == ("gop_y", ["so_cong_thuong"])
    inbox = login("congthuong").get("/").get_data(as_text=True)
    assert f"/tasks/{task.id}" in inbox


def test_outside_actors__a_body_not_offered_is_refused_in_vietnamese(
    login: Any, office: Any
) -> None:
    item, url = _drafting(office)
    drafter = login("khtc.cv1")
    sent = {
        "tom_tat_du_thao": "Dự thảo gồm 3 chương",
        "co_quan_lay_y_kien": [*REQUIRED_FOR_CHAIRMAN, "hoi_dong_tu_van"],
    }
    response = post(drafter, url, url, sent)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Cơ quan này không có trong danh sách cơ quan ngoài Sở được lấy ý kiến" in html
    assert office.steps(item) == ["soan_du_thao"]


def test_outside_actors__unticking_the_required_bodies_sends_the_step_straight_back(
    login: Any, office: Any
) -> None:
    """Every outside body unticked is a choice the page sends (no tick stands in for it): the
    process finds the bodies the law requires missing and reopens the step. The drafter is
    told so as a warning on the reopened step's page, not as a success; the draft attached
    then still counts when the corrected choice is sent."""
    item, url = _drafting(office)
    drafter = login("khtc.cv1")
    sent = {
        "tom_tat_du_thao": "Dự thảo gồm 3 chương",
        "don_vi_lay_y_kien": ["van_phong_so"],
        "_files": [(io.BytesIO(DRAFT_PDF), "du-thao.pdf")],
    }
    response = post(drafter, url, url, sent, content_type="multipart/form-data")
    again = office.task("khtc.cv1", item, "soan_du_thao")
    assert response.status_code == 302 and response.location.endswith(f"/tasks/{again.id}")
    page = drafter.get(response.location).get_data(as_text=True)
    assert '<div class="flash warning"' in page and "Chưa gửi lấy ý kiến" in page
    assert office.steps(item) == ["soan_du_thao"]  # nobody was asked
    url = f"/tasks/{again.id}"
    sent = {
        "tom_tat_du_thao": "Dự thảo gồm 3 chương",
        "co_quan_lay_y_kien": list(REQUIRED_FOR_CHAIRMAN),
        "don_vi_lay_y_kien": ["van_phong_so"],
    }
    response = post(drafter, url, url, sent)
    assert response.status_code == 302 and response.location.endswith("/")
    asked = {t.candidate_groups[0] for t in office.show(item).open_tasks if t.element_id == "gop_y"}
    assert asked == {*REQUIRED_FOR_CHAIRMAN, "van_phong_so"}
