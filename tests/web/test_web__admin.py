"""Quản trị: who may enter, deploying diagrams by upload, people, groups."""

from __future__ import annotations

import html
import io
import zipfile
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import transaction
from tests.conftest import FIXTURES
from tests.web.conftest import csrf_token, post

ADMIN = "quantri"
NEW_PASSWORD = "mật khẩu mới 2026"

ADMIN_URLS = [
    ("GET", "/admin/processes"),
    ("POST", "/admin/processes/deploy"),
    ("GET", "/admin/processes/de_xuat_nhiem_vu/diagram"),
    ("GET", "/admin/users"),
    ("POST", "/admin/users"),
    ("GET", "/admin/users/qlkh.cv1"),
    ("POST", "/admin/users/qlkh.cv1"),
    ("GET", "/admin/groups"),
    ("POST", "/admin/groups"),
]


def state(app: Flask) -> tuple[Any, ...]:
    """Everything an admin page can change."""
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return (
            engine.list_processes(s),
            engine.process_versions(s),
            engine.list_users(s),
            engine.list_groups(s),
        )


def processes(app: Flask) -> list[engine.ProcessView]:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return engine.list_processes(s)


def upload(*paths: str) -> dict[str, Any]:
    return {
        "files": [(io.BytesIO((FIXTURES / p).read_bytes()), p.rsplit("/", 1)[-1]) for p in paths]
    }


def deploy(client: FlaskClient, data: dict[str, Any]) -> Any:
    return post(
        client,
        "/admin/processes",
        "/admin/processes/deploy",
        data,
        content_type="multipart/form-data",
    )


def log_in(app: Flask, username: str, password: str) -> tuple[FlaskClient, int]:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    return client, response.status_code


BUNDLE = ("spiff/approval.bpmn", "spiff/draft.json", "spiff/review.json")


# --- Access ---------------------------------------------------------------------------------


@pytest.mark.parametrize("username", ["qlkh.cv1", "giamdoc"])
def test_admin__everyone_else_gets_403_and_nothing_changes(
    app: Flask, login: Any, username: str
) -> None:
    client = login(username)
    before = state(app)
    forms = {
        "/admin/processes/deploy": upload(*BUNDLE),
        "/admin/users": {
            "username": "ke.la",
            "display_name": "Kẻ lạ",
            "password": "x" * 12,
            "groups": ["admin"],
        },
        "/admin/users/qlkh.cv1": {"display_name": "Đổi tên", "groups": ["admin"], "active": "1"},
        "/admin/groups": {"intent": "add", "key": "nhom_la", "name": "Nhóm lạ"},
    }
    for method, url in ADMIN_URLS:
        if method == "GET":
            response = client.get(url)
        else:
            response = post(
                client,
                "/",
                url,
                forms[url],
                content_type="multipart/form-data" if "deploy" in url else None,
            )
        assert response.status_code == 403, (method, url)
        assert "Không có quyền" in response.get_data(as_text=True)
    assert state(app) == before
    assert "/admin/" not in client.get("/").get_data(as_text=True)  # no link to where they can't go


def test_admin__a_visitor_is_sent_to_the_login(app: Flask) -> None:
    client = app.test_client()
    for method, url in ADMIN_URLS:
        response = client.open(url, method=method)
        if method == "GET":
            assert response.status_code == 302 and "/login" in response.headers["Location"]
        else:
            assert response.status_code == 400  # no session, no CSRF token: refused before all


def test_admin__the_three_pages_and_their_sub_nav(login: Any) -> None:
    client = login(ADMIN)
    for url, title in [
        ("/admin/processes", "Quy trình"),
        ("/admin/users", "Người dùng"),
        ("/admin/groups", "Đơn vị, nhóm"),
    ]:
        page = client.get(url).get_data(as_text=True)
        assert f"<h1>{title}</h1>" in page
        assert 'class="subnav"' in page and 'aria-current="page"' in page
        for other in ("/admin/processes", "/admin/users", "/admin/groups"):
            assert f'href="{other}"' in page
        assert "style=" not in page and "<script>" not in page  # CSP: nothing inline


# --- Quy trình ------------------------------------------------------------------------------


def test_admin__processes_lists_the_deployed_ones_with_their_versions(login: Any) -> None:
    page = login(ADMIN).get("/admin/processes").get_data(as_text=True)
    assert "de_xuat_nhiem_vu" in page and "Đề xuất nhiệm vụ khoa học và công nghệ" in page
    assert "02/03/2026 08:00" in page  # deployed at START, shown in Hà Nội time
    assert "/monitor/processes/de_xuat_nhiem_vu" in page
    assert "/admin/processes/de_xuat_nhiem_vu/diagram?version=1" in page
    assert "Tất cả 1 phiên bản" in page


def test_admin__the_links_of_a_process_lead_somewhere(login: Any) -> None:
    client = login(ADMIN)
    assert client.get("/monitor/processes/de_xuat_nhiem_vu").status_code == 200
    diagram = client.get("/admin/processes/de_xuat_nhiem_vu/diagram?version=1")
    assert diagram.status_code == 200 and diagram.mimetype == "application/xml"
    assert b"de_xuat_nhiem_vu" in diagram.data
    assert client.get("/admin/processes/khong_co/diagram").status_code == 404


def test_admin__deploy_a_bundle_by_upload_then_the_same_again(
    app: Flask, login: Any, web_clock: Any
) -> None:
    client = login(ADMIN)
    response = deploy(client, upload(*BUNDLE))
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Quy trình «Approval with a return loop» (approval): đã triển khai phiên bản 1." in page
    assert "Approval with a return loop" in page
    approval = next(p for p in processes(app) if p.process_id == "approval")
    assert approval.version == 1

    response = deploy(client, upload(*BUNDLE))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "(approval): không thay đổi" in page
    assert next(p for p in processes(app) if p.process_id == "approval").version == 1

    changed = (
        (FIXTURES / "spiff/approval.bpmn")
        .read_bytes()
        .replace(b"Approval with a return loop", b"Approval with a return loop, v2")
    )
    files = upload("spiff/draft.json", "spiff/review.json")
    files["files"].append((io.BytesIO(changed), "approval.bpmn"))
    response = deploy(client, files)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "(approval): đã triển khai phiên bản 2." in page
    assert "Tất cả 2 phiên bản" in page
    assert "/admin/processes/approval/diagram?version=1" in page

    diagram = client.get("/admin/processes/approval/diagram?version=2")
    assert diagram.status_code == 200 and b"return loop, v2" in diagram.data
    assert "attachment" in diagram.headers["Content-Disposition"]
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        deployed = {(p, v) for p, v, _n, _at in engine.process_versions(s, "approval")}
    assert deployed == {("approval", 1), ("approval", 2)}


def test_admin__a_version_s_files_come_as_one_archive_to_edit_and_deploy_again(
    app: Flask, login: Any
) -> None:
    """The diagram alone is refused without its forms: the archive holds every file the
    version was deployed with, and deployed again with one label changed, it is version 2."""
    client = login(ADMIN)
    page = client.get("/admin/processes").get_data(as_text=True)
    assert "/admin/processes/de_xuat_nhiem_vu/files.zip?version=1" in page
    response = client.get("/admin/processes/de_xuat_nhiem_vu/files.zip?version=1")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert "de_xuat_nhiem_vu-v1.zip" in response.headers["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    assert {"de_xuat_nhiem_vu.bpmn", "trinh_ubnd.bpmn", "phieu_de_xuat.json"} <= set(files)
    files["de_xuat_nhiem_vu.bpmn"] = files["de_xuat_nhiem_vu.bpmn"].replace(
        "Lập phiếu đề xuất nhiệm vụ".encode(), "Lập phiếu đề xuất".encode()
    )
    sent = {"files": [(io.BytesIO(data), name) for name, data in files.items()]}
    page = client.get(deploy(client, sent).headers["Location"]).get_data(as_text=True)
    assert "đã triển khai phiên bản 2" in page
    assert client.get("/admin/processes/khong_co/files.zip").status_code == 404


def test_admin__a_process_that_starts_itself_says_when_next(
    app: Flask, login: Any, web_clock: Any
) -> None:
    """Deployed from the page, a timer start event's items start in the admin's name; the
    list says when the next one starts, in Hà Nội time."""
    client = login(ADMIN)
    response = deploy(client, upload("timer_start/weekly_report.bpmn"))
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "(weekly_report): đã triển khai phiên bản 1." in page
    # START is Monday 08:00 in Hà Nội: the cron's next Monday morning.
    assert "Tự khởi tạo hồ sơ theo hẹn giờ, lần tới: 09/03/2026 08:00" in page


@pytest.mark.parametrize(
    ("files", "file", "element", "line"),
    [
        (("hostile/doctype.bpmn",), "doctype.bpmn", None, 2),
        (("hostile/script_import_os.bpmn",), "script_import_os.bpmn", "act", 7),
        (("hostile/missing_call_target.bpmn",), "missing_call_target.bpmn", "act", 6),
        # A good bundle with one bad file in it: nothing of the bundle is stored.
        ((*BUNDLE, "hostile/script_import_os.bpmn"), "script_import_os.bpmn", "act", 7),
    ],
)
def test_admin__a_refused_file_is_named_with_its_element_and_line(
    app: Flask, login: Any, files: tuple[str, ...], file: str, element: str | None, line: int
) -> None:
    client = login(ADMIN)
    before = state(app)
    response = deploy(client, upload(*files))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Tệp quy trình bị từ chối" in page
    assert f"tệp {file}" in page and f"<code>{file}</code>" in page
    assert f"dòng {line}" in page
    if element:
        assert f"phần tử {element}" in page and f"<code>{element}</code>" in page
    assert "Không có tệp nào trong lần tải lên này được lưu" in page
    assert state(app) == before


def test_admin__a_broken_file_made_here_is_refused_too(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    before = processes(app)
    broken = b'<?xml version="1.0"?>\n<definitions>\n  <process id="x">\n</definitions>\n'
    response = deploy(client, {"files": [(io.BytesIO(broken), "hỏng.bpmn")]})
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "hỏng.bpmn" in page and "dòng" in page
    assert processes(app) == before


def test_admin__a_refused_script_is_said_in_vietnamese(app: Flask, login: Any) -> None:
    """The checker's words for a script it refuses ("imports are not allowed in BPMN
    scripts") reach the administrator in Vietnamese."""
    client = login(ADMIN)
    response = deploy(client, upload("hostile/script_import_os.bpmn"))
    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 422
    said = page[: page.index("Nguyên văn của bộ kiểm tra")]  # the checker's own words after
    assert "thao tác không được phép: không được dùng import" in said
    assert "not allowed" not in said


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Chưa chọn tệp nào"),
        ({"files": [(io.BytesIO(b""), "")]}, "Chưa chọn tệp nào"),
        ({"files": [(io.BytesIO(b"MZ..."), "setup.exe")]}, "setup.exe không phải tệp quy trình"),
    ],
)
def test_admin__an_empty_or_foreign_upload_says_so(
    app: Flask, login: Any, data: dict[str, Any], message: str
) -> None:
    client = login(ADMIN)
    before = processes(app)
    response = deploy(client, data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert processes(app) == before


def test_admin__an_upload_over_the_limit_gets_the_413_page(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    token = csrf_token(client.get("/admin/processes").get_data(as_text=True))
    app.config["MAX_CONTENT_LENGTH"] = 10 * 1024
    response = client.post(
        "/admin/processes/deploy",
        content_type="multipart/form-data",
        data={"csrf_token": token, "files": [(io.BytesIO(b"x" * 20 * 1024), "big.bpmn")]},
    )
    assert response.status_code == 413 and "Tệp quá lớn" in response.get_data(as_text=True)


# --- Người dùng -----------------------------------------------------------------------------


def add_person(client: FlaskClient, **fields: Any) -> Any:
    data = {
        "username": "qlkh.cv9",
        "display_name": "Trần Văn Mới (Chuyên viên)",
        "unit": "phong_qlkh",
        "groups": ["hoi_dong_tu_van"],
        "password": NEW_PASSWORD,
    }
    return post(client, "/admin/users", "/admin/users", {**data, **fields})


def test_admin__people_are_listed_with_unit_and_group_names(login: Any) -> None:
    page = login(ADMIN).get("/admin/users").get_data(as_text=True)
    assert "qlkh.cv1" in page and "Phòng Quản lý Khoa học" in page
    assert "Quản trị hệ thống" in page  # quantri's group, by its name
    assert "Đang hoạt động" in page


def test_admin__people_are_found_by_login_name_or_unit_without_diacritics(login: Any) -> None:
    client = login(ADMIN)
    page = client.get("/admin/users?q=ha thi linh").get_data(as_text=True)
    assert "trungtam.cv1" in page and "qlkh.cv1" not in page
    page = client.get("/admin/users?q=QUẢN LÝ KHOA HỌC").get_data(as_text=True)
    assert "qlkh.cv1" in page and "trungtam.cv1" not in page
    assert "Không có người dùng nào khớp" in client.get("/admin/users?q=zzz").get_data(as_text=True)


def test_admin__add_a_person_who_then_logs_in(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    response = add_person(client)
    assert response.status_code == 302
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Đã thêm người dùng qlkh.cv9." in page and "Trần Văn Mới" in page
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        person = next(u for u in engine.list_users(s) if u.username == "qlkh.cv9")
    assert person.unit == "phong_qlkh" and person.groups == ("hoi_dong_tu_van",) and person.active

    newcomer, status = log_in(app, "qlkh.cv9", NEW_PASSWORD)
    assert status == 302
    assert "Trần Văn Mới" in newcomer.get("/").get_data(as_text=True)
    assert newcomer.get("/admin/users").status_code == 403


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password": "ngắn1"}, "Mật khẩu phải có ít nhất 8 ký tự."),
        ({"password": ""}, "Mật khẩu phải có ít nhất 8 ký tự."),
        ({"username": "hai tu"}, "Tên đăng nhập chỉ gồm chữ không dấu"),
        ({"username": ""}, "Tên đăng nhập chỉ gồm chữ không dấu"),
        ({"username": "qlkh.cv1"}, "Tên đăng nhập này đã có."),
        ({"username": "QLKH.CV1"}, "Tên đăng nhập này đã có."),  # one person, one name
        ({"display_name": "  "}, "Hãy nhập họ tên."),
        ({"unit": "phong_khong_co"}, "Đơn vị này không có trong sơ đồ tổ chức."),
        ({"groups": ["nhom_khong_co"]}, "Nhóm nhom_khong_co không tồn tại."),
    ],
)
def test_admin__a_wrong_person_form_is_refused_in_vietnamese(
    app: Flask, login: Any, fields: dict[str, Any], message: str
) -> None:
    client = login(ADMIN)
    before = state(app)
    response = add_person(client, **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and message in page
    assert 'class="field-error"' in page  # next to the field
    assert state(app) == before
    if fields.get("password") == "ngắn1":
        assert log_in(app, "qlkh.cv9", "ngắn1")[1] == 401


def test_admin__edit_groups_exactly_then_deactivate(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    page = client.get("/admin/users/qlkh.cv1").get_data(as_text=True)
    assert 'value="phong_qlkh" selected' in page

    response = post(
        client,
        "/admin/users/qlkh.cv1",
        "/admin/users/qlkh.cv1",
        {
            "display_name": "Nguyễn Văn Sửa (Chuyên viên)",
            "unit": "phong_khtc",
            "groups": ["hoi_dong_tu_van", "so_tu_phap"],
            "active": "1",
        },
    )
    assert response.status_code == 302
    assert "Đã lưu thông tin của qlkh.cv1." in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        person = next(u for u in engine.list_users(s) if u.username == "qlkh.cv1")
    assert person.display_name == "Nguyễn Văn Sửa (Chuyên viên)" and person.unit == "phong_khtc"
    assert person.groups == ("hoi_dong_tu_van", "so_tu_phap")

    response = post(
        client,
        "/admin/users/qlkh.cv1",
        "/admin/users/qlkh.cv1",
        {"display_name": "Nguyễn Văn Sửa (Chuyên viên)", "unit": "phong_khtc", "groups": []},
    )
    assert response.status_code == 302
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        person = next(u for u in engine.list_users(s) if u.username == "qlkh.cv1")
    assert person.groups == () and not person.active
    assert "Đã khóa" in client.get("/admin/users").get_data(as_text=True)
    from tests.web.conftest import PASSWORD

    assert log_in(app, "qlkh.cv1", PASSWORD)[1] == 401


def test_admin__a_new_password_on_the_edit_page(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    url = "/admin/users/qlkh.cv1"
    data = {"display_name": "Chuyên viên 1", "unit": "phong_qlkh", "active": "1"}
    response = post(client, url, url, {**data, "password": "1234567"})
    assert response.status_code == 422
    assert "Mật khẩu phải có ít nhất 8 ký tự." in response.get_data(as_text=True)
    assert post(client, url, url, {**data, "password": NEW_PASSWORD}).status_code == 302
    assert log_in(app, "qlkh.cv1", NEW_PASSWORD)[1] == 302


def test_admin__an_admin_cannot_lock_themself_out(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    before = state(app)
    url = f"/admin/users/{ADMIN}"
    response = post(client, url, url, {"display_name": "Quản trị", "groups": ["admin"]})
    assert response.status_code == 422 and "không thể tự khóa" in response.get_data(as_text=True)
    response = post(client, url, url, {"display_name": "Quản trị", "active": "1"})
    assert response.status_code == 422
    assert state(app) == before


def test_admin__an_unknown_person_is_404(login: Any) -> None:
    client = login(ADMIN)
    assert client.get("/admin/users/khong_co_ai").status_code == 404
    response = post(
        client, "/admin/users", "/admin/users/khong_co_ai", {"display_name": "Ai đó", "active": "1"}
    )
    assert response.status_code == 404


# --- Đơn vị, nhóm ---------------------------------------------------------------------------


def test_admin__groups_are_listed_with_their_members(app: Flask, login: Any) -> None:
    page = login(ADMIN).get("/admin/groups").get_data(as_text=True)
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        people = engine.list_users(s)
    in_unit = sum(
        1 for p in people if p.active and ("phong_qlkh" in p.groups or p.unit == "phong_qlkh")
    )
    assert in_unit > 0
    assert f'href="/admin/users?group=phong_qlkh">{in_unit}</a>' in page
    assert "Quản trị hệ thống" in page and "Phòng Quản lý Khoa học" in page


def test_admin__add_a_group_then_rename_it(app: Flask, login: Any) -> None:
    client = login(ADMIN)
    data = {"intent": "add", "key": "to_tham_dinh", "name": "Tổ thẩm định"}
    response = post(client, "/admin/groups", "/admin/groups", data)
    assert response.status_code == 302
    page = client.get("/admin/groups").get_data(as_text=True)
    assert "Đã thêm nhóm to_tham_dinh (Tổ thẩm định)." in page and "to_tham_dinh" in page
    assert "Tổ thẩm định" in client.get("/admin/users").get_data(as_text=True)  # a choice now

    again = post(client, "/admin/groups", "/admin/groups", data)
    assert again.status_code == 422 and "Mã nhóm to_tham_dinh đã có." in again.get_data(
        as_text=True
    )

    response = post(
        client,
        "/admin/groups",
        "/admin/groups",
        {"intent": "rename", "key": "to_tham_dinh", "name": "Tổ thẩm định hồ sơ"},
    )
    assert response.status_code == 302
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        assert ("to_tham_dinh", "Tổ thẩm định hồ sơ") in engine.list_groups(s)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"intent": "add", "key": "có dấu", "name": "X"}, "Mã nhóm chỉ gồm chữ không dấu"),
        ({"intent": "add", "key": "nhom_moi", "name": ""}, "Hãy nhập tên nhóm."),
        ({"intent": "rename", "key": "khong_co", "name": "X"}, "Nhóm khong_co không tồn tại."),
        # Two groups of one name could not be told apart where people choose them.
        (
            {"intent": "add", "key": "phong_qlkh2", "name": "phòng quản lý  khoa học"},
            "Tên này đã là tên của nhóm phong_qlkh",
        ),
        # The administrators and a unit's leaders are the Sở's own.
        (
            {"intent": "rename", "key": "admin", "name": "Quản trị hệ thống", "outside_shown": "1"}
            | {"is_outside": "1"},
            "Nhóm admin là nhóm của Sở",
        ),
    ],
)
def test_admin__a_wrong_group_form_is_refused(
    app: Flask, login: Any, data: dict[str, str], message: str
) -> None:
    client = login(ADMIN)
    before = state(app)
    response = post(client, "/admin/groups", "/admin/groups", data)
    assert response.status_code == 422 and message in response.get_data(as_text=True)
    assert state(app) == before


def test_admin__a_new_unit_comes_with_its_leaders_and_can_hold_people(
    login: Any, app: Flask
) -> None:
    client = login("quantri")
    response = post(
        client,
        "/admin/groups",
        "/admin/groups",
        {"intent": "add", "key": "phong_so_hoa", "name": "Phòng Chuyển đổi số", "is_unit": "1"},
        follow_redirects=True,
    )
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Phòng Chuyển đổi số" in page and "phong_so_hoa.lanh_dao" in page
    form = client.get("/admin/users").get_data(as_text=True)
    assert '<option value="phong_so_hoa"' in form
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        assert ("phong_so_hoa", "Phòng Chuyển đổi số") in engine.list_units(s)
        assert ("phong_so_hoa.lanh_dao", "Lãnh đạo Phòng Chuyển đổi số") in engine.list_groups(s)
