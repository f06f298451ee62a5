"""From uploaded files to runnable specs: hardened XML reading, schema validation, dialect
detection, our own reading of owners, forms and due dates, and a compile check of every script."""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import cache, partial
from typing import Any

import jsonschema
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException

from .clock import system_clock
from .data_stores import (
    drop_data_object_associations,
    drop_data_store_references,
    refuse_data_stores,
)
from .definition_checks import (
    check_call_cycles,
    check_compensation,
    check_due_dates,
    check_error_boundaries,
    check_flow_loops,
    check_form_constraints,
    check_loops,
    check_message_throws,
    check_receive_tasks,
    check_references,
    check_timers,
    owner_id,
    strip_el,
)
from .dmn_specs import DecisionCamundaParser, DmnCalls, check_dmn, missing_decisions
from .errors import InvalidDefinition
from .event_subprocesses import check_placement
from .form_options import option_sources
from .form_safety import check_form_safety
from .implicit_splits import split_implicit_forks
from .io_mappings import apply_mappings, read_mappings
from .juel_camunda import settle_collections, translate_camunda
from .limits import DEFAULT_MAX_MULTI_INSTANCE
from .link_events import check_links, join_links
from .mi_collections import attach_collection_codes
from .model_forms import is_model_form, model_form_schemas
from .registers import register_fields
from .sandbox import SandboxViolation, compile_script
from .sandbox_errors import SandboxSyntaxError, refused_kind
from .script_languages import check_script_languages, is_python, mark_javascript
from .script_resources import inline_script_resources, is_script_resource, script_pool
from .service_listeners import (
    attach_service_listeners,
    check_service_listeners,
    read_service_listeners,
)
from .service_specs import ServiceSpiffParser, check_services
from .spiff_arena import check_spiff_arena_calls, settle_empty_scripts
from .spiff_repairs import SpiffArenaValidator, is_detached_flow, mend_spiff_arena_shapes
from .subscriptions import camunda_messages
from .task_data_options import mark_task_data_options
from .task_meta import TaskMeta, read_task_meta
from .timer_events import normalize_timer_expression, use_injected_clock
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS, SPIFF_NS
from .xml_safety import DEFAULT_MAX_BYTES, parse_json_form, parse_xml, root_kind

NS = {"bpmn": BPMN, "spiffworkflow": SPIFF_NS, "camunda": CAMUNDA_NS}
_REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")


@dataclass(frozen=True)
class SourceFile:
    name: str
    content: bytes


@dataclass
class ParsedProcess:
    """One deployable process with everything its version must freeze."""

    process_id: str
    name: str
    dialect: str
    spec: Any
    subprocess_specs: dict[str, Any]
    files: dict[str, str]
    content_hash: str
    main_file: str
    tasks: dict[str, TaskMeta] = field(default_factory=dict)
    forms: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Doc:
    name: str
    text: str
    root: Any
    kind: str
    dialect: str
    given: bool
    scripts: dict[str, str] = field(default_factory=dict)  # JavaScript files it names


Resolver = Callable[[set[str]], list[SourceFile]]


def parse_bundle(
    files: Iterable[SourceFile],
    max_bytes: int = DEFAULT_MAX_BYTES,
    resolve: Resolver | None = None,
    *,
    now: datetime | None = None,
    max_multi_instance: int = DEFAULT_MAX_MULTI_INSTANCE,
    services: Collection[str] = (),
    found: list[InvalidDefinition] | None = None,
) -> list[ParsedProcess]:
    """Parse a set of diagram, decision and form files; refuse the whole set on any problem.
    With `found` (`pheduyet check`), the diagrams' own checks go on past a refusal: each one's
    first refusal, and every script's, is added there before the first is raised.

    `resolve` is asked for the files of processes that a call activity names but the set does not
    define (the stored files of their latest deployed versions); those are used, not redeployed.
    Timers are bounded from `now`; a literal loop count may not exceed `max_multi_instance`.
    A service task must call a key of `services` (engine/service_specs.py).
    """
    now = now or system_clock()
    given = list(files)
    forms: dict[str, Any] = {}
    docs = _read(given, max_bytes, forms, given=True)
    if not any(d.kind == "bpmn" for d in docs):
        raise _nothing_to_deploy(
            "no BPMN diagram among the files given", given, reason="no_diagram"
        )
    missing = _called(docs) - set(_defined_processes(docs))
    if missing and resolve is not None:
        docs += _superseded_left_out(_read(resolve(missing), max_bytes, forms, given=False), docs)
    bpmn_docs = [d for d in docs if d.kind == "bpmn"]
    defined = _defined_processes(bpmn_docs)
    _check_call_activities(bpmn_docs, defined)
    check_call_cycles(
        {pid: (d.name, _process_element(d.root, pid), d.given) for pid, d in defined.items()}
    )

    def checked(check: Callable[[], None]) -> None:
        if found is None:
            check()
            return
        try:  # `pheduyet check`: every check's first refusal, one run for all
            check()
        except InvalidDefinition as refusal:
            found.append(refusal)

    for doc in bpmn_docs:
        for check in _checks(doc, services, now, max_multi_instance):
            checked(check)
        if found is not None:
            found.extend(_script_problems(doc)[1:])  # the first is among them already
    # DMN called from a Camunda diagram is read as Camunda reads it (engine/dmn_specs.py).
    calls = DmnCalls.of((d.root, d.dialect) for d in bpmn_docs)
    dmn_roots = [d.root for d in docs if d.kind == "dmn"]
    for doc in bpmn_docs:
        undecided = missing_decisions(doc.name, doc.root, dmn_roots, doc.dialect)
        if found is not None:
            found.extend(undecided)
        elif undecided:
            raise undecided[0]
    for doc in docs:
        if doc.kind == "dmn":
            checked(partial(check_dmn, doc.name, doc.root, calls, dmn_roots))
    metas = {doc.name: read_task_meta(doc.root, doc.dialect) for doc in bpmn_docs}
    for file_name, tasks in metas.items():
        checked(partial(check_due_dates, file_name, tasks.values(), now))
    checked(partial(_check_forms, metas, forms))
    if found:
        found.sort(key=lambda e: (str(e.details.get("file")), e.details.get("line") or 0))
        raise found[0]
    wanted = [pid for pid, doc in defined.items() if doc.given and _executable(doc.root, pid)]
    if not wanted:
        _refuse_not_executable(defined)
        raise _nothing_to_deploy(
            'no executable process among the files given (isExecutable="false" or none)',
            given,
            reason="not_executable",
        )
    return [_build(process_id, docs, defined, metas, forms) for process_id in wanted]


def _superseded_left_out(resolved: list[_Doc], given: list[_Doc]) -> list[_Doc]:
    """A deployed file whose processes the given files all define anew is left out: the new
    definitions replace it (and a call back to them is then seen as the cycle it is)."""
    new = set(_defined_processes(given))
    kept = []
    for doc in resolved:
        ids = {p.get("id") for p in doc.root.iterfind("bpmn:process", NS)}
        if not ids or not ids <= new:
            kept.append(doc)
    return kept


def _nothing_to_deploy(message: str, files: list[SourceFile], *, reason: str) -> InvalidDefinition:
    if len(files) == 1:
        return InvalidDefinition(message, file=files[0].name, reason=reason)
    names = ", ".join(f.name for f in files[:5]) + (", ..." if len(files) > 5 else "")
    return InvalidDefinition(f"{message} ({names})", reason=reason)


def _read(
    files: Iterable[SourceFile], max_bytes: int, forms: dict[str, Any], given: bool
) -> list[_Doc]:
    docs = []
    files = list(files)
    pool = script_pool(files)  # .js files beside the diagrams (engine/script_resources.py)
    for source in files:
        if is_script_resource(source.name):
            continue
        if source.name.lower().endswith(".json"):
            forms[_basename(source.name)] = _form_schema(source, max_bytes)
            continue
        if is_model_form(source.name):  # a Camunda model's HTML form or Camunda Form
            for form_name, schema in model_form_schemas(
                source.name, source.content, max_bytes
            ).items():
                forms[form_name] = _checked_form(source.name, schema)
            continue
        root = parse_xml(source.name, source.content, max_bytes)
        kind = root_kind(source.name, root)
        text = source.content.decode("utf-8")
        dialect = _dialect(root)
        scripts = inline_script_resources(root, pool) if kind == "bpmn" else {}
        if kind == "bpmn" and dialect == "camunda":
            # JUEL becomes the sandbox's Python once, here: every check after sees Python.
            translate_camunda(source.name, root)
        docs.append(_Doc(source.name, text, root, kind, dialect, given, scripts))
    return docs


def _called(docs: list[_Doc]) -> set[str]:
    return {
        str(call.get("calledElement"))
        for doc in docs
        for call in doc.root.iter(f"{{{BPMN}}}callActivity")
        if call.get("calledElement")
    }


def _basename(name: str) -> str:
    return name.replace("\\", "/").rsplit("/", 1)[-1]


def _form_schema(source: SourceFile, max_bytes: int) -> Any:
    return _checked_form(source.name, parse_json_form(source.name, source.content, max_bytes))


def _checked_form(name: str, schema: Any) -> Any:
    schema = mark_task_data_options(schema)  # SpiffArena's choices from the item's data
    try:
        jsonschema.Draft202012Validator.check_schema(schema)
    except jsonschema.SchemaError as exc:
        raise InvalidDefinition(
            f"not a valid JSON Schema: {exc.message}",
            file=name,
            reason="form_schema_invalid",
            detail=exc.message,
        ) from exc
    _refuse_outside_refs(name, schema)
    check_form_safety(name, schema)
    register_fields(schema, name)  # a malformed register marker is refused now
    option_sources(schema, name)  # so is a choice source the engine does not have
    return schema


def _refuse_outside_refs(name: str, schema: Any) -> None:
    """A form may only refer to parts of itself: jsonschema would fetch any other URL when the
    form is first used."""
    todo = [schema]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            for keyword in _REF_KEYWORDS:
                ref = node.get(keyword)
                if isinstance(ref, str) and not ref.startswith("#"):
                    raise InvalidDefinition(
                        f"the form refers to '{ref}' outside itself ({keyword}); only "
                        "references inside the form, starting with '#', are allowed",
                        file=name,
                        reason="form_reference_outside",
                        reference=ref,
                    )
            todo.extend(node.values())
        elif isinstance(node, list):
            todo.extend(node)


def _dialect(root: Any) -> str:
    namespaces = set(root.nsmap.values())
    for element in root.iter():
        namespaces.update(element.nsmap.values())
        if len(namespaces) > 64:
            break
    if CAMUNDA_NS in namespaces and SPIFF_NS not in namespaces:
        return "camunda"
    if SPIFF_NS not in namespaces and _writes_juel(root):
        return "camunda"  # a Camunda Modeler diagram that needed no camunda: attribute
    return "spiff"


def _writes_juel(root: Any) -> bool:
    """Whether a diagram without extensions was written for Camunda: its conditions (of a flow,
    of a loop) or loop counts written as `${…}`/`#{…}` (JUEL). SpiffWorkflow's models, often
    saved by Camunda Modeler too, write Python conditions without them."""
    written = ("conditionExpression", "loopCardinality", "completionCondition", "loopCondition")
    return any(
        (node.text or "").strip()[:2] in ("${", "#{")
        for node in root.iter(*(f"{{{BPMN}}}{tag}" for tag in written))
    )


def _defined_processes(docs: list[_Doc]) -> dict[str, _Doc]:
    defined: dict[str, _Doc] = {}
    for doc in docs:
        for process in doc.root.iterfind("bpmn:process", NS):
            pid = process.get("id")
            if not pid:
                raise InvalidDefinition(
                    "a process has no id",
                    file=doc.name,
                    line=process.sourceline,
                    reason="id_missing",
                )
            if pid in defined:
                raise InvalidDefinition(
                    f"process id '{pid}' is defined twice (also in {defined[pid].name})",
                    file=doc.name,
                    element_id=pid,
                    line=process.sourceline,
                    reason="id_twice",
                    id=pid,
                )
            defined[pid] = doc
    return defined


def _process_element(root: Any, process_id: str) -> Any:
    # Compared in Python, not put into a path expression: ids come from the uploaded file.
    for process in root.iterfind("bpmn:process", NS):
        if process.get("id") == process_id:
            return process
    return None


def _refuse_not_executable(defined: dict[str, _Doc]) -> None:
    """Name the process marked isExecutable="false", with its line, when that is all there is."""
    for process_id, doc in defined.items():
        process = _process_element(doc.root, process_id)
        if doc.given and process is not None and not _executable(doc.root, process_id):
            raise InvalidDefinition(
                'no executable process: this one is marked isExecutable="false" (set it to '
                '"true" to deploy it; Camunda, too, deploys only executable processes)',
                file=doc.name,
                element_id=process_id,
                line=process.sourceline,
                reason="not_executable",
            )


def _executable(root: Any, process_id: str) -> bool:
    process = _process_element(root, process_id)
    return process is not None and process.get("isExecutable", "true").lower() != "false"


def _check_call_activities(docs: list[_Doc], defined: dict[str, _Doc]) -> None:
    for doc in docs:
        for call in doc.root.iter(f"{{{BPMN}}}callActivity"):
            where = {"file": doc.name, "element_id": call.get("id"), "line": call.sourceline}
            target, case = call.get("calledElement"), call.get(f"{{{CAMUNDA_NS}}}caseRef")
            if not target and case:
                raise InvalidDefinition(
                    f"the call activity calls the CMMN case '{case}' (camunda:caseRef): this "
                    "engine runs BPMN processes, not CMMN cases",
                    **where,
                    reason="cmmn_unsupported",
                    case=case,
                )
            if not target:
                raise InvalidDefinition(
                    "the call activity names no called process (calledElement)",
                    **where,
                    reason="call_target_missing",
                )
            if target not in defined:
                raise InvalidDefinition(
                    f"the call activity calls process '{target}', which is neither in these "
                    "files nor deployed",
                    **where,
                    reason="call_target_unknown",
                    process=target,
                )


def _check_flows(doc: _Doc) -> None:
    ids = {str(e.get("id")) for e in doc.root.iter() if e.get("id")}
    for flow in doc.root.iter(f"{{{BPMN}}}sequenceFlow"):
        if doc.dialect == "spiff" and is_detached_flow(flow):
            continue  # dropped before parsing, as SpiffArena ignores it (engine/spiff_repairs.py)
        where = {"file": doc.name, "element_id": flow.get("id"), "line": flow.sourceline}
        for end in ("sourceRef", "targetRef"):
            ref = flow.get(end)
            if not ref:  # BPMN requires both ends: name the absent one, not an unknown ''
                raise InvalidDefinition(
                    f"the sequence flow has no {end} attribute",
                    **where,
                    reason="flow_end_missing",
                    end=end,
                )
            if ref not in ids:
                raise InvalidDefinition(
                    f"the sequence flow's {end} '{ref}' is not an element of this diagram",
                    **where,
                    reason="flow_end_unknown",
                    end=end,
                    ref=ref,
                )


def _expressions(doc: _Doc) -> Iterable[tuple[Any, str, str]]:
    """(element, source, mode) for every piece of code a diagram carries."""
    root = doc.root
    for script in root.iter(f"{{{BPMN}}}script"):
        yield script, script.text or "", "exec"
    for tag in ("preScript", "postScript"):
        for script in root.iter(f"{{{SPIFF_NS}}}{tag}"):
            yield script, script.text or "", "exec"
    for tag in ("conditionExpression", "loopCondition", "loopCardinality", "completionCondition"):
        for expr in root.iter(f"{{{BPMN}}}{tag}"):
            yield expr, strip_el(expr.text or ""), "eval"
    for tag in ("timeDate", "timeDuration", "timeCycle"):
        for expr in root.iter(f"{{{BPMN}}}{tag}"):
            yield expr, normalize_timer_expression(expr.text or ""), "eval"


def _checks(
    doc: _Doc, services: Collection[str], now: datetime, max_multi_instance: int
) -> list[Callable[[], None]]:
    """A diagram's own checks, in the order a deploy runs them (each raises its first
    refusal)."""
    name, root = doc.name, doc.root
    found: list[Callable[[], None]] = [
        lambda: _check_flows(doc),
        lambda: check_script_languages(name, root),  # JavaScript compiled; others refused
        lambda: _check_scripts(doc),
        lambda: check_services(name, root, services),
        lambda: check_service_listeners(name, root, services),
        lambda: check_timers(name, root, now),
        lambda: check_loops(name, root, max_multi_instance),
        lambda: check_receive_tasks(name, root),  # one without a message would not wait
        lambda: check_message_throws(name, root),  # one implemented like a service task
        lambda: check_compensation(name, root),
        lambda: check_form_constraints(name, root),  # a Java validator would never run
        lambda: check_links(name, root),  # each link throw has its one catch
        lambda: check_references(name, root),
        lambda: check_error_boundaries(name, root),
        lambda: check_flow_loops(name, root),
        lambda: check_placement(name, root),  # event subprocesses SpiffWorkflow starts
        lambda: check_spiff_arena_calls(name, root),
    ]
    if doc.dialect != "camunda":  # Camunda 7 runs nothing for a data store
        found.append(lambda: refuse_data_stores(name, root))
    return found


def _check_scripts(doc: _Doc) -> None:
    for problem in _script_problems(doc)[:1]:
        raise problem


def _script_problems(doc: _Doc) -> list[InvalidDefinition]:
    """Each Python script or expression of the diagram that does not compile, or that the
    sandbox refuses, in the order of the file."""
    found = []
    for element, source, mode in _expressions(doc):
        if not source.strip() or not is_python(element):
            continue
        # An expression is compiled stripped: count the lines its leading blank space took.
        raw = element.text or ""
        skipped = raw[: len(raw) - len(raw.lstrip())].count("\n") if mode == "eval" else 0
        first_line = (element.sourceline or 0) + skipped
        try:
            compile_script(source.strip() if mode == "eval" else source, mode)
        except SandboxSyntaxError as exc:  # not Python at all: Python's words say why
            found.append(
                _script_refusal(
                    doc,
                    element,
                    first_line,
                    exc,
                    reason="script_syntax",
                    language="python",
                    detail=exc.detail,
                )
            )
        except SandboxViolation as exc:
            found.append(
                _script_refusal(
                    doc,
                    element,
                    first_line,
                    exc,
                    reason="script_refused",
                    detail=str(exc),
                    **refused_kind(str(exc)),
                )
            )
        except SyntaxError as exc:
            found.append(
                InvalidDefinition(
                    f"script syntax error: {exc.msg}",
                    file=doc.name,
                    element_id=owner_id(element),
                    line=first_line + max((exc.lineno or 1) - 1, 0) or None,
                    reason="script_syntax",
                    language="python",
                    detail=exc.msg,
                )
            )
    return found


def _script_refusal(
    doc: _Doc, element: Any, first_line: int, exc: SandboxViolation, **details: Any
) -> InvalidDefinition:
    """A script or expression the sandbox refused to compile, where it stands in its file."""
    return InvalidDefinition(
        f"refused script: {exc}",
        file=doc.name,
        element_id=owner_id(element),
        line=first_line + max(exc.lineno - 1, 0) or None,
        **details,
    )


def _check_forms(metas: dict[str, dict[str, TaskMeta]], forms: dict[str, Any]) -> None:
    for file_name, tasks in metas.items():
        for key, meta in list(tasks.items()):
            for owner in (meta.candidate_groups, meta.candidate_users, meta.assignee):
                if owner and owner.startswith("${"):
                    _check_owner_expression(file_name, meta, owner)
            if meta.form_file and meta.form_file not in forms and meta.form_fields:
                # A form key that names no file beside formData is the form's name (as
                # SpiffWorkflow's Camunda examples write it): the formData fields are the form.
                tasks[key] = replace(meta, form_file=None)
                continue
            if meta.form_file and meta.form_file not in forms:
                said = f" (camunda form key '{meta.form_key}')" if meta.form_key else ""
                raise InvalidDefinition(
                    f"the task's form '{meta.form_file}'{said} is not among the deployed files",
                    file=file_name,
                    element_id=meta.element_id,
                    line=meta.line,
                    reason="form_missing",
                    form=meta.form_file,
                )


def _check_owner_expression(file_name: str, meta: TaskMeta, owner: str) -> None:
    try:
        compile_script(strip_el(owner), "eval")
    except (SandboxViolation, SyntaxError) as exc:
        raise InvalidDefinition(
            f"refused owner expression {owner}: {exc}",
            file=file_name,
            element_id=meta.element_id,
            line=meta.line,
            reason="owner_expression",
            expression=owner,
            detail=str(exc),
        ) from exc


@cache
def _validator() -> Any:
    # BPMN 2.0's schema only, as SpiffArena checks a diagram: extension elements stay lax, so
    # an attribute a newer SpiffArena modeler writes (the operator's resultSchema) is no error.
    return SpiffArenaValidator()


def _spiff_ready_copy(doc: _Doc) -> Any:
    """A copy of the tree with Camunda's `${expr}` conditions turned into Python expressions.

    A deep copy keeps every element's source line (a serialize-and-parse round trip would drop
    the XML declaration and shift them all) and never hands the text to a default parser."""
    tree = copy.deepcopy(doc.root)
    if doc.dialect == "spiff":
        mend_spiff_arena_shapes(tree)  # what SpiffArena runs unchecked (engine/spiff_repairs.py)
    drop_data_store_references(tree)  # documentation only (engine/data_stores.py)
    join_links(tree)  # a link throw goes on at its catch (engine/link_events.py)
    for expr in tree.iter(f"{{{BPMN}}}conditionExpression"):
        if expr.text:
            expr.text = strip_el(expr.text)
    mark_javascript(tree)  # run in QuickJS, not the sandbox (engine/scripting.py)
    if doc.dialect == "camunda":
        split_implicit_forks(tree)  # several flows out of a task (engine/implicit_splits.py)
        drop_data_object_associations(tree)  # drawings only in Camunda (engine/data_stores.py)
    return tree


def _build(
    process_id: str,
    docs: list[_Doc],
    defined: dict[str, _Doc],
    metas: dict[str, dict[str, TaskMeta]],
    forms: dict[str, Any],
) -> ParsedProcess:
    home = defined[process_id]
    parser: Any = (DecisionCamundaParser if home.dialect == "camunda" else ServiceSpiffParser)(
        validator=_validator()
    )
    used = _files_used(process_id, defined)
    try:
        for doc in docs:
            if doc.kind == "bpmn" and doc.name in used:
                parser.add_bpmn_xml(_spiff_ready_copy(doc), filename=doc.name)
            elif doc.kind == "dmn":
                parser.add_dmn_xml(doc.root, filename=doc.name)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        raise _own_refusal(exc) or _refusal(exc, docs, _unrunnable(parser, exc)) from exc
    except SpiffWorkflowException as exc:
        raise InvalidDefinition(
            str(exc), file=home.name, reason="bpmn_invalid", detail=str(exc)
        ) from exc
    except (AttributeError, KeyError, IndexError, TypeError, ValueError) as exc:
        # The library tripping over a construct it does not expect: still name where.
        raise InvalidDefinition(
            f"the process cannot be read: {type(exc).__name__}: {exc}",
            file=home.name,
            element_id=process_id,
            reason="process_unreadable",
            detail=f"{type(exc).__name__}: {exc}",
        ) from exc
    mappings = {
        element: entry
        for d in docs
        if d.kind == "bpmn" and d.name in used and d.dialect == "camunda"
        for element, entry in read_mappings(d.name, d.root).items()
    }
    listeners = {
        element: entries
        for d in docs
        if d.kind == "bpmn" and d.name in used
        for element, entries in read_service_listeners(d.root).items()
    }
    for each in (spec, *subprocess_specs.values()):
        use_injected_clock(each)
        settle_collections(each)
        if home.dialect == "camunda":
            camunda_messages(each)  # receive tasks (engine/subscriptions.py)
        attach_service_listeners(each, listeners)  # engine/service_listeners.py
        attach_collection_codes([each], [d.root for d in docs if d.kind == "bpmn"])
        apply_mappings(each, mappings)  # camunda:in/out, camunda:inputOutput
        settle_empty_scripts(each)
    used_docs = [d for d in docs if d.name in used or d.kind == "dmn"]
    tasks = {key: meta for d in used_docs for key, meta in metas.get(d.name, {}).items()}
    used_forms = {m.form_file: forms[m.form_file] for m in tasks.values() if m.form_file}
    files = {_basename(d.name): d.text for d in used_docs}
    for d in used_docs:
        files.update(d.scripts)
    for form_name, schema in used_forms.items():
        files[form_name] = _canonical_json(schema)
    process = _process_element(home.root, process_id)
    return ParsedProcess(
        process_id=process_id,
        name=process.get("name") or process_id,
        dialect=home.dialect,
        spec=spec,
        subprocess_specs=subprocess_specs,
        files=files,
        content_hash=_hash(files),
        main_file=_basename(home.name),
        tasks=tasks,
        forms=used_forms,
    )


def _files_used(process_id: str, defined: dict[str, _Doc]) -> set[str]:
    """The files of a process and, recursively, of every process it calls."""
    seen: set[str] = set()
    todo = [process_id]
    names: set[str] = set()
    while todo:
        pid = todo.pop()
        if pid in seen or pid not in defined:
            continue
        seen.add(pid)
        doc = defined[pid]
        names.add(doc.name)
        process = _process_element(doc.root, pid)
        todo.extend(c.get("calledElement") for c in process.iter(f"{{{BPMN}}}callActivity"))
    return names


def _canonical_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=2)


def _hash(files: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(files[name].encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _unrunnable(parser: Any, exc: ValidationException) -> str | None:
    """The element type the refusal is about when the parser has no class for it at all
    ("bpmn:complexGateway"), by the parser's own table of classes, not by its words."""
    tag = str(getattr(exc, "tag", "") or "")  # "bpmn:complexGateway", as Spiff shortens it
    if not tag.startswith("bpmn:"):
        return None
    full = f"{{{BPMN}}}{tag.removeprefix('bpmn:')}"
    known = (*parser.OVERRIDE_PARSER_CLASSES, *parser.PARSER_CLASSES)
    return tag if full not in known else None


def _own_refusal(exc: BaseException) -> InvalidDefinition | None:
    """Our own refusal, raised while SpiffWorkflow's parser read the element, which it wraps
    in its ValidationException as a Python repr (`InvalidDefinition('…')`) at the element's
    line: as it was raised, with its own line and words."""
    seen: BaseException | None = exc.__cause__ or exc.__context__
    while seen is not None:
        if isinstance(seen, InvalidDefinition):
            return seen
        seen = seen.__cause__ or seen.__context__
    return None


def _refusal(
    exc: ValidationException, docs: list[_Doc], unrunnable: str | None = None
) -> InvalidDefinition:
    element_id = getattr(exc, "id", "") or None
    file_name = getattr(exc, "file_name", "") or None
    raw_line = getattr(exc, "line_number", "")
    line = int(raw_line) if str(raw_line).isdigit() and int(raw_line) > 0 else None
    for doc in docs:
        if file_name and doc.name != file_name:
            continue
        if element_id and not line:
            found = doc.root.xpath("//*[@id=$id]", id=element_id)
            if found:
                line, file_name = found[0].sourceline, doc.name
                break
        elif line and not element_id and file_name:
            # A schema error gives only a line: name the element that starts there.
            element_id = next(
                (str(e.get("id")) for e in doc.root.iter() if e.sourceline == line and e.get("id")),
                None,
            )
            break
    message = str(exc.args[0]) if exc.args else str(exc)
    message = message.replace(f"{{{BPMN}}}", "bpmn:")
    if unrunnable is not None:
        return InvalidDefinition(
            f"this engine cannot run a {unrunnable}",
            file=file_name,
            element_id=element_id,
            line=line,
            reason="element_unsupported",
            element_type=unrunnable,
        )
    return InvalidDefinition(
        message,
        file=file_name,
        element_id=element_id,
        line=line,
        reason="bpmn_invalid",
        detail=message,
    )
