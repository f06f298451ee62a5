"""SpiffWorkflow's own log records, kept to its warnings.

SpiffWorkflow logs every change of a task's state at INFO (`spiff.task`: "State changed to
READY"), and builds each record's details before logging decides whether anyone takes it. While
its loggers' own level is unset, as a library's loggers are, those details also list every task
of the tree (`spiff.workflow`, at each start and end of a workflow or subprocess) and hold each
task's data. Under `pheduyet worker`, which logs at INFO, one approval item's steps wrote some
fifty such lines among the worker's own. The engine sets these loggers to WARNING unless their
level was set already; an installation that wants Spiff's records sets the level it wants on
them (after the engine is imported)."""

from __future__ import annotations

import logging

SPIFF_LOGGERS = ("spiff.task", "spiff.workflow", "spiff.data", "spiff.dmn")


def quiet_spiff_logs() -> None:
    for name in SPIFF_LOGGERS:
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET:
            logger.setLevel(logging.WARNING)
