"""Reads never take the write lock: on SQLite a page loads while an action holds the lock."""

from __future__ import annotations

import threading
import time
from typing import Any

import engine


def test_reads__a_read_runs_while_a_writer_holds_the_lock(sqlite_factory: Any) -> None:
    with engine.transaction(sqlite_factory) as s:
        engine.add_user(s, "an", display_name="Nguyễn Văn An")
    read: list[float] = []

    def reader() -> None:
        started = time.monotonic()
        with engine.transaction(sqlite_factory, write=False) as s:
            assert engine.user_exists(s, "an")
        read.append(time.monotonic() - started)

    with engine.transaction(sqlite_factory) as writer:
        engine.add_user(writer, "chi", display_name="Trần Thị Chi")
        writer.flush()  # the write lock is held from BEGIN IMMEDIATE to the commit
        thread = threading.Thread(target=reader)
        thread.start()
        thread.join(timeout=10)
        assert read, "the read waited for the writer"
    assert read[0] < 2


def test_reads__a_write_waits_for_the_writer_instead_of_failing(sqlite_factory: Any) -> None:
    done: list[str] = []

    def second_writer() -> None:
        with engine.transaction(sqlite_factory) as s:
            engine.add_user(s, "binh", display_name="Lê Văn Bình")
        done.append("binh")

    with engine.transaction(sqlite_factory) as writer:
        engine.add_user(writer, "chi", display_name="Trần Thị Chi")
        writer.flush()
        thread = threading.Thread(target=second_writer)
        thread.start()
        thread.join(timeout=0.5)
        assert not done  # queued behind the lock, not failed
    thread.join(timeout=10)
    assert done == ["binh"]
    with engine.transaction(sqlite_factory, write=False) as s:
        assert engine.user_exists(s, "binh") and engine.user_exists(s, "chi")
