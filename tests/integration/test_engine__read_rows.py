"""`engine.db.read_rows` reads on the session's connection, past the ORM, and still sees what
the action wrote so far in its transaction: ORM changes (flushed first) and the history's new
events (engine.audit writes them first, as before an ORM query that may read them)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

import engine
from engine import transaction
from engine.audit import AuditEventModel
from engine.db import read_rows
from engine.users import UserModel


def test_read_rows__a_read_of_the_history_sees_the_actions_own_events(
    deployed: Any, config: engine.EngineConfig
) -> None:
    with transaction(deployed) as s:
        item = engine.start_instance(s, config, "approval", "an")
        statement = select(AuditEventModel.kind).where(AuditEventModel.instance_id == item)
        assert [kind for (kind,) in read_rows(s, statement)] == ["started"]
    with transaction(deployed, write=False) as s:
        # Written before the read, the events were sealed at the commit all the same.
        assert engine.verify_audit(s, item) == (1, [])


def test_read_rows__a_read_sees_what_the_orm_has_not_written_yet(deployed: Any) -> None:
    with transaction(deployed) as s:
        person = s.get(UserModel, "an")
        assert person is not None
        person.display_name = "Nguyễn Văn An (đã đổi)"
        names = select(UserModel.display_name).where(UserModel.username == "an")
        assert read_rows(s, names).scalar() == "Nguyễn Văn An (đã đổi)"
        person.display_name = "Nguyễn Văn An (lần hai)"
        with s.no_autoflush:  # as session.execute there: what is stored, not yet the change
            assert read_rows(s, names).scalar() == "Nguyễn Văn An (đã đổi)"
