"""Whom a task may be forwarded to: the one home of that rule, for the web, the CLI and the API.

The holder's colleagues are the people of their own unit and that unit's leaders; a leader also
reaches the people (and leaders) of the units they lead. Units are the organisation's own groups
(those marked as units), so people of other organisations, who belong to no unit, are never
offered; neither are administrators, people no longer active, or the holder themself.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session, aliased

from .db import read_rows
from .directory_cache import kept
from .errors import Forbidden
from .form_options import units as form_units
from .human_tasks import get_task_row, require_may_act, require_open
from .users import ADMIN_GROUP, GroupModel, Identity, UserModel, get_identity, membership

if TYPE_CHECKING:
    from .runtime import EngineConfig


@dataclass(frozen=True)
class Hierarchy:
    """Who leads which unit, in the organisation's own group names.

    `leaders_group` names the group of a unit's leaders from the unit's key; the members of
    `head_group` lead every unit. Without them, people are colleagues of their own unit only.
    """

    leaders_group: Callable[[str], str] | None = None
    head_group: str | None = None


@dataclass(frozen=True)
class Colleague:
    """A person a task may be forwarded to."""

    username: str
    display_name: str
    unit_name: str | None


def forward_candidates(
    session: Session, config: EngineConfig, task_id: str, username: str | Identity
) -> list[Colleague]:
    """The people the holder of an open task may forward it to, by unit, then by name.

    Raises NotFound for an unknown task, Conflict for one no longer open, Forbidden when the
    person may not act on it.
    """
    who = username if isinstance(username, Identity) else get_identity(session, username)
    row = get_task_row(session, task_id)
    require_open(row)
    require_may_act(session, row, who)
    return colleagues(session, config.hierarchy, who)


def require_colleague(
    session: Session, hierarchy: Hierarchy, who: Identity, to_username: str
) -> None:
    """Forbidden (reason 'not_a_colleague') unless `to_username` is among `who`'s colleagues."""
    if all(c.username != to_username for c in colleagues(session, hierarchy, who)):
        raise Forbidden(
            f"{who.username} may not forward a task to '{to_username}': only to the people "
            "of their unit, its leaders and the units they lead",
            reason="not_a_colleague",
            to=to_username,
        )


def colleagues(session: Session, hierarchy: Hierarchy, who: Identity) -> list[Colleague]:
    """The people `who` may forward a task to (the rule of this module's docstring), by unit,
    then by name."""
    units = {key for key, _name in form_units(session)}
    leaders_of = hierarchy.leaders_group
    heads = hierarchy.head_group if hierarchy.head_group in who.groups else None
    led = {u for u in units if heads or (leaders_of and leaders_of(u) in who.groups)}
    scope = led | ({who.unit} & units if who.unit else set())
    # A unit's leaders may belong to another unit, or to none (the head group): name them too.
    leader_groups = {leaders_of(u) for u in scope} if leaders_of else set()
    if heads:
        leader_groups.add(heads)
    if not scope and not leader_groups:
        return []
    return people_of(session, scope, leader_groups, who.username)


def people_of(
    session: Session, units: Collection[str], groups: Collection[str], besides: str
) -> list[Colleague]:
    """The active people of `units` and the members of `groups`, administrators and `besides`
    left out, by unit, then by name."""
    if not units and not groups:
        return []
    params = {"me": besides, "units": sorted(units), "leaders": sorted(groups)}

    def read() -> tuple[Colleague, ...]:
        found = [
            Colleague(u, name, unit_name)
            for u, name, unit_name in read_rows(session, _COLLEAGUES, params)
        ]
        found.sort(key=lambda c: (c.unit_name is not None, c.unit_name or "", c.display_name))
        return tuple(found)

    # Every task page of the holder asks: kept by the process in a request (directory_cache).
    return list(kept(session, f"colleagues {params}", read))


def _colleagues_statement() -> Select[str, str, str]:
    member = aliased(membership)
    in_groups = exists().where(
        member.c.username == UserModel.username,
        member.c.group_key.in_(bindparam("leaders", expanding=True)),
    )
    admin = exists().where(
        membership.c.username == UserModel.username, membership.c.group_key == ADMIN_GROUP
    )
    unit = aliased(GroupModel)
    return (
        select(UserModel.username, UserModel.display_name, unit.name)
        .outerjoin(unit, and_(unit.key == UserModel.unit, unit.is_unit))
        .where(
            UserModel.active.is_(True),
            UserModel.username != bindparam("me"),
            or_(UserModel.unit.in_(bindparam("units", expanding=True)), in_groups),
            ~admin,
        )
    )


_COLLEAGUES = _colleagues_statement()
