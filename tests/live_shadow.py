"""Every workflow the engine takes from its live cache (engine/live_workflows.py), checked against
the one `load_state` reads from the same stored text: the same tasks in the same order, states,
times, data and internal data of the same types, sharing the same values, the same waiting
events, subprocesses, correlations and hooks; and the task rows its entry kept, against those
the database holds when the action uses them. A pytest plugin, to run any engine tests under:

    .venv/bin/python -m pytest -p tests.live_shadow tests/integration/test_engine__actions.py

`assert_same_workflow` is also used by tests/integration/test_engine__live_workflows.py.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterator
from typing import Any

import pytest

from engine import live_workflows, runtime
from engine.human_tasks import open_and_known
from engine.serialization import dump_state, load_state

_ATOMS = (str, int, float, bool, type(None))


def assert_same_workflow(cached: Any, loaded: Any) -> None:
    _same_workflow(cached, loaded, "workflow")
    assert list(cached.subprocesses) == list(loaded.subprocesses), "subprocess order"
    for key, sub in cached.subprocesses.items():
        _same_workflow(sub, loaded.subprocesses[key], f"subprocess {key}")
        assert sub.parent_task_id == loaded.subprocesses[key].parent_task_id
        assert sub.depth == loaded.subprocesses[key].depth
    assert list(cached.event_manager.tasks) == list(loaded.event_manager.tasks), "waiting events"
    assert [type(e) for e in cached.bpmn_events] == [type(e) for e in loaded.bpmn_events]
    for mine, theirs in zip(cached.bpmn_events, loaded.bpmn_events, strict=True):
        same(vars(mine), vars(theirs), "bpmn_event")
    assert cached.subprocess_specs is loaded.subprocess_specs or (
        cached.subprocess_specs == loaded.subprocess_specs
    )
    assert _sharing(cached) == _sharing(loaded), "values shared between tasks"


def _same_workflow(a: Any, b: Any, where: str) -> None:
    assert type(a) is type(b), where
    assert a.spec is b.spec, where
    assert list(a.tasks) == list(b.tasks), f"{where}: task order"
    for key, ta in a.tasks.items():
        tb = b.tasks[key]
        here = f"{where} task {ta.task_spec.name}"
        assert ta.task_spec is tb.task_spec, here
        assert ta.workflow is a and tb.workflow is b, here
        assert (ta._parent, ta._children) == (tb._parent, tb._children), here
        assert (ta._state, ta.triggered) == (tb._state, tb.triggered), here
        assert ta.last_state_change == tb.last_state_change, here
        same(ta.data, tb.data, f"{here} data")
        same(ta.internal_data, tb.internal_data, f"{here} internal_data")
    assert a.task_tree.id == b.task_tree.id, where
    assert (a.success, a.completed) == (b.success, b.completed), where
    assert (a.last_task and a.last_task.id) == (b.last_task and b.last_task.id), where
    same(a.data, b.data, f"{where} data")
    same(a.correlations, b.correlations, f"{where} correlations")
    assert a.locks == b.locks, where
    for name in ("completed_event", "task_removed_event"):
        assert _hooks(getattr(a, name)) == _hooks(getattr(b, name)), f"{where} {name}"


def _hooks(event: Any) -> list[Any]:
    """Who is told (a task given as its id): the same function of the same spec, in order."""
    assert not event.weak_subscribers
    return [
        (
            getattr(call, "__func__", call),
            getattr(call, "__self__", None),
            [getattr(arg, "id", arg) for arg in args],
            kwargs,
        )
        for call, args, kwargs in event.hard_subscribers or ()
    ]


def same(a: Any, b: Any, where: str) -> None:
    """Equal values of the same types (1, 1.0 and True differ; so do time zones)."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, dict):
        assert list(a) == list(b), f"{where}: keys {list(a)} != {list(b)}"
        for key in a:
            same(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b), where
    elif isinstance(a, _ATOMS):
        assert a == b, f"{where}: {a!r} != {b!r}"
    elif isinstance(a, set | frozenset):
        assert a == b, where
    elif hasattr(a, "__dict__") and not callable(a):
        same(vars(a), vars(b), where)
    else:
        assert repr(a) == repr(b), f"{where}: {a!r} != {b!r}"


def _sharing(workflow: Any) -> list[int]:
    """Which containers in the data are one and the same object: each container numbered by
    where it is first met, in a walk of every task's data (subprocesses' too)."""
    seen: dict[int, int] = {}
    pattern: list[int] = []

    def walk(value: Any) -> None:
        if not isinstance(value, dict | list | set):
            return
        first = seen.setdefault(id(value), len(seen))
        pattern.append(first)
        if first != len(seen) - 1:
            return
        for item in value.values() if isinstance(value, dict) else value:
            walk(item)

    keep = []  # ids must stay unique for the walk
    for wf in (workflow, *workflow.subprocesses.values()):
        walk(wf.data)
        keep.append(wf.data)
        for task in wf.tasks.values():
            walk(task.data)
            walk(task.internal_data)
    return pattern


_COUNTS = os.environ.get("PHEDUYET_LIVE_SHADOW_COUNTS")


@pytest.fixture(autouse=True)
def _shadow_live_workflows(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = live_workflows.LiveWorkflows.take

    def take(self: Any, item_id: int, state: str, *args: Any) -> Any:
        entry = real(self, item_id, state, *args)
        if entry is not None:
            workflow = entry.workflow
            loaded = load_state(entry.dialect, state, entry.spec, workflow.subprocess_specs)
            assert_same_workflow(workflow, loaded)
            assert dump_state(entry.dialect, workflow) == dump_state(entry.dialect, loaded)
        return entry

    monkeypatch.setattr(live_workflows.LiveWorkflows, "take", take)
    yield


_rows_checked = [0]


@pytest.fixture(autouse=True)
def _shadow_task_rows(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    real = runtime._sync_task_rows

    def sync(session: Any, config: Any, instance: Any, version: Any, ready: Any, *rest: Any) -> Any:
        closed, _new, rows = rest
        if rows is not None:  # as the entry kept them: what the database holds now
            ids = [str(task.id) for task in ready]
            open_rows, known = open_and_known(session, instance.id, ids)
            shut = {row.id for row in closed}
            assert open_rows == {k: v for k, v in rows.open.items() if k not in shut}
            assert {i for i in ids if i in known} == {i for i in ids if i in rows.known}
            _rows_checked[0] += 1
        return real(session, config, instance, version, ready, *rest)

    monkeypatch.setattr(runtime, "_sync_task_rows", sync)
    yield


def pytest_unconfigure(config: pytest.Config) -> None:
    if _COUNTS:
        live = live_workflows.LIVE
        with open(_COUNTS, "a") as out:
            out.write(
                f"{os.getpid()} hits={live.hits} misses={live.misses} rows={_rows_checked[0]}\n"
            )
