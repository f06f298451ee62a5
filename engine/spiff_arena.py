"""SpiffArena's script environment: the helpers its models call in scripts and conditions.

SpiffArena pre-loads names into every script (`datetime` the module, `timedelta`, `time`,
`Decimal`, ...) and offers functions that read the server's state: who started the item, who
is completing the task, who last completed a step, who is in a group. Here they are plain
functions over what the running action tells them (`acting`): the session, for reads only,
the person acting (None for a timer fired by the worker) and the item. Nothing a script
reaches is a module or an ORM object: only plain values (a user is a dict of strings).

`lane_owners` (a dict in the item's data, from lane name to user names) assigns a lane's
tasks, as SpiffArena does: see `lane_candidates`.
"""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .audit import AuditEventModel
from .clock import Clock
from .db import read_rows
from .definition_checks import owner_id
from .errors import InvalidDefinition
from .sandbox import SandboxViolation
from .script_languages import is_python
from .users import GroupModel, UserModel, membership
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import SPIFF_NS

MAX_NAME = 200
# SpiffArena's test for the lane whose tasks go to whoever started the item.
_INITIATOR_LANE = re.compile(r"(process.?)initiator", re.IGNORECASE)
# SpiffArena's script functions that read or change what only SpiffArena has (its secrets,
# environment, permissions, front end, files, user properties): a script calling one is refused
# at deploy, naming it, rather than failing with a NameError when the item gets there.
NOT_HERE = {
    "add_permission": "permissions are managed in Quản trị",
    "add_user_to_group": "groups are managed in Quản trị or with pheduyet users",
    "delete_process_instances_with_criteria": "items are cancelled, never deleted",
    "get_all_permissions": "permissions are managed in Quản trị",
    "get_current_task_info": "use the task's data",
    "get_data_sizes": "there is no such report here",
    "get_encoded_file_data": "attachments are kept with the item, not in its data",
    "get_env": "the server's environment is not open to diagrams",
    "get_frontend_url": "there is no SpiffArena front end",
    "get_markdown_file_download_link": "attachments are kept with the item",
    "get_secret": "secrets belong in a service handler (PHEDUYET_SERVICES)",
    "get_task_data_value": "read the variable by its name",
    "get_url_for_task_with_bpmn_identifier": "there is no SpiffArena front end",
    "get_user_properties": "people's details come from get_current_user()",
    "markdown_file_download_link": "attachments are kept with the item",
    "refresh_permissions": "permissions are managed in Quản trị",
    "set_user_properties": "people's details are managed in Quản trị",
    "user_has_permission": "permissions are managed in Quản trị",
    "clear_permissions": "permissions are managed in Quản trị",
    "create_unique_kkv_top_level_key": "SpiffArena data stores are not offered",
    "fact_service": "it is SpiffArena's demonstration service",
    "get_current_task_data": "read the variables by their names",
    "get_dmn": "decisions run in business rule tasks",
    "get_groups_assigned_to_task": "a task's candidates are shown on the task",
    "get_task_potential_owners": "a task's candidates are shown on the task",
    "get_url_for_task": "there is no SpiffArena front end",
    "get_user_by_id": "people are named by their user names",
    "get_usernames_waiting_for_task": "a task's candidates are shown on the task",
    "get_users_assigned_to_task": "a task's candidates are shown on the task",
    "save_process_instance_metadata": "the item's data is searchable as it is",
    "set_feature_flags": "there are no feature flags",
    "set_secret": "secrets belong in a service handler (PHEDUYET_SERVICES)",
    "times_executed_by_user": "there is no such report here",
    "update_task_data_with_dictionary": "set the variables by their names",
    "user_has_started_instance": "there is no such report here",
}


@dataclass(frozen=True)
class ScriptActor:
    """What the running action tells the helpers."""

    session: Session
    actor: str | None  # the person whose action runs the scripts; None for a timer
    item_id: int | None
    process_id: str | None
    started_by: str | None


_acting: ContextVar[ScriptActor | None] = ContextVar("pheduyet_script_actor", default=None)


@contextmanager
def acting(session: Session, actor: str | None, instance: Any) -> Iterator[None]:
    """Tell the helpers who acts on which item while the workflow runs."""
    token = _acting.set(
        ScriptActor(
            session=session,
            actor=actor,
            item_id=getattr(instance, "id", None),
            process_id=getattr(instance, "process_id", None),
            started_by=getattr(instance, "created_by", None),
        )
    )
    try:
        yield
    finally:
        _acting.reset(token)


def current_actor() -> ScriptActor | None:
    return _acting.get()


# A person as scripts see them: read by Core with the statement built once (a diagram may ask
# who acts at every step it runs).
_USER_ROW = select(
    UserModel.username, UserModel.display_name, UserModel.email, UserModel.unit
).where(UserModel.username == bindparam("username"))


def _user(session: Session, username: str | None) -> dict[str, Any] | None:
    if not username:
        return None
    row = read_rows(session, _USER_ROW, {"username": username}).first()
    if row is None:
        return {"username": username, "display_name": username, "email": None, "unit": None}
    return {
        "username": row.username,
        "display_name": row.display_name,
        "email": row.email,
        "unit": row.unit,
    }


def _zone(name: Any, default: tzinfo) -> tzinfo:
    if name is None or name == "":
        return default
    if not isinstance(name, str) or len(name) > 64:
        raise SandboxViolation("a time zone is a name such as 'Asia/Ho_Chi_Minh'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise SandboxViolation(f"unknown time zone {name!r}") from exc


class _TimeModule:
    """`time` as SpiffArena scripts use it: `time.time()` reads the engine's clock, and
    `time.sleep()` returns at once: SpiffArena's examples sleep only to slow a demo down, and
    here a script runs inside the action's transaction, which must not wait."""

    __slots__ = ("_clock",)

    def __init__(self, clock: Clock) -> None:
        self._clock = clock

    def time(self) -> float:
        return self._clock().timestamp()

    def sleep(self, seconds: Any) -> None:
        if not isinstance(seconds, int | float) or isinstance(seconds, bool) or seconds < 0:
            raise SandboxViolation("time.sleep() takes a number of seconds")


class _Zone(ZoneInfo):
    """A zone as `pytz.timezone()` gives it: a tzinfo with pytz's `localize()` and
    `normalize()`, which scripts written for pytz call."""

    def localize(self, moment: Any, is_dst: Any = None) -> datetime:
        if not isinstance(moment, datetime):
            raise SandboxViolation("localize() takes a datetime")
        return moment.replace(tzinfo=self)

    def normalize(self, moment: Any) -> datetime:
        if not isinstance(moment, datetime) or moment.tzinfo is None:
            raise SandboxViolation("normalize() takes a datetime with a time zone")
        return moment.astimezone(self)


class _Pytz:
    """`pytz` as SpiffArena offers it to scripts: `pytz.timezone(name)`, `pytz.utc`."""

    __slots__ = ()
    utc = _Zone("UTC")
    UTC = utc

    def timezone(self, name: Any) -> tzinfo:
        if name in ("UTC", "utc"):
            return self.utc
        return _Zone(str(_zone(name, UTC)))


def spiff_arena_helpers(clock: Clock, zone: tzinfo) -> dict[str, Any]:
    """The names SpiffArena's script engine offers, as the sandbox offers them."""

    def get_current_user() -> dict[str, Any] | None:
        """The person completing the task (or starting the item); None when a timer runs."""
        context = current_actor()
        return _user(context.session, context.actor) if context else None

    def get_process_initiator_user() -> dict[str, Any] | None:
        """The person who started the item."""
        context = current_actor()
        return _user(context.session, context.started_by) if context else None

    def get_last_user_completing_task(item_id: Any, task_bpmn_identifier: Any) -> str | None:
        """The user name of whoever last completed the step `task_bpmn_identifier` of the item
        (SpiffArena's process instance id), None when nobody has yet."""
        context = current_actor()
        if context is None or not isinstance(task_bpmn_identifier, str):
            return None
        try:
            wanted = int(item_id) if item_id is not None else context.item_id
        except (TypeError, ValueError) as exc:
            raise SandboxViolation("the process instance id must be a whole number") from exc
        found = context.session.scalars(
            select(AuditEventModel.actor)
            .where(
                AuditEventModel.instance_id == wanted,
                AuditEventModel.kind == "completed",
                AuditEventModel.element_id == task_bpmn_identifier[:MAX_NAME],
            )
            .order_by(AuditEventModel.seq.desc())
            .limit(1)
        ).first()
        return found

    def get_group_members(group_identifier: Any) -> list[str]:
        """The user names of a group's members (its key or its name), sorted."""
        context = current_actor()
        if context is None or not isinstance(group_identifier, str):
            return []
        name = group_identifier.strip()[:MAX_NAME]
        keys = select(GroupModel.key).where((GroupModel.key == name) | (GroupModel.name == name))
        members = select(membership.c.username).where(membership.c.group_key.in_(keys))
        in_unit = select(UserModel.username).where(UserModel.unit.in_(keys))
        rows = context.session.scalars(members.union(in_unit)).all()
        return sorted(set(rows))

    def get_localtime(moment: Any, timezone: Any = None) -> datetime:
        """`moment` (a datetime or an ISO text; naive means UTC) in the zone `timezone`
        (the office's when not given)."""
        value = datetime.fromisoformat(moment) if isinstance(moment, str) else moment
        if not isinstance(value, datetime):
            raise SandboxViolation("get_localtime() takes a datetime or an ISO 8601 text")
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(_zone(timezone, zone))

    def get_toplevel_process_info() -> dict[str, Any]:
        """The item's id and process id (SpiffArena's process_instance_id and
        process_model_identifier)."""
        context = current_actor()
        if context is None:
            return {}
        return {
            "process_instance_id": context.item_id,
            "process_model_identifier": context.process_id,
        }

    def get_process_initiator_username() -> str | None:
        context = current_actor()
        return context.started_by if context else None

    def get_user() -> str | None:
        """SpiffArena's older name: the user name of the person whose action runs the script."""
        context = current_actor()
        return context.actor if context else None

    def get_groups_for_user() -> list[str]:
        """The keys of the groups of the person whose action runs the script, sorted."""
        context = current_actor()
        if context is None or context.actor is None:
            return []
        keys = select(membership.c.group_key).where(membership.c.username == context.actor)
        return sorted(set(context.session.scalars(keys).all()))

    return {
        "get_current_user": get_current_user,
        "get_process_initiator_user": get_process_initiator_user,
        "get_last_user_completing_task": get_last_user_completing_task,
        "get_group_members": get_group_members,
        "get_localtime": get_localtime,
        "get_toplevel_process_info": get_toplevel_process_info,
        "get_process_info": get_toplevel_process_info,  # no subprocess has an item of its own
        "get_process_initiator_username": get_process_initiator_username,
        "get_user": get_user,
        "get_groups_for_user": get_groups_for_user,
        "generate_markdown_table": generate_markdown_table,
        "Decimal": Decimal,
        "time": _TimeModule(clock),
        "pytz": _Pytz(),
    }


def generate_markdown_table(columns: Any, data: Any) -> str:
    """SpiffArena's `generate_markdown_table(columns, data)`: a Markdown table of `data` (a
    list of dicts) with `columns` (names, or dicts with `property` and `label`)."""
    if not isinstance(columns, list) or not isinstance(data, list):
        raise SandboxViolation("generate_markdown_table() takes a list of columns and a list")
    heads = [
        c
        if isinstance(c, dict)
        else {"property": c, "label": str(c).replace("_", " ").capitalize()}
        for c in columns
    ]
    lines = [
        "| " + " | ".join(str(h.get("label", h.get("property", ""))) for h in heads) + " |",
        "| " + " | ".join("----" for _ in heads) + " |",
    ]
    for row in data:
        cells = [
            str(row.get(h.get("property"), "") if isinstance(row, dict) else "").replace("|", "\\|")
            for h in heads
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def lane_candidates(task: Any, starter: str | None = None) -> list[str]:
    """The users SpiffArena gives a lane's task: the item's starter for a lane named as its
    initiator ("Process Initiator", `process_initiator`), else those `lane_owners` (in the
    task's data) names for the lane."""
    lane = getattr(task.task_spec, "lane", None)
    if lane and starter and _INITIATOR_LANE.match(lane):
        return [starter]
    owners = task.data.get("lane_owners") if isinstance(task.data, dict) else None
    if not lane or not isinstance(owners, dict):
        return []
    named = owners.get(lane)
    if isinstance(named, str):
        named = [named]
    if not isinstance(named, list | tuple):
        return []
    return [str(n).strip() for n in named if n is not None and str(n).strip()]


def settle_empty_scripts(spec: Any) -> None:
    """A script task drawn without a script (SpiffArena's modeler leaves a new one so) does
    nothing, as in SpiffArena, instead of failing when it runs."""
    for task_spec in spec.task_specs.values():
        if hasattr(task_spec, "script") and task_spec.script is None:
            task_spec.script = ""


def check_spiff_arena_calls(file_name: str, root: Any) -> None:
    """Refuse a script that calls one of SpiffArena's functions this engine does not offer."""
    elements = [
        *root.iter(f"{{{BPMN}}}script"),
        *root.iter(f"{{{SPIFF_NS}}}preScript"),
        *root.iter(f"{{{SPIFF_NS}}}postScript"),
        *root.iter(f"{{{BPMN}}}conditionExpression"),
    ]
    for element in elements:
        text = element.text or ""
        if not any(name in text for name in NOT_HERE) or not is_python(element):
            continue
        try:
            tree = ast.parse(textwrap.dedent(text))
        except SyntaxError:
            continue  # the script check says where
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            if isinstance(func, ast.Name) and func.id in NOT_HERE:
                raise InvalidDefinition(
                    f"{func.id}() is one of SpiffArena's own functions and does not exist "
                    f"here: {NOT_HERE[func.id]}",
                    file=file_name,
                    element_id=owner_id(element),
                    line=(element.sourceline or 1) + node.lineno - 1,
                    reason="spiff_arena_function",
                    function=func.id,
                )
