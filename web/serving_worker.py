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
master restarts when a request keeps it silent)."""

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
            listener.setblocking(False)  # an idle thread of every process waits in select
        threads = [
            threading.Thread(target=self._serve, name=f"web-{n}", daemon=True)
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

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        self._stopping.set()

    def _serve(self) -> None:
        while self.alive:
            try:
                ready, _w, _x = select.select(self.sockets, [], [], POLL_SECONDS)
            except OSError:  # the listeners closed: the process is ending
                return
            for listener in ready:
                if not self.alive:  # stopping (a signal, or --max-requests reached)
                    return
                try:
                    client, address = listener.accept()
                except OSError as error:
                    if error.errno in _GONE:
                        continue
                    raise
                util.close_on_exec(client)
                if not select.select([client], [], [], READ_SECONDS)[0]:
                    client.close()  # silent: no request to answer, nothing to log
                    continue
                # The kernel's own timeout on the rest of the request's reads, the socket left
                # blocking (Python's timeouts poll before every read and write).
                client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, _READ_TIMEOUT)
                self.handle(listener, client, address)
