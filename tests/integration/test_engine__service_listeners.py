"""Camunda task and execution listeners mapped to Python through the services module, on
SQLite and PostgreSQL: process and task `start`/`end`, task `create` setting the assignee and
variables, `complete`; an unmapped listener or an event that does not run is refused at deploy
naming element, line and key; a listener that raises stops the action, nothing written."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import InvalidDefinition, ManualClock, ScriptError, SourceFile, transaction
from engine.services import ServiceCall
from tests.conftest import FIXTURES, add_people, fixture_files

MODEL = FIXTURES / "listeners" / "listened.bpmn"


def _services(seen: list[tuple[str, str, str]], fail: bool = False) -> dict[str, Any]:
    def record(out: dict[str, Any] | None = None) -> Any:
        def handler(call: ServiceCall) -> dict[str, Any] | None:
            seen.append((call.key, call.element_id, call.params["event"]))
            if fail and call.key == "vn.gov.sokhcn.Reviewed":
                raise RuntimeError("kho lưu trữ không phản hồi")
            return out

        return handler

    return {
        "vn.gov.sokhcn.ProcessStarted": record({"opened": True}),
        "processEnded": record(),
        "pickReviewer": record({"assignee": "binh", "picked": 1}),
        "vn.gov.sokhcn.Reviewed": record({"reviewed": True}),
        "noteStart": None,  # a recorded no-op
    }


def _deployed(factory: Any, clock: ManualClock, services: dict[str, Any]) -> None:
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("listeners"), clock, services=services.keys())


def test_engine__listeners_run_through_the_services_module(
    factory: Any, clock: ManualClock
) -> None:
    seen: list[tuple[str, str, str]] = []
    services = _services(seen)
    _deployed(factory, clock, services)
    config = engine.EngineConfig(clock=clock, services=services)
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "listened", "an")
        (task,) = engine.show_instance(s, item).open_tasks
        assert (task.element_id, task.assignee) == ("review", "binh")
        assert engine.show_instance(s, item).data["picked"] == 1
    with transaction(factory) as s:
        engine.complete_task(s, config, task.id, "binh")
        view = engine.show_instance(s, item)
    assert view.status == "completed"
    assert (view.data["opened"], view.data["reviewed"]) == (True, True)
    assert seen == [
        ("vn.gov.sokhcn.ProcessStarted", "start", "start"),
        ("pickReviewer", "review", "create"),
        ("vn.gov.sokhcn.Reviewed", "review", "complete"),
        ("processEnded", "end", "end"),
    ]


def test_engine__a_failing_listener_stops_the_action(factory: Any, clock: ManualClock) -> None:
    seen: list[tuple[str, str, str]] = []
    services = _services(seen, fail=True)
    _deployed(factory, clock, services)
    config = engine.EngineConfig(clock=clock, services=services)
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "listened", "an")
        (task,) = engine.show_instance(s, item).open_tasks
    with pytest.raises(ScriptError) as failed, transaction(factory) as s:
        engine.complete_task(s, config, task.id, "binh")
    assert failed.value.details["element_id"] == "review"
    assert "kho lưu trữ không phản hồi" in failed.value.message
    with transaction(factory) as s:
        assert [t.id for t in engine.show_instance(s, item).open_tasks] == [task.id]


@pytest.mark.parametrize(
    ("old", "new", "reason", "key"),
    [
        (
            'delegateExpression="${pickReviewer}"',
            'delegateExpression="${nobody}"',
            "listener_unmapped",
            "nobody",
        ),
        (
            'class="vn.gov.sokhcn.Reviewed" event="complete"',
            'class="vn.gov.sokhcn.Reviewed" event="delete"',
            "listener_unsupported",
            None,
        ),
    ],
)
def test_engine__a_listener_that_cannot_run_is_refused_at_deploy(
    sqlite_factory: Any, clock: ManualClock, old: str, new: str, reason: str, key: str | None
) -> None:
    text = MODEL.read_text()
    assert old in text
    changed = text.replace(old, new)
    line = next(n for n, row in enumerate(changed.splitlines(), 1) if new in row)
    with pytest.raises(InvalidDefinition) as refused, transaction(sqlite_factory) as s:
        engine.deploy(
            s, [SourceFile("listened.bpmn", changed.encode())], clock, services=_services([])
        )
    details = refused.value.details
    assert (details["reason"], details["element_id"], details["line"]) == (reason, "review", line)
    assert details.get("key") == key
