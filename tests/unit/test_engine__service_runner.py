"""The service runner alone (no database): what a handler's answer becomes in the task's data,
and which answers are incidents that leave the data as it was."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any

import pytest

from engine.services import ServiceCall, ServiceRunner


def task(data: dict[str, Any]) -> Any:
    return SimpleNamespace(
        task_spec=SimpleNamespace(bpmn_id="call_it"),
        workflow=SimpleNamespace(spec=SimpleNamespace(name="proc")),
        data=data,
    )


@pytest.mark.parametrize(
    ("returned", "result", "after"),
    [
        ({"a": 1, "b": [1, "x"]}, None, {"keep": 0, "a": 1, "b": [1, "x"]}),
        (None, None, {"keep": 0}),
        ({"a": (1, 2)}, None, {"keep": 0, "a": [1, 2]}),  # stored as JSON keeps it
        (42, "total", {"keep": 0, "total": 42}),  # a result variable takes any JSON value
        ({"status": 200}, "response", {"keep": 0, "response": {"status": 200}}),
        (None, "response", {"keep": 0, "response": None}),
    ],
)
def test_what_an_answer_sets(returned: Any, result: str | None, after: dict[str, Any]) -> None:
    runner = ServiceRunner({"k": lambda call: returned}, 5)
    item = task({"keep": 0})
    assert runner.run(item, "k", dict, result) is True
    assert item.data == after
    assert runner.incidents == []


@pytest.mark.parametrize(
    ("returned", "result", "reason", "words"),
    [
        ([1, 2], None, "service_result", "a list, not a dict of variables"),
        ({"when": datetime(2026, 1, 1, tzinfo=UTC)}, None, "service_result", "as JSON"),
        ({"x": float("inf")}, None, "service_result", "as JSON"),
        ({"_x": 1}, None, "service_result", "not a plain non-empty text"),
        (object(), "total", "service_result", "as JSON"),
    ],
)
def test_answers_that_cannot_be_stored_are_incidents(
    returned: Any, result: str | None, reason: str, words: str
) -> None:
    runner = ServiceRunner({"k": lambda call: returned}, 5)
    item = task({"keep": 0})
    assert runner.run(item, "k", dict, result) is False
    assert item.data == {"keep": 0}
    (incident,) = runner.incidents
    assert incident.details["reason"] == reason and words in incident.message
    assert incident.details["key"] == "k" and incident.details["element_id"] == "call_it"


def test_the_handler_sees_a_copy_and_an_unmapped_key_is_an_incident() -> None:
    seen: list[ServiceCall] = []

    def handler(call: ServiceCall) -> None:
        seen.append(call)
        call.data["nested"].append("changed")  # a copy: the item's data stays as it was

    runner = ServiceRunner({"k": handler}, 5)
    runner.item_id = 7
    item = task({"nested": [1]})
    assert runner.run(item, "k", lambda: {"p": 1}, None) is True
    assert item.data == {"nested": [1]}
    assert (seen[0].item_id, seen[0].process_id, dict(seen[0].params)) == (7, "proc", {"p": 1})
    assert runner.run(item, "other", dict, None) is False
    assert runner.incidents[0].details["reason"] == "service_unmapped"
