"""A multi-instance collection written as an expression (`${invoice.lines}`) is evaluated when
the activity starts, as Camunda 7 does, and a data object drawn beside a Camunda task is a
drawing only (issue 12). A model of our own in the Camunda Modeler dialect."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import transaction
from tests.conftest import fixture_files


def test_camunda_collections__an_expression_collection_runs_once_per_item(
    factory: Any, clock: Any
) -> None:
    paid: list[Any] = []

    def pay_line(call: engine.ServiceCall) -> dict[str, Any]:
        paid.append(call.data["line"])
        return {"last_paid": call.data["line"]["sku"]}

    config = engine.EngineConfig(clock=clock, services={"payments.payLine(line)": pay_line})
    lines = [{"sku": "paper", "amount": 120}, {"sku": "ink", "amount": 45}]
    with transaction(factory) as s:
        engine.add_group(s, "accounts", "Accounts")
        engine.add_user(s, "an", display_name="An", groups=["accounts"])
        engine.deploy(
            s, fixture_files("camunda_collections"), clock, services=config.services.keys()
        )
        item = engine.start_instance(
            s, config, "payment_batch", "an", data={"invoice": {"number": "HD-9", "lines": lines}}
        )
        (confirm,) = engine.open_tasks(s, item)
        engine.complete_task(s, config, confirm.id, "an")
        view = engine.show_instance(s, item)
    assert paid == lines  # in order, one call a line
    assert view.status == "completed"
    assert view.data["invoice"]["lines"] == lines  # the item's own data untouched
    assert "ledger" not in view.data  # the data object moved nothing


def test_camunda_collections__a_collection_that_is_no_list_stops_the_action(
    factory: Any, clock: Any
) -> None:
    config = engine.EngineConfig(clock=clock, services={"payments.payLine(line)": None})
    with transaction(factory) as s:
        engine.add_user(s, "an", display_name="An")
        engine.deploy(
            s, fixture_files("camunda_collections"), clock, services=config.services.keys()
        )
    with pytest.raises(engine.ScriptError) as stopped, transaction(factory) as s:
        engine.start_instance(
            s, config, "payment_batch", "an", data={"invoice": {"lines": "paper"}}
        )
    assert stopped.value.details["element_id"] == "pay_line"
    assert "must be a list" in stopped.value.message
