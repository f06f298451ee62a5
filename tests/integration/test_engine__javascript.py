"""Camunda 7 models with JavaScript, driven through the engine on SQLite and PostgreSQL: a script
task computing what a gateway's JavaScript conditions route on (with `camunda:resultVariable`),
a `create` task listener setting the assignee from a variable; scripts that loop for ever,
allocate without end or reach for Java stopped with a clear ScriptError and nothing written;
and the refusals at deploy (syntax errors with their line, Groovy, outside resources)."""

from __future__ import annotations

import time
from typing import Any

import pytest
from sqlalchemy import MetaData, select

import engine
from engine import ManualClock, transaction
from tests.conftest import add_people, fixture_files

CHEAP = [{"price": 120, "quantity": 3}]
DEAR = [{"price": 600, "quantity": 2}, {"price": 50, "quantity": 1}]


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("javascript/js_purchase.bpmn"), clock)
    return factory


def _start(factory: Any, config: engine.EngineConfig, process: str, **data: Any) -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, process, "an", data=data)


def _show(factory: Any, item: int) -> engine.InstanceView:
    with transaction(factory) as s:
        return engine.show_instance(s, item)


def _complete(factory: Any, config: engine.EngineConfig, task_id: str, who: str) -> None:
    with transaction(factory) as s:
        engine.complete_task(s, config, task_id, who, data={})


def test_javascript__a_large_purchase_goes_to_the_approver_a_listener_names(
    office: Any, config: engine.EngineConfig
) -> None:
    item = _start(office, config, "js_purchase", items=DEAR, approver="dung", scratch=1)
    view = _show(office, item)
    [approve] = view.open_tasks
    # The create listener set the assignee over the model's candidate group.
    assert (approve.element_id, approve.assignee) == ("approve", "dung")
    data = view.data
    assert (data["total"], data["level"]) == (1250, "high")
    assert data["summary"] == "total 1250 for js_purchase"  # camunda:resultVariable
    assert "scratch" not in data  # execution.removeVariable
    assert data["asked_of"] == "dung"  # a listener's variable is kept
    with transaction(office) as s:
        assert [t.id for t in engine.tasks_for(s, "dung")] == [approve.id]
    _complete(office, config, approve.id, "dung")
    assert _show(office, item).status == "completed"


def test_javascript__without_an_approver_the_group_keeps_the_task(
    office: Any, config: engine.EngineConfig
) -> None:
    item = _start(office, config, "js_purchase", items=DEAR)
    [approve] = _show(office, item).open_tasks
    assert approve.assignee is None and approve.candidate_groups == ["heads"]
    assert _show(office, item).data["asked_of"] is None


def test_javascript__a_small_purchase_is_filed_by_its_initiator(
    office: Any, config: engine.EngineConfig
) -> None:
    item = _start(office, config, "js_purchase", items=CHEAP, approver="dung")
    [file] = _show(office, item).open_tasks
    assert (file.element_id, file.assignee) == ("file", "an")
    assert _show(office, item).data["level"] == "low"
    _complete(office, config, file.id, "an")
    view = _show(office, item)
    assert view.status == "completed"
    assert "asked_of" not in view.data  # the approver's listener never ran


def _everything(factory: Any) -> dict[str, list[tuple[Any, ...]]]:
    with transaction(factory) as s:
        meta = MetaData()
        meta.reflect(bind=s.connection())
        return {
            name: sorted((tuple(row) for row in s.execute(select(table))), key=repr)
            for name, table in meta.tables.items()
        }


HOSTILE = [
    ("js_loop_forever", "ran longer than its limit of 1 s of CPU time"),
    ("js_allocate", "more memory than its limit of 32 MB"),
    ("js_java_type", "Java is not available"),
]


@pytest.mark.parametrize(("process", "words"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_javascript__a_hostile_script_is_stopped_and_nothing_is_written(
    factory: Any, clock: ManualClock, config: engine.EngineConfig, process: str, words: str
) -> None:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files(f"javascript/{process}.bpmn"), clock)
    item = _start(factory, config, process)
    [draft] = _show(factory, item).open_tasks
    before = _everything(factory)
    for _attempt in range(2):  # refused again when tried again: the item can be retried
        begin = time.process_time()
        with pytest.raises(engine.ScriptError) as refused:
            _complete(factory, config, draft.id, "an")
        assert time.process_time() - begin < 3.0
        error = refused.value
        assert words in error.reason, error.reason
        assert error.details["element_id"] == "act"
        assert "Traceback" not in error.message
        assert _everything(factory) == before
    view = _show(factory, item)
    assert [t.element_id for t in view.open_tasks] == ["draft"]
    assert "started" not in view.data  # what ran before Java.type is not kept either


REFUSED = [
    ("js_syntax_error", "act", 12, ("JavaScript syntax error",)),
    ("groovy_script", "act", 8, ("'groovy'", "JavaScript")),
    ("groovy_condition", "f_check", 20, ("'groovy'",)),
    ("js_delete_listener", "check", 16, ("listener on 'delete'",)),
    ("js_listener_syntax_error", "check", 18, ("JavaScript syntax error",)),
    ("js_resource", "act", 8, ("deployment://compute.js", "inline")),
    ("python_listener", "check", 17, ("listener's script runs only in JavaScript",)),
]


@pytest.mark.parametrize(("name", "element", "line", "words"), REFUSED, ids=[r[0] for r in REFUSED])
def test_javascript__refused_at_deploy_naming_file_element_and_line(
    factory: Any, clock: ManualClock, name: str, element: str, line: int, words: tuple[str, ...]
) -> None:
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, fixture_files(f"javascript/refused/{name}.bpmn"), clock)
    details = refused.value.details
    assert details["file"] == f"{name}.bpmn"
    assert (details["element_id"], details["line"]) == (element, line)
    for word in words:
        assert word in refused.value.message, refused.value.message


def test_javascript__a_connectors_parameters_written_in_javascript(
    factory: Any, clock: ManualClock
) -> None:
    calls: list[engine.ServiceCall] = []

    def mail(call: engine.ServiceCall) -> dict[str, Any]:
        calls.append(call)
        return {"mailed": True}

    config = engine.EngineConfig(clock=clock, services={"connector:mail-connector": mail})
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(
            s, fixture_files("javascript/js_connector.bpmn"), clock, services=config.services
        )
    item = _start(factory, config, "js_connector", number="DH-7", lines=[100, 250])
    assert _show(factory, item).status == "completed"
    [call] = calls
    assert call.params == {"subject": "Order DH-7 (2 lines)", "payload": {"total": 350}}


def test_javascript__a_tasks_input_and_output_parameters_written_in_javascript(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("javascript/js_io.bpmn"), clock)
    item = _start(factory, config, "js_io", supplier="Công ty Hoà Bình")
    view = _show(factory, item)
    assert view.data["greeting"] == "Dear Công ty Hoà Bình"  # set when the task opened
    with transaction(factory) as s:
        engine.complete_task(s, config, view.open_tasks[0].id, "an", data={"signature": "An"})
    view = _show(factory, item)
    assert view.status == "completed"
    assert view.data["signed"] == "Dear Công ty Hoà Bình, An"  # read when it completed


def test_javascript__task_and_execution_listeners_on_their_events(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("javascript/js_listeners.bpmn"), clock)
    item = _start(factory, config, "js_listeners", reviewer="binh")
    view = _show(factory, item)
    [review] = view.open_tasks
    assert review.assignee == "binh"  # the create listener
    assert view.data["log"] == ["process start"]
    _complete(factory, config, review.id, "binh")
    view = _show(factory, item)
    assert view.status == "completed"
    assert view.data["log"] == [
        "process start",
        "Review complete by binh",
        "Review end",
        "process end",
    ]


def test_javascript__reads_who_started_under_the_name_the_model_gives(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    """`camunda:initiator="starter"`: a script's execution.getVariable("starter") and the
    expression `${starter}` are who started the item, as in Camunda."""
    [source] = fixture_files("javascript/js_purchase.bpmn")
    xml = (
        source.content.decode()
        .replace('camunda:initiator="initiator"', 'camunda:initiator="starter"')
        .replace('camunda:assignee="${initiator}"', 'camunda:assignee="${starter}"')
        .replace(
            'execution.removeVariable("scratch");',
            'execution.removeVariable("scratch");\n'
            'execution.setVariable("asked_by", execution.getVariable("starter"));',
        )
    )
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("js_purchase.bpmn", xml.encode())], clock)
    item = _start(factory, config, "js_purchase", items=CHEAP)
    view = _show(factory, item)
    assert (view.data["starter"], view.data["asked_by"]) == ("an", "an")
    [filed] = view.open_tasks
    assert (filed.element_id, filed.assignee) == ("file", "an")
