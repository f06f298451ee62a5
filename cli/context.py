"""What the commands share: the database's sessions, sealed with the audit key, and a moment,
a JSON object or model files given on the command line."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import click

import engine
from engine import MODEL_SUFFIXES, InvalidInput, SourceFile, as_utc
from workflows.config import audit_key, event_listeners


def session_factory() -> Any:
    """Sessions on the configured database whose audit events are sealed with the audit key.
    Its connections are closed when the command ends (PostgreSQL then sees a goodbye rather
    than a dropped connection, and a program running commands in its own process keeps none)."""
    db = engine.create_db_engine()
    command = click.get_current_context(silent=True)
    if command is not None:
        command.call_on_close(db.dispose)
    factory = engine.session_factory(db)
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


def json_object(value: str | None) -> dict[str, Any] | None:
    """A --data option: None when not given, else a JSON object (anything else is refused)."""
    if value is None:
        return None
    try:
        data = json.loads(value)
    except ValueError as exc:
        raise InvalidInput(f"--data is not JSON: {exc}", reason="not_json") from exc
    if not isinstance(data, dict):
        raise InvalidInput("--data must be a JSON object", reason="not_an_object")
    return data


def model_files(paths: tuple[str, ...]) -> list[SourceFile]:
    """The files named, a folder standing for the model files below it (by suffix, sorted)."""
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.name.lower().endswith(MODEL_SUFFIXES)
                )
            )
        else:
            files.append(path)
    return [SourceFile(str(p), p.read_bytes()) for p in files]
