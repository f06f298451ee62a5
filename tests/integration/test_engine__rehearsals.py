"""A completion rehearsed in a read transaction before its write (engine.rehearse_completion):
the write uses the run only on the item exactly as the read saw it; a timer that fired in
between, a service task or a register number on the way, someone not allowed, data the form
refuses all leave the step to the write; a run that failed is the same failure at the write,
with nothing written. On a real SQLite file, the database whose one write lock a rehearsal
spares; on PostgreSQL the write runs the step itself."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import func, select, text

import engine
from engine import EngineConfig, ManualClock, ServiceCall, SourceFile, transaction
from engine.definitions import load_version
from engine.registers import IssuedNumberModel
from engine.serialization import load_state
from tests.conftest import add_people, fixture_files
from tests.office import TO_TRINH, Office

_FAILING = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"
    targetNamespace="http://example.org/rehearsal">
  <bpmn:process id="failing_after_act" name="Fails after the step" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="act" />
    <bpmn:userTask id="act" name="Approve" />
    <bpmn:sequenceFlow id="f2" sourceRef="act" targetRef="divide" />
    <bpmn:scriptTask id="divide" name="Share the budget">
      <bpmn:script>share = budget / parts</bpmn:script>
    </bpmn:scriptTask>
    <bpmn:sequenceFlow id="f3" sourceRef="divide" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.fixture
def db_url(sqlite_url: str) -> str:
    """`factory` on SQLite only: rehearsals are SQLite's."""
    return sqlite_url


@pytest.fixture
def office(deployed: Any) -> Any:
    """The fixture diagrams deployed, the people added: the session factory."""
    return deployed


def _rehearse(
    factory: Any, config: EngineConfig, task_id: str, who: str, **kw: Any
) -> engine.Rehearsal | None:
    with transaction(factory, write=False) as s:
        return engine.rehearse_completion(s, config, task_id, engine.get_identity(s, who), **kw)


def _only_task(factory: Any, item: int) -> engine.TaskView:
    with transaction(factory) as s:
        (task,) = engine.open_tasks(s, item)
    return task


def _state(factory: Any, item: int) -> tuple[str, int]:
    with transaction(factory) as s:
        row = s.execute(
            text("SELECT state, version_counter FROM instances WHERE id = :i"), {"i": item}
        ).one()
    return str(row[0]), int(row[1])


def _at_review(office: Any, config: EngineConfig) -> tuple[int, str]:
    with transaction(office) as s:
        item = engine.start_instance(s, config, "approval", "an")
    draft = _only_task(office, item)
    with transaction(office) as s:
        engine.complete_task(s, config, draft.id, "an", data={"summary": "Trồng nấm"})
    return item, _only_task(office, item).id


def test_rehearsal__a_timer_fired_between_the_read_and_the_write_is_kept(
    office: Any, config: EngineConfig, clock: ManualClock
) -> None:
    item, review = _at_review(office, config)
    rehearsal = _rehearse(office, config, review, "binh", data={"decision": "approve"})
    assert rehearsal is not None and rehearsal.workflow is not None
    # The review's three-day reminder fires before the write: the item moved on.
    clock.advance(timedelta(days=4))
    engine.run_due_timers(office, config)
    with transaction(office) as s:
        engine.complete_task(
            s, config, review, "binh", data={"decision": "approve"}, rehearsal=rehearsal
        )
        view = engine.show_instance(s, item)
        version = load_version(s, s.scalar(text("SELECT process_version_id FROM instances")))
    assert view.data["decision"] == "approve"
    assert {t.element_id for t in view.open_tasks} == {"sign", "check"}
    # Used, the rehearsal would have stored a workflow in which the reminder never ran.
    stored = load_state("spiff", _state(office, item)[0], version.spec, version.subprocess_specs)
    (remind,) = [t for t in stored.get_tasks() if t.task_spec.bpmn_id == "remind"]
    assert remind.state == TaskState.COMPLETED
    with transaction(office) as s:
        assert engine.verify_audit(s, item) == (1, [])


def test_rehearsal__another_task_or_person_or_data_runs_the_step_at_the_write(
    office: Any, config: EngineConfig
) -> None:
    item, review = _at_review(office, config)
    before = _state(office, item)
    rehearsal = _rehearse(office, config, review, "binh", data={"decision": "return"})
    assert rehearsal is not None
    assert _state(office, item) == before  # a rehearsal writes nothing
    with transaction(office) as s:  # the same step, other data: the write's own run
        engine.complete_task(
            s, config, review, "binh", data={"decision": "approve"}, rehearsal=rehearsal
        )
        view = engine.show_instance(s, item)
    assert view.data["decision"] == "approve"
    assert {t.element_id for t in view.open_tasks} == {"sign", "check"}


def test_rehearsal__who_may_not_act_or_what_the_form_refuses_is_left_to_the_write(
    office: Any, config: EngineConfig
) -> None:
    item, review = _at_review(office, config)
    assert _rehearse(office, config, review, "an", data={"decision": "approve"}) is None
    assert _rehearse(office, config, review, "binh", data={"decision": 5}) is None
    assert _rehearse(office, config, "not-a-task", "binh", data={}) is None
    _state_now, version = _state(office, item)
    assert _rehearse(office, config, review, "binh", expected_version=version - 1) is None
    with pytest.raises(engine.InvalidData), transaction(office) as s:
        engine.complete_task(s, config, review, "binh", data={"decision": 5})


def test_rehearsal__a_failed_run_fails_the_write_alike_and_writes_nothing(
    factory: Any, clock: ManualClock, config: EngineConfig
) -> None:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [SourceFile("failing.bpmn", _FAILING)], clock)
    with transaction(factory) as s:
        item = engine.start_instance(
            s, config, "failing_after_act", "an", data={"budget": 10, "parts": 0}
        )
    task = _only_task(factory, item)
    before = _state(factory, item)
    rehearsal = _rehearse(factory, config, task.id, "an", data={})
    assert rehearsal is not None and isinstance(rehearsal.error, engine.ScriptError)
    with pytest.raises(engine.ScriptError) as raised, transaction(factory) as s:
        engine.complete_task(s, config, task.id, "an", data={}, rehearsal=rehearsal)
    assert raised.value.message == rehearsal.error.message
    with pytest.raises(engine.ScriptError) as again, transaction(factory) as s:
        engine.complete_task(s, config, task.id, "an", data={})
    assert again.value.message == raised.value.message
    assert _state(factory, item) == before
    assert _only_task(factory, item).id == task.id


def test_rehearsal__a_service_task_on_the_way_is_called_once_by_the_write(
    factory: Any, clock: ManualClock
) -> None:
    calls: list[ServiceCall] = []

    def register(call: ServiceCall) -> dict[str, Any]:
        calls.append(call)
        return {"registered": True}

    handlers = {"vn.gov.sokhcn.Register": register}
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(
            s, fixture_files("services"), clock, services=[*handlers, *_OTHER_SERVICE_KEYS]
        )
    config = EngineConfig(clock=clock, services=handlers)
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "camunda_after_user", "an")
    task = _only_task(factory, item)
    assert _rehearse(factory, config, task.id, "an", data={}) is None
    assert calls == []
    with transaction(factory) as s:
        engine.complete_task(s, config, task.id, "an", data={})
        view = engine.show_instance(s, item)
    assert len(calls) == 1 and view.data["registered"] is True


# Keys the other diagrams of the services folder call: deployed, never reached here.
_OTHER_SERVICE_KEYS = (
    "vn.gov.sokhcn.ArchiveDelegate",
    "notifier",
    "scoring.score(execution)",
    "topic:invoice-archive",
    "connector:http-connector",
    "st_plain",
    "http/GetRequestV2",
    "audit/Write",
    "ratingRules",
    "vn.gov.sokhcn.SendResult",
)


def test_rehearsal__a_register_number_is_taken_only_by_the_write(
    sqlite_factory: Any, clock: ManualClock
) -> None:
    office = Office(sqlite_factory, clock)
    item = office.start("trinh_ubnd", "qlkh.cv1", don_vi_soan_thao="phong_qlkh")
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
    office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="dong_y")
    office.do("vp.vanthu", item, "kiem_tra_the_thuc", decision="dong_y")
    office.do("giamdoc", item, "ky_to_trinh", decision="ky")
    task = office.task("vp.vanthu", item, "phat_hanh")
    data = {"ngay_ban_hanh": "2026-03-02"}
    assert _rehearse(office.factory, office.config, task.id, "vp.vanthu", data=data) is None
    with transaction(office.factory) as s:
        assert s.scalar(select(func.count()).select_from(IssuedNumberModel)) == 0
    office.do("vp.vanthu", item, "phat_hanh", **data)
    assert office.show(item).data["so_ky_hieu"] == "01/TTr-SKHCN"


def test_rehearsal__postgresql_runs_the_step_in_the_write_alone(
    pg_url: str, clock: ManualClock, config: EngineConfig
) -> None:
    db = engine.create_db_engine(pg_url)
    try:
        engine.upgrade_database(db)
        factory = engine.session_factory(db)
        add_people(factory)
        with transaction(factory) as s:
            engine.deploy(s, fixture_files("spiff", "camunda"), clock)
        item, review = _at_review(factory, config)
        assert _rehearse(factory, config, review, "binh", data={"decision": "approve"}) is None
        with transaction(factory) as s:
            engine.complete_task(s, config, review, "binh", data={"decision": "approve"})
            assert {t.element_id for t in engine.open_tasks(s, item)} == {"sign", "check"}
    finally:
        db.dispose()
