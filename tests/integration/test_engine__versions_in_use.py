"""The process versions a server restores before its web processes fork: each process's latest,
and every older version an item still runs on; never a version only finished items used."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

import engine
from engine.clock import ManualClock
from engine.definitions import ProcessVersionModel
from engine.parsing import SourceFile
from tests.conftest import fixture_files
from tests.statements import counted


def _second_approval(factory: Any, clock: ManualClock, name: str = "Approval, v2") -> None:
    """Version 2 of `approval`, its name changed, as a modeller's re-deploy makes it."""
    [old] = fixture_files("spiff/approval.bpmn")
    text = old.content.replace(b'name="Approval with a return loop"', f'name="{name}"'.encode())
    assert text != old.content
    with engine.transaction(factory) as s:
        forms = fixture_files("spiff/draft.json", "spiff/review.json")
        engine.deploy(s, [SourceFile(old.name, text), *forms], clock)


@pytest.mark.parametrize(("ended", "older_in_use"), [(False, 1), (True, 0)])
def test_versions_in_use__the_latest_of_each_process_and_those_items_still_run_on(
    deployed: Any, config: engine.EngineConfig, clock: ManualClock, ended: bool, older_in_use: int
) -> None:
    with engine.transaction(deployed) as s:
        item = engine.start_instance(s, config, "approval", "an", title="Đề xuất")
        if ended:
            engine.cancel_instance(s, config, item, "an", "Nhầm quy trình")
    _second_approval(deployed, clock)
    with engine.transaction(deployed) as s:
        processes = len(engine.list_processes(s))
        approvals = s.scalars(
            select(ProcessVersionModel.version).where(ProcessVersionModel.process_id == "approval")
        ).all()
    assert sorted(approvals) == [1, 2]

    assert engine.restore_versions_in_use(deployed) == processes + older_in_use
    # All of them are restored now: asking again reads which, and restores nothing.
    with counted(deployed, with_begin=False) as sql:
        assert engine.restore_versions_in_use(deployed) == processes + older_in_use
    assert len(sql) == 1, sql
    assert deployed.kw["bind"].pool.checkedin() == 0  # no connection left for a fork to share


def test_versions_in_use__one_that_cannot_be_restored_is_left_to_first_use(
    deployed: Any, config: engine.EngineConfig, clock: ManualClock, caplog: Any
) -> None:
    # A name of its own: a version this process restored before (another test's) is not read.
    _second_approval(deployed, clock, name="Approval, as an older release stored it")
    with engine.transaction(deployed) as s:
        processes = len(engine.list_processes(s))
        # Stored by an older release, say, in a shape this code cannot read back.
        s.execute(
            update(ProcessVersionModel)
            .where(ProcessVersionModel.process_id == "approval", ProcessVersionModel.version == 2)
            .values(spec_json="{}")
        )

    assert engine.restore_versions_in_use(deployed) == processes - 1
    assert "could not be restored" in caplog.text
    assert deployed.kw["bind"].pool.checkedin() == 0
