"""Finding items: by number, title, content or file name, without diacritics or case, open and
finished alike, only among what the person may see, answered from the index (SQLite FTS5,
PostgreSQL trigram), on both databases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

import engine
from engine import search_written, transaction
from engine.search import fold, mark_stale
from tests.migrations import downgrade
from tests.office import Office
from tests.statements import counted
from workflows.org_chart import CHART_2020_PATH, read_org_chart
from workflows.roles import AUDITOR_GROUPS

PHIEU = {
    "ten_nhiem_vu": "Xây dựng Quy định về định mức kinh tế kỹ thuật",
    "linh_vuc": "nong_nghiep",
    "tinh_cap_thiet": "Đà Lạt cần giống dâu tây sạch bệnh",
    "muc_tieu": "Hoàn thiện quy trình nhân giống",
    "ket_qua_du_kien": "Mô hình 50 ha",
    "thoi_gian_thang": 24,
    "kinh_phi_du_kien": 1_500_000_000,
}
PDF = b"%PDF-1.4\n%test\n"


@pytest.fixture
def office(factory: Any, clock: Any) -> Office:
    return Office(factory, clock)


def _proposal(office: Office, who: str = "trungtam.cv1", **changes: Any) -> int:
    item = office.start("de_xuat_nhiem_vu", who)
    office.do(who, item, "lap_phieu_de_xuat", **{**PHIEU, **changes})
    return item


def _find(office: Office, who: str, query: str, **kwargs: Any) -> list[int]:
    return [hit.id for hit in _hits(office, who, query, **kwargs)]


def _hits(office: Office, who: str, query: str, **kwargs: Any) -> list[engine.SearchHit]:
    with transaction(office.factory) as s:
        identity = engine.get_identity(s, who)
        return engine.search_items(s, identity, query, auditor_groups=AUDITOR_GROUPS, **kwargs)


@pytest.mark.parametrize(
    ("typed", "folded"),
    [
        ("Quy ĐỊNH", "quy dinh"),
        ("đường  Đà Lạt", "duong da lat"),
        ("125/TTr-SKHCN", "125 ttr skhcn"),
        ("Bien_ban hop.PDF", "bien ban hop pdf"),
        ("Nghị định số 08/2014/NĐ-CP", "nghi dinh so 08 2014 nd cp"),
        ("1.500.000.000 đồng, 2,5 ha", "1500000000 dong 2 5 ha"),
    ],
)
def test_search__folding_drops_case_diacritics_and_d_stroke(typed: str, folded: str) -> None:
    assert fold(typed) == folded


@pytest.mark.parametrize(
    "query",
    [
        "quy định",
        "quy dinh",
        "QUY DINH",
        "Quy Đinh",
        "dinh muc kinh te",
        "đinh mưc",
        "da lat",
        "1.500.000.000",
    ],
)
def test_search__with_or_without_diacritics_and_case(office: Office, query: str) -> None:
    item = _proposal(office)
    other = _proposal(
        office,
        ten_nhiem_vu="Chuỗi liên kết lúa gạo",
        tinh_cap_thiet="Giá trị",
        kinh_phi_du_kien=900_000_000,
    )
    found = _find(office, "trungtam.cv1", query)
    assert found == [item]
    assert other not in found


@pytest.mark.parametrize("query", ["1500000000", "1.500.000.000"])
def test_search__an_amount_reads_grouped_in_the_excerpt(office: Office, query: str) -> None:
    """The excerpt shows an amount as people write it, whichever way it was typed; a year
    stays as it is."""
    item = _proposal(office, tinh_cap_thiet="Cần ngay trong năm 2026")
    [hit] = _hits(office, "trungtam.cv1", query)
    assert hit.id == item and hit.snippet is not None
    assert [text for text, matched in hit.snippet if matched] == ["1.500.000.000"]
    assert "1500000000" not in "".join(text for text, _matched in hit.snippet)
    [hit] = _hits(office, "trungtam.cv1", "2026")
    assert hit.snippet is not None and ("2026", True) in hit.snippet


def test_search__a_decimal_amount_has_its_excerpt(office: Office) -> None:
    item = _proposal(office, tinh_cap_thiet="Kinh phí 1.234,5 triệu đồng")
    for query in ("1.234,5", "1234,5"):
        [hit] = _hits(office, "trungtam.cv1", query)
        assert hit.id == item and hit.snippet is not None
        assert [text for text, matched in hit.snippet if matched] == ["1.234", "5"]


def test_search__a_number_is_marked_whole_never_inside_a_larger_one(office: Office) -> None:
    """1.500.000 is found and marked as itself, not as the start of 1.500.000.000 beside it."""
    item = _proposal(office, tinh_cap_thiet="Đặt cọc 1.500.000 đồng trên 1.500.000.000 đồng")
    [hit] = _hits(office, "trungtam.cv1", "1500000")
    assert hit.id == item and hit.snippet is not None
    assert [text for text, matched in hit.snippet if matched] == ["1.500.000"]


def test_search__words_are_matched_from_their_start_in_any_order(office: Office) -> None:
    item = _proposal(office)
    assert _find(office, "trungtam.cv1", "kỹ thuật quy") == [item]
    assert _find(office, "trungtam.cv1", "uy dinh") == []  # not inside a word
    assert _find(office, "trungtam.cv1", "quy dinh xyz") == []  # every word must be there


def test_search__the_excerpt_shows_where_it_matched(office: Office) -> None:
    item = _proposal(office)
    [hit] = _hits(office, "trungtam.cv1", "dau tay")
    assert hit.id == item
    assert hit.title == office.show(item).title
    assert hit.process_id == "de_xuat_nhiem_vu"
    assert hit.status == engine.InstanceStatus.RUNNING
    assert hit.snippet is not None
    assert [text for text, matched in hit.snippet if matched] == ["dâu", "tây"]
    assert "Đà Lạt cần giống dâu tây" in "".join(text for text, _matched in hit.snippet)


def test_search__codes_and_logins_are_not_content_and_dates_read_as_written(
    office: Office,
) -> None:
    """A choice's code ("nong_nghiep"), a login ("qlkh.cv1") and an ISO date are no words
    anyone types: the excerpt showed "… · qlkh.cv1 · 2026-12-02 · …". A date is indexed and
    shown as dd/mm/yyyy, and found so; a lone word stays findable."""
    item = office.start(
        "de_xuat_nhiem_vu",
        "trungtam.cv1",
        do_khan="khan_cap",
        nguoi_ky="qlkh.cv1",
        ngay_du_kien="2026-12-02",
        tu_khoa="covid",
    )
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    with transaction(office.factory) as s:
        content = s.execute(
            text("SELECT content FROM search_documents WHERE instance_id = :i"), {"i": item}
        ).scalar_one()
    lines = content.split("\n")
    assert "khan_cap" not in lines and "qlkh.cv1" not in lines
    assert "02/12/2026" in lines and "2026-12-02" not in content
    assert _find(office, "trungtam.cv1", "02/12/2026") == [item]
    assert _find(office, "trungtam.cv1", "covid") == [item]


def test_search__by_attachment_name(office: Office, tmp_path: Path) -> None:
    item = _proposal(office)
    with transaction(office.factory) as s:
        engine.add_attachment(
            s, office.clock, tmp_path, item, "trungtam.cv1", "Dự toán chi tiết.pdf", PDF
        )
    [hit] = _hits(office, "trungtam.cv1", "du toan chi tiet")
    assert hit.id == item
    assert hit.snippet is not None
    assert "Dự toán chi tiết.pdf" in "".join(text for text, _matched in hit.snippet)


def test_search__by_a_comment_and_a_new_title(office: Office) -> None:
    item = _proposal(office)
    office.do(
        "qlkh.cv2", item, "xem_xet_de_xuat", decision="tra_lai", y_kien="Thiếu dự toán kinh phí"
    )
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", "Đã bổ sung phụ lục ngân sách", **PHIEU)
    with transaction(office.factory) as s:
        engine.rename_instance(s, office.config, item, "trungtam.cv1", "Nhiệm vụ nuôi cấy mô")
    assert _find(office, "trungtam.cv1", "phu luc ngan sach") == [item]
    assert _find(office, "trungtam.cv1", "nuoi cay mo") == [item]
    assert [h.title for h in _hits(office, "trungtam.cv1", "nuôi cấy")] == ["Nhiệm vụ nuôi cấy mô"]


def test_search__finished_and_cancelled_items_are_found(office: Office) -> None:
    done = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    office.submit_to_ubnd(done, "qlkh.cv1", "qlkh.tp", {"decision": "phe_duyet"})
    cancelled = _proposal(office, "qlkh.cv1")
    office.cancel(cancelled, "qlkh.cv1", "Trùng với nhiệm vụ đã giao năm 2025")
    assert office.show(done).status == engine.InstanceStatus.COMPLETED
    # The tờ trình's number is given by the register at issue and found as people write it.
    assert office.show(done).data["so_ky_hieu"] == "01/TTr-SKHCN"
    assert _find(office, "qlkh.cv1", "01/TTr-SKHCN") == [done]
    assert _find(office, "qlkh.cv1", "danh mục nhiệm vụ") == [done]
    [hit] = _hits(office, "qlkh.cv1", "trung voi nhiem vu")
    assert (hit.id, hit.status) == (cancelled, engine.InstanceStatus.CANCELLED)


def test_search__a_number_finds_that_item_first(office: Office) -> None:
    first = _proposal(office)
    second = _proposal(office, ket_qua_du_kien=f"Mô hình {first} ha")
    third = _proposal(office)
    assert _find(office, "trungtam.cv1", str(first)) == [first, second]
    assert _find(office, "trungtam.cv1", f"số {third}") == [third]
    assert _find(office, "trungtam.cv1", "Số 999999") == []
    assert _find(office, "trungtam.cv1", "99999999999999999999") == []


def test_search__only_among_what_the_person_may_see(office: Office) -> None:
    item = _proposal(office)
    assert _find(office, "trungtam.cv1", "quy dinh") == [item]  # started it
    assert _find(office, "qlkh.cv2", "quy dinh") == [item]  # may act on it now
    assert _find(office, "giamdoc", "quy dinh") == [item]  # a leader of the department
    assert _find(office, "cn.cv1", "quy dinh") == []
    assert _find(office, "chutich", "quy dinh") == []
    assert _find(office, "cn.cv1", str(item)) == []  # nor by its number
    # The same rule as the item page's, for everyone in the office.
    with transaction(office.factory) as s:
        for person in read_org_chart(CHART_2020_PATH).people:
            who = engine.get_identity(s, person.username)
            found = engine.search_items(s, who, "quy dinh", auditor_groups=AUDITOR_GROUPS)
            may_view = engine.may_view_instance(s, who, item, AUDITOR_GROUPS)
            assert bool(found) == may_view, person.username


def test_search__pages(office: Office) -> None:
    items = [_proposal(office) for _ in range(5)]
    newest_first = list(reversed(items))
    assert _find(office, "trungtam.cv1", "quy dinh", limit=2) == newest_first[:2]
    assert _find(office, "trungtam.cv1", "quy dinh", limit=2, offset=2) == newest_first[2:4]
    assert _find(office, "trungtam.cv1", "quy dinh", limit=2, offset=4) == newest_first[4:]


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ("", False),
        ("   ", False),
        ("…!?", False),
        ("%_", False),
        ("quy*", True),
        ('"quy" OR dinh', False),
        ("NEAR(quy dinh)", False),
        ("quy:dinh", True),
    ],
)
def test_search__odd_queries_are_only_words(office: Office, query: str, finds: bool) -> None:
    item = _proposal(office)
    assert _find(office, "trungtam.cv1", query) == ([item] if finds else [])


def test_search__is_one_query_answered_from_the_index(office: Office) -> None:
    item = _proposal(office)
    with transaction(office.factory) as s, counted(office.factory) as seen:
        who = engine.get_identity(s, "qlkh.cv2")
        seen.clear()
        hits = engine.search_items(s, who, "quy dinh", auditor_groups=AUDITOR_GROUPS)
    assert [h.id for h in hits] == [item]
    [statement] = seen
    if office.factory.kw["bind"].dialect.name == "sqlite":
        assert "search_fts MATCH" in statement
    else:
        assert "search_documents.folded LIKE" in statement
    assert "instances.data" not in statement
    # What is found is what the index holds: data written behind the engine's back is not.
    with transaction(office.factory) as s:
        s.execute(
            text("UPDATE instances SET data = :data WHERE id = :id"),
            {"data": '{"ghi_chu": "hoa lan"}', "id": item},
        )
    assert _find(office, "qlkh.cv2", "hoa lan") == []
    assert _find(office, "qlkh.cv2", "dau tay") == [item]


def test_search__the_index_moves_with_the_transaction(office: Office) -> None:
    with transaction(office.factory) as s:
        item = engine.start_instance(s, office.config, "de_xuat_nhiem_vu", "trungtam.cv1")
        engine.rename_instance(s, office.config, item, "trungtam.cv1", "Hồ sơ phong lan")
        who = engine.get_identity(s, "trungtam.cv1")
        assert [h.id for h in engine.search_items(s, who, "phong lan")] == [item]
    with pytest.raises(RuntimeError), transaction(office.factory) as s:
        engine.rename_instance(s, office.config, item, "trungtam.cv1", "Hồ sơ hoa sen")
        raise RuntimeError("the request failed")
    assert _find(office, "trungtam.cv1", "hoa sen") == []
    assert _find(office, "trungtam.cv1", "phong lan") == [item]


def test_search__migration_0004_indexes_the_items_already_there(office: Office) -> None:
    item = _proposal(office)
    bind = office.factory.kw["bind"]
    downgrade(bind, "0003")
    engine.upgrade_database(bind)
    assert _find(office, "trungtam.cv1", "quy dinh") == [item]
    with transaction(office.factory) as s:
        [count] = s.execute(text("SELECT count(*) FROM search_documents")).one()
    assert count == 1


# --- the row composed from what this process wrote last (engine/search_written.py) ---------


def _row(factory: Any, item: int) -> tuple[str, str]:
    with transaction(factory) as s:
        content, folded = s.execute(
            text("SELECT content, folded FROM search_documents WHERE instance_id = :id"),
            {"id": item},
        ).one()
    return content, folded


def _as_read(factory: Any, item: int) -> tuple[str, str]:
    """The item's row as composed from what is stored, this process's knowledge put aside."""
    search_written._stores.clear()
    with transaction(factory) as s:
        mark_stale(s, item)
    return _row(factory, item)


def _review(factory: Any, office: Office, item: int, comment: str) -> None:
    with transaction(factory) as s:
        [task] = [t for t in engine.tasks_for(s, "qlkh.cv2") if t.instance_id == item]
        data = {"decision": "tra_lai", "y_kien": comment}
        engine.complete_task(s, office.config, task.id, "qlkh.cv2", data=data, comment=comment)


def _redo(factory: Any, office: Office, item: int, comment: str) -> None:
    with transaction(factory) as s:
        [task] = [t for t in engine.tasks_for(s, "trungtam.cv1") if t.instance_id == item]
        engine.complete_task(s, office.config, task.id, "trungtam.cv1", data=PHIEU, comment=comment)


def test_search__a_row_composed_from_what_the_process_wrote_is_the_row_read(
    office: Office,
) -> None:
    item = _proposal(office)
    _review(office.factory, office, item, "Thiếu dự toán kinh phí")
    _redo(office.factory, office, item, "Đã bổ sung phụ lục ngân sách")
    _review(office.factory, office, item, "Còn thiếu bản thuyết minh")
    _redo(office.factory, office, item, "Đã gửi thuyết minh chi tiết")
    with counted(office.factory) as statements:
        _review(office.factory, office, item, "Đề nghị ghi rõ nguồn vốn")
    assert not [s for s in statements if "audit_events.comment" in s]  # nothing read back
    kept = _row(office.factory, item)
    for said in ("thieu du toan", "phu luc ngan sach", "ban thuyet minh", "nguon von"):
        assert _find(office, "trungtam.cv1", said) == [item]
    assert _as_read(office.factory, item) == kept


def test_search__an_event_written_by_another_process_is_read(office: Office, db_url: str) -> None:
    item = _proposal(office)
    _review(office.factory, office, item, "Thiếu dự toán kinh phí")
    other = engine.create_db_engine(db_url)  # another process: its own knowledge
    try:
        _redo(engine.session_factory(other), office, item, "Đã bổ sung phụ lục ngân sách")
    finally:
        other.dispose()
    _review(office.factory, office, item, "Còn thiếu bản thuyết minh")
    for said in ("thieu du toan", "phu luc ngan sach", "ban thuyet minh"):
        assert _find(office, "trungtam.cv1", said) == [item]
    assert _as_read(office.factory, item) == _row(office.factory, item)


def test_search__a_comment_undone_with_its_savepoint_is_not_indexed(office: Office) -> None:
    item = _proposal(office)
    _review(office.factory, office, item, "Thiếu dự toán kinh phí")
    with transaction(office.factory) as s:
        [task] = [t for t in engine.tasks_for(s, "trungtam.cv1") if t.instance_id == item]
        with pytest.raises(RuntimeError), s.begin_nested():
            engine.complete_task(
                s, office.config, task.id, "trungtam.cv1", data=PHIEU, comment="Bản nháp hỏng"
            )
            raise RuntimeError("undone")
        engine.complete_task(
            s, office.config, task.id, "trungtam.cv1", data=PHIEU, comment="Bản chính thức"
        )
    _review(office.factory, office, item, "Còn thiếu bản thuyết minh")
    assert _find(office, "trungtam.cv1", "ban nhap hong") == []
    assert _find(office, "trungtam.cv1", "ban chinh thuc") == [item]
    assert _as_read(office.factory, item) == _row(office.factory, item)


def test_search__a_file_added_between_actions_is_indexed(office: Office, tmp_path: Path) -> None:
    item = _proposal(office)
    _review(office.factory, office, item, "Thiếu dự toán kinh phí")
    with transaction(office.factory) as s:
        engine.add_attachment(
            s, office.clock, tmp_path, item, "trungtam.cv1", "Dự toán chi tiết.pdf", PDF
        )
    _redo(office.factory, office, item, "Đã bổ sung phụ lục ngân sách")
    assert _find(office, "trungtam.cv1", "du toan chi tiet") == [item]
    assert _as_read(office.factory, item) == _row(office.factory, item)


def test_search__a_search_in_a_savepoint_rolled_back_leaves_the_row_to_the_commit(
    office: Office,
) -> None:
    """A search refreshes the rows of what its transaction changed; inside a savepoint that
    then rolls back, that refresh is undone, and the commit writes the rows again."""
    item = _proposal(office)
    task = office.task("qlkh.cv2", item, "xem_xet_de_xuat")
    with transaction(office.factory) as s:
        data = {"decision": "tra_lai", "y_kien": "Bốn năm sau"}
        engine.complete_task(s, office.config, task.id, "qlkh.cv2", data=data, comment="Bốn năm")
        with pytest.raises(RuntimeError), s.begin_nested():
            who = engine.get_identity(s, "trungtam.cv1")
            assert [h.id for h in engine.search_items(s, who, "bon nam")] == [item]
            raise RuntimeError("undone")
    assert _find(office, "trungtam.cv1", "bon nam") == [item]
    assert _as_read(office.factory, item) == _row(office.factory, item)


def test_search__words_typed_with_diacritics_find_those_first(office: Office) -> None:
    """Typed "nấm", "nấm" comes before "năm" (both fold to "nam"), whichever is newer; without
    diacritics, the newest first as before."""
    mushroom = _proposal(office, ten_nhiem_vu="Trồng nấm dược liệu")
    year = _proposal(office, ten_nhiem_vu="Kế hoạch năm dược liệu")
    assert _find(office, "trungtam.cv1", "nấm")[:2] == [mushroom, year]
    assert _find(office, "trungtam.cv1", "năm")[:2] == [year, mushroom]
    assert _find(office, "trungtam.cv1", "nam duoc")[:2] == [year, mushroom]
    assert _find(office, "trungtam.cv1", "nấm/dược")[:2] == [mushroom, year]  # as two words
