"""What this process last wrote into each item's search row, so that the item's next action
composes the row without reading the item's comments, files and row back (engine/search.py).

An entry stands for the item's history up to one event (`count`): the comments of its events,
the names of its files and the row as it was then. Only an event adds to either (a comment, a
file's "attached"), and an item's events are numbered one after another under its lock, so
when the first event an action adds to the item is number `count + 1`, nothing else has
touched what the row is made of since, whichever process wrote it; otherwise (another
process, the timer worker, a restart) the parts are read as before.

The entry is noted when the row is composed and kept once the transaction commits; a rollback
(a savepoint's too) drops what the transaction noted. At most `MAX_ITEMS` items, the least
recently written going first, each of at most `MAX_CHARS` of comments and file names (an item
with more is read each time): a few MB in all as people write, 32 MB at worst. One store for
each database (tests and tools open several in one process).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy import Engine
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from .db import kept_for_the_transaction, of_engine

MAX_ITEMS = 2000
MAX_CHARS = 16_000  # an item's comments and file names

# session.info: item id -> the entry noted in this transaction, kept at its commit.
_NOTED = "pheduyet.search_written.noted"


@dataclass(frozen=True)
class Written:
    """An item's search row as composed after its event number `count`."""

    count: int
    comments: tuple[str, ...]  # of its events, in their order (those a row takes)
    files: tuple[str, ...]  # its files' names, in upload order
    row: bytes  # a digest of the row's (content, folded)

    @property
    def chars(self) -> int:
        return sum(map(len, self.comments)) + sum(map(len, self.files))


_stores: WeakKeyDictionary[Engine, dict[int, Written]] = WeakKeyDictionary()
_lock = threading.Lock()


def known(session: Session, item_id: int) -> Written | None:
    """The item's entry: as this transaction composed it, else as this process kept it."""
    noted: dict[int, Written] | None = session.info.get(_NOTED)
    if noted is not None and item_id in noted:
        return noted[item_id]
    with _lock:
        return of_engine(_stores, session).get(item_id)


def note(session: Session, item_id: int, written: Written) -> None:
    """The transaction composed the item's row as `written`: kept if it commits."""
    session.info.setdefault(_NOTED, {})[item_id] = written


def _keep(session: Session, entries: dict[int, Written]) -> None:
    with _lock:
        store = of_engine(_stores, session)  # in insertion order: the oldest first
        for item_id, written in entries.items():
            store.pop(item_id, None)
            if written.chars <= MAX_CHARS:
                store[item_id] = written
        while len(store) > MAX_ITEMS:
            del store[next(iter(store))]


def _keep_on_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    noted: dict[int, Written] | None = session.info.pop(_NOTED, None)
    if noted:
        _keep(session, noted)


sa_event.listen(Session, "after_commit", _keep_on_commit)
kept_for_the_transaction(_NOTED)
