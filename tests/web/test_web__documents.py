"""Documents on the task and item pages: links everywhere, a file uploaded again under the same
name is the document's next version, PDF and images open in the browser, other files download."""

from __future__ import annotations

import re
from datetime import timedelta
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import ManualClock, transaction
from tests.hostile_archives import real_docx
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.web.conftest import post
from web.formatting import datetime_vn

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16
# A real (tiny) .docx: uploads of office files are opened as zip archives and checked.
DOCX = real_docx("Góp ý")
DRAFT = "Dự thảo phiếu đề xuất.pdf"
REASON = "Bổ sung dự toán kinh phí chi tiết"


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def words(html: str) -> str:
    """The text a reader sees: tags dropped, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _task_url(office: Any, who: str, item: int, step: str) -> str:
    return f"/tasks/{office.task(who, item, step).id}"


def _send(client: FlaskClient, url: str, data: dict[str, Any], *files: tuple[bytes, str]) -> None:
    """Complete the task at `url` through its form, with files as the form's picker sends them."""
    sent = {k: str(v) for k, v in data.items()}
    sent["_files"] = [(BytesIO(content), name) for content, name in files]
    response = post(client, url, url, sent, content_type="multipart/form-data")
    assert response.status_code == 302, text(response)


def _documents(app: Flask, item: int) -> list[engine.DocumentView]:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return engine.list_documents(s, item)


@pytest.fixture
def revised(office: Any, login: Any, web_clock: ManualClock) -> int:
    """A proposal sent with its draft, returned by the science office with a note in Word, sent
    again with the revised draft under the same name: it waits for the review again."""
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    proposer, reviewer = login("trungtam.cv1"), login("qlkh.cv1")
    web_clock.advance(timedelta(days=1))
    _send(
        proposer, _task_url(office, "trungtam.cv1", item, "lap_phieu_de_xuat"), PHIEU, (PDF, DRAFT)
    )
    web_clock.advance(timedelta(hours=2))
    _send(
        reviewer,
        _task_url(office, "qlkh.cv1", item, "xem_xet_de_xuat"),
        {"decision": "tra_lai", "y_kien": REASON},
        (DOCX, "Góp ý của phòng.docx"),
    )
    web_clock.advance(timedelta(days=1))
    _send(
        proposer,
        _task_url(office, "trungtam.cv1", item, "lap_phieu_de_xuat"),
        PHIEU,
        (PDF + b"%v2\n", DRAFT),
        (PNG, "Ảnh hiện trường.png"),
    )
    return item


def _files_section(html: str, start: str) -> str:
    section = html[html.index(start) :]
    return section[: section.index("</section>")]


def test_documents__the_task_page_links_every_document_by_step(
    office: Any, login: Any, app: Flask, revised: int
) -> None:
    draft, photo, note = _documents(app, revised)
    html = text(login("qlkh.cv1").get(_task_url(office, "qlkh.cv1", revised, "xem_xet_de_xuat")))
    files = _files_section(html, 'id="files-title"')
    # Grouped by the step that added them, in the order of the steps.
    assert files.index("Lập phiếu đề xuất nhiệm vụ") < files.index(DRAFT)
    assert files.index("Ảnh hiện trường.png") < files.index("Xem xét, tổng hợp đề xuất")
    assert files.index("Xem xét, tổng hợp đề xuất") < files.index("Góp ý của phòng.docx")
    # The name opens the newest version: PDF and images in a new tab, Word downloads.
    newest = re.search(rf'<a href="/attachments/{draft.latest.attachment_id}"([^>]*)>', files)
    assert newest and 'target="_blank"' in newest.group(1)
    assert f'href="/attachments/{photo.latest.attachment_id}" target="_blank"' in files
    assert f'href="/attachments/{note.latest.attachment_id}" download' in files
    latest = f"{datetime_vn(draft.latest.uploaded_at)} · {len(PDF) + 4} byte"
    assert re.search(rf"v2 · Hà Thị Linh[^·]* · {latest}", words(files)), words(files)
    assert "Các phiên bản trước (1)" in files
    assert f'href="/attachments/{draft.earlier[0].attachment_id}"' in files


def test_documents__the_item_page_shows_the_newest_version_and_the_earlier_one_click_away(
    login: Any, app: Flask, revised: int
) -> None:
    [draft, _photo, _note] = _documents(app, revised)
    html = text(login("trungtam.cv1").get(f"/items/{revised}"))
    files = _files_section(html, 'id="tep-dinh-kem"')
    assert words(files).count(DRAFT) == 1  # one document, not one line per upload
    assert re.search(
        rf"v2 · Hà Thị Linh[^·]* · {datetime_vn(draft.latest.uploaded_at)}", words(files)
    )
    earlier = re.search(r"<details[^>]*>(.*?)</details>", files, re.S)
    assert earlier, "the earlier version is not one click away"
    assert "Các phiên bản trước (1)" in earlier.group(1)
    assert f'href="/attachments/{draft.earlier[0].attachment_id}"' in earlier.group(1)
    first = datetime_vn(draft.earlier[0].uploaded_at)
    assert re.search(rf"v1 · Hà Thị Linh[^·]* · {first}", words(earlier.group(1)))
    assert f'href="/attachments/{draft.latest.attachment_id}"' not in earlier.group(1)
    assert 'name="tep"' in html  # the upload form stays


@pytest.mark.parametrize(
    ("name", "content_type", "content"),
    [(DRAFT, "application/pdf", PDF + b"%v2\n"), ("Ảnh hiện trường.png", "image/png", PNG)],
)
def test_documents__pdf_and_images_open_in_the_browser_and_run_nothing(
    login: Any, app: Flask, revised: int, name: str, content_type: str, content: bytes
) -> None:
    [document] = [d for d in _documents(app, revised) if d.name == name]
    with login("giamdoc").get(f"/attachments/{document.latest.attachment_id}") as response:
        assert response.status_code == 200
        assert response.get_data() == content
    assert response.mimetype == content_type
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert "filename*=UTF-8''" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    policy = [p.strip() for p in response.headers["Content-Security-Policy"].split(";")]
    assert "sandbox" in policy and "default-src 'none'" in policy
    assert not any("script" in p for p in policy)


def test_documents__other_files_download(login: Any, app: Flask, revised: int) -> None:
    [note] = [d for d in _documents(app, revised) if d.name.endswith(".docx")]
    with login("trungtam.cv1").get(f"/attachments/{note.latest.attachment_id}") as response:
        assert response.status_code == 200
        assert response.get_data() == DOCX
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]


def test_documents__someone_who_may_not_see_the_item_gets_not_found(
    office: Any, login: Any, app: Flask, revised: int
) -> None:
    task_url = _task_url(office, "qlkh.cv1", revised, "xem_xet_de_xuat")
    stranger = login("cn.cv1")  # another unit's staff, never part of the item
    urls = [task_url, f"/items/{revised}"] + [
        f"/attachments/{v.attachment_id}" for d in _documents(app, revised) for v in d.versions
    ]
    for url in urls:
        with stranger.get(url) as response:
            assert response.status_code == 404, url
            assert DRAFT not in text(response)
