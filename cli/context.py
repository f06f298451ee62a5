"""What the commands share: the database's sessions, sealed with the audit key, and a moment
given on the command line."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

import engine
from engine import as_utc
from workflows.config import audit_key, event_listeners


def session_factory() -> Any:
    """Sessions on the configured database whose audit events are sealed with the audit key."""
    factory = engine.session_factory(engine.create_db_engine())
    return engine.bind_listeners(engine.bind_audit_key(factory, audit_key()), event_listeners())


def moment(value: str | None, option: str = "--now") -> datetime | None:
    """An ISO 8601 option (--now): None when not given; naive times are the office's UTC."""
    if value is None:
        return None
    try:
        return as_utc(datetime.fromisoformat(value))
    except ValueError as exc:
        raise click.BadParameter(
            f"{value!r} is not an ISO 8601 date and time", param_hint=option
        ) from exc
