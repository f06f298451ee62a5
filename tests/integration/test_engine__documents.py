"""An item's files as documents: the same name uploaded again is a new version of one document,
grouped by the step that first added it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event

import engine
from engine import ManualClock, transaction
from tests.hostile_archives import real_docx
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.office import Office

PDF = b"%PDF-1.4\n%%EOF\n"
# A real (tiny) .docx: uploads of office files are opened as zip archives and checked.
DOCX = real_docx("Góp ý")
DRAFT = "Dự thảo phiếu đề xuất.pdf"


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Office:
    return Office(factory, clock)


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "files"


def _upload(
    office: Office, store: Path, who: str, item: int, step: str | None, name: str, content: bytes
) -> engine.AttachmentView:
    """`who` adds a file at the open step `step` (None: on the item's page, outside any step)."""
    task_id = office.task(who, item, step).id if step else None
    office.clock.advance(timedelta(minutes=5))
    with transaction(office.factory) as s:
        return engine.add_attachment(
            s, office.clock, store, item, who, name, content, task_id=task_id
        )


def _documents(office: Office, item: int) -> list[engine.DocumentView]:
    with transaction(office.factory) as s:
        return engine.list_documents(s, item)


@pytest.fixture
def returned(office: Office, store: Path) -> tuple[int, list[engine.AttachmentView]]:
    """A proposal whose draft was uploaded, returned by the science office, uploaded again under
    the same name and resubmitted; the reviewer added a note of his own."""
    item = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    first = _upload(office, store, "trungtam.cv1", item, "lap_phieu_de_xuat", DRAFT, PDF)
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    note = _upload(office, store, "qlkh.cv2", item, "xem_xet_de_xuat", "Ghi chú.docx", DOCX)
    office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="tra_lai", y_kien="Bổ sung dự toán")
    second = _upload(office, store, "trungtam.cv1", item, "lap_phieu_de_xuat", DRAFT, PDF + b"2")
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    return item, [first, note, second]


def test_documents__a_file_uploaded_again_is_the_next_version_newest_first(
    office: Office, returned: tuple[int, list[engine.AttachmentView]]
) -> None:
    item, (first, _note, second) = returned
    draft, note = _documents(office, item)
    assert draft.name == DRAFT
    assert [v.number for v in draft.versions] == [2, 1]
    assert [v.attachment_id for v in draft.versions] == [second.id, first.id]
    assert draft.latest.attachment_id == second.id
    assert [v.attachment_id for v in draft.earlier] == [first.id]
    assert draft.latest.uploaded_at > draft.earlier[0].uploaded_at
    assert {v.uploaded_by for v in draft.versions} == {"trungtam.cv1"}
    assert draft.latest.size == len(PDF) + 1 and draft.latest.content_type == "application/pdf"
    assert draft.latest.viewable and not note.latest.viewable
    # Each version knows its own step: the same step, two different turns of it.
    assert [v.element_id for v in draft.versions] == ["lap_phieu_de_xuat"] * 2
    assert draft.versions[0].task_id != draft.versions[1].task_id
    assert {v.task_id for v in draft.versions} == {first.task_id, second.task_id}
    assert draft.versions[0].step_title == "Lập phiếu đề xuất nhiệm vụ"
    # The document belongs to the step that first added it.
    assert (draft.task_id, draft.element_id) == (first.task_id, "lap_phieu_de_xuat")
    assert draft.step_title == "Lập phiếu đề xuất nhiệm vụ"


def test_documents__different_names_are_different_documents_in_the_order_of_the_steps(
    office: Office, store: Path, returned: tuple[int, list[engine.AttachmentView]]
) -> None:
    item, (_first, note, _second) = returned
    # Added on the item's page before the reviewer's second file: still listed after every step.
    _upload(office, store, "trungtam.cv1", item, None, "Ảnh hiện trường.png", b"\x89PNG\r\n\x1a\n")
    _upload(office, store, "qlkh.cv2", item, "xem_xet_de_xuat", "Dự toán.docx", DOCX)
    documents = _documents(office, item)
    assert [(d.name, d.element_id, len(d.versions)) for d in documents] == [
        (DRAFT, "lap_phieu_de_xuat", 2),
        ("Ghi chú.docx", "xem_xet_de_xuat", 1),
        ("Dự toán.docx", "xem_xet_de_xuat", 1),
        ("Ảnh hiện trường.png", None, 1),  # added on the item's page: after every step
    ]
    assert documents[1].latest.attachment_id == note.id
    assert documents[1].step_title == "Xem xét, tổng hợp đề xuất"
    assert documents[3].step_title is None and documents[3].task_id is None


@pytest.mark.parametrize(
    "variant",
    [
        DRAFT.upper(),
        unicodedata.normalize("NFD", DRAFT),
        unicodedata.normalize("NFD", DRAFT.title()),
    ],
    ids=["upper-case", "decomposed", "decomposed-title-case"],
)
def test_documents__the_same_name_in_another_case_or_unicode_form_is_the_same_document(
    office: Office, store: Path, variant: str
) -> None:
    item = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    _upload(office, store, "trungtam.cv1", item, "lap_phieu_de_xuat", DRAFT, PDF)
    again = _upload(office, store, "trungtam.cv1", item, "lap_phieu_de_xuat", variant, PDF)
    [document] = _documents(office, item)
    assert [v.number for v in document.versions] == [2, 1]
    assert document.latest.attachment_id == again.id
    assert document.name == again.filename  # the newest version's own spelling


def test_documents__an_item_without_files_has_no_documents(office: Office) -> None:
    item = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    assert _documents(office, item) == []


@pytest.fixture
def statements(office: Office) -> Iterator[list[str]]:
    seen: list[str] = []
    with office.factory() as s:
        bind = s.get_bind().engine

    def count(*args: Any) -> None:
        seen.append(args[2])

    event.listen(bind, "before_cursor_execute", count)
    yield seen
    event.remove(bind, "before_cursor_execute", count)


def test_documents__are_read_in_one_query(
    office: Office,
    returned: tuple[int, list[engine.AttachmentView]],
    statements: list[str],
) -> None:
    item, _ = returned
    with transaction(office.factory) as s:
        statements.clear()
        engine.list_documents(s, item)
        selects = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 1, selects
