"""The directory every page and action asks about (the units, the names of groups and
people, a holder's colleagues, the people a new task tells with their address and choice) and
the active webhooks, kept by each process between requests and checked against a token the
database changes whenever one of those rows changes.

The token is one row of `directory_state`, replaced by triggers (migration 0028) whenever a
row of users (its name, unit, standing or address), groups, group_members,
notification_choices or webhooks is written, whoever writes it: this app, the CLI, a tool, SQL
by hand. On PostgreSQL the triggers run when the writing transaction commits (deferred), so the
one row is locked only for the commit's last moment and two writers never deadlock on it.

A transaction is given a token it read itself: a web request's reads the one read with the
person's identity, in the statement every request sends first (`notifications.signed_in`,
`use_directory_token`); an action's write the one read with the item's lock
(`instances.lock_instance_with_task`, `token_read`; a start's with the version it starts,
`definitions.latest_version`), so that what it writes (a webhook's
delivery, the people it tells) agrees with the directory as the write sees it. Such a
transaction takes what the process keeps if it was kept under that very token; otherwise it
reads and keeps it under that token. What it read is at least as new as the token (read after
it), and no change was committed between the token and what it stands for, so a transaction
never sees the directory older than at the moment it read the token; a change is seen by every
process from its commit on.

A transaction that writes one of those tables (seen by the session's events, whether or not
it has read a token yet) neither takes nor keeps anything from then on, nor does the rest of its
request: it must see its own changes, and
no one else may see them before they commit. Without a token (the CLI's reads, the engine
called directly) a read is the caller's own, as before.

On SQLite a later migration that rebuilds one of the five tables (Alembic's batch mode) loses
that table's triggers: it must drop them all first and create them again after
(`drop_directory_triggers`, `create_directory_triggers`), as engine/candidate_triggers.py says
of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Column, Connection, Engine, Integer, String, Table, select, text
from sqlalchemy import event as sa_event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

from .db import Base, of_engine

T = TypeVar("T")

directory_state = Table(
    "directory_state",
    Base.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("token", String(32), nullable=False),
)

# The token as a column of another statement's select list (one row, id 1).
TOKEN_COLUMN = (
    select(directory_state.c.token)
    .where(directory_state.c.id == 1)
    .scalar_subquery()
    .label("directory_token")
)

# The tables whose rows the kept answers are made of; a write to any ends their use.
_TABLES = frozenset({"users", "groups", "group_members", "notification_choices", "webhooks"})
_TOKEN = "pheduyet.directory.token"
_WROTE = "pheduyet.directory.wrote"
# Answers kept for each database: a few of the whole directory, and one per person for those
# that depend on who asks (their colleagues); past this many, the process starts afresh.
MAX_ANSWERS = 2000


class DirectoryToken:
    """The token one request read, shared by all its transactions; None once one of them
    wrote the directory (the rest of the request reads it afresh)."""

    __slots__ = ("value",)

    def __init__(self, value: str | None) -> None:
        self.value = value


_kept: WeakKeyDictionary[Engine, dict[str, tuple[str, Any]]] = WeakKeyDictionary()
_lock = threading.Lock()


def use_directory_token(session: Session, token: DirectoryToken) -> None:
    """Let this (reading) session take the answers kept under the request's token."""
    session.info[_TOKEN] = token


def token_read(session: Session, token: str | None) -> None:
    """The token as this transaction read it (with an action's lock): its later reads take the
    directory as kept under it, unless it changed the directory itself."""
    if token is None or session.info.get(_WROTE) or _holds_directory_changes(session):
        return
    session.info[_TOKEN] = DirectoryToken(token)


def keeping(session: Session) -> bool:
    """Whether this session's reads of the directory may be taken from what the process keeps
    (a request's, which wrote none of it)."""
    return _value(session) is not None


def _value(session: Session) -> str | None:
    """The request's token, or None when there is none or the session changed the directory
    (changes it holds unwritten included)."""
    token: DirectoryToken | None = session.info.get(_TOKEN)
    if token is None or token.value is None:
        return None
    if _holds_directory_changes(session):
        token.value = None
    return token.value


def _holds_directory_changes(session: Session) -> bool:
    held = (*session.new, *session.dirty, *session.deleted)
    return any(getattr(type(row), "__tablename__", None) in _TABLES for row in held)


def kept(session: Session, name: str, read: Callable[[], T]) -> T:
    """What `read()` answers, taken from what this process kept under the request's token
    when it was kept under that token; read (and kept) otherwise. The answer is shared by the
    process's threads: it must not be changed (tuples, frozen values)."""
    value = _value(session)
    if value is None:
        return read()
    with _lock:
        answers = of_engine(_kept, session)
        found = answers.get(name)
    if found is not None and found[0] == value:
        answer: T = found[1]
        return answer
    answer = read()
    if _value(session) == value:  # the read flushed no change of the directory
        with _lock:
            if len(answers) >= MAX_ANSWERS:  # answers kept per person: start again
                answers.clear()
            answers[name] = (value, answer)
    return answer


def _wrote_directory(session: Session) -> None:
    session.info[_WROTE] = True
    token: DirectoryToken | None = session.info.get(_TOKEN)
    if token is not None:
        token.value = None


@sa_event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    # A token holds for the transaction that read it (a request's read lives as long as its one
    # transaction); the next reads its own.
    if transaction.parent is None:
        session.info.pop(_TOKEN, None)
        session.info.pop(_WROTE, None)


# Noted in every transaction, one that has read no token yet too: a token it reads after the
# write (an action's lock, a start's version) is not to be used. On PostgreSQL the token itself
# moves only at the writer's commit, so the token read later in the same transaction is the one
# before the change.
@sa_event.listens_for(Session, "before_flush")
def _flushing(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    if not session.info.get(_WROTE) and _holds_directory_changes(session):
        _wrote_directory(session)


@sa_event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if state.is_select or state.session.info.get(_WROTE):
        return
    table = getattr(state.statement, "table", None)
    # A statement whose table is not told (text) may be any: taken as a write of the directory.
    if getattr(table, "name", None) in _TABLES or table is None:
        _wrote_directory(state.session)


# --- the triggers (migration 0028) ---------------------------------------------------------

_NEW_SQLITE = "lower(hex(randomblob(16)))"
_NEW_POSTGRESQL = "md5(random()::text || clock_timestamp()::text)"
# (table, what writes it changes the directory: users' passwords and sessions do not)
_WATCHED = (
    ("users", ("INSERT", "DELETE", "UPDATE OF display_name, unit, active, email")),
    ("groups", ("INSERT", "DELETE", "UPDATE")),
    ("group_members", ("INSERT", "DELETE", "UPDATE")),
    ("notification_choices", ("INSERT", "DELETE", "UPDATE")),
    ("webhooks", ("INSERT", "DELETE", "UPDATE")),
)
# PostgreSQL: the function finds directory_state in the schema it was made in, whatever the
# writer's search_path.
_FUNCTION = (
    "CREATE OR REPLACE FUNCTION directory_changed() RETURNS trigger LANGUAGE plpgsql "
    "SET search_path FROM CURRENT AS $$ BEGIN "
    f"UPDATE directory_state SET token = {_NEW_POSTGRESQL} WHERE id = 1; RETURN NULL; END $$"
)


def _trigger_name(table: str, write: str) -> str:
    return f"directory_changed_{table}_{write.split()[0].lower()}"


def create_directory_triggers(connection: Connection) -> None:
    """The triggers that replace the token, on every watched table."""
    postgresql = connection.dialect.name == "postgresql"
    if postgresql:
        connection.execute(text(_FUNCTION))
    for table, writes in _WATCHED:
        for write in writes:
            name = _trigger_name(table, write)
            if postgresql:  # at the commit: see the module's docstring
                statement = (
                    f"CREATE CONSTRAINT TRIGGER {name} AFTER {write} ON {table} "
                    "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW "
                    "EXECUTE FUNCTION directory_changed()"
                )
            else:
                statement = (
                    f"CREATE TRIGGER {name} AFTER {write} ON {table} FOR EACH ROW BEGIN "
                    f"UPDATE directory_state SET token = {_NEW_SQLITE} WHERE id = 1; END"
                )
            connection.execute(text(statement))


def drop_directory_triggers(connection: Connection) -> None:
    postgresql = connection.dialect.name == "postgresql"
    for table, writes in _WATCHED:
        for write in writes:
            on = f" ON {table}" if postgresql else ""
            connection.execute(text(f"DROP TRIGGER IF EXISTS {_trigger_name(table, write)}{on}"))
    if postgresql:
        connection.execute(text("DROP FUNCTION IF EXISTS directory_changed()"))


def first_token(connection: Connection) -> str:
    """A new random token, made by the database itself (as its triggers make the next)."""
    made = _NEW_POSTGRESQL if connection.dialect.name == "postgresql" else _NEW_SQLITE
    return str(connection.execute(text(f"SELECT {made}")).scalar_one())
