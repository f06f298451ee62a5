"""Who may start a process: Camunda's `camunda:candidateStarterGroups` and
`camunda:candidateStarterUsers` on the process element (comma-separated names). A process that
names neither may be started by anyone who may log in, as before.

Read from the version's stored files the first time a version is started and kept by content
hash: versions never change, and nothing new is stored for them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from .errors import Forbidden
from .users import Identity
from .xml_safety import parse_xml

BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
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


_cache: dict[tuple[str, str], Starters] = {}
_lock = threading.Lock()


def _names(raw: str | None) -> tuple[str, ...]:
    return tuple(n.strip() for n in (raw or "").split(",") if n.strip())


def read_starters(root: Any, process_id: str) -> Starters:
    """The starters a diagram names for one of its processes."""
    for process in root.iter(f"{{{BPMN}}}process"):
        if process.get("id") == process_id:
            return Starters(
                groups=_names(process.get(f"{{{CAMUNDA_NS}}}candidateStarterGroups")),
                users=_names(process.get(f"{{{CAMUNDA_NS}}}candidateStarterUsers")),
            )
    return Starters()


def version_starters(process_id: str, content_hash: str, files: dict[str, str]) -> Starters:
    key = (process_id, content_hash)
    with _lock:
        found = _cache.get(key)
    if found is not None:
        return found
    starters = Starters()
    for name, text in files.items():
        if not name.lower().endswith(".bpmn") or process_id not in text:
            continue
        starters = read_starters(parse_xml(name, text.encode("utf-8")), process_id)
        if not starters.anyone:
            break
    with _lock:
        if len(_cache) >= MAX_CACHED:
            _cache.clear()
        _cache[key] = starters
    return starters


def require_starter(row: Any, who: Identity) -> None:
    """Refuse someone the process does not name as a starter (403, reason not_a_starter)."""
    starters = version_starters(row.process_id, row.content_hash, row.files)
    if not starters.allows(who):
        raise Forbidden(
            f"{who.username} may not start process '{row.process_id}'",
            reason="not_a_starter",
            process_id=row.process_id,
        )
