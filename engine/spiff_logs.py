"""SpiffWorkflow's own log records, kept to its warnings.

SpiffWorkflow logs every change of a task's state at INFO (`spiff.task`: "State changed to
READY"). Under `pheduyet worker`, which logs at INFO, one approval item's steps wrote some fifty
such lines among the worker's own. The engine sets the level of Spiff's loggers' parent, `spiff`,
to WARNING unless it was set already; an installation that wants Spiff's records sets the level
it wants on `spiff` or on one of its loggers (`spiff.task`, `spiff.workflow`, ...), before or
after the engine is imported."""

from __future__ import annotations

import logging

SPIFF_LOGGER = "spiff"


def quiet_spiff_logs() -> None:
    logger = logging.getLogger(SPIFF_LOGGER)
    if logger.level == logging.NOTSET:
        logger.setLevel(logging.WARNING)
