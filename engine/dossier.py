"""The dossier (hồ sơ) of an item: what every step so far put into it, in the order of the steps,
each value with its form's label, read from the audit log (what was submitted at each step), never
from workflow state.

A field its form marks private (JSON Schema ``"x-private": true``; Camunda formField property
``private=true``) is shown only to the person who entered it: never to other readers of the item,
nor through the search index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from .audit import HISTORY_COLUMNS, AuditEventModel, HistoryEvent
from .db import read_rows
from .definitions import LoadedVersion, load_version
from .errors import NotFound
from .form_options import resolve_forms
from .forms import schema_choices
from .human_tasks import HumanTaskModel
from .instances import InstanceModel
from .per_schema import per_schema
from .queries import instance_view
from .task_meta import START_KIND, TaskMeta
from .views import InstanceView

LONG_TEXT_OVER = 500
# Start data the engine adds itself: who started the item is shown apart.
ENGINE_KEYS = frozenset({"initiator", "initiator_unit"})
# The events that carry what was submitted.
DOSSIER_KINDS = ("started", "completed")


@dataclass(frozen=True)
class DossierField:
    """One value as a person reads it: its label, a kind that says how to show it ("text",
    "longtext", "number", "date", "boolean", "choice", "list"), and the value with choices
    already replaced by their titles."""

    name: str
    label: str
    kind: str
    value: Any


@dataclass(frozen=True)
class DossierSection:
    """What one step (or the start of the item) submitted."""

    task_id: str | None
    element_id: str | None
    title: str
    actor: str | None
    at: datetime
    decision: str | None  # the chosen option's own title ("Đồng ý trình UBND tỉnh")
    decision_label: str | None  # what the form calls the choice ("Kết luận của Hội đồng")
    decision_value: str | None
    comment: str | None  # a comment given beside the form (not one of its fields)
    fields: tuple[DossierField, ...]
    is_start: bool = False
    hidden_comment: bool = False  # the event's comment is a private field's text: not shown


@dataclass(frozen=True)
class Dossier:
    """`sections`: what the item says now, the latest submission of each step (of each person,
    for steps several people do in parallel; every one of its latest run for a step done once
    for each item of a collection), in the order the steps were first done.
    `by_task`: every submission by task id, for the history. `task_titles`: by task id, the
    title of each step whose name the diagram writes with JUEL ("Vote of ${voter}"), as its
    task read it ("Vote of binh"), for every event of such a task; other steps' titles are the
    version's (`step_titles`)."""

    sections: tuple[DossierSection, ...]
    by_task: Mapping[str, DossierSection]
    task_titles: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class _FormField:
    name: str
    label: str
    kind: str
    choices: Mapping[str, str]
    private: bool
    # Shown, never typed here: a value the process computes (the tờ trình's "125/TTr-SKHCN") or
    # another step typed (see `_dossier` for which moment's value a section shows).
    read_only: bool = False


def dossier(session: Session, instance_id: int, *, reader: str | None = None) -> Dossier:
    """The item's dossier as `reader` may read it: private fields only in what they entered."""
    instance = session.get(InstanceModel, instance_id)
    if instance is None:
        raise NotFound(f"item {instance_id} does not exist")
    found = read_rows(session, _SUBMISSIONS, {"instance_id": instance_id}).all()
    return _dossier(session, instance, found, reader)


def item_with_dossier(
    session: Session, instance_id: int, *, reader: str | None = None
) -> tuple[InstanceView, Dossier]:
    """`show_instance` and `dossier` together, from one read of the item's audit events with
    their steps' keys (the task page and the item page show both)."""
    instance = session.get(InstanceModel, instance_id)
    if instance is None:
        raise NotFound(f"item {instance_id} does not exist")
    found = read_rows(session, _EVENTS, {"instance_id": instance_id}).all()
    submitted = [row for row in found if row.kind in DOSSIER_KINDS]
    return (
        instance_view(session, instance, found),
        _dossier(session, instance, submitted, reader, found),
    )


# The item's events (as rows: a page's history has dozens, and ORM objects cost several times
# as much to make) with the key of each one's step form (`version.tasks`) and the task's own
# title (a JUEL name's, as it read on the item's data), in the one statement: the task's row
# by its primary key, for the events of a task.
_EVENTS = (
    select(*HISTORY_COLUMNS, HumanTaskModel.meta_key, HumanTaskModel.title.label("task_title"))
    .outerjoin(HumanTaskModel, HumanTaskModel.id == AuditEventModel.task_id)
    .where(AuditEventModel.instance_id == bindparam("instance_id"))
    .order_by(AuditEventModel.seq)
)
_SUBMISSIONS = _EVENTS.where(AuditEventModel.kind.in_(DOSSIER_KINDS))


def _dossier(
    session: Session,
    instance: InstanceModel,
    events: Sequence[HistoryEvent],
    reader: str | None,
    every_event: Sequence[HistoryEvent] | None = None,
) -> Dossier:
    """The dossier from the item's submissions (`_SUBMISSIONS`' rows, each with its step's
    `meta_key`): only the forms of the steps they submitted are read. `every_event`, when the
    caller read them all (`_EVENTS`), also names the tasks of its other events
    (`Dossier.task_titles`)."""
    # The key is None for an event of no task (the start) or of a task no longer stored.
    keys = {e.task_id: e.meta_key for e in events if e.task_id and e.meta_key is not None}
    version = load_version(session, instance.process_version_id)
    metas = {k: version.tasks.get(k) for k in set(keys.values())}
    named = _named_by_data(version, every_event if every_event is not None else events)
    # Only the forms of the steps done, units by their names as they are now; each form's
    # fields read once, however many times its step was done.
    used = {m.form_file for m in metas.values() if m is not None and m.form_file}
    forms = resolve_forms(session, {n: f for n, f in version.forms.items() if n in used})
    fields = {k: _form_fields(m, forms) for k, m in metas.items()}
    first_done: dict[str | None, int] = {}
    for event in events:
        if event.kind == "completed":
            first_done.setdefault(event.element_id, event.seq)
    by_task: dict[str, DossierSection] = {}
    # A step's latest run by each person: one submission, or, for a step done once for each
    # item of a collection (a council's evaluation of each proposal), every submission of its
    # latest run: those made one after another, no other step's in between.
    latest: dict[tuple[str | None, str | None], list[DossierSection]] = {}
    previous_element: str | None = None
    # A read-only field under a step: a value some step types (the UBND's direction on a
    # returned list) as the latest typed before that step's submission, never under a step
    # done before anyone wrote it (a script that changed it afterwards is not seen there); one
    # no step types (a number a script gave), as the item holds it now.
    typed = {f.name for form in fields.values() for f in form if not f.read_only}
    untyped_now = {k: v for k, v in instance.data.items() if k not in typed}
    typed_before: dict[str, Any] = {}
    # The forms that show a read-only field: only their sections need the values as they were.
    showing = {key for key, form in fields.items() if any(f.read_only for f in form)}
    for event in events:
        details = event.details or {}
        given = details.get("data", details.get("changed")) or {}
        if event.kind == "started":  # the first event: nothing typed before it
            section = _start_section(
                version, event, details, untyped_now, show_private=event.actor == reader
            )
            if section.fields:
                latest[(None, None)] = [section]
            typed_before.update({k: v for k, v in given.items() if k in typed})
            continue
        meta_key = keys.get(event.task_id or "", "")
        as_then = {**untyped_now, **typed_before} if meta_key in showing else untyped_now
        typed_before.update({k: v for k, v in given.items() if k in typed})
        section = _task_section(
            named.get(event.task_id or ""),
            metas.get(meta_key),
            fields.get(meta_key, []),
            event,
            details,
            as_then,
            show_private=reader is not None and event.actor == reader,
        )
        by_task[event.task_id or ""] = section
        key = (section.element_id, section.actor)
        same_run = section.element_id in version.multi_instance_elements and (
            previous_element == section.element_id and key in latest
        )
        if same_run:
            latest[key].append(section)
        else:
            latest.pop(key, None)  # re-inserted: a step done again moves to where it was last
            latest[key] = [section]
        previous_element = section.element_id
    # Steps keep the place where they were first done, so a returned draft stays first.
    ordered = sorted(
        (section for run in latest.values() for section in run),
        key=lambda s: (not s.is_start, first_done.get(s.element_id, 0)),
    )
    return Dossier(tuple(ordered), by_task, MappingProxyType(named))


def _named_by_data(version: LoadedVersion, events: Sequence[HistoryEvent]) -> dict[str, str]:
    """Task id -> title, for the tasks of steps named with JUEL (`Dossier.task_titles`)."""
    juel = {key for key, meta in version.tasks.items() if meta.name_code}
    if not juel:
        return {}
    return {e.task_id: e.task_title for e in events if e.meta_key in juel and e.task_title}


def private_fields(version: LoadedVersion) -> frozenset[str]:
    """Names of the fields some form of this version keeps private to its step."""
    return frozenset(
        f.name
        for meta in version.tasks.values()
        for f in _form_fields(meta, version.forms)
        if f.private
    )


def _start_section(
    version: LoadedVersion,
    event: HistoryEvent,
    details: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    show_private: bool,
) -> DossierSection:
    data = details.get("data") or {}
    start = next((m for m in version.tasks.values() if m.kind == START_KIND), None)
    form = _form_fields(start, version.forms) if start else ()
    if form:
        fields = _values(form, data, current, show_private=show_private)
    else:
        # No start form: what was given rather than nothing, each under the label a later
        # step's form gives it (the proposal's "Tên nhiệm vụ", filled from the title typed at
        # the start), else under its own name.
        declared = _declared_fields(version)
        fields = [
            DossierField(k, declared[k].label if k in declared else k, _kind_of(v), v)
            for k, v in data.items()
            if k not in ENGINE_KEYS
            and k not in version.initiator_names  # who started it, shown apart as `initiator`
            and _present(v)
            and (show_private or k not in declared or not declared[k].private)
        ]
    return DossierSection(
        task_id=None,
        element_id=None,
        title=start.name if start else version.name,
        actor=event.actor,
        at=event.at,
        decision=None,
        decision_label=None,
        decision_value=None,
        comment=None,
        fields=tuple(fields),
        is_start=True,
    )


def _task_section(
    title: str | None,
    meta: TaskMeta | None,
    form: Sequence[_FormField],
    event: HistoryEvent,
    details: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    show_private: bool,
) -> DossierSection:
    # "data" is the whole submission; events written before it was kept have only "changed".
    data = details.get("data", details.get("changed")) or {}
    decision_name = meta.decision_field if meta else "decision"
    # Only a choice is a decision; a yes/no field ("done") is shown among the values.
    asked_decision = next((f for f in form if f.name == decision_name and f.choices), None)
    decision_choices = asked_decision.choices if asked_decision else {}
    decision_value = None if event.decision is None else str(event.decision)
    asked = [f for f in form if f is not asked_decision]
    fields = _values(asked, data, current, show_private=show_private)
    if not form:
        fields = [
            DossierField(k, k, _kind_of(v), v)
            for k, v in data.items()
            if k != decision_name and _present(v)
        ]
    comment = event.comment
    hidden = {str(data.get(f.name)) for f in asked if f.private and not show_private}
    hidden_comment = bool(comment) and comment in hidden
    if hidden_comment or (comment and any(f.value == comment for f in fields)):
        comment = None  # a private field's text, or one of the form's fields already shown
    return DossierSection(
        task_id=event.task_id,
        element_id=event.element_id,
        title=title or (meta.name if meta else (event.element_id or "")),
        actor=event.actor,
        at=event.at,
        decision=decision_choices.get(decision_value or "", decision_value)
        if asked_decision
        else None,
        decision_label=asked_decision.label if asked_decision else None,
        decision_value=decision_value,
        comment=comment,
        fields=tuple(fields),
        hidden_comment=hidden_comment,
    )


def _values(
    form: Sequence[_FormField],
    data: Mapping[str, Any],
    current: Mapping[str, Any],
    *,
    show_private: bool,
) -> list[DossierField]:
    fields = []
    for f in form:
        if f.private and not show_private:
            continue
        value = current.get(f.name) if f.read_only else data.get(f.name)
        if not _present(value):
            continue
        if f.choices:
            value = (
                [f.choices.get(str(v), str(v)) for v in value]
                if isinstance(value, list)
                else f.choices.get(str(value), value)
            )
        fields.append(DossierField(f.name, f.label, f.kind, value))
    return fields


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != []


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, list):
        return "list"
    if isinstance(value, str) and ("\n" in value or len(value) > LONG_TEXT_OVER):
        return "longtext"
    return "text"


def _declared_fields(version: LoadedVersion) -> dict[str, _FormField]:
    """Each field some form of the version declares, by its name (the first form's)."""
    declared: dict[str, _FormField] = {}
    for meta in version.tasks.values():
        for f in _form_fields(meta, version.forms):
            declared.setdefault(f.name, f)
    return declared


def _form_fields(meta: TaskMeta | None, forms: Mapping[str, Any]) -> tuple[_FormField, ...]:
    if meta is None:
        return ()
    if meta.form_file:
        schema = forms.get(meta.form_file)
        return _schema_fields(schema) if isinstance(schema, dict) else ()
    return tuple(_camunda_field(f) for f in meta.form_fields)


@per_schema
def _schema_fields(schema: Mapping[str, Any]) -> tuple[_FormField, ...]:
    found = []
    properties = schema.get("properties")
    for name, spec in properties.items() if isinstance(properties, dict) else []:
        if not isinstance(spec, dict):
            continue
        items = spec.get("items")
        listed = items if spec.get("type") == "array" and isinstance(items, dict) else spec
        choices = schema_choices(listed)
        found.append(
            _FormField(
                name=str(name),
                label=str(spec.get("title") or name),
                kind=_schema_kind(spec, bool(choices)),
                choices=choices,
                private=spec.get("x-private") is True,
                read_only=spec.get("readOnly") is True,
            )
        )
    return tuple(found)


def _schema_kind(spec: Mapping[str, Any], has_choices: bool) -> str:
    kind = spec.get("type")
    if kind == "array":
        return "list"
    if has_choices or isinstance(spec.get("enum"), list):
        return "choice"
    if kind in ("integer", "number"):
        return "number"
    if kind == "boolean":
        return "boolean"
    if spec.get("format") == "date":
        return "date"
    if spec.get("format_hint") == "textarea" or int(spec.get("maxLength") or 0) > LONG_TEXT_OVER:
        return "longtext"
    return "text"


_CAMUNDA_KINDS = {"long": "number", "boolean": "boolean", "date": "date", "enum": "choice"}


def _camunda_field(spec: Mapping[str, Any]) -> _FormField:
    kind = _CAMUNDA_KINDS.get(str(spec.get("type")), "text")
    limit = str((spec.get("constraints") or {}).get("maxlength") or "")
    if kind == "text" and limit.isdigit() and int(limit) > LONG_TEXT_OVER:
        kind = "longtext"
    return _FormField(
        name=str(spec.get("id")),
        # A label written with JUEL is computed for the step's form; here, the field's id.
        label=str(
            spec.get("id") if spec.get("label_code") else spec.get("label") or spec.get("id")
        ),
        kind=kind,
        choices={str(o["id"]): str(o.get("name") or o["id"]) for o in spec.get("options") or []},
        private=str((spec.get("properties") or {}).get("private", "")).lower() == "true",
        read_only=bool(spec.get("readonly")),
    )
