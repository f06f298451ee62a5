"""Each item's live workflow, kept in this process between its actions.

An action that saved an item leaves its workflow here once its transaction commits; the item's
next action in this process takes it instead of reading the stored state back into SpiffWorkflow
(`runtime.load_workflow`). It is taken only when the state read under the item's lock is, to the
character, the text this process wrote from that very object, for the same process version
(the same parsed spec) and serializer: a state written by anything else (another process, a
gunicorn worker, the timer worker, a repair, a test) is read from the database as before.

What a save changes in the values (a tuple read back as a list, a set, a callable, a time zone,
which tasks share a value) is undone by `serialization.settle_state` before the workflow is
used again, so that an action on it does exactly what it would do on `load_state(state)`.

The entry is taken out while an action uses it (the action changes it), put back only after a
commit, and never after a rollback, a rolled-back savepoint or an error: the next action then
works from the stored state. Bounded by a number of items and by their states' total size, the
least recently saved going first. An entry costs about three times its state's length: the
text, kept for the comparison, and Spiff's objects, about twice it (tracemalloc: a 10 kB state
of 27 tasks, 20 kB); the default bounds hold at most 16 M characters of state, about 50 MB
a process, and 1,000 items (about 30 MB at the bench's 10 kB).

Several processes (gunicorn's workers, the timer worker) each keep their own: an item's action
served by another process than its last reads the stored state, as before.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from .db import kept_for_the_transaction
from .human_tasks import TaskRows
from .serialization import settle_state

DEFAULT_MAX_ITEMS = 1000
DEFAULT_MAX_STATE_CHARS = 16_000_000  # the states' text; with the objects, about three times it

# session.info: item id -> the entry the action saved, kept until the transaction commits.
_PENDING = "pheduyet.live_workflows.pending"


@dataclass(frozen=True)
class Entry:
    workflow: Any
    state: str  # the text saved from `workflow`
    version_id: int
    spec: Any  # the parsed spec the workflow runs on
    serializer_version: str
    dialect: str
    # The item's task rows as the action that saved it left them: as true as `state` is, since
    # every action that writes task rows saves the state too.
    rows: TaskRows | None = None


class LiveWorkflows:
    """Workflows by item id, least recently saved first; safe to use from several threads."""

    def __init__(
        self, max_items: int = DEFAULT_MAX_ITEMS, max_chars: int = DEFAULT_MAX_STATE_CHARS
    ) -> None:
        self._lock = threading.Lock()
        self._entries: OrderedDict[int, Entry] = OrderedDict()
        self._chars = 0
        self.max_items = max_items
        self.max_chars = max_chars
        self.hits = 0
        self.misses = 0

    def take(
        self,
        item_id: int,
        state: str,
        version_id: int,
        spec: Any,
        serializer_version: str,
    ) -> Entry | None:
        """The item's entry if its workflow was saved as `state` from this process, ready to run
        (settled); None otherwise. Either way the item has no entry afterwards."""
        with self._lock:
            entry = self._entries.pop(item_id, None)
            if entry is not None:
                self._chars -= len(entry.state)
        usable = (
            entry is not None
            and entry.version_id == version_id
            and entry.spec is spec
            and entry.serializer_version == serializer_version
            and entry.state == state
        )
        if usable and entry is not None and _settled(entry, state):
            self.hits += 1
            return entry
        self.misses += 1
        return None

    def give_back(self, item_id: int, entry: Entry) -> None:
        """An entry taken only to be read, unchanged: kept again, unless the item was saved
        since (its new entry stands)."""
        _at_rest(entry.workflow)
        self.put(item_id, entry, unless_kept=True)

    def put(self, item_id: int, entry: Entry, *, unless_kept: bool = False) -> None:
        """Keep the entry (in place of the item's earlier one, or, `unless_kept`, only if the
        item has none: checked and put under one hold of the lock)."""
        size = len(entry.state)
        with self._lock:
            if unless_kept and item_id in self._entries:
                return
            old = self._entries.pop(item_id, None)
            if old is not None:
                self._chars -= len(old.state)
            if self.max_items <= 0 or size > self.max_chars:
                return
            self._entries[item_id] = entry
            self._chars += size
            while len(self._entries) > self.max_items or self._chars > self.max_chars:
                _, dropped = self._entries.popitem(last=False)
                self._chars -= len(dropped.state)

    def __len__(self) -> int:
        return len(self._entries)

    @property
    def chars(self) -> int:
        return self._chars


def _settled(entry: Entry, state: str) -> bool:
    try:
        return settle_state(entry.dialect, entry.workflow, state)
    except Exception:  # what cannot be settled is loaded from the state, as without the cache
        return False


def _at_rest(workflow: Any) -> None:
    # The action's script engine is not kept (as much memory again as the workflow): the next
    # action gives the workflow its own, as it does to one it loads.
    workflow.script_engine = None


LIVE = LiveWorkflows()


def saved(session: Session, item_id: int, entry: Entry) -> None:
    """The action saved the item's state from this workflow: kept if the transaction commits
    (a later save of the same item in the transaction replaces it)."""
    pending: dict[int, Entry] = session.info.setdefault(_PENDING, {})
    pending[item_id] = entry


def _keep_on_commit(session: Session) -> None:
    # A savepoint's release is not the end of the action: wait for the outermost commit.
    if session.in_nested_transaction():
        return
    pending: dict[int, Entry] | None = session.info.pop(_PENDING, None)
    for item_id, entry in (pending or {}).items():
        _at_rest(entry.workflow)
        LIVE.put(item_id, entry)


sa_event.listen(Session, "after_commit", _keep_on_commit)
# Any rollback, a savepoint's too: what the action saved may not be what is stored.
kept_for_the_transaction(_PENDING)
