"""Items: the caller's (Hồ sơ của tôi, with filters and keyset paging), one item with its
dossier, history and diagram state, and cancelling one. An item the caller may not see is 404,
as on the pages, so ids cannot be probed."""

from __future__ import annotations

from flask import Response
from sqlalchemy.orm import Session

import engine
from workflows.roles import AUDITOR_GROUPS

from ..unit_of_work import config, uow
from .core import READ, WRITE, me, operation
from .schemas import (
    CancelBody,
    ItemOut,
    ItemPage,
    ItemsQuery,
    ItemSummary,
    diagram_state,
    history_out,
    section_out,
    task_out,
)

ITEM = "/items/<int:item_id>"
MAX_ID = 2**31 - 1  # a database integer; a larger id is no item (and no 500)


def require_view(session: Session, who: engine.Identity, item_id: int) -> None:
    """404 for an item that does not exist or that this person may not see (the pages' rule,
    web/unit_of_work.require_view, for the token's person)."""
    if item_id > MAX_ID or not engine.may_view_instance(session, who, item_id, AUDITOR_GROUPS):
        raise engine.NotFound(f"item {item_id} does not exist")


def item_out(session: Session, who: engine.Identity, item_id: int) -> ItemOut:
    """The item as its page shows it to this person (who must be allowed to see it)."""
    item, dossier = engine.item_with_dossier(session, item_id, reader=who.username)
    access = engine.item_access(session, who, item_id)
    progress = engine.instance_progress(session, config(), item_id)
    return ItemOut(
        id=item.id,
        process=item.process_id,
        version=engine.instance_revision(session, item.id),
        process_version=item.version,
        title=item.title,
        status=item.status,  # type: ignore[arg-type]
        created_by=item.created_by,
        created_at=item.created_at,
        changed_at=item.history[-1].at if item.history else None,
        error=item.error,
        open_tasks=[task_out(t, t.id in access.actionable) for t in item.open_tasks],
        may_cancel=engine.may_cancel(session, who, item),
        dossier=[section_out(section) for section in dossier.sections],
        history=[history_out(entry, dossier) for entry in item.history],
        diagram=diagram_state(progress),
    )


@operation(
    "/items",
    "GET",
    summary="The caller's items",
    tag="items",
    scope=READ,
    query=ItemsQuery,
    response=ItemPage,
    errors=(422,),
)
def list_items(query: ItemsQuery) -> ItemPage:
    """The items the caller started or acted on, newest first (Hồ sơ của tôi), one keyset page
    at a time; `status` and `process` narrow them."""
    with uow() as s:
        found = engine.my_items(
            s,
            me(),
            after=query.cursor,
            limit=query.limit,
            status=query.status,
            process_id=query.process,
        )
    return ItemPage(
        items=[
            ItemSummary(
                id=row.id,
                process=row.process_id,
                title=row.title,
                status=row.status,  # type: ignore[arg-type]
                created_by=row.created_by,
                created_at=row.created_at,
                changed_at=row.changed_at,
                open_tasks=[task_out(t) for t in row.open_tasks],
            )
            for row in found.rows
        ],
        next_cursor=found.next_cursor,
    )


@operation(
    ITEM, "GET", summary="One item", tag="items", scope=READ, response=ItemOut, errors=(404,)
)
def show_item(item_id: int) -> ItemOut:
    """The item with its open steps (and which the caller may take), its dossier as the caller
    may read it, its whole history and where it stands on its diagram."""
    who = me()
    with uow() as s:
        require_view(s, who, item_id)
        return item_out(s, who, item_id)


@operation(
    f"{ITEM}/diagram.xml",
    "GET",
    summary="The item's diagram",
    tag="items",
    scope=READ,
    errors=(404,),
    media="application/xml",
)
def item_diagram(item_id: int) -> Response:
    """The BPMN XML of the version the item runs on; `diagram` in the item names its
    elements."""
    with uow() as s:
        require_view(s, me(), item_id)
        item = engine.show_instance(s, item_id)
        xml = engine.diagram_xml(s, item.process_id, item.version)
    return Response(xml, mimetype="application/xml")


@operation(
    f"{ITEM}/cancel",
    "POST",
    summary="Cancel an item",
    tag="items",
    scope=WRITE,
    body=CancelBody,
    response=ItemOut,
    errors=(403, 404, 409, 422),
)
def cancel_item(item_id: int, body: CancelBody) -> ItemOut:
    """Stops the item for good with the reason: its starter or an administrator may (403 for
    anyone else who sees it; 409 once it has ended)."""
    who = me()
    with uow() as s:
        require_view(s, who, item_id)
        engine.cancel_instance(s, config(), item_id, who.username, body.reason)
        return item_out(s, who, item_id)


@operation(
    f"{ITEM}/retry",
    "POST",
    summary="Retry an item in error",
    tag="items",
    scope=WRITE,
    response=ItemOut,
    errors=(403, 404, 409),
)
def retry_item(item_id: int) -> ItemOut:
    """Runs the step that failed (a service call; a failed timer is left due for the worker)
    again: managers and administrators may (403 for anyone else who sees it; 409 when the item
    is not in error). If the step fails again the item is back in error with the new message."""
    who = me()
    with uow() as s:
        require_view(s, who, item_id)
        engine.retry_instance(s, config(), item_id, who.username, allowed_groups=AUDITOR_GROUPS)
        return item_out(s, who, item_id)
