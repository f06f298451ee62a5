"""The engine configuration this department runs with: the Vietnamese working-day calendar, its
time zone and the helpers its diagrams call."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from engine import (
    Clock,
    EngineConfig,
    Hierarchy,
    Listener,
    audit_key_from_environment,
    system_clock,
    webhook_listener,
)

from .calendar import WorkCalendar, load_work_calendar
from .notifications import notification_listener
from .org_chart import leaders_group
from .roles import DEPARTMENT_LEADERS
from .script_helpers import script_helpers
from .services import service_seconds_from_environment, services_from_environment

CALENDAR_ENV = "PHEDUYET_CALENDAR_FILE"


def work_calendar() -> WorkCalendar:
    """The calendar file named by PHEDUYET_CALENDAR_FILE (extra days off, make-up days), if any."""
    path = os.environ.get(CALENDAR_ENV)
    return load_work_calendar(Path(path)) if path else WorkCalendar()


@cache
def audit_key() -> bytes | None:
    """The audit key (PHEDUYET_AUDIT_KEY or PHEDUYET_AUDIT_KEY_FILE), read once per process."""
    return audit_key_from_environment()


def event_listeners() -> tuple[Listener, ...]:
    """What listens to every action of the web app, the CLI and the worker (engine.events):
    the writers of the outbox."""
    return (notification_listener, webhook_listener)


def engine_config(
    clock: Clock = system_clock, calendar: WorkCalendar | None = None
) -> EngineConfig:
    calendar = calendar or work_calendar()
    return EngineConfig(
        clock=clock,
        add_working_days=calendar.add_working_days,
        helpers=script_helpers(calendar),
        timezone=calendar.zone,
        hierarchy=Hierarchy(leaders_group=leaders_group, head_group=DEPARTMENT_LEADERS),
        audit_key=audit_key(),
        services=services_from_environment(),
        service_seconds=service_seconds_from_environment(EngineConfig.service_seconds),
    )
