"""pheduyet's BPMN runtime: deploy diagrams, run instances, answer who holds what.

The public surface is this module's ``__all__``; everything else is internal. Functions take a
SQLAlchemy session and never commit: the caller owns the transaction (see ``db.transaction``).
"""

from __future__ import annotations

from .actions import (
    ADMIN_GROUP,
    assign_task,
    cancel_instance,
    claim_task,
    complete_task,
    start_instance,
    unclaim_task,
)
from .clock import Clock, ManualClock, as_utc, system_clock
from .db import create_db_engine, database_url, session_factory, transaction
from .definitions import deploy, list_processes
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
from .migrate import upgrade_database
from .parsing import SourceFile
from .queries import (
    get_task,
    instance_titles,
    open_tasks,
    show_instance,
    stuck,
    tasks_for,
    verify_audit,
)
from .runtime import EngineConfig, weekdays_only
from .timers import run_due_timers
from .users import Identity, add_group, add_user, check_password, get_identity, list_groups
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

__all__ = [
    "ADMIN_GROUP",
    "AuditProblem",
    "Clock",
    "Conflict",
    "DeployResult",
    "EngineConfig",
    "EngineError",
    "Forbidden",
    "HistoryEntry",
    "Identity",
    "InstanceStatus",
    "InstanceView",
    "InvalidData",
    "InvalidDefinition",
    "InvalidInput",
    "ManualClock",
    "NotFound",
    "ProcessView",
    "ScriptError",
    "SourceFile",
    "StuckRow",
    "TaskStatus",
    "TaskView",
    "add_group",
    "add_user",
    "as_utc",
    "assign_task",
    "cancel_instance",
    "check_password",
    "claim_task",
    "complete_task",
    "create_db_engine",
    "database_url",
    "deploy",
    "get_identity",
    "get_task",
    "instance_titles",
    "list_groups",
    "list_processes",
    "open_tasks",
    "run_due_timers",
    "session_factory",
    "show_instance",
    "start_instance",
    "stuck",
    "system_clock",
    "tasks_for",
    "to_jsonable",
    "transaction",
    "unclaim_task",
    "upgrade_database",
    "verify_audit",
    "weekdays_only",
]
