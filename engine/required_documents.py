"""A step that cannot be done without a document: its form says so at its top level,
`"x-attachment-required": "<what to attach, in the form's words>"` (a drafting step: the
draft the next people read, check and sign). The step is refused until the item holds a file
added at that step — in this completion's request, or at an earlier run of the same step (a
draft sent back and sent again keeps its file; a new version under the same name replaces
it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from .attachments import AttachmentModel
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
    element_id: str,
) -> None:
    """Refuse the step (InvalidData on `ATTACHMENTS_FIELD`, the form's words) while the item
    has no file added at it."""
    said = required_document(forms.get(meta.form_file) if meta and meta.form_file else None)
    if said is None:
        return
    added_at_step = exists().where(
        AttachmentModel.instance_id == instance_id,
        HumanTaskModel.id == AttachmentModel.task_id,
        HumanTaskModel.element_id == element_id,
    )
    if not session.scalar(select(added_at_step)):
        raise InvalidData(
            f"the step needs a document: {said}",
            {ATTACHMENTS_FIELD: said},
            {ATTACHMENTS_FIELD: {"code": "attachment_required"}},
        )
