"""The API's attachments: upload (multipart, the page's checks: type, content, size → 422/413
with the reason), list as documents with versions, download; the item page's access rules
(another unit's item is 404; seeing an item is not enough to add to it)."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask

from engine import ManualClock
from tests.web.api_helpers import ON_BOTH, Api, api_as, app_either  # noqa: F401  (the app fixture)
from tests.web.test_api__items import START

PDF = b"%PDF-1.4\n% test\n"


def _upload(api: Api, item: int, name: str, content: bytes, **form: str) -> tuple[int, Any]:
    return api.call(
        "POST",
        f"/items/{item}/attachments",
        data={"file": (io.BytesIO(content), name), **form},
        content_type="multipart/form-data",
    )


@ON_BOTH
def test_attachments__upload_list_download(app: Flask, web_clock: ManualClock) -> None:
    api = api_as(app, "trungtam.cv1")
    item = api.post(START, {})[1]["id"]
    status, made = _upload(api, item, "du_toan.pdf", PDF)
    assert status == 201, made
    assert (made["filename"], made["content_type"], made["size"]) == (
        "du_toan.pdf",
        "application/pdf",
        len(PDF),
    )
    web_clock.advance(timedelta(minutes=1))  # a version is newer by its time
    status, again = _upload(api, item, "du_toan.pdf", PDF + b"v2")
    assert status == 201
    status, listed = api.get(f"/items/{item}/attachments")
    assert status == 200
    (document,) = listed["documents"]
    assert document["name"] == "du_toan.pdf"
    assert [v["number"] for v in document["versions"]] == [2, 1]
    assert document["versions"][0]["attachment_id"] == again["id"]
    response = api.client.get(
        f"/api/v1/attachments/{made['id']}", headers={"Authorization": f"Bearer {api.token}"}
    )
    assert response.status_code == 200 and response.data == PDF
    assert response.mimetype == "application/pdf"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()
    status, text = _upload(api, item, "ghi_chu.txt", "Ghi chú".encode())
    assert status == 201, text
    response = api.client.get(
        f"/api/v1/attachments/{text['id']}", headers={"Authorization": f"Bearer {api.token}"}
    )
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    response.close()


@pytest.mark.parametrize(
    ("name", "content", "status", "code"),
    [
        ("virus.exe", b"MZ", 422, "invalid_input"),
        ("gia.pdf", b"not a pdf", 422, "invalid_input"),
        ("rong.txt", b"", 422, "invalid_input"),
        ("lon.txt", b"x" * 2048, 413, "file_too_large"),
    ],
)
def test_attachments__refused_files(
    app: Flask, name: str, content: bytes, status: int, code: str
) -> None:
    app.config["MAX_ATTACHMENT_BYTES"] = 1024
    api = api_as(app, "trungtam.cv1")
    item = api.post(START, {})[1]["id"]
    answer = _upload(api, item, name, content)
    assert (answer[0], answer[1]["error"]["code"]) == (status, code), answer
    assert answer[1]["error"]["reason"]
    assert api.get(f"/items/{item}/attachments")[1]["documents"] == []


@ON_BOTH
def test_attachments__access(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    item = api.post(START, {})[1]["id"]
    made = _upload(api, item, "a.pdf", PDF)[1]
    stranger = api_as(app, "cs.cv1")
    assert stranger.get(f"/items/{item}/attachments")[0] == 404
    hidden = stranger.get(f"/attachments/{made['id']}")
    assert hidden[0] == 404
    assert _upload(stranger, item, "b.pdf", PDF)[0] == 404
    missing = api.get("/attachments/khong-co")
    assert missing[0] == 404
    assert hidden[1] == missing[1]  # alike: nothing names the item the file belongs to
    # The director sees the item but has no step in it: he may read, not add.
    leader = api_as(app, "giamdoc")
    assert leader.get(f"/items/{item}/attachments")[0] == 200
    assert _upload(leader, item, "c.pdf", PDF)[1]["error"]["code"] == "forbidden"
    status, body = api.call(
        "POST", f"/items/{item}/attachments", data={}, content_type="multipart/form-data"
    )
    assert (status, body["error"]["code"]) == (400, "file_missing")
    reader = api_as(app, "trungtam.cv1", "read")
    assert _upload(reader, item, "d.pdf", PDF)[1]["error"]["code"] == "token_scope"
    api.post(f"/items/{item}/cancel", {"reason": "Thôi"})
    assert _upload(api, item, "e.pdf", PDF)[0] == 409


def test_attachments__a_file_far_over_the_limit_is_refused_as_one_just_over(app: Flask) -> None:
    """A body past what the server reads at all is refused before the file is read: as a
    file over the limit, with the limit (not as a JSON body too large)."""
    app.config["MAX_CONTENT_LENGTH"] = 8 * 1024  # the server's bound of a request's body
    api = api_as(app, "trungtam.cv1")
    item = api.post(START, {})[1]["id"]
    status, body = _upload(api, item, "lon.pdf", b"%PDF-1.4\n" + b"x" * 16 * 1024)
    assert (status, body["error"]["code"]) == (413, "file_too_large")
    assert body["error"]["limit"] == app.config["MAX_ATTACHMENT_BYTES"]
