"""People and groups: enough for the CLI's `--as` and for the web login."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from argon2 import PasswordHasher
from sqlalchemy import Column, ForeignKey, String, Table, bindparam, false, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from .db import Base, cast_table, read_rows
from .errors import InvalidInput, NotFound
from .names import check_names

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8  # the one rule for a new password, whoever sets it
ADMIN_GROUP = "admin"  # its members may cancel any item and manage the application

membership = Table(
    "group_members",
    Base.metadata,
    Column("username", ForeignKey("users.username", ondelete="CASCADE"), primary_key=True),
    Column("group_key", ForeignKey("groups.key", ondelete="CASCADE"), primary_key=True),
)


class GroupModel(Base):
    __tablename__ = "groups"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    # A unit (phòng, chi cục, trung tâm) is a group people belong to by their unit, too.
    is_unit: Mapped[bool] = mapped_column(default=False, server_default=false())
    # An outside actor stands for a body outside the organisation (another agency); its
    # members are that body's receivers. Forms can offer these ("x-options": "outside_actors").
    is_outside: Mapped[bool] = mapped_column(default=False, server_default=false())


class UserModel(Base):
    __tablename__ = "users"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    display_name: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str | None] = mapped_column(String(100))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    # Every login cookie carries the number current when it was made; raising the number ends
    # every copy of every cookie at once (logout, a new password, a lock, "end all sessions").
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Where and how notifications reach the person (engine.notifications; migration 0016).
    email: Mapped[str | None] = mapped_column(String(320))
    locale: Mapped[str] = mapped_column(String(10), default="vi", server_default="vi")
    digest_hour: Mapped[int] = mapped_column(default=7, server_default="7")
    groups: Mapped[list[GroupModel]] = relationship(secondary=membership, lazy="selectin")


@dataclass(frozen=True)
class Identity:
    """Who is acting, and every name a candidate group or lane may match them by."""

    username: str
    display_name: str
    unit: str | None
    groups: tuple[str, ...]
    match_names: frozenset[str]

    def matches_group(self, name: str) -> bool:
        return name.strip().lower() in self.match_names


def add_group(
    session: Session,
    key: str,
    name: str | None = None,
    *,
    unit: bool | None = None,
    outside: bool | None = None,
) -> None:
    """Create a group, or rename it; `unit` marks (or unmarks) it as a unit, `outside` as an
    outside actor (a body outside the organisation, its members being its receivers)."""
    key = key.strip()
    if not key:
        raise InvalidInput("a group needs a key", reason="key_required")
    check_names(group_key=key, group_name=name)
    group = session.get(GroupModel, key)
    if group is None:
        group = GroupModel(key=key, name=(name or key).strip(), is_unit=bool(unit))
        session.add(group)
    elif name:
        group.name = name.strip()
    if unit is not None:
        group.is_unit = unit
    if outside is not None:
        group.is_outside = outside


def list_units(session: Session) -> list[tuple[str, str]]:
    return [
        (g.key, g.name)
        for g in session.scalars(
            select(GroupModel).where(GroupModel.is_unit.is_(True)).order_by(GroupModel.key)
        )
    ]


def list_outside_groups(session: Session) -> list[str]:
    """The keys of the groups marked as outside actors, whether or not they have a member."""
    return list(
        session.scalars(
            select(GroupModel.key).where(GroupModel.is_outside.is_(True)).order_by(GroupModel.key)
        )
    )


def add_user(
    session: Session,
    username: str,
    *,
    display_name: str | None = None,
    unit: str | None = None,
    groups: tuple[str, ...] | list[str] = (),
    password: str | None = None,
) -> None:
    """Create a user, or update the name, unit, groups and password of an existing one."""
    username = username.strip()
    if not username or any(c.isspace() for c in username):
        raise InvalidInput("a username must be one word", reason="username_not_one_word")
    check_names(username=username, display_name=display_name, unit=unit, groups=groups)
    user = session.get(UserModel, username)
    if user is None:
        if (other := account_named(session, username)) is not None:
            raise InvalidInput(
                f"a person named '{other}' exists: a username differs by more than its case",
                reason="username_taken",
                username=other,
            )
        user = UserModel(username=username, display_name=display_name or username)
        session.add(user)
    elif display_name:
        user.display_name = display_name
    if unit is not None:
        user.unit = unit or None
    for key in groups:
        group = session.get(GroupModel, key)
        if group is None:
            raise NotFound(f"group '{key}' does not exist: add it first")
        if group not in user.groups:
            user.groups.append(group)
    if password is not None:
        check_new_password(password)
        if user.password_hash is not None:
            end_user_sessions(user)  # a new password ends the sessions the old one opened
        user.password_hash = _hasher.hash(password)


def account_named(session: Session, typed: str) -> str | None:
    """The username of the one account whose name is `typed` in any case ("GiamDoc" for
    "giamdoc": a phone's keyboard capitalises the first letter), else None."""
    found = session.scalars(
        select(UserModel.username).where(func.lower(UserModel.username) == typed.lower()).limit(2)
    ).all()
    return found[0] if len(found) == 1 else None


def check_new_password(password: str) -> None:
    """Refuse a new password that breaks the rule (InvalidInput, reason password_too_short)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters",
            reason="password_too_short",
            minimum=MIN_PASSWORD_LENGTH,
        )


_users = cast_table(UserModel)
_groups = cast_table(GroupModel)
_unit = _groups.alias("unit")
# A person, each of their groups, and their unit's name: one row per group, one query (Core,
# built once: every action and every request asks, and the ORM's execute of the same select
# costs some 150 µs more).
IDENTITY = (
    select(
        _users.c.username,
        _users.c.display_name,
        _users.c.unit,
        _users.c.active,
        _users.c.session_generation,
        _groups.c.key,
        _groups.c.name,
        _unit.c.name,
    )
    .select_from(_users)
    .outerjoin(membership, membership.c.username == _users.c.username)
    .outerjoin(_groups, _groups.c.key == membership.c.group_key)
    .outerjoin(_unit, _unit.c.key == _users.c.unit)
    .where(_users.c.username == bindparam("username"))
)


def _identity_rows(session: Session, username: str) -> list[Any]:
    return list(read_rows(session, IDENTITY, {"username": username}).all())


def _identity_of(rows: list[Any]) -> Identity:
    name, display_name, unit, _active, _generation, _key, _group_name, unit_name = rows[0][:8]
    groups = sorted({row[5] for row in rows if row[5] is not None})
    names = {g.lower() for g in groups} | {row[6].lower() for row in rows if row[6] is not None}
    if unit:
        # A person's unit counts as one of their groups, by its key and by its name.
        names.add(unit.lower())
        if unit_name is not None:
            names.add(unit_name.lower())
    return Identity(
        username=name,
        display_name=display_name,
        unit=unit,
        groups=tuple(groups),
        match_names=frozenset(names),
    )


def get_identity(session: Session, username: str, *, locked_too: bool = False) -> Identity:
    """Who this active person is, with every name their groups and unit go by (a locked one
    too with `locked_too`: whose steps are handed over)."""
    rows = _identity_rows(session, username)
    if not rows or not (rows[0][3] or locked_too):
        raise NotFound(f"user '{username}' does not exist")
    return _identity_of(rows)


def list_groups(session: Session) -> list[tuple[str, str]]:
    rows = session.execute(select(GroupModel.key, GroupModel.name).order_by(GroupModel.key))
    return [(key, name) for key, name in rows]


@dataclass(frozen=True)
class UserView:
    username: str
    display_name: str
    unit: str | None
    groups: tuple[str, ...]
    active: bool
    email: str | None = None  # where notifications are mailed (engine.notifications)


def list_users(session: Session) -> list[UserView]:
    return [
        UserView(
            u.username,
            u.display_name,
            u.unit,
            tuple(sorted(g.key for g in u.groups)),
            u.active,
            u.email,
        )
        for u in session.scalars(select(UserModel).order_by(UserModel.username))
    ]


def set_user_groups(session: Session, username: str, groups: list[str]) -> None:
    """Replace a person's groups with exactly these."""
    user = session.get(UserModel, username)
    if user is None:
        raise NotFound(f"user '{username}' does not exist")
    wanted = []
    for key in groups:
        group = session.get(GroupModel, key)
        if group is None:
            raise NotFound(f"group '{key}' does not exist")
        wanted.append(group)
    user.groups = wanted


def set_active(session: Session, username: str, active: bool) -> None:
    user = session.get(UserModel, username)
    if user is None:
        raise NotFound(f"user '{username}' does not exist")
    if user.active != active:
        # Locking ends the person's sessions; unlocking must not bring the old ones back.
        end_user_sessions(user)
    user.active = active


def end_user_sessions(user: UserModel) -> None:
    """Move the person's session generation on: every copy of their login ends."""
    user.session_generation = (user.session_generation or 0) + 1


def end_sessions(session: Session, username: str) -> None:
    """Every session of this person ends on its next request, wherever the cookie was copied."""
    user = session.get(UserModel, username)
    if user is None:
        raise NotFound(f"user '{username}' does not exist")
    end_user_sessions(user)


def end_everyones_sessions(session: Session, *, keep: str | None = None) -> int:
    """End the sessions of every person (but `keep`, the one asking); how many people."""
    statement = update(UserModel).values(session_generation=UserModel.session_generation + 1)
    if keep is not None:
        statement = statement.where(UserModel.username != keep)
    result: CursorResult[Any] = session.execute(statement)  # type: ignore[assignment]
    return result.rowcount or 0


def session_identity(session: Session, username: str, generation: object) -> Identity | None:
    """Who a login cookie speaks for, or None once its sessions were ended or the person
    locked or removed."""
    return identity_of_session(_identity_rows(session, username), generation)


def identity_of_session(rows: list[Any], generation: object) -> Identity | None:
    """`session_identity` from the rows of `IDENTITY`, or of a statement that reads more
    columns after its own (engine.notifications.signed_in)."""
    if not rows or not rows[0][3] or rows[0][4] != generation:
        return None
    return _identity_of(rows)


def user_exists(session: Session, username: str) -> bool:
    return session.get(UserModel, username) is not None
