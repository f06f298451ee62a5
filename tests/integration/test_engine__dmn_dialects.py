"""Decision tables written the ways real models write them besides FEEL: DMN 1.1 files in the
namespace Camunda's own examples use (`dmn11.xsd`), JUEL literal expressions without a language
(Camunda 7 before 7.13), FEEL durations, and SpiffArena's Python tables (`expressionLanguage=
"python"`, outputs named by their label). Each model is our own, driven to its end through the
engine on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import EngineConfig, InvalidDefinition, ManualClock, SourceFile, transaction

CAMUNDA_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="t">
  <process id="{pid}" isExecutable="true">
    <startEvent id="s"><outgoing>f1</outgoing></startEvent>
    <businessRuleTask id="decide" camunda:decisionRef="{ref}" camunda:resultVariable="outcome"
        camunda:mapDecisionResult="singleEntry"><incoming>f1</incoming><outgoing>f2</outgoing>
    </businessRuleTask>
    <endEvent id="e"><incoming>f2</incoming></endEvent>
    <sequenceFlow id="f1" sourceRef="s" targetRef="decide"/>
    <sequenceFlow id="f2" sourceRef="decide" targetRef="e"/>
  </process>
</definitions>
"""

# DMN 1.1 as Camunda's examples write it; the literal expression has JUEL's ternary and `==`.
GRANT_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/DMN/20151101/dmn11.xsd" id="grants" name="Grants"
    namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="grant_level" name="Grant level">
    <variable name="level" typeRef="string"/>
    <literalExpression>
      <text>budget == "large" ? "province" : "department"</text>
    </literalExpression>
  </decision>
</definitions>
"""

# A report is late when it comes more than a quarter after the contract was signed.
DEADLINE_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="deadlines" name="Deadlines"
    namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="report_timing" name="Report timing">
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i1"><inputExpression id="ie1" typeRef="date"><text>received</text>
      </inputExpression></input>
      <output id="o1" name="timing" typeRef="string"/>
      <rule id="r1">
        <inputEntry id="e1"><text>&lt;= date(signed) + duration("P3M")</text></inputEntry>
        <outputEntry id="x1"><text>"on time"</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="e2"><text>-</text></inputEntry>
        <outputEntry id="x2"><text>"late"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""

SPIFF_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="d" targetNamespace="t">
  <bpmn:process id="fee_process" isExecutable="true">
    <bpmn:startEvent id="s"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:businessRuleTask id="fee_rule">
      <bpmn:extensionElements>
        <spiffworkflow:calledDecisionId>review_fee</spiffworkflow:calledDecisionId>
      </bpmn:extensionElements>
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
    </bpmn:businessRuleTask>
    <bpmn:serviceTask id="archive">
      <bpmn:extensionElements>
        <spiffworkflow:serviceTaskOperator id="archive/Store" resultVariable="stored"
            resultSchema="stored.json">
          <spiffworkflow:parameters>
            <spiffworkflow:parameter id="fee" type="int" value="review_fee_vnd"/>
          </spiffworkflow:parameters>
        </spiffworkflow:serviceTaskOperator>
      </bpmn:extensionElements>
      <bpmn:incoming>f2</bpmn:incoming><bpmn:outgoing>f3</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:endEvent id="e"><bpmn:incoming>f3</bpmn:incoming></bpmn:endEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="fee_rule"/>
    <bpmn:sequenceFlow id="f2" sourceRef="fee_rule" targetRef="archive"/>
    <bpmn:sequenceFlow id="f3" sourceRef="archive" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""

# SpiffArena's modeler: Python input expressions and entries, an output named by its label.
FEE_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="fees" name="DRD"
    namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="review_fee" name="Review fee">
    <decisionTable id="t">
      <input id="i1"><inputExpression id="ie1" typeRef="string" expressionLanguage="python">
        <text>field.lower()</text></inputExpression></input>
      <input id="i2"><inputExpression id="ie2" typeRef="integer" expressionLanguage="python">
        <text>len(members)</text></inputExpression></input>
      <output id="o1" label="review_fee_vnd" typeRef="long"/>
      <rule id="r1">
        <inputEntry id="a1" expressionLanguage="python"><text>'medicine'</text></inputEntry>
        <inputEntry id="b1" expressionLanguage="python"><text>&gt;= 5</text></inputEntry>
        <outputEntry id="c1" expressionLanguage="python"><text>3_000_000</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="a2" expressionLanguage="python"><text>? in ('medicine', 'it')</text>
        </inputEntry>
        <inputEntry id="b2"><text></text></inputEntry>
        <outputEntry id="c2" expressionLanguage="python"><text>1_000_000 * 2</text></outputEntry>
      </rule>
      <rule id="r3">
        <inputEntry id="a3" expressionLanguage="python"><text>not in ('medicine', 'it')</text>
        </inputEntry>
        <inputEntry id="b3"><text></text></inputEntry>
        <outputEntry id="c3"><text>500000</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


def _files(*named: tuple[str, str]) -> list[SourceFile]:
    return [SourceFile(name, text.encode()) for name, text in named]


def _run(factory: Any, config: EngineConfig, process_id: str, data: dict[str, Any]) -> Any:
    with transaction(factory) as s:
        engine.add_user(s, "an")
    with transaction(factory) as s:
        item = engine.start_instance(s, config, process_id, "an", data=data)
    with transaction(factory) as s:
        return engine.show_instance(s, item)


@pytest.mark.parametrize(("budget", "level"), [("large", "province"), ("small", "department")])
def test_a_dmn_1_1_literal_expression_in_juel_decides(
    factory: Any, config: EngineConfig, clock: ManualClock, budget: str, level: str
) -> None:
    files = _files(
        ("grant.bpmn", CAMUNDA_BPMN.format(pid="grant", ref="grant_level")),
        ("grants.dmn", GRANT_DMN),
    )
    with transaction(factory) as s:
        engine.deploy(s, files, clock)
    view = _run(factory, config, "grant", {"budget": budget})
    assert (view.status, view.data["outcome"]) == ("completed", level)


@pytest.mark.parametrize(
    ("signed", "received", "timing"),
    [
        ("2026-01-31", "2026-04-30", "on time"),  # three months after 31 January: 30 April
        ("2026-01-31", "2026-05-01", "late"),
    ],
)
def test_a_feel_duration_moves_a_date_by_months(
    factory: Any, config: EngineConfig, clock: ManualClock, signed: str, received: str, timing: str
) -> None:
    files = _files(
        ("report.bpmn", CAMUNDA_BPMN.format(pid="report", ref="report_timing")),
        ("deadlines.dmn", DEADLINE_DMN),
    )
    with transaction(factory) as s:
        engine.deploy(s, files, clock)
    view = _run(factory, config, "report", {"signed": signed, "received": received})
    assert (view.status, view.data["outcome"]) == ("completed", timing)


@pytest.mark.parametrize(
    ("field", "members", "fee"),
    [("Medicine", 6, 3_000_000), ("IT", 2, 2_000_000), ("Law", 9, 500_000)],
)
def test_a_spiff_arena_python_table_sets_its_labelled_output(
    factory: Any, clock: ManualClock, field: str, members: int, fee: int
) -> None:
    calls: list[Any] = []

    def store(call: engine.ServiceCall) -> dict[str, Any]:
        calls.append(dict(call.params))
        return {"archived": True}

    config = EngineConfig(clock=clock, services={"archive/Store": store})
    files = _files(("fee.bpmn", SPIFF_BPMN), ("fees.dmn", FEE_DMN))
    with transaction(factory) as s:
        engine.deploy(s, files, clock, services=config.services.keys())
    view = _run(factory, config, "fee_process", {"field": field, "members": ["x"] * members})
    assert view.status == "completed"
    assert (view.data["review_fee_vnd"], view.data["stored"]) == (fee, {"archived": True})
    assert calls == [{"fee": fee}]


def test_a_python_table_called_from_a_camunda_diagram_decides_alike(
    factory: Any, config: EngineConfig, clock: ManualClock
) -> None:
    files = _files(
        ("fee.bpmn", CAMUNDA_BPMN.format(pid="camunda_fee", ref="review_fee")),
        ("fees.dmn", FEE_DMN),
    )
    with transaction(factory) as s:
        engine.deploy(s, files, clock)
    view = _run(factory, config, "camunda_fee", {"field": "IT", "members": ["x"] * 7})
    assert (view.status, view.data["outcome"]) == ("completed", 2_000_000)


# A deployment of two DMN files: `grant_route` (FIRST) requires `grant_band`, defined in the
# other file, whose entries use FEEL's `between` and `in`.
ROUTE_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="routes" name="Routes"
    namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="grant_route" name="Grant route">
    <informationRequirement><requiredDecision href="#grant_band"/></informationRequirement>
    <decisionTable id="t" hitPolicy="FIRST">
      <input id="i1"><inputExpression id="ie1" typeRef="string"><text>band</text>
      </inputExpression></input>
      <output id="o1" name="route" typeRef="string"/>
      <rule id="r1">
        <inputEntry id="e1"><text>"large"</text></inputEntry>
        <outputEntry id="x1"><text>"director"</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="e2"><text>-</text></inputEntry>
        <outputEntry id="x2"><text>"head of unit"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""

BAND_DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="bands" name="Bands"
    namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="grant_band" name="Grant band">
    <decisionTable id="t">
      <input id="i1"><inputExpression id="ie1" typeRef="integer"><text>amount</text>
      </inputExpression></input>
      <input id="i2"><inputExpression id="ie2" typeRef="string"><text>field</text>
      </inputExpression></input>
      <output id="o1" name="band" typeRef="string"/>
      <rule id="r1">
        <inputEntry id="a1"><text>? between 0 and 99</text></inputEntry>
        <inputEntry id="b1"><text>-</text></inputEntry>
        <outputEntry id="x1"><text>"small"</text></outputEntry>
      </rule>
      <rule id="r2">
        <inputEntry id="a2"><text>cellInput in ([100..499], 500)</text></inputEntry>
        <inputEntry id="b2"><text>not(? in ["medicine", "energy"])</text></inputEntry>
        <outputEntry id="x2"><text>"medium"</text></outputEntry>
      </rule>
      <rule id="r3">
        <inputEntry id="a3"><text>&gt;= 100</text></inputEntry>
        <inputEntry id="b3"><text>? in ["medicine", "energy"]</text></inputEntry>
        <outputEntry id="x3"><text>"large"</text></outputEntry>
      </rule>
      <rule id="r4">
        <inputEntry id="a4"><text>&gt; 500</text></inputEntry>
        <inputEntry id="b4"><text>not(? in ["medicine", "energy"])</text></inputEntry>
        <outputEntry id="x4"><text>"large"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""


@pytest.mark.parametrize(
    ("amount", "field", "route"),
    [
        (50, "law", "head of unit"),
        (500, "law", "head of unit"),
        (200, "energy", "director"),
        (900, "law", "director"),
    ],
)
def test_a_decision_requires_one_of_another_dmn_file(
    factory: Any, config: EngineConfig, clock: ManualClock, amount: int, field: str, route: str
) -> None:
    files = _files(
        ("route.bpmn", CAMUNDA_BPMN.format(pid="route", ref="grant_route")),
        ("routes.dmn", ROUTE_DMN),
        ("bands.dmn", BAND_DMN),
    )
    with transaction(factory) as s:
        engine.deploy(s, files, clock)
    view = _run(factory, config, "route", {"amount": amount, "field": field})
    assert (view.status, view.data["outcome"]) == ("completed", route)


def test_a_decision_ref_expression_picks_the_decision_when_the_task_runs(
    factory: Any, config: EngineConfig, clock: ManualClock
) -> None:
    ref = "${kind == 'route' ? 'grant_route' : 'grant_band'}"
    files = _files(
        ("pick.bpmn", CAMUNDA_BPMN.format(pid="pick", ref=ref)),
        ("routes.dmn", ROUTE_DMN),
        ("bands.dmn", BAND_DMN),
    )
    with transaction(factory) as s:
        engine.deploy(s, files, clock)
    band = _run(factory, config, "pick", {"kind": "band", "amount": 900, "field": "law"})
    assert (band.status, band.data["outcome"]) == ("completed", "large")
    with transaction(factory) as s:
        item = engine.start_instance(
            s, config, "pick", "an", data={"kind": "route", "amount": 5, "field": "law"}
        )
    with transaction(factory) as s:
        route = engine.show_instance(s, item)
    assert (route.status, route.data["outcome"]) == ("completed", "head of unit")


def test_a_decision_ref_naming_no_deployed_decision_parks_the_item(
    factory: Any, config: EngineConfig, clock: ManualClock
) -> None:
    files = _files(
        ("pick.bpmn", CAMUNDA_BPMN.format(pid="pick", ref="${which}")),
        ("bands.dmn", BAND_DMN),
    )
    with transaction(factory) as s:
        engine.deploy(s, files, clock)
    view = _run(factory, config, "pick", {"which": "nowhere", "amount": 1, "field": "x"})
    assert view.status == "error"
    assert view.error is not None and "'nowhere'" in view.error


@pytest.mark.parametrize(
    ("extension", "words"),
    [
        ("", "names no decision"),
        (
            "<spiffworkflow:calledDecisionId>nowhere</spiffworkflow:calledDecisionId>",
            "calls decision 'nowhere', which none of the DMN files given defines",
        ),
    ],
)
def test_a_spiff_arena_rule_task_without_its_decision_is_refused_with_its_line(
    factory: Any, clock: ManualClock, extension: str, words: str
) -> None:
    diagram = SPIFF_BPMN.replace(
        "<spiffworkflow:calledDecisionId>review_fee</spiffworkflow:calledDecisionId>", extension
    )
    files = _files(("fee.bpmn", diagram), ("fees.dmn", FEE_DMN))
    with pytest.raises(InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, files, clock, services=["archive/Store"])
    assert words in refused.value.message
    assert (refused.value.details["element_id"], refused.value.details["line"]) == ("fee_rule", 6)
