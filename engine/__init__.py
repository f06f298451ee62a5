"""pheduyet's BPMN runtime: deploy diagrams, run instances, answer who holds what.

The public surface is this module's ``__all__``; everything else is internal. Functions take a
SQLAlchemy session and never commit: the caller owns the transaction (see ``db.transaction``).
"""

from __future__ import annotations

from .actions import (
    assign_task,
    cancel_instance,
    claim_task,
    complete_task,
    rename_instance,
    start_instance,
    unclaim_task,
)
from .archives import ArchiveLimits, check_office_archive
from .attachment_gc import OrphanFile, collect_orphan_files
from .attachments import (
    AttachmentView,
    DocumentVersion,
    DocumentView,
    add_attachment,
    attachment_file,
    list_attachments,
    list_documents,
)
from .audit import audit_key_from_environment, bind_audit_key, reseal_chain
from .audit_verify import AuditReport, Checkpoint, audit_report, make_checkpoint
from .clock import Clock, ManualClock, as_utc, system_clock
from .db import create_db_engine, database_url, session_factory, transaction
from .definitions import deploy, list_processes
from .dossier import Dossier, DossierField, DossierSection, dossier
from .errors import (
    Conflict,
    EngineError,
    Forbidden,
    InvalidData,
    InvalidDefinition,
    InvalidInput,
    NotFound,
    ScriptError,
)
from .forms import schema_choices
from .forwarding import Colleague, Hierarchy, forward_candidates
from .item_details import (
    FormView,
    Progress,
    diagram_xml,
    instance_progress,
    step_titles,
    task_form,
)
from .migrate import upgrade_database
from .monitoring import (
    STATUSES,
    MonitorFilter,
    MonitorResult,
    MonitorRow,
    StepStat,
    monitor,
    process_versions,
    step_stats,
)
from .parsing import SourceFile
from .queries import (
    can_act,
    get_task,
    instance_revision,
    instance_titles,
    open_tasks,
    show_instance,
    stuck,
    tasks_for,
    verify_audit,
)
from .runtime import EngineConfig, weekdays_only
from .search import SearchHit, search_items
from .timers import run_due_timers
from .users import (
    ADMIN_GROUP,
    Identity,
    UserView,
    add_group,
    add_user,
    check_password,
    get_identity,
    list_groups,
    list_units,
    list_users,
    set_active,
    set_user_groups,
    user_exists,
)
from .views import (
    AuditProblem,
    DeployResult,
    HistoryEntry,
    InstanceStatus,
    InstanceView,
    ProcessView,
    StuckRow,
    TaskStatus,
    TaskView,
    to_jsonable,
)
from .visibility import is_auditor, may_contribute, may_view_instance, visible_instance_ids

__all__ = [
    "ADMIN_GROUP",
    "STATUSES",
    "ArchiveLimits",
    "AttachmentView",
    "AuditProblem",
    "AuditReport",
    "Checkpoint",
    "Clock",
    "Colleague",
    "Conflict",
    "DeployResult",
    "DocumentVersion",
    "DocumentView",
    "Dossier",
    "DossierField",
    "DossierSection",
    "EngineConfig",
    "EngineError",
    "Forbidden",
    "FormView",
    "Hierarchy",
    "HistoryEntry",
    "Identity",
    "InstanceStatus",
    "InstanceView",
    "InvalidData",
    "InvalidDefinition",
    "InvalidInput",
    "ManualClock",
    "MonitorFilter",
    "MonitorResult",
    "MonitorRow",
    "NotFound",
    "OrphanFile",
    "ProcessView",
    "Progress",
    "ScriptError",
    "SearchHit",
    "SourceFile",
    "StepStat",
    "StuckRow",
    "TaskStatus",
    "TaskView",
    "UserView",
    "add_attachment",
    "add_group",
    "add_user",
    "as_utc",
    "assign_task",
    "attachment_file",
    "audit_key_from_environment",
    "audit_report",
    "bind_audit_key",
    "can_act",
    "cancel_instance",
    "check_office_archive",
    "check_password",
    "claim_task",
    "collect_orphan_files",
    "complete_task",
    "create_db_engine",
    "database_url",
    "deploy",
    "diagram_xml",
    "dossier",
    "forward_candidates",
    "get_identity",
    "get_task",
    "instance_progress",
    "instance_revision",
    "instance_titles",
    "is_auditor",
    "list_attachments",
    "list_documents",
    "list_groups",
    "list_processes",
    "list_units",
    "list_users",
    "make_checkpoint",
    "may_contribute",
    "may_view_instance",
    "monitor",
    "open_tasks",
    "process_versions",
    "rename_instance",
    "reseal_chain",
    "run_due_timers",
    "schema_choices",
    "search_items",
    "session_factory",
    "set_active",
    "set_user_groups",
    "show_instance",
    "start_instance",
    "step_stats",
    "step_titles",
    "stuck",
    "system_clock",
    "task_form",
    "tasks_for",
    "to_jsonable",
    "transaction",
    "unclaim_task",
    "upgrade_database",
    "user_exists",
    "verify_audit",
    "visible_instance_ids",
    "weekdays_only",
]
