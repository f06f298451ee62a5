"""Starting items the way this department allows: only the processes its catalog offers, only by
the people the catalog names."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

import engine

from .catalog import CATALOG, entry, may_start


def start_item(
    session: Session,
    config: engine.EngineConfig,
    process_id: str,
    username: str,
    *,
    title: str | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Start a catalog process for this person; refuses what the catalog does not allow."""
    found = entry(process_id)
    if found is None or found.starters is None:
        raise engine.NotFound(f"'{process_id}' is not a process that can be started here")
    who = engine.get_identity(session, username)
    if not may_start(process_id, who.groups, who.unit):
        raise engine.Forbidden(
            f"{username} may not start '{found.title_vi}'",
            reason="not_a_starter",
            process_id=process_id,
        )
    title = (title or "").strip() or found.title_vi
    data = {**found.start_data, **(data or {})}
    return engine.start_instance(session, config, process_id, username, title=title, data=data)


# Which form field names an item, per process, while it still has its default name.
_RETITLE = {
    e.process_id: engine.Retitle(e.title_field, frozenset({e.title_vi}))
    for e in CATALOG
    if e.title_field
}


def complete_item(
    session: Session,
    config: engine.EngineConfig,
    task_id: str,
    username: str | engine.Identity,
    *,
    data: dict[str, Any] | None = None,
    comment: str | None = None,
    expected_version: int | None = None,
) -> int:
    """Complete a task; an item still called by its process's name takes the name its form
    gave it (the proposal's or the draft's title), so people find it by what it is. The
    rename is part of the same action: the item's version moves once."""
    return engine.complete_task(
        session,
        config,
        task_id,
        username,
        data=data,
        comment=comment,
        expected_version=expected_version,
        retitle=_RETITLE,
    )
