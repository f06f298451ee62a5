"""Imports every table module, so Base.metadata knows them all (for Alembic)."""

from __future__ import annotations

from .api_tokens import ApiTokenModel
from .attachments import AttachmentModel
from .audit import AuditEventModel
from .definitions import ProcessVersionModel
from .external_rows import ExternalTaskModel
from .human_tasks import HumanTaskModel, TaskCandidateModel
from .instances import InstanceModel
from .login_limits import LoginAttemptModel
from .notifications import NotificationChoiceModel, NotificationModel
from .outside_bodies import OutsideBodyModel
from .registers import DocumentRegisterModel, IssuedNumberModel
from .search import SearchDocumentModel
from .start_keys import StartKeyModel
from .subscriptions import WaitingEventModel
from .users import GroupModel, UserModel
from .webhooks import WebhookDeliveryModel, WebhookModel

__all__ = [
    "ApiTokenModel",
    "AttachmentModel",
    "AuditEventModel",
    "DocumentRegisterModel",
    "ExternalTaskModel",
    "GroupModel",
    "HumanTaskModel",
    "InstanceModel",
    "IssuedNumberModel",
    "LoginAttemptModel",
    "NotificationChoiceModel",
    "NotificationModel",
    "OutsideBodyModel",
    "ProcessVersionModel",
    "SearchDocumentModel",
    "StartKeyModel",
    "TaskCandidateModel",
    "UserModel",
    "WaitingEventModel",
    "WebhookDeliveryModel",
    "WebhookModel",
]
