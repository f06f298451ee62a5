"""A step that cannot be done without a document: its form says so at its top level,
`"x-attachment-required": "<what to attach, in the form's words>"` (a drafting step: the
draft the next people read, check and sign). The step is refused until a file was added at
this very task, in this completion's request or before it on the item's page: a draft sent
back is sent again with its corrected version (the department's rule: "sửa rồi đính kèm
lại cùng tên tệp để có phiên bản mới"), and a tờ trình drafted anew, after the UBND sent the
list back, is not taken for the one before. A step the process sent straight back to its
person (no other step done between: a consultation that missed a body the law requires) keeps
the file added at its round before: nobody has read that draft, and it still stands."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session, aliased

from .attachments import AttachmentModel
from .audit import AuditEventModel
from .errors import InvalidData
from .human_tasks import HumanTaskModel
from .task_meta import TaskMeta

ATTACHMENT_REQUIRED = "x-attachment-required"
# The field a refusal names: the step's files, which no form declares.
ATTACHMENTS_FIELD = "_attachments"


def required_document(schema: Any) -> str | None:
    """What a step's form (its JSON Schema) says must be attached, if it says so."""
    said = schema.get(ATTACHMENT_REQUIRED) if isinstance(schema, Mapping) else None
    return said.strip() if isinstance(said, str) and said.strip() else None


def require_document(
    session: Session,
    forms: Mapping[str, Any],
    meta: TaskMeta | None,
    instance_id: int,
    task_id: str,
) -> None:
    """Refuse the step (InvalidData on `ATTACHMENTS_FIELD`, the form's words) while no file
    was added at this task."""
    said = required_document(forms.get(meta.form_file) if meta and meta.form_file else None)
    if said is None:
        return
    added_here = exists().where(
        AttachmentModel.instance_id == instance_id, AttachmentModel.task_id == task_id
    )
    if not session.scalar(select(added_here)) and not _added_just_before(
        session, instance_id, task_id
    ):
        raise InvalidData(
            f"the step needs a document: {said}",
            {ATTACHMENTS_FIELD: said},
            {ATTACHMENTS_FIELD: {"code": "attachment_required"}},
        )


def _added_just_before(session: Session, instance_id: int, task_id: str) -> bool:
    """Whether the step done last on the item (by its history's order, never by a time two
    steps may share) is this step's round before (the process sent it straight back), with a
    file added at it."""
    this = aliased(HumanTaskModel)
    last = (
        select(AuditEventModel.task_id, AuditEventModel.element_id)
        .where(AuditEventModel.instance_id == instance_id, AuditEventModel.kind == "completed")
        .order_by(AuditEventModel.seq.desc())
        .limit(1)
        .subquery()
    )
    same_step = select(this.element_id).where(this.id == task_id).scalar_subquery()
    with_file = exists().where(
        AttachmentModel.instance_id == instance_id, AttachmentModel.task_id == last.c.task_id
    )
    return bool(session.scalar(select(with_file).where(last.c.element_id == same_step)))
