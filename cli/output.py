"""How the CLI prints: readable tables for people, exact JSON for scripts, one line per error."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, tzinfo
from typing import Any, NoReturn

import click
from sqlalchemy.exc import OperationalError, ProgrammingError

from engine import EngineError, to_jsonable
from workflows.config import work_calendar

EXIT_UNEXPECTED = 1
EXIT_BROKEN_PIPE = 141  # as a shell reports a command ended by SIGPIPE


def emit_json(value: Any) -> None:
    click.echo(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2))


def _cell(value: Any, zone: tzinfo) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        # People read the office's clock: a deadline at the end of its day is "23:59", not
        # the UTC "16:59" the database holds (JSON, for scripts, keeps the exact moment).
        local = value.astimezone(zone) if value.tzinfo else value
        return local.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value) or "-"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def emit_table(rows: Sequence[Any], columns: Sequence[tuple[str, Callable[[Any], Any]]]) -> None:
    if not rows:
        click.echo("(none)")
        return
    zone = work_calendar().zone
    cells = [[_cell(get(row), zone) for _, get in columns] for row in rows]
    widths = [max(len(title), *(len(r[i]) for r in cells)) for i, (title, _) in enumerate(columns)]
    click.echo("  ".join(t.ljust(w) for (t, _), w in zip(columns, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())


def emit(
    rows: Sequence[Any], columns: Sequence[tuple[str, Callable[[Any], Any]]], as_json: bool
) -> None:
    """Rows as JSON for scripts, or as a table for people."""
    if as_json:
        emit_json(list(rows))
    else:
        emit_table(rows, columns)


def fail(code: str, message: str, exit_code: int, as_json: bool, **extra: Any) -> NoReturn:
    if as_json:
        emit_json({"error": {"code": code, "message": message, **extra}})
    else:
        click.echo(f"error: {message}", err=True)
    sys.exit(exit_code)


@contextmanager
def reporting(as_json: bool) -> Iterator[None]:
    """Turn every failure into one line (or one JSON object) and the exit code of its kind."""
    try:
        yield
    except EngineError as exc:
        fail(exc.code, exc.message, exc.exit_code, as_json, **exc.details)
    except (OperationalError, ProgrammingError) as exc:
        text = str(exc.orig) if exc.orig is not None else str(exc)
        if "no such table" in text or "does not exist" in text:
            fail(
                "database",
                "the database is not set up: run 'pheduyet db upgrade' first",
                EXIT_UNEXPECTED,
                as_json,
            )
        fail("database", f"database error: {text.splitlines()[0]}", EXIT_UNEXPECTED, as_json)
    except (click.exceptions.Exit, click.ClickException, SystemExit):
        raise
    except BrokenPipeError:
        # The reader stopped (`pheduyet stuck | head`): nothing to say, and nowhere to say it.
        # Python would write at exit to the closed pipe again; it writes to nothing instead.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    except Exception as exc:  # the last line of defence: never a stack trace
        fail("unexpected", f"unexpected error: {exc.__class__.__name__}: {exc}", 1, as_json)
