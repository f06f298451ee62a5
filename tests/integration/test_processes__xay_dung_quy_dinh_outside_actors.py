"""The drafter consults any outside body the database knows (issue 10, point 3): the form offers
the groups marked as outside actors that have a receiver ("x-options": "outside_actors"), so a
sở added by an administrator is offered and consulted by its own receiver; a body that is not
one is refused in Vietnamese, and a Chairman's decision still needs the three the law names."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import create_engine
from sqlalchemy.orm import sessionmaker

import engine
from cli.main import main
from engine import transaction
from engine.form_options import current_options
from tests.office import Office
from tools.diagrams.xay_dung_quy_dinh import NOT_A_BODY
from workflows.legal_drafting import REQUIRED_FOR_CHAIRMAN

GIAO = {
    "ten_du_thao": "Quy định quản lý hoạt động chuyển giao công nghệ",
    "hinh_thuc_van_ban": "qd_chu_tich",
    "don_vi_soan_thao": "phong_khtc",
    "trinh_tu_rut_gon": False,
    "so_ngay_tham_dinh": 10,
}


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    office = Office(sqlite_factory, clock)
    with transaction(sqlite_factory) as s:
        # A fourth body, added as an administrator would: an outside group with its receiver.
        engine.add_group(s, "so_cong_thuong", "Sở Công Thương", outside=True)
        engine.add_user(
            s, "congthuong", display_name="Văn thư Sở Công Thương", groups=["so_cong_thuong"]
        )
        # An outside body nobody receives for, and a group of the Sở that is no outside body.
        engine.add_group(s, "so_xay_dung", "Sở Xây dựng", outside=True)
    return office


def _assigned(office: Office, **giao: Any) -> int:
    item = office.start("xay_dung_quy_dinh", "giamdoc")
    office.do("giamdoc", item, "giao_soan_thao", **{**GIAO, **giao})
    return item


def _offered(office: Office, item: int) -> dict[str, str]:
    task = office.task("khtc.cv1", item, "soan_du_thao")
    with transaction(office.factory) as s:
        form = engine.task_form(s, task.id)
    assert form.schema is not None
    items = form.schema["properties"]["co_quan_lay_y_kien"]["items"]
    return engine.schema_choices(items)


def test_outside_actors__every_marked_body_with_a_receiver_is_offered(office: Office) -> None:
    item = _assigned(office)
    assert _offered(office, item) == {
        "so_cong_thuong": "Sở Công Thương",
        "so_noi_vu": "Sở Nội vụ",
        "so_tai_chinh": "Sở Tài chính",
        "so_tu_phap": "Sở Tư pháp",
        "vp_ubnd_tinh": "Văn phòng UBND tỉnh",
    }  # not Sở Xây dựng (no receiver), not the Sở's own groups nor the UBND's leaders
    with transaction(office.factory) as s:
        engine.add_user(s, "xaydung", display_name="Văn thư Sở Xây dựng", groups=["so_xay_dung"])
        assert "so_xay_dung" in dict(
            current_options(s, frozenset({"outside_actors"}))["outside_actors"]
        )


def test_outside_actors__a_fourth_body_is_consulted_by_its_receiver(office: Office) -> None:
    item = _assigned(office)
    chosen = [*REQUIRED_FOR_CHAIRMAN, "so_cong_thuong"]
    office.do(
        "khtc.cv1", item, "soan_du_thao", tom_tat_du_thao="Dự thảo", co_quan_lay_y_kien=chosen
    )
    assert office.steps(item) == ["dang_tai", *["gop_y"] * 4]
    [task] = office.inbox("congthuong", item)
    assert (task.element_id, task.candidate_groups) == ("gop_y", ["so_cong_thuong"])
    assert office.inbox("taichinh", item)[0].candidate_groups == ["so_tai_chinh"]
    office.do("congthuong", item, "gop_y", ket_qua_gop_y="co_y_kien", y_kien="Bổ sung Điều 7")
    assert office.inbox("congthuong", item) == []
    replies = [(h.actor, h.decision) for h in office.show(item).history if h.element_id == "gop_y"]
    assert replies == [("congthuong", "co_y_kien")]


@pytest.mark.parametrize("body", ["so_xay_dung", "hoi_dong_tu_van", "lanh_dao_ubnd_tinh", "x"])
def test_outside_actors__a_body_not_offered_is_refused_in_vietnamese(
    office: Office, body: str
) -> None:
    item = _assigned(office, hinh_thuc_van_ban="qd_ubnd")
    with pytest.raises(engine.InvalidData) as refused:
        office.do(
            "khtc.cv1", item, "soan_du_thao", tom_tat_du_thao="Dự thảo", co_quan_lay_y_kien=[body]
        )
    assert refused.value.fields["co_quan_lay_y_kien"] == NOT_A_BODY
    assert refused.value.field_codes["co_quan_lay_y_kien"]["source"] == "outside_actors"
    assert office.steps(item) == ["soan_du_thao"]  # nothing changed
    assert office.show(item).data["co_quan_lay_y_kien"] == []


def test_outside_actors__a_chairmans_decision_still_needs_the_three_the_law_names(
    office: Office,
) -> None:
    item = _assigned(office)
    office.do(
        "khtc.cv1",
        item,
        "soan_du_thao",
        tom_tat_du_thao="Dự thảo",
        co_quan_lay_y_kien=["so_cong_thuong", "so_tu_phap"],
    )
    view = office.show(item)
    assert office.steps(item) == ["soan_du_thao"]  # sent to nobody: the step opens again
    assert "Sở Tài chính, Sở Nội vụ" in view.data["thong_bao_lay_y_kien"]
    assert office.inbox("congthuong", item) == []
    # the three come ticked again, beside the body chosen
    assert set(view.data["co_quan_lay_y_kien"]) == {"so_cong_thuong", *REQUIRED_FOR_CHAIRMAN}


def test_outside_actors__an_administrator_adds_one_from_the_command_line(sqlite_url: str) -> None:
    runner = CliRunner()
    env = {"PHEDUYET_DATABASE_URL": sqlite_url}
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    commands = [
        ["groups", "add", "so_cong_thuong", "--name", "Sở Công Thương", "--outside"],
        ["users", "add", "congthuong", "--name", "Văn thư", "--group", "so_cong_thuong"],
        ["groups", "add", "so_y_te", "--name", "Sở Y tế", "--outside"],
        ["users", "add", "yte", "--name", "Văn thư", "--group", "so_y_te"],
        ["groups", "add", "so_y_te", "--not-outside"],  # unmarked: no longer offered
        ["groups", "add", "so_cong_thuong", "--name", "Sở Công Thương tỉnh"],  # stays marked
    ]
    for command in commands:
        result = runner.invoke(main, command, env=env)
        assert result.exit_code == 0, result.output
    factory = sessionmaker(create_engine(sqlite_url))
    with transaction(factory) as s:
        offered = current_options(s, frozenset({"outside_actors"}))["outside_actors"]
    assert offered == (("so_cong_thuong", "Sở Công Thương tỉnh"),)
