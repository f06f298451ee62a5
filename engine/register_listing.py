"""The register of outgoing documents (sổ văn bản đi) as people read it: each number given, with
its item, who issued it and whether it still stands, newest first one keyset page at a time.

A read model over `issued_numbers` (see registers): one query a page, whatever the number of
rows, with the document's trích yếu and signer, the item's title, the person who completed the
issuing step and whether the viewer may open the item, all joined in. Which registers exist is
one more query (`register_books`).

Newest first is by the row's id: the numbers of one register are taken under its row lock
(registers), so within a register the ids grow with the numbers; across registers they grow
in the order the issues were written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, or_, select, true
from sqlalchemy.orm import Session, aliased

from .attachments import AttachmentModel
from .human_tasks import HumanTaskModel
from .instances import InstanceModel
from .paging import PAGE_SIZE, decode_cursor, encode_cursor
from .registers import DocumentRegisterModel, IssuedNumberModel
from .users import Identity, UserModel
from .visibility import visible_clause

MAX_TEXT = 200


@dataclass(frozen=True)
class RegisterFilter:
    """Which numbers to list: one register or all, one year or all, a piece of the number and
    symbol ("05", "TTr-SKHCN"), of the document's trích yếu or of the item's title."""

    key: str | None = None
    year: int | None = None
    text: str | None = None


@dataclass(frozen=True)
class RegisterRow:
    id: int
    register_key: str
    year: int
    number: int
    text: str  # the number and symbol as issued: "05/TTr-SKHCN"
    issued_at: datetime
    status: str  # NumberStatus: issued or void
    void_reason: str | None
    instance_id: int | None  # None once the item was deleted
    title: str | None  # the item's title
    process_id: str | None
    issued_by: str | None  # the username who completed the issuing step
    issued_by_name: str | None
    may_view: bool  # the viewer may open the item's page
    summary: str | None = None  # the document's trích yếu as issued (None: numbers before 0030)
    # Whether who issued it attached a file to its item after issuing: the copy bearing the
    # number (registers.issued_by), which the register shows as missing until then.
    copy_attached: bool = False
    signer: str | None = None  # who signed it (username), where the register keeps it
    signer_name: str | None = None

    @property
    def trich_yeu(self) -> str | None:
        """What the register's "Trích yếu nội dung" shows: the document's own, else (a number
        that kept none) its item's title."""
        return self.summary or self.title


@dataclass(frozen=True)
class RegisterPage:
    rows: list[RegisterRow]
    next_cursor: str | None  # None on the last page


def _select(
    filters: RegisterFilter, viewer: Identity | None, auditor_groups: Iterable[str]
) -> Select[Any]:
    number = IssuedNumberModel
    # An alias: the visibility rule's subqueries name human_tasks themselves, and must not be
    # correlated to the issuing step's row.
    step = aliased(HumanTaskModel)
    signer = aliased(UserModel)
    # The operator (the CLI, viewer None) may see every item.
    visible: ColumnElement[bool] = (
        true() if viewer is None else visible_clause(viewer, auditor_groups)
    )
    columns: tuple[Any, ...] = (
        number.id,
        number.register_key,
        number.year,
        number.number,
        number.text,
        number.issued_at,
        number.status,
        number.void_reason,
        number.instance_id,
        InstanceModel.title,
        InstanceModel.process_id,
        step.completed_by,
        UserModel.display_name,
        and_(InstanceModel.id.is_not(None), visible).label("may_view"),
        number.summary,
        number.signer,
        signer.display_name,
        exists()
        .where(
            AttachmentModel.instance_id == number.instance_id,
            AttachmentModel.uploaded_by == step.completed_by,
            AttachmentModel.uploaded_at > number.issued_at,
        )
        .label("copy_attached"),
    )
    statement = (
        select(*columns)
        .select_from(number)
        .outerjoin(InstanceModel, InstanceModel.id == number.instance_id)
        .outerjoin(step, step.id == number.task_id)
        .outerjoin(UserModel, UserModel.username == step.completed_by)
        .outerjoin(signer, signer.username == number.signer)
    )
    if filters.key:
        statement = statement.where(number.register_key == filters.key)
    if filters.year is not None:
        statement = statement.where(number.year == filters.year)
    text = (filters.text or "").strip()[:MAX_TEXT]
    if text:
        statement = statement.where(
            or_(
                number.text.icontains(text, autoescape=True),
                number.summary.icontains(text, autoescape=True),
                InstanceModel.title.icontains(text, autoescape=True),
            )
        )
    return statement


def _row(found: Any) -> RegisterRow:
    return RegisterRow(
        id=found[0],
        register_key=found[1],
        year=found[2],
        number=found[3],
        text=found[4],
        issued_at=found[5],
        status=found[6],
        void_reason=found[7],
        instance_id=found[8],
        title=found[9],
        process_id=found[10],
        issued_by=found[11],
        issued_by_name=found[12],
        may_view=bool(found[13]),
        summary=found[14],
        signer=found[15],
        signer_name=found[16],
        copy_attached=bool(found[17]),
    )


def register_listing(
    session: Session,
    filters: RegisterFilter,
    viewer: Identity | None,
    auditor_groups: Iterable[str] = (),
    *,
    after: str | None = None,
    limit: int = PAGE_SIZE,
) -> RegisterPage:
    """The numbers the filters select, newest first, after the cursor: one query. `viewer`
    decides only `may_view` of each row (who may read the register at all is the caller's
    rule); None is the operator, who may open every item."""
    statement = _select(filters, viewer, auditor_groups)
    start = decode_cursor(after, (int,))
    if start is not None:
        statement = statement.where(IssuedNumberModel.id < start[0])
    found = session.execute(statement.order_by(IssuedNumberModel.id.desc()).limit(limit + 1))
    rows = [_row(r) for r in found]
    more = len(rows) > limit
    rows = rows[:limit]
    return RegisterPage(rows, encode_cursor((rows[-1].id,)) if more and rows else None)


def register_book(
    session: Session,
    filters: RegisterFilter,
    viewer: Identity | None,
    auditor_groups: Iterable[str] = (),
) -> list[RegisterRow]:
    """Every number the filters select in the order a paper register reads (by register, year,
    then number): one query, for an export or a script."""
    statement = _select(filters, viewer, auditor_groups).order_by(
        IssuedNumberModel.register_key, IssuedNumberModel.year, IssuedNumberModel.number
    )
    return [_row(r) for r in session.execute(statement)]


def register_books(session: Session) -> list[tuple[str, int]]:
    """(register key, year) of every register that has given a number, newest year first."""
    found = session.execute(
        select(DocumentRegisterModel.register_key, DocumentRegisterModel.year).order_by(
            DocumentRegisterModel.year.desc(), DocumentRegisterModel.register_key
        )
    )
    return [(key, year) for key, year in found]
