"""Checking the audit trail: every item's own hash chain, the keyed chain across all items, its
signed head, each item's data against the hash its last action recorded, and a checkpoint kept
elsewhere."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from .audit import (
    GENESIS,
    KEYED,
    PUBLIC,
    AuditChainModel,
    AuditEventModel,
    data_digest,
    event_seal,
    head_seal,
    same,
    session_audit_key,
    sign,
    verify_chain,
)
from .errors import InvalidInput, NotFound
from .instances import InstanceModel
from .views import AuditProblem

CHECKPOINT_PREFIX = "pheduyet-audit"
CHECKPOINT_VERSION = "1"


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head at one moment, signed: a line to keep outside the database."""

    seq: int
    mac: str
    at: datetime
    seal: str
    sig: str

    def line(self) -> str:
        at = self.at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        return ":".join(
            [
                CHECKPOINT_PREFIX,
                CHECKPOINT_VERSION,
                str(self.seq),
                self.mac,
                at,
                self.seal,
                self.sig,
            ]
        )


@dataclass(frozen=True)
class AuditReport:
    """What `verify` found. `unchecked` counts the seals that needed the key this run lacked;
    `keyed` says whether a key was used, that is whether a careful rewrite would be caught."""

    checked: int
    events: int
    keyed: bool
    problems: list[AuditProblem] = field(default_factory=list)
    unchecked: int = 0


def _sign_checkpoint(key: bytes | None, seq: int, mac: str, at: str) -> tuple[str, str]:
    return sign(key, "checkpoint", seq, mac, at)


def make_checkpoint(session: Session, at: datetime, key: bytes | None = None) -> Checkpoint:
    """The chain's head now, signed with the key (without one, with the public recipe: the
    line then proves nothing by itself, but still pins the chain if kept out of reach)."""
    key = key if key is not None else session_audit_key(session)
    head = session.get(AuditChainModel, 1)
    seq, mac = (head.seq, head.mac) if head is not None else (0, GENESIS)
    draft = Checkpoint(seq, mac, at, "", "")
    stamp = draft.line().split(":")[4]
    sig, recipe = _sign_checkpoint(key, seq, mac, stamp)
    return Checkpoint(seq, mac, at, recipe, sig)


def parse_checkpoint(line: str) -> Checkpoint:
    parts = line.strip().split(":")
    try:
        prefix, version, seq, mac, stamp, recipe, sig = parts
        if prefix != CHECKPOINT_PREFIX or version != CHECKPOINT_VERSION:
            raise ValueError(prefix)
        at = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        position = int(seq)
        int(mac, 16), int(sig, 16)
    except ValueError as exc:
        raise InvalidInput(
            "this is not a checkpoint printed by `pheduyet audit checkpoint`"
        ) from exc
    return Checkpoint(position, mac, at, recipe, sig)


def audit_report(
    session: Session,
    instance_id: int | None = None,
    *,
    key: bytes | None = None,
    since: str | None = None,
) -> AuditReport:
    """Check one item's history (its chain, its seals, its data) or everything, including the
    chain across items and its head; with `since`, also that the chain still holds that
    checkpoint unchanged. The key defaults to the one the session seals with."""
    key = key if key is not None else session_audit_key(session)
    checkpoint = parse_checkpoint(since) if since is not None else None
    query = select(InstanceModel).order_by(InstanceModel.id)
    events_query = select(AuditEventModel).order_by(AuditEventModel.id)
    if instance_id is not None:
        query = query.where(InstanceModel.id == instance_id)
        events_query = events_query.where(AuditEventModel.instance_id == instance_id)
    instances = list(session.scalars(query))
    if instance_id is not None and not instances:
        raise NotFound(f"item {instance_id} does not exist")
    events = list(session.scalars(events_query))
    check = _Check(key)
    by_item: dict[int, list[AuditEventModel]] = defaultdict(list)
    for audit_event in events:
        by_item[audit_event.instance_id].append(audit_event)
    for instance in instances:
        own = sorted(by_item[instance.id], key=lambda e: e.seq)
        problem = verify_chain(instance.id, own, instance.audit_head, instance.audit_count)
        if problem is not None:
            check.problems.append(problem)
        check.data(instance, own)
    if instance_id is None:
        check.whole_chain(session, events)
    else:
        check.item_seals(session, events)
    if checkpoint is not None:
        check.checkpoint(session, checkpoint)
    return AuditReport(
        checked=len(instances),
        events=len(events),
        keyed=key is not None,
        problems=check.problems,
        unchecked=check.unchecked,
    )


class _Check:
    def __init__(self, key: bytes | None) -> None:
        self.key = key
        self.problems: list[AuditProblem] = []
        self.unchecked = 0

    def add(self, instance_id: int | None, seq: int | None, message: str) -> None:
        self.problems.append(AuditProblem(instance_id, seq, message))

    def data(self, instance: InstanceModel, own: list[AuditEventModel]) -> None:
        recorded = next((e for e in reversed(own) if e.data_hash is not None), None)
        if recorded is not None and recorded.data_hash != data_digest(instance.data):
            self.add(
                instance.id,
                recorded.seq,
                f"the item's data was changed outside an action after event #{recorded.seq}",
            )

    def _recipe_ok(self, recipe: str | None, what: str, instance_id: int | None) -> bool:
        """Whether this seal can be checked now; a seal the key should have made is a problem."""
        if recipe == KEYED and self.key is None:
            self.unchecked += 1
            return False
        if recipe == PUBLIC and self.key is not None:
            self.add(
                instance_id,
                None,
                f"{what} is sealed without the audit key (the public recipe): it was "
                "re-chained by someone without the key, or written before the key was set",
            )
            return False
        if recipe not in (KEYED, PUBLIC):
            self.add(instance_id, None, f"{what} has no seal")
            return False
        return True

    def seal(self, audit_event: AuditEventModel, previous: str) -> None:
        what = f"event #{audit_event.seq} ({audit_event.kind})"
        if not self._recipe_ok(audit_event.seal, what, audit_event.instance_id):
            return
        expected, _ = event_seal(
            self.key if audit_event.seal == KEYED else None,
            audit_event.chain_seq or 0,
            audit_event.instance_id,
            audit_event.seq,
            audit_event.hash,
            audit_event.data_hash,
            previous,
        )
        if not same(expected, audit_event.mac):
            self.add(
                audit_event.instance_id,
                audit_event.seq,
                f"{what} does not match its seal: it was edited, moved or re-chained",
            )

    def unchained(self, events: list[AuditEventModel]) -> list[AuditEventModel]:
        for audit_event in events:
            if audit_event.chain_seq is None:
                self.add(
                    audit_event.instance_id,
                    audit_event.seq,
                    f"event #{audit_event.seq} is not in the common chain: "
                    "it was added outside the application",
                )
        return sorted((e for e in events if e.chain_seq is not None), key=_position)

    def whole_chain(self, session: Session, events: list[AuditEventModel]) -> None:
        chained = self.unchained(events)
        expected, previous = 1, GENESIS
        for audit_event in chained:
            position = _position(audit_event)
            if position != expected:
                self.add(
                    None,
                    None,
                    f"positions {expected}–{position - 1} of the common chain are missing: "
                    "events or whole items were deleted",
                )
            else:
                self.seal(audit_event, previous)
            expected, previous = position + 1, audit_event.mac or ""
        self.head(session, expected - 1, previous)

    def item_seals(self, session: Session, events: list[AuditEventModel]) -> None:
        chained = self.unchained(events)
        wanted = [_position(e) - 1 for e in chained if _position(e) > 1]
        before = {
            position: mac
            for position, mac in session.execute(
                select(AuditEventModel.chain_seq, AuditEventModel.mac).where(
                    AuditEventModel.chain_seq.in_(wanted)
                )
            )
        }
        for audit_event in chained:
            position = _position(audit_event)
            previous = GENESIS if position == 1 else before.get(position - 1)
            if previous is None:
                self.add(
                    audit_event.instance_id,
                    audit_event.seq,
                    f"the event before #{audit_event.seq} in the common chain is missing: "
                    "an event or a whole item was deleted",
                )
            else:
                self.seal(audit_event, previous)

    def head(self, session: Session, last: int, mac: str) -> None:
        head = session.get(AuditChainModel, 1)
        if head is None:
            self.add(None, None, "the head of the common chain is missing")
            return
        if head.seq != last or not same(head.mac, mac):
            self.add(
                None,
                None,
                f"the common chain ends at position {last} but its head says {head.seq}: "
                "the last events were deleted or the head was moved",
            )
        if head.seq == 0 and head.seal == PUBLIC:
            return  # an empty chain from before the key: nothing to protect yet
        if self._recipe_ok(head.seal, "the head of the common chain", None):
            expected, _ = head_seal(self.key if head.seal == KEYED else None, head.seq, head.mac)
            if not same(expected, head.sig):
                self.add(None, None, "the head of the common chain does not match its signature")

    def checkpoint(self, session: Session, checkpoint: Checkpoint) -> None:
        stamp = checkpoint.line().split(":")[4]
        if checkpoint.seal == KEYED and self.key is None:
            self.unchecked += 1
        else:
            expected, _ = _sign_checkpoint(
                self.key if checkpoint.seal == KEYED else None,
                checkpoint.seq,
                checkpoint.mac,
                stamp,
            )
            if not same(expected, checkpoint.sig):
                self.add(None, None, "the checkpoint's signature does not match: it was altered")
                return
        if checkpoint.seq == 0:
            return
        mac = session.scalar(
            select(AuditEventModel.mac).where(AuditEventModel.chain_seq == checkpoint.seq)
        )
        if mac is None:
            self.add(
                None,
                None,
                f"position {checkpoint.seq} of the checkpoint is no longer in the common chain: "
                "the history was cut back",
            )
        elif not same(mac, checkpoint.mac):
            self.add(
                None,
                None,
                f"the common chain differs from the checkpoint at position {checkpoint.seq}: "
                "the history before the checkpoint was rewritten",
            )


def _position(audit_event: AuditEventModel) -> int:
    return audit_event.chain_seq or 0
