"""Per-action cost of the engine API on a SQLite file against raw SpiffWorkflow.

Side A drives instances of tests/fixtures/spiff/approval.bpmn through the public engine API, one
transaction per action, finding each task in the acting person's inbox (`tasks_for`) as a real
user would. Side B drives the same path on raw SpiffWorkflow (parsed once, Spiff's default
PythonScriptEngine) with a state-only JSON save + load after every action, through Spiff's own
converters (the engine's write the same text for less): the floor under which no
SpiffWorkflow-based engine can go.

The path per instance (7 actions): start, draft, review=return (with a comment), draft again,
review=approve, then sign and check in parallel, after which the instance is finished.

Both sides run in one process, interleaved in rounds whose order alternates (A B, B A, ...). Each
action is timed on its own (wall and thread CPU time); the headline "ms per action" is the mean
over the path of each action's median, which a burst of load from other processes hardly moves.
`--breakdown` then times each part of a completion on extra instances (CPU ms per action: the
person, the lock, Spiff's load/run/dump, the task rows, the audit seal, the search row, the
commit), which says where the engine's own cost above side B goes. This is a benchmark, not a
test:

    .venv/bin/python bench/engine_actions.py [--instances 300] [--rounds 10] [--json] [--profile]
        [--breakdown]
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import json
import os
import platform
import pstats
import shlex
import sqlite3
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import event

import engine
from engine.serialization import dump_state, load_state

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "spiff"
PROCESS_ID = "approval"
DIALECT = "spiff"
STARTER = "an"
WARMUP_INSTANCES = 3
BUSY_FACTOR = 1.15  # wall / CPU time of side A above which the machine was busy


@dataclass(frozen=True)
class Step:
    """One completion: who acts, on which element, with what form data and comment."""

    label: str
    user: str
    element: str
    data: dict[str, Any]
    comment: str | None = None


# Everything after `start`; the lane of each element decides who may act (see add_people).
PATH: tuple[Step, ...] = (
    Step("draft", "an", "draft", {"summary": "Trồng nấm"}),
    Step("review=return", "binh", "review", {"decision": "return"}, "Bổ sung dự toán"),
    Step("draft again", "an", "draft", {"summary": "Trồng nấm", "budget": 5}),
    Step("review=approve", "dung", "review", {"decision": "approve"}),
    Step("sign", "binh", "sign", {}),
    Step("check", "an", "check", {}),
)
ACTION_LABELS: tuple[str, ...] = ("start", *(s.label for s in PATH))
ACTIONS_PER_INSTANCE = len(ACTION_LABELS)


def clocks() -> tuple[float, float]:
    """Wall time and this thread's CPU time: on a shared machine the second is hardly disturbed
    by other processes (SQLite here never waits on a disk: WAL with synchronous=NORMAL)."""
    return time.perf_counter(), time.thread_time()


@dataclass
class Timings:
    """Seconds per action label (wall and CPU), and (side A only) in inbox look-ups."""

    wall: dict[str, list[float]] = field(
        default_factory=lambda: {label: [] for label in ACTION_LABELS}
    )
    cpu: dict[str, list[float]] = field(
        default_factory=lambda: {label: [] for label in ACTION_LABELS}
    )
    lookups: list[float] = field(default_factory=list)

    def add(self, label: str, since: tuple[float, float]) -> tuple[float, float]:
        now = clocks()
        self.wall[label].append(now[0] - since[0])
        self.cpu[label].append(now[1] - since[1])
        return now

    def count(self) -> int:
        return sum(len(v) for v in self.wall.values())


@dataclass
class RoundResult:
    side: str
    instances: int
    actions: int
    action_s: float  # wall time inside the actions themselves
    action_cpu_s: float  # CPU time inside the actions
    wall_s: float  # the whole round, side A's inbox look-ups included

    @property
    def action_ms(self) -> float:
        return 1000 * self.action_s / self.actions

    @property
    def action_cpu_ms(self) -> float:
        return 1000 * self.action_cpu_s / self.actions

    @property
    def wall_ms_per_action(self) -> float:
        return 1000 * self.wall_s / self.actions

    @property
    def instances_per_s(self) -> float:
        return self.instances / self.wall_s


# --------------------------------------------------------------------------------------------
# Side A: the engine API on a SQLite file


def add_people(factory: Any) -> None:
    """The people of tests/conftest.py that the approval diagram's lanes need."""
    with engine.transaction(factory) as s:
        engine.add_group(s, "staff", "Staff")
        engine.add_group(s, "heads", "Heads")
        engine.add_user(s, "an", display_name="Nguyễn Văn An", groups=["staff"])
        engine.add_user(s, "chi", display_name="Trần Thị Chi", groups=["staff"])
        engine.add_user(s, "binh", display_name="Lê Văn Bình", groups=["heads"])
        engine.add_user(s, "dung", display_name="Phạm Dũng", groups=["heads"])


def fixture_files() -> list[engine.SourceFile]:
    paths = sorted(p for p in FIXTURES.iterdir() if p.is_file())
    return [engine.SourceFile(p.name, p.read_bytes()) for p in paths]


class EngineSide:
    """A fresh SQLite file with the fixture diagrams deployed."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / "bench.db"
        self.db = engine.create_db_engine(f"sqlite:///{self.path}")
        engine.upgrade_database(self.db)
        self.factory = engine.session_factory(self.db)
        self.config = engine.EngineConfig(clock=engine.system_clock)
        add_people(self.factory)
        with engine.transaction(self.factory) as s:
            engine.deploy(s, fixture_files(), self.config.clock)

    def close(self) -> None:
        self.db.dispose()

    def run_instance(self, timings: Timings) -> int:
        factory, config = self.factory, self.config
        begin = clocks()
        with engine.transaction(factory) as s:
            item = engine.start_instance(s, config, PROCESS_ID, STARTER, title="Bench item")
        timings.add("start", begin)
        for step in PATH:
            begin = clocks()
            with engine.transaction(factory) as s:
                inbox = engine.tasks_for(s, step.user)
            task_id = _pick(inbox, item, step)
            found = clocks()
            timings.lookups.append(found[0] - begin[0])
            with engine.transaction(factory) as s:
                engine.complete_task(
                    s, config, task_id, step.user, data=dict(step.data), comment=step.comment
                )
            timings.add(step.label, found)
        return item

    def check_finished(self, items: list[int]) -> None:
        """Outside the timed part: nothing left open, and the last item ended as expected."""
        with engine.transaction(self.factory) as s:
            left = engine.open_tasks(s)
            view = engine.show_instance(s, items[-1])
        if left:
            raise SystemExit(f"side A left {len(left)} tasks open")
        if view.status != engine.InstanceStatus.COMPLETED or view.data.get("approved") is not True:
            raise SystemExit(f"side A: item {view.id} ended {view.status} with {view.data}")


def _pick(inbox: list[engine.TaskView], item: int, step: Step) -> str:
    for task in inbox:
        if task.instance_id == item and task.element_id == step.element:
            return task.id
    raise SystemExit(f"side A: {step.user} has no '{step.element}' task of item {item}")


# --------------------------------------------------------------------------------------------
# Side B: raw SpiffWorkflow with a state-only JSON save + load after every action


class RawSide:
    """The same diagram parsed once; instances kept only as state-only JSON between actions."""

    def __init__(self) -> None:
        parser = SpiffBpmnParser()
        parser.add_bpmn_file(str(FIXTURES / "approval.bpmn"))
        self.spec = parser.get_spec(PROCESS_ID)
        self.subprocess_specs = parser.get_subprocess_specs(PROCESS_ID)
        self.state_bytes: list[int] = []

    def _save_and_load(self, workflow: Any) -> Any:
        state = dump_state(DIALECT, workflow, reference=True)
        self.state_bytes.append(len(state))
        return load_state(DIALECT, state, self.spec, self.subprocess_specs, reference=True)

    def run_instance(self, timings: Timings) -> None:
        begin = clocks()
        workflow = BpmnWorkflow(self.spec, self.subprocess_specs)  # default PythonScriptEngine
        workflow.do_engine_steps()
        workflow = self._save_and_load(workflow)
        begin = timings.add("start", begin)
        for step in PATH:
            task = _ready(workflow, step)
            task.set_data(**step.data)
            task.run()
            workflow.do_engine_steps()
            workflow = self._save_and_load(workflow)
            begin = timings.add(step.label, begin)
        if not workflow.is_completed() or workflow.data.get("approved") is not True:
            raise SystemExit(f"side B: the workflow ended with {workflow.data}")


def _ready(workflow: Any, step: Step) -> Any:
    for task in workflow.get_tasks(state=TaskState.READY, manual=True):
        if task.task_spec.bpmn_id == step.element:
            return task
    raise SystemExit(f"side B: no READY '{step.element}' task")


# --------------------------------------------------------------------------------------------
# Running, measuring, reporting


def run_round(side: str, count: int, run: Callable[[Timings], Any]) -> tuple[RoundResult, Timings]:
    timings = Timings()
    gc.collect()
    begin = time.perf_counter()
    for _ in range(count):
        run(timings)
    wall = time.perf_counter() - begin
    result = RoundResult(
        side=side,
        instances=count,
        actions=timings.count(),
        action_s=sum(sum(v) for v in timings.wall.values()),
        action_cpu_s=sum(sum(v) for v in timings.cpu.values()),
        wall_s=wall,
    )
    return result, timings


def split(total: int, parts: int) -> list[int]:
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def median_ms(samples: list[float]) -> float:
    return 1000 * statistics.median(samples) if samples else float("nan")


def _short_path(filename: str) -> str:
    """A profile row's file relative to the project, site-packages or the standard library."""
    for prefix in (*_library_dirs(), str(ROOT) + os.sep):
        if filename.startswith(prefix):
            return filename[len(prefix) :]
    return filename


@cache
def _library_dirs() -> tuple[str, ...]:
    paths = sysconfig.get_paths()
    return tuple(paths[key] + os.sep for key in ("purelib", "platlib", "stdlib"))


def _shorten(stats: pstats.Stats) -> None:
    """Like Stats.strip_dirs, but keeps enough of the path to tell engine/ from the rest."""

    def short(func: tuple[str, int, str]) -> tuple[str, int, str]:
        return (_short_path(func[0]), func[1], func[2])

    raw: Any = stats
    raw.stats = {
        short(func): (cc, nc, tt, ct, {short(c): v for c, v in callers.items()})
        for func, (cc, nc, tt, ct, callers) in raw.stats.items()
    }
    raw.top_level = {short(func) for func in raw.top_level}
    raw.fcn_list = None
    raw.all_callees = None


def profile_engine(side: EngineSide, instances: int, top: int = 15) -> str:
    profiler = cProfile.Profile()
    timings = Timings()
    profiler.enable()
    for _ in range(instances):
        side.run_instance(timings)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    _shorten(stats)
    out.write(f"side A under cProfile: {instances} instances, {timings.count()} actions\n")
    out.write(f"-- top {top} by cumulative time --\n")
    stats.sort_stats("cumulative").print_stats(top)
    out.write(f"-- top {top} functions of engine/ by cumulative time --\n")
    stats.print_stats("^engine/", top)
    out.write(f"-- top {top} by own time --\n")
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


# Where a completion's time goes: (label, module, function). Each is timed where it is called
# (the name bound in the calling module), in CPU time, inclusive of what it calls.
BREAKDOWN_PARTS: tuple[tuple[str, str, str], ...] = (
    ("identity (users + groups)", "engine.actions", "_identity"),
    ("lock item + read task row", "engine.actions", "_locked_task"),
    ("version (cached)", "engine.actions", "load_version"),
    ("form validation", "engine.actions", "validate_form"),
    ("workflow (kept, settled; or JSON -> Spiff)", "engine.actions", "load_workflow_and_rows"),
    ("close the task row", "engine.actions", "close_tasks"),
    ("audit event (hashed; its row at commit)", "engine.actions", "append_event"),
    ("persist", "engine.actions", "persist"),
    ("  dump state (Spiff -> JSON, size check)", "engine.runtime", "dump_checked"),
    ("  item data snapshot", "engine.runtime", "_snapshot"),
    ("  item data size check", "engine.runtime", "checked_data"),
    ("  next timer", "engine.runtime", "next_timer"),
    ("  task rows (read, close, insert)", "engine.runtime", "_sync_task_rows"),
    ("commit: audit head, events sealed+written", "engine.audit", "seal_events"),
)


def breakdown(side: EngineSide, instances: int) -> dict[str, float]:
    """CPU ms per completion spent in each part of BREAKDOWN_PARTS, in Spiff's run (the rest of
    complete_task), in the search row refresh and in the rest of the commit (the step totals,
    the session's own work, COMMIT); measured over `instances` untimed instances."""
    import importlib

    from sqlalchemy.orm import Session

    import engine.search

    spent: dict[str, float] = {}
    patched: list[tuple[Any, str, Any]] = []

    def timed(label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            begin = time.thread_time()
            try:
                return function(*args, **kwargs)
            finally:
                spent[label] = spent.get(label, 0.0) + time.thread_time() - begin

        return wrapper

    for label, module_name, name in BREAKDOWN_PARTS:
        module = importlib.import_module(module_name)
        original = getattr(module, name)
        patched.append((module, name, original))
        setattr(module, name, timed(label, original))
    refresh = timed("commit: search row refresh", engine.search.refresh_stale)
    event.remove(Session, "before_commit", engine.search.refresh_stale)
    event.listen(Session, "before_commit", refresh)
    completions = 0
    try:
        for _ in range(instances):
            with engine.transaction(side.factory) as s:
                item = engine.start_instance(
                    s, side.config, PROCESS_ID, STARTER, title="Bench item"
                )
            for step in PATH:
                with engine.transaction(side.factory) as s:
                    task_id = _pick(engine.tasks_for(s, step.user), item, step)
                session = side.factory()
                begin = time.thread_time()
                with session.begin():
                    engine.complete_task(
                        session,
                        side.config,
                        task_id,
                        step.user,
                        data=dict(step.data),
                        comment=step.comment,
                    )
                    acted = time.thread_time()
                done = time.thread_time()
                session.close()
                spent["complete_task"] = spent.get("complete_task", 0.0) + acted - begin
                spent["commit"] = spent.get("commit", 0.0) + done - acted
                completions += 1
    finally:
        for module, name, original in patched:
            setattr(module, name, original)
        event.remove(Session, "before_commit", refresh)
        event.listen(Session, "before_commit", engine.search.refresh_stale)
    per = {label: 1000 * value / completions for label, value in spent.items()}
    inside = sum(per.get(label, 0.0) for label, _m, _n in BREAKDOWN_PARTS[:8])
    per["Spiff: set data, run, engine steps"] = per["complete_task"] - inside
    sealed = per.get("commit: audit head, events sealed+written", 0.0)
    per["commit: step totals, session, COMMIT"] = (
        per["commit"] - sealed - per["commit: search row refresh"]
    )
    return per


def print_breakdown(per: dict[str, float]) -> None:
    print("CPU ms per completion, by part (inclusive; indented parts are inside 'persist'):")
    order = [
        *(label for label, _m, _n in BREAKDOWN_PARTS[:5]),
        "Spiff: set data, run, engine steps",
        *(label for label, _m, _n in BREAKDOWN_PARTS[5:13]),
        "commit: audit head, events sealed+written",
        "commit: search row refresh",
        "commit: step totals, session, COMMIT",
    ]
    for label in order:
        print(f"  {label:44}{per.get(label, 0.0):8.3f}")
    total = per["complete_task"] + per["commit"]
    print(f"  {'total (action + commit)':44}{total:8.3f}")


def count_statements(side: EngineSide) -> tuple[int, int]:
    """SQL statements and transactions side A issues for one instance (inbox look-ups included);
    counted on an untimed instance."""
    statements: list[str] = []
    begins: list[Any] = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_rest: Any) -> None:
        statements.append(statement)

    def began(connection: Any) -> None:
        begins.append(connection)

    # SQLite's BEGIN goes to the driver past the statement events (engine.db): counted here.
    event.listen(side.db, "before_cursor_execute", seen)
    event.listen(side.db, "begin", began)
    try:
        side.run_instance(Timings())
    finally:
        event.remove(side.db, "before_cursor_execute", seen)
        event.remove(side.db, "begin", began)
    return len(statements), len(begins)


def command_line() -> str:
    python = Path(sys.executable)
    try:
        shown = str(python.relative_to(Path.cwd()))
    except ValueError:
        shown = str(python)
    return f"cd {shlex.quote(str(Path.cwd()))} && " + shlex.join([shown, *sys.argv])


def git_state() -> str:
    """The commit measured, and whether engine/ had uncommitted changes."""
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "engine"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    if not head:
        return "unknown"
    return f"{head} (engine/ modified)" if dirty else head


def environment() -> dict[str, Any]:
    return {
        "git": git_state(),
        "python": platform.python_version(),
        "spiffworkflow": package_version("SpiffWorkflow"),
        "sqlalchemy": package_version("SQLAlchemy"),
        "sqlite": sqlite3.sqlite_version,
        "cpus": os.cpu_count(),
        "machine": platform.platform(),
        "load_average_1min": round(os.getloadavg()[0], 2),
    }


def summarize(
    rounds: list[RoundResult],
    timings: dict[str, list[Timings]],
    raw: RawSide,
    sql: tuple[int, int],
    args: Any,
    load_before: float,
) -> dict[str, Any]:
    def side_summary(side: str) -> dict[str, Any]:
        mine = [r for r in rounds if r.side == side]
        wall = {
            label: round(median_ms([x for t in timings[side] for x in t.wall[label]]), 3)
            for label in ACTION_LABELS
        }
        cpu = {
            label: round(median_ms([x for t in timings[side] for x in t.cpu[label]]), 3)
            for label in ACTION_LABELS
        }
        lookups = [x for t in timings[side] for x in t.lookups]
        return {
            # The mean over the path of each action's median: robust to bursts of load.
            "action_ms": round(statistics.fmean(wall.values()), 3),
            "action_cpu_ms": round(statistics.fmean(cpu.values()), 3),
            "action_ms_median_round": round(statistics.median(r.action_ms for r in mine), 3),
            "action_ms_best_round": round(min(r.action_ms for r in mine), 3),
            "wall_ms_per_action": round(statistics.median(r.wall_ms_per_action for r in mine), 3),
            "instances_per_s": round(statistics.median(r.instances_per_s for r in mine), 1),
            "lookup_ms": round(median_ms(lookups), 3) if lookups else None,
            "median_ms_by_action": wall,
            "median_cpu_ms_by_action": cpu,
            "rounds_action_ms": [round(r.action_ms, 3) for r in mine],
            "instances": sum(r.instances for r in mine),
            "actions": sum(r.actions for r in mine),
        }

    a, b = side_summary("A"), side_summary("B")
    # A and B of the same round ran back to back: their ratio shares most of the machine's noise.
    side_a = [r.action_ms for r in rounds if r.side == "A"]
    side_b = [r.action_ms for r in rounds if r.side == "B"]
    paired = [ra / rb for ra, rb in zip(side_a, side_b, strict=True)]
    return {
        "command": command_line(),
        "environment": {**environment(), "load_average_1min_before": round(load_before, 2)},
        "instances_per_side": args.instances,
        "rounds": args.rounds,
        "actions_per_instance": ACTIONS_PER_INSTANCE,
        "A": {
            "what": "engine API, SQLite file, one transaction per action",
            "sql_statements_per_instance": sql[0],
            "transactions_per_instance": sql[1],
            **a,
        },
        "B": {
            "what": "raw SpiffWorkflow, default PythonScriptEngine (not the engine's sandbox), "
            "state-only JSON save+load after every action",
            "state_json_bytes_median": int(statistics.median(raw.state_bytes)),
            **b,
        },
        "ratio": round(a["action_ms"] / b["action_ms"], 2),
        "ratio_cpu": round(a["action_cpu_ms"] / b["action_cpu_ms"], 2),
        "ratio_paired_rounds": round(statistics.median(paired), 2),
        "ratio_rounds": [round(r, 2) for r in paired],
        "ratio_incl_inbox": round(a["wall_ms_per_action"] / b["wall_ms_per_action"], 2),
    }


def print_table(summary: dict[str, Any]) -> None:
    a, b = summary["A"], summary["B"]
    print(
        f"{summary['instances_per_side']} instances per side x {summary['actions_per_instance']} "
        f"actions, in {summary['rounds']} interleaved rounds"
    )
    print("A = engine API on a SQLite file, one transaction per action")
    print("B = raw SpiffWorkflow, default PythonScriptEngine (not the engine's sandbox),")
    print("    state-only JSON save+load after every action")
    print()
    header = f"{'':36}{'A engine':>10}{'B raw':>10}{'A/B':>7}"
    print(header)
    print("-" * len(header))

    def row(name: str, va: float, vb: float | None, fmt: str = ".2f", ratio: bool = True) -> None:
        shown_b = f"{vb:>10{fmt}}" if vb is not None else f"{'-':>10}"
        shown_r = f"{va / vb:>7.1f}" if ratio and vb else ""
        print(f"{name:36}{va:>10{fmt}}{shown_b}{shown_r}")

    row("ms per action (1)", a["action_ms"], b["action_ms"])
    row("CPU ms per action (1)", a["action_cpu_ms"], b["action_cpu_ms"])
    row("ms per action, median round", a["action_ms_median_round"], b["action_ms_median_round"])
    extra = a["action_cpu_ms"] - b["action_cpu_ms"]
    print(f"{'engine bookkeeping, CPU ms (A-B)':36}{extra:>10.2f}  (SQL, task rows, audit, index)")
    row("ms per action incl. inbox, median", a["wall_ms_per_action"], b["wall_ms_per_action"])
    row("instances/s, median round", a["instances_per_s"], b["instances_per_s"], ".1f", False)
    print()
    print("median ms of each action, all rounds:")
    for label in ACTION_LABELS:
        row(f"  {label}", a["median_ms_by_action"][label], b["median_ms_by_action"][label])
    row("  inbox query (tasks_for)", a["lookup_ms"], None)
    print("(1) mean over the path of each action's median: robust to bursts of load")
    print()
    print(f"A ms per action by round: {a['rounds_action_ms']}")
    print(f"B ms per action by round: {b['rounds_action_ms']}")
    print(f"A/B by round:             {summary['ratio_rounds']}")
    print(
        f"A per instance: {a['sql_statements_per_instance']} SQL statements in "
        f"{a['transactions_per_instance']} transactions (inbox queries included); "
        f"B state JSON: {b['state_json_bytes_median']:,} bytes (median)"
    )
    env = summary["environment"]
    print(
        f"Python {env['python']}, SpiffWorkflow {env['spiffworkflow']}, "
        f"SQLAlchemy {env['sqlalchemy']}, SQLite {env['sqlite']}, {env['cpus']} CPUs, "
        f"git {env['git']}"
    )
    busy = a["action_ms"] / a["action_cpu_ms"]
    if busy > BUSY_FACTOR:
        print(
            f"NOTE: A's wall time is {busy:.2f}x its CPU time (load average "
            f"{env['load_average_1min_before']} -> {env['load_average_1min']} on {env['cpus']} "
            "CPUs):\n  other processes took the CPU, more so from A, whose actions outlast a "
            "scheduler slice;\n  the CPU-time ratio is the steadier figure."
        )
    print()
    print(
        f"RATIO A/B, ms per action: {summary['ratio']}  (CPU time {summary['ratio_cpu']}; "
        f"median of per-round ratios {summary['ratio_paired_rounds']}; "
        f"with inbox queries {summary['ratio_incl_inbox']})"
    )
    print(f"command: {summary['command']}")


def parse_args(argv: list[str] | None = None) -> Any:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--instances", type=int, default=300, help="instances per side, split over the rounds"
    )
    parser.add_argument("--rounds", type=int, default=10, help="interleaved rounds (A and B)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--profile", action="store_true", help="then profile side A once with cProfile"
    )
    parser.add_argument(
        "--profile-instances", type=int, default=40, help="instances run under the profiler"
    )
    parser.add_argument(
        "--breakdown",
        action="store_true",
        help="then time each part of a completion (CPU ms per action) on extra instances",
    )
    parser.add_argument(
        "--db-dir", type=Path, default=None, help="where the SQLite file goes (default: a temp dir)"
    )
    args = parser.parse_args(argv)
    if args.instances < 1 or args.rounds < 1 or args.instances < args.rounds:
        parser.error("need --instances >= --rounds >= 1")
    return args


def run_rounds(
    side_a: EngineSide, side_b: RawSide, args: Any
) -> tuple[list[RoundResult], dict[str, list[Timings]]]:
    rounds: list[RoundResult] = []
    timings: dict[str, list[Timings]] = {"A": [], "B": []}
    for number, count in enumerate(split(args.instances, args.rounds)):
        items: list[int] = []

        def run_a(t: Timings, items: list[int] = items) -> None:
            items.append(side_a.run_instance(t))

        order: list[tuple[str, Callable[[Timings], Any]]] = [
            ("A", run_a),
            ("B", side_b.run_instance),
        ]
        if number % 2:
            order.reverse()
        for side, run in order:
            result, timing = run_round(side, count, run)
            rounds.append(result)
            timings[side].append(timing)
            if not args.json:
                print(
                    f"round {number + 1} {side}: {result.action_ms:.2f} ms/action, "
                    f"{result.instances_per_s:.1f} instances/s",
                    file=sys.stderr,
                )
        side_a.check_finished(items)
    return rounds, timings


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="pheduyet-bench-", dir=args.db_dir) as tmp:
        side_a = EngineSide(Path(tmp))
        side_b = RawSide()
        load_before = os.getloadavg()[0]
        try:
            for _ in range(WARMUP_INSTANCES):  # imports, caches, compiled scripts
                side_a.run_instance(Timings())
                side_b.run_instance(Timings())
            side_b.state_bytes.clear()
            sql = count_statements(side_a)
            rounds, timings = run_rounds(side_a, side_b, args)
            summary = summarize(rounds, timings, side_b, sql, args, load_before)
            if args.profile:
                summary["profile"] = profile_engine(side_a, args.profile_instances)
            if args.breakdown:
                summary["breakdown_cpu_ms"] = {
                    k: round(v, 3) for k, v in breakdown(side_a, args.profile_instances).items()
                }
        finally:
            side_a.close()
    if args.json:
        print(json.dumps(summary, indent=2, ensure_ascii=False))
    else:
        print_table(summary)
        if args.profile:
            print()
            print(summary["profile"])
        if args.breakdown:
            print()
            print_breakdown(summary["breakdown_cpu_ms"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
