"""Instructions the UI flow of an item costs, counted by valgrind's callgrind: for the same code
the same count (to about 0.1 %), whatever else the machine is doing, where this shared machine's
timings of one commit drift by a third within minutes. A change that saves 1 % shows here; in
`http_flow.py` it hides in the noise.

The flow is `http_flow.py`'s 23 requests of a `giao_nhiem_vu` item through Flask's test client
in one process, on a fresh SQLite file; three items warm it first (templates, statements, the
kept workflows), uncounted. `--engine` counts `engine_actions.py`'s sides instead: A (the
engine's action, its inbox look-up included) and B (raw SpiffWorkflow with a state-only save and
load). Instructions are not CPU time: side A runs about 1.3 times B's instructions in about
twice B's time (it reaches far more code and data: SQLAlchemy, SQLite, the engine), so this
says whether a change does less work, `engine_actions.py` what the work costs.

    .venv/bin/python bench/instructions.py [--items 4]      # about 90 s a run
    .venv/bin/python bench/instructions.py --engine [--items 20]
    .venv/bin/python bench/instructions.py --pg-url postgresql+psycopg://postgres@127.0.0.1:5432/bench_instructions

`--pg-url` runs the flow on PostgreSQL (the database is dropped and made again): only this
process's instructions are counted, the server's own work is not.

Needs valgrind (Debian's package) and its callgrind_control. To compare two commits, run each
from its own worktree: `cd /tmp/base && PYTHONPATH=/tmp/base python bench/instructions.py`.
"""

from __future__ import annotations

import argparse
import gc
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WARM_ITEMS = 3
_TOTALS = re.compile(r"^totals:\s*(\d+)", re.MULTILINE)


# --- inside valgrind: the work, in phases the parent counts one by one -------------------------


def _flow_phases(items: int, url: str | None) -> Iterator[tuple[str, Callable[[], Any]]]:
    sys.path.insert(0, str(HERE))
    import http_flow

    folder = tempfile.mkdtemp(prefix="pheduyet-instructions-")
    url = url or f"sqlite:///{folder}/pheduyet.db"
    http_flow.prepare_database(url)
    from web import create_app

    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url, "UPLOAD_FOLDER": folder})
    people: dict[str, Any] = {}
    for who in (http_flow.STARTER, http_flow.LEADER, http_flow.OFFICER):
        people[who] = http_flow.TestClientBrowser(app)
        http_flow.log_in(people[who], who)
    for _i in range(WARM_ITEMS):
        http_flow.one_instance(people, http_flow.Tally())
    # As `pheduyet serve` does after its warm start (web/serving.py): what lives on is left out
    # of the collector's full passes. Else the count catches, or misses, one full pass over the
    # whole heap (some 60 M instructions) by where the allocations of the code around it fell.
    gc.collect()
    gc.freeze()

    def flow() -> None:
        for _i in range(items):
            http_flow.one_instance(people, http_flow.Tally())

    yield "flow", flow


def _engine_phases(items: int) -> Iterator[tuple[str, Callable[[], Any]]]:
    sys.path.insert(0, str(HERE))
    import engine_actions

    side_a = engine_actions.EngineSide(Path(tempfile.mkdtemp(prefix="pheduyet-instructions-")))
    side_b = engine_actions.RawSide()
    for _i in range(WARM_ITEMS + 2):
        side_a.run_instance(engine_actions.Timings())
        side_b.run_instance(engine_actions.Timings())
    for name, side in (("A", side_a), ("B", side_b)):

        def run(side: Any = side) -> None:
            for _i in range(items):
                side.run_instance(engine_actions.Timings())

        yield name, run


def child(kind: str, items: int, signals: Path, url: str | None) -> None:
    """Run each phase when the parent says so (a file), telling it when done (another)."""
    phases = _engine_phases(items) if kind == "engine" else _flow_phases(items, url)
    for name, run in phases:
        (signals / f"{name}.ready").write_text(str(os.getpid()))
        _wait_for(signals / f"{name}.go")
        run()
        (signals / f"{name}.done").touch()
        _wait_for(signals / f"{name}.counted")


def _wait_for(path: Path, seconds: float = 3600) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing came of {path.name}")
        time.sleep(0.05)


# --- outside: valgrind started, each phase counted alone ----------------------------------------


@contextmanager
def _valgrind(
    kind: str, items: int, signals: Path, out: Path, url: str | None
) -> Iterator[subprocess.Popen[bytes]]:
    command = [
        "valgrind",
        "--tool=callgrind",
        "--instr-atstart=no",  # nothing counted until a phase starts
        f"--callgrind-out-file={out}/callgrind.%p",
        sys.executable,
        __file__,
        "--child",
        kind,
        "--items",
        str(items),
        "--signals",
        str(signals),
        *(["--pg-url", url] if url else []),
    ]
    # The same hashes in every run: a dict's order, and so the work, is the same.
    env = {**os.environ, "PYTHONHASHSEED": "0"}
    log = open(out / "valgrind.log", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        log.close()


def _control(*args: str) -> None:
    subprocess.run(["callgrind_control", *args], check=True, capture_output=True)


def count(kind: str, items: int, url: str | None = None) -> dict[str, int]:
    """Instructions of each phase, from callgrind's dump at its end."""
    counted: dict[str, int] = {}
    names = ["A", "B"] if kind == "engine" else ["flow"]
    with tempfile.TemporaryDirectory(prefix="pheduyet-callgrind-") as folder:
        signals, out = Path(folder, "signals"), Path(folder, "out")
        signals.mkdir()
        out.mkdir()
        with _valgrind(kind, items, signals, out, url) as proc:
            for name in names:
                ready = signals / f"{name}.ready"
                while not ready.exists():
                    if proc.poll() is not None:
                        tail = (out / "valgrind.log").read_text(errors="replace")[-3000:]
                        raise RuntimeError(f"the counted run stopped:\n{tail}")
                    time.sleep(0.2)
                pid = ready.read_text()
                _control("--zero", pid)
                _control("--instr=on", pid)
                (signals / f"{name}.go").touch()
                _wait_for(signals / f"{name}.done")
                _control("--instr=off", pid)
                before = set(out.glob("callgrind.*"))
                _control(f"--dump={name}", pid)
                counted[name] = _dumped(out, before)
                (signals / f"{name}.counted").touch()
            proc.wait(600)
    return counted


def _dumped(out: Path, before: set[Path]) -> int:
    """The instructions of the dump callgrind just wrote (it may take a moment)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for path in set(out.glob("callgrind.*")) - before:
            found = _TOTALS.search(path.read_text(errors="replace"))
            if found:
                return int(found.group(1))
        time.sleep(0.2)
    raise TimeoutError("callgrind wrote no dump")


def git_commit() -> str:
    try:
        found = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        )
    except OSError:
        return "?"
    return found.stdout.strip() or "?"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=None, help="items counted (4; --engine 20)")
    parser.add_argument("--engine", action="store_true", help="engine_actions.py's sides A, B")
    parser.add_argument("--pg-url", help="the flow on this PostgreSQL database (bench*, dropped)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--signals", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    kind = args.child or ("engine" if args.engine else "flow")
    items = args.items or (20 if kind == "engine" else 4)
    if args.child:
        child(kind, items, Path(args.signals), args.pg_url)
        return 0
    if args.pg_url and kind == "engine":
        print("--pg-url counts the UI flow; engine_actions.py's sides run on SQLite")
        return 2
    if args.pg_url and not args.pg_url.rsplit("/", 1)[-1].startswith("bench"):
        print("--pg-url: a database named bench*, which this run drops and makes again")
        return 2
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print("valgrind and callgrind_control are needed (Debian's valgrind package)")
        return 2
    counted = count(kind, items, args.pg_url)
    for name, total in counted.items():
        what = "an item of the UI flow" if name == "flow" else f"an instance, side {name}"
        what += " (PostgreSQL, this process only)" if args.pg_url else ""
        print(f"{total / items / 1e6:8.1f} M instructions {what} ({items} counted)")
    if kind == "engine":
        print(f"A/B in instructions: {counted['A'] / counted['B']:.2f}")
    print(f"git {git_commit()}; command: {' '.join([Path(sys.executable).name, *sys.argv])}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
