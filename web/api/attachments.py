"""Attachments: an item's files as documents with their versions, uploading one (multipart, the
page's checks: type, content, size) and downloading one, with the item page's access rules:
who sees the item sees its files; its starter, an administrator and those who hold or may take
one of its open steps may add to it."""

from __future__ import annotations

from datetime import datetime

from flask import Response, current_app, request, send_file
from pydantic import BaseModel, Field

import engine

from ..unit_of_work import attachment_store, now, uow
from .core import READ, WRITE, me, operation
from .errors import ApiError
from .items import ITEM, require_view

# The engine's refusal of a file -> the API's status (a size is 413, the rest 422).
_STATUS = {"file_too_large": 413}

UPLOAD = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {"type": "string", "contentMediaType": "application/octet-stream"},
                        "task_id": {
                            "type": "string",
                            "description": "the open step the file belongs to (optional)",
                        },
                    },
                    "required": ["file"],
                }
            }
        },
    }
}


class AttachmentOut(BaseModel):
    id: str = Field(description="GET /attachments/{id} downloads it")
    item_id: int
    task_id: str | None
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime
    item_version: int | None = Field(
        None,
        description="the item's version after this upload (a file moves it on): the "
        "`expected_version` of a step completed next, e.g. a drafting step that needs it",
    )


class VersionOut(BaseModel):
    number: int
    attachment_id: str
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime
    task_id: str | None
    step_title: str | None


class DocumentOut(BaseModel):
    name: str
    step_title: str | None
    versions: list[VersionOut] = Field(description="newest first")


class DocumentList(BaseModel):
    documents: list[DocumentOut]


def _attachment_out(view: engine.AttachmentView) -> AttachmentOut:
    return AttachmentOut(
        id=view.id,
        item_id=view.instance_id,
        task_id=view.task_id,
        filename=view.filename,
        content_type=view.content_type,
        size=view.size,
        uploaded_by=view.uploaded_by,
        uploaded_at=view.uploaded_at,
    )


@operation(
    f"{ITEM}/attachments",
    "GET",
    summary="An item's files",
    tag="attachments",
    scope=READ,
    response=DocumentList,
    errors=(404,),
)
def list_attachments(item_id: int) -> DocumentList:
    """The item's files as documents (the files of one name), each with its versions."""
    with uow() as s:
        require_view(s, me(), item_id)
        documents = engine.list_documents(s, item_id)
    return DocumentList(
        documents=[
            DocumentOut(
                name=d.name,
                step_title=d.step_title,
                versions=[
                    VersionOut(
                        number=v.number,
                        attachment_id=v.attachment_id,
                        filename=v.filename,
                        content_type=v.content_type,
                        size=v.size,
                        uploaded_by=v.uploaded_by,
                        uploaded_at=v.uploaded_at,
                        task_id=v.task_id,
                        step_title=v.step_title,
                    )
                    for v in d.versions
                ],
            )
            for d in documents
        ]
    )


@operation(
    f"{ITEM}/attachments",
    "POST",
    summary="Attach a file",
    tag="attachments",
    scope=WRITE,
    response=AttachmentOut,
    status=201,
    errors=(400, 403, 404, 409, 413, 422),
    extra=UPLOAD,
)
def upload_attachment(item_id: int) -> AttachmentOut:
    """Adds one file (multipart field `file`) to the item, checked as the page checks it: a
    type not allowed or content that does not match its name is 422 (reason `file_type`,
    `file_content`, …), a file over the limit 413 (`file_too_large`), an ended item 409."""
    who = me()
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise ApiError(400, "file_missing", "send the file as the multipart field 'file'")
    if len(request.files.getlist("file")) > 1:  # the others would be dropped without a word
        raise ApiError(400, "one_file", "send one file a request (one multipart field 'file')")
    task_id = request.form.get("task_id") or None
    max_bytes = current_app.config["MAX_ATTACHMENT_BYTES"]
    with engine.removed_on_failure() as written, uow() as s:
        require_view(s, who, item_id)
        if not engine.may_contribute(s, who, item_id):
            raise engine.Forbidden(f"{who.username} has no part in item {item_id}")
        try:
            view = engine.add_attachment(
                s,
                now,
                attachment_store(),
                item_id,
                who.username,
                upload.filename,
                upload.read(),
                task_id=task_id,
                max_bytes=max_bytes,
            )
        except engine.InvalidInput as refused:
            reason = str(refused.details.get("reason") or "")
            if reason in _STATUS:
                raise ApiError(
                    _STATUS[reason], reason, refused.message, reason=reason, limit=max_bytes
                ) from refused
            raise
        written.append(engine.attachment_file(s, attachment_store(), view.id)[1])
        made = _attachment_out(view)
        made.item_version = engine.instance_revision(s, item_id)
        return made


@operation(
    "/attachments/<attachment_id>",
    "GET",
    summary="Download a file",
    tag="attachments",
    scope=READ,
    errors=(404,),
    media="application/octet-stream",
)
def download_attachment(attachment_id: str) -> Response:
    """The file's bytes with its type and name; 404 when the caller may not see its item."""
    with uow() as s:
        view, path = engine.attachment_file(s, attachment_store(), attachment_id)
        try:
            require_view(s, me(), view.instance_id)
        except engine.NotFound as hidden:  # as a file that is not there: its item unnamed
            raise engine.NotFound("the attachment does not exist") from hidden
    if not path.is_file():
        raise engine.NotFound("the attachment's file is missing")
    response = send_file(
        path,
        mimetype=view.content_type,
        as_attachment=True,
        download_name=view.filename,
        max_age=0,
    )
    response.content_type = view.content_type  # as stored: send_file adds a second charset
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
