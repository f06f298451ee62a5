"""A service handler's business error (Camunda's `throw new BpmnError(code)` in a delegate):
`engine.BpmnError` raised by the operator's Python is thrown at the service task, caught by an
error boundary event of the task or of a subprocess around it, with the handler's variables
and the code and message in the catcher's variables; caught by nothing, it parks the item in
error like a failed call. On SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import BpmnError, EngineConfig, ManualClock, ServiceCall, SourceFile, transaction
from tests.conftest import add_people
from tests.integration.test_engine__services import events

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions'
    ' xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
    ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">'
    '<bpmn:error id="err_pay" name="Payment failed" errorCode="PAYMENT_FAILED" />'
    '<bpmn:process id="order" isExecutable="true">'
    '<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="approve" />'
    '<bpmn:userTask id="approve" camunda:assignee="an" />'
    '<bpmn:sequenceFlow id="f2" sourceRef="approve" targetRef="act" />'
)
CHARGE = '<bpmn:serviceTask id="{id}" camunda:class="vn.shop.Charge" />'
TAIL = (
    '<bpmn:sequenceFlow id="f3" sourceRef="act" targetRef="ship" />'
    '<bpmn:userTask id="ship" camunda:assignee="an" />'
    '<bpmn:sequenceFlow id="f4" sourceRef="ship" targetRef="e" /><bpmn:endEvent id="e" />'
    '<bpmn:boundaryEvent id="failed" attachedToRef="act">'
    '<bpmn:errorEventDefinition id="failed_def" errorRef="err_pay"'
    ' camunda:errorCodeVariable="why_code" camunda:errorMessageVariable="why" />'
    "</bpmn:boundaryEvent>"
    '<bpmn:sequenceFlow id="f5" sourceRef="failed" targetRef="fix" />'
    '<bpmn:userTask id="fix" camunda:assignee="binh" />'
    '<bpmn:sequenceFlow id="f6" sourceRef="fix" targetRef="e2" /><bpmn:endEvent id="e2" />'
    "</bpmn:process></bpmn:definitions>"
)
IN_SUBPROCESS = (
    '<bpmn:subProcess id="act"><bpmn:startEvent id="i_s" />'
    '<bpmn:sequenceFlow id="i_f1" sourceRef="i_s" targetRef="charge" />'
    + CHARGE.format(id="charge")
    + '<bpmn:sequenceFlow id="i_f2" sourceRef="charge" targetRef="i_e" /><bpmn:endEvent id="i_e" />'
    "</bpmn:subProcess>"
)
MODELS = {"task": HEAD + CHARGE.format(id="act") + TAIL, "subprocess": HEAD + IN_SUBPROCESS + TAIL}


def _run(factory: Any, clock: ManualClock, shape: str, handler: Any) -> tuple[int, EngineConfig]:
    add_people(factory)
    handlers = {"vn.shop.Charge": handler}
    config = EngineConfig(clock=clock, services=handlers)
    with transaction(factory) as s:
        engine.deploy(
            s, [SourceFile("order.bpmn", MODELS[shape].encode())], clock, services=handlers
        )
        item = engine.start_instance(s, config, "order", "an")
    with transaction(factory) as s:
        (task,) = engine.open_tasks(s, item)
        engine.complete_task(s, config, task.id, "an")
    return item, config


def _view(factory: Any, item: int) -> engine.InstanceView:
    with transaction(factory) as s:
        return engine.show_instance(s, item)


@pytest.mark.parametrize("shape", sorted(MODELS))
def test_service_errors__a_handlers_bpmn_error_is_caught_by_the_boundary_event(
    factory: Any, clock: ManualClock, shape: str
) -> None:
    def charge(call: ServiceCall) -> dict[str, Any]:
        raise BpmnError("PAYMENT_FAILED", "thẻ bị từ chối", {"attempts": 1})

    item, _config = _run(factory, clock, shape, charge)
    view = _view(factory, item)
    assert view.status == "running" and view.error is None
    assert [t.element_id for t in view.open_tasks] == ["fix"]  # not "ship"
    assert view.data["attempts"] == 1
    assert (view.data["why_code"], view.data["why"]) == ("PAYMENT_FAILED", "thẻ bị từ chối")
    (called,) = events(factory, item, "service_called")
    assert called.details["bpmn_error"] == "PAYMENT_FAILED"


def test_service_errors__a_handler_that_returns_goes_the_normal_way(
    factory: Any, clock: ManualClock
) -> None:
    item, _config = _run(factory, clock, "task", lambda call: {"paid": True})
    view = _view(factory, item)
    assert [t.element_id for t in view.open_tasks] == ["ship"] and view.data["paid"] is True


@pytest.mark.parametrize("code", ["OUT_OF_STOCK", "", "x" * 201])
def test_service_errors__an_error_nothing_catches_parks_the_item(
    factory: Any, clock: ManualClock, code: str
) -> None:
    def charge(call: ServiceCall) -> None:
        raise BpmnError(code)

    item, config = _run(factory, clock, "task", charge)
    view = _view(factory, item)
    assert view.status == "error" and view.open_tasks == []
    assert view.error is not None and "vn.shop.Charge" in view.error
    if code == "OUT_OF_STOCK":
        assert "BPMN error 'OUT_OF_STOCK', which no error event catches" in view.error
    with transaction(factory) as s:  # the handler mended: a retry runs the call again
        config.services["vn.shop.Charge"] = lambda call: {"paid": True}  # type: ignore[index]
        assert engine.retry_instance(s, config, item, "root") == "running"
    assert [t.element_id for t in _view(factory, item).open_tasks] == ["ship"]
