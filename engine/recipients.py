"""Who is to be told: the people behind a task's candidates, a unit's leaders."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import BindParameter, String, bindparam, func, or_, select, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement

from .db import cast_table, held_object, read_rows
from .forwarding import Hierarchy
from .instances import InstanceModel
from .users import GroupModel, UserModel, membership

_users = cast_table(UserModel)
_groups = cast_table(GroupModel)
_USERS: BindParameter[list[str]] = bindparam("users", expanding=True)
_GROUPS: BindParameter[list[str]] = bindparam("groups", expanding=True)


class _Folded(FunctionElement[str]):
    """A person's column case aside, as the index of migration 0026 holds it: lower() on
    PostgreSQL; on SQLite the column under the NOCASE collation, which folds the same letters
    as SQLite's lower() (ASCII's) and, unlike an index on an expression, survives reflection."""

    inherit_cache = True
    type = String()


@compiles(_Folded)
def _lower(element: _Folded, compiler: Any, **kw: Any) -> str:
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(_Folded, "sqlite")
def _nocase(element: _Folded, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.clauses, **kw)} COLLATE NOCASE"


# Usernames of the active people behind lower-cased candidate names: "users" by their name,
# "groups" by every person whose group or unit goes by that key or name. Built once (the
# notification listener runs it for every task an action opens, inside the write lock). Each
# way of being named is its own part, read through its own index (migration 0026): one query
# whose parts were joined by OR read every user instead, 0.4-0.6 ms with 600 people.
_person = _users.alias("person")
_NAMED_GROUPS = select(_groups.c.key).where(
    or_(func.lower(_groups.c.key).in_(_GROUPS), func.lower(_groups.c.name).in_(_GROUPS))
)
CANDIDATE_PEOPLE = select(_users.c.username).where(
    _users.c.active.is_(True),
    _users.c.username.in_(
        union_all(
            select(_person.c.username).where(_Folded(_person.c.username).in_(_USERS)),
            select(membership.c.username).where(membership.c.group_key.in_(_NAMED_GROUPS)),
            select(_person.c.username).where(_Folded(_person.c.unit).in_(_GROUPS)),
            select(_person.c.username).where(
                _person.c.unit.in_(
                    select(_groups.c.key).where(func.lower(_groups.c.name).in_(_GROUPS))
                )
            ),
        )
    ),
)
_ACTIVE = select(_users.c.username).where(
    _users.c.username.in_(bindparam("names", expanding=True)), _users.c.active.is_(True)
)


def candidate_names(candidates: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The parameters of CANDIDATE_PEOPLE for ("user"|"group", name) pairs."""
    users = {value.lower() for kind, value in candidates if kind == "user"}
    groups = {value.lower() for kind, value in candidates if kind == "group"}
    return {"users": sorted(users), "groups": sorted(groups)}


def people_of(
    session: Session, candidates: Iterable[tuple[str, str]], assignee: str | None = None
) -> set[str]:
    """The active people a task's candidates stand for: ("user", name) pairs by their name, and
    ("group", name) pairs by every person whose group or unit goes by that key or name
    (lower-cased, as the inbox matches them); the assignee, when there is one, alone."""
    if assignee:
        return _active(session, [assignee])
    names = candidate_names(candidates)
    if not names["users"] and not names["groups"]:
        return set()
    return set(session.scalars(CANDIDATE_PEOPLE, names))


def _active(session: Session, usernames: Iterable[str]) -> set[str]:
    wanted = sorted(set(usernames))
    if not wanted:
        return set()
    return set(session.scalars(_ACTIVE, {"names": wanted}))


def members_of(session: Session, group_keys: Iterable[str]) -> set[str]:
    """The active members of these groups (by key)."""
    keys = sorted(set(group_keys))
    if not keys:
        return set()
    return set(
        session.scalars(
            select(UserModel.username)
            .join(membership, membership.c.username == UserModel.username)
            .where(membership.c.group_key.in_(keys), UserModel.active.is_(True))
        )
    )


def units_of(session: Session, usernames: Iterable[str]) -> set[str]:
    """The units these people belong to."""
    wanted = sorted(set(usernames))
    if not wanted:
        return set()
    return {
        unit
        for unit in session.scalars(select(UserModel.unit).where(UserModel.username.in_(wanted)))
        if unit
    }


def leaders_of(session: Session, hierarchy: Hierarchy, holders: Iterable[str]) -> set[str]:
    """The leaders of the units of the people who hold a task, themselves left out; when a unit
    has none but them (or the holders have no unit), the head group's members (who lead every
    unit). Empty when the hierarchy names no leaders."""
    holding = set(holders)
    leaders = members_of(session, _leaders_groups(hierarchy, units_of(session, holding))) - holding
    if not leaders and hierarchy.head_group:
        leaders = members_of(session, [hierarchy.head_group]) - holding
    return leaders


def may_be_a_leader_told(session: Session, hierarchy: Hierarchy, username: str) -> bool:
    """Whether `leaders_of` can name this person for some task: a member of the head group, or
    of the leaders' group of a unit (one people belong to, as it reads the holders', or one
    declared that has nobody yet)."""
    units = session.scalars(
        select(UserModel.unit)
        .where(UserModel.unit.is_not(None))
        .union(select(GroupModel.key).where(GroupModel.is_unit.is_(True)))
    )
    groups = set(_leaders_groups(hierarchy, units))
    if hierarchy.head_group:
        groups.add(hierarchy.head_group)
    if not groups:
        return False
    found = session.scalar(
        select(membership.c.username)
        .where(membership.c.username == username, membership.c.group_key.in_(sorted(groups)))
        .limit(1)
    )
    return found is not None


def _leaders_groups(hierarchy: Hierarchy, units: Iterable[str | None]) -> list[str]:
    """The groups of these units' leaders (the head group aside)."""
    lead = hierarchy.leaders_group
    return [lead(unit) for unit in units if unit] if lead is not None else []


def item_facts(session: Session, instance_id: int) -> tuple[str, str] | None:
    """An item's title and the person who started it (None for no such item). The action that
    tells of it holds the item: the session answers without a query. Otherwise the two columns
    only (a page after its action's commit): the ORM would load the whole row, its state (tens
    of kB) and data decoded."""
    held = held_object(session, InstanceModel, instance_id)
    if held is not None:
        return held.title, held.created_by
    found = read_rows(session, _FACTS, {"id": instance_id}).first()
    return None if found is None else (found.title, found.created_by)


_items = cast_table(InstanceModel)
_FACTS = select(_items.c.title, _items.c.created_by).where(_items.c.id == bindparam("id"))
