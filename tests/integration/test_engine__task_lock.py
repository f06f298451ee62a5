"""The item and task row that an action locks are read by Core and become the session's own
objects, as the ORM's populate_existing query made them: a session that already held them sees
them as they are stored now, and what the action changes on them is written as before."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import transaction
from engine.human_tasks import HumanTaskModel
from engine.instances import InstanceModel, lock_instance_with_task
from tests.statements import counted


def _start_and_task(factory: Any, config: Any) -> tuple[int, str]:
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "approval", "an", title="Đề xuất")
    with transaction(factory) as s:
        [task] = engine.open_tasks(s, item)
    return item, task.id


def test_task_lock__a_held_item_and_row_take_the_stored_values(deployed: Any, config: Any) -> None:
    item, task_id = _start_and_task(deployed, config)
    session = deployed()
    try:
        with session.begin():
            held_item = session.get(InstanceModel, item)
            held_row = session.get(HumanTaskModel, task_id)
            assert held_item is not None and held_row is not None
            before = held_item.version_counter
        with transaction(deployed) as other:  # someone else acts meanwhile
            engine.complete_task(other, config, task_id, "an", data={"summary": "Trồng nấm"})
        with session.begin():
            found = lock_instance_with_task(session, task_id)
            assert found is not None
            instance, row = found
            assert instance is held_item and row is held_row
            assert instance.version_counter == before + 1
            assert row.status == "completed" and row.completed_by == "an"
            assert not session.dirty
    finally:
        session.close()


def test_task_lock__the_objects_are_the_sessions_and_their_changes_are_written(
    deployed: Any, config: Any
) -> None:
    item, task_id = _start_and_task(deployed, config)
    with transaction(deployed) as s:
        found = lock_instance_with_task(s, task_id)
        assert found is not None
        instance, row = found
        assert s.get(InstanceModel, item) is instance
        assert s.get(HumanTaskModel, task_id) is row
        assert not s.dirty and not s.new
        row.assignee = "chi"
    with transaction(deployed) as s:
        assert s.get(HumanTaskModel, task_id).assignee == "chi"  # type: ignore[union-attr]
        assert engine.instance_revision(s, item) == instance.version_counter


def test_task_lock__an_unknown_task_is_none(deployed: Any, config: Any) -> None:
    _start_and_task(deployed, config)
    with transaction(deployed) as s:
        assert lock_instance_with_task(s, "00000000-0000-0000-0000-000000000000") is None


def test_task_lock__a_check_under_the_lock_is_the_actions_own_lock(
    deployed: Any, config: Any
) -> None:
    """A POST's check of the person's rights, read under the item's lock in the action's write
    (`task_access(lock=True)`), serves the action's lock: one statement, used once."""
    _item, task_id = _start_and_task(deployed, config)
    with transaction(deployed) as s:
        who = engine.get_identity(s, "an")
    with counted(deployed) as checked, transaction(deployed) as s:
        access = engine.task_access(s, who, task_id, lock=True)
        assert access.can_act
        engine.complete_task(s, config, task_id, "an", data={"summary": "Trồng nấm"})
        with pytest.raises(engine.Conflict):  # the next lock reads the row again: completed
            engine.complete_task(s, config, task_id, "an", data={"summary": "Lần hai"})
    locks = [q for q in checked if "JOIN human_tasks" in q and "instances.state" in q]
    assert len(locks) == 2  # the check's, and the second completion's


def test_task_lock__a_check_rolled_back_is_not_taken_after(deployed: Any, config: Any) -> None:
    _item, task_id = _start_and_task(deployed, config)
    with transaction(deployed) as s:
        who = engine.get_identity(s, "an")
        engine.task_access(s, who, task_id, lock=True)
        savepoint = s.begin_nested()
        savepoint.rollback()
        with counted(deployed) as seen:
            engine.complete_task(s, config, task_id, "an", data={"summary": "Trồng nấm"})
    assert [q for q in seen if "JOIN human_tasks" in q and "instances.state" in q]


def test_task_lock__a_check_serves_only_the_next_lock(deployed: Any, config: Any) -> None:
    """Another lock between the check and the action voids what the check read ahead."""
    _item, mine = _start_and_task(deployed, config)
    _other, theirs = _start_and_task(deployed, config)
    with transaction(deployed) as s:
        who = engine.get_identity(s, "an")
    with counted(deployed) as seen, transaction(deployed) as s:
        engine.task_access(s, who, mine, lock=True)
        engine.complete_task(s, config, theirs, "an", data={"summary": "Việc khác"})
        engine.complete_task(s, config, mine, "an", data={"summary": "Trồng nấm"})
    locks = [q for q in seen if "JOIN human_tasks" in q and "instances.state" in q]
    assert len(locks) == 3  # the check's, the other action's, and this action's own again
