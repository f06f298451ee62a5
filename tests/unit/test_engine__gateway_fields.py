"""The generic fields of a formless Camunda user task, read from the JUEL tokens of the
conditions after it: a map's property, a bean's method and a function are no field; a text
compared gives a choice, a number a number field, a bare or negated name a yes/no."""

from __future__ import annotations

from xml.sax.saxutils import escape

from lxml import etree

from engine.gateway_fields import gateway_fields

MODEL = """<process xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="p">
  <userTask id="t" />
  <exclusiveGateway id="g" />
  <sequenceFlow id="a" sourceRef="t" targetRef="g" />
  <sequenceFlow id="b" sourceRef="g" targetRef="e">
    <conditionExpression>${{{first}}}</conditionExpression>
  </sequenceFlow>
  <sequenceFlow id="c" sourceRef="g" targetRef="e">
    <conditionExpression>#{{{second}}}</conditionExpression>
  </sequenceFlow>
</process>"""


def _fields(first: str, second: str, declared: frozenset[str] = frozenset()) -> dict[str, object]:
    root = etree.fromstring(MODEL.format(first=escape(first), second=escape(second)))
    task = root.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask")
    found = gateway_fields(task, set(declared))
    return {f["id"]: (f["type"], [o["id"] for o in f["options"]]) for f in found}


def test_gateway_fields__typed_from_how_the_conditions_use_them() -> None:
    assert _fields("!duyet && so_lan gt -1", "ket_luan eq 'dat' or 'khong_dat' == ket_luan") == {
        "duyet": ("boolean", []),
        "so_lan": ("long", []),
        "ket_luan": ("enum", ["dat", "khong_dat"]),
    }


def test_gateway_fields__maps_beans_functions_and_declared_fields_are_not_asked() -> None:
    found = _fields(
        "order.amount > 5 && approver.isLeader() && ok",
        "dateTime() != null",
        frozenset({"ok"}),
    )
    assert found == {}


def test_gateway_fields__a_sub_process_reached_is_walked_from_its_start() -> None:
    """A triage whose default path enters a sub-process: its first gateway reads what the
    triage was to set (a public Camunda 7 model could not be driven past it)."""
    model = """<process xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="p">
      <userTask id="t" />
      <sequenceFlow id="a" sourceRef="t" targetRef="sub" />
      <subProcess id="sub">
        <startEvent id="in" />
        <sequenceFlow id="b" sourceRef="in" targetRef="g" />
        <inclusiveGateway id="g" />
        <sequenceFlow id="c" sourceRef="g" targetRef="x">
          <conditionExpression>${requiresExternalEvidence == true}</conditionExpression>
        </sequenceFlow>
        <sequenceFlow id="d" sourceRef="g" targetRef="x">
          <conditionExpression>${severity == 'high'}</conditionExpression>
        </sequenceFlow>
        <userTask id="x" />
      </subProcess>
      <subProcess id="later" triggeredByEvent="true"><startEvent id="s2" /></subProcess>
    </process>"""
    root = etree.fromstring(model)
    task = root.find("{http://www.omg.org/spec/BPMN/20100524/MODEL}userTask")
    found = {
        f["id"]: (f["type"], [o["id"] for o in f["options"]]) for f in gateway_fields(task, set())
    }
    assert found == {"requiresExternalEvidence": ("boolean", []), "severity": ("enum", ["high"])}
