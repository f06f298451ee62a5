"""How much of an engine action is the database itself: side A of bench/engine_actions.py
(the approval path through the engine on a SQLite file, inbox look-ups included), its every
statement, parameter set, COMMIT and ROLLBACK recorded at the driver, then replayed in the same
order through the bare sqlite3 driver on a copy of the database as it was before. It prints,
in CPU ms an action: the engine's whole run; the time inside SQLAlchemy Core's `execute` calls
(compiling, binding, the driver's call, the result's set-up) for the statements it still runs
(on SQLite the engine's prebuilt ones go to the driver past it: engine/driver_sql.py); inside
the driver's own calls, every statement's, each measured around every call; and the replay
(what SQLite's own work costs, COMMITs included: the floor any engine writing the same rows
pays). This is a benchmark, not a test:

    .venv/bin/python bench/driver_floor.py [--instances 40]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import event

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_actions import ACTIONS_PER_INSTANCE, WARMUP_INSTANCES, EngineSide, Timings

import engine
from engine.db import READ_ONLY


def _copy_database(path: Path, to: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{path}{suffix}")
        if source.exists():
            shutil.copy(source, f"{to}{suffix}")


def _record(side: EngineSide, instances: int) -> tuple[list[tuple[str, Any, Any]], list[float]]:
    """Run `instances` on side A, recording the driver's traffic; (traffic, [CPU seconds of the
    run, inside Core's execute calls, inside the driver's calls])."""
    traffic: list[tuple[str, Any, Any]] = []
    inside = {"core": 0.0, "driver": 0.0}
    began: dict[str, float] = {}

    def before(_c: Any, _cur: Any, statement: str, params: Any, _x: Any, many: bool) -> None:
        traffic.append(("many" if many else "one", statement, params))
        began["driver"] = time.thread_time()

    def timer(part: str, opening: bool) -> Any:
        def note(*_args: Any) -> None:
            if opening:
                began[part] = time.thread_time()
            else:
                inside[part] += time.thread_time() - began[part]

        return note

    listeners = [
        ("before_cursor_execute", before),
        ("after_cursor_execute", timer("driver", opening=False)),
        ("before_execute", timer("core", opening=True)),
        ("after_execute", timer("core", opening=False)),
        # SQLite's BEGIN goes to the driver past the statement events (engine.db).
        ("begin", lambda conn: traffic.append(("one", _begin_of(conn), ()))),
        ("commit", lambda _conn: traffic.append(("commit", None, None))),
        ("rollback", lambda _conn: traffic.append(("rollback", None, None))),
    ]
    for name, listener in listeners:
        event.listen(side.db, name, listener)
    try:
        cpu = time.thread_time()
        for _ in range(instances):
            side.run_instance(Timings())
        cpu = time.thread_time() - cpu
    finally:
        for name, listener in listeners:
            event.remove(side.db, name, listener)
    return traffic, [cpu, inside["core"], inside["driver"]]


def _begin_of(connection: Any) -> str:
    read_only = connection.get_execution_options().get(READ_ONLY)
    return "BEGIN DEFERRED" if read_only else "BEGIN IMMEDIATE"


def _replay(path: Path, traffic: list[tuple[str, Any, Any]]) -> float:
    """The traffic through the bare driver (the engine's own settings); CPU seconds."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in ("journal_mode=WAL", "synchronous=NORMAL", "foreign_keys=ON"):
        connection.execute(f"PRAGMA {pragma}")
    cpu = time.thread_time()
    for kind, statement, params in traffic:
        if kind in ("commit", "rollback"):
            connection.execute(kind.upper())
        elif kind == "many":
            connection.executemany(statement, params)
        else:
            connection.execute(statement, params).fetchall()
    cpu = time.thread_time() - cpu
    connection.close()
    return cpu


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--instances", type=int, default=40)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pheduyet-floor-") as tmp:
        side = EngineSide(Path(tmp))
        for _ in range(WARMUP_INSTANCES):
            side.run_instance(Timings())
        side.db.dispose()  # the file as it stands, for the replay's copy
        _copy_database(side.path, Path(tmp) / "before.db")
        side.db = engine.create_db_engine(f"sqlite:///{side.path}")
        side.factory = engine.session_factory(side.db)
        traffic, (run_cpu, core_cpu, driver_cpu) = _record(side, args.instances)
        side.close()
        replay_cpu = _replay(Path(tmp) / "before.db", traffic)
    actions = args.instances * ACTIONS_PER_INSTANCE

    def per_action(seconds: float) -> str:
        return f"{1000 * seconds / actions:6.3f}"

    print(f"{args.instances} instances, {actions} actions, {len(traffic)} driver calls")
    print(f"engine, whole run (inbox look-ups included)  {per_action(run_cpu)} CPU ms an action")
    print(f"  inside SQLAlchemy Core's execute calls     {per_action(core_cpu)}")
    print(f"  inside the driver's own calls (all)        {per_action(driver_cpu)}")
    print(f"the same traffic on the bare sqlite3 driver  {per_action(replay_cpu)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
