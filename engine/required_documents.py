"""A step that cannot be done without a document: its form says so at its top level,
`"x-attachment-required": "<what to attach, in the form's words>"` (a drafting step: the
draft the next people read, check and sign). The step is refused until a file was added at
this very task, in this completion's request or before it on the item's page: a draft sent
back is sent again with its corrected version (the department's rule: "sửa rồi đính kèm
lại cùng tên tệp để có phiên bản mới"), and a tờ trình drafted anew, after the UBND sent the
list back, is not taken for the one before."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from .attachments import AttachmentModel
from .errors import InvalidData
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
    if not session.scalar(select(added_here)):
        raise InvalidData(
            f"the step needs a document: {said}",
            {ATTACHMENTS_FIELD: said},
            {ATTACHMENTS_FIELD: {"code": "attachment_required"}},
        )
