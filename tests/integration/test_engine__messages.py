"""Messages, signals and event-based gateways, on SQLite and PostgreSQL: a message starts an
item and a second one, correlated by key, moves it on; a message boundary event interrupts its
task; a signal reaches every waiting item and starts an item of the process that starts on it;
behind an event-based gateway the timer wins (the worker fires it) or the message wins, and the
other event is cancelled; `stuck` and `waiting_items` say what each item waits for."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

import engine
from engine import Conflict, InvalidInput, ManualClock, NotFound, transaction
from engine.instances import InstanceModel
from tests.conftest import FIXTURES, START, add_people, fixture_files


@pytest.fixture
def events(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("messages"), clock)
    return factory


def _waits(s: Any) -> dict[int, list[tuple[str, str, str | None, bool]]]:
    found: dict[int, list[tuple[str, str, str | None, bool]]] = {}
    for w in engine.waiting_items(s):
        found.setdefault(w.instance_id, []).append((w.kind, w.name, w.correlation_key, w.gateway))
    return found


def _steps(s: Any, item: int) -> list[str]:
    return [t.element_id for t in engine.show_instance(s, item).open_tasks]


def test_engine__a_message_starts_an_item_and_a_keyed_message_moves_it_on(
    events: Any, config: engine.EngineConfig
) -> None:
    with transaction(events) as s:
        first = engine.correlate_message(s, config, "ho_so_nop", "an", key="HS-1", data={"x": 1})
        second = engine.correlate_message(s, config, "ho_so_nop", "an", key="HS-2")
    (one,), (two,) = first.started, second.started
    assert first.received == ()
    with transaction(events) as s:
        assert _waits(s) == {
            one: [("message", "da_nop_phi", "HS-1", False)],
            two: [("message", "da_nop_phi", "HS-2", False)],
        }
        with pytest.raises(Conflict) as ambiguous:
            engine.correlate_message(s, config, "da_nop_phi", None)
        assert ambiguous.value.details["reason"] == "message_ambiguous"
        with pytest.raises(NotFound) as unmatched:
            engine.correlate_message(s, config, "da_nop_phi", None, key="HS-9")
        assert unmatched.value.details["reason"] == "message_unmatched"
    with transaction(events) as s:
        paid = engine.correlate_message(s, config, "da_nop_phi", "an", key="HS-2", data={"fee": 5})
    assert paid.received == (two,)
    with transaction(events) as s:
        view = engine.show_instance(s, two)
        assert _steps(s, two) == ["check"]
        assert (view.data["business_key"], view.data["fee"]) == ("HS-2", 5)
        assert not [name for name in view.data if name.endswith("_Response")], view.data
        assert [h.kind for h in view.history] == [
            "started",
            "message_received",
            "message_received",
        ]
        assert engine.show_instance(s, one).data["x"] == 1
        assert _waits(s) == {one: [("message", "da_nop_phi", "HS-1", False)]}
        # Only one item waits now: no key needed.
        assert engine.correlate_message(s, config, "da_nop_phi", None).received == (one,)
        assert _waits(s) == {}


@pytest.mark.parametrize(
    ("name", "data", "error", "reason"),
    [
        ("", None, InvalidInput, "message_name"),
        ("x" * 256, None, InvalidInput, "message_name"),
        ("khong_ai_cho", None, NotFound, "message_unmatched"),
    ],
)
def test_engine__a_message_nothing_takes_is_refused(
    events: Any, config: engine.EngineConfig, name: str, data: Any, error: type, reason: str
) -> None:
    with transaction(events) as s, pytest.raises(error) as refused:
        engine.correlate_message(s, config, name, "an", data=data)
    assert refused.value.details["reason"] == reason


def test_engine__a_message_that_starts_an_item_needs_a_sender(
    events: Any, config: engine.EngineConfig
) -> None:
    with transaction(events) as s, pytest.raises(InvalidInput) as refused:
        engine.correlate_message(s, config, "ho_so_nop", None)
    assert refused.value.details["reason"] == "message_needs_sender"


def test_engine__a_message_boundary_event_interrupts_its_task(
    events: Any, config: engine.EngineConfig
) -> None:
    with transaction(events) as s:
        item = engine.start_instance(s, config, "msg_boundary", "an")
        assert _steps(s, item) == ["review"]
        # Someone holds its step: the listings show it there, not as stopped at an event.
        assert _waits(s) == {}
    with transaction(events) as s:
        assert engine.correlate_message(s, config, "rut_ho_so", "an").received == (item,)
    with transaction(events) as s:
        view = engine.show_instance(s, item)
        assert (view.status, view.open_tasks) == ("completed", [])
        assert _waits(s) == {}


def test_engine__a_signal_reaches_every_waiting_item_and_starts_its_process(
    events: Any, config: engine.EngineConfig
) -> None:
    with transaction(events) as s:
        items = [engine.start_instance(s, config, "sig_wait", "an") for _ in range(2)]
        other = engine.start_instance(s, config, "msg_boundary", "an")
    with transaction(events) as s:
        sent = engine.broadcast_signal(s, config, "quy_dinh_moi", "binh", data={"so": "12/QĐ"})
    assert sent.received == tuple(items)
    (started,) = sent.started
    with transaction(events) as s:
        assert [engine.show_instance(s, i).status for i in items] == ["completed"] * 2
        assert engine.show_instance(s, items[0]).data["so"] == "12/QĐ"
        assert engine.show_instance(s, started).process_id == "sig_start"
        assert _steps(s, started) == ["spread"]
        assert _steps(s, other) == ["review"]  # its message boundary heard nothing
        # A signal nobody waits for is not an error: it goes unheard.
        assert engine.broadcast_signal(s, config, "khong_ai_nghe", None).received == ()


def test_engine__behind_an_event_based_gateway_the_timer_wins(
    events: Any, config: engine.EngineConfig
) -> None:
    with transaction(events) as s:
        item = engine.start_instance(s, config, "evt_gateway", "an")
        row = s.get(InstanceModel, item)
        assert row.next_timer_at == START + timedelta(days=5)
        assert _waits(s) == {item: [("message", "tra_loi", None, True)]}
        (stuck,) = [r for r in engine.stuck(s, START) if r.instance_id == item]
        assert (stuck.element_id, stuck.holder) == ("gw", "message 'tra_loi' or a timer")
        assert stuck.due_at == START + timedelta(days=5)
    later = engine.EngineConfig(clock=ManualClock(START + timedelta(days=5, seconds=1)))
    assert engine.run_due_timers(events, later) == 1
    with transaction(events) as s:
        assert _steps(s, item) == ["remind"]
        assert _waits(s) == {}
        assert s.get(InstanceModel, item).next_timer_at is None
        kinds = [(h.kind, h.element_id) for h in engine.show_instance(s, item).history]
        assert kinds == [("started", None), ("timer_fired", "gw")]
        with pytest.raises(NotFound):
            engine.correlate_message(s, config, "tra_loi", None)


def test_engine__behind_an_event_based_gateway_the_message_wins(
    events: Any, config: engine.EngineConfig
) -> None:
    with transaction(events) as s:
        item = engine.start_instance(s, config, "evt_gateway", "an", data={"business_key": "CV-7"})
        assert _waits(s) == {item: [("message", "tra_loi", "CV-7", True)]}
    with transaction(events) as s:
        got = engine.correlate_message(s, config, "tra_loi", None, key="CV-7", data={"ok": True})
        assert got.received == (item,)
    with transaction(events) as s:
        assert _steps(s, item) == ["read_answer"]
        assert s.get(InstanceModel, item).next_timer_at is None  # the timer is cancelled
        assert engine.show_instance(s, item).data["ok"] is True
    later = engine.EngineConfig(clock=ManualClock(START + timedelta(days=6)))
    assert engine.run_due_timers(events, later) == 0
    with transaction(events) as s:
        assert _steps(s, item) == ["read_answer"]


def test_engine__a_cancelled_item_waits_for_nothing(
    events: Any, config: engine.EngineConfig
) -> None:
    with transaction(events) as s:
        item = engine.start_instance(s, config, "sig_wait", "an")
    with transaction(events) as s:
        engine.cancel_instance(s, config, item, "root", "thử")
    with transaction(events) as s:
        assert _waits(s) == {}
        assert [r for r in engine.stuck(s, START) if r.instance_id == item] == []
        assert engine.broadcast_signal(s, config, "quy_dinh_moi", "binh").received == ()


def test_engine__a_spiffarena_message_variable_receives_the_data(
    events: Any, config: engine.EngineConfig
) -> None:
    with transaction(events) as s:
        item = engine.start_instance(s, config, "spiff_reply", "an")
        assert engine.correlate_message(s, config, "phan_hoi", None, data={"ok": 1}).received == (
            item,
        )
        view = engine.show_instance(s, item)
        assert view.status == "completed"
        assert (view.data["ok"], view.data["reply"]) == (1, {"ok": 1})


def test_engine__a_camunda_receive_task_waits_for_its_message(
    events: Any, config: engine.EngineConfig
) -> None:
    with transaction(events) as s:
        item = engine.start_instance(s, config, "receive_task", "an", data={"business_key": "TD-1"})
        assert _waits(s) == {item: [("message", "ket_qua_tham_dinh", "TD-1", False)]}
    with transaction(events) as s:
        got = engine.correlate_message(
            s, config, "ket_qua_tham_dinh", None, key="TD-1", data={"dat": True}
        )
        assert got.received == (item,)
        view = engine.show_instance(s, item)
        assert (view.status, view.data["dat"]) == ("completed", True)
    # The message's data are the item's variables, as in Camunda: no `<element>_Response`
    # variable holding them all again.
    assert not [name for name in view.data if name.endswith("_Response")], view.data


def test_engine__a_message_starts_its_own_path_beside_a_plain_start(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    """A process a person starts by hand and a message starts too: the message's item takes
    the message's path only (SpiffWorkflow ran the plain start beside it, which cancelled the
    message's), and a hand start the plain one."""
    add_people(factory)
    model = (
        (FIXTURES / "timer_start" / "weekly_report.bpmn")
        .read_text(encoding="utf-8")
        .replace(
            '<bpmn:timerEventDefinition id="every_monday_def">\n'
            "        <bpmn:timeCycle>0 0 8 ? * MON</bpmn:timeCycle>\n"
            "      </bpmn:timerEventDefinition>",
            '<bpmn:messageEventDefinition messageRef="asked" />',
        )
        .replace(
            "</bpmn:process>", '</bpmn:process><bpmn:message id="asked" name="report_asked" />'
        )
    )
    with transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("weekly_report.bpmn", model.encode())], clock)
    with transaction(factory) as s:
        sent = engine.correlate_message(s, config, "report_asked", "binh")
        by_hand = engine.start_instance(s, config, "weekly_report", "binh")
    with transaction(factory) as s:
        assert _steps(s, sent.started[0]) == ["write_report"]
        assert _steps(s, by_hand) == ["extra_report"]


def test_engine__a_start_form_s_business_key_field_keys_the_item(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    """`<camunda:formData businessKey="applicationId">`: the item started with that field is
    keyed by its value, so a message sent with that key reaches it."""
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions'
        ' xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"'
        ' xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">'
        '<bpmn:message id="m_paid" name="fee_paid" />'
        '<bpmn:process id="apply" isExecutable="true"><bpmn:startEvent id="s">'
        '<bpmn:extensionElements><camunda:formData businessKey="applicationId">'
        '<camunda:formField id="applicationId" label="Số hồ sơ" type="string" />'
        "</camunda:formData></bpmn:extensionElements></bpmn:startEvent>"
        '<bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait" />'
        '<bpmn:receiveTask id="wait" messageRef="m_paid" />'
        '<bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="check" />'
        '<bpmn:userTask id="check" camunda:assignee="an" />'
        '<bpmn:sequenceFlow id="f3" sourceRef="check" targetRef="e" /><bpmn:endEvent id="e" />'
        "</bpmn:process></bpmn:definitions>"
    )
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("apply.bpmn", xml.encode())], clock)
        first = engine.start_instance(s, config, "apply", "an", data={"applicationId": "HS-7"})
        engine.start_instance(s, config, "apply", "an", data={"applicationId": "HS-8"})
    with transaction(factory) as s:
        assert engine.correlate_message(s, config, "fee_paid", "an", key="HS-7").received == (
            first,
        )
        assert _steps(s, first) == ["check"]
        assert engine.show_instance(s, first).data["business_key"] == "HS-7"


TWO_CATCHERS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <bpmn:message id="m1" name="tin" />
  <bpmn:process id="pm" isExecutable="true">
    <bpmn:startEvent id="s" />
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="split" />
    <bpmn:parallelGateway id="split" />
    <bpmn:sequenceFlow id="f2" sourceRef="split" targetRef="waitA" />
    <bpmn:sequenceFlow id="f3" sourceRef="split" targetRef="waitB" />
    <bpmn:intermediateCatchEvent id="waitA">
      <bpmn:messageEventDefinition messageRef="m1" />
    </bpmn:intermediateCatchEvent>
    <bpmn:intermediateCatchEvent id="waitB">
      <bpmn:messageEventDefinition messageRef="m1" />
    </bpmn:intermediateCatchEvent>
    <bpmn:sequenceFlow id="f4" sourceRef="waitA" targetRef="join" />
    <bpmn:sequenceFlow id="f5" sourceRef="waitB" targetRef="join" />
    <bpmn:parallelGateway id="join" />
    <bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="look" />
    <bpmn:userTask id="look" camunda:assignee="an" />
    <bpmn:sequenceFlow id="f7" sourceRef="look" targetRef="e" />
    <bpmn:endEvent id="e" />
  </bpmn:process>
</bpmn:definitions>"""


def test_engine__a_message_two_tasks_catch_sets_only_its_variables(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    """Each catcher keeps its own copy of the event: the second no longer found the first's
    `<element>_Response` name in the shared payload and wrote its data under it."""
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("pm.bpmn", TWO_CATCHERS.encode())], clock)
        item = engine.start_instance(s, config, "pm", "an")
    with transaction(factory) as s:
        assert engine.correlate_message(s, config, "tin", "an", data={"x": 1}).received == (item,)
    with transaction(factory) as s:
        view = engine.show_instance(s, item)
    assert [t.element_id for t in view.open_tasks] == ["look"] and view.data["x"] == 1
    assert not [name for name in view.data if name.endswith("_Response")], view.data


NON_INTERRUPTING = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
  <message id="m" name="ping" />
  <signal id="sg" name="alert" />
  <process id="nghe" isExecutable="true">
    <startEvent id="s" />
    <sequenceFlow id="f1" sourceRef="s" targetRef="work" />
    <userTask id="work" camunda:assignee="an" />
    <boundaryEvent id="on_ping" attachedToRef="work" cancelActivity="false">
      <messageEventDefinition messageRef="m" />
    </boundaryEvent>
    <boundaryEvent id="on_alert" attachedToRef="work" cancelActivity="false">
      <signalEventDefinition signalRef="sg" />
    </boundaryEvent>
    <sequenceFlow id="f2" sourceRef="work" targetRef="e" />
    <endEvent id="e" />
    <sequenceFlow id="f3" sourceRef="on_ping" targetRef="answer" />
    <userTask id="answer" camunda:assignee="binh" />
    <sequenceFlow id="f4" sourceRef="answer" targetRef="e2" />
    <endEvent id="e2" />
    <sequenceFlow id="f5" sourceRef="on_alert" targetRef="look" />
    <userTask id="look" camunda:assignee="binh" />
    <sequenceFlow id="f6" sourceRef="look" targetRef="e3" />
    <endEvent id="e3" />
  </process>
</definitions>"""


def test_engine__a_non_interrupting_boundary_event_listens_while_its_step_waits(
    factory: Any, clock: ManualClock, config: engine.EngineConfig
) -> None:
    """Each message or signal opens its own branch while the step waits, as in Camunda (the
    second found nothing waiting); the step done, nothing listens any more."""
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, [engine.SourceFile("nghe.bpmn", NON_INTERRUPTING.encode())], clock)
        item = engine.start_instance(s, config, "nghe", "an")
    for _twice in range(2):
        with transaction(factory) as s:
            assert engine.correlate_message(s, config, "ping", "an").received == (item,)
            assert engine.broadcast_signal(s, config, "alert", "an").received == (item,)
    with transaction(factory) as s:
        assert sorted(_steps(s, item)) == ["answer", "answer", "look", "look", "work"]
        [work] = [t for t in engine.open_tasks(s, item) if t.element_id == "work"]
        engine.complete_task(s, config, work.id, "an")
    with pytest.raises(NotFound), transaction(factory) as s:
        engine.correlate_message(s, config, "ping", "an")
    with transaction(factory) as s:
        assert sorted(_steps(s, item)) == ["answer", "answer", "look", "look"]
