"""Background workers in OS processes of their own, started together: each opens its own
connections to the database at `url` and runs one job (a round of timers, of timer starts) the
moment all are ready, so they race for the same due rows as several `pheduyet worker` would."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

import engine

# Children must build their own engines: forking is cheap, and the parent's pool is emptied first.
CTX = multiprocessing.get_context("fork")
TIMEOUT_S = 60

Job = Callable[[Any], Any]  # given a session factory of the child's own, returns its report


def _work(url: str, job: Job, barrier: Barrier, results: Queue[tuple[str, Any]]) -> None:
    db = engine.create_db_engine(url)
    try:
        barrier.wait(TIMEOUT_S)
        results.put(("ok", job(engine.session_factory(db))))
    except BaseException as exc:
        results.put(("failed", repr(exc)))
        raise
    finally:
        db.dispose()


def run_workers(factory: Any, url: str, job: Job, count: int) -> list[tuple[str, Any]]:
    """("ok", report) or ("failed", error) of each of `count` workers; each must exit cleanly."""
    factory.kw["bind"].dispose()  # no pooled connection may cross the fork
    barrier = CTX.Barrier(count)
    results: Queue[tuple[str, Any]] = CTX.Queue()
    workers = [CTX.Process(target=_work, args=(url, job, barrier, results)) for _ in range(count)]
    return run_together(workers, results, count)


def run_together(children: list[Any], results: Queue[Any], expected: int) -> list[Any]:
    """Start the child processes, take `expected` results from their queue, and see each end
    cleanly (one that hangs is killed; then the test fails with what they reported)."""
    for child in children:
        child.start()
    try:
        reports = [results.get(timeout=TIMEOUT_S) for _ in range(expected)]
    finally:
        for child in children:
            child.join(TIMEOUT_S)
            if child.is_alive():
                child.kill()
                child.join()
    assert [c.exitcode for c in children] == [0] * len(children), reports
    return reports
