"""`pheduyet`: the operator's and the scripts' way into the engine. Exit codes: 0 ok,
1 unexpected, 2 usage, 3 not found, 4 forbidden, 5 conflict, 6 invalid input."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

import engine
from engine import system_clock, transaction
from workflows import engine_config
from workflows.config import audit_key
from workflows.items import hand_start

from .attachments import FILE, attach_files, attachments
from .context import model_files, moment, session_factory
from .department import demo, plan
from .messages import message, signal
from .notify import notify
from .org import org
from .output import emit, emit_json, emit_table, reporting
from .registers import registers
from .services import check, retry
from .serving import serve
from .stuck import stuck
from .task_report import report
from .tokens import tokens
from .webhooks import webhooks
from .worker import POLL_SECONDS, make_worker, worker
from .worker import loop as worker_loop


def _json_object(value: str | None, what: str) -> dict[str, Any] | None:
    if value is None:
        return None
    try:
        data = json.loads(value)
    except json.JSONDecodeError as exc:
        raise engine.InvalidData(f"{what} is not valid JSON: {exc.msg}") from exc
    if not isinstance(data, dict):
        raise engine.InvalidData(f"{what} must be a JSON object")
    return data


TASK_COLUMNS = [
    ("ID", lambda t: t.id),
    ("ITEM", lambda t: t.instance_id),
    ("PROCESS", lambda t: t.process_id),
    ("STEP", lambda t: t.title),
    ("LANE", lambda t: t.lane),
    ("HOLDER", lambda t: t.assignee or ", ".join(t.candidate_groups + t.candidate_users)),
    ("CREATED", lambda t: t.created_at),
    ("DUE", lambda t: t.due_at),
]


def _print_instance(view: engine.InstanceView, as_json: bool) -> None:
    if as_json:
        emit_json(view)
        return
    click.echo(f"Item {view.id}: {view.title}")
    click.echo(f"  process {view.process_id} v{view.version}, {view.status}")
    click.echo(f"  started by {view.created_by} at {view.created_at:%Y-%m-%d %H:%M}")
    if view.error:
        click.echo(f"  error: {view.error}")
    click.echo("Open tasks:")
    emit_table(view.open_tasks, TASK_COLUMNS)
    click.echo("History:")
    emit_table(
        view.history,
        [
            ("AT", lambda h: h.at),
            ("WHO", lambda h: h.actor),
            ("WHAT", lambda h: h.kind),
            ("STEP", lambda h: h.element_id),
            ("DECISION", lambda h: h.decision),
            ("COMMENT", lambda h: h.comment),
        ],
    )


@click.group()
def main() -> None:
    """pheduyet: BPMN approval workflows."""


@main.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema."""
    with reporting(False):
        engine.upgrade_database(engine.create_db_engine())
        click.echo(f"database is up to date ({engine.database_url().split('@')[-1]})")


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--as", "username", help="who deploys (recorded with the version)")
@click.option("--json", "as_json", is_flag=True)
def deploy(paths: tuple[str, ...], username: str | None, as_json: bool) -> None:
    """Deploy BPMN/DMN files and their JSON forms (files or folders)."""
    with reporting(as_json):
        config = engine_config()
        with transaction(session_factory()) as session:
            results = engine.deploy(
                session,
                model_files(paths),
                config.clock,
                username,
                config.max_file_bytes,
                services=config.services.keys(),
                timezone=config.timezone,
            )
        if as_json:
            emit_json(results)
            return
        for r in results:
            state = "deployed as" if r.created else "unchanged, stays"
            click.echo(f"{r.process_id}: {state} version {r.version}")


@main.command()
@click.option("--json", "as_json", is_flag=True)
def processes(as_json: bool) -> None:
    """List deployed processes (latest version of each)."""
    with reporting(as_json), transaction(session_factory()) as session:
        emit(
            engine.list_processes(session),
            [
                ("PROCESS", lambda p: p.process_id),
                ("NAME", lambda p: p.name),
                ("VERSION", lambda p: p.version),
                ("DIALECT", lambda p: p.dialect),
                ("DEPLOYED", lambda p: p.deployed_at),
            ],
            as_json,
        )


@main.group()
def groups() -> None:
    """Groups (units, roles) that lanes and candidate groups refer to."""


@groups.command("add")
@click.argument("key")
@click.option("--name", help="display name")
@click.option(
    "--outside/--not-outside",
    default=None,
    help="mark (or unmark) it as an outside actor: a body outside the organisation whose "
    "members receive its tasks; forms offer these (x-options: outside_actors)",
)
def groups_add(key: str, name: str | None, outside: bool | None) -> None:
    with reporting(False), transaction(session_factory()) as session:
        engine.add_group(session, key, name, outside=outside)
    click.echo(f"group {key} saved")


@main.group()
def users() -> None:
    """People who log in and act on tasks."""


@users.command("add")
@click.argument("username")
@click.option("--name", help="display name")
@click.option("--unit", help="the unit (phòng, đơn vị) the person belongs to")
@click.option("--group", "group_keys", multiple=True, help="a group to join (repeatable)")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@click.option("--email", help="where notifications are mailed")
def users_add(
    username: str,
    name: str | None,
    unit: str | None,
    group_keys: tuple[str, ...],
    password_stdin: bool,
    email: str | None,
) -> None:
    with reporting(False):
        password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
        with transaction(session_factory()) as session:
            engine.add_user(
                session,
                username,
                display_name=name,
                unit=unit,
                groups=group_keys,
                password=password,
            )
            if email is not None:
                engine.set_email(session, username, email)
    click.echo(f"user {username} saved")


@users.command("email")
@click.argument("username")
@click.argument("address")
@click.option("--locale", type=click.Choice(engine.LOCALES), help="the language of their mail")
def users_email(username: str, address: str, locale: str | None) -> None:
    """Set where USERNAME's notifications are mailed ("" removes the address)."""
    with reporting(False), transaction(session_factory()) as session:
        engine.set_email(session, username, address)
        if locale is not None:
            engine.set_locale(session, username, locale)
    click.echo(f"{username}: {address or 'no email address'}")


@main.command()
@click.argument("process_id")
@click.option("--as", "username", required=True)
@click.option("--title")
@click.option("--data", help="JSON object of starting data")
@click.option("--json", "as_json", is_flag=True)
def start(
    process_id: str, username: str, title: str | None, data: str | None, as_json: bool
) -> None:
    """Start a new item on the latest version of a process."""
    with reporting(as_json):
        config = engine_config()
        factory = session_factory()
        # Named and given the catalog's start data as the web does; the catalog's rules of who
        # may start, and its checks of the fields a person types, are the web's: an operator
        # starts any process with the data it needs, checked by the engine.
        named, start_data = hand_start(process_id, title, _json_object(data, "--data") or {})
        with transaction(factory) as session:
            instance_id = engine.start_instance(
                session, config, process_id, username, title=named, data=start_data
            )
        with transaction(factory) as session:
            view = engine.show_instance(session, instance_id)
        if as_json:
            emit_json(view)
        else:
            click.echo(f"started item {view.id}: {view.title}")
            emit_table(view.open_tasks, TASK_COLUMNS)


@main.command()
@click.option("--as", "username")
@click.option("--instance", "instance_id", type=int)
@click.option("--all", "show_all", is_flag=True, help="every open task")
@click.option("--json", "as_json", is_flag=True)
def tasks(username: str | None, instance_id: int | None, show_all: bool, as_json: bool) -> None:
    """Open tasks: what USER may act on, those of one item, or all."""
    if not (username or instance_id or show_all):
        raise click.UsageError("give --as USER, --instance ID or --all")
    with reporting(as_json), transaction(session_factory()) as session:
        if username and not show_all:
            rows = engine.tasks_for(session, username)
            if instance_id is not None:
                rows = [t for t in rows if t.instance_id == instance_id]
        else:
            rows = engine.open_tasks(session, instance_id)
        emit(rows, TASK_COLUMNS, as_json)


@main.command()
@click.argument("task_id")
@click.option("--as", "username", required=True)
def claim(task_id: str, username: str) -> None:
    """Take a group task as your own."""
    with reporting(False), transaction(session_factory()) as session:
        engine.claim_task(session, engine_config(), task_id, username)
    click.echo(f"task {task_id} is now held by {username}")


@main.command()
@click.argument("task_id")
@click.option("--as", "username", required=True)
def unclaim(task_id: str, username: str) -> None:
    """Give a claimed task back to its group."""
    with reporting(False), transaction(session_factory()) as session:
        engine.unclaim_task(session, engine_config(), task_id, username)
    click.echo(f"task {task_id} is back with its group")


@main.command()
@click.argument("task_id")
@click.option("--to", "to_username", required=True)
@click.option("--as", "username", required=True)
@click.option("--comment")
def assign(task_id: str, to_username: str, username: str, comment: str | None) -> None:
    """Forward a task to a colleague: someone of your unit, its leaders, or of a unit you lead
    (anyone else is refused: exit 4, reason not_a_colleague)."""
    with reporting(False), transaction(session_factory()) as session:
        engine.assign_task(
            session, engine_config(), task_id, username, to_username, comment=comment
        )
    click.echo(f"task {task_id} forwarded to {to_username}")


@main.command()
@click.argument("task_id")
@click.option("--as", "username", required=True)
@click.option("--data", help="JSON object of form data")
@click.option("--comment")
@click.option("--attach", "files", multiple=True, type=FILE, help="a file for the step (repeat)")
@click.option("--json", "as_json", is_flag=True)
def complete(
    task_id: str,
    username: str,
    data: str | None,
    comment: str | None,
    files: tuple[Path, ...],
    as_json: bool,
) -> None:
    """Complete a task with its form data, and the files the step needs (--attach)."""
    with reporting(as_json):
        factory = session_factory()
        with engine.removed_on_failure() as written, transaction(factory) as session:
            if files:
                task = engine.get_task(session, task_id)
                attach_files(session, task.instance_id, username, files, written, task.id)
            instance_id = engine.complete_task(
                session,
                engine_config(),
                task_id,
                username,
                data=_json_object(data, "--data"),
                comment=comment,
            )
        with transaction(factory) as session:
            view = engine.show_instance(session, instance_id)
        if as_json:
            emit_json(view)
        else:
            click.echo(f"task {task_id} completed; item {view.id} is {view.status}")
            emit_table(view.open_tasks, TASK_COLUMNS)


@main.command()
@click.argument("instance_id", type=int)
@click.option("--as", "username", required=True)
@click.option("--reason", required=True)
def cancel(instance_id: int, username: str, reason: str) -> None:
    """Cancel an item, with the reason."""
    with reporting(False), transaction(session_factory()) as session:
        engine.cancel_instance(session, engine_config(), instance_id, username, reason)
    click.echo(f"item {instance_id} cancelled")


@main.command()
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def show(instance_id: int, as_json: bool) -> None:
    """One item: its state, open tasks and whole history."""
    with reporting(as_json), transaction(session_factory()) as session:
        _print_instance(engine.show_instance(session, instance_id), as_json)


@main.command()
@click.option("--once", is_flag=True, help="fire what is due now, then stop")
@click.option("--now", "now_text", help="act as if it were this moment (ISO 8601)")
def timers(once: bool, now_text: str | None) -> None:
    """Fire due timers once (--once); without it, the same loop as `pheduyet worker`."""
    if not once:
        worker_loop(now_text, POLL_SECONDS)
        return
    with reporting(False):
        background = make_worker(moment(now_text))
        started = engine.run_start_timers(background.factory, background.config)
        fired = engine.run_due_timers(background.factory, background.config)
    if started:
        click.echo(f"{started} timer start event(s) were due")
    click.echo(f"{fired} item(s) had due timers")


@main.group()
def audit() -> None:
    """The tamper-evident history."""


NO_KEY_LIMIT = (
    "no audit key is set (PHEDUYET_AUDIT_KEY or PHEDUYET_AUDIT_KEY_FILE): the seals use the "
    "public SHA-256 recipe, so someone with SQL access who recomputes every hash, the chain "
    "and its head with that recipe is not detected; only a checkpoint kept elsewhere "
    "(--since) still catches a rewrite before it"
)


@audit.command("verify")
@click.argument("instance_id", type=int, required=False)
@click.option("--since", "checkpoint", help="a line printed by `audit checkpoint`")
def audit_verify(instance_id: int | None, checkpoint: str | None) -> None:
    """Check the history of one item, or of every item and the chain across them. Exit code 1
    when something was altered, deleted or added outside the application."""
    with reporting(False), transaction(session_factory()) as session:
        report = engine.audit_report(session, instance_id, since=checkpoint)
    if not report.keyed:
        click.echo(f"note: {NO_KEY_LIMIT}", err=True)
        if report.unchecked:
            click.echo(
                f"note: {report.unchecked} seal(s) were made with a key and were not checked",
                err=True,
            )
    if not report.problems:
        since = " and it still holds the checkpoint" if checkpoint else ""
        click.echo(
            f"ok: {report.checked} item(s), {report.events} event(s), every history intact{since}"
        )
        return
    for p in report.problems:
        where = "chain" if p.instance_id is None else f"item {p.instance_id}"
        click.echo(f"{where}: {p.message}", err=True)
    sys.exit(1)


@audit.command("checkpoint")
def audit_checkpoint() -> None:
    """Print the chain's head, signed with the audit key, as one line to keep outside the
    database (a log, a ticket, paper); `audit verify --since LINE` checks it later."""
    with reporting(False), transaction(session_factory()) as session:
        checkpoint = engine.make_checkpoint(session, system_clock())
    if checkpoint.seal != "hmac-sha256":
        click.echo(f"note: {NO_KEY_LIMIT}", err=True)
    click.echo(checkpoint.line())


@audit.command("adopt")
def audit_adopt() -> None:
    """Seal the whole history anew with the audit key, after checking it with the public
    recipe: once, when a key is set on a database whose history was sealed without one."""
    key = audit_key()
    if key is None:
        click.echo("error: set PHEDUYET_AUDIT_KEY or PHEDUYET_AUDIT_KEY_FILE first", err=True)
        sys.exit(6)
    with reporting(False):
        # Checked without the key: the seals it finds are the public recipe's.
        with transaction(engine.session_factory(engine.create_db_engine())) as session:
            problems = engine.audit_report(session).problems
        if problems:
            for p in problems:
                where = "chain" if p.instance_id is None else f"item {p.instance_id}"
                click.echo(f"{where}: {p.message}", err=True)
            click.echo("error: the history is not intact; nothing was sealed", err=True)
            sys.exit(1)
        with transaction(session_factory()) as session:
            sealed = engine.reseal_chain(session, key)
    click.echo(f"ok: {sealed} event(s) sealed with the audit key")


main.add_command(attachments)
main.add_command(plan)
main.add_command(serve)
main.add_command(worker)
main.add_command(demo)
main.add_command(report)
main.add_command(registers)
main.add_command(org)
main.add_command(retry)
main.add_command(check)
main.add_command(stuck)
main.add_command(message)
main.add_command(signal)
main.add_command(webhooks)
main.add_command(tokens)
main.add_command(notify)
