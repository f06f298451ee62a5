"""Small reads a transaction repeats, read once per transaction.

A task page asks for the units three times (the task's form, the dossier's forms, the holder's
colleagues) and the start page for the deployed processes twice; the answers cannot change
inside one snapshot unless the transaction itself writes. So a memo lives in the session's
`info` and is forgotten as soon as the session writes anything (a flush that changed a row, an
INSERT/UPDATE/DELETE through `session.execute`) and when its transaction ends: a reader never
sees an answer older than its own writes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, UOWTransaction

T = TypeVar("T")
_KEY = "pheduyet.memo"


def memo(session: Session, key: str, read: Callable[[], T]) -> T:
    """`read()` the first time this transaction asks for `key`; the same value afterwards,
    until the session writes or its transaction ends."""
    found: dict[str, Any] = session.info.setdefault(_KEY, {})
    if key not in found:
        found[key] = read()
    value: T = found[key]
    return value


def forget(session: Session) -> None:
    session.info.pop(_KEY, None)


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _flush: UOWTransaction) -> None:
    forget(session)


@event.listens_for(Session, "do_orm_execute")
def _executed(state: ORMExecuteState) -> None:
    if not state.is_select:
        forget(state.session)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, _transaction: SessionTransaction) -> None:
    forget(session)
