"""The item page's diagram and its list of steps say the same thing: the element marked as
current is where the list says the item is, also when it waits inside a called process (the
call activity is marked, and the list names the step through it) or on a timer; and the zoom
buttons come with every diagram, in Vietnamese, without inline scripts."""

from __future__ import annotations

import re
from typing import Any

from tests.integration.test_processes__de_xuat_nhiem_vu import HOI_DONG, PHIEU
from tests.integration.test_processes__giao_nhiem_vu import TASK as GIAO_TASK
from tests.office import TO_TRINH


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def _current_steps(html: str) -> list[str]:
    part = html[html.index("Đang ở bước") :]
    part = part[: part.index("</div>")]
    return re.findall(r"<li>([^<]*)</li>", part)


def _at_the_director(office: Any) -> int:
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="dong_y")
    office.do("hoidong", item, "danh_gia_hoi_dong", **HOI_DONG)
    return item


def test_diagram__a_step_of_the_items_own_process(office: Any, login: Any) -> None:
    item = _at_the_director(office)
    client = login("trungtam.cv1")
    progress = client.get(f"/items/{item}/progress.json").get_json()
    assert progress["current"] == ["quyet_dinh_giam_doc"]
    assert _current_steps(_page(client, f"/items/{item}")) == [
        "Giám đốc Sở xem xét, quyết định trình"
    ]


def test_diagram__a_step_inside_a_called_process_marks_the_call_and_is_named_through_it(
    office: Any, login: Any
) -> None:
    item = _at_the_director(office)
    office.do("giamdoc", item, "quyet_dinh_giam_doc", decision="phe_duyet")
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="dong_y")
    office.do("vp.vanthu", item, "kiem_tra_the_thuc", decision="dong_y")
    office.do("giamdoc", item, "ky_to_trinh", decision="ky")
    office.do("vp.vanthu", item, "phat_hanh", ngay_ban_hanh="2026-03-02")
    office.do("vp.vanthu", item, "gui_van_ban")
    client = login("trungtam.cv1")
    progress = client.get(f"/items/{item}/progress.json").get_json()
    # The called process's steps are not on this diagram: its call activity is.
    assert progress["current"] == ["trinh_ubnd"]
    assert "tiep_nhan" not in progress["current"] + progress["completed"]
    html = _page(client, f"/items/{item}")
    step = "Trình UBND tỉnh phê duyệt danh mục › Tiếp nhận văn bản đến"
    assert _current_steps(html) == [step]
    holders = html[html.index('id="dang-cho"') :]
    assert step in holders[: holders.index("</section>")]  # the same words where it waits


def test_diagram__a_wait_for_a_date_is_listed_too(office: Any, login: Any) -> None:
    data = {**GIAO_TASK, "don_vi_chu_tri": "van_phong_so", "loai_han": "recurring"}
    item = int(office.start("giao_nhiem_vu", "vp.tp", **{**data, "gia_tri_han": None}))
    office.do(
        "vp.cv2",
        item,
        "cap_nhat_tien_do",
        ty_le_hoan_thanh=100,
        noi_dung_cap_nhat="Đã xong",
        hoan_thanh=True,
    )
    office.do("vp.cv2", item, "bao_cao_ket_qua", so_bao_cao="15/BC", ket_qua="Hoàn thành")
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")
    assert office.steps(item) == []  # no one's task: the yearly task waits for its next period
    client = login("vp.tp")
    progress = client.get(f"/items/{item}/progress.json").get_json()
    assert progress["current"] == ["dau_ky_sau"]
    assert _current_steps(_page(client, f"/items/{item}")) == ["Đầu kỳ sau"]


def test_diagram__zoom_buttons_in_vietnamese_for_every_diagram(office: Any, login: Any) -> None:
    item = _at_the_director(office)
    pages = (
        _page(login("trungtam.cv1"), f"/items/{item}"),
        _page(login("tt.tp"), "/monitor/processes/de_xuat_nhiem_vu"),
    )
    for html in pages:
        controls = html[html.index('<template id="diagram-controls">') :]
        controls = controls[: controls.index("</template>")]
        for label in ("Phóng to", "Thu nhỏ", "Vừa khung"):
            assert re.search(
                rf'<button type="button" data-zoom-\w+ title="{label}[^"]*">', controls
            )
        assert "/static/js/diagram_controls.js" in html
        assert '<link rel="stylesheet" href="/static/css/diagram.css">' in html
        assert not re.search(r"<script(?![^>]*\bsrc=)", html)
