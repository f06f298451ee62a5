"""DMN as Camunda 7 runs it (issue 12 point 4), driven through the engine on SQLite and
PostgreSQL.

Our own models under tests/fixtures/camunda_dmn: an invoice approval whose business rule task
calls `approverGroups`, a COLLECT table that requires `invoiceClassification` in the same file
(a decision requirements graph); its `collectEntries` list becomes the candidate groups of a
multi-instance approval, one task per group, and the item runs to its end. A risk check whose
UNIQUE table has overlapping rules parks the item with a clear error, and a retry after the data
is fixed goes on. A decision that is not there, or FEEL outside the subset, is refused at deploy
naming file, element and line.
"""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import EngineConfig, InvalidDefinition, ManualClock, SourceFile, transaction
from engine.instances import InstanceModel
from tests.conftest import FIXTURES, add_people, fixture_files
from tests.integration.test_engine__services import events

DMN = FIXTURES / "camunda_dmn"


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("camunda_dmn"), clock)
    return factory


def _start(factory: Any, config: EngineConfig, process_id: str, **data: Any) -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, process_id, "an", data=data)


def _inbox(factory: Any, who: str) -> list[engine.TaskView]:
    with transaction(factory) as s:
        return engine.tasks_for(s, who)


def _complete(factory: Any, config: EngineConfig, task_id: str, who: str, **data: Any) -> None:
    with transaction(factory) as s:
        engine.complete_task(s, config, task_id, who, data=data)


def _item(factory: Any, item_id: int) -> tuple[str, dict[str, Any], str | None]:
    with transaction(factory) as s:
        row = s.get(InstanceModel, item_id)
        assert row is not None
        return row.status, dict(row.data), row.error


@pytest.mark.parametrize(
    ("amount", "category", "groups", "classification"),
    [
        (120, "Travel", ["staff"], "routine"),
        (600, "Office supplies", ["heads"], "planned"),
        (600, "Catering", ["heads", "admin"], "special"),
        (2500.5, "Travel", ["heads", "admin"], "special"),
    ],
)
def test_invoice__the_collected_groups_approve_and_the_item_ends(
    office: Any,
    config: EngineConfig,
    amount: float,
    category: str,
    groups: list[str],
    classification: str,
) -> None:
    item = _start(office, config, "invoice_approval", amount=amount, invoiceCategory=category)
    status, data, _ = _item(office, item)
    assert status == "running" and data["approverGroups"] == groups
    members = {"staff": "chi", "heads": "binh", "admin": "root"}
    for group in groups:
        [task] = [t for t in _inbox(office, members[group]) if t.element_id == "approve"]
        assert task.candidate_groups == [group]
        _complete(office, config, task.id, members[group], approved=True)
    [pay] = [t for t in _inbox(office, "chi") if t.element_id == "pay"]
    _complete(office, config, pay.id, "chi")
    assert _item(office, item)[0] == "completed"

    [event] = events(office, item, "decision_evaluated")
    assert event.element_id == "decide_approvers"
    details = event.details
    assert details["decision"] == "approverGroups" and details["value"] == groups
    assert details["variable"] == "approverGroups" and details["mapping"] == "collectEntries"
    first, second = details["decisions"]
    assert first["decision"] == "invoiceClassification"
    assert first["result"] == [{"invoiceClassification": classification}]
    assert second["decision"] == "approverGroups" and len(second["matched"]) == len(groups)


def test_unique_conflict__parks_the_item_and_a_retry_with_fixed_data_goes_on(
    office: Any, config: EngineConfig
) -> None:
    item = _start(office, config, "risk_check", score=45)
    status, _, error = _item(office, item)
    assert status == "error"
    assert error is not None
    assert "riskLevel" in error and "UNIQUE" in error
    assert "rule_low" in error and "rule_high" in error
    [parked] = events(office, item, "error")
    assert parked.element_id == "rate_risk"
    assert events(office, item, "decision_evaluated") == []

    with transaction(office) as s:
        assert engine.retry_instance(s, config, item, None) == "error"  # same data, same error
    with transaction(office) as s:
        assert engine.retry_instance(s, config, item, None, data={"score": 80}) == "running"
    status, data, error = _item(office, item)
    assert (status, data["risk"], error) == ("running", "high", None)
    [review] = _inbox(office, "binh")
    _complete(office, config, review.id, "binh")
    assert _item(office, item)[0] == "completed"
    [event] = events(office, item, "decision_evaluated")
    assert event.details["decisions"][0]["matched"] == ["rule_high"]


def test_a_low_score_takes_the_default_flow(office: Any, config: EngineConfig) -> None:
    item = _start(office, config, "risk_check", score=10)
    status, data, _ = _item(office, item)
    assert (status, data["risk"]) == ("completed", "low")


def _files(**replace: tuple[str, str]) -> list[SourceFile]:
    files = []
    for path in sorted(DMN.iterdir()):
        text = path.read_text(encoding="utf-8")
        if path.name in replace:
            old, new = replace[path.name]
            assert old in text
            text = text.replace(old, new)
        files.append(SourceFile(path.name, text.encode()))
    return files


def _line_of(files: list[SourceFile], name: str, needle: str) -> int:
    text = next(f for f in files if f.name == name).content.decode()
    return text[: text.index(needle)].count("\n") + 1


@pytest.mark.parametrize(
    ("file_name", "old", "new", "element", "words"),
    [
        (
            "invoice_approval.bpmn",
            'camunda:decisionRef="approverGroups"',
            'camunda:decisionRef="approvers"',
            "decide_approvers",
            ("decision 'approvers'", "none of the DMN files"),
        ),
        (
            "invoice_decisions.dmn",
            '"rule_planned_amount"><text>[250..1000]</text>',
            '"rule_planned_amount"><text>[250..1000] or x</text>',
            "rule_planned_amount",
            ("[250..1000] or x", "unexpected text"),
        ),
        (
            "invoice_decisions.dmn",
            '<text>"staff"</text>',
            "<text>sublist(x, y)</text>",
            "rule_staff_out",
            ("sublist", "not part of the FEEL subset"),
        ),
        (
            "invoice_decisions.dmn",
            'hitPolicy="COLLECT"',
            'hitPolicy="SOMETIMES"',
            "approvers_table",
            ("unknown hit policy 'SOMETIMES'",),
        ),
        (
            "invoice_decisions.dmn",
            'href="#invoiceClassification"',
            'href="#invoiceKind"',
            "approverGroups",
            ("requires decision 'invoiceKind'",),
        ),
        (
            "risk_check.bpmn",
            'camunda:mapDecisionResult="singleEntry"',
            'camunda:mapDecisionResult="firstEntry"',
            "rate_risk",
            ("firstEntry",),
        ),
        (
            "risk_check.bpmn",
            'camunda:decisionRef="riskLevel"',
            "",
            "rate_risk",
            ("names no decision (camunda:decisionRef)",),
        ),
    ],
)
def test_refused_at_deploy_with_file_element_and_line(
    factory: Any,
    clock: ManualClock,
    file_name: str,
    old: str,
    new: str,
    element: str,
    words: tuple[str, ...],
) -> None:
    files = _files(**{file_name: (old, new)})
    with pytest.raises(InvalidDefinition) as caught, transaction(factory) as s:
        engine.deploy(s, files, clock)
    error = caught.value
    assert error.details.get("file") == file_name, error.details
    assert error.details.get("element_id") == element, error.details
    assert error.details.get("line") == _line_of(files, file_name, new.split("\n")[0]) or (
        error.details.get("line") == _line_of(files, file_name, f'id="{element}"')
    ), error.details
    for word in words:
        assert word in error.message


UNMAPPED = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d_unmapped" targetNamespace="x">
  <bpmn:process id="unmapped" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="decide" />
    <bpmn:businessRuleTask id="decide" camunda:decisionRef="approverGroups"
        camunda:mapDecisionResult="singleEntry" />
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="next" />
    <bpmn:userTask id="next" camunda:assignee="an" />
    <bpmn:sequenceFlow id="f3" sourceRef="next" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_without_a_result_variable_the_result_is_mapped_nowhere(
    factory: Any, clock: ManualClock, config: EngineConfig
) -> None:
    """Camunda maps a decision's result only into `camunda:resultVariable`: without one, a
    mapping that would not fit it (singleEntry of two groups) stops nothing, and no variable
    is made."""
    add_people(factory)
    with transaction(factory) as s:
        dmn = SourceFile("invoice_decisions.dmn", (DMN / "invoice_decisions.dmn").read_bytes())
        engine.deploy(s, [dmn, SourceFile("unmapped.bpmn", UNMAPPED.encode())], clock)
    item = _start(factory, config, "unmapped", amount=600, invoiceCategory="Catering")
    status, data, error = _item(factory, item)
    assert (status, error) == ("running", None)
    assert "approverGroups" not in data and "result" not in data
    assert [t.element_id for t in _inbox(factory, "an")] == ["next"]
