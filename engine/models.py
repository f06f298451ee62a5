"""Imports every table module, so Base.metadata knows them all (for Alembic)."""

from __future__ import annotations

from .attachments import AttachmentModel
from .audit import AuditEventModel
from .definitions import ProcessVersionModel
from .human_tasks import HumanTaskModel, TaskCandidateModel
from .instances import InstanceModel
from .users import GroupModel, UserModel

__all__ = [
    "AttachmentModel",
    "AuditEventModel",
    "GroupModel",
    "HumanTaskModel",
    "InstanceModel",
    "ProcessVersionModel",
    "TaskCandidateModel",
    "UserModel",
]
