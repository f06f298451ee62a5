"""Files attached to items: stored under generated names outside any web folder, checked by size
and by what their bytes are, recorded with who attached them and when."""

from __future__ import annotations

import hashlib
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from .audit import append_event
from .clock import Clock
from .db import Base, UTCDateTime
from .errors import InvalidInput, NotFound
from .instances import lock_instance, require_running

DEFAULT_MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
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
        raise InvalidInput("the file has no usable name")
    return name[-200:]


def _content_type(name: str, content: bytes) -> str:
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED:
        raise InvalidInput(
            f"files of type '{extension or name}' are not accepted; accepted: "
            + ", ".join(sorted(ALLOWED))
        )
    content_type, magic = ALLOWED[extension]
    if magic and not content.startswith(magic):
        raise InvalidInput(f"the file's content is not a real {extension} file")
    if extension == ".txt":
        try:
            content.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidInput("a .txt file must be UTF-8 text") from exc
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
        raise InvalidInput("the file is empty")
    if len(content) > max_bytes:
        raise InvalidInput(f"the file is larger than the limit of {max_bytes // (1024 * 1024)} MB")
    content_type = _content_type(name, content)
    instance = lock_instance(session, instance_id, expected_version)
    require_running(instance)
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
        kind="attached",
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
