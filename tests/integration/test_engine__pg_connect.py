"""A PostgreSQL host that never answers is given up on after a bound (engine.db's default, or
the URL's own `connect_timeout`), not after the kernel's two minutes: no PostgreSQL server is
needed, a socket that listens and never speaks stands for that host."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import exc

import engine
import engine.db


@pytest.fixture
def silent_port() -> Iterator[int]:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        yield silent.getsockname()[1]


@pytest.mark.parametrize(
    ("default_s", "query"),
    [(2, ""), (600, "?connect_timeout=2")],
    ids=["the default bound", "the URL's own"],
)
def test_pg_connect__a_host_that_never_answers_is_given_up_on(
    silent_port: int, monkeypatch: pytest.MonkeyPatch, default_s: int, query: str
) -> None:
    monkeypatch.setattr(engine.db, "PG_CONNECT_TIMEOUT_S", default_s)
    monkeypatch.delenv("PGCONNECT_TIMEOUT", raising=False)
    db = engine.create_db_engine(f"postgresql+psycopg://nobody@127.0.0.1:{silent_port}/x{query}")
    started = time.monotonic()
    try:
        with pytest.raises(exc.OperationalError), db.connect():
            pass
    finally:
        db.dispose()
    assert 1.5 < time.monotonic() - started < 15
