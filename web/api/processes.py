"""Processes: what the caller may start, and starting an item (the pages' "Tạo mới")."""

from __future__ import annotations

from typing import Any

from flask import request

import engine
from workflows.catalog import CATALOG, entry, may_start
from workflows.items import start_item

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
            "same key starts nothing new and answers with the item the first request started",
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
    who = me()
    with uow() as s:
        deployed = {p.process_id: p for p in engine.list_processes(s)}
        asked = {e.process_id: engine.start_form_fields(s, e.process_id) for e in CATALOG}
    return ProcessList(
        processes=[
            ProcessOut(
                key=e.process_id,
                title=e.title_vi,
                title_en=e.title_en,
                description=e.description_vi,
                version=deployed[e.process_id].version,
                start_fields=sorted({*e.start_data, *asked[e.process_id]}),
            )
            for e in CATALOG
            if e.process_id in deployed and may_start(e.process_id, who.groups, who.unit)
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
    """Starts an item of this process for the caller, as "Tạo mới" does: only the processes
    the catalog lets them start; `data` holds only the process's `start_fields` (GET
    /processes), checked by the engine as the start's data. Answers
    the item with its first steps (201)."""
    who = me()
    _check_start_data(key, who, body.data)
    idempotency = request.headers.get("Idempotency-Key", "")
    keyed = engine.is_start_key(idempotency)
    if idempotency and not keyed:
        raise ApiError(
            400, "invalid_idempotency_key", "an Idempotency-Key has 16 to 64 URL-safe characters"
        )
    with uow() as s:
        earlier = engine.claim_start_key(s, who.username, idempotency, now()) if keyed else None
        item = earlier or start_item(
            s, config(), key, who.username, title=body.title, data=body.data
        )
        if keyed and earlier is None:
            engine.record_start(s, who.username, idempotency, item)
        return item_out(s, who, item)


def _check_start_data(key: str, who: engine.Identity, data: dict[str, Any] | None) -> None:
    """A person starting by hand gives only what the process's start asks (the catalog's
    start fields; most processes have none, as the page's "Tạo mới" asks only a title): a
    program may not set the item's other variables. Checked once the person may start it, so
    the refusal of a process they may not start stays 403/404."""
    found = entry(key)
    if not data or found is None or not may_start(key, who.groups, who.unit):
        return
    # A deployed model with a start form: that form's fields too (the engine checks them).
    with uow() as s:
        asked = engine.start_form_fields(s, key)
    unknown = [name for name in data if name not in found.start_data and name not in asked]
    if unknown:
        raise engine.InvalidData(
            f"not start fields of '{key}': {', '.join(unknown)}",
            {name: "not a start field of this process" for name in unknown},
            {name: {"code": "unknown"} for name in unknown},
        )
