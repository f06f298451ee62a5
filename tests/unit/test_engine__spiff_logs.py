"""SpiffWorkflow's INFO records (a line for every change of a task's state) stay out of the
logs a `pheduyet worker` writes at INFO, and an installation's own level for them is kept."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import engine  # noqa: F401  (importing the engine sets the levels)
from engine.ready_tasks import ready_human_tasks, run_engine_steps
from engine.spiff_logs import SPIFF_LOGGER, quiet_spiff_logs
from tests.spiff_steps import STEPS, drive, parsed


def _run_to_the_end(folder: Path) -> None:
    traces, _data = drive(parsed(folder, STEPS, "steps"), run_engine_steps, ready_human_tasks)
    assert ("end", "COMPLETED") in traces[-1][0]


def test_a_worker_logging_at_info_writes_none_of_spiffs_records(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)  # the root, as `pheduyet worker` sets it
    _run_to_the_end(tmp_path)
    assert [r.getMessage() for r in caplog.records if r.name.startswith("spiff")] == []


@pytest.mark.parametrize("name", ["spiff.task", "spiff"])
def test_a_level_the_installation_sets_is_kept(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, name: str
) -> None:
    """Wanted: Spiff's records of each state change, asked for on one of its loggers or on
    their parent, after the engine was imported (and the engine imported again)."""
    chosen = logging.getLogger(name)
    before = chosen.level
    try:
        chosen.setLevel(logging.INFO)
        quiet_spiff_logs()
        caplog.set_level(logging.INFO)
        _run_to_the_end(tmp_path)
        changes = [r.getMessage() for r in caplog.records if r.name == "spiff.task"]
        assert "State changed to COMPLETED" in changes
    finally:
        chosen.setLevel(before)
    assert logging.getLogger(SPIFF_LOGGER).level == logging.WARNING
    assert logging.getLogger("spiff.task").level == logging.NOTSET
