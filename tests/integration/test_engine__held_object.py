"""db.held_object forms the ORM's identity key by hand (a hot path's few microseconds): it must
find exactly what the session's own look-up finds, or the lock would add a second object for a
row the session already holds. On a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

from typing import Any

import engine
from engine import transaction
from engine.db import held_object
from engine.human_tasks import HumanTaskModel
from engine.instances import InstanceModel


def test_held_object__finds_what_the_session_holds_and_nothing_else(
    deployed: Any, config: engine.EngineConfig
) -> None:
    with transaction(deployed) as s:
        item = engine.start_instance(s, config, "approval", "an")
    with transaction(deployed) as s:
        (task,) = engine.open_tasks(s, item)
        assert held_object(s, InstanceModel, item) is None  # not loaded in this session yet
        instance = s.get(InstanceModel, item)
        row = s.get(HumanTaskModel, task.id)
        assert instance is not None and row is not None
        assert held_object(s, InstanceModel, item) is instance
        assert held_object(s, HumanTaskModel, task.id) is row
        assert held_object(s, HumanTaskModel, "no-such-task") is None
        assert held_object(s, HumanTaskModel, item) is None  # another model's key
