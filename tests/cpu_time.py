"""The CPU time a piece of work spends, without the interpreter's garbage collections.

A worker process of the suite holds what hundreds of tests left; a full collection may start
inside any measured step and take its whole allowance on a slow machine (a CI run saw a refusal
that takes 1 ms measured at 0.66 s). The sandbox's own budget leaves collections out for the
same reason; the tests that say "refused quickly" measure the same way.
"""

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Spent:
    seconds = 0.0


@contextmanager
def cpu_outside_collections() -> Iterator[Spent]:
    """Measure this thread's CPU seconds in the block, collections left out."""
    spent = Spent()
    collecting = [0.0, 0.0]  # when the running collection began, the seconds collections took

    def on_collection(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            collecting[0] = time.thread_time()
        else:
            collecting[1] += time.thread_time() - collecting[0]

    gc.collect()
    gc.callbacks.append(on_collection)
    begin = time.thread_time()
    try:
        yield spent
    finally:
        spent.seconds = time.thread_time() - begin - collecting[1]
        gc.callbacks.remove(on_collection)
