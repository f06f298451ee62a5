"""serialization.settle_state makes a live workflow, just saved, what load_state would read from
its text: values a save turns into others, values tasks share, no matter how they came to be
in the data. No database: the approval diagram driven in memory."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from engine.serialization import dump_state, load_state, settle_state
from tests.live_shadow import assert_same_workflow
from tests.unit.test_engine__scenarios import Complete, Driver, approval

SHARED = [1, 2]


def _put(values: dict[str, Any]) -> Callable[[Any], None]:
    def put(task: Any) -> None:
        task.data.update(values)

    return put


CASES = {
    "tuple": {"pair": (1, "a")},
    "set": {"tags": {"x"}},
    "callable_inside": {"table": {"f": len, "n": 1}},
    "int_keys": {"by_year": {2026: "x"}},
    "nan": {"ratio": math.nan},
    "zoneinfo": {"at": datetime(2026, 3, 2, 8, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))},
    "utc": {"at": datetime(2026, 3, 2, 1, tzinfo=UTC)},
    "one_list_twice": {"a": SHARED, "b": SHARED},
    "nested_lists": {"rows": [{"qty": 1, "tags": ["x"]}, {"qty": 2, "tags": []}]},
}


@pytest.mark.parametrize("name", list(CASES))
def test_settle_state__the_live_workflow_becomes_what_a_load_reads(name: str) -> None:
    driver = Driver(approval(), roundtrip=False)
    driver.start()
    _put(CASES[name])(driver._one_ready("draft", {}))
    driver.step(Complete("draft", {"summary": "x"}))
    workflow = driver.workflow
    # True where the parent has 1: equal, so the save writes no change and a load reads 1.
    [review] = driver.ready("review")
    review.data["flag"] = True
    review.parent.data["flag"] = 1
    state = dump_state(driver.dialect, workflow)
    spec, subprocess_specs = driver.version.spec, driver.version.subprocess_specs
    assert settle_state(driver.dialect, workflow, state)
    loaded = load_state(driver.dialect, state, spec, subprocess_specs)
    assert_same_workflow(workflow, loaded)
    assert dump_state(driver.dialect, workflow) == dump_state(driver.dialect, loaded)
    assert type(review.data["flag"]) is int


def test_settle_state__a_text_of_another_tree_is_refused() -> None:
    one, other = Driver(approval(), roundtrip=False), Driver(approval(), roundtrip=False)
    one.start()
    other.start()
    other.step(Complete("draft", {"summary": "x"}))
    state = dump_state(other.dialect, other.workflow)
    assert not settle_state(one.dialect, one.workflow, state)
