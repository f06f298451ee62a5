"""SQLite writers take turns in the kernel's queue on `<database>-writer.lock`: from threads and
from processes at once, none fails with "database is locked" even with SQLite's busy timeout
at zero (so none waited in SQLite's sleeping busy handler), each waiting writer is woken by the
one before it committing, a writer killed inside its transaction frees the queue, and reads
never queue."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import sqlite3
import stat
import threading
import time
from collections.abc import Callable, Iterator
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy import exc as sqlalchemy_exc

import engine
from engine.sqlite_writers import LOCK_SUFFIX, queue_for

CTX = multiprocessing.get_context("fork")
TIMEOUT_S = 30


def no_busy_timeout(db: Engine) -> Engine:
    """SQLite's busy handler off: a writer that found SQLite's lock taken would fail at once."""

    @event.listens_for(db, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA busy_timeout=0")

    return db


@pytest.fixture
def url(sqlite_url: str) -> Iterator[str]:
    db = engine.create_db_engine(sqlite_url)
    engine.upgrade_database(db)
    db.dispose()
    yield sqlite_url


def lock_file(url: str) -> Path:
    return Path(url.removeprefix("sqlite:///") + LOCK_SUFFIX)


def queued(url: str) -> int:
    """Writers waiting in the kernel for the database's writer lock (Linux's /proc/locks marks
    a blocked request with '->')."""
    inode = f":{os.stat(lock_file(url)).st_ino} "
    lines = Path("/proc/locks").read_text().splitlines()
    return sum(1 for line in lines if "->" in line and "FLOCK" in line and inode in line)


def taken(url: str) -> bool:
    fd = os.open(lock_file(url), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


def wait_until(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, what
        time.sleep(0.005)


def users(factory: Any) -> list[str]:
    with engine.transaction(factory, write=False) as s:
        return list(s.execute(text("SELECT username FROM users ORDER BY rowid")).scalars())


def test_writers__a_waiting_writer_goes_as_soon_as_the_one_before_commits(url: str) -> None:
    factory = engine.session_factory(no_busy_timeout(engine.create_db_engine(url)))
    saw: list[bool] = []

    def second() -> None:
        with engine.transaction(factory) as s:
            saw.append(engine.user_exists(s, "an"))  # the first writer's row, committed
            engine.add_user(s, "binh", display_name="Lê Văn Bình")

    with engine.transaction(factory) as s:
        engine.add_user(s, "an", display_name="Nguyễn Văn An")
        s.flush()
        thread = threading.Thread(target=second)
        thread.start()
        wait_until(lambda: queued(url) == 1, "the second writer is not waiting in the queue")
        assert not saw
    thread.join(TIMEOUT_S)
    assert saw == [True]
    assert users(factory) == ["an", "binh"]
    assert not taken(url)


def test_writers__threads_write_at_once_without_database_is_locked(url: str) -> None:
    factory = engine.session_factory(no_busy_timeout(engine.create_db_engine(url)))
    start = threading.Barrier(4)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            start.wait(TIMEOUT_S)
            for i in range(10):
                with engine.transaction(factory) as s:
                    engine.add_user(s, f"t{n}_{i}", display_name=f"Người {n}.{i}")
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(TIMEOUT_S)
    assert errors == []
    assert len(users(factory)) == 40


def _process_writer(url: str, n: int, start: Barrier) -> None:
    factory = engine.session_factory(no_busy_timeout(engine.create_db_engine(url)))
    start.wait(TIMEOUT_S)
    for i in range(10):
        with engine.transaction(factory) as s:
            engine.add_user(s, f"p{n}_{i}", display_name=f"Người {n}.{i}")


def test_writers__processes_take_turns_without_database_is_locked(url: str) -> None:
    """Three processes queue behind a writer of a fourth, then write at once."""
    start = CTX.Barrier(4)
    children = [
        CTX.Process(target=_process_writer, args=(url, n, start), daemon=True) for n in range(3)
    ]
    for child in children:
        child.start()
    factory = engine.session_factory(no_busy_timeout(engine.create_db_engine(url)))
    try:
        with engine.transaction(factory) as s:
            engine.add_user(s, "an", display_name="Nguyễn Văn An")
            s.flush()
            start.wait(TIMEOUT_S)
            wait_until(lambda: queued(url) == 3, "the other processes are not waiting in turn")
        for child in children:
            child.join(TIMEOUT_S)
    finally:
        start.abort()
        for child in children:
            child.kill()
    assert [child.exitcode for child in children] == [0, 0, 0]
    written = users(factory)
    assert written[0] == "an" and len(written) == 31


def _hold_and_hang(url: str, holding: Event) -> None:
    factory = engine.session_factory(engine.create_db_engine(url))
    with engine.transaction(factory) as s:
        engine.add_user(s, "chi", display_name="Trần Thị Chi")
        s.flush()
        holding.set()
        threading.Event().wait()  # until killed


def test_writers__a_writer_killed_in_its_transaction_frees_the_queue(url: str) -> None:
    holding = CTX.Event()
    child = CTX.Process(target=_hold_and_hang, args=(url, holding), daemon=True)
    child.start()
    try:
        assert holding.wait(TIMEOUT_S)
        assert taken(url)
    finally:
        child.kill()
        child.join(TIMEOUT_S)
    factory = engine.session_factory(no_busy_timeout(engine.create_db_engine(url)))
    with engine.transaction(factory) as s:
        engine.add_user(s, "an", display_name="Nguyễn Văn An")
    assert users(factory) == ["an"]  # the killed writer's row went with it


def test_writers__reads_do_not_queue_and_every_end_of_a_write_frees_it(url: str) -> None:
    factory = engine.session_factory(engine.create_db_engine(url))
    with engine.transaction(factory, write=False) as s:
        assert not engine.user_exists(s, "an")
        assert not taken(url)
    with engine.transaction(factory) as s:
        engine.add_user(s, "an", display_name="Nguyễn Văn An")
        assert taken(url)
    assert not taken(url)
    with pytest.raises(ZeroDivisionError), engine.transaction(factory) as s:
        engine.add_user(s, "binh", display_name="Lê Văn Bình")
        assert taken(url)
        _ = 1 / 0
    assert not taken(url)
    assert users(factory) == ["an"]


def test_writers__a_second_write_in_the_same_thread_does_not_wait_for_itself(url: str) -> None:
    queue = queue_for(url)
    assert queue is not None
    held = queue.enter()
    assert held is not None
    try:
        assert queue.enter() is None  # it would wait for ever: SQLite's busy timeout instead
    finally:
        held.release()
    assert not taken(url)


@pytest.mark.parametrize("memory", ["sqlite://", "sqlite:///:memory:"])
def test_writers__a_database_in_memory_has_no_queue(memory: str) -> None:
    assert queue_for(memory) is None
    db = engine.create_db_engine(memory)
    with db.begin() as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar() == 1
    db.dispose()


def test_writers__the_lock_file_takes_the_database_files_permissions(tmp_path: Path) -> None:
    database = tmp_path / "pheduyet.db"
    sqlite3.connect(database).close()
    database.chmod(0o640)
    url = f"sqlite:///{database}"
    db = engine.create_db_engine(url)
    engine.upgrade_database(db)
    db.dispose()
    assert stat.S_IMODE(lock_file(url).stat().st_mode) == 0o640


def test_writers__a_begin_refused_by_sqlite_is_sqlalchemys_error_and_frees_the_queue(
    url: str,
) -> None:
    """BEGIN goes to the driver itself (engine.db): a program that does not queue holding
    SQLite's lock still makes a writer fail as a statement would, with SQLAlchemy's error
    (what the worker's retry catches), and the writer's place in the queue is given back."""
    db = no_busy_timeout(engine.create_db_engine(url))
    factory = engine.session_factory(db)
    other = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        refused = pytest.raises(sqlalchemy_exc.OperationalError, match="locked")
        with refused, engine.transaction(factory) as s:
            s.connection()
        assert not taken(url)
        other.rollback()
        with engine.transaction(factory) as s:
            engine.add_user(s, "an", display_name="Nguyễn Văn An")
        assert users(factory) == ["an"]
    finally:
        other.close()
        db.dispose()


def test_writers__commits_do_not_stop_to_checkpoint_before_the_log_holds_its_pages(
    tmp_path: Path,
) -> None:
    """A commit copies the write-ahead log into the database file only once the log holds
    SQLITE_CHECKPOINT_PAGES pages (engine/db.py), not SQLite's 1,000: three commits of about
    500 pages each are all still in the log, none yet in the database file (at 1,000 the
    third would have copied them there)."""
    database = tmp_path / "pheduyet.db"
    db = engine.create_db_engine(f"sqlite:///{database}")
    try:
        with db.begin() as connection:
            connection.exec_driver_sql("CREATE TABLE scratch (content BLOB)")
        for _ in range(3):
            with db.begin() as connection:
                connection.exec_driver_sql("INSERT INTO scratch VALUES (randomblob(2000000))")
        wal = database.with_name(database.name + "-wal")
        assert wal.stat().st_size > 1400 * 4096
        assert database.stat().st_size < 100 * 4096
    finally:
        db.dispose()
