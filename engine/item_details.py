"""What a task page and an item page show beyond the task table: the task's form, the diagram
of the item's version, and which of its steps are done and which are current."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from SpiffWorkflow.bpmn.specs.mixins.events.intermediate_event import BoundaryEvent
from SpiffWorkflow.bpmn.specs.mixins.multiinstance_task import MultiInstanceTask
from SpiffWorkflow.bpmn.specs.mixins.subworkflow_task import CallActivity, SubWorkflowTask
from SpiffWorkflow.bpmn.specs.mixins.unstructured_join import UnstructuredJoin
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import Session

from .db import read_rows
from .definitions import LoadedVersion, ProcessVersionModel, load_version
from .errors import NotFound
from .form_options import resolve_form
from .forms import json_schema_data
from .human_tasks import get_task_row
from .instances import InstanceModel
from .model_forms import schema_for_item
from .runtime import EngineConfig, reading_workflow
from .task_data_options import inline_local_refs
from .task_meta import START_KIND


@dataclass(frozen=True)
class FormView:
    """How to render a task's form: a JSON Schema, Camunda fields, or only a comment."""

    kind: str  # "jsonschema" | "camunda" | "none"
    schema: dict[str, Any] | None
    fields: list[dict[str, Any]]
    decision_field: str
    documentation: str | None
    data: dict[str, Any] = field(default_factory=dict)
    submit_label: str | None = None  # what the step's button says ("Gửi ý kiến")
    done_message: str | None = None  # what the person reads once it is done
    sent_back_message: str | None = None  # and when the process sends it straight back
    # A hand start's fields of a start form the engine does not check (see start_forms): the
    # caller checks them (`accepted`) before it starts the item.
    caller_checks: bool = False

    @property
    def writable_fields(self) -> frozenset[str]:
        """The names a submission of this form may set (its read-only fields left out)."""
        if self.kind == "jsonschema":
            return frozenset(
                name
                for name, spec in ((self.schema or {}).get("properties") or {}).items()
                if isinstance(spec, dict) and spec.get("readOnly") is not True
            )
        return frozenset(str(f["id"]) for f in self.fields if not f.get("readonly"))

    def accepted(self, data: dict[str, Any], today: date) -> dict[str, Any]:
        """The data as this JSON Schema form accepts it (`today`, the office's date, for its
        "x-not-before" fields), or InvalidData naming each bad field."""
        assert self.kind == "jsonschema" and self.schema is not None
        return json_schema_data(self.schema, data, today=today)


@dataclass(frozen=True)
class WaitingStep:
    """One place where the item waits. `element_id` is the element marked on the item's own
    diagram (the call activity when the step sits in a called process); `path` names the
    containing activities, outermost first, then the step itself."""

    element_id: str
    task_id: str
    path: tuple[str, ...]


@dataclass(frozen=True)
class Progress:
    completed: list[str]
    current: list[str]
    waiting: tuple[WaitingStep, ...] = ()


def task_form(session: Session, task_id: str) -> FormView:
    row = get_task_row(session, task_id)
    instance = session.get(InstanceModel, row.instance_id)
    assert instance is not None
    version = load_version(session, instance.process_version_id)
    meta = version.tasks.get(row.meta_key)
    data = dict(instance.data)
    if meta is None:
        return FormView("none", None, [], "decision", None, data)
    wording: dict[str, Any] = {
        "submit_label": meta.submit_label,
        "done_message": meta.done_message,
        "sent_back_message": meta.sent_back_message,
    }
    if meta.form_file:
        schema = resolve_form(session, version.forms[meta.form_file], meta.form_file)
        task_data = meta.form_file in version.task_data_forms
        schema = schema_for_item(schema, data, task_data=task_data)
        return FormView(
            "jsonschema",
            inline_local_refs(schema),
            [],
            meta.decision_field,
            meta.documentation,
            data,
            **wording,
        )
    if meta.form_fields:
        return FormView(
            "camunda",
            None,
            [_with_default(dict(f), data) for f in meta.form_fields],
            meta.decision_field,
            meta.documentation,
            data,
            **wording,
        )
    return FormView("none", None, [], meta.decision_field, meta.documentation, data, **wording)


# The configuration a form's default expression is computed under: one for the process, so
# its scripts' sandbox is built once (engine.runtime.EngineConfig._sandbox).
_DEFAULTS = EngineConfig()


def _with_default(spec: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    """A field whose default is a JUEL expression shows its value on the item's data now
    (`default_code`, translated at deploy); one that cannot be computed shows none. A label
    written with JUEL shows its text on the item's data (`label_code`), else the field's id."""
    label = spec.pop("label_code", None)
    if label:
        said = _computed(label, data)
        spec["label"] = str(said) if said not in (None, "") else spec["id"]
    code = spec.pop("default_code", None)
    if not code:
        return spec
    value = _computed(code, data)
    if isinstance(value, bool):
        value = "true" if value else "false"
    spec["default"] = None if value is None else str(value)
    return spec


def _computed(code: str, data: dict[str, Any]) -> Any:
    try:
        return _DEFAULTS.script_engine().environment.evaluate(code, dict(data))
    except Exception:  # a suggestion, not a step: the form shows without it
        return None


def _start_view(version: LoadedVersion, asked: Collection[str]) -> FormView | None:
    """The start form of a version, when the engine checks its start against one; else the
    `asked` fields of its start event's JSON Schema form, for the caller to check."""
    start = next(
        (
            m
            for m in version.tasks.values()
            if m.kind == START_KIND and m.scope_id == version.process_id
        ),
        None,
    )
    if start is None:
        return None
    if version.dialect != "camunda":
        if not asked or not start.form_file:
            return None
        schema = _only(version.forms[start.form_file], asked)
        return FormView("jsonschema", schema, [], "", start.documentation, caller_checks=True)
    if start.form_file:
        schema = version.forms[start.form_file]
        return FormView("jsonschema", schema, [], "", start.documentation)
    fields = [_with_default(dict(f), {}) for f in start.form_fields]
    return FormView("camunda", None, fields, "", start.documentation)


def _only(schema: Mapping[str, Any], names: Collection[str]) -> dict[str, Any]:
    """A JSON Schema form cut down to these fields (its other fields and their requirement
    left out)."""
    properties = schema.get("properties") or {}
    return {
        **schema,
        "properties": {name: spec for name, spec in properties.items() if name in names},
        "required": [name for name in schema.get("required") or () if name in names],
    }


def start_forms(
    session: Session,
    process_ids: Collection[str],
    asked: Mapping[str, Collection[str]] | None = None,
) -> dict[str, FormView]:
    """The form a person starts an item of each of these processes with, by process id, for
    the latest versions whose start the engine checks against one (a Camunda model's start
    event with formData or a form key); for another model, the fields of its start event's
    form that `asked` names for its process (what a person starting it by hand must say, where
    a program's start fills in the whole form), which the caller checks (`caller_checks`).
    They have no decision buttons: the page's own button starts the item. One query however
    many processes (versions are read once, then cached)."""
    if not process_ids:
        return {}
    asked = asked or {}
    rows = read_rows(session, _LATEST_VERSIONS, {"process_ids": sorted(set(process_ids))})
    views = {
        process_id: _start_view(load_version(session, id_), asked.get(process_id, ()))
        for process_id, id_ in rows
    }
    return {process_id: view for process_id, view in views.items() if view is not None}


def _latest_versions() -> Select[str, int]:
    latest = (
        select(ProcessVersionModel.process_id, func.max(ProcessVersionModel.version).label("v"))
        .where(ProcessVersionModel.process_id.in_(bindparam("process_ids", expanding=True)))
        .group_by(ProcessVersionModel.process_id)
        .subquery()
    )
    return select(ProcessVersionModel.process_id, ProcessVersionModel.id).join(
        latest,
        (ProcessVersionModel.process_id == latest.c.process_id)
        & (ProcessVersionModel.version == latest.c.v),
    )


# Built once: the start page and every start ask.
_LATEST_VERSIONS = _latest_versions()


def start_form(session: Session, process_id: str, asked: Collection[str] = ()) -> FormView | None:
    """The start form of one process (see start_forms); None without one."""
    return start_forms(session, (process_id,), {process_id: asked}).get(process_id)


def instance_progress(session: Session, config: EngineConfig, instance_id: int) -> Progress:
    """Element ids of the item's own diagram that are done, and those where it waits now, with
    each step it waits at. A step inside a called process marks the call activity (the called
    process's elements are not on this diagram) and is named through it; a step inside an
    embedded subprocess is on the diagram itself and marks both."""
    instance = session.get(InstanceModel, instance_id)
    if instance is None:
        raise NotFound(f"item {instance_id} does not exist")
    version = load_version(session, instance.process_version_id)
    # A look that changes nothing: the workflow kept for the item's next action stays kept.
    with reading_workflow(instance, version, config) as workflow:
        return _progress(workflow)


def _progress(workflow: Any) -> Progress:
    completed: set[str] = set()
    current: set[str] = set()
    waiting: list[WaitingStep] = []
    for task in workflow.get_tasks():
        element = getattr(task.task_spec, "bpmn_id", None)
        if not element:
            continue
        chain = _containers(workflow, task)
        called = next((c for c in chain if isinstance(c.task_spec, CallActivity)), None)
        if task.state == TaskState.COMPLETED:
            if called is None:
                completed.add(element)
            continue
        if not _waits(task):
            continue
        if called is None:
            current.add(element)
        if isinstance(task.task_spec, (SubWorkflowTask, MultiInstanceTask)):
            continue  # a container: the steps inside it are listed, not the box
        marked = element if called is None else called.task_spec.bpmn_id
        current.add(marked)
        path = (*[_name(c) for c in chain], _name(task))
        waiting.append(WaitingStep(marked, str(task.id), path))
    return Progress(sorted(completed - current), sorted(current), tuple(waiting))


def _waits(task: Any) -> bool:
    """Open work, not a timer that only might fire nor a join waiting for its other branches."""
    if task.state in (TaskState.READY, TaskState.STARTED):
        return True
    return task.state == TaskState.WAITING and not isinstance(
        task.task_spec, (BoundaryEvent, UnstructuredJoin)
    )


def _containers(workflow: Any, task: Any) -> list[Any]:
    """The activities (call activities, subprocesses) that hold the task, outermost first."""
    chain = []
    inner = task.workflow
    while inner is not workflow and inner.parent_task_id is not None:
        parent = workflow.get_task_from_id(inner.parent_task_id)
        if parent is None:
            break
        chain.append(parent)
        inner = parent.workflow
    return chain[::-1]


def _name(task: Any) -> str:
    spec = task.task_spec
    return str(getattr(spec, "bpmn_name", None) or getattr(spec, "bpmn_id", None) or spec.name)


def diagram_xml(session: Session, process_id: str, version: int | None = None) -> str:
    """The XML of the file that defines a process, at a version (default: the latest)."""
    main, files = version_files(session, process_id, version)
    if main is None or main not in files:
        raise NotFound(f"the diagram of process '{process_id}' is not stored")
    return files[main]


def version_files(
    session: Session, process_id: str, version: int | None = None
) -> tuple[str | None, dict[str, str]]:
    """The name of the file that defines a process and every file deployed with it (the
    diagrams it calls, its forms, decision tables, scripts), at a version (default: the
    latest): what to edit and deploy again."""
    query = select(ProcessVersionModel).where(ProcessVersionModel.process_id == process_id)
    if version is not None:
        query = query.where(ProcessVersionModel.version == version)
    row = session.scalars(query.order_by(ProcessVersionModel.version.desc()).limit(1)).first()
    if row is None:
        raise NotFound(f"process '{process_id}' is not deployed")
    return row.main_file, dict(row.files)


def step_titles(session: Session, instance_id: int) -> dict[str, str]:
    """Element id -> title of every named element of the item's version (its called processes
    included), so a history never shows an element's id where its diagram names it. From the
    version alone (`LoadedVersion.element_titles`): no task rows, no workflow state."""
    version_id = session.scalar(
        select(InstanceModel.process_version_id).where(InstanceModel.id == instance_id)
    )
    if version_id is None:
        raise NotFound(f"item {instance_id} does not exist")
    return dict(load_version(session, version_id).element_titles)
