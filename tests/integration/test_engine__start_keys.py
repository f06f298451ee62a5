"""Idempotent starts on both databases: parallel submits of one form's key start one item."""

from __future__ import annotations

import threading
from typing import Any

import engine
from engine.start_keys import claim_start_key, record_start
from tests.conftest import START

KEY = "k" * 32


def _start_once(factory: Any, config: engine.EngineConfig, key: str) -> int:
    with engine.transaction(factory) as s:
        earlier = claim_start_key(s, "an", key, START)
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
