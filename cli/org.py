"""`pheduyet org load`: put an org chart (units, their leaders' groups, the outside actors, the
people) into the database, the way a production database gets its units. Idempotent: what is
there already is updated to the chart, never removed, and nobody's password is ever reset.

Passwords: new people get none unless `--password-file` gives one (its first line, the same for
every new person), so by default they cannot log in until Quản trị sets theirs; existing people
keep the one they have either way."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
from sqlalchemy.orm import Session

import engine
from engine import transaction
from workflows.org_chart import DEFAULT_PATH, OrgChart, load_org_chart, read_org_chart

from .context import session_factory
from .output import emit_json, emit_table, reporting

MIN_PASSWORD = 8  # the engine's own minimum (engine.add_user)


@dataclass(frozen=True)
class Change:
    kind: str  # "unit", "group" or "person"
    key: str
    name: str
    state: str  # "created", "updated" or "kept"
    password: str | None = None  # people only: "set", "none" (new, cannot log in), "kept"


def _text(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip())


def _problems(data: Any) -> list[str]:
    """What makes a chart file unusable, each said so that its author can find it."""
    if not isinstance(data, dict):
        return ["the chart must be a JSON object"]
    problems: list[str] = []
    if not _text(data.get("organisation")):
        problems.append("'organisation' must be a non-empty text")
    sections = {}
    for section in ("units", "groups", "users"):
        rows = data.get(section)
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            problems.append(f"'{section}' must be a list of objects")
            rows = []
        sections[section] = rows
    group_keys: set[str] = set()
    for n, group in enumerate(sections["groups"], 1):
        if not (_text(group.get("key")) and _text(group.get("name"))):
            problems.append(f"groups #{n}: 'key' and 'name' must be non-empty texts")
        elif group["key"] in group_keys:
            problems.append(f"groups #{n}: '{group['key']}' is listed twice")
        else:
            group_keys.add(group["key"])
    unit_keys: set[str] = set()
    if not sections["units"] and isinstance(data.get("units"), list):
        problems.append("'units' lists no unit")
    for n, unit in enumerate(sections["units"], 1):
        if not all(_text(unit.get(f)) for f in ("key", "name", "leaders_group")):
            problems.append(f"units #{n}: 'key', 'name' and 'leaders_group' must be non-empty")
            continue
        key = unit["key"]
        if key in unit_keys:
            problems.append(f"units #{n}: '{key}' is listed twice")
        unit_keys.add(key)
        for needed in (key, unit["leaders_group"]):
            if needed not in group_keys:
                problems.append(f"units #{n}: group '{needed}' is not in 'groups'")
    usernames: set[str] = set()
    for n, person in enumerate(sections["users"], 1):
        where = f"users #{n}"
        if not all(_text(person.get(f)) for f in ("username", "name", "title")):
            problems.append(f"{where}: 'username', 'name' and 'title' must be non-empty texts")
            continue
        where = f"users #{n} ({person['username']})"
        if person["username"] in usernames:
            problems.append(f"{where}: listed twice")
        usernames.add(person["username"])
        unit = person.get("unit")
        if unit is not None and unit not in unit_keys:
            problems.append(f"{where}: unit '{unit}' is not in 'units'")
        groups = person.get("groups")
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            problems.append(f"{where}: 'groups' must be a list of group keys")
            continue
        problems.extend(
            f"{where}: group '{g}' is not in 'groups'" for g in groups if g not in group_keys
        )
    return problems


def read_chart(path: Path) -> OrgChart:
    """The chart of a file, or InvalidInput (exit code 6) naming everything wrong with it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise engine.InvalidInput(
            f"cannot read the chart {path}: {exc.strerror}", reason="chart_unreadable"
        ) from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise engine.InvalidInput(
            f"the chart {path} is not valid JSON (UTF-8): {exc}", reason="chart_not_json"
        ) from exc
    problems = _problems(data)
    if problems:
        raise engine.InvalidInput(
            f"the chart {path} is not usable, nothing was loaded: " + "; ".join(problems),
            reason="chart_invalid",
            problems=problems,
        )
    return read_org_chart(path)


def read_password(path: str | None) -> str | None:
    if path is None:
        return None
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise engine.InvalidInput(
            f"cannot read the password file {path}", reason="password_file_unreadable"
        ) from exc
    password = lines[0] if lines else ""
    if len(password) < MIN_PASSWORD:
        raise engine.InvalidInput(
            f"the first line of {path} must be a password of at least {MIN_PASSWORD} characters",
            reason="password_too_short",
            minimum=MIN_PASSWORD,
        )
    return password


def _changes(session: Session, chart: OrgChart, password: str | None) -> list[Change]:
    """What loading the chart will do, judged before it is loaded."""
    groups = dict(engine.list_groups(session))
    units = {key for key, _name in engine.list_units(session)}
    people = {u.username: u for u in engine.list_users(session)}
    unit_keys = {u.key for u in chart.units}
    changes: list[Change] = []
    for key, name in chart.groups:
        is_unit = key in unit_keys
        if key not in groups:
            state = "created"
        elif groups[key] != name or (is_unit and key not in units):
            state = "updated"
        else:
            state = "kept"
        changes.append(Change("unit" if is_unit else "group", key, name, state))
    for person in chart.people:
        name = f"{person.name} ({person.title})"
        found = people.get(person.username)
        if found is None:
            changes.append(
                Change("person", person.username, name, "created", "set" if password else "none")
            )
            continue
        same = (
            found.display_name == name
            and found.unit == person.unit
            and set(person.groups) <= set(found.groups)
        )
        changes.append(
            Change("person", person.username, name, "kept" if same else "updated", "kept")
        )
    return changes


def _count(changes: list[Change], kinds: tuple[str, ...]) -> str:
    picked = [c for c in changes if c.kind in kinds]
    states = ("created", "updated", "kept")
    return ", ".join(f"{sum(1 for c in picked if c.state == s)} {s}" for s in states)


@click.group()
def org() -> None:
    """The org chart: units, their leaders' groups, outside actors and people."""


@org.command("load")
@click.option(
    "--chart",
    "chart_path",
    type=click.Path(dir_okay=False),
    default=str(DEFAULT_PATH),
    show_default="the shipped 2025 chart, workflows/data/org_chart.json",
    help="the chart file (workflows/data/org_chart_2020.json: the 2020 structure)",
)
@click.option(
    "--password-file",
    type=click.Path(dir_okay=False),
    help="a file whose first line is the password of every NEW person (existing ones keep theirs)",
)
@click.option(
    "--no-passwords",
    is_flag=True,
    help="new people get no password (the default): Quản trị sets each one before they log in",
)
@click.option("--json", "as_json", is_flag=True)
def org_load(chart_path: str, password_file: str | None, no_passwords: bool, as_json: bool) -> None:
    """Load an org chart into the database (idempotent; never removes anything, never resets
    a password)."""
    if password_file and no_passwords:
        raise click.UsageError("give --password-file or --no-passwords, not both")
    with reporting(as_json):
        path = Path(chart_path)
        chart = read_chart(path)
        password = read_password(password_file)
        with transaction(session_factory()) as session:
            changes = _changes(session, chart, password)
            load_org_chart(session, chart, password)
            others = sorted(
                key for key, _name in engine.list_units(session) if chart.unit(key) is None
            )
    without = [c.key for c in changes if c.password == "none"]
    if as_json:
        emit_json(
            {
                "chart": str(path),
                "organisation": chart.organisation,
                "changes": changes,
                "units_not_in_chart": others,
                "without_password": without,
            }
        )
        return
    click.echo(f"{chart.organisation}: {path}")
    emit_table(
        changes,
        [
            ("KIND", lambda c: c.kind),
            ("KEY", lambda c: c.key),
            ("NAME", lambda c: c.name),
            ("STATE", lambda c: c.state),
            ("PASSWORD", lambda c: c.password),
        ],
    )
    click.echo(f"units: {_count(changes, ('unit',))}")
    click.echo(f"other groups: {_count(changes, ('group',))}")
    click.echo(f"people: {_count(changes, ('person',))}; existing passwords were not touched")
    if others:
        click.echo(
            f"units of the database not in this chart, left as they are: {', '.join(others)}"
        )
    if without:
        click.echo(
            f"{len(without)} new person(s) have no password and cannot log in until one is "
            "set in Quản trị (Người dùng) or with `pheduyet users add USERNAME --password-stdin`"
        )
