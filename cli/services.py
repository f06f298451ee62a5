"""`pheduyet retry ITEM` (run an item parked in error again) and `pheduyet check PATH…` (what a
folder of models would be refused for, without a database)."""

from __future__ import annotations

import sys

import click

import engine
from engine import InvalidInput, transaction
from workflows import engine_config

from .context import json_object, model_files, session_factory
from .output import emit_json, emit_table, reporting

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
        fixed = json_object(data)
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


@click.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--json", "as_json", is_flag=True)
def check(paths: tuple[str, ...], as_json: bool) -> None:
    """List what in these models will not run and why (no database needed); exit 6 if any."""
    with reporting(as_json):
        config = engine_config()
        report = engine.check_definitions(
            model_files(paths),
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
