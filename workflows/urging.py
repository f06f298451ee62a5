"""Đôn đốc: the department's leaders urge the lead unit of a task past its deadline (the chaser
step of giao_nhiem_vu, its form don_doc.json). An urging is a completion that submits
URGING_FIELD. The people holding the lead unit's open steps, and the unit's leaders, are told
(workflows.notifications); those steps' pages show the latest urging while the deadline it
chased stands (web.inbox)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import engine

from .org_chart import leaders_group
from .task_report import ASSIGNED_TASKS

URGING_FIELD = "noi_dung_don_doc"
# Whom a notice reaches: ((("group"|"user", name), ...), assignee), as notify_candidates reads.
Reach = tuple[tuple[tuple[str, str], ...], str | None]


@dataclass(frozen=True)
class Urging:
    who: str | None
    at: datetime
    text: str


def urging_text(data: Any) -> str | None:
    """The urging a completion's submitted data carries, else None."""
    value = data.get(URGING_FIELD) if isinstance(data, Mapping) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def lead_unit_of(task: engine.TaskView, item_data: Mapping[str, Any]) -> str | None:
    """The lead unit's key when `task` is one of its steps (offered to that unit), else None."""
    unit = item_data.get(ASSIGNED_TASKS.unit_key)
    if isinstance(unit, str) and unit.lower() in {g.lower() for g in task.candidate_groups}:
        return unit
    return None


def told_of_urging(task: engine.TaskView, unit: str, started_by: str) -> list[Reach]:
    """Whom an urging of the lead unit `unit` reaches through its open `task`: the step's
    holders (its assignee, else its candidates by the engine's rule, the one its candidate
    rows were written by), and the unit's leaders, who answer for it."""
    candidates = tuple(
        engine.effective_candidates(
            task.candidate_groups, task.candidate_users, task.lane, started_by
        )
    )
    return [(candidates, task.assignee), ((("group", leaders_group(unit)),), None)]


def latest_urging(
    dossier: engine.Dossier | None, task: engine.TaskView, item_data: Mapping[str, Any]
) -> Urging | None:
    """The item's latest urging, when `task` is a step of its lead unit and the urging came
    after the step's deadline (a deadline extended since, or a new period's, leaves it behind)."""
    if dossier is None or lead_unit_of(task, item_data) is None:
        return None
    found = [(s, f) for s in dossier.sections for f in s.fields if f.name == URGING_FIELD]
    if not found:
        return None
    section, field = max(found, key=lambda pair: pair[0].at)
    if task.due_at is not None and section.at < task.due_at:
        return None
    return Urging(section.actor, section.at, str(field.value))
