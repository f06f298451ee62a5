"""Imports every table module, so Base.metadata knows them all (for Alembic)."""

from __future__ import annotations

from .attachments import AttachmentModel
from .audit import AuditEventModel
from .definitions import ProcessVersionModel
from .human_tasks import HumanTaskModel, TaskCandidateModel
from .instances import InstanceModel
from .search import SearchDocumentModel
from .users import GroupModel, UserModel

__all__ = [
    "AttachmentModel",
    "AuditEventModel",
    "GroupModel",
    "HumanTaskModel",
    "InstanceModel",
    "ProcessVersionModel",
    "SearchDocumentModel",
    "TaskCandidateModel",
    "UserModel",
]
