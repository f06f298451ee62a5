"""A sequence flow's `take` listeners (JavaScript, a class, a bean method expression) and
JavaScript kept in files deployed beside the diagram (`camunda:resource`, `deployment://`),
run as Camunda 7 runs them (issue 12), on a model of our own in the Camunda Modeler dialect."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import InvalidDefinition, transaction
from engine.parsing import SourceFile
from tests.conftest import fixture_files

TAKE = "camunda_take"


@pytest.fixture
def calls() -> list[tuple[str, str, dict[str, Any]]]:
    return []


@pytest.fixture
def services(calls: list[tuple[str, str, dict[str, Any]]]) -> dict[str, Any]:
    def audit(call: engine.ServiceCall) -> None:
        calls.append((call.key, call.params["event"], dict(call.data)))

    def sent_back(call: engine.ServiceCall) -> dict[str, Any]:
        calls.append((call.key, call.params["event"], dict(call.data)))
        return {"status": "sent back"}

    return {"vn.gov.permits.AuditTrail": audit, "permitLog.sentBack(execution)": sent_back}


@pytest.fixture
def office(factory: Any, clock: Any, services: dict[str, Any]) -> Any:
    with transaction(factory) as s:
        engine.add_group(s, "heads", "Heads")
        engine.add_user(s, "an", display_name="An")
        engine.add_user(s, "dung", display_name="Dũng", groups=["heads"])
        engine.deploy(s, fixture_files(TAKE), clock, services=services.keys())
    return factory


def _review(factory: Any, config: Any, item: int, verdict: str) -> None:
    with transaction(factory) as s:
        (task,) = engine.open_tasks(s, item)
        assert task.element_id == "review"
        engine.complete_task(s, config, task.id, "dung", data={"verdict": verdict})


def test_camunda_take__flow_listeners_run_as_the_token_crosses(
    office: Any, clock: Any, services: dict[str, Any], calls: list[Any]
) -> None:
    config = engine.EngineConfig(clock=clock, services=services)
    with transaction(office) as s:
        item = engine.start_instance(s, config, "permit_review", "an")
        data = engine.show_instance(s, item).data
    # The first flow's JavaScript and class listeners ran before the task's start listener.
    assert (data["status"], data["seen"]) == ("submitted", 1)
    assert [(key, event, seen["status"]) for key, event, seen in calls] == [
        ("vn.gov.permits.AuditTrail", "take", "submitted")
    ]
    # The flow back has an expression listener written without an event: Camunda's `take`.
    _review(office, config, item, "redo")
    assert calls[-1][:2] == ("permitLog.sentBack(execution)", "take")
    with transaction(office) as s:
        data = engine.show_instance(s, item).data
    assert (data["status"], data["seen"]) == ("sent back", 2)
    # The default flow's listener is kept in scripts/granted.js; the script task's in stamp.js.
    _review(office, config, item, "grant")
    with transaction(office) as s:
        view = engine.show_instance(s, item)
    assert view.status == "completed"
    assert view.data["status"] == "granted"
    assert view.data["stamp_text"] == "GRANTED after 2 review(s)"
    assert len(calls) == 2  # no listener ran twice, none on a flow not taken


def test_camunda_take__a_script_file_not_deployed_is_refused_naming_it(
    factory: Any, clock: Any, services: dict[str, Any]
) -> None:
    files = [f for f in fixture_files(TAKE) if f.name != "stamp.js"]
    with pytest.raises(InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, files, clock, services=services.keys())
    assert refused.value.details["element_id"] == "stamp"
    assert refused.value.details["reason"] == "script_resource"
    assert "scripts/stamp.js" in str(refused.value)


def test_camunda_take__a_groovy_file_stays_refused(
    factory: Any, clock: Any, services: dict[str, Any]
) -> None:
    files = [
        SourceFile(
            f.name,
            f.content.replace(
                b'scriptFormat="javascript" camunda:resultVariable',
                b'scriptFormat="groovy" camunda:resultVariable',
            ),
        )
        for f in fixture_files(TAKE)
    ]
    with pytest.raises(InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, files, clock, services=services.keys())
    assert refused.value.details["reason"] == "script_language"
    assert refused.value.details["element_id"] == "stamp"
