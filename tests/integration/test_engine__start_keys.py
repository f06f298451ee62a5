"""Idempotent starts on both databases: parallel submits of one form's key start one item; a
key given with another request's fingerprint is refused, even while the first is starting."""

from __future__ import annotations

import threading
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import inspect

import engine
from engine import start_keys
from engine.db import UTCDateTime
from engine.start_keys import KEPT_FOR, PURGED_EVERY, claim_start_key, record_start
from tests.conftest import START
from tests.migrations import downgrade

KEY = "k" * 32


def _start_once(
    factory: Any, config: engine.EngineConfig, key: str, fingerprint: str | None = None
) -> int:
    with engine.transaction(factory) as s:
        earlier = claim_start_key(s, "an", key, START, fingerprint)
        if earlier is not None:
            return earlier
        item = engine.start_instance(s, config, "approval", "an")
        record_start(s, "an", key, item)
        return item


def test_start_keys__parallel_submits_start_one_item(
    deployed: Any, config: engine.EngineConfig
) -> None:
    results: list[int] = []
    gate = threading.Barrier(6)

    def submit() -> None:
        gate.wait()
        results.append(_start_once(deployed, config, KEY))

    threads = [threading.Thread(target=submit) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(results) == 6 and len(set(results)) == 1
    with engine.transaction(deployed, write=False) as s:
        assert len(engine.visible_instance_ids(s, engine.get_identity(s, "an"))) == 1


def test_start_keys__a_failed_start_frees_its_key(
    deployed: Any, config: engine.EngineConfig
) -> None:
    try:
        with engine.transaction(deployed) as s:
            assert claim_start_key(s, "an", KEY, START) is None
            raise RuntimeError("the start failed")
    except RuntimeError:
        pass
    item = _start_once(deployed, config, KEY)
    assert _start_once(deployed, config, KEY) == item


def test_start_keys__a_key_kept_past_its_days_starts_anew(
    deployed: Any, config: engine.EngineConfig
) -> None:
    """A key is kept two days (long past any resubmit of its form): the next claim, by anyone,
    lets older ones go, and a form submitted again after that starts a new item."""
    item = _start_once(deployed, config, KEY)
    assert _start_once(deployed, config, KEY) == item  # within its days: the same item
    later = START + KEPT_FOR + timedelta(minutes=1)
    with engine.transaction(deployed) as s:
        assert claim_start_key(s, "an", "m" * 32, later) is None
    with engine.transaction(deployed) as s:
        assert claim_start_key(s, "an", KEY, later) is None  # no longer kept: a new start


def test_start_keys__a_key_past_its_days_starts_anew_before_the_next_purge(
    deployed: Any, config: engine.EngineConfig
) -> None:
    """Old keys are let go once every PURGED_EVERY, not at every start: a key past its days
    that comes back before that is let go at its own claim, and starts a new item."""
    item = _start_once(deployed, config, KEY)
    purged = START + KEPT_FOR - PURGED_EVERY / 2  # the key not yet past its days
    with engine.transaction(deployed) as s:
        assert claim_start_key(s, "an", "m" * 32, purged) is None
    later = START + KEPT_FOR + timedelta(minutes=1)
    assert later < purged + PURGED_EVERY  # no purge due at this claim
    with engine.transaction(deployed) as s:
        assert claim_start_key(s, "an", KEY, later) is None  # not the old item: a new start
        started = engine.start_instance(s, config, "approval", "an")
        record_start(s, "an", KEY, started)
    with engine.transaction(deployed) as s:
        assert claim_start_key(s, "an", KEY, later) == started != item


def test_start_keys__two_submits_of_a_key_past_its_days_start_one_item(
    deployed: Any, config: engine.EngineConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both read the old row before either lets it go (found by a review: the second re-claimed
    nothing, and started a second item). On SQLite they go one after the other anyway."""
    _start_once(deployed, config, KEY)
    with engine.transaction(deployed) as s:  # this process purged a moment ago
        assert claim_start_key(s, "an", "m" * 32, START + KEPT_FOR - PURGED_EVERY / 2) is None
    later = START + KEPT_FOR + timedelta(minutes=1)
    both_read = threading.Barrier(2, timeout=10)
    read_once = threading.local()
    real_run = start_keys.run

    def run(connection: Any, statement: Any, *args: Any, **kwargs: Any) -> Any:
        found = real_run(connection, statement, *args, **kwargs)
        if statement is start_keys._CLAIMED and not getattr(read_once, "done", False):
            rows = found.all()
            read_once.done = True
            if connection.dialect.name == "postgresql":
                both_read.wait()
            return SimpleNamespace(first=lambda: rows[0])
        return found

    monkeypatch.setattr(start_keys, "run", run)
    started: dict[str, int] = {}

    def submit(name: str) -> None:
        with engine.transaction(deployed) as s:
            earlier = claim_start_key(s, "an", KEY, later)
            if earlier is None:
                earlier = engine.start_instance(s, config, "approval", "an")
                record_start(s, "an", KEY, earlier)
            started[name] = earlier

    threads = [threading.Thread(target=submit, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(started) == 2 and started["a"] == started["b"]


def test_start_keys__recording_an_unclaimed_key_is_refused(deployed: Any) -> None:
    with (
        engine.transaction(deployed) as s,
        pytest.raises(ValueError, match="claim the start key first"),
    ):
        record_start(s, "an", KEY, 1)


def test_start_keys__the_key_of_another_request_is_refused(
    deployed: Any, config: engine.EngineConfig
) -> None:
    """Three send one request, three another, all with one key at once: whichever claims it
    first starts the item and its repeats get it; the others wait for it and are refused."""
    started: list[int] = []
    refused: list[str] = []
    gate = threading.Barrier(6)

    def submit(fingerprint: str) -> None:
        gate.wait()
        try:
            started.append(_start_once(deployed, config, KEY, fingerprint))
        except engine.InvalidInput as error:
            refused.append(error.details["reason"])

    threads = [threading.Thread(target=submit, args=(c * 64,)) for c in "aaabbb"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(started) == 3 and len(set(started)) == 1
    assert refused == ["start_key_reused"] * 3
    # A form's submit has no fingerprint: it gets the item, as a resent form does.
    assert _start_once(deployed, config, KEY) == started[0]
    with engine.transaction(deployed, write=False) as s:
        assert len(engine.visible_instance_ids(s, engine.get_identity(s, "an"))) == 1


def test_start_keys__migration_0023_keeps_the_keys_stored_before(
    deployed: Any, config: engine.EngineConfig
) -> None:
    """A key stored before its request was remembered answers its item to any request."""
    db = deployed.kw["bind"]
    with engine.transaction(deployed) as s:  # started by today's code, on today's schema
        item = engine.start_instance(s, config, "approval", "an")
    downgrade(db, "0022")
    with db.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("start_keys")}
        assert "fingerprint" not in columns
    with engine.transaction(deployed) as s:
        keys = sa.table(
            "start_keys",
            *(sa.column(name) for name in ("username", "key", "instance_id")),
            sa.column("created_at", UTCDateTime()),
        )
        s.execute(keys.insert().values(username="an", key=KEY, instance_id=item, created_at=START))
    engine.upgrade_database(db)
    assert _start_once(deployed, config, KEY, "a" * 64) == item
