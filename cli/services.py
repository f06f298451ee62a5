"""`pheduyet retry ITEM` (run an item parked in error again) and `pheduyet check PATH…` (what a
folder of models would be refused for, without a database)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

import engine
from engine import InvalidInput, SourceFile, transaction
from workflows import engine_config

from .context import session_factory
from .output import emit_json, emit_table, reporting

CHECKED = (".bpmn", ".dmn", ".json", ".html", ".htm", ".form")
PROBLEM_COLUMNS = [
    ("FILE", lambda p: p.file),
    ("ELEMENT", lambda p: p.element_id),
    ("LINE", lambda p: p.line),
    ("PROBLEM", lambda p: p.message),
]


@click.command()
@click.argument("instance_id", type=int)
@click.option("--as", "username", help="who retries (an administrator or a manager)")
@click.option("--data", help="JSON object of variables to set on the failed step first")
@click.option("--json", "as_json", is_flag=True)
def retry(instance_id: int, username: str | None, data: str | None, as_json: bool) -> None:
    """Run an item in error again from the step that failed (a service call, a decision, a
    timer), with --data the variables that fix what made it fail."""
    with reporting(as_json):
        fixed = _fix(data)
        factory = session_factory()
        with transaction(factory) as session:
            engine.retry_instance(session, engine_config(), instance_id, username, data=fixed)
        with transaction(factory) as session:
            view = engine.show_instance(session, instance_id)
        if as_json:
            emit_json(view)
            return
        state = f"is {view.status}"
        if view.status == engine.InstanceStatus.ERROR:
            state += f" again: {view.error}"
        click.echo(f"item {instance_id} retried; it {state}")


def _fix(value: str | None) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        data = json.loads(value)
    except ValueError as exc:
        raise InvalidInput(f"--data is not JSON: {exc}", reason="not_json") from exc
    if not isinstance(data, dict):
        raise InvalidInput("--data must be a JSON object", reason="not_an_object")
    return data


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True)
def check(paths: tuple[str, ...], as_json: bool) -> None:
    """List what in these models will not run and why (no database needed); exit 6 if any."""
    with reporting(as_json):
        config = engine_config()
        report = engine.check_definitions(
            _collect(paths),
            services=config.services.keys(),
            now=config.clock(),
            max_bytes=config.max_file_bytes,
            max_multi_instance=config.max_multi_instance,
        )
    if as_json:
        emit_json(report)
    elif report.problems:
        emit_table(report.problems, PROBLEM_COLUMNS)
        click.echo(f"{len(report.problems)} problem(s) in {len(report.files)} file(s)")
    else:
        names = ", ".join(report.processes) or "none"
        click.echo(f"{len(report.files)} file(s) checked: nothing refused (processes: {names})")
    if report.notes and not as_json:
        # Accepted, nothing to do: Camunda's async attributes, data store references.
        emit_table(report.notes, [*PROBLEM_COLUMNS[:3], ("NOTE", lambda p: p.message)])
        click.echo(f"{len(report.notes)} note(s): accepted as they are, nothing to change")
    if report.problems:
        sys.exit(InvalidInput.exit_code)


def _collect(paths: tuple[str, ...]) -> list[SourceFile]:
    files: list[Path] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in CHECKED)
            )
        else:
            files.append(path)
    return [SourceFile(str(p), p.read_bytes()) for p in files]
