"""The modules SpiffArena pre-loads into scripts (`json`, `uuid`, `re`, `decimal`, `calendar`,
`format`) and `hasattr`, as SpiffArena's published models use them on a connector's answer,
in our own model (tests/fixtures/spiff_modules): a nested-object form, a service task whose
post-script parses the answer, a gateway on the result. Driven to its end on SQLite and
PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest

import engine
from engine import ManualClock, transaction
from tests.conftest import add_people, fixture_files

ANSWER = {"http_status": 200, "body": {"text": json.dumps({"rate": 2.5})}}


def _rates(call: engine.ServiceCall) -> dict[str, Any]:
    assert call.params == {"currency": "USD"}
    return ANSWER


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Any:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("spiff_modules"), clock, services=["rates/Lookup"])
    return factory


def _show(factory: Any, item: int) -> engine.InstanceView:
    with transaction(factory) as s:
        return engine.show_instance(s, item)


def test_spiff_modules__a_connector_answer_is_parsed_as_spiff_arena_does(
    office: Any, clock: ManualClock
) -> None:
    config = engine.EngineConfig(clock=clock, services={"rates/Lookup": _rates})
    with transaction(office) as s:
        item = engine.start_instance(s, config, "price_check", "an")
    (task,) = _show(office, item).open_tasks
    offer = {"vendor": "NCC-42 Hà Nội", "amount": 600}
    with transaction(office) as s:
        engine.complete_task(s, config, task.id, "an", data={"offer": offer, "note": "gấp"})
    view = _show(office, item)
    data = view.data
    assert (data["rate"], data["total"], data["shown"]) == (2.5, "1500.0", "1,500.00")
    assert (data["digits"], data["vendor_no"], data["days_in_february"]) == ("42", "42", 28)
    assert data["has_body_attribute"] is False
    assert data["rate_note"] == ""
    assert len(data["ref"]) == 36
    assert json.loads(data["summary"]) == {"ref_length": 36, "total": "1,500.00"}
    (approve,) = view.open_tasks
    assert approve.element_id == "approve_offer"
    with transaction(office) as s:
        engine.complete_task(s, config, approve.id, "an")
    assert _show(office, item).status == "completed"


def test_spiff_modules__the_nested_form_is_checked(office: Any, clock: ManualClock) -> None:
    config = engine.EngineConfig(clock=clock, services={"rates/Lookup": _rates})
    with transaction(office) as s:
        item = engine.start_instance(s, config, "price_check", "an")
    (task,) = _show(office, item).open_tasks
    with pytest.raises(engine.InvalidData), transaction(office) as s:
        engine.complete_task(s, config, task.id, "an", data={"offer": {"vendor": "x", "amount": 0}})


def test_spiff_modules__a_dangerous_pattern_stops_the_step_with_its_reason(
    office: Any, clock: ManualClock
) -> None:
    model = fixture_files("spiff_modules/price_check.bpmn")[0].content
    hostile = model.replace(b'r"[^0-9]"', b'r"(a+)+$"').replace(
        b'id="price_check"', b'id="price_check_bad"'
    )
    with transaction(office) as s:
        engine.deploy(
            s,
            [
                engine.SourceFile("bad.bpmn", hostile),
                *fixture_files("spiff_modules/offer-schema.json"),
            ],
            clock,
            services=["rates/Lookup"],
        )
    config = engine.EngineConfig(clock=clock, services={"rates/Lookup": _rates})
    with transaction(office) as s:
        item = engine.start_instance(s, config, "price_check_bad", "an")
    (task,) = _show(office, item).open_tasks
    offer = {"vendor": "aaaa", "amount": 1}
    with pytest.raises(engine.ScriptError) as refused, transaction(office) as s:
        engine.complete_task(s, config, task.id, "an", data={"offer": offer})
    assert "exponential time" in refused.value.message
