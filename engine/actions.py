"""What people do to items: start, complete, claim, unclaim, assign, cancel.

Each function is one unit of work inside the caller's transaction: lock the instance row, check
its version and the task, check the person, act, run engine steps, save, refresh the task rows,
append audit events. They never commit; on any error the caller rolls back and nothing changed.
"""

from __future__ import annotations

import unicodedata
from collections import ChainMap
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from .audit import append_event
from .definitions import LoadedVersion, latest_version, load_version
from .directory_cache import kept
from .errors import Conflict, EngineError, Forbidden, InvalidData, InvalidInput, NotFound
from .form_options import resolve_one
from .forms import validate_form, validate_start
from .forwarding import require_colleague
from .human_tasks import (
    HumanTaskModel,
    TaskRows,
    close_tasks,
    is_candidate,
    require_may_act,
    require_open,
)
from .instances import (
    InstanceModel,
    instance_with_task,
    lock_instance,
    lock_instance_with_task,
    require_running,
)
from .model_forms import schema_for_item
from .names import printable
from .ready_tasks import run_engine_steps
from .registers import fill_register_fields, issued_numbers_of, register_fields
from .required_documents import require_document
from .runtime import (
    EngineConfig,
    Stored,
    call_services,
    load_workflow,
    load_workflow_and_rows,
    new_workflow,
    persist,
    spiff_errors,
    to_store,
)
from .serialization import SERIALIZER_VERSION
from .services import ServiceRunner, bind_item
from .spiff_arena import acting
from .start_events import take_start
from .starters import require_plain_start, require_starter
from .stored_data import checked_data
from .subscriptions import BUSINESS_KEY
from .task_assignment import fire_assignment
from .task_meta import START_KIND, TaskMeta
from .users import ADMIN_GROUP, Identity, get_identity
from .views import InstanceStatus, InstanceView, TaskStatus

MAX_TITLE = 500
MAX_COMMENT = 10_000


@dataclass(frozen=True)
class Retitle:
    """An item takes the value of its form field `field` as its title while it is still called
    by a default name: one of `defaults`, or its process's name."""

    field: str
    defaults: frozenset[str] = frozenset()


def _identity(session: Session, who: str | Identity) -> Identity:
    """The person acting: a caller that has already loaded them (a web request) passes the
    Identity, and it is not read again; after the item's lock, the directory as this process
    keeps it under the token the lock read (engine.directory_cache)."""
    if isinstance(who, Identity):
        return who
    return kept(session, f"identity {who}", lambda: get_identity(session, who))


def start_instance(
    session: Session,
    config: EngineConfig,
    process_id: str,
    username: str | Identity,
    *,
    title: str | None = None,
    data: dict[str, Any] | None = None,
    event_start: str | None = None,
    timer_start: str | None = None,
) -> int:
    """Start the latest version of a process; returns the new item's id. Only a process with a
    plain start event starts by hand; `event_start` is the start event of a message or signal
    starting it (delivered next, engine.messages); `timer_start` the timer start event that is
    due (engine.start_timers), which starts it in the name of `username`, who deployed the
    version, whoever the process names as starters."""
    # First: with the version, the directory's token, so the person (and the people the new
    # step tells) come from what the process keeps (engine.directory_cache).
    row = latest_version(session, process_id, read_token=True)
    who = _identity(session, username)
    if timer_start is None:
        require_starter(row, who)  # camunda:candidateStarterGroups/Users
    if event_start is None and timer_start is None:
        require_plain_start(row)
    version = load_version(session, row.id)
    if data is not None and not isinstance(data, dict):
        raise InvalidData("start data must be a JSON object")
    # Like Camunda's initiator: diagrams can send work back to the starter and their unit.
    # A Camunda model's start form checks what the item starts with, as a task's form does.
    start = next(
        (
            m
            for m in version.tasks.values()
            if m.kind == START_KIND
            and m.scope_id == process_id
            and (timer_start is None or m.element_id == timer_start)  # not the plain start's
        ),
        None,
    )
    camunda = version.dialect == "camunda"
    given = validate_start(start, version.forms, data, checked=camunda, today=config.today())
    keyed = start.business_key_field if start is not None else None
    if keyed and given.get(keyed) not in (None, "") and BUSINESS_KEY not in given:
        given[BUSINESS_KEY] = str(given[keyed])  # the start form's businessKey field
    data = {**given, "initiator": who.username, "initiator_unit": who.unit}
    data.update(dict.fromkeys(version.initiator_names, who.username))  # camunda:initiator
    title = _visible(title) or version.name
    if timer_start is not None:  # the items of a schedule told apart by their moment
        moment = f" ({config.clock().astimezone(config.timezone):%d/%m/%Y %H:%M})"
        title = title[: MAX_TITLE - len(moment)] + moment
    if len(title) > MAX_TITLE:
        raise InvalidInput(
            f"a title has at most {MAX_TITLE} characters", reason="title_too_long", limit=MAX_TITLE
        )
    now = config.clock()
    workflow = new_workflow(version, config)
    if timer_start is not None or event_start is not None:
        take_start(workflow, timer_start or event_start or "", fire=timer_start is not None)
    instance = InstanceModel(
        process_version_id=row.id,
        process_id=process_id,
        title=title,
        status=InstanceStatus.RUNNING,
        created_by=who.username,
        created_at=now,
        updated_at=now,
        state="",
        serializer_version=SERIALIZER_VERSION,
        data={},
    )
    session.add(instance)
    session.flush()
    bind_item(workflow, instance.id)  # a service task right after the start knows its item
    with spiff_errors(), acting(session, who.username, instance):
        for task in workflow.get_tasks(state=TaskState.READY):
            task.set_data(**data)
        run_engine_steps(workflow)
    # The start data goes into the audit event at once: refuse what no database stores first.
    checked_data(data, workflow, config.max_data_bytes)
    append_event(
        session,
        instance,
        at=now,
        actor=who.username if timer_start is None else None,
        kind="started",
        details={
            "version": version.version,
            "data": data,
            **({} if timer_start is None else {"timer": timer_start}),
        },
    )
    with acting(session, who.username, instance):  # new tasks' owners may name currentUser()
        persist(session, config, instance, version, workflow, who.username, new=True)
    return instance.id


def _locked_task(
    session: Session, task_id: str, username: str | Identity, expected_version: int | None
) -> tuple[HumanTaskModel, InstanceModel, Identity]:
    """The task row and its locked instance, read together under the lock, so a race is seen;
    and the person acting (read after the lock: see `_identity`)."""
    task_id = _task_uuid(task_id)
    found = lock_instance_with_task(session, task_id, expected_version)
    if found is None:
        raise NotFound(f"task {task_id} does not exist")
    instance, row = found
    who = _identity(session, username)
    if row.status != TaskStatus.OPEN:
        if row.completed_by == who.username or _was_candidate(row, who, instance.created_by):
            require_open(row)
        raise Forbidden(f"{who.username} may not act on task '{row.title}'", task_id=row.id)
    require_running(instance)
    return row, instance, who


def _task_uuid(task_id: str) -> str:
    try:
        return str(UUID(str(task_id)))
    except ValueError as exc:
        raise NotFound(f"task {task_id} does not exist") from exc


def _was_candidate(row: HumanTaskModel, who: Identity, started_by: str) -> bool:
    """Whether the person held the closed task or was among its candidates (read from the row:
    a closed task has no candidate rows)."""
    return row.assignee == who.username or is_candidate(row, who, started_by)


def complete_task(
    session: Session,
    config: EngineConfig,
    task_id: str,
    username: str | Identity,
    *,
    data: dict[str, Any] | None = None,
    comment: str | None = None,
    expected_version: int | None = None,
    retitle: Mapping[str, Retitle] | None = None,
    rehearsal: Rehearsal | None = None,
) -> int:
    """Complete a READY human task with its form data; returns the item's id.

    `retitle` (by process id): the form field whose value becomes the item's title while the
    item is still called by a default name. The rename is part of this action: the item's
    version moves once, and its history records the rename. `rehearsal`: the same completion
    run ahead by `rehearse_completion`, used only if the item is still exactly as it saw it."""
    row, instance, who = _locked_task(session, task_id, username, expected_version)
    require_may_act(session, row, who, instance.created_by)
    comment = clean_comment(comment)
    version = load_version(session, instance.process_version_id)
    meta = version.tasks.get(row.meta_key)
    ran = _rehearsed(rehearsal, row, instance, who, data)
    if ran is not None:  # the same data on the same item: the rehearsal's check and run
        if ran.error is not None:
            raise ran.error
        # The form's own checks said first; then the document, which a page cannot keep.
        require_document(session, version.forms, meta, instance.id, row.id)
        clean, workflow, stored, rows = dict(ran.clean), ran.workflow, ran.stored, ran.rows
        # It reached no service (or it would not have been kept); later runs call them.
        call_services(workflow, config, instance.id)
    else:
        clean = _validated(session, config, version, meta, instance, data)
        require_document(session, version.forms, meta, instance.id, row.id)
        stored = None
        workflow, rows = load_workflow_and_rows(instance, version, config)
        task = _ready_task(workflow, row)
        if meta is not None and meta.form_file:
            # A number of a register (sổ văn bản đi), taken in this transaction: see registers.
            clean.update(
                fill_register_fields(
                    session,
                    version.forms[meta.form_file],
                    config.clock(),
                    config.timezone,
                    form_file=meta.form_file,
                    instance_id=instance.id,
                    element_id=row.element_id,
                    task_id=row.id,
                    # Read only for a register field that keeps some of it; a trích yếu
                    # typed in this step counts. Looked through, never copied.
                    data=ChainMap(clean, task.data),
                )
            )
        _run(session, who, instance, task, workflow, clean)
    checked_data(clean, workflow, config.max_data_bytes)  # it goes into the audit event as it is
    now = config.clock()
    decision_field = meta.decision_field if meta else "decision"
    decision = None if clean.get(decision_field) is None else str(clean.get(decision_field))
    close_tasks(
        session,
        (row.id,),
        {
            "status": TaskStatus.COMPLETED,
            "completed_at": now,
            "completed_by": who.username,
            "decision": decision,
            "comment": comment,
        },
        held=(row,),
    )
    append_event(
        session,
        instance,
        at=now,
        actor=who.username,
        kind="completed",
        task_id=row.id,
        element_id=row.element_id,
        decision=decision,
        comment=comment,
        # The whole submission: the dossier and the history show what each step said.
        details={"data": clean},
    )
    rule = retitle.get(instance.process_id) if retitle else None
    named = clean.get(rule.field) if rule else None
    renamed = named if isinstance(named, str) and named.strip() else None
    if rule is not None and renamed is not None and _named_by_default(instance, rule, version):
        title = title_from(renamed)
        if title != instance.title:
            _retitle(session, instance, title, who.username, now)
    with acting(session, who.username, instance):  # new tasks' owners may name currentUser()
        persist(
            session,
            config,
            instance,
            version,
            workflow,
            who.username,
            closed=(row,),
            stored=stored,
            rows=rows,
        )
    return instance.id


_FORMLESS = TaskMeta(scope_id="", element_id="", name="", line=None)


def _validated(
    session: Session,
    config: EngineConfig,
    version: LoadedVersion,
    meta: TaskMeta | None,
    instance: InstanceModel,
    data: dict[str, Any] | None,
) -> dict[str, Any]:
    """The submission as the step's form accepts it. A step its version keeps no record of
    takes what a step without a form takes: no field."""
    meta = meta or _FORMLESS
    # Choices read from the database (x-options) are checked against it as it is now.
    form_file = meta.form_file
    forms = resolve_one(session, version.forms, form_file)
    if form_file is not None and form_file in forms:  # as the item sees it (its data)
        task_data = form_file in version.task_data_forms
        mine = schema_for_item(forms[form_file], instance.data, task_data=task_data)
        forms = forms if mine is forms[form_file] else {**forms, form_file: mine}
    started = instance.created_at.astimezone(config.timezone).date()
    return validate_form(
        meta, forms, data, current=instance.data, today=config.today(), started=started
    )


def _ready_task(workflow: Any, row: HumanTaskModel) -> Any:
    task = workflow.get_task_from_id(UUID(row.id))
    if task is None or task.state != TaskState.READY:
        raise Conflict(f"task '{row.title}' is no longer waiting for anyone", task_id=row.id)
    return task


def _run(
    session: Session,
    who: Identity,
    instance: InstanceModel,
    task: Any,
    workflow: Any,
    clean: dict[str, Any],
) -> None:
    """The step's part in SpiffWorkflow: its data set, the task run, the engine steps after."""
    with spiff_errors(), acting(session, who.username, instance):
        # SpiffArena's variableName: the form's data goes under that one name.
        variable = getattr(task.task_spec, "variable", None)
        task.set_data(**({variable: clean} if variable else clean))
        task.run()
        run_engine_steps(workflow)


# --- Rehearsals: the run of a completion ahead of its write ---------------------------------


@dataclass(frozen=True)
class Rehearsal:
    """A completion run in a read transaction, before the write that makes it: the write then
    holds SQLite's one write lock (every writer of the database waits on it) for the writing
    only, not for SpiffWorkflow's run. It is used only if the write finds the
    item exactly as the read did (same version counter, same stored state), the same task,
    person and data; otherwise the write runs the step itself. A run that failed with the
    engine's error is that error again, raised by the write without running twice."""

    task_id: str
    actor: str
    data: dict[str, Any] | None  # as submitted
    clean: dict[str, Any]  # as the form accepted it
    version_counter: int
    state: str
    workflow: Any = None
    stored: Stored | None = None
    error: EngineError | None = None
    rows: TaskRows | None = None  # known with `state` (runtime.load_workflow_and_rows)


class _NoCalls(ServiceRunner):
    """A rehearsal's services: reaching a service task ends it (a call out, or an external
    task's row, is made only by the write, under its lock)."""

    reached = False

    def run(self, task: Any, key: str, params: Any, result: str | None) -> bool | None:
        self.reached = True
        raise InvalidInput(f"a rehearsal does not call the service '{key}'")


def rehearses(session: Session) -> bool:
    """Whether a completion is rehearsed before its write (`rehearse_completion`): on SQLite,
    whose one write lock every writer of the database queues on. PostgreSQL's write locks only
    the item's row, which nobody else waits for, so there a rehearsal would only add a read of
    the state (about 5 % more CPU a task's POST, measured): the write checks and runs it all."""
    return session.get_bind().dialect.name == "sqlite"


def rehearse_completion(
    session: Session,
    config: EngineConfig,
    task_id: str,
    who: Identity,
    *,
    data: dict[str, Any] | None = None,
    expected_version: int | None = None,
) -> Rehearsal | None:
    """Run a completion on what this (read) transaction sees, writing nothing, for
    `complete_task` to use. None where only the write may run the step: a task not open, not
    this person's, or changed since the page (`expected_version`); data the form refuses (the
    write says why); a register number to take or a service task reached (they write or call
    out); anything else that goes wrong. Time, any helper's reads and the form's choices read
    from the database are as of this moment, a few milliseconds before the write, as if the
    person had acted then.

    Only where `rehearses`."""
    if not rehearses(session):
        return None
    try:
        found = instance_with_task(session, _task_uuid(task_id))
    except NotFound:
        return None
    if found is None:
        return None
    instance, row = found
    if row.status != TaskStatus.OPEN or instance.status != InstanceStatus.RUNNING:
        return None
    if expected_version is not None and instance.version_counter != expected_version:
        return None
    try:
        require_may_act(session, row, who, instance.created_by)
        version = load_version(session, instance.process_version_id)
        meta = version.tasks.get(row.meta_key)
        form_file = meta.form_file if meta else None
        form = version.forms.get(form_file) if form_file else None
        if form is not None and register_fields(form, form_file):
            return None
        clean = _validated(session, config, version, meta, instance, data)
        workflow, rows = load_workflow_and_rows(instance, version, config)
        task = _ready_task(workflow, row)
    except EngineError:
        return None
    services = workflow.script_engine.services = _NoCalls({}, 0)
    kept = Rehearsal(
        row.id,
        who.username,
        deepcopy(data),
        dict(clean),
        instance.version_counter,
        instance.state,
    )
    try:
        _run(session, who, instance, task, workflow, clean)
        # What the write checks and stores next, in its order: made here, outside its lock.
        checked_data(clean, workflow, config.max_data_bytes)
        stored = to_store(version, workflow, config)
    except EngineError as error:
        return None if services.reached else replace(kept, error=error)
    except Exception:  # the write meets it again, and reports it as it always has
        return None
    return None if services.reached else replace(kept, workflow=workflow, stored=stored, rows=rows)


def _rehearsed(
    rehearsal: Rehearsal | None,
    row: HumanTaskModel,
    instance: InstanceModel,
    who: Identity,
    data: dict[str, Any] | None,
) -> Rehearsal | None:
    """The rehearsal, if it ran this very completion on the item as the write found it."""
    if rehearsal is None:
        return None
    same = (
        rehearsal.task_id == row.id
        and rehearsal.actor == who.username
        and rehearsal.version_counter == instance.version_counter
        and rehearsal.state == instance.state
        and rehearsal.data == data
    )
    return rehearsal if same else None


def clean_comment(comment: str | None) -> str | None:
    """A comment as stored: without NUL characters and surrounding spaces, None when empty;
    refused past MAX_COMMENT characters."""
    comment = (comment or "").replace("\x00", "").strip() or None
    if comment and len(comment) > MAX_COMMENT:
        raise InvalidInput(
            f"a comment has at most {MAX_COMMENT:,} characters",
            reason="comment_too_long",
            limit=MAX_COMMENT,
        )
    return comment


def claim_task(
    session: Session, config: EngineConfig, task_id: str, username: str | Identity
) -> None:
    """Make a group task this person's own, so colleagues see it is being handled."""
    row, instance, who = _locked_task(session, task_id, username, None)
    if row.assignee == who.username:
        return
    if row.assignee:
        raise Conflict(
            f"task '{row.title}' is already held by {row.assignee}",
            reason="already_claimed",
            task_id=row.id,
            handled_by=row.assignee,
        )
    require_may_act(session, row, who, instance.created_by)
    row.assignee = who.username
    fire_assignment(session, config, instance, row, who.username)  # Camunda's listeners
    append_event(
        session,
        instance,
        at=config.clock(),
        actor=who.username,
        kind="claimed",
        task_id=row.id,
        element_id=row.element_id,
    )


def unclaim_task(
    session: Session, config: EngineConfig, task_id: str, username: str | Identity
) -> None:
    """Give a claimed task back to its group."""
    row, instance, who = _locked_task(session, task_id, username, None)
    if row.assignee != who.username:
        raise Forbidden(f"task '{row.title}' is not held by {who.username}", task_id=row.id)
    if row.process_assignee == who.username:
        raise Conflict(
            f"task '{row.title}' was given to {who.username} by the process itself: "
            "forward it to a colleague instead",
            task_id=row.id,
            reason="assigned_by_process",
        )
    row.assignee = row.process_assignee
    append_event(
        session,
        instance,
        at=config.clock(),
        actor=who.username,
        kind="unclaimed",
        task_id=row.id,
        element_id=row.element_id,
    )


def assign_task(
    session: Session,
    config: EngineConfig,
    task_id: str,
    username: str | Identity,
    to_username: str,
    *,
    comment: str | None = None,
) -> None:
    """Forward a task to a colleague (see `forward_candidates`), who may then act on it;
    anyone else is refused with Forbidden (reason 'not_a_colleague') and nothing changes."""
    row, instance, who = _locked_task(session, task_id, username, None)
    require_may_act(session, row, who, instance.created_by)
    # Only active, existing people are colleagues: this also refuses unknown names.
    require_colleague(session, config.hierarchy, who, to_username)
    comment = clean_comment(comment)
    row.assignee = to_username
    fire_assignment(session, config, instance, row, who.username)  # Camunda's listeners
    append_event(
        session,
        instance,
        at=config.clock(),
        actor=who.username,
        kind="assigned",
        task_id=row.id,
        element_id=row.element_id,
        comment=comment,
        details={"to": to_username},
    )


def cancel_instance(
    session: Session,
    config: EngineConfig,
    instance_id: int,
    username: str | Identity,
    reason: str,
) -> None:
    """Stop an item for good, with the reason; only its starter or an administrator may."""
    who = _identity(session, username)
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("cancelling an item needs a reason", reason="reason_required")
    instance = lock_instance(session, instance_id)
    refusal = _cancel_refusal(session, who, instance.created_by, instance_id)
    if refusal is not None:
        raise refusal
    if instance.status not in (InstanceStatus.RUNNING, InstanceStatus.ERROR):
        require_running(instance)
    version = load_version(session, instance.process_version_id)
    workflow = load_workflow(instance, version, config)
    with spiff_errors():
        workflow.cancel()
    now = config.clock()
    instance.status = InstanceStatus.CANCELLED
    instance.ended_at = now
    said = clean_comment(reason)
    append_event(session, instance, at=now, actor=who.username, kind="cancelled", comment=said)
    persist(session, config, instance, version, workflow, who.username)


def may_cancel(session: Session, who: Identity, item: InstanceView) -> bool:
    """Whether this person may cancel the item now (the item's page and the API offer it)."""
    if item.status not in (InstanceStatus.RUNNING, InstanceStatus.ERROR):
        return False
    return _cancel_refusal(session, who, item.created_by, item.id) is None


def _cancel_refusal(
    session: Session, who: Identity, started_by: str, instance_id: int
) -> Forbidden | None:
    """Why this person may not cancel the item, if they may not: only its starter or an
    administrator may; once a document of it went out under a register number, only an
    administrator (it is no longer the drafter's to undo)."""
    if ADMIN_GROUP in who.groups:
        return None
    if started_by != who.username:
        return Forbidden(f"only {started_by} or an administrator may cancel item {instance_id}")
    issued = issued_numbers_of(session, instance_id)
    if issued:
        return Forbidden(
            f"item {instance_id} has issued {', '.join(issued)}: only an administrator may "
            "cancel it",
            reason="cancel_issued",
            numbers=", ".join(issued),
        )
    return None


def rename_instance(
    session: Session,
    config: EngineConfig,
    instance_id: int,
    username: str | Identity,
    title: str,
) -> None:
    """Give an item a new title (recorded in its history)."""
    actor = username.username if isinstance(username, Identity) else username
    new_title = title_from(title)
    instance = lock_instance(session, instance_id)
    if instance.title != new_title:
        _retitle(session, instance, new_title, actor, config.clock())


def _visible(title: str | None) -> str:
    """The title as shown, or "" when nothing of it shows: `printable` (no control characters,
    none that reverse the text's direction, which would make a title read as another in every
    listing), no spaces around, and a title of only zero-width or other format characters
    (U+200B…) is no title."""
    title = printable(title or "").strip()
    if all(char.isspace() or unicodedata.category(char) == "Cf" for char in title):
        return ""
    return title


def title_from(title: str) -> str:
    """An item's title made from words it was given (a form's field): visible characters only,
    cut to MAX_TITLE with an ellipsis; InvalidInput when nothing visible is left."""
    title = _visible(title)
    if not title:
        raise InvalidInput("a title cannot be empty", reason="title_empty")
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    return title


def _named_by_default(instance: InstanceModel, rule: Retitle, version: LoadedVersion) -> bool:
    """Whether the item is still called by a default name, or by what its naming field said
    until now (a title typed at its start fills that field, to keep or correct: corrected,
    the item follows). A name given otherwise (a rename) stays."""
    if instance.title in {*rule.defaults, version.name}:
        return True
    before = instance.data.get(rule.field)
    if not isinstance(before, str) or not _visible(before):
        return False
    return instance.title == title_from(before)


def _retitle(session: Session, instance: InstanceModel, title: str, actor: str, at: Any) -> None:
    append_event(
        session,
        instance,
        at=at,
        actor=actor,
        kind="renamed",
        details={"from": instance.title, "to": title},
    )
    instance.title = title
