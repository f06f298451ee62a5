"""A Camunda connector's output parameters map its response into the item, as Camunda 7 does
(issue 12): the handler's returned variables are the connector's response, seen by the output
parameters (JUEL or JavaScript) and kept out of the item; a JSON variable read back with
JSON.parse, as scripts read Spin values. A model of our own in the Camunda Modeler dialect."""

from __future__ import annotations

from typing import Any

import engine
from engine import transaction
from tests.conftest import fixture_files


def test_camunda_connector__output_parameters_map_the_response(factory: Any, clock: Any) -> None:
    calls: list[engine.ServiceCall] = []

    def records_office(call: engine.ServiceCall) -> dict[str, Any]:
        calls.append(call)
        return {"response": {"number": "125/CV", "date": "2026-12-07"}, "statusCode": 201}

    config = engine.EngineConfig(clock=clock, services={"connector:http-connector": records_office})
    with transaction(factory) as s:
        engine.add_group(s, "clerks", "Clerks")
        engine.add_user(s, "an", display_name="An", groups=["clerks"])
        engine.deploy(s, fixture_files("camunda_connector"), clock, services=config.services.keys())
        item = engine.start_instance(s, config, "letter_register", "an", data={"subject": "Roads"})
    [call] = calls
    assert call.params["payload"] == '{"subject":"Roads"}'
    with transaction(factory) as s:
        data = engine.show_instance(s, item).data
        (task,) = engine.open_tasks(s, item)
        engine.complete_task(s, config, task.id, "an")
    assert data["letter_no"] == "125/CV"
    assert data["receipt"] == {"number": "125/CV", "date": "2026-12-07"}
    assert data["filed_on"] == "2026-12-07"  # JSON.parse of a JSON variable
    assert "response" not in data and "statusCode" not in data  # the connector's own
    with transaction(factory) as s:
        assert engine.show_instance(s, item).status == "completed"
