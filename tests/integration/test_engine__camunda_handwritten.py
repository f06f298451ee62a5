"""What Camunda 7 runs in hand-written models (issue 12): sequence flows without an id (they
were left out and the item ended at its start event with nothing done), a form field's
default written as a JUEL expression, shown computed on the item's data, and a receive task
without a message, which only Camunda's Java API moves on, refused at deploy. A model of our own
in the style of Camunda's hand-written test models."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import transaction
from tests.conftest import fixture_files


def test_camunda_handwritten__flows_without_ids_and_expression_defaults(
    factory: Any, clock: Any, config: Any
) -> None:
    with transaction(factory) as s:
        engine.add_group(s, "heads", "Heads")
        engine.add_user(s, "dung", display_name="Dũng", groups=["heads"])
        engine.deploy(s, fixture_files("camunda_noids"), clock)
        item = engine.start_instance(s, config, "overtime_claim", "dung", data={"hours": 4})
        (check,) = engine.open_tasks(s, item)
        fields = {f["id"]: f for f in engine.task_form(s, check.id).fields}
    assert check.element_id == "check"
    assert fields["paid_hours"]["default"] == "7"  # ${hours * 2 - 1} on the item's data
    assert fields["claimed_hours"]["default_from"] == "hours"  # ${name}: its value, as before
    assert fields["rate"]["default"] == "standard"
    assert "default_code" not in fields["paid_hours"]
    with transaction(factory) as s:
        engine.complete_task(s, config, check.id, "dung", data={"paid_hours": 7})
        (pay,) = engine.open_tasks(s, item)
        engine.complete_task(s, config, pay.id, "dung")
        view = engine.show_instance(s, item)
    assert view.status == "completed" and view.data["paid_hours"] == 7
    assert [h.element_id for h in view.history if h.kind == "completed"][:2] == ["check", "pay"]


def test_camunda_handwritten__a_receive_task_without_a_message_is_refused(
    factory: Any, clock: Any
) -> None:
    # In Camunda it waits for RuntimeService.signal(); passing through would skip the wait.
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, fixture_files("camunda_refused/parcel_wait.bpmn"), clock)
    details = refused.value.details
    assert (details["file"], details["element_id"], details["line"]) == (
        "parcel_wait.bpmn",
        "parcel_arrived",
        8,
    )
    assert details["reason"] == "receive_without_message"
    assert refused.value.exit_code == 6


@pytest.mark.parametrize(
    ("name", "element", "line", "reason", "said"),
    [
        # Camunda Modeler leaves the id behind when the message's declaration is deleted.
        ("dangling_message.bpmn", "paid", 7, "reference_unknown", "the message 'Message_Deleted'"),
        ("complex_gateway.bpmn", "gather", 6, "element_unsupported", "cannot run a bpmn:complex"),
        # Refused with the library's NotImplementedError and the element's XML before.
        ("compensation.bpmn", "undo_booking", 8, "compensation_unsupported", "compensation"),
        # Refused as a call activity that calls nothing before.
        ("cmmn_call.bpmn", "review", 6, "cmmn_unsupported", "CMMN case 'ReviewInvoiceCase'"),
    ],
)
def test_camunda_handwritten__what_cannot_run_is_named_not_the_librarys_error(
    factory: Any, clock: Any, name: str, element: str, line: int, reason: str, said: str
) -> None:
    with pytest.raises(engine.InvalidDefinition) as refused, transaction(factory) as s:
        engine.deploy(s, fixture_files(f"camunda_refused/{name}"), clock)
    details = refused.value.details
    assert (details["file"], details["element_id"], details["line"]) == (name, element, line)
    assert details["reason"] == reason and said in str(refused.value)
    assert "Error" not in str(refused.value)  # no AssertionError, no TypeError
