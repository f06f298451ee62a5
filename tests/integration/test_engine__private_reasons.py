"""A return's reason read from what its form sent (engine.last_steps, the notices, Theo dõi and
the task page) never includes a field the form keeps private to the person who typed it
(`"x-private": true`); a field not private is read."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import ManualClock, transaction
from tests.conftest import add_people
from tests.form_models import steps_model
from workflows.decisions import return_reason


@pytest.mark.parametrize(("private", "reason"), [(True, None), (False, "Thiếu dự toán")])
def test_private_reasons__a_private_field_is_no_reason_others_read(
    factory: Any, clock: ManualClock, config: engine.EngineConfig, private: bool, reason: Any
) -> None:
    form = {
        "type": "object",
        "properties": {
            "decision": {"type": "string", "enum": ["tra_lai", "dong_y"]},
            "y_kien": {"type": "string", "title": "Ý kiến", "x-private": private},
        },
    }
    add_people(factory)
    with transaction(factory) as s:
        engine.deploy(s, steps_model("xin_y_kien", [("duyet", "Duyệt", form)]), clock)
        item = engine.start_instance(s, config, "xin_y_kien", "an")
        (task,) = engine.open_tasks(s, item)
        engine.claim_task(s, config, task.id, "an")
        engine.complete_task(
            s, config, task.id, "an", data={"decision": "tra_lai", "y_kien": "Thiếu dự toán"}
        )
    with transaction(factory) as s:
        step = engine.last_steps(s, [item])[item]
    assert return_reason(step.comment, step.data) == reason
