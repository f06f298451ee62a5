"""The gunicorn web process `pheduyet serve` runs where no slow client can reach it (behind
nginx, or on the loopback address): each of its threads waits for a connection itself, serves
its one request whole and closes it, as gunicorn's sync worker does in its one thread.

gunicorn's threaded worker, in the shape serve used before (one connection a thread, none kept
alive), passed every connection from a selector to a pool of threads: about 330 µs of server
CPU a request of a 20 kB page, against about 200 here (bench/README.md), some 3 ms of an item's
23 requests. A process still takes a connection only while one of its threads is free, so the
cores share the work as before. A connection that sends nothing for `READ_SECONDS` is closed,
so it cannot hold a thread longer; one that stops that long within its request is dropped too
(gunicorn logs that as a socket error); one that sends slowly holds a thread while it sends,
which is why this runs only behind a proxy or on loopback. A request that hangs is not killed:
the main thread tells the master the process lives whatever its threads do, as gunicorn's
threaded worker did (with one thread, `serve` runs gunicorn's sync worker instead, which the
master restarts when a request keeps it silent).

Which thread a connection wakes: one, and an idle process's before a busy one's. Each thread
waits in an epoll of its own registered with EPOLLEXCLUSIVE, so the kernel wakes the first
waiting thread in the listener's queue instead of every idle thread of every process (which all
ran to `accept`, and all but one found nothing). A thread that takes a connection sends its
process's other idle threads to the back of that queue, and a thread that ends its request
while a sibling still serves goes there too: a request goes to a process with no request in
hand while there is one, and to the same process while the office is quiet. That process then
finds the item's workflow it kept from the last step, its pages' queries and the processor's
caches warm, as a single process did: with one person, 73-78 ms of server CPU an item against
81-85 before, and on PostgreSQL 86-89 against 97-100 (its backend warm too); with four, the
same on SQLite and 4 % less on PostgreSQL (bench/README.md, 6 December 2026).
"""

from __future__ import annotations

import errno
import select
import socket
import struct
import threading
from types import FrameType
from typing import Any

from gunicorn import util
from gunicorn.workers.sync import SyncWorker

# How long a thread waits on a silent connection, and at most for a look at whether it should
# stop (SIGTERM: each thread finishes the request it serves, then leaves).
READ_SECONDS = 5.0
POLL_SECONDS = 1.0
_READ_TIMEOUT = struct.pack("ll", int(READ_SECONDS), 0)  # a struct timeval
_WAKE_ONE = select.EPOLLIN | select.EPOLLEXCLUSIVE
_GONE = (errno.EAGAIN, errno.EWOULDBLOCK, errno.ECONNABORTED)  # another thread took it


class ThreadsAccepting(SyncWorker):
    """gunicorn's sync worker, run in `--threads` threads that each accept their own
    connections; the main thread only tells the master the process lives and waits for its
    signals."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._stopping = threading.Event()

    def run(self) -> None:
        for listener in self.sockets:
            listener.setblocking(False)
        # Made here, in the web process: gunicorn builds the worker object in its master, before
        # the fork, and an epoll made there would be shared by the processes it forks.
        self._queue = _Queue(self.sockets, self.cfg.threads)
        threads = [
            threading.Thread(target=self._serve, args=(n,), name=f"web-{n}", daemon=True)
            for n in range(self.cfg.threads)
        ]
        for thread in threads:
            thread.start()
        while self.alive and all(thread.is_alive() for thread in threads):
            self.notify()
            if not self.is_parent_alive():
                break
            self._stopping.wait(POLL_SECONDS)
        self.alive = False
        for thread in threads:
            thread.join(self.cfg.graceful_timeout)
        # The epolls are left to the process's exit: a thread still serving past the grace
        # would meet a closed one.

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._stopping.set()

    def _serve(self, mine: int) -> None:
        listeners = {listener.fileno(): listener for listener in self.sockets}
        while self.alive:
            ready = [fd for fd, _events in self._queue.wait(mine, POLL_SECONDS)]
            if not ready and self.alive:
                # A connection whose one wake-up went to a thread that died before taking it
                # (its process killed) wakes no other: a wait that ends empty looks anyway.
                ready = list(listeners)
            for fd in ready:
                # Taken even while stopping (a signal, or --max-requests reached): the kernel
                # woke this thread alone, and a connection left in the backlog would wake no
                # other until the next one came.
                try:
                    client, address = listeners[fd].accept()
                except OSError as error:
                    if error.errno in _GONE:
                        continue
                    raise
                self._queue.took(mine)
                try:
                    self._answer(listeners[fd], client, address)
                finally:
                    self._queue.done(mine)

    def _answer(self, listener: socket.socket, client: socket.socket, address: Any) -> None:
        util.close_on_exec(client)
        if not select.select([client], [], [], READ_SECONDS)[0]:
            client.close()  # silent: no request to answer, nothing to log
            return
        # The kernel's own timeout on the rest of the request's reads, the socket left
        # blocking (Python's timeouts poll before every read and write).
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _READ_TIMEOUT)
        self.handle(listener, client, address)


class _Queue:
    """This process's threads in the listeners' queue of those waiting for a connection: an
    epoll each, woken alone (EPOLLEXCLUSIVE), and which of them are serving. Moving a thread to
    the back is taking its registration out and putting it in again (the kernel appends it)."""

    def __init__(self, listeners: list[Any], threads: int) -> None:
        self._fds = [listener.fileno() for listener in listeners]
        self._polls = [select.epoll() for _n in range(threads)]
        self._serving = [False] * threads
        self._lock = threading.Lock()
        for poll in self._polls:
            for fd in self._fds:
                poll.register(fd, _WAKE_ONE)

    def wait(self, thread: int, seconds: float) -> list[tuple[int, int]]:
        return self._polls[thread].poll(seconds)

    def took(self, thread: int) -> None:
        """`thread` serves a connection: its idle siblings go behind every other process's."""
        with self._lock:
            self._serving[thread] = True
            for other, serving in enumerate(self._serving):
                if not serving:
                    self._to_the_back(other)

    def done(self, thread: int) -> None:
        """`thread` is free again: behind the other processes' if a sibling still serves."""
        with self._lock:
            self._serving[thread] = False
            if any(self._serving):
                self._to_the_back(thread)

    def _to_the_back(self, thread: int) -> None:
        poll = self._polls[thread]
        for fd in self._fds:
            poll.unregister(fd)
            poll.register(fd, _WAKE_ONE)
