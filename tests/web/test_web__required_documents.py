"""A step whose form asks for a document (`"x-attachment-required"` at the form's top, in the
form's words): the task page says so beside the file input; sent without a file it is refused
next to the input, nothing done; with the file, done (engine/required_documents.py). Through
the engine as the API calls it as well."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import engine
from engine import transaction
from tests.form_models import steps_model
from tests.web.conftest import post

STAFF, HEAD = "qlkh.cv1", "qlkh.tp"
ASKED = "Hãy đính kèm dự thảo công văn"
FORM = {
    "title": "Soạn công văn",
    "type": "object",
    "x-attachment-required": ASKED,
    "properties": {"trich_yeu": {"type": "string", "title": "Trích yếu"}},
}
PDF = b"%PDF-1.4\n% du thao\n"


@pytest.fixture
def drafting(app: Flask, office: Any) -> int:
    files = steps_model("cong_van", [("soan", "Soạn công văn", FORM), ("doc", "Đọc", None)])
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        engine.deploy(s, files, office.clock)
    item: int = office.start("cong_van", STAFF)
    return item


def test_required_documents__the_step_waits_for_its_file(
    drafting: int, office: Any, login: Any
) -> None:
    client = login(STAFF)
    url = f"/tasks/{office.task(STAFF, drafting, 'soan').id}"
    page = client.get(url).get_data(as_text=True)
    assert f'id="f-_files-hint"><strong>{ASKED}.</strong>' in page

    refused = post(client, url, url, {"trich_yeu": "Về việc họp"})
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert f'<p class="error" id="f-_files-error">{ASKED}</p>' in page
    assert 'value="Về việc họp"' in page  # what was typed is kept
    assert office.steps(drafting) == ["soan"]

    done = post(
        client,
        url,
        url,
        {"trich_yeu": "Về việc họp", "_files": [(io.BytesIO(PDF), "du-thao.pdf")]},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    assert office.steps(drafting) == ["doc"]


def test_required_documents__the_api_is_refused_with_the_field_and_its_code(
    drafting: int, office: Any, app: Flask
) -> None:
    task = office.task(STAFF, drafting, "soan")
    with pytest.raises(engine.InvalidData) as refused, transaction(office.factory) as s:
        engine.complete_task(s, office.config, task.id, STAFF, data={"trich_yeu": "x"})
    assert refused.value.fields == {engine.ATTACHMENTS_FIELD: ASKED}
    assert refused.value.field_codes[engine.ATTACHMENTS_FIELD]["code"] == "attachment_required"
    with transaction(office.factory) as s:  # a file added at the step, on the item's page
        engine.add_attachment(
            s,
            office.clock,
            Path(app.config["UPLOAD_FOLDER"]),
            drafting,
            STAFF,
            "a.pdf",
            PDF,
            task_id=task.id,
        )
        engine.complete_task(s, office.config, task.id, STAFF, data={"trich_yeu": "x"})
    assert office.steps(drafting) == ["doc"]


def test_required_documents__files_sent_back_with_a_refusal_are_named(
    drafting: int, office: Any, login: Any
) -> None:
    """A browser never fills a file input again: the page names the chosen files it did not
    keep, after a refused file as after the item changed meanwhile (its revision moved)."""
    client = login(STAFF)
    url = f"/tasks/{office.task(STAFF, drafting, 'soan').id}"
    chosen = [(io.BytesIO(PDF), "du-thao.pdf"), (io.BytesIO(b"MZ"), "chay.exe")]
    refused = post(
        client,
        url,
        url,
        {"trich_yeu": "Về việc họp", "_files": chosen},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "«chay.exe»" in page
    assert "Tệp đã chọn chưa được lưu: du-thao.pdf, chay.exe. Hãy chọn lại trước khi gửi." in page

    stale = post(
        client,
        url,
        url,
        {"trich_yeu": "x", "_revision": "0", "_files": [(io.BytesIO(PDF), "du-thao.pdf")]},
        content_type="multipart/form-data",
    )
    assert stale.status_code == 409
    page = stale.get_data(as_text=True)
    assert "Hồ sơ vừa được cập nhật" in page
    assert "Tệp đã chọn chưa được lưu: du-thao.pdf. Hãy chọn lại trước khi gửi." in page
    assert office.steps(drafting) == ["soan"]
