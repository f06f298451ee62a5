"""Files attached to items, from the command line: `pheduyet attachments add ITEM FILE... --as
USER` adds them to a running item, `attachments list ITEM` shows an item's files, `attachments gc`
removes what a crash left in the upload folder; and `pheduyet complete TASK --attach FILE` files
them under the step it completes, in the completion's own transaction (a drafting step that needs
its draft takes it so). The rules are the page's and the API's: only someone with a part in the
item may add to it, each file is checked for its type, its content and its size, and a refusal
leaves neither a row nor a file."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click
from sqlalchemy.orm import Session

import engine
from engine import system_clock, transaction

from .context import session_factory
from .output import emit_json, emit_table, reporting
from .worker import upload_folder

FILE = click.Path(exists=True, dir_okay=False, readable=True, path_type=Path)
ATTACHMENT_COLUMNS = [
    ("ID", lambda a: a.id),
    ("FILE", lambda a: a.filename),
    ("BYTES", lambda a: a.size),
    ("TYPE", lambda a: a.content_type),
    ("TASK", lambda a: a.task_id),
]


def attach_files(
    session: Session,
    instance_id: int,
    username: str,
    files: Sequence[Path],
    written: list[Path],
    task_id: str | None = None,
) -> list[engine.AttachmentView]:
    """Add `files` to the item as `username`, noting each stored file in `written`."""
    who = engine.get_identity(session, username)
    if not engine.may_contribute(session, who, instance_id):
        engine.show_instance(session, instance_id)  # an item that does not exist: not found
        raise engine.Forbidden(f"{username} has no part in item {instance_id}")
    store = upload_folder()
    limit = engine.DEFAULT_MAX_ATTACHMENT_BYTES
    added = []
    for path in files:
        with path.open("rb") as opened:
            content = opened.read(limit + 1)  # past the limit is refused: no need for the rest
        view = engine.add_attachment(
            session,
            system_clock,
            store,
            instance_id,
            username,
            path.name,
            content,
            task_id=task_id,
            max_bytes=limit,
        )
        written.append(engine.attachment_file(session, store, view.id)[1])
        added.append(view)
    return added


@click.group()
def attachments() -> None:
    """Files attached to items."""


@attachments.command("add")
@click.argument("instance_id", type=int)
@click.argument("files", nargs=-1, required=True, type=FILE)
@click.option("--as", "username", required=True)
@click.option("--task", "task_id", help="file them under this step of the item")
@click.option("--json", "as_json", is_flag=True)
def attachments_add(
    instance_id: int, files: tuple[Path, ...], username: str, task_id: str | None, as_json: bool
) -> None:
    """Add files to a running item (all or none)."""
    with reporting(as_json):
        with engine.removed_on_failure() as written, transaction(session_factory()) as session:
            added = attach_files(session, instance_id, username, files, written, task_id)
        _print(added, as_json)  # committed: a failure to say so leaves the files be
        if not as_json:
            click.echo(f"{len(added)} file(s) added to item {instance_id}")


@attachments.command("list")
@click.argument("instance_id", type=int)
@click.option("--json", "as_json", is_flag=True)
def attachments_list(instance_id: int, as_json: bool) -> None:
    """An item's files, oldest first."""
    with reporting(as_json), transaction(session_factory()) as session:
        engine.show_instance(session, instance_id)  # an item that does not exist: not found
        _print(engine.list_attachments(session, instance_id), as_json)


def _print(files: list[engine.AttachmentView], as_json: bool) -> None:
    if as_json:
        emit_json(files)
    else:
        emit_table(files, ATTACHMENT_COLUMNS)


@attachments.command("gc")
@click.option("--folder", type=click.Path(file_okay=False), help="the upload folder")
@click.option("--dry-run", is_flag=True, help="only list what would be removed")
@click.option("--json", "as_json", is_flag=True)
def attachments_gc(folder: str | None, dry_run: bool, as_json: bool) -> None:
    """Remove files of the upload folder that no attachment refers to and that are older than
    an hour (left by a crash in the middle of an upload)."""
    store = Path(folder) if folder else upload_folder()
    with reporting(as_json), transaction(session_factory()) as session:
        removed = engine.collect_orphan_files(session, system_clock, store, dry_run=dry_run)
    if as_json:
        emit_json({"folder": str(store), "dry_run": dry_run, "removed": removed})
        return
    verb = "would remove" if dry_run else "removed"
    for orphan in removed:
        written = f"{orphan.modified_at:%Y-%m-%d %H:%M} UTC"
        click.echo(f"{verb} {orphan.name} ({orphan.size:,} bytes, written {written})")
    done = "to remove from" if dry_run else "removed from"
    click.echo(f"{len(removed)} orphan file(s) {done} {store}")
