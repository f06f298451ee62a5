"""Chuyển xử lý on the task page: the list offers the holder's colleagues only (their unit, its
leaders, for a leader the units they lead), and a forged choice is refused with nothing moved."""

from __future__ import annotations

import re
from typing import Any

import pytest

import engine
from engine import transaction
from tests.conftest import fixture_files
from tests.integration.test_processes__de_xuat_nhiem_vu import HOI_DONG, PHIEU
from tests.web.conftest import PASSWORD, post

REFUSED = "Hãy chọn người nhận trong danh sách."
_OPTION = re.compile(r'<option value="([^"]+)">')


def _proposal(office: Any) -> int:
    """A proposal waiting at Phòng Quản lý Khoa học's review."""
    with transaction(office.factory) as s:
        item = engine.start_instance(s, office.config, "de_xuat_nhiem_vu", "trungtam.cv1")
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    return item


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def _offered(html: str) -> list[str]:
    """The usernames in the Chuyển xử lý list of a task page."""
    select = html.split('id="forward-to"', 1)[1].split("</select>", 1)[0]
    return _OPTION.findall(select)


def test_forward__the_list_holds_only_the_unit_and_its_leader(office: Any, login: Any) -> None:
    item = _proposal(office)
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    html = _page(login("qlkh.cv1"), f"/tasks/{task.id}")
    assert sorted(_offered(html)) == ["qlkh.cv2", "qlkh.tp"]
    assert "Trần Văn Hải (Trưởng phòng) — Phòng Quản lý Khoa học" in html


def test_forward__the_director_chooses_among_the_department_only(office: Any, login: Any) -> None:
    item = _proposal(office)
    office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="dong_y")
    office.do("hoidong", item, "danh_gia_hoi_dong", **HOI_DONG)
    task = office.task("giamdoc", item, "quyet_dinh_giam_doc")
    offered = _offered(_page(login("giamdoc"), f"/tasks/{task.id}"))
    assert {"phogiamdoc", "qlkh.tp", "vp.vanthu", "trungtam.cv1"} <= set(offered)
    assert not {"chutich", "vpubnd", "tuphap", "hoidong", "quantri", "giamdoc"} & set(offered)


def test_forward__the_council_has_nobody_to_forward_to(office: Any, login: Any) -> None:
    item = _proposal(office)
    office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="dong_y")
    task = office.task("hoidong", item, "danh_gia_hoi_dong")
    html = _page(login("hoidong"), f"/tasks/{task.id}")
    assert 'name="ket_luan"' in html  # the council's own form is there
    assert 'class="forward"' not in html


@pytest.mark.parametrize("target", ["chutich", "quantri", "cs.cv1", "qlkh.cv1", ""])
def test_forward__a_forged_choice_is_refused_and_the_task_stays(
    office: Any, login: Any, target: str
) -> None:
    item = _proposal(office)
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    client = login("qlkh.cv1")
    url = f"/tasks/{task.id}"
    assert post(client, url, f"{url}/claim").status_code == 302
    before = office.show(item)
    response = post(client, url, f"{url}/forward", {"to": target, "_comment": "Nhờ xem"})
    # The page again, its panel open: the refusal beside the list, the words typed kept.
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<details class="forward" open>' in html
    assert f'id="forward-to-error">{REFUSED}</p>' in html
    assert ">Nhờ xem</textarea>" in html
    assert office.show(item) == before
    assert office.task("qlkh.cv1", item, "xem_xet_de_xuat").assignee == "qlkh.cv1"


def test_forward__a_personal_step_with_nobody_to_forward_to_shows_no_empty_card(
    app: Any, office: Any, login: Any
) -> None:
    """A step the diagram gives one person outside any unit: nothing to take, give back or
    forward, so the page has no "Nhận, chuyển xử lý" box at all."""
    with transaction(office.factory) as s:
        engine.add_user(s, "an", display_name="Nguyễn Văn An", password=PASSWORD)
        engine.deploy(s, fixture_files("camunda_generic"), office.clock, "quantri")
    item = office.start("duyet_chi_phi", "an", so_tien="500000")
    html = _page(login("an"), f"/tasks/{office.task('an', item, 'xem_xet').id}")
    assert "Xem xét đề nghị" in html
    assert "Nhận, chuyển xử lý" not in html
