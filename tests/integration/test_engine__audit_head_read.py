"""The chain head read with the item's lock (SQLite): the commit seals from it, a rollback or
another move of the head forgets it, and the chain verifies after actions of several items,
two of them in one transaction."""

from __future__ import annotations

from typing import Any

import engine
from engine import transaction
from engine.audit import _HEAD_READ, lock_head
from engine.instances import lock_instance_with_task
from tests.integration.test_engine__actions import _complete, _inbox, _start


def _sqlite(factory: Any) -> bool:
    return bool(factory.kw["bind"].dialect.name == "sqlite")


def test_audit_head_read__noted_on_sqlite_and_forgotten_by_a_rollback(
    deployed: Any, config: Any
) -> None:
    _start(deployed, config)
    [draft] = _inbox(deployed, "an")
    with deployed() as s:
        with s.begin():
            assert lock_instance_with_task(s, draft.id) is not None
            assert (_HEAD_READ in s.info) == _sqlite(deployed)
            s.rollback()
        assert _HEAD_READ not in s.info
        with s.begin():
            lock_instance_with_task(s, draft.id)
            lock_head(s)  # the head may move other than by the commit's seal: read again
            assert _HEAD_READ not in s.info


def test_audit_head_read__the_chain_verifies_after_actions_sharing_a_transaction(
    deployed: Any, config: Any
) -> None:
    first = _start(deployed, config)
    second = _start(deployed, config)
    drafts = _inbox(deployed, "an")
    assert len(drafts) == 2
    with transaction(deployed) as s:  # two items' completions, one commit
        for task in drafts:
            engine.complete_task(s, config, task.id, "an", data={"summary": "x"})
    for task in _inbox(deployed, "binh"):
        _complete(deployed, config, task.id, "binh", data={"decision": "return"}, comment="Sửa")
    with transaction(deployed) as s:
        assert engine.verify_audit(s) == (2, [])
        assert engine.verify_audit(s, first) == (1, [])
        assert engine.verify_audit(s, second) == (1, [])
