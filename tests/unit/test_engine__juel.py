"""JUEL as Camunda 7 models write it: what each expression translates to, what it gives when the
sandbox runs it, what is refused at deploy (naming file, element, line and the expression), and
a multi-instance task over a `${collection}` driven in memory."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.clock import ManualClock
from engine.errors import InvalidDefinition, ScriptError
from engine.juel import JuelDateTime, JuelError, juel_helpers
from engine.juel_parser import JuelRefused, translate
from engine.parsing import SourceFile, parse_bundle
from engine.runtime import EngineConfig
from engine.sandbox import Sandbox, SandboxViolation
from tests.unit.test_engine__scenarios import DAY, SECOND, START, Driver, Seen, parse

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 1, 31, 1, 30, tzinfo=UTC)  # 08:30 in Hà Nội


# --- translations --------------------------------------------------------------------------------

TRANSLATIONS = [
    ("${x}", "x"),
    ("#{x}", "x"),
    ("${!x}", "(not juel_bool(x))"),
    ("${not x}", "(not juel_bool(x))"),
    ("${a && b}", "(juel_bool(a) and juel_bool(b))"),
    ("${a and b}", "(juel_bool(a) and juel_bool(b))"),
    ("${a || b}", "(juel_bool(a) or juel_bool(b))"),
    ("${a or b}", "(juel_bool(a) or juel_bool(b))"),
    ("${a == 'x'}", "juel_eq(a, 'x')"),
    ('${a eq "x"}', "juel_eq(a, 'x')"),
    ("${a != 1}", "(not juel_eq(a, 1))"),
    ("${a ne 1}", "(not juel_eq(a, 1))"),
    ("${a < 1}", "juel_compare(a, '<', 1)"),
    ("${a lt 1}", "juel_compare(a, '<', 1)"),
    ("${a gt 1}", "juel_compare(a, '>', 1)"),
    ("${a le 1}", "juel_compare(a, '<=', 1)"),
    ("${a >= 1}", "juel_compare(a, '>=', 1)"),
    ("${a ge 1.5}", "juel_compare(a, '>=', 1.5)"),
    ("${empty a}", "juel_empty(a)"),
    ("${not empty a}", "(not juel_bool(juel_empty(a)))"),
    ("${a ? 'y' : 'n'}", "('y' if juel_bool(a) else 'n')"),
    ("${a + b * c}", "juel_arith(a, '+', juel_arith(b, '*', c))"),
    ("${(a + b) * c}", "juel_arith((juel_arith(a, '+', b)), '*', c)"),
    ("${a div 2}", "juel_arith(a, '/', 2)"),
    ("${a mod 2}", "juel_arith(a, '%', 2)"),
    ("${-a}", "juel_neg(a)"),
    ("${a.b}", "juel_prop(a, 'b')"),
    ("${a['b'][0]}", "juel_prop(juel_prop(a, 'b'), 0)"),
    ("${null}", "None"),
    ("${true}", "True"),
    ("${false}", "False"),
    ("${1e3}", "1000.0"),
    (r"${'it\'s \"x\" \\ y'}", repr("it's \"x\" \\ y")),
    ("${execution.getVariable('amount')}", "juel_var('amount')"),
    ("${name.equals('An')}", "juel_call(name, 'equals', 'An')"),
    ("Order ${id}", "juel_concat('Order ', id)"),
    ("${a}-${b}", "juel_concat(a, '-', b)"),
    (r"\${a}", repr("${a}")),
    ("${dateTime().plusWeeks(1).toDate()}", "juel_datetime().plusWeeks(1).toDate()"),
    ("${dateTime().minusHours(2)}", "juel_datetime().minusHours(2)"),
    ("${\"') + __import__('os') + ('\"}", repr("') + __import__('os') + ('")),
    ("${now()}", "juel_now()"),
    ("${a gt 1 && !b || c}", "(juel_bool((juel_bool(juel_compare(a, '>', 1)) and "
     "juel_bool((not juel_bool(b))))) or juel_bool(c))"),
]  # fmt: skip


@pytest.mark.parametrize(("juel", "python"), TRANSLATIONS)
def test_juel__translation(juel: str, python: str) -> None:
    assert translate(juel) == python


# --- evaluations ---------------------------------------------------------------------------------


def _hanoi(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=HANOI)


DATA = {
    "approved": False,
    "amount": 5000,
    "text_amount": "5000",
    "name": "An",
    "blank": "",
    "nothing": None,
    "items": [1, 2, 3],
    "no_items": [],
    "order": {"lines": [{"sku": "A-1"}], "total": 7},
    "no_order": {},
    "flag": "true",
    "groups": [{"result": "sales"}, {"result": "accounting"}],
    "level": [{"level": "high"}],
    "text_json": '{"age": 21}',
}

EVALUATIONS = [
    ("${!approved && amount gt 1000}", True),
    ("${approved || amount lt 1000}", False),
    ("${amount == 5000.0}", True),
    ("${amount == '5000'}", True),  # a number and a text compare as numbers
    ("${text_amount gt 999}", True),
    ("${'10' lt '9'}", True),  # two texts compare as texts
    ("${name == 'An'}", True),
    ("${name ne 'Bình'}", True),
    ("${nothing == null}", True),
    ("${nothing != 0}", True),
    ("${nothing lt 1}", False),
    ("${flag == true}", True),
    ("${!flag}", False),
    ("${!blank}", True),
    ("${empty nothing}", True),
    ("${empty blank}", True),
    ("${empty no_items}", True),
    ("${empty no_order}", True),
    ("${empty items}", False),
    ("${empty name}", False),
    ("${not empty items ? items[0] : -1}", 1),
    ("${amount > 100 ? 'big' : 'small'}", "big"),
    ("${7 / 2}", 3.5),
    ("${8 div 2}", 4.0),
    ("${7 % 3}", 1),
    ("${-7 mod 3}", -1),  # the sign of the left side, as Java
    ("${7.5 % 2}", 1.5),
    ("${1 + 2 * 3}", 7),
    ("${'2' + 3}", 5),
    ("${'1.5' * 2}", 3.0),
    ("${-amount}", -5000),
    ("${null + null}", 0),
    ("${order.total + 1}", 8),
    ("${order.lines[0].sku}", "A-1"),
    ("${order['lines'][0]['sku']}", "A-1"),
    ("${order.missing}", None),  # a missing key is null, as JUEL's map resolver
    ("${order.missing.deeper}", None),
    ("${order.__class__}", None),
    ("${items[5]}", None),
    ("${items['1']}", 2),
    ("${execution.getVariable(\"amount\") ge 5000}", True),
    ("${execution.getVariable('absent') == null}", True),  # null, as Camunda answers
    ("${name.equals('An') && name.startsWith('A') && !name.contains('x')}", True),
    ("${name.equalsIgnoreCase('an') and name.toUpperCase() == 'AN'}", True),
    ("${items.size() == 3 && !items.isEmpty() && items.contains(2)}", True),
    ("${order.containsKey('total') ? order.get('total') : 0}", 7),
    ("${groups.collectEntries('result')}", ["sales", "accounting"]),
    ("${groups.collectOutputValues('result')}", ["sales", "accounting"]),
    ("${groups.getFirstResult().result}", "sales"),
    ("${level.getSingleEntry()}", "high"),
    ("${order.prop('lines').elements()[0].prop('sku').stringValue()}", "A-1"),
    ("${S(order).prop('total').numberValue() >= 7 && S(order).hasProp('lines')}", True),
    ("${S(text_json).prop('age').value()}", 21),
    ("${nothing.isNull() && !order.isNull()}", True),
    ("${S(no_order).toString()}", "{}"),
    ("${currentUser() == null}", True),  # no one acts: the worker fires a timer
    ("Order ${amount} for ${name}", "Order 5000 for An"),
    ("${approved}/${nothing}/${7 / 2}", "false//3.5"),
    ("${dateTime().plusWeeks(1).toDate()}", datetime(2026, 2, 7, 8, 30, tzinfo=HANOI)),
    ("${dateTime().plusMonths(1).toDate()}", datetime(2026, 2, 28, 8, 30, tzinfo=HANOI)),
    ("${dateTime().plusYears(1).minusDays(31).toDate()}", _hanoi(2026, 12, 31, 8, 30)),
    ("${dateTime().plusHours(16).toDate()}", datetime(2026, 2, 1, 0, 30, tzinfo=HANOI)),
    ("${dateTime().minusMinutes(30).plusSeconds('60').toDate()}", _hanoi(2026, 1, 31, 8, 1)),
    ("${dateTime().plusDays(amount div 1000).toDate()}", datetime(2026, 2, 5, 8, 30, tzinfo=HANOI)),
    ("${now()}", datetime(2026, 1, 31, 8, 30, tzinfo=HANOI)),
    ("${dateTime()}", "2026-01-31T08:30:00+07:00"),  # str() of it, as a due date reads it
]  # fmt: skip


@pytest.fixture
def sandbox() -> Sandbox:
    return Sandbox(juel_helpers(ManualClock(NOW), HANOI))


@pytest.mark.parametrize(("juel", "expected"), EVALUATIONS)
def test_juel__evaluation(sandbox: Sandbox, juel: str, expected: Any) -> None:
    value = sandbox.evaluate(translate(juel), DATA)
    if isinstance(value, JuelDateTime):
        value = str(value)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize(
    ("juel", "message"),
    [
        ("${name gt 1}", "cannot use text 'An' as a whole number"),
        ("${approved + 1}", "cannot use the boolean False as a number"),
        ("${amount / 0}", "division by zero"),
        ("${amount mod 0}", "division by zero"),
        ("${items + 1}", "cannot use list"),
        ("${name.first}", "cannot read 'first' of text 'An'"),
        ("${dateTime().plusYears(99999999).toDate()}", "too large an amount of time"),
        ("${dateTime().plusYears(9000).toDate()}", "outside the calendar"),
        ("${items ? 1 : 2}", "cannot use list [1, 2, 3] as true or false"),
        # A property is looked up as data, never as a Python attribute.
        ("${name.__class__}", "cannot read '__class__' of text"),
        ("${nothing.equals('x')}", "cannot call equals.. on null"),
        ("${amount.trim()}", "number 5000 has no trim"),
        ("${groups.getSingleResult()}", "2 results, not a single one"),
        ("${order.prop('missing')}", "has no property 'missing'"),
        ("${order.prop('total').stringValue()}", "number 7 is no string"),
        ("${S(name)}", "not JSON"),
    ],
)
def test_juel__run_time_errors_say_what_was_wrong(
    sandbox: Sandbox, juel: str, message: str
) -> None:
    with pytest.raises(JuelError, match=message.replace("[", r"\[").replace("]", r"\]")):
        sandbox.evaluate(translate(juel), DATA)


def test_juel__text_made_of_expressions_is_bounded(sandbox: Sandbox) -> None:
    big = {"big": "x" * 400_000}
    assert len(sandbox.evaluate(translate("${big}${big}"), big)) == 800_000
    with pytest.raises(SandboxViolation, match="more than 1,000,000 characters"):
        sandbox.evaluate(translate("${big}${big}${big}"), big)


def test_juel__a_date_time_cannot_be_changed_or_opened(sandbox: Sandbox) -> None:
    moment = sandbox.evaluate(translate("${dateTime()}"), {})
    with pytest.raises(AttributeError):
        moment.later = 1
    # The wrapped datetime is private: the sandbox refuses the name at compile time.
    with pytest.raises(Exception, match="_moment"):
        sandbox.evaluate("juel_datetime()._moment", {})


@pytest.mark.parametrize(
    "juel",
    [
        "${" + "!" * 40 + "x}",
        "${x" + " && x" * 40 + "}",
        "${" + "!(" * 20 + "x" + ")" * 20 + "}",
        "${" + "x ? " * 20 + "1" + " : 2" * 20 + "}",
    ],
)
def test_juel__the_deepest_expression_allowed_runs(sandbox: Sandbox, juel: str) -> None:
    assert sandbox.evaluate(translate(juel), {"x": True}) in (True, False, 1)


def test_juel__helpers_reach_every_script_engine() -> None:
    engine = EngineConfig(clock=ManualClock(NOW), timezone=HANOI).script_engine()
    value = engine.environment.evaluate(translate("${dateTime().plusDays(1).toDate()}"), {})
    assert value == datetime(2026, 2, 1, 8, 30, tzinfo=HANOI)


# --- refused at deploy ---------------------------------------------------------------------------

MODEL = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="x">
  <bpmn:process id="refused" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    <bpmn:userTask id="work" camunda:assignee="{assignee}" camunda:dueDate="{due}">
      <bpmn:multiInstanceLoopCharacteristics camunda:collection="{collection}"
          camunda:elementVariable="each" />
    </bpmn:userTask>
    <bpmn:boundaryEvent id="late" attachedToRef="work" cancelActivity="false">
      <bpmn:timerEventDefinition><bpmn:timeDuration>{timer}</bpmn:timeDuration>
      </bpmn:timerEventDefinition>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f_late" sourceRef="late" targetRef="end" />
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="gw" />
    <bpmn:exclusiveGateway id="gw" default="f_no" />
    <bpmn:sequenceFlow id="f_yes" sourceRef="gw" targetRef="end">
      <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression"
        >{condition}</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="f_no" sourceRef="gw" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""
FINE = {
    "assignee": "an",
    "due": "",
    "collection": "${people}",
    "timer": "P1D",
    "condition": "${ok}",
}
# lxml gives the line where a start tag ends.
LINES = {"assignee": 8, "due": 8, "collection": 10, "timer": 13, "condition": 21}
ELEMENTS = {"assignee": "work", "due": "work", "collection": "work", "timer": "late"}


def _model(**changes: str) -> list[SourceFile]:
    values = {k: v.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
              for k, v in {**FINE, **changes}.items()}  # fmt: skip
    text = MODEL
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return [SourceFile("refused.bpmn", text.encode())]


REFUSED = [
    ("condition", "${isApproved()}", "the function isApproved() is not supported"),
    ("condition", "${fn:contains(a, b)}", "the function fn:contains() is not supported"),
    ("condition", "${list.sort()}", "the method call .sort() is not supported"),
    ("assignee", "${people.findBoss(x)}", "a bean's method is a service task's expression"),
    ("condition", "${execution.setVariable('a', 1)}", "changes the item's data"),
    ("condition", "${execution.getVariables()}", "only execution.getVariable"),
    ("condition", "${execution.processInstanceId}", "only be read as execution.getVariable"),
    ("condition", "${execution.getVariable(name)}", "the variable's name as a quoted string"),
    ("condition", "${x -> x + 1}", "lambda expressions are not supported"),
    ("condition", "${a = 1}", "assignment is not supported"),
    ("condition", "${a += 'x'}", "+= is not supported"),
    ("condition", "${a; b}", "several expressions"),
    ("condition", "${{1, 2}}", "set and map literals"),
    ("condition", "${[1, 2]}", "list literals are not supported"),
    ("condition", "${a instanceof b}", "unexpected 'instanceof'"),
    ("condition", "${a &&}", "unexpected the end of the expression"),
    ("condition", "${(a}", "expected ')'"),
    ("condition", "${a", "not closed with '}'"),
    ("condition", "${'open}", "a string is not closed"),
    ("condition", "${'a\\tb'}", "unknown escape"),
    ("condition", "${a @ b}", "unexpected character '@'"),
    ("condition", "${}", "the expression is empty"),
    ("condition", "${a} #{b}", "may not mix"),
    ("condition", "${" + "!" * 41 + "a}", "41 operators, more than 40"),
    ("condition", "${" + "(" * 500 + "a" + ")" * 500 + "}", "500 operators, more than 40"),
    ("condition", "${a" + " && a" * 1000 + "}", "1000 operators, more than 40"),
    ("condition", "${class}", "the variable name 'class' cannot be used"),
    ("condition", "${_secret}", "the variable name '_secret' cannot be used"),
    ("condition", "${juel_eq}", "the variable name 'juel_eq' cannot be used"),
    ("condition", "${dateTime() gt 1}", "toDate()"),
    ("assignee", "#{task.getAssignee()}", "the method call .getAssignee() is not supported"),
    ("assignee", "${currentUser(1)}", "currentUser() takes 0 argument(s)"),
    ("due", "${dateTime().plusFortnights(1).toDate()}", "dateTime() has no method plusFortnights"),
    ("due", "${dateTime().plusDays().toDate()}", "plusDays() takes one number"),
    ("due", "${dateTime().toDate(1)}", "toDate() takes no arguments"),
    ("due", "${dateTime(1)}", "dateTime() takes no arguments"),
    ("due", "${dateTime().toDate().plusDays(1)}", "the method call .plusDays() is not supported"),
    ("timer", "${duration.toPlainString()}", "the method call .toPlainString() is not supported"),
    ("collection", "${people.subList(0, 2)}", "the method call .subList() is not supported"),
    (
        "condition",
        "${nrOfCompletedInstances / nrOfInstances >= 0.5}",
        "multi-instance variable nrOfCompletedInstances is known only in a multi-instance",
    ),
]


@pytest.mark.parametrize(("place", "juel", "message"), REFUSED)
def test_juel__refused_at_deploy_naming_file_element_line_and_expression(
    place: str, juel: str, message: str
) -> None:
    with pytest.raises(InvalidDefinition) as refused:
        parse_bundle(_model(**{place: juel}))
    error = refused.value
    assert error.details["file"] == "refused.bpmn"
    assert error.details["element_id"] == ELEMENTS.get(place, "f_yes")
    assert error.details["line"] == LINES[place]
    assert message in error.message
    assert repr(juel) in error.message or f"'{juel[:100]}" in error.message  # long: cut
    assert error.exit_code == 6


def test_juel__the_subset_deploys_and_becomes_python_once() -> None:
    [process] = parse_bundle(
        _model(
            assignee="#{initiator}",
            due="${dateTime().plusWeeks(1).toDate()}",
            timer="P${days}D",
            condition="${!approved && amount gt 1000}",
        )
    )
    meta = process.tasks["refused/work"]
    assert meta.assignee == "${initiator}"
    # The JUEL rides along as a comment, for the errors that quote the expression.
    assert meta.due_date == (
        "${juel_datetime().plusWeeks(1).toDate()  # ${dateTime().plusWeeks(1).toDate()}}"
    )
    timer = process.spec.task_specs["late"].event_definition.expression
    assert timer == "juel_concat('P', days, 'D')  # P${days}D"
    # The stored file is the model as written: only the parsed copy carries Python.
    assert "#{initiator}" in process.files["refused.bpmn"]


def test_juel__plain_text_in_a_camunda_model_is_left_to_python() -> None:
    """Models written for Spiff's own Camunda parser carry Python without ${…}: unchanged."""
    [process] = parse_bundle(_model(condition="ok and amount > 3", collection="people"))
    assert process.process_id == "refused"


def test_juel__the_error_is_an_invalid_definition_not_a_parser_exception() -> None:
    with pytest.raises(JuelRefused):
        translate("${a b}")
    with pytest.raises(InvalidDefinition, match="unexpected 'b'"):
        parse_bundle(_model(condition="${a b}"))


# --- a multi-instance task over ${reviewers}, in memory ------------------------------------------


@pytest.mark.parametrize("roundtrip", [False, True], ids=["live", "saved_after_every_step"])
def test_juel__a_collection_and_a_completion_condition(roundtrip: bool) -> None:
    driver = Driver(parse("camunda_juel", "juel_reviews.bpmn"), roundtrip=roundtrip)
    assert driver.start(reviewers=["binh", "dung", "an"], copies=None) == Seen(("opinion",))
    assert [t.data["reviewer"] for t in driver.ready("opinion")] == ["binh"]
    driver.complete("opinion", {"verdict": "ok"})
    assert [t.data["reviewer"] for t in driver.ready("opinion")] == ["dung"]
    # ${verdict eq 'veto'} ends the round before an is asked; ${empty copies ? 1 : copies}.
    assert driver.complete("opinion", {"verdict": "veto"}) == Seen(("copies",))
    assert driver.complete("copies") == Seen((), completed=True)


def test_juel__a_cardinality_from_text_is_a_number() -> None:
    driver = Driver(parse("camunda_juel", "juel_reviews.bpmn"), roundtrip=True)
    driver.start(reviewers=["binh"], copies="2")
    assert driver.complete("opinion", {"verdict": "ok"}) == Seen(("copies", "copies"))


def test_juel__a_collection_over_the_limit_is_refused_when_the_task_starts() -> None:
    driver = Driver(parse("camunda_juel", "juel_reviews.bpmn"), roundtrip=False)
    with pytest.raises(ScriptError, match="the collection 'reviewers' has 1,001 items"):
        driver.start(reviewers=[f"r{i}" for i in range(1001)])


WAITS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="x">
  <bpmn:process id="waits" isExecutable="true">
    <bpmn:startEvent id="start" />
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="until" />
    <bpmn:intermediateCatchEvent id="until">
      <bpmn:timerEventDefinition>
        <bpmn:timeDate>${dateTime().plusDays(days).toDate()}</bpmn:timeDate>
      </bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f2" sourceRef="until" targetRef="ready" />
    <bpmn:intermediateCatchEvent id="ready">
      <bpmn:conditionalEventDefinition id="ready_def">
        <bpmn:condition xsi:type="bpmn:tFormalExpression">${not empty documents}</bpmn:condition>
      </bpmn:conditionalEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="ready" targetRef="end" />
    <bpmn:endEvent id="end" />
  </bpmn:process>
</bpmn:definitions>
"""


@pytest.mark.parametrize("roundtrip", [False, True], ids=["live", "saved_after_every_step"])
def test_juel__a_time_date_and_a_conditional_event(roundtrip: bool) -> None:
    [process] = parse_bundle([SourceFile("waits.bpmn", WAITS.encode())])
    condition = process.spec.task_specs["ready"].event_definition.expression
    assert condition == (
        "juel_bool((not juel_bool(juel_empty(documents))))  # ${not empty documents}"
    )
    driver = Driver(process, roundtrip=roundtrip)
    assert driver.start(days="2", documents=["decision.pdf"]) == Seen(
        (), next_timer=START + 2 * DAY
    )
    assert driver.advance(2 * DAY - SECOND) == Seen((), next_timer=START + 2 * DAY)
    assert driver.advance(SECOND) == Seen((), completed=True)
