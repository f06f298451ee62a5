"""Idempotent starts: a start form carries a key made when the form was shown; a second submit
of the same form (a double click, a resent request) finds the item the first one started
instead of starting another. A key a program chooses (the API's Idempotency-Key) comes with a
fingerprint of its request, and the same key with another request is refused."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Integer, String, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime
from .errors import InvalidInput

KEY = re.compile(r"[A-Za-z0-9_-]{16,64}")
KEPT_FOR = timedelta(days=2)  # long past any resubmit of the same form


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
    session.execute(delete(StartKeyModel).where(StartKeyModel.created_at < now - KEPT_FOR))
    values = {
        "username": username,
        "key": key,
        "instance_id": None,
        "created_at": now,
        "fingerprint": fingerprint,
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(postgresql.insert(StartKeyModel).values(values).on_conflict_do_nothing())
    elif dialect == "sqlite":
        session.execute(sqlite.insert(StartKeyModel).values(values).on_conflict_do_nothing())
    elif session.get(StartKeyModel, (username, key)) is None:
        session.add(StartKeyModel(**values))
        session.flush()
    instance_id, claimed_for = session.execute(
        select(StartKeyModel.instance_id, StartKeyModel.fingerprint).where(
            StartKeyModel.username == username, StartKeyModel.key == key
        )
    ).one()
    if fingerprint is not None and claimed_for is not None and claimed_for != fingerprint:
        raise InvalidInput(
            "the key was given before with a different request", reason="start_key_reused"
        )
    return instance_id


def record_start(session: Session, username: str, key: str, instance_id: int) -> None:
    """The item started with the key claimed in this transaction."""
    row = session.get(StartKeyModel, (username, key))
    if row is None:
        raise ValueError("claim the start key first")
    row.instance_id = instance_id
