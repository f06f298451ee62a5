"""Who may start a process, and whether people start it at all.

Who: Camunda's `camunda:candidateStarterGroups` and `camunda:candidateStarterUsers` on the
process element (comma-separated names). A process that names neither may be started by anyone
who may log in, as in Camunda.

Whether people start it by hand (`startable_processes`, what a start page offers): the latest
version must have a plain start event at the top of the process (one started only by a message,
a signal, a timer or a condition is started by that event, not by a person), and must not be
hidden by `camunda:isStartableInTasklist="false"`, as Camunda's Tasklist does. A process that a
call activity of another deployed process calls is a part of that process, started with the
data its caller passes: it is offered too only when its model shows it is meant for people
as well, by naming its starters or giving its start event a form.

Read from the version's stored files the first time a version is asked about and kept by content
hash: versions never change, and nothing new is stored for them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from .definitions import latest_version, list_processes
from .errors import Forbidden, InvalidInput
from .search import fold
from .task_meta import START_KIND
from .users import Identity
from .xml_namespaces import BPMN_NS as BPMN
from .xml_namespaces import CAMUNDA_NS
from .xml_safety import is_bpmn_name, parse_xml

MAX_CACHED = 2048


@dataclass(frozen=True)
class Starters:
    groups: tuple[str, ...] = ()
    users: tuple[str, ...] = ()

    @property
    def anyone(self) -> bool:
        return not self.groups and not self.users

    def allows(self, who: Identity) -> bool:
        if self.anyone:
            return True
        if who.username.lower() in {u.lower() for u in self.users}:
            return True
        return any(who.matches_group(g) for g in self.groups)


@dataclass(frozen=True)
class StartableProcess:
    """A deployed process that people start by hand: its latest version, the model's name (its
    id when it has none), its documentation and who may start it."""

    process_id: str
    name: str
    version: int
    description: str
    starters: Starters


@dataclass(frozen=True)
class _Model:
    """What one version's model says about starting it."""

    starters: Starters = Starters()
    by_hand: bool = False  # a plain start event at the top, not hidden from the start list
    plain_start: bool = True  # a plain start event at the top, hidden or not
    start_form: bool = False
    calls: frozenset[str] = frozenset()  # the processes its call activities call
    description: str = ""


_cache: dict[tuple[str, str], _Model] = {}
_lock = threading.Lock()


def _names(raw: str | None) -> tuple[str, ...]:
    return tuple(n.strip() for n in (raw or "").split(",") if n.strip())


def _plain(start: Any) -> bool:
    """A start event with no event definition: a person (or a caller) starts it."""
    return not any(
        isinstance(child.tag, str)
        and etree.QName(child).namespace == BPMN
        and etree.QName(child).localname.endswith(("EventDefinition", "eventDefinitionRef"))
        for child in start
    )


def _read_model(process: Any, start_form: bool) -> _Model:
    hidden = process.get(f"{{{CAMUNDA_NS}}}isStartableInTasklist", "true").lower() == "false"
    documentation = process.findtext(f"{{{BPMN}}}documentation") or ""
    plain = any(_plain(s) for s in process.iterfind(f"{{{BPMN}}}startEvent"))
    return _Model(
        starters=Starters(
            groups=_names(process.get(f"{{{CAMUNDA_NS}}}candidateStarterGroups")),
            users=_names(process.get(f"{{{CAMUNDA_NS}}}candidateStarterUsers")),
        ),
        by_hand=not hidden and plain,
        plain_start=plain,
        start_form=start_form,
        calls=frozenset(
            str(c.get("calledElement"))
            for c in process.iter(f"{{{BPMN}}}callActivity")
            if c.get("calledElement")
        ),
        description=" ".join(documentation.split()),
    )


def _cached(process_id: str, content_hash: str) -> _Model | None:
    with _lock:
        return _cache.get((process_id, content_hash))


def _model(row: Any) -> _Model:
    """The model facts of a stored version row (its files read once per content)."""
    found = _cached(row.process_id, row.content_hash)
    if found is not None:
        return found
    start_form = any(
        m.get("kind") == START_KIND and m.get("scope_id") == row.process_id
        for m in (row.task_meta or {}).values()
    )
    model = _Model(start_form=start_form)
    for name, text in row.files.items():
        if not is_bpmn_name(name) or row.process_id not in text:
            continue
        root = parse_xml(name, text.encode("utf-8"))
        # Compared in Python, not put into a path expression: ids come from the uploaded file.
        process = next(
            (p for p in root.iter(f"{{{BPMN}}}process") if p.get("id") == row.process_id), None
        )
        if process is not None:
            model = _read_model(process, start_form)
            break
    with _lock:
        if len(_cache) >= MAX_CACHED:
            _cache.clear()
        _cache[(row.process_id, row.content_hash)] = model
    return model


def startable_processes(session: Session) -> list[StartableProcess]:
    """Every deployed process people start by hand (see the module's docstring), with who may
    start it (whether a given person may is `starters.allows(who)`), in the order of their
    names as a Vietnamese reader sorts them (Đ with D, tones aside)."""
    deployed = list_processes(session)
    # Only a version not read before costs a query (its row, with its files).
    models = {
        p.process_id: _cached(p.process_id, p.content_hash)
        or _model(latest_version(session, p.process_id))
        for p in deployed
    }
    found = []
    for process in deployed:
        model = models[process.process_id]
        called = any(
            process.process_id in m.calls for pid, m in models.items() if pid != process.process_id
        )
        meant_for_people = model.start_form or not model.starters.anyone
        if model.by_hand and (not called or meant_for_people):
            found.append(
                StartableProcess(
                    process.process_id,
                    process.name,
                    process.version,
                    model.description,
                    model.starters,
                )
            )
    return sorted(found, key=lambda p: (fold(p.name), p.name, p.process_id))


def require_starter(row: Any, who: Identity) -> None:
    """Refuse someone the process does not name as a starter (403, reason not_a_starter)."""
    if not _model(row).starters.allows(who):
        raise Forbidden(
            f"{who.username} may not start process '{row.process_id}'",
            reason="not_a_starter",
            process_id=row.process_id,
        )


def require_plain_start(row: Any) -> None:
    """Refuse to start by hand a process that only its message, signal, timer or condition
    starts (Camunda: no none start event), instead of an item that would wait for nothing."""
    if not _model(row).plain_start:
        raise InvalidInput(
            f"process '{row.process_id}' has no plain start event: it starts when its message "
            "or signal is sent (pheduyet message send / signal send) or its timer is due",
            reason="starts_on_event",
            process_id=row.process_id,
        )
