"""Registers of numbered documents (a sổ văn bản đi): per register key and year, numbers 1, 2, 3…
given by the engine when a step whose form asks for one is completed, never typed by a person.

A form field asks for a number with the marker ``"x-register"``: either the register's key
(``"TTr"``) or ``{"key": "TTr", "suffix": "/TTr-SKHCN"}``, to which ``"summary"`` and
``"signer"`` may add the names of the item's fields that hold the document's trích yếu and
the user name of whoever signed it: both are kept with the number as they are at its issue,
for the register's "Trích yếu nội dung" and "Người ký" (NĐ 30/2020, Phụ lục IV). The field
is read-only (nobody may type it); when its step is completed the engine takes the register's
next number of the year and writes it into the field as text with at least two digits and the
suffix (``"05/TTr-SKHCN"``; 10 and above as they are), before the diagram moves on. The year is
the year of the completion in the office's time zone.

Why the number is taken inside the step's own transaction (and not like a sequence):
the register row is incremented with one ``INSERT … ON CONFLICT DO UPDATE … RETURNING``, which
locks the row (PostgreSQL) or the database (SQLite) until the action commits. Two issues at once
therefore queue on that row: each sees the other's number and takes the next; none can share
one (a unique key on register, year and number backs this up). If the action fails anywhere
after the number was taken (a script error, a lost race on the item, a crash), its whole
transaction rolls back, the counter with it: that number was never issued, nobody ever saw it,
and the next issue takes it. So numbers are never reused (an issued number stays issued) and
never skipped, which is what NĐ 30/2020/NĐ-CP (Art. 15) asks of a register: one continuous
series per year. A sequence-like counter taken in a separate transaction would leave gaps to
mark "không phát hành" on every rollback, for no gain: the row lock is held only while one
action runs. A number once issued and later withdrawn (the document recalled) is marked void,
still counted: the register shows it as void and never gives it again.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    exists,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, aliased, mapped_column

from .db import Base, UTCDateTime
from .errors import Conflict, InvalidDefinition, NotFound
from .human_tasks import HumanTaskModel

MARKER = "x-register"
KEY = re.compile(r"[^\s/]{1,40}")
MAX_SUFFIX = 100
MAX_SUMMARY = 1000
DIGITS = 2  # "05/TTr-SKHCN": numbers under 10 take a leading zero


class NumberStatus(StrEnum):
    ISSUED = "issued"
    VOID = "void"


class DocumentRegisterModel(Base):
    """The last number given in a register in a year."""

    __tablename__ = "document_registers"

    register_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer)


class IssuedNumberModel(Base):
    """One number given: to which item, at which step, when; void if withdrawn later."""

    __tablename__ = "issued_numbers"
    __table_args__ = (UniqueConstraint("register_key", "year", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    register_key: Mapped[str] = mapped_column(String(40))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(200))
    instance_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("instances.id", ondelete="SET NULL"), index=True
    )
    element_id: Mapped[str | None] = mapped_column(String(200))
    task_id: Mapped[str | None] = mapped_column(String(36))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(10), default=NumberStatus.ISSUED)
    void_reason: Mapped[str | None] = mapped_column(String(1000))
    # The document's trích yếu and signer's user name at its issue (migration 0030).
    summary: Mapped[str | None] = mapped_column(String(MAX_SUMMARY))
    signer: Mapped[str | None] = mapped_column(String(100))


def issued_numbers_of(session: Session, instance_id: int) -> list[str]:
    """The numbers of registers given to the item and not void (its issued documents:
    "03/TTr-SKHCN"), in the order they were given."""
    query = (
        select(IssuedNumberModel.text)
        .where(
            IssuedNumberModel.instance_id == instance_id,
            IssuedNumberModel.status == NumberStatus.ISSUED,
        )
        .order_by(IssuedNumberModel.issued_at, IssuedNumberModel.id)
    )
    return list(session.scalars(query))


def issued_by(username: str, instance_id: Any) -> ColumnElement[bool]:
    """Whether this person took a number of a register for the item, in a step they completed:
    the number is given as the step completes, so the issued copy that bears it can only be
    attached after the step, by them (`may_contribute`)."""
    step = aliased(HumanTaskModel)  # never the task rows of a query this is part of
    return exists().where(
        IssuedNumberModel.instance_id == instance_id,
        IssuedNumberModel.status == NumberStatus.ISSUED,
        step.id == IssuedNumberModel.task_id,
        step.completed_by == username,
    )


@dataclass(frozen=True)
class IssuedNumber:
    register_key: str
    year: int
    number: int
    text: str
    instance_id: int | None
    element_id: str | None
    issued_at: datetime
    status: str
    void_reason: str | None


@dataclass(frozen=True)
class RegisterField:
    """A form field the engine fills with the next number of a register."""

    field: str
    key: str
    suffix: str = ""
    summary: str | None = None  # the item's field holding the document's trích yếu
    signer: str | None = None  # the item's field holding the signer's user name

    def text(self, number: int) -> str:
        return f"{number:0{DIGITS}d}{self.suffix}"

    def kept(self, data: Mapping[str, Any]) -> tuple[str | None, str | None]:
        """The trích yếu and the signer as the item's data holds them at the issue."""
        summary = data.get(self.summary) if self.summary else None
        signer = data.get(self.signer) if self.signer else None
        return (
            " ".join(summary.split())[:MAX_SUMMARY] if isinstance(summary, str) else None,
            signer[:100] if isinstance(signer, str) else None,
        )


# What a register marker may name beside its key and suffix: the item's fields kept with it.
_KEPT = ("summary", "signer")


def register_fields(schema: Any, form_file: str | None = None) -> list[RegisterField]:
    """The fields of a JSON Schema form that carry the register marker; a malformed marker is
    refused as a bad definition (checked at deploy and again at use)."""
    properties = schema.get("properties") if isinstance(schema, dict) else None
    found: list[RegisterField] = []
    for name, spec in (properties or {}).items():
        if not isinstance(spec, dict) or MARKER not in spec:
            continue
        marker = spec[MARKER]
        key, suffix = (marker, "") if isinstance(marker, str) else (None, None)
        kept: dict[str, Any] = {}
        if isinstance(marker, dict) and set(marker) <= {"key", "suffix", *_KEPT}:
            key, suffix = marker.get("key"), marker.get("suffix", "")
            kept = {k: marker[k] for k in _KEPT if k in marker}
        well_formed = (
            isinstance(key, str)
            and KEY.fullmatch(key)
            and isinstance(suffix, str)
            and len(suffix) <= MAX_SUFFIX
            and all(isinstance(v, str) and 0 < len(v) <= 200 for v in kept.values())
        )
        if not well_formed or spec.get("readOnly") is not True:
            raise InvalidDefinition(
                f"field '{name}': {MARKER} must be a register key (up to 40 characters, no "
                "spaces or '/') or {key, suffix, summary, signer}, on a readOnly field",
                file=form_file,
                reason="register_marker",
                field=name,
                marker=MARKER,
            )
        assert isinstance(key, str) and isinstance(suffix, str)
        found.append(RegisterField(name, key, suffix, **kept))
    return found


def _next_number(session: Session, key: str, year: int) -> int:
    """The register's next number, its row locked until the caller's transaction ends."""
    dialect = session.get_bind().dialect.name
    values = {"register_key": key, "year": year, "last_number": 1}
    if dialect in ("postgresql", "sqlite"):
        insert = (postgresql if dialect == "postgresql" else sqlite).insert
        statement = insert(DocumentRegisterModel).values(values)
        statement = statement.on_conflict_do_update(
            index_elements=["register_key", "year"],
            set_={"last_number": DocumentRegisterModel.last_number + 1},
        ).returning(DocumentRegisterModel.last_number)
        return int(session.execute(statement).scalar_one())
    # Any other database: lock the row, or create it.
    row = session.get(DocumentRegisterModel, (key, year), with_for_update=True)
    if row is None:
        session.add(DocumentRegisterModel(**values))
        session.flush()
        return 1
    row.last_number += 1
    session.flush()
    return row.last_number


def issue_number(
    session: Session,
    field: RegisterField,
    at: datetime,
    zone: tzinfo,
    *,
    instance_id: int | None = None,
    element_id: str | None = None,
    task_id: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> IssuedNumber:
    """Give the next number of `field`'s register for the year of `at` (in `zone`) and record
    it, with what `field` keeps of the item's `data`, inside the caller's transaction (see the
    module's notes on rollback)."""
    year = at.astimezone(zone).year
    number = _next_number(session, field.key, year)
    text = field.text(number)
    summary, signer = field.kept(data or {})
    session.add(
        IssuedNumberModel(
            register_key=field.key,
            year=year,
            number=number,
            text=text,
            instance_id=instance_id,
            element_id=element_id,
            task_id=task_id,
            issued_at=at,
            status=NumberStatus.ISSUED,
            summary=summary,
            signer=signer,
        )
    )
    return IssuedNumber(
        field.key, year, number, text, instance_id, element_id, at, NumberStatus.ISSUED, None
    )


def fill_register_fields(
    session: Session,
    schema: Any,
    at: datetime,
    zone: tzinfo,
    *,
    form_file: str | None = None,
    instance_id: int | None = None,
    element_id: str | None = None,
    task_id: str | None = None,
    data: Mapping[str, Any] | None = None,
) -> dict[str, str]:
    """The values of the form's register fields for a completion at `at`: field -> text.
    `data`: the item's, as the step found it (what each number keeps of it)."""
    return {
        field.field: issue_number(
            session,
            field,
            at,
            zone,
            instance_id=instance_id,
            element_id=element_id,
            task_id=task_id,
            data=data,
        ).text
        for field in register_fields(schema, form_file)
    }


def register_entries(session: Session, key: str, year: int) -> list[IssuedNumber]:
    """A register's numbers of a year, in order (the sổ văn bản đi), void ones included."""
    rows = session.scalars(
        select(IssuedNumberModel)
        .where(IssuedNumberModel.register_key == key, IssuedNumberModel.year == year)
        .order_by(IssuedNumberModel.number)
    )
    return [
        IssuedNumber(
            r.register_key,
            r.year,
            r.number,
            r.text,
            r.instance_id,
            r.element_id,
            r.issued_at,
            r.status,
            r.void_reason,
        )
        for r in rows
    ]


def void_number(
    session: Session, key: str, year: int, number: int, reason: str, *, by: str | None = None
) -> None:
    """Mark an issued number void (the document was withdrawn); it is never given again.
    `by` (who voids it) is kept with the reason, as "reason [by]". Raises NotFound for a
    number never issued, Conflict for one already void."""
    reason = (reason or "").strip()
    if not reason:
        raise ValueError("voiding a number needs a reason")
    if by:
        reason = f"{reason} [{by}]"
    where = (
        IssuedNumberModel.register_key == key,
        IssuedNumberModel.year == year,
        IssuedNumberModel.number == number,
    )
    done = session.execute(
        update(IssuedNumberModel)
        .where(*where, IssuedNumberModel.status != NumberStatus.VOID)
        .values(status=NumberStatus.VOID, void_reason=reason[:1000])
    )
    if done.rowcount:  # type: ignore[attr-defined]
        return
    if session.scalar(select(IssuedNumberModel.id).where(*where)) is not None:
        raise Conflict(
            f"number {number} of register {key} in {year} is void already",
            reason="already_void",
            register=key,
            year=year,
            number=number,
        )
    raise NotFound(f"number {number} of register {key} in {year} was never issued")
