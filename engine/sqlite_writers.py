"""The queue of SQLite writers: before `BEGIN IMMEDIATE`, a writer takes an advisory lock on a
file beside the database (`<database>-writer.lock`), and gives it back once its transaction
has ended. The kernel keeps the waiters and wakes the next the moment the lock is released;
SQLite's own busy handler, which every writer waited in before, sleeps in growing steps (up to
100 ms) and polls, so with a few processes writing the lock sat free while its waiters slept,
and a writer that had slept long lost the lock to any newcomer.

The lock file's lock (flock) belongs to the open file and goes with the process: a writer that
crashes frees the queue as it frees SQLite's lock. Whatever does not take the queue (the sqlite3
shell, another program) still meets SQLite's lock, and the busy timeout keeps it waiting
instead of failing, as before."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import sqlite3
import stat
import threading

from sqlalchemy.engine import make_url

LOCK_SUFFIX = "-writer.lock"

log = logging.getLogger(__name__)

# Lock file -> the thread of this process that holds it. A thread that opens a second write
# transaction (on another connection) while it holds one would wait for itself for ever: it
# goes without the queue, straight to SQLite's lock (and its busy timeout), as it did before.
_holders: dict[str, int] = {}
os.register_at_fork(after_in_child=_holders.clear)


def queue_for(url: str) -> WriterQueue | None:
    """The writers' queue of a SQLite URL's database file; None for a database in memory (or
    given as a `file:` URI), which no other process shares."""
    database = make_url(url).database
    if not database or database == ":memory:" or database.startswith("file:"):
        return None
    return WriterQueue(os.path.realpath(database))


class WriterQueue:
    """The advisory lock file of one database file."""

    def __init__(self, database: str) -> None:
        self.database = database
        self.path = database + LOCK_SUFFIX
        self._warned = False

    def enter(self) -> Held | None:
        """Wait until no other writer of the database (in this process or another) holds the
        queue, then hold it. None when this thread already holds it, or the lock file cannot
        be opened (SQLite's lock and busy timeout still order the writers)."""
        me = threading.get_ident()
        if _holders.get(self.path) == me:
            return None
        fd = self._open()
        if fd is None:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # in the kernel, the GIL released
        except BaseException:
            os.close(fd)
            raise
        _holders[self.path] = me
        return Held(self.path, fd)

    def _open(self) -> int | None:
        # Read-only is enough to lock a file, so a lock file made by another account (the
        # administrator's `pheduyet migrate`) serves the web server's account as well.
        flags = os.O_RDONLY | os.O_CLOEXEC
        try:
            try:
                return os.open(self.path, flags)
            except FileNotFoundError:
                return self._create(flags)
        except OSError as error:
            if not self._warned:
                self._warned = True
                log.warning(
                    "writers of %s wait in SQLite's busy handler instead of in turn: %s",
                    self.database,
                    error,
                )
            return None

    def _create(self, flags: int) -> int:
        # As SQLite makes its -wal and -shm files: the database file's permissions and, for
        # root, its owner, so that whoever may write the database may also queue.
        mode, owner = 0o644, None
        with contextlib.suppress(OSError):
            info = os.stat(self.database)
            mode, owner = stat.S_IMODE(info.st_mode) & 0o666, (info.st_uid, info.st_gid)
        fd = os.open(self.path, flags | os.O_CREAT, mode)
        if owner is not None and os.geteuid() == 0:
            with contextlib.suppress(OSError):
                os.fchown(fd, *owner)
        return fd


class Held:
    """The queue, held by one write transaction; released once, however it ends (commit,
    rollback, the connection closed, or dropped without either)."""

    def __init__(self, path: str, fd: int) -> None:
        self.path = path
        self.fd: int | None = fd

    def release(self) -> None:
        fd, self.fd = self.fd, None
        if fd is None:
            return
        _holders.pop(self.path, None)  # before the unlock: the next holder may be of this process
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)  # even if a fork left a copy of the descriptor
        finally:
            os.close(fd)

    def __del__(self) -> None:
        self.release()


class QueuedConnection(sqlite3.Connection):
    """A SQLite connection whose write transactions hold the writers' queue from before their
    BEGIN until their COMMIT or ROLLBACK has ended them."""

    writer_queue: WriterQueue | None = None
    _held: Held | None = None

    def enter_queue(self) -> None:
        if self.writer_queue is not None and self._held is None:
            self._held = self.writer_queue.enter()

    def leave_queue(self) -> None:
        """Give the queue back unless a transaction is still open (a COMMIT that failed: its
        ROLLBACK follows)."""
        held = self._held
        if held is not None and not self._in_transaction():
            self._held = None
            held.release()

    def _in_transaction(self) -> bool:
        try:
            return self.in_transaction
        except sqlite3.ProgrammingError:  # closed: no transaction left
            return False

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self.leave_queue()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self.leave_queue()

    def close(self) -> None:
        try:
            super().close()
        finally:
            held, self._held = self._held, None
            if held is not None:
                held.release()
