"""Idempotent starts: a start form carries a key made when the form was shown; a second submit
of the same form (a double click, a resent request) finds the item the first one started
instead of starting another. A key a program chooses (the API's Idempotency-Key) comes with a
fingerprint of its request, and the same key with another request is refused."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, ForeignKey, Integer, String, bindparam, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime, cast_table
from .driver_sql import run
from .errors import InvalidInput

KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEPT_FOR = timedelta(days=2)  # long past any resubmit of the same form
# How often a process lets the keys past their days go (at a claim); a key past its days that
# is claimed again before then is let go at that claim.
PURGED_EVERY = timedelta(minutes=10)


class StartKeyModel(Base):
    __tablename__ = "start_keys"

    username: Mapped[str] = mapped_column(String(100), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    # Empty only inside the transaction that claimed the key and is starting the item.
    instance_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("instances.id", ondelete="CASCADE")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # What the key was given for (migration 0023); empty for a form's key, which the page made.
    fingerprint: Mapped[str | None] = mapped_column(String(64))


# The statements of a start with a key, built once and sent through the driver: made with the
# ORM at every start they cost 1 % of the UI flow's instructions (bench/instructions.py), under
# the write lock. One claim for each database the engine runs on.
_keys = cast_table(StartKeyModel)
_PURGE = delete(_keys).where(_keys.c.created_at < bindparam("before"))
_CLAIM = {
    "postgresql": postgresql.insert(_keys).on_conflict_do_nothing(),
    "sqlite": sqlite.insert(_keys).on_conflict_do_nothing(),
}
_THIS_KEY = (_keys.c.username == bindparam("u"), _keys.c.key == bindparam("k"))
_CLAIMED = select(_keys.c.instance_id, _keys.c.fingerprint, _keys.c.created_at).where(*_THIS_KEY)
_RECORD = update(_keys).where(*_THIS_KEY).values(instance_id=bindparam("instance_id"))


def is_start_key(key: str) -> bool:
    return bool(KEY.fullmatch(key))


def claim_start_key(
    session: Session, username: str, key: str, now: datetime, fingerprint: str | None = None
) -> int | None:
    """Claim the key for the start this transaction is about to make: None, then start the
    item and `record_start`; or the item an earlier submit of the same form started. A
    concurrent submit with the same key waits here until the first one commits.

    With a `fingerprint` (at most 64 characters, e.g. a SHA-256 of the request), the key
    claimed before for another fingerprint is refused: InvalidInput, reason
    `start_key_reused`, and nothing is claimed."""
    if not is_start_key(key):
        raise ValueError("not a start key")
    connection = session.connection()
    if _purge_due(session, now):
        run(connection, _PURGE, {"before": now - KEPT_FOR}, later=True)
    values = {
        "username": username,
        "key": key,
        "instance_id": None,
        "created_at": now,
        "fingerprint": fingerprint,
    }
    claim, this_key = _CLAIM[connection.dialect.name], {"u": username, "k": key}
    if run(connection, claim, values).rowcount == 1:
        return None  # a new key: this start's
    claimed: int | None
    claimed, claimed_for, since = run(connection, _CLAIMED, this_key).first()
    if since < now - KEPT_FOR:  # past its days, not let go yet: claimed anew
        run(connection, _PURGE, {"before": now - KEPT_FOR}, later=True)
        if run(connection, claim, values).rowcount == 1:
            return None
        # Another submit of the key let it go and claimed it first (this one waited on its
        # row): that submit's item, as for any key claimed before.
        claimed, claimed_for, since = run(connection, _CLAIMED, this_key).first()
    if fingerprint is not None and claimed_for is not None and claimed_for != fingerprint:
        raise InvalidInput(
            "the key was given before with a different request", reason="start_key_reused"
        )
    return claimed


# Each database's last purge in this process (tests and tools open several in one process).
_purged_at: WeakKeyDictionary[Engine, datetime] = WeakKeyDictionary()
_purged_lock = threading.Lock()


def _purge_due(session: Session, now: datetime) -> bool:
    """Whether this claim lets the keys past their days go: the process's first, then one
    every PURGED_EVERY of the clock (every claim once the clock went back)."""
    database = session.get_bind().engine
    with _purged_lock:
        last = _purged_at.get(database)
        if last is not None and last <= now < last + PURGED_EVERY:
            return False
        _purged_at[database] = now
        return True


def record_start(session: Session, username: str, key: str, instance_id: int) -> None:
    """The item started with the key claimed in this transaction."""
    recorded = run(
        session.connection(), _RECORD, {"u": username, "k": key, "instance_id": instance_id}
    )
    if recorded.rowcount != 1:
        raise ValueError("claim the start key first")
