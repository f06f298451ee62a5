"""Checking a folder of models without a database: everything the deploy would refuse, file by
file, with the same reasons (`pheduyet check`).

Each BPMN file is parsed as the deploy parses it, together with the folder's decision tables
and forms and the files that define the processes its call activities call. A deploy stops at
the first problem; here every unmapped service task of a file is listed, then the first refusal
of each of the diagram's own checks and every refused script, or else the first problem the
parse meets, so one run shows what to fix in every file.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .clock import system_clock
from .definition_notes import definition_notes
from .errors import InvalidDefinition
from .limits import DEFAULT_MAX_MULTI_INSTANCE
from .model_forms import is_model_form
from .parsing import SourceFile, parse_bundle
from .script_resources import is_script_resource
from .service_specs import unmapped_services
from .xml_namespaces import BPMN_NS
from .xml_safety import DEFAULT_MAX_BYTES, is_bpmn_name, parse_xml, root_kind


@dataclass(frozen=True)
class DefinitionProblem:
    """Something that will not run: where, why, and the refusal's reason code and key."""

    file: str | None
    element_id: str | None
    line: int | None
    message: str
    reason: str | None = None
    key: str | None = None


@dataclass(frozen=True)
class CheckReport:
    files: tuple[str, ...]
    processes: tuple[str, ...]  # the executable processes that would deploy
    problems: tuple[DefinitionProblem, ...]
    # Accepted and not needed, or kept as documentation (engine/definition_notes.py).
    notes: tuple[DefinitionProblem, ...] = ()


def check_definitions(
    files: Iterable[SourceFile],
    *,
    services: Collection[str] = (),
    now: datetime | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_multi_instance: int = DEFAULT_MAX_MULTI_INSTANCE,
) -> CheckReport:
    """What a deploy of these files would refuse, per BPMN file; nothing is stored."""
    given = list(files)
    now = now or system_clock()
    extras = [f for f in given if not is_bpmn_name(f.name)]
    roots: dict[str, Any] = {}
    problems: list[DefinitionProblem] = []
    for source in given:
        if (
            source.name.lower().endswith(".json")
            or is_model_form(source.name)
            or is_script_resource(source.name)
        ):
            continue
        try:
            root = parse_xml(source.name, source.content, max_bytes)
            if root_kind(source.name, root) == "bpmn":
                roots[source.name] = root
        except InvalidDefinition as error:
            problems.append(_problem(error))
    definers = {
        str(process.get("id")): name
        for name, root in roots.items()
        for process in root.iterfind(f"{{{BPMN_NS}}}process")
    }
    by_name = {f.name: f for f in given}
    processes: list[str] = []
    notes = [
        DefinitionProblem(*n) for name, root in roots.items() for n in definition_notes(name, root)
    ]
    for name, root in roots.items():
        unmapped = unmapped_services(name, root, services)
        problems.extend(_problem(error) for error in unmapped)
        known = {*services, *(str(e.details["key"]) for e in unmapped)}
        found: list[InvalidDefinition] = []
        try:
            parsed = parse_bundle(
                [by_name[name], *extras],
                max_bytes,
                resolve=_resolver(definers, by_name, name),
                now=now,
                max_multi_instance=max_multi_instance,
                services=known,
                found=found,
            )
            if not unmapped:
                processes.extend(p.process_id for p in parsed)
        except InvalidDefinition as error:
            problems.extend(_problem(e) for e in found)
            problems.append(_problem(error))
        except Exception as error:  # a library's failure on a strange file is still a finding
            problems.extend(_problem(e) for e in found)
            message = f"the file cannot be read as a process: {type(error).__name__}: {error}"
            problems.append(DefinitionProblem(name, None, None, message))
    if not roots and not problems:
        problems.append(DefinitionProblem(None, None, None, "no BPMN diagram among the files"))
    unique = list(dict.fromkeys(problems))
    return CheckReport(tuple(f.name for f in given), tuple(processes), tuple(unique), tuple(notes))


def _resolver(definers: dict[str, str], by_name: dict[str, SourceFile], own: str) -> Any:
    def resolve(process_ids: set[str]) -> list[SourceFile]:
        names = {definers[p] for p in process_ids if p in definers and definers[p] != own}
        return [by_name[n] for n in sorted(names)]

    return resolve


def _problem(error: InvalidDefinition) -> DefinitionProblem:
    details = error.details
    reason = details.get("reason")
    return DefinitionProblem(
        file=details.get("file"),
        element_id=details.get("element_id"),
        line=details.get("line"),
        message=error.reason,
        reason=reason if isinstance(reason, str) else None,
        key=details.get("key"),
    )
