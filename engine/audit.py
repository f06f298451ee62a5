"""The append-only audit log: a SHA-256 hash chain per item, sealed into one keyed chain.

Each event's hash covers its own fields and the previous event of its item; the item row keeps
the hash and count of its last event. When the action's transaction commits, its events are
sealed, in order, into one chain across all items: each gets the next chain position, a hash of
its item's data as the action left it, and a MAC = HMAC-SHA256(key, position, item, seq, hash,
data hash, previous MAC). The one-row chain head (locked until the commit) keeps the last
position and MAC, signed. The key is not in the database (`PHEDUYET_AUDIT_KEY` or
`PHEDUYET_AUDIT_KEY_FILE`), so someone with SQL access can delete, edit or re-chain events, or
edit an item's data, but cannot make the seals agree again. Without a key the seals use the
public SHA-256 recipe, which catches mistakes and clumsy edits but not a careful rewrite."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import weakref
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    ColumnClause,
    CompoundSelect,
    ForeignKey,
    Index,
    Integer,
    Select,
    String,
    TableClause,
    Text,
    TextClause,
    bindparam,
    insert,
    select,
    update,
)
from sqlalchemy import event as orm_event
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.sql import visitors

from .db import BEFORE_READS, Base, UTCDateTime, cast_table, one_or_many, within_savepoint
from .driver_sql import run
from .errors import InvalidInput
from .events import HistoryRecorded, has_listeners, publish
from .views import AuditProblem

GENESIS = "0" * 64
KEYED = "hmac-sha256"
PUBLIC = "sha256"
KEY_ENV = "PHEDUYET_AUDIT_KEY"
KEY_FILE_ENV = "PHEDUYET_AUDIT_KEY_FILE"
MIN_KEY_BYTES = 16
_KEY_INFO = "pheduyet.audit_key"
_PENDING = "pheduyet.audit_pending"


class AuditEventModel(Base):
    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_instance_seq", "instance_id", "seq", unique=True),
        Index("ix_audit_chain_seq", "chain_seq", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"))
    seq: Mapped[int]
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor: Mapped[str | None] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    task_id: Mapped[str | None] = mapped_column(String(36))
    element_id: Mapped[str | None] = mapped_column(String(200))
    decision: Mapped[str | None] = mapped_column(String(200))
    comment: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    # Set when the action commits (see `seal_events`); empty only on a row added by hand.
    chain_seq: Mapped[int | None] = mapped_column(Integer)
    data_hash: Mapped[str | None] = mapped_column(String(64))
    mac: Mapped[str | None] = mapped_column(String(64))
    seal: Mapped[str | None] = mapped_column(String(20))


class AuditChainModel(Base):
    """The head of the common chain: always the one row with id 1."""

    __tablename__ = "audit_chain"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    mac: Mapped[str] = mapped_column(String(64))
    seal: Mapped[str] = mapped_column(String(20))
    sig: Mapped[str] = mapped_column(String(64))


_events = cast_table(AuditEventModel)
_chain = cast_table(AuditChainModel)
# Built once; an action only binds values. Core, not the ORM: the rows are written and sealed
# without ORM objects to track. Inline: nothing reads the new rows' ids, which PostgreSQL would
# otherwise return (and the statement could not go past SQLAlchemy, engine/driver_sql.py).
_INSERT_EVENT = insert(_events).inline()
_UNSEALED = {"chain_seq": None, "data_hash": None, "mac": None, "seal": None}
_SEAL_EVENT = (
    update(_events)
    .where(
        _events.c.instance_id == bindparam("b_instance_id"),
        _events.c.seq == bindparam("b_seq"),
    )
    .values(
        chain_seq=bindparam("b_chain_seq"),
        data_hash=bindparam("b_data_hash"),
        mac=bindparam("b_mac"),
        seal=bindparam("b_seal"),
    )
)
_LOCK_HEAD = select(_chain.c.seq, _chain.c.mac).where(_chain.c.id == 1).with_for_update()
_NEW_HEAD = insert(_chain)
_MOVE_HEAD = (
    update(_chain)
    .where(_chain.c.id == 1)
    .values(
        seq=bindparam("b_seq"),
        mac=bindparam("b_mac"),
        sig=bindparam("b_sig"),
        seal=bindparam("b_seal"),
    )
)


def audit_key_from_environment() -> bytes | None:
    """The audit key named by the environment: `PHEDUYET_AUDIT_KEY` (text), else the contents
    of the file `PHEDUYET_AUDIT_KEY_FILE`; None when neither is set. A key shorter than 16
    bytes is refused: a guessable key protects nothing."""
    text = os.environ.get(KEY_ENV)
    if text:
        key = text.strip().encode("utf-8")
        source = KEY_ENV
    else:
        path = os.environ.get(KEY_FILE_ENV)
        if not path:
            return None
        try:
            key = Path(path).read_bytes().strip()
        except OSError as exc:
            raise InvalidInput(f"{KEY_FILE_ENV}={path} cannot be read: {exc.strerror}") from exc
        source = KEY_FILE_ENV
    if len(key) < MIN_KEY_BYTES:
        raise InvalidInput(f"the audit key in {source} is shorter than {MIN_KEY_BYTES} bytes")
    return key


def bind_audit_key(factory: sessionmaker[Session], key: bytes | None) -> sessionmaker[Session]:
    """Let the sessions of this factory seal audit events with the key (None: the public
    recipe). The key travels with the session because events are sealed when it commits."""
    factory.configure(info={**(factory.kw.get("info") or {}), _KEY_INFO: key})
    return factory


def session_audit_key(session: Session) -> bytes | None:
    key = session.info.get(_KEY_INFO)
    return key if isinstance(key, bytes) else None


_HASHED = (
    "instance_id",
    "seq",
    "at",
    "actor",
    "kind",
    "task_id",
    "element_id",
    "decision",
    "comment",
    "details",
    "prev_hash",
)


def _digest(event: AuditEventModel) -> str:
    return _hash_fields({name: getattr(event, name) for name in _HASHED})


def _hash_fields(fields: Mapping[str, Any]) -> str:
    body = json.dumps(
        {
            "instance_id": fields["instance_id"],
            "seq": fields["seq"],
            "at": fields["at"].isoformat(),
            "actor": fields["actor"],
            "kind": fields["kind"],
            "task_id": fields["task_id"],
            "element_id": fields["element_id"],
            "decision": fields["decision"],
            "comment": fields["comment"],
            "details": fields["details"],
            "prev": fields["prev_hash"],
        },
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def data_digest(data: Any) -> str:
    """The hash of an item's data, independent of key order and of the database's JSON type."""
    body = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def sign(key: bytes | None, *parts: object) -> tuple[str, str]:
    """(MAC, recipe): HMAC-SHA256 with the key, else the public SHA-256 of the same parts."""
    body = json.dumps(parts, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if key is None:
        return hashlib.sha256(body).hexdigest(), PUBLIC
    return hmac.new(key, body, hashlib.sha256).hexdigest(), KEYED


def event_seal(
    key: bytes | None,
    chain_seq: int,
    instance_id: int,
    seq: int,
    event_hash: str,
    data_hash: str | None,
    previous: str,
) -> tuple[str, str]:
    return sign(key, "event", chain_seq, instance_id, seq, event_hash, data_hash, previous)


def head_seal(key: bytes | None, seq: int, mac: str) -> tuple[str, str]:
    return sign(key, "head", seq, mac)


def same(a: str | None, b: str | None) -> bool:
    return a is not None and b is not None and hmac.compare_digest(a, b)


@dataclass
class _Pending:
    """An event of this transaction, waiting for its seal at commit. Its row is written then,
    sealed, in one INSERT with the transaction's other events, unless something reads through
    the session before (`_write_before_reading`): then it is written at once, unsealed, and
    sealed at commit by an UPDATE, as every event was before."""

    instance: Any
    seq: int
    hash: str
    # The innermost savepoint it was added in: if that is rolled back, so is the event.
    savepoint: SessionTransaction | None
    fields: dict[str, Any]
    written: bool = False
    # The innermost savepoint its row was written in: if that is rolled back, the row is gone
    # and is written again (an event added before a savepoint may be written inside it).
    written_in: SessionTransaction | None = None


# The fields of an event that listeners are told (the chain's own are not theirs).
_TOLD = (
    "instance_id",
    "seq",
    "kind",
    "at",
    "actor",
    "task_id",
    "element_id",
    "decision",
    "comment",
    "details",
)


def append_event(
    session: Session,
    instance: Any,
    *,
    at: datetime,
    actor: str | None,
    kind: str,
    task_id: str | None = None,
    element_id: str | None = None,
    decision: str | None = None,
    comment: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Add an event to the item's history; it is sealed into the common chain at commit and
    its row written then, or before anything reads through the session (which so sees it)."""
    fields: dict[str, Any] = {
        "instance_id": instance.id,
        "seq": instance.audit_count + 1,
        "at": at,
        "actor": actor,
        "kind": kind,
        "task_id": task_id,
        "element_id": element_id,
        "decision": decision,
        "comment": comment,
        "details": json.loads(json.dumps(details or {}, default=str)),
        "prev_hash": instance.audit_head,
    }
    fields["hash"] = _hash_fields(fields)
    pending = _Pending(
        instance, fields["seq"], fields["hash"], session.get_nested_transaction(), fields
    )
    session.info.setdefault(_PENDING, []).append(pending)
    instance.audit_head = fields["hash"]
    instance.audit_count = fields["seq"]
    # Every action appends an event: the one place to keep the search index current. Imported
    # here because the index reads tables whose modules import this one.
    from .search import mark_stale

    mark_stale(session, instance, fields)
    if has_listeners(session):
        publish(session, HistoryRecorded(**{k: fields[k] for k in _TOLD}))


@orm_event.listens_for(Session, "do_orm_execute")
def _write_before_reading(state: ORMExecuteState) -> None:
    _write_before_read(state.session, state.statement)


def _write_before_read(session: Session, statement: Any) -> None:
    # Whatever the session runs that may read the history (an item's page) finds the events
    # added so far in it. A query that cannot (a listener's read of the people to tell) leaves
    # them to the commit, which writes them sealed in one INSERT instead of an INSERT now and
    # an UPDATE then. (The engine's own writes go to the connection, not through here.)
    pending = session.info.get(_PENDING)
    if pending and not pending[-1].written and _may_read_history(statement):
        write_pending(session)


BEFORE_READS.append(_write_before_read)  # `read_rows`, on the connection


# Statement -> whether it may read audit_events: most statements run in an action's window are
# built once at import, so each is looked through once.
_reads_history: weakref.WeakKeyDictionary[Any, bool] = weakref.WeakKeyDictionary()


def _may_read_history(statement: Any) -> bool:
    """False only for a SELECT (or a UNION of them) built of tables other than audit_events,
    with no SQL text in it (text or a literal column could name any table): anything else, a
    write or a lambda among them, may."""
    if not isinstance(statement, Select | CompoundSelect):
        return True
    known = _reads_history.get(statement)
    if known is None:
        known = any(
            isinstance(element, TextClause)
            or (isinstance(element, ColumnClause) and element.is_literal)
            or (isinstance(element, TableClause) and element.name == _events.name)
            for element in visitors.iterate(statement)
        )
        _reads_history[statement] = known
    return known


def write_pending(session: Session) -> None:
    """Write the rows of the events added and not yet written, unsealed (sealed at commit)."""
    unwritten = [p for p in session.info.get(_PENDING, ()) if not p.written]
    if not unwritten:
        return
    # On the connection: no autoflush, the item row is written once, at the end of the action.
    run(
        session.connection(),
        _INSERT_EVENT,
        one_or_many([{**p.fields, **_UNSEALED} for p in unwritten]),
        later=True,
    )
    savepoint = session.get_nested_transaction()
    for event in unwritten:
        event.written, event.written_in = True, savepoint


@orm_event.listens_for(Session, "before_commit")
def _seal_on_commit(session: Session) -> None:
    # Only the outermost commit seals: a savepoint's release is not the end of the action, and
    # the chain head must stay locked for as short a time as possible.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if pending:
        seal_events(session, pending, session_audit_key(session))


# session.info: the chain head as the action's first read found it, on SQLite (see `head_read`).
_HEAD_READ = "pheduyet.audit.head_read"
# The head's (seq, mac) as two columns for another statement's select list.
HEAD_COLUMNS = (
    select(_chain.c.seq).where(_chain.c.id == 1).scalar_subquery(),
    select(_chain.c.mac).where(_chain.c.id == 1).scalar_subquery(),
)


def head_read(session: Session, seq: int | None, mac: str | None) -> None:
    """Note the chain head read (by `HEAD_COLUMNS`) in the action's first statement, so that
    the commit seals from it without reading it again. SQLite only: there the transaction is
    the database's one writer from that read to its commit (BEGIN IMMEDIATE; a deferred one
    that wrote after another's commit fails), so nothing moves the head in between. On
    PostgreSQL the head is read and locked at commit, for as short a time as possible."""
    if seq is not None and mac is not None and session.get_bind().dialect.name == "sqlite":
        session.info[_HEAD_READ] = (seq, mac)


@orm_event.listens_for(Session, "after_transaction_end")
def _forget_head(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_HEAD_READ, None)


@orm_event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, transaction: SessionTransaction) -> None:
    pending = session.info.get(_PENDING)
    if not pending:
        return
    if not transaction.nested:
        session.info.pop(_PENDING, None)
        return
    # A savepoint rolled back: the events added inside it (or inside its own savepoints) are
    # undone, so they are not sealed; the rows of earlier events written inside it are gone,
    # so they are written again.
    kept = []
    for event in pending:
        if within_savepoint(event.savepoint, transaction):
            continue
        if event.written and within_savepoint(event.written_in, transaction):
            event.written, event.written_in = False, None
        kept.append(event)
    session.info[_PENDING] = kept


def lock_head(session: Session) -> AuditChainModel:
    """The chain head, locked until the commit (FOR UPDATE on PostgreSQL; SQLite's writer
    already holds the database's write lock from BEGIN IMMEDIATE)."""
    session.info.pop(_HEAD_READ, None)  # the head may move other than by `seal_events`
    head = session.scalars(
        select(AuditChainModel)
        .where(AuditChainModel.id == 1)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if head is None:  # the migration creates it; a database emptied by hand gets a new one
        mac, recipe = head_seal(None, 0, GENESIS)
        head = AuditChainModel(id=1, seq=0, mac=GENESIS, seal=recipe, sig=mac)
        session.add(head)
    return head


def seal_events(session: Session, pending: list[_Pending], key: bytes | None) -> None:
    """Give each event its chain position, its item's data hash and its MAC, in order; move
    the head. Three statements (read and lock the head, write the events sealed or seal those
    already written, move the head); the caller commits right after: the head's lock is held
    only until then."""
    connection = session.connection()
    found = session.info.pop(_HEAD_READ, None) or run(connection, _LOCK_HEAD).first()
    if found is None:  # the migration creates it; a database emptied by hand gets a new one
        seq, previous = 0, GENESIS
        connection.execute(_NEW_HEAD, {"id": 1, "seq": 0, "mac": GENESIS, "seal": "", "sig": ""})
    else:
        seq, previous = found
    data_hashes: dict[int, str] = {}
    seals = []
    rows = []
    for event in pending:
        seq += 1
        instance = event.instance
        data_hash = data_hashes.get(id(instance))
        if data_hash is None:
            data_hash = data_hashes[id(instance)] = data_digest(instance.data)
        mac, recipe = event_seal(key, seq, instance.id, event.seq, event.hash, data_hash, previous)
        if event.written:
            seals.append(
                {
                    "b_instance_id": instance.id,
                    "b_seq": event.seq,
                    "b_chain_seq": seq,
                    "b_data_hash": data_hash,
                    "b_mac": mac,
                    "b_seal": recipe,
                }
            )
        else:
            rows.append(
                {
                    **event.fields,
                    "chain_seq": seq,
                    "data_hash": data_hash,
                    "mac": mac,
                    "seal": recipe,
                }
            )
        previous = mac
    if rows:
        run(connection, _INSERT_EVENT, one_or_many(rows), later=True)
    if seals:
        run(connection, _SEAL_EVENT, one_or_many(seals), later=True)
    sig, recipe = head_seal(key, seq, previous)
    run(
        connection,
        _MOVE_HEAD,
        {"b_seq": seq, "b_mac": previous, "b_sig": sig, "b_seal": recipe},
        later=True,
    )


def _seal(audit_event: AuditEventModel, key: bytes | None, seq: int, previous: str) -> str:
    """MAC one event at its chain position after `previous`; returns its MAC."""
    audit_event.mac, audit_event.seal = event_seal(
        key,
        seq,
        audit_event.instance_id,
        audit_event.seq,
        audit_event.hash,
        audit_event.data_hash,
        previous,
    )
    return audit_event.mac


def _move_head(head: AuditChainModel, key: bytes | None, seq: int, mac: str) -> None:
    head.seq, head.mac = seq, mac
    head.sig, head.seal = head_seal(key, seq, mac)


def reseal_chain(session: Session, key: bytes) -> int:
    """Seal the whole chain anew with the key, as it stands: for an operator who sets a key on a
    history sealed without one (check it with `audit verify` first). Returns the events sealed."""
    head = lock_head(session)
    previous, seq = GENESIS, 0
    events = session.scalars(
        select(AuditEventModel)
        .where(AuditEventModel.chain_seq.is_not(None))
        .order_by(AuditEventModel.chain_seq)
    )
    for audit_event in events:
        seq = audit_event.chain_seq or 0
        previous = _seal(audit_event, key, seq, previous)
    _move_head(head, key, seq, previous)
    return seq


# An item's events in order, its id bound as "instance_id".
EVENTS_OF = (
    select(AuditEventModel)
    .where(AuditEventModel.instance_id == bindparam("instance_id"))
    .order_by(AuditEventModel.seq)
)
# What pages read of an event (not its seals): a row of these reads as the model does, by the
# same names, without the ORM's objects (engine.dossier reads an item's history so).
HISTORY_COLUMNS = (
    AuditEventModel.id,
    AuditEventModel.instance_id,
    AuditEventModel.seq,
    AuditEventModel.at,
    AuditEventModel.actor,
    AuditEventModel.kind,
    AuditEventModel.task_id,
    AuditEventModel.element_id,
    AuditEventModel.decision,
    AuditEventModel.comment,
    AuditEventModel.details,
)
# An audit event as a page reads it: the model, or a row of HISTORY_COLUMNS.
HistoryEvent = Any


def events_of(session: Session, instance_id: int) -> list[AuditEventModel]:
    return list(session.scalars(EVENTS_OF, {"instance_id": instance_id}))


def verify_chain(
    instance_id: int, events: list[AuditEventModel], head: str, count: int
) -> AuditProblem | None:
    """The first problem in an instance's chain, or None when it is intact."""
    previous = GENESIS
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return AuditProblem(
                instance_id, expected_seq, f"event #{expected_seq} is missing (deleted)"
            )
        if event.prev_hash != previous:
            return AuditProblem(
                instance_id, event.seq, f"event #{event.seq} does not follow the one before it"
            )
        if _digest(event) != event.hash:
            return AuditProblem(
                instance_id, event.seq, f"event #{event.seq} ({event.kind}) was altered"
            )
        previous = event.hash
    if len(events) != count:
        return AuditProblem(
            instance_id,
            len(events) + 1,
            f"the history ends at event #{len(events)} but {count} events were recorded",
        )
    if previous != head:
        return AuditProblem(
            instance_id,
            count,
            "the history does not end where the item says it does (it was rewritten)",
        )
    return None
