"""Service tasks map to the operator's Python (issue 12 point 1), on SQLite and PostgreSQL.

Our own models under tests/fixtures/services: a Camunda Modeler diagram with one service task of
each kind (camunda:class, delegateExpression, expression, external topic, connector, and one
with no implementation, mapped by its id), a SpiffArena diagram with connector operators, and a
Camunda diagram where a service task follows a person's step. Each runs to its end with the
returned variables steering a gateway; an unmapped key is refused at deploy naming file,
element, line and key; a handler that raises, hangs or returns what cannot be stored parks the
item in error with nothing half-written, and a retry runs the failed step again.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

import engine
from engine import EngineConfig, ManualClock, ServiceCall, SourceFile, transaction
from engine.audit import AuditEventModel
from engine.instances import InstanceModel
from tests.conftest import FIXTURES, add_people, fixture_files

SERVICES = FIXTURES / "services"
Handlers = dict[str, Callable[[ServiceCall], Any] | None]


def camunda_handlers(points: int, calls: list[ServiceCall]) -> Handlers:
    def archive(call: ServiceCall) -> dict[str, Any]:
        calls.append(call)
        return {"archived": True}

    def send(call: ServiceCall) -> dict[str, Any]:
        calls.append(call)
        return {"archive_id": f"HS-{call.item_id}"}

    return {
        "vn.gov.sokhcn.ArchiveDelegate": archive,
        "notifier": lambda call: {"sent": True},
        "scoring.score(execution)": lambda call: {"points": points},
        "topic:invoice-archive": lambda call: None,
        "connector:http-connector": send,
        "st_plain": None,
    }


def all_handlers(**overrides: Any) -> Handlers:
    handlers: Handlers = {
        **camunda_handlers(70, []),
        "http/GetRequestV2": lambda call: {"status": 200, "url": call.params["url"]},
        "audit/Write": None,
        "vn.gov.sokhcn.Register": lambda call: {"registered": True},
        "ratingRules": lambda call: {"grade": call.data.get("expected", "A")},
        "vn.gov.sokhcn.SendResult": lambda call: {"delivered": True},
    }
    handlers.update(overrides)
    return handlers


@pytest.fixture
def people(factory: Any) -> Any:
    add_people(factory)
    return factory


def deploy(factory: Any, clock: ManualClock, handlers: Handlers) -> None:
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("services"), clock, services=handlers.keys())


def start(factory: Any, config: EngineConfig, process_id: str, **data: Any) -> int:
    if process_id == "camunda_services":  # its field and connector parameters read it
        data.setdefault("invoice", "HD-01")
    with transaction(factory) as s:
        return engine.start_instance(s, config, process_id, "an", data=data)


def item(factory: Any, item_id: int) -> engine.InstanceView:
    with transaction(factory) as s:
        return engine.show_instance(s, item_id)


def events(factory: Any, item_id: int, kind: str) -> list[AuditEventModel]:
    with transaction(factory) as s:
        query = (
            select(AuditEventModel)
            .where(AuditEventModel.instance_id == item_id, AuditEventModel.kind == kind)
            .order_by(AuditEventModel.seq)
        )
        rows = list(s.scalars(query))
        s.expunge_all()
        return rows


def item_data(factory: Any, item_id: int) -> dict[str, Any]:
    with transaction(factory) as s:
        row = s.get(InstanceModel, item_id)
        assert row is not None
        return dict(row.data)


@pytest.mark.parametrize(
    ("points", "status", "open_step"),
    [(70, "completed", None), (30, "running", "review")],
)
def test_camunda_service_tasks_of_every_kind_run_and_steer_the_gateway(
    people: Any, clock: ManualClock, points: int, status: str, open_step: str | None
) -> None:
    calls: list[ServiceCall] = []
    handlers = {**all_handlers(), **camunda_handlers(points, calls)}
    deploy(people, clock, handlers)
    config = EngineConfig(clock=clock, services=handlers)
    item_id = start(people, config, "camunda_services", invoice="HD-01")

    view = item(people, item_id)
    assert view.status == status
    assert [t.element_id for t in view.open_tasks] == ([open_step] if open_step else [])
    data = item_data(people, item_id)
    assert data["archive_id"] == f"HS-{item_id}"  # the handler knew its item
    assert data["scoring"] == {"points": points}  # camunda:resultVariable keeps the result apart
    assert calls[0].element_id == "st_class" and calls[0].process_id == "camunda_services"
    assert calls[0].data["invoice"] == "HD-01"
    # camunda:field injections and the connector's input parameters, expressions evaluated
    assert dict(calls[0].params) == {"folder": "hoa-don", "number": "HD-01"}
    assert dict(calls[1].params) == {
        "url": "https://example.invalid/api",
        "payload": {"so_hoa_don": "HD-01", "diem": points + 1, "nhan": ["luu-tru", True]},
    }
    with pytest.raises(TypeError):
        calls[0].data["invoice"] = "changed"  # type: ignore[index]
    called = [
        (e.element_id, e.details["key"], e.details["noop"])
        for e in events(people, item_id, "service_called")
    ]
    assert called == [
        ("st_class", "vn.gov.sokhcn.ArchiveDelegate", False),
        ("st_delegate", "notifier", False),
        ("st_expression", "scoring.score(execution)", False),
        ("st_external", "topic:invoice-archive", False),
        ("st_connector", "connector:http-connector", False),
        ("st_plain", "st_plain", True),  # mapped to None: a no-op, recorded
    ]


@pytest.mark.parametrize(("grade", "status"), [("A", "completed"), ("B", "running")])
def test_camunda_send_and_business_rule_tasks_implemented_like_services_run_too(
    people: Any, clock: ManualClock, grade: str, status: str
) -> None:
    handlers = all_handlers()
    deploy(people, clock, handlers)
    config = EngineConfig(clock=clock, services=handlers)
    item_id = start(people, config, "camunda_send_rule", expected=grade)
    assert item(people, item_id).status == status
    called = [(e.element_id, e.details["key"]) for e in events(people, item_id, "service_called")]
    assert called == [("rate", "ratingRules"), ("notify", "vn.gov.sokhcn.SendResult")]


@pytest.mark.parametrize(("status_code", "end"), [(200, "completed"), (404, "running")])
def test_spiffarena_operator_gets_its_parameters_and_steers_the_gateway(
    people: Any, clock: ManualClock, status_code: int, end: str
) -> None:
    seen: list[ServiceCall] = []

    def lookup(call: ServiceCall) -> dict[str, Any]:
        seen.append(call)
        return {"status": status_code, "name": "Công ty TNHH Ánh Dương"}

    handlers = all_handlers(**{"http/GetRequestV2": lookup})
    deploy(people, clock, handlers)
    item_id = start(
        people, EngineConfig(clock=clock, services=handlers), "spiff_services", tax_code="0101"
    )

    assert seen[0].params == {"url": "https://tax.example.invalid/0101", "timeout": 5}
    assert item(people, item_id).status == end
    assert item_data(people, item_id)["response"]["status"] == status_code
    noop = events(people, item_id, "service_called")[1]
    assert (noop.element_id, noop.details["noop"]) == ("audit_log", True)


def test_an_unmapped_service_task_is_refused_at_deploy_naming_file_element_line_and_key(
    people: Any, clock: ManualClock
) -> None:
    handlers = all_handlers()
    del handlers["connector:http-connector"]
    with pytest.raises(engine.InvalidDefinition) as caught, transaction(people) as s:
        engine.deploy(s, fixture_files("services"), clock, services=handlers.keys())
    text = (SERVICES / "camunda_services.bpmn").read_text().splitlines()
    line = next(n for n, t in enumerate(text, 1) if 'id="st_connector"' in t)
    details = caught.value.details
    assert details == {
        "file": "camunda_services.bpmn",
        "element_id": "st_connector",
        "line": line,
        "reason": "service_unmapped",
        "key": "connector:http-connector",
    }
    assert "map 'connector:http-connector' in the services module (PHEDUYET_SERVICES)" in str(
        caught.value
    )
    with transaction(people) as s:
        assert engine.list_processes(s) == []  # nothing half-deployed


class FailsOnce:
    """A handler whose outside system is down on the first call only."""

    def __init__(self, result: dict[str, Any]) -> None:
        self.result = result
        self.calls = 0

    def __call__(self, call: ServiceCall) -> dict[str, Any]:
        self.calls += 1
        if self.calls == 1:
            raise ConnectionError("the registry is down")
        return self.result


def test_a_failing_handler_parks_the_item_and_a_retry_goes_on(
    people: Any, clock: ManualClock
) -> None:
    register = FailsOnce({"registered": True})
    handlers = all_handlers(**{"vn.gov.sokhcn.Register": register})
    deploy(people, clock, handlers)
    config = EngineConfig(clock=clock, services=handlers)
    item_id = start(people, config, "camunda_after_user")
    with transaction(people) as s:
        (task,) = engine.open_tasks(s, item_id)
        engine.complete_task(s, config, task.id, "an", comment="nộp")

    view = item(people, item_id)
    assert view.status == "error"
    assert view.error is not None and "ConnectionError: the registry is down" in view.error
    assert view.open_tasks == []
    assert [e.kind for e in view.history][-2:] == ["completed", "error"]  # the step is kept
    (error,) = events(people, item_id, "error")
    assert error.element_id == "register"
    assert "registered" not in item_data(people, item_id)

    with pytest.raises(engine.Forbidden), transaction(people) as s:
        engine.retry_instance(s, config, item_id, "an")
    with transaction(people) as s:
        assert engine.retry_instance(s, config, item_id, "root") == "completed"
    view = item(people, item_id)
    assert view.status == "completed" and view.error is None
    assert register.calls == 2
    assert [e.kind for e in view.history][-4:] == ["error", "retried", "service_called", "finished"]
    with pytest.raises(engine.Conflict), transaction(people) as s:
        engine.retry_instance(s, config, item_id, None)


def test_retry_runs_only_the_failed_step_and_keeps_what_ran_before(
    people: Any, clock: ManualClock
) -> None:
    calls: list[ServiceCall] = []
    handlers = {**all_handlers(), **camunda_handlers(70, calls)}
    handlers["scoring.score(execution)"] = FailsOnce({"points": 70})
    deploy(people, clock, handlers)
    config = EngineConfig(clock=clock, services=handlers)
    item_id = start(people, config, "camunda_services")

    assert item(people, item_id).status == "error"
    data = item_data(people, item_id)
    assert data.get("archived") is True and "scoring" not in data  # nothing half-written
    with transaction(people) as s:
        engine.retry_instance(s, config, item_id, None)
    assert item(people, item_id).status == "completed"
    # The steps before the failure did not run again.
    assert [c.element_id for c in calls] == ["st_class", "st_connector"]


@pytest.fixture
def released() -> Iterator[threading.Event]:
    gate = threading.Event()
    yield gate
    gate.set()  # let a handler left blocked in C finish


def busy_loop(call: ServiceCall) -> dict[str, Any]:
    while True:
        pass


@pytest.mark.parametrize("kind", ["blocked", "busy"])
def test_a_hanging_handler_is_stopped_at_the_limit(
    people: Any, clock: ManualClock, released: threading.Event, kind: str
) -> None:
    hang = (lambda call: {"ok": released.wait(60)}) if kind == "blocked" else busy_loop
    handlers = all_handlers(**{"vn.gov.sokhcn.ArchiveDelegate": hang})
    deploy(people, clock, handlers)
    config = EngineConfig(clock=clock, services=handlers, service_seconds=0.3)
    began = time.monotonic()
    item_id = start(people, config, "camunda_services")
    assert time.monotonic() - began < 5
    view = item(people, item_id)
    assert view.status == "error"
    assert view.error == (
        "element 'st_class': the service 'vn.gov.sokhcn.ArchiveDelegate' did not answer within "
        "0.3 s"
    )
    assert "ok" not in item_data(people, item_id)


@pytest.mark.parametrize(
    ("returned", "words"),
    [
        ({"when": datetime(2026, 1, 1, tzinfo=UTC)}, "cannot be stored as JSON"),
        ({"ratio": float("nan")}, "cannot be stored as JSON"),
        (["registered"], "a list, not a dict of variables"),
        ({3: "x"}, "not a plain non-empty text"),
    ],
)
def test_a_result_that_cannot_be_stored_is_an_incident(
    people: Any, clock: ManualClock, returned: Any, words: str
) -> None:
    handlers = all_handlers(**{"vn.gov.sokhcn.ArchiveDelegate": lambda call: returned})
    deploy(people, clock, handlers)
    item_id = start(people, EngineConfig(clock=clock, services=handlers), "camunda_services")
    view = item(people, item_id)
    assert view.status == "error"
    assert view.error is not None and words in view.error
    (error,) = events(people, item_id, "error")
    assert error.element_id == "st_class"
    assert events(people, item_id, "service_called") == []


def test_an_item_parked_by_a_failing_timer_is_due_again_after_a_retry(
    people: Any, clock: ManualClock
) -> None:
    config = EngineConfig(clock=clock)
    with transaction(people) as s:
        engine.deploy(s, fixture_files("timer_error"), clock)
    item_id = start(people, config, "timer_error")
    clock.advance(timedelta(days=2))
    assert engine.run_due_timers(people, config) == 1
    assert item(people, item_id).status == "error"
    with transaction(people) as s:
        assert engine.retry_instance(s, config, item_id, "root") == "running"
    assert engine.run_due_timers(people, config) == 1  # fired again: the script still fails
    view = item(people, item_id)
    assert view.status == "error"
    assert [h.kind for h in view.history][-3:] == ["error", "retried", "error"]


@pytest.mark.parametrize(
    ("extension", "words"),
    [
        (
            '<camunda:field name="who"><camunda:expression>${mailer.sender()}</camunda:expression>'
            "</camunda:field>",
            "refused expression '${mailer.sender()}'",
        ),
        (
            "<camunda:connector><camunda:connectorId>mail</camunda:connectorId>"
            '<camunda:inputOutput><camunda:inputParameter name="to">'
            '<camunda:script scriptFormat="python">"a@b"</camunda:script>'
            "</camunda:inputParameter></camunda:inputOutput></camunda:connector>",
            "parameter 'to' is a script, which the engine does not run here",  # JavaScript runs
        ),
        (
            "<camunda:connector><camunda:connectorId>http-connector</camunda:connectorId>"
            '<camunda:inputOutput><camunda:outputParameter name="ten">'
            "${XML(response).xPath('//ten').element().textContent()}"
            "</camunda:outputParameter></camunda:inputOutput></camunda:connector>",
            "the function XML() is not supported",
        ),
    ],
)
def test_a_parameter_the_engine_cannot_run_is_refused_at_deploy(
    people: Any, clock: ManualClock, extension: str, words: str
) -> None:
    text = (SERVICES / "camunda_after_user.bpmn").read_text()
    marker = 'camunda:class="vn.gov.sokhcn.Register">'
    text = text.replace(
        marker, f"{marker}\n      <bpmn:extensionElements>{extension}</bpmn:extensionElements>"
    )
    with pytest.raises(engine.InvalidDefinition) as caught, transaction(people) as s:
        engine.deploy(
            s, [SourceFile("tham_so.bpmn", text.encode())], clock, services=all_handlers().keys()
        )
    details = caught.value.details
    assert (details["file"], details["element_id"], details["line"]) == (
        "tham_so.bpmn",
        "register",
        16,
    )
    assert words in str(caught.value)
    # `check`, which goes on past the first refusal, says it alike: with its own line and
    # words, not SpiffWorkflow's repr of it at the task's line.
    files = [SourceFile("tham_so.bpmn", text.encode())]
    report = engine.check_definitions(files, services=all_handlers().keys())
    [problem] = [p for p in report.problems if p.element_id == "register"]
    assert (problem.line, problem.message.startswith("InvalidDefinition(")) == (16, False)
    assert words in problem.message


EXPRESSIONS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:process id="bieu_thuc" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="placeholder" />
    <bpmn:serviceTask id="placeholder" camunda:expression="${true}" />
    <bpmn:sequenceFlow id="f2" sourceRef="placeholder" targetRef="decide" />
    <bpmn:serviceTask id="decide" camunda:expression="${'da_xet'}"
      camunda:resultVariable="state" />
    <bpmn:sequenceFlow id="f3" sourceRef="decide" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_an_expression_that_needs_no_bean_runs_without_a_handler(
    people: Any, clock: ManualClock
) -> None:
    """`${true}` (Camunda's placeholder) passes, a literal gives its resultVariable its value;
    anything that may name a bean (a method, a property, a bare name) still needs a handler:
    deploy cannot tell a bean from a variable."""
    with transaction(people) as s:
        engine.deploy(s, [SourceFile("bieu_thuc.bpmn", EXPRESSIONS.encode())], clock, services=())
    config = EngineConfig(clock=clock, services={})
    item_id = start(people, config, "bieu_thuc")
    with transaction(people) as s:
        view = engine.show_instance(s, item_id)
    assert (view.status, view.data["state"]) == ("completed", "da_xet")
    for bean in ("mailer.send(execution)", "orderService.total", "myBean", "amount > 1000"):
        model = EXPRESSIONS.replace("${true}", f"${{{bean}}}")
        with pytest.raises(engine.InvalidDefinition) as refused, transaction(people) as s:
            engine.deploy(s, [SourceFile("bieu_thuc.bpmn", model.encode())], clock, services=())
        assert refused.value.details["key"] == bean
