"""An event recorded outside a savepoint but written inside one (a later item's read of the
history wrote it there, as the timer worker fires each item in its own savepoint) is written
again when that savepoint rolls back: the chain still holds every event it seals."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import transaction
from engine.audit import append_event, write_pending
from engine.instances import InstanceModel
from tests.integration.test_engine__actions import _start


class _Undone(Exception):
    pass


def test_audit_savepoints__an_event_written_in_a_rolled_back_savepoint_is_kept(
    deployed: Any, config: Any
) -> None:
    parked, other = _start(deployed, config), _start(deployed, config)
    with transaction(deployed) as s:
        item = s.get(InstanceModel, parked)
        append_event(s, item, at=config.clock(), actor=None, kind="error", comment="hỏng")
        with pytest.raises(_Undone), s.begin_nested():
            s.get(InstanceModel, other)
            write_pending(s)  # what a read of the history does before it runs
            raise _Undone
    with transaction(deployed) as s:
        assert engine.verify_audit(s) == (2, [])
        assert engine.audit.events_of(s, parked)[-1].kind == "error"
