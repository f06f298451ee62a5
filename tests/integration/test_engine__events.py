"""Listeners bound to the session factory are told, inside the action's transaction, which tasks
opened (with their candidates) and what went into the item's history."""

from __future__ import annotations

from typing import Any

import engine
from engine import HistoryRecorded, TaskOpened, transaction


def test_events__an_action_tells_its_listeners_what_opened_and_what_was_recorded(
    deployed: Any, config: engine.EngineConfig
) -> None:
    told: list[engine.EngineEvent] = []
    factory = engine.bind_listeners(deployed, [lambda _s, event: told.append(event)])
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "approval", "an", title="Đề xuất")
    opened = [e for e in told if isinstance(e, TaskOpened)]
    assert [(e.instance_id, e.element_id, e.candidates) for e in opened] == [
        (item, "draft", (("group", "staff"),))
    ]
    assert [e.kind for e in told if isinstance(e, HistoryRecorded)] == ["started"]

    told.clear()
    with transaction(factory) as s:
        engine.complete_task(s, config, opened[0].task_id, "an", data={"summary": "Trồng nấm"})
    recorded = [e for e in told if isinstance(e, HistoryRecorded)]
    assert [(e.kind, e.actor, e.task_id) for e in recorded] == [
        ("completed", "an", opened[0].task_id)
    ]
    assert [e.element_id for e in told if isinstance(e, TaskOpened)] == ["review"]
