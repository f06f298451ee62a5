"""What real Camunda 7 deploy units brought up when they were driven through the engine (issue
12), each on a model of our own in the Camunda Modeler dialect, run to its end on SQLite and
PostgreSQL: the Activiti namespace Camunda reads as its own, a data store drawn in a Camunda
model, an embedded form with a document upload, a Camunda Form saved by Camunda Modeler 4 with
a decimal number, JUEL methods of Java values and execution.getVariable of a missing
variable."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import InvalidData, transaction
from tests.conftest import fixture_files

LEAVE = "camunda_corpus/leave"


@pytest.fixture
def office(factory: Any, clock: Any) -> Any:
    with transaction(factory) as s:
        engine.add_group(s, "heads", "Heads")
        engine.add_group(s, "staff", "Staff")
        engine.add_user(s, "an", display_name="An", groups=["staff"])
        engine.add_user(s, "dung", display_name="Dũng", groups=["heads"])
        engine.add_user(s, "binh", display_name="Bình", groups=["staff"])
        engine.add_user(s, "chi", display_name="Chi", groups=["staff"])
        engine.deploy(s, fixture_files(LEAVE), clock)
    return factory


def _start(factory: Any, config: Any, **data: Any) -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, "leave_request", "an", data=data)


def _task(factory: Any, item: int) -> engine.TaskView:
    with transaction(factory) as s:
        (task,) = engine.open_tasks(s, item)
    return task


def _complete(factory: Any, config: Any, item: int, who: str, **data: Any) -> engine.TaskView:
    task = _task(factory, item)
    with transaction(factory) as s:
        engine.complete_task(s, config, task.id, who, data=data)
    return task


def _show(factory: Any, item: int) -> engine.InstanceView:
    with transaction(factory) as s:
        return engine.show_instance(s, item)


def test_camunda_corpus__an_activiti_namespaced_model_runs_as_camunda_reads_it(
    office: Any, config: Any
) -> None:
    # The start form's formData is read: the required person is checked, days made a long.
    with pytest.raises(InvalidData) as refused:
        _start(office, config, days="3")
    assert refused.value.field_codes["person"]["code"] == "required"
    item = _start(office, config, person="An Nguyen", days="3")
    assert _show(office, item).data["days"] == 3
    # candidateGroups with a String method; the embedded form has no field for the upload.
    approve = _task(office, item)
    assert approve.candidate_groups == ["heads"]
    with transaction(office) as s:
        fields = engine.task_form(s, approve.id).schema["properties"]
    assert set(fields) == {"approved"}
    _complete(office, config, item, "dung", approved=True)
    # getVariable of a variable the item never had is null: the approved path is taken.
    pay = _task(office, item)
    assert (pay.element_id, pay.assignee) == ("pay", "binh")
    with transaction(office) as s:
        allowance = engine.task_form(s, pay.id).schema["properties"]["allowance"]
    assert allowance["type"] == "number"  # no decimalDigits: decimals are allowed
    _complete(office, config, item, "binh", allowance=12.5, paid_by="Bình")
    view = _show(office, item)
    assert view.status == "completed" and view.data["allowance"] == 12.5


def test_camunda_corpus__a_refusal_ends_the_item_on_the_default_flow(
    office: Any, config: Any
) -> None:
    item = _start(office, config, person="Chi", days="1")
    assert _task(office, item).candidate_groups == ["staff"]
    _complete(office, config, item, "an", approved=False)
    view = _show(office, item)
    assert view.status == "completed" and "pay" not in [h.element_id for h in view.history]


LEGACY = "camunda_corpus/legacy"


@pytest.fixture
def legacy(office: Any, clock: Any) -> Any:
    with transaction(office) as s:
        engine.deploy(s, fixture_files(LEGACY), clock)
    return office


def test_camunda_corpus__a_camunda_7_0_model_runs_as_camunda_reads_it(
    legacy: Any, config: Any
) -> None:
    # camunda:formProperty is the start form: hours is required and made a long.
    with pytest.raises(InvalidData) as refused, transaction(legacy) as s:
        engine.start_instance(s, config, "overtime", "an", data={})
    assert refused.value.field_codes["hours"]["code"] == "required"
    with transaction(legacy) as s:
        item = engine.start_instance(s, config, "overtime", "an", data={"hours": "6"})
    # potentialOwner: group(heads), user(chi); the enum and a read-only field from ${hours}.
    check = _task(legacy, item)
    assert (check.candidate_groups, check.candidate_users) == (["heads"], ["chi"])
    with transaction(legacy) as s:
        fields = {f["id"]: f for f in engine.task_form(s, check.id).fields}
    assert [o["id"] for o in fields["verdict"]["options"]] == ["pay", "redo"]
    assert fields["hours"]["readonly"] and fields["hours"]["default_from"] == "hours"
    _complete(legacy, config, item, "dung", verdict="redo")
    # The plain task passed through; humanPerformer names the claimant; currentUser() is the
    # head who sent it back.
    redo = _task(legacy, item)
    assert (redo.element_id, redo.assignee, redo.candidate_users) == ("redo", "an", ["dung"])
    _complete(legacy, config, item, "an")
    _complete(legacy, config, item, "chi", verdict="pay")
    view = _show(legacy, item)
    assert view.status == "completed"
    assert [h.element_id for h in view.history].count("record") <= 2
    assert view.data["sheet"] == '{"site": "office"}'  # the default, read by S() as JSON


def test_camunda_corpus__input_parameters_are_local_to_their_task(
    office: Any, config: Any, clock: Any
) -> None:
    with transaction(office) as s:
        engine.deploy(s, fixture_files("camunda_corpus/io"), clock)
        item = engine.start_instance(s, config, "io_local", "an", data={"subject": "roads"})
    with transaction(office) as s:
        (sign,) = engine.open_tasks(s, item)
        shown = engine.task_form(s, sign.id).data
    # While the task is open its inputs are what it sees (subject hides the item's own).
    assert (shown["subject"], shown["signer"]) == ("Letter about roads", "an")
    _complete(office, config, item, "an")
    data = _show(office, item).data
    assert data["signed_as"] == "Letter about roads (an)"  # outputs read the inputs
    assert data["subject"] == "roads" and "signer" not in data  # then they are gone


@pytest.mark.parametrize(
    ("amount", "groups", "users", "who"),
    [(5000, ["staff", "heads"], ["chi"], "dung"), (10, ["staff"], [], "binh")],
)
def test_camunda_corpus__a_javascript_listener_adds_candidates_from_spin_json(
    office: Any, config: Any, clock: Any, amount: int, groups: list[str], users: list[str], who: str
) -> None:
    with transaction(office) as s:
        engine.deploy(s, fixture_files("camunda_corpus/js"), clock)
        item = engine.start_instance(s, config, "js_candidates", "an", data={"amount": amount})
    review = _task(office, item)
    assert (review.candidate_groups, review.candidate_users) == (groups, users)
    assert _show(office, item).data["request"] == {"unit": "finance", "urgent": amount > 1000}
    _complete(office, config, item, who)
    assert _show(office, item).status == "completed"


def test_camunda_corpus__a_claim_runs_the_assignment_listeners(
    office: Any, config: Any, clock: Any
) -> None:
    with transaction(office) as s:
        engine.deploy(s, fixture_files("camunda_corpus/claim"), clock)
        item = engine.start_instance(s, config, "claim_then_route", "an")
    first = _task(office, item)
    assert first.assignee is None and "checker" not in _show(office, item).data
    with transaction(office) as s:
        engine.claim_task(s, config, first.id, "dung")
    assert _show(office, item).data["checker"] == "dung"  # the listener ran on the claim
    _complete(office, config, item, "dung", done=False)
    second = _task(office, item)
    assert second.assignee == "dung"  # the create listener routed it back to the checker
    _complete(office, config, item, "dung", done=True)
    assert _show(office, item).status == "completed"


def test_camunda_corpus__events_named_start_and_end_run(
    office: Any, config: Any, clock: Any
) -> None:
    with transaction(office) as s:
        engine.deploy(s, fixture_files("camunda_corpus/reserved"), clock)
        item = engine.start_instance(s, config, "start_end_ids", "an")
    with transaction(office) as s:
        opened = engine.open_tasks(s, item)
    assert sorted(t.element_id for t in opened) == ["left", "right"]
    for task in opened:
        with transaction(office) as s:
            engine.complete_task(s, config, task.id, "an", data={})
    assert _show(office, item).status == "completed"


def test_camunda_corpus__current_user_is_the_sender_of_a_message(
    office: Any, config: Any, clock: Any
) -> None:
    with transaction(office) as s:
        engine.deploy(s, fixture_files("camunda_corpus/message"), clock)
        item = engine.start_instance(s, config, "acknowledged", "an", data={"business_key": "K-1"})
    with transaction(office) as s:
        delivered = engine.correlate_message(s, config, "acknowledged", "dung", key="K-1")
    assert delivered.received == (item,)
    assert _task(office, item).assignee == "dung"
    _complete(office, config, item, "dung")
    assert _show(office, item).status == "completed"
