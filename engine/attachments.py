"""Files attached to items: stored under generated names outside any web folder, checked by size
and by what their bytes are, recorded with who attached them and when."""

from __future__ import annotations

import hashlib
import os
import unicodedata
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ForeignKey, Integer, String, bindparam, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .archives import check_office_archive
from .audit import append_event
from .clock import Clock
from .db import Base, UTCDateTime, read_rows
from .errors import InvalidInput, NotFound
from .human_tasks import HumanTaskModel
from .instances import lock_instance, require_running
from .views import InstanceView

DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHED = "attached"  # the kind of the audit event each file is added with
# Extension -> (content type, accepted leading bytes). Office files are zip containers.
ALLOWED = {
    ".pdf": ("application/pdf", (b"%PDF-",)),
    ".docx": (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        (b"PK\x03\x04",),
    ),
    ".xlsx": (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        (b"PK\x03\x04",),
    ),
    ".doc": ("application/msword", (b"\xd0\xcf\x11\xe0",)),
    ".xls": ("application/vnd.ms-excel", (b"\xd0\xcf\x11\xe0",)),
    ".png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    ".jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    ".txt": ("text/plain; charset=utf-8", ()),
}
# Types a browser shows itself and that cannot carry a page of ours: opened, not downloaded.
VIEWABLE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


class AttachmentModel(Base):
    __tablename__ = "attachments"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("instances.id"), index=True)
    task_id: Mapped[str | None] = mapped_column(String(36))
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by: Mapped[str] = mapped_column(ForeignKey("users.username"))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime())


@dataclass(frozen=True)
class AttachmentView:
    id: str
    instance_id: int
    task_id: str | None
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime

    @property
    def viewable(self) -> bool:
        """Whether a browser opens it itself (PDF, PNG, JPEG) rather than downloading it."""
        return self.content_type in VIEWABLE_TYPES


def _view(row: AttachmentModel) -> AttachmentView:
    return AttachmentView(
        row.id,
        row.instance_id,
        row.task_id,
        row.filename,
        row.content_type,
        row.size,
        row.uploaded_by,
        row.uploaded_at,
    )


def _safe_name(filename: str) -> str:
    name = filename.replace("\\", "/").rsplit("/", 1)[-1].strip()
    name = "".join(c for c in name if c.isprintable() and c not in '<>:"|?*')
    if not name or name.startswith("."):
        raise InvalidInput("the file has no usable name", reason="file_name")
    return name[-200:]


def _content_type(name: str, content: bytes) -> str:
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED:
        raise InvalidInput(
            f"files of type '{extension or name}' are not accepted; accepted: "
            + ", ".join(sorted(ALLOWED)),
            reason="file_type",
            extension=extension or name,
            accepted=sorted(ALLOWED),
        )
    content_type, magic = ALLOWED[extension]
    if magic and not content.startswith(magic):
        raise InvalidInput(
            f"the file's content is not a real {extension} file",
            reason="file_content",
            extension=extension,
        )
    if extension == ".txt":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput("a .txt file must be UTF-8 text", reason="file_not_utf8") from exc
    return content_type


def add_attachment(
    session: Session,
    clock: Clock,
    store: Path,
    instance_id: int,
    username: str,
    filename: str,
    content: bytes,
    *,
    task_id: str | None = None,
    max_bytes: int = DEFAULT_MAX_ATTACHMENT_BYTES,
    expected_version: int | None = None,
) -> AttachmentView:
    """Store a file on a running item. The caller checks that the person may see the item."""
    name = _safe_name(filename)
    if not content:
        raise InvalidInput("the file is empty", reason="file_empty")
    if len(content) > max_bytes:
        raise InvalidInput(
            f"the file is larger than the limit of {max_bytes // (1024 * 1024)} MB",
            reason="file_too_large",
            limit_bytes=max_bytes,
        )
    content_type = _content_type(name, content)
    if name.lower().endswith((".docx", ".xlsx")):
        check_office_archive(name, content)
    instance = lock_instance(session, instance_id, expected_version)
    require_running(instance)
    if task_id is not None:
        # A file is filed under one of the item's own steps, never another item's or none.
        step_of = select(HumanTaskModel.instance_id).where(HumanTaskModel.id == task_id)
        if session.scalar(step_of) != instance_id:
            raise NotFound(f"item {instance_id} has no task {task_id}", reason="task_not_found")
    row = AttachmentModel(
        id=str(uuid.uuid4()),
        instance_id=instance_id,
        task_id=task_id,
        filename=name,
        stored_name=uuid.uuid4().hex,
        content_type=content_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=username,
        uploaded_at=clock(),
    )
    store.mkdir(parents=True, exist_ok=True)
    temporary = store / f".{row.stored_name}.part"
    temporary.write_bytes(content)
    temporary.replace(store / row.stored_name)
    session.add(row)
    append_event(
        session,
        instance,
        at=row.uploaded_at,
        actor=username,
        kind=ATTACHED,
        task_id=task_id,
        details={"file": name, "sha256": row.sha256},
    )
    return _view(row)


def list_attachments(session: Session, instance_id: int) -> list[AttachmentView]:
    rows = session.scalars(
        select(AttachmentModel)
        .where(AttachmentModel.instance_id == instance_id)
        .order_by(AttachmentModel.uploaded_at)
    )
    return [_view(r) for r in rows]


def attachment_file(
    session: Session, store: Path, attachment_id: str
) -> tuple[AttachmentView, Path]:
    row = session.get(AttachmentModel, attachment_id)
    if row is None:
        raise NotFound("the attachment does not exist")
    return _view(row), store / row.stored_name


@dataclass(frozen=True)
class DocumentVersion:
    """One upload of a document: version `number` (1 is the first), who, when and in which step
    (`task_id` None: added on the item's page, outside any step)."""

    number: int
    attachment_id: str
    filename: str
    content_type: str
    size: int
    uploaded_by: str
    uploaded_at: datetime
    task_id: str | None
    element_id: str | None
    step_title: str | None

    @property
    def viewable(self) -> bool:
        """Whether a browser opens it itself (PDF, PNG, JPEG) rather than downloading it."""
        return self.content_type in VIEWABLE_TYPES


@dataclass(frozen=True)
class DocumentView:
    """The files of one item that share a name (case and Unicode form aside), as one document:
    its versions newest first, and the step that first added it."""

    name: str
    versions: tuple[DocumentVersion, ...]
    task_id: str | None
    element_id: str | None
    step_title: str | None

    @property
    def latest(self) -> DocumentVersion:
        return self.versions[0]

    @property
    def earlier(self) -> tuple[DocumentVersion, ...]:
        return self.versions[1:]


def _document_key(filename: str) -> str:
    """What makes two file names the same document: equal after NFC and case folding."""
    return unicodedata.normalize("NFC", filename).casefold()


# Built once: every task page and item page lists its item's files.
_DOCUMENTS = (
    select(
        AttachmentModel.id,
        AttachmentModel.task_id,
        AttachmentModel.filename,
        AttachmentModel.content_type,
        AttachmentModel.size,
        AttachmentModel.uploaded_by,
        AttachmentModel.uploaded_at,
        HumanTaskModel.process_id,
        HumanTaskModel.element_id,
        HumanTaskModel.title,
        HumanTaskModel.created_at,
    )
    .outerjoin(HumanTaskModel, HumanTaskModel.id == AttachmentModel.task_id)
    .where(AttachmentModel.instance_id == bindparam("instance_id"))
    .order_by(AttachmentModel.uploaded_at, AttachmentModel.id)
)


def documents_of(session: Session, item: InstanceView) -> list[DocumentView]:
    """`list_documents` of an item read with its whole history (`show_instance`,
    `item_with_dossier`): none, without a statement, when no event of it added a file (each
    file comes with its event, `add_attachment`)."""
    if not any(entry.kind == ATTACHED for entry in item.history):
        return []
    return list_documents(session, item.id)


def list_documents(session: Session, instance_id: int) -> list[DocumentView]:
    """The item's files as documents, in one query. A file uploaded again under the same name is
    the document's next version (by upload time, then id). Documents come grouped by the step
    that added their first version, steps in the order they happened (the step's task creation),
    files added outside any step last; within a step, in the order they were first added."""
    rows = read_rows(session, _DOCUMENTS, {"instance_id": instance_id}).all()
    by_name: dict[str, list[DocumentVersion]] = {}
    step_of: dict[str, tuple[str | None, str | None]] = {}  # document -> (process, element)
    step_began: dict[tuple[str | None, str | None], datetime] = {}
    for row in rows:
        key = _document_key(row.filename)
        versions = by_name.setdefault(key, [])
        versions.append(
            DocumentVersion(
                len(versions) + 1,
                row.id,
                row.filename,
                row.content_type,
                row.size,
                row.uploaded_by,
                row.uploaded_at,
                row.task_id,
                row.element_id,
                row.title,
            )
        )
        if len(versions) == 1:
            step = (row.process_id, row.element_id)
            step_of[key] = step
            began = row.created_at or row.uploaded_at
            step_began[step] = min(step_began.get(step, began), began)

    def order(document: str) -> tuple[bool, datetime, str, str, datetime]:
        process, element = step = step_of[document]
        first_added = by_name[document][0].uploaded_at
        return (element is None, step_began[step], process or "", element or "", first_added)

    documents = []
    for document in sorted(by_name, key=order):
        versions = by_name[document]
        first = versions[0]
        documents.append(
            DocumentView(
                versions[-1].filename,
                tuple(reversed(versions)),
                first.task_id,
                first.element_id,
                first.step_title,
            )
        )
    return documents


@contextmanager
def removed_on_failure() -> Iterator[list[Path]]:
    """The files a transaction stored (`attachment_file`'s paths, noted in the list given):
    removed if it fails, its rows rolled back. Only the transaction goes inside: once it has
    committed, the files are its rows'."""
    written: list[Path] = []
    try:
        yield written
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
