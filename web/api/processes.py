"""Processes: what the caller may start, and starting an item (the pages' "Tạo mới")."""

from __future__ import annotations

import hashlib
import json

from flask import request
from sqlalchemy.orm import Session

import engine
from workflows.items import start_item, startable

from ..unit_of_work import config, now, uow
from .core import READ, WRITE, me, operation
from .errors import ApiError
from .items import item_out
from .schemas import ItemOut, ProcessList, ProcessOut, StartBody

IDEMPOTENCY = {
    "parameters": [
        {
            "name": "Idempotency-Key",
            "in": "header",
            "required": False,
            "description": "16 to 64 URL-safe characters of your choosing: a retry with the "
            "same key starts nothing new and answers with the item the first request started; "
            "the same key with another request (another process, title or data) is refused "
            "with 422 idempotency_key_reused",
            "schema": {"type": "string"},
        }
    ]
}


@operation(
    "/processes",
    "GET",
    summary="The processes the caller may start",
    tag="processes",
    scope=READ,
    response=ProcessList,
)
def list_processes() -> ProcessList:
    """The department's processes the caller may start, then the other deployed models whose
    starters include them (`built_in` false), as "Tạo mới" offers them."""
    who = me()
    with uow() as s:
        return ProcessList(
            processes=[
                ProcessOut(
                    key=p.process_id,
                    title=p.title_vi,
                    title_en=p.title_en,
                    description=p.description_vi,
                    description_en=p.description_en,
                    version=p.version,
                    built_in=p.built_in,
                    start_fields=sorted(p.start_fields),
                )
                for p in startable(s, who)
            ]
        )


@operation(
    "/processes/<key>/items",
    "POST",
    summary="Start an item",
    tag="processes",
    scope=WRITE,
    body=StartBody,
    response=ItemOut,
    status=201,
    errors=(403, 404, 409, 413, 422),
    extra=IDEMPOTENCY,
)
def start(key: str, body: StartBody) -> ItemOut:
    """Starts an item of this process for the caller, as "Tạo mới" does: only a process GET
    /processes lists for them (403 reason not_a_starter for one they may not start, 404 for one
    no person starts); `data` holds only the process's `start_fields`, checked by the engine
    against its start form as the page's are. Answers the item with its first steps (201).
    With an Idempotency-Key, a repeat answers the first request's item, and the same key with
    another request is refused (422 idempotency_key_reused), starting nothing."""
    who = me()
    idempotency = request.headers.get("Idempotency-Key", "")
    keyed = engine.is_start_key(idempotency)
    if idempotency and not keyed:
        raise ApiError(
            400, "invalid_idempotency_key", "an Idempotency-Key has 16 to 64 URL-safe characters"
        )
    with uow() as s:
        earlier = _claim(s, who.username, idempotency, _fingerprint(key, body)) if keyed else None
        item = earlier or start_item(s, config(), key, who, title=body.title, data=body.data)
        if keyed and earlier is None:
            engine.record_start(s, who.username, idempotency, item)
        return item_out(s, who, item)


def _fingerprint(key: str, body: StartBody) -> str:
    """The request an Idempotency-Key stands for: the process and the body as read (so the
    order of its members and its spacing do not count)."""
    asked = json.dumps(
        [key, body.model_dump(mode="json")],
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return hashlib.sha256(asked.encode()).hexdigest()


def _claim(s: Session, username: str, idempotency: str, fingerprint: str) -> int | None:
    try:
        return engine.claim_start_key(s, username, idempotency, now(), fingerprint)
    except engine.InvalidInput as reused:
        if reused.details.get("reason") != "start_key_reused":
            raise
        raise ApiError(
            422,
            "idempotency_key_reused",
            "this Idempotency-Key was sent before with a different request",
        ) from reused
