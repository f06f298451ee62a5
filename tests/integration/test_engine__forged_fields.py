"""A forged key (a field its task's form does not have) is refused by the engine, not only by the
page, and nothing changes: with a JSON Schema form, a Camunda form, and no form at all (a task
without a form takes a comment only). A forged key could otherwise set what the process relies
on, such as who the item goes back to or the outcome of a submission."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import update

import engine
from engine import transaction
from engine.human_tasks import HumanTaskModel
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.office import Office

NO_SUCH_FIELD = "the form has no such field"


def _start(factory: Any, config: engine.EngineConfig, process: str, **data: Any) -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, process, "an", data=data)


def _task(factory: Any, who: str, item: int, element_id: str) -> engine.TaskView:
    with transaction(factory) as s:
        [task] = [
            t
            for t in engine.tasks_for(s, who)
            if (t.instance_id, t.element_id) == (item, element_id)
        ]
    return task


def _complete(
    factory: Any, config: engine.EngineConfig, task: engine.TaskView, who: str, **kwargs: Any
) -> None:
    with transaction(factory) as s:
        engine.complete_task(s, config, task.id, who, **kwargs)


def _show(factory: Any, item: int) -> engine.InstanceView:
    with transaction(factory) as s:
        return engine.show_instance(s, item)


UNIT_TASK = {"lead_unit": "Phòng Quản lý Khoa học", "deadline": "2026-04-01", "leader": "binh"}


@pytest.mark.parametrize(
    ("process", "start", "who", "step", "data", "forged"),
    [
        pytest.param(
            "approval",
            {},
            "an",
            "draft",
            {"summary": "x", "approved": True},
            "approved",
            id="json-schema",
        ),
        pytest.param(
            "unit_task",
            UNIT_TASK,
            "em",
            "carry_out",
            {"progress": 10, "leader": "em"},
            "leader",
            id="camunda",
        ),
    ],
)
def test_forged__a_field_the_form_does_not_have_is_refused(
    deployed: Any,
    config: Any,
    process: str,
    start: dict[str, Any],
    who: str,
    step: str,
    data: dict[str, Any],
    forged: str,
) -> None:
    item = _start(deployed, config, process, **start)
    task = _task(deployed, who, item, step)
    before = _show(deployed, item)
    with pytest.raises(engine.InvalidData) as refused:
        _complete(deployed, config, task, who, data=data)
    assert refused.value.fields == {forged: NO_SUCH_FIELD}
    assert _show(deployed, item) == before


def test_forged__a_task_without_a_form_takes_a_comment_and_no_field(
    deployed: Any, config: Any
) -> None:
    item = _start(deployed, config, "approval")
    _complete(deployed, config, _task(deployed, "an", item, "draft"), "an", data={"summary": "x"})
    review = _task(deployed, "binh", item, "review")
    _complete(deployed, config, review, "binh", data={"decision": "approve"})
    sign = _task(deployed, "binh", item, "sign")  # a user task without a form
    before = _show(deployed, item)
    with pytest.raises(engine.InvalidData) as refused:
        _complete(deployed, config, sign, "binh", data={"approved": False}, comment="Đã ký")
    assert refused.value.fields == {"approved": NO_SUCH_FIELD}
    assert _show(deployed, item) == before
    _complete(deployed, config, sign, "binh", data={}, comment="Đã ký")
    view = _show(deployed, item)
    assert [t.element_id for t in view.open_tasks] == ["check"]
    assert any(h.comment == "Đã ký" for h in view.history)


def test_forged__a_step_its_version_keeps_no_record_of_takes_no_field(
    deployed: Any, config: Any
) -> None:
    """Every step's record is written when its diagram is deployed; a row that names none (a
    store edited by hand, a version from before) must not open the item's data to any name."""
    item = _start(deployed, config, "approval")
    draft = _task(deployed, "an", item, "draft")
    with transaction(deployed) as s:
        s.execute(
            update(HumanTaskModel).where(HumanTaskModel.id == draft.id).values(meta_key="x/y")
        )
    before = _show(deployed, item)
    with pytest.raises(engine.InvalidData) as refused:
        _complete(deployed, config, draft, "an", data={"summary": "x", "approved": True})
    assert refused.value.fields == {"summary": NO_SUCH_FIELD, "approved": NO_SUCH_FIELD}
    assert _show(deployed, item) == before


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


@pytest.mark.parametrize(
    ("step_data", "forged"),
    [
        # The drafter's step is given to ${initiator}: a forged initiator would send a return
        # to someone else's desk.
        ({"decision": "tra_lai", "y_kien": "Bổ sung", "initiator": "giamdoc"}, "initiator"),
        # The outcome of the submission is the process's to record, never a reviewer's.
        ({"decision": "dong_y", "ket_qua_trinh": "phe_duyet"}, "ket_qua_trinh"),
    ],
)
def test_forged__a_department_form_refuses_what_the_process_owns(
    office: Office, step_data: dict[str, Any], forged: str
) -> None:
    item = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    before = office.show(item)
    with pytest.raises(engine.InvalidData) as refused:
        office.do("qlkh.cv1", item, "xem_xet_de_xuat", **step_data)
    assert refused.value.fields == {forged: NO_SUCH_FIELD}
    assert office.show(item) == before
    assert before.data["initiator"] == "trungtam.cv1"
