"""Starting, completing, returning, claiming, forwarding and cancelling through the engine API,
on a real SQLite file and a real PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import engine
from engine import transaction


def _start(
    factory: Any,
    config: engine.EngineConfig,
    process: str = "approval",
    who: str = "an",
    **kwargs: Any,
) -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, process, who, **kwargs)


def _inbox(factory: Any, who: str) -> list[engine.TaskView]:
    with transaction(factory) as s:
        return engine.tasks_for(s, who)


def _complete(
    factory: Any, config: engine.EngineConfig, task_id: str, who: str, **kwargs: Any
) -> None:
    with transaction(factory) as s:
        engine.complete_task(s, config, task_id, who, **kwargs)


def _show(factory: Any, instance_id: int) -> engine.InstanceView:
    with transaction(factory) as s:
        return engine.show_instance(s, instance_id)


def test_actions__happy_path_with_a_return_and_parallel_branches(
    deployed: Any, config: Any
) -> None:
    item = _start(deployed, config, title="Đề xuất nhiệm vụ 2026")
    [draft] = _inbox(deployed, "an")
    assert (draft.element_id, draft.lane) == ("draft", "Staff")
    assert _inbox(deployed, "chi") == [draft]  # the whole lane's group sees it
    _complete(deployed, config, draft.id, "an", data={"summary": "Trồng nấm"})

    [review] = _inbox(deployed, "binh")
    assert review.due_at is not None  # dueInWorkingDays
    _complete(
        deployed, config, review.id, "binh", data={"decision": "return"}, comment="Bổ sung dự toán"
    )
    [again] = _inbox(deployed, "an")
    assert again.element_id == "draft" and again.id != draft.id
    _complete(deployed, config, again.id, "an", data={"summary": "Trồng nấm", "budget": 5})
    [review2] = _inbox(deployed, "dung")
    _complete(deployed, config, review2.id, "dung", data={"decision": "approve"})

    for who in ("an", "binh"):
        for task in _inbox(deployed, who):
            _complete(deployed, config, task.id, who)
    view = _show(deployed, item)
    assert view.status == "completed" and view.open_tasks == []
    assert view.data["approved"] is True and view.data["budget"] == 5
    kinds = [(h.kind, h.element_id, h.decision) for h in view.history]
    assert kinds[:4] == [
        ("started", None, None),
        ("completed", "draft", None),
        ("completed", "review", "return"),
        ("completed", "draft", None),
    ]
    assert kinds[-1] == ("finished", "end", None)  # the end event it reached (it has no name)
    assert [h.comment for h in view.history if h.decision == "return"] == ["Bổ sung dự toán"]


def test_actions__a_task_done_is_a_conflict_naming_who_and_when(deployed: Any, config: Any) -> None:
    _start(deployed, config)
    [draft] = _inbox(deployed, "an")
    _complete(deployed, config, draft.id, "an", data={"summary": "x"})
    with pytest.raises(engine.Conflict, match="already handled by an at 2026-03-02T01:00"):
        _complete(deployed, config, draft.id, "chi", data={"summary": "y"})


@pytest.mark.parametrize("who", ["binh", "em"])
def test_actions__outsiders_can_neither_complete_nor_claim(
    deployed: Any, config: Any, who: str
) -> None:
    item = _start(deployed, config)
    [draft] = _inbox(deployed, "an")
    before = _show(deployed, item)
    with pytest.raises(engine.Forbidden):
        _complete(deployed, config, draft.id, who, data={"summary": "x"})
    with pytest.raises(engine.Forbidden), transaction(deployed) as s:
        engine.claim_task(s, config, draft.id, who)
    assert _show(deployed, item) == before


@pytest.mark.parametrize("task_id", ["00000000-0000-0000-0000-000000000000", "not-a-task"])
def test_actions__an_unknown_task_is_not_found(deployed: Any, config: Any, task_id: str) -> None:
    with pytest.raises(engine.NotFound):
        _complete(deployed, config, task_id, "an")


def test_actions__claim_unclaim_and_forward(deployed: Any, config: Any) -> None:
    item = _start(deployed, config)
    [draft] = _inbox(deployed, "an")
    with transaction(deployed) as s:
        engine.claim_task(s, config, draft.id, "an")
    assert _inbox(deployed, "chi") == []
    with pytest.raises(engine.Conflict, match="already held by an"), transaction(deployed) as s:
        engine.claim_task(s, config, draft.id, "chi")
    with transaction(deployed) as s:
        engine.unclaim_task(s, config, draft.id, "an")
    assert [t.id for t in _inbox(deployed, "chi")] == [draft.id]
    with transaction(deployed) as s:
        # A task is forwarded within a unit (see test_engine__forwarding).
        engine.add_group(s, "phong_qlkh", unit=True)
        engine.add_user(s, "chi", unit="phong_qlkh")
        engine.add_user(s, "binh", unit="phong_qlkh")
    with pytest.raises(engine.Forbidden), transaction(deployed) as s:
        engine.assign_task(s, config, draft.id, "chi", "dung")
    with transaction(deployed) as s:
        engine.assign_task(s, config, draft.id, "chi", "binh", comment="Anh xem giúp")
    assert [t.id for t in _inbox(deployed, "binh")] == [draft.id]
    assert _inbox(deployed, "an") == []
    _complete(deployed, config, draft.id, "binh", data={"summary": "x"})
    kinds = [(h.kind, h.actor) for h in _show(deployed, item).history]
    assert kinds[1:5] == [
        ("claimed", "an"),
        ("unclaimed", "an"),
        ("assigned", "chi"),
        ("completed", "binh"),
    ]


def test_actions__cancel_needs_a_reason_and_the_starter(deployed: Any, config: Any) -> None:
    item = _start(deployed, config)
    with pytest.raises(engine.InvalidInput), transaction(deployed) as s:
        engine.cancel_instance(s, config, item, "an", "  ")
    with pytest.raises(engine.Forbidden), transaction(deployed) as s:
        engine.cancel_instance(s, config, item, "binh", "không cần nữa")
    with transaction(deployed) as s:
        engine.cancel_instance(s, config, item, "an", "Trùng với đề xuất khác")
    view = _show(deployed, item)
    assert view.status == "cancelled" and view.open_tasks == []
    assert (view.history[-1].kind, view.history[-1].comment) == (
        "cancelled",
        "Trùng với đề xuất khác",
    )
    with pytest.raises(engine.Conflict), transaction(deployed) as s:
        engine.cancel_instance(s, config, item, "root", "again")


def test_actions__bad_form_data_changes_nothing(deployed: Any, config: Any) -> None:
    item = _start(deployed, config)
    [draft] = _inbox(deployed, "an")
    before = _show(deployed, item)
    with pytest.raises(engine.InvalidData) as refused:
        _complete(deployed, config, draft.id, "an", data={"budget": "nhiều"})
    assert set(refused.value.fields) == {"summary", "budget"}
    assert _show(deployed, item) == before


def test_actions__camunda_owners_forms_and_timers(deployed: Any, config: Any, clock: Any) -> None:
    item = _start(
        deployed,
        config,
        "unit_task",
        "an",
        data={"lead_unit": "Phòng Quản lý Khoa học", "deadline": "2026-04-01", "leader": "binh"},
    )
    [task] = _inbox(deployed, "em")  # em's unit is that group
    assert task.candidate_groups == ["Phòng Quản lý Khoa học"]
    assert task.due_at is not None and task.due_at.date().isoformat() == "2026-04-01"
    assert _inbox(deployed, "an") == []
    with pytest.raises(engine.InvalidData, match="at most 100"):
        _complete(deployed, config, task.id, "em", data={"progress": 120})
    clock.advance(timedelta(days=11))
    assert engine.run_due_timers(deployed, config) == 1
    assert [t.element_id for t in _inbox(deployed, "binh")] == ["chase"]
    assert engine.run_due_timers(deployed, config) == 0
    _complete(
        deployed,
        config,
        task.id,
        "em",
        data={"progress": "100", "report_date": "15/03/2026", "done": "true"},
    )
    view = _show(deployed, item)
    assert view.data["report_date"] == "2026-03-15" and view.data["done"] is True
    assert any(h.kind == "timer_fired" and h.element_id == "escalate" for h in view.history)


def test_actions__a_nul_character_is_refused_or_dropped(deployed: Any, config: Any) -> None:
    item = _start(deployed, config, title="Tên\x00lạ")
    [draft] = _inbox(deployed, "an")
    with pytest.raises(engine.InvalidData, match="NUL"):
        _complete(deployed, config, draft.id, "an", data={"summary": "a\x00b"})
    _complete(deployed, config, draft.id, "an", data={"summary": "ab"}, comment="ý\x00 kiến")
    view = _show(deployed, item)
    assert view.title == "Tênlạ" and view.history[-1].comment == "ý kiến"


def test_actions__a_title_keeps_only_what_can_be_stored_and_read(
    deployed: Any, config: Any
) -> None:
    """Half a surrogate pair (from a caller other than the JSON API, which refuses it) would
    fail the database's write; a direction override would reverse the title in every list."""
    item = _start(deployed, config, title="Lúa\ud800 gạo\u202e\tBG1")
    assert _show(deployed, item).title == "Lúa gạo BG1"
