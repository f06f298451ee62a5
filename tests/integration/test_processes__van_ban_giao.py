"""The document that assigns a task (số ký hiệu, ngày, cơ quan ban hành, trích yếu): given on
the Phân công form of a task started by hand, shown in the item's dossier and found by search."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import transaction
from tests.office import Office

SOURCE = {
    "so_ky_hieu_van_ban": "185/TB-UBND",
    "ngay_van_ban": "2026-02-18",
    "co_quan_ban_hanh": "UBND tỉnh Bắc Giang",
    "trich_yeu_van_ban": "Kết luận của Phó Chủ tịch UBND tỉnh tại buổi làm việc với Sở",
}


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def test_van_ban_giao__a_manual_start_records_the_source_document(office: Office) -> None:
    item = office.start_by_hand("giao_nhiem_vu", "vp.tp")
    office.do(
        "giamdoc",
        item,
        "phan_cong",
        don_vi_chu_tri="phong_qlkhcn_cs",
        han_xu_ly="2026-03-20",
        **SOURCE,
    )
    assert {k: office.show(item).data[k] for k in SOURCE} == SOURCE
    with transaction(office.factory) as s:
        sections = engine.dossier(s, item).sections
        hits = engine.search_items(s, engine.get_identity(s, "vp.tp"), "185/TB-UBND")
    shown = {f.label: f.value for x in sections if x.element_id == "phan_cong" for f in x.fields}
    assert shown["Số, ký hiệu văn bản giao nhiệm vụ"] == "185/TB-UBND"
    assert shown["Cơ quan ban hành"] == "UBND tỉnh Bắc Giang"
    assert item in [hit.id for hit in hits]
