"""A Camunda connector written as Camunda's own examples write it (issue 12): its `map` and
`list` input parameters without the camunda prefix (Camunda reads them by name), and output
parameter scripts reading the response through `connector.getVariable` and Spin's `jsonPath`.
A model of our own in the Camunda Modeler dialect, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from typing import Any

import pytest

import engine
from engine import transaction
from tests.conftest import fixture_files

KEY = "connector:http-connector"


@pytest.mark.parametrize(("day", "off"), [("2026-12-24", True), ("2026-12-22", False)])
def test_camunda_connector_scope__unprefixed_parameters_and_the_connector_variable(
    factory: Any, clock: Any, day: str, off: bool
) -> None:
    calls: list[engine.ServiceCall] = []

    def calendar(call: engine.ServiceCall) -> dict[str, Any]:
        calls.append(call)
        holidays = [{"ngay": "2026-12-24", "ten": "Nghỉ bù"}, {"ngay": "2026-12-25", "ten": "Lễ"}]
        return {"response": json.dumps(holidays), "statusCode": 200}

    config = engine.EngineConfig(clock=clock, services={KEY: calendar})
    with transaction(factory) as s:
        engine.add_user(s, "an", display_name="An")
        engine.deploy(s, fixture_files("camunda_connector_scope"), clock, services=[KEY])
        item = engine.start_instance(
            s, config, "tra_cuu_ngay_nghi", "an", data={"don_vi": "VP", "ngay": day}
        )
        view = engine.show_instance(s, item)
    [call] = calls
    assert call.params["headers"] == {"Accept": "application/json", "X-Don-Vi": "VP"}
    assert call.params["ngay"] == ["2026-12-24", day]
    assert view.status == "completed" and view.data["la_ngay_nghi"] is off
    assert view.data["ngay_nghi_dau"] == "Nghỉ bù"
