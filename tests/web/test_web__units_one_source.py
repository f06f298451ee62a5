"""Units are one data source: the 2025 chart loads, a unit added in Quản trị is offered by the
forms and accepted, the plan importer recognises it, and so an outside body added there."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from flask import Flask

import engine
from engine import ManualClock, transaction
from tests.conftest import START
from tests.integration.test_processes__giao_nhiem_vu import TASK as GIAO_TASK
from tests.office import bpmn_files
from tests.web.conftest import PASSWORD, csrf_token, post
from web import create_app
from workflows.org_chart import load_org_chart, read_org_chart
from workflows.plan_import import find_assignments
from workflows.plan_units import recognising, registry_of
from workflows.roles import AUDITOR_GROUPS

ADMIN = "quantri"
PLAN = (
    "KẾ HOẠCH\nII. NHIỆM VỤ VÀ GIẢI PHÁP\n1. Chuyển đổi số\n"
    "Giao Phòng Dữ liệu số chủ trì, phối hợp với Sở Dân tộc và Tôn giáo xây dựng cơ sở dữ "
    "liệu; thời gian hoàn thành trước ngày 30/6/2026.\n"
)


def _add_unit(client: Any) -> None:
    response = post(
        client,
        "/admin/groups",
        "/admin/groups",
        {"intent": "add", "key": "phong_dls", "name": "Phòng Dữ liệu số", "is_unit": "1"},
    )
    assert response.status_code == 302


def _phan_cong(office: Any) -> tuple[int, str]:
    with transaction(office.factory) as s:
        item = engine.start_instance(
            s, office.config, "giao_nhiem_vu", "vp.tp", data={**GIAO_TASK, "don_vi_chu_tri": None}
        )
    return item, office.task("giamdoc", item, "phan_cong").id


def test_units__the_2025_chart_has_no_inspectorate_and_the_office_follows_the_work() -> None:
    chart = read_org_chart()
    keys = {u.key for u in chart.units}
    assert "thanh_tra_so" not in keys and "thanh_tra_so" not in dict(chart.groups)
    assert {"van_phong_so", "phong_cds", "phong_bcvt", "chi_cuc_tdc"} <= keys
    assert "không phải quy định của pháp luật" in chart.description
    leaders = {p.username for p in chart.people if "van_phong_so.lanh_dao" in p.groups}
    assert leaders == {"vp.tp", "vp.pho"} and "van_phong_so.lanh_dao" in AUDITOR_GROUPS
    # The outside actors other processes route to are there, with their receivers.
    people = {p.username: p.groups for p in chart.people}
    for username, group in [
        ("taichinh", "so_tai_chinh"),
        ("noivu", "so_noi_vu"),
        ("tuphap", "so_tu_phap"),
        ("vpubnd", "vp_ubnd_tinh"),
        ("chutich", "lanh_dao_ubnd_tinh"),
        ("hoidong", "hoi_dong_tu_van"),
        ("giamdoc", "lanh_dao_so"),
        ("phogiamdoc", "lanh_dao_so"),
        ("quantri", "admin"),
    ]:
        assert group in people[username]


def test_units__the_office_leaders_of_the_2025_chart_open_theo_doi(tmp_path: Path) -> None:
    path = tmp_path / "pheduyet.db"
    db = engine.create_db_engine(f"sqlite:///{path}")
    engine.upgrade_database(db)
    with transaction(engine.session_factory(db)) as s:
        load_org_chart(s, read_org_chart(), password=PASSWORD)
        engine.deploy(s, bpmn_files(), ManualClock(START))
        assert ("thanh_tra_so", "Thanh tra Sở") not in engine.list_units(s)
    db.dispose()
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "t",
            "DATABASE_URL": f"sqlite:///{path}",
            "UPLOAD_FOLDER": str(tmp_path / "files"),
            "NOW": ManualClock(START),
        }
    )
    for who, status in [("vp.tp", 200), ("vp.pho", 200), ("vp.cv2", 403), ("cds.tp", 403)]:
        client = app.test_client()
        token = csrf_token(client.get("/login").get_data(as_text=True))
        client.post("/login", data={"username": who, "password": PASSWORD, "csrf_token": token})
        assert client.get("/monitor/").status_code == status, who


def test_units__a_unit_added_in_quan_tri_is_offered_and_accepted(login: Any, office: Any) -> None:
    item, task = _phan_cong(office)
    giamdoc = login("giamdoc")
    url = f"/tasks/{task}"
    assert 'value="phong_dls"' not in giamdoc.get(url).get_data(as_text=True)
    _add_unit(login(ADMIN))
    page = giamdoc.get(url).get_data(as_text=True)
    assert re.search(r'value="phong_dls"[^>]*>\s*<span>Phòng Dữ liệu số', page) or (
        'value="phong_dls"' in page and "Phòng Dữ liệu số" in page
    )
    sent = {"don_vi_chu_tri": "phong_dls", "han_xu_ly": "30/06/2026"}
    assert post(giamdoc, url, url, sent).status_code == 302
    assert office.show(item).data["don_vi_chu_tri"] == "phong_dls"
    # The dossier names the unit, not its key.
    assert "Phòng Dữ liệu số" in giamdoc.get(f"/items/{item}").get_data(as_text=True)


def test_units__an_unknown_unit_is_refused_in_vietnamese(login: Any, office: Any) -> None:
    item, task = _phan_cong(office)
    client = login("giamdoc")
    url = f"/tasks/{task}"
    response = post(
        client, url, url, {"don_vi_chu_tri": "phong_khong_co", "han_xu_ly": "30/06/2026"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-don_vi_chu_tri-error">Đơn vị này không có trong danh sách đơn vị' in html
    assert office.task("giamdoc", item, "phan_cong").id == task  # nothing moved


def test_units__the_importer_reads_units_and_bodies_added_in_quan_tri(
    login: Any, app: Flask
) -> None:
    factory = app.extensions["pheduyet.sessions"]

    def found() -> tuple[str | None, tuple[str, ...], str | None]:
        with transaction(factory) as s, recognising(registry_of(s)):
            [task] = find_assignments(PLAN)
        return task.lead_unit, task.cooperating_units, task.needs_decision

    lead, partners, note = found()
    assert lead == "Phòng Dữ liệu số" and note and "Không nhận ra" in note  # kept, flagged
    admin = login(ADMIN)
    _add_unit(admin)
    response = post(
        admin,
        "/admin/bodies/",
        "/admin/bodies/",
        {"name": "Sở Dân tộc và Tôn giáo", "aliases": "Sở DT&TG\nSở Dân tộc - Tôn giáo"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Sở Dân tộc và Tôn giáo" in page and "Sở Tư pháp" in page  # the shipped list stays
    lead, partners, note = found()
    assert (lead, partners, note) == ("Phòng Dữ liệu số", ("Sở Dân tộc và Tôn giáo",), None)
    with transaction(factory) as s:
        bodies = {b.name: b for b in engine.list_outside_bodies(s)}
    assert bodies["Sở Dân tộc và Tôn giáo"].aliases == ("Sở DT&TG", "Sở Dân tộc - Tôn giáo")


def test_units__an_outside_body_is_renamed_and_a_taken_name_refused(login: Any, app: Flask) -> None:
    admin = login(ADMIN)
    page = "/admin/bodies/"
    renamed = {"replacing": "Sở Ngoại vụ", "name": "Sở Ngoại vụ tỉnh", "aliases": "Sở Ngoại vụ"}
    assert post(admin, page, page, renamed).status_code == 302
    taken = {"replacing": "Sở Y tế", "name": "Sở Tư pháp", "aliases": ""}
    response = post(admin, page, page, taken)
    assert response.status_code == 422
    assert "Đã có cơ quan tên “Sở Tư pháp”" in response.get_data(as_text=True)
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        names = [b.name for b in engine.list_outside_bodies(s)]
    assert "Sở Ngoại vụ tỉnh" in names and "Sở Ngoại vụ" not in names and "Sở Y tế" in names
    assert login("giamdoc").get(page).status_code == 403
