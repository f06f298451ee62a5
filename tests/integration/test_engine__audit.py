"""The audit log is hash-chained: an edited, deleted or truncated history is reported."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import delete, select, update

import engine
from engine import transaction
from engine.audit import AuditEventModel
from tests.integration.test_engine__actions import _complete, _inbox, _start


@pytest.fixture
def item(deployed: Any, config: Any) -> int:
    instance_id = _start(deployed, config)
    [draft] = _inbox(deployed, "an")
    _complete(deployed, config, draft.id, "an", data={"summary": "x"}, comment="Kính trình")
    [review] = _inbox(deployed, "binh")
    _complete(deployed, config, review.id, "binh", data={"decision": "return"}, comment="Sửa")
    _start(deployed, config)  # a second, untouched item
    return instance_id


def _verify(factory: Any, instance_id: int | None = None) -> tuple[int, list[Any]]:
    with transaction(factory) as s:
        return engine.verify_audit(s, instance_id)


def _event(factory: Any, instance_id: int, seq: int) -> Any:
    return (AuditEventModel.instance_id == instance_id) & (AuditEventModel.seq == seq)


def test_audit__an_intact_history_verifies(deployed: Any, item: int) -> None:
    assert _verify(deployed) == (2, [])
    assert _verify(deployed, item) == (1, [])


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"comment": "Đồng ý"}, "event #3 (completed) was altered"),
        ({"actor": "dung"}, "event #3 (completed) was altered"),
        ({"decision": "approve"}, "event #3 (completed) was altered"),
    ],
)
def test_audit__an_edited_event_is_named(
    deployed: Any, item: int, values: dict[str, str], words: str
) -> None:
    with transaction(deployed) as s:
        s.execute(update(AuditEventModel).where(_event(deployed, item, 3)).values(**values))
    checked, problems = _verify(deployed)
    assert checked == 2 and [(p.instance_id, p.event_seq) for p in problems] == [(item, 3)]
    assert words in problems[0].message


def test_audit__a_deleted_event_is_named(deployed: Any, item: int) -> None:
    with transaction(deployed) as s:
        s.execute(delete(AuditEventModel).where(_event(deployed, item, 2)))
    [problem] = _verify(deployed, item)[1]
    assert problem.event_seq == 2 and "missing" in problem.message


def test_audit__a_cut_off_tail_is_caught(deployed: Any, item: int) -> None:
    with transaction(deployed) as s:
        last = s.scalar(
            select(AuditEventModel.seq)
            .where(AuditEventModel.instance_id == item)
            .order_by(AuditEventModel.seq.desc())
            .limit(1)
        )
        s.execute(delete(AuditEventModel).where(_event(deployed, item, last)))
    [problem] = _verify(deployed, item)[1]
    assert "events were recorded" in problem.message


def test_audit__rewriting_the_whole_chain_still_fails_at_the_head(deployed: Any, item: int) -> None:
    # Someone who recomputes every hash after an edit still cannot match the head kept on the
    # instance row unless they also rewrite that: the check runs across both tables.
    from engine.audit import _digest

    with transaction(deployed) as s:
        events = list(
            s.scalars(
                select(AuditEventModel)
                .where(AuditEventModel.instance_id == item)
                .order_by(AuditEventModel.seq)
            )
        )
        events[1].comment = "đã sửa"
        previous = events[0].hash
        for event in events[1:]:
            event.prev_hash = previous
            event.hash = _digest(event)
            previous = event.hash
    [problem] = _verify(deployed, item)[1]
    assert "rewritten" in problem.message
