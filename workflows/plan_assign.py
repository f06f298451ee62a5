"""Turning a plan's assignments into running `giao_nhiem_vu` items (one per assignment)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

import engine

from .org_chart import OrgChart
from .plan_import import Assignment

PROCESS_ID = "giao_nhiem_vu"
TITLE_CHARS = 160


@dataclass(frozen=True)
class Started:
    assignment: Assignment
    instance_id: int | None  # None: an item for it existed already


def item_title(assignment: Assignment) -> str:
    title = f"{assignment.section}: {assignment.summary}"
    return title if len(title) <= TITLE_CHARS else title[: TITLE_CHARS - 1].rstrip() + "…"


def start_data(assignment: Assignment, chart: OrgChart) -> dict[str, Any]:
    lead = chart.unit_by_name(assignment.lead_unit) if assignment.lead_unit else None
    value = assignment.deadline.value
    return {
        "section": assignment.section,
        "noi_dung": assignment.summary,
        "noi_dung_day_du": assignment.text,
        "don_vi_chu_tri": lead.key if lead else None,
        "ten_don_vi_chu_tri": assignment.lead_unit,
        "don_vi_phoi_hop": list(assignment.cooperating_units),
        "loai_han": str(assignment.deadline.kind),
        "gia_tri_han": value.isoformat() if isinstance(value, date) else value,
        "can_quyet_dinh": assignment.needs_decision,
    }


def start_assignments(
    session: Session,
    config: engine.EngineConfig,
    assignments: list[Assignment],
    chart: OrgChart,
    username: str,
) -> list[Started]:
    """Start one item per assignment, skipping those already started (same title)."""
    existing = engine.instance_titles(session, PROCESS_ID)
    started = []
    for assignment in assignments:
        title = item_title(assignment)
        if title in existing:
            started.append(Started(assignment, None))
            continue
        instance_id = engine.start_instance(
            session,
            config,
            PROCESS_ID,
            username,
            title=title,
            data=start_data(assignment, chart),
        )
        existing.add(title)
        started.append(Started(assignment, instance_id))
    return started
