"""BPMN scenarios driven in memory through the engine's own parts: no database, no Flask.

Every scenario runs twice: once on one live workflow, once saved with `dump_state` and restored
with `load_state` after every step, on a spec that itself went through `dump_specs`/`load_specs`,
with a fresh script engine each time. Both runs must show the same ready tasks after each step,
the same timers, the same data and the same end.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from engine.clock import ManualClock
from engine.definitions import LoadedVersion
from engine.errors import ScriptError
from engine.parsing import ParsedProcess, SourceFile, parse_bundle
from engine.ready_tasks import ready_human_tasks
from engine.runtime import EngineConfig, new_workflow, next_timer, spiff_errors
from engine.serialization import dump_specs, dump_state, load_specs, load_state

FIXTURES = Path(__file__).parents[1] / "fixtures"
START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 08:00 in Hà Nội
DAY = timedelta(days=1)
SECOND = timedelta(seconds=1)


# --- the driver ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """What a user or the timer worker could observe after a step."""

    ready: tuple[str, ...]
    completed: bool = False
    next_timer: datetime | None = None


@dataclass(frozen=True)
class Complete:
    """Complete the one READY human task with this element id (and, for multi-instance
    children, whose data contains `where`)."""

    element_id: str
    data: Mapping[str, Any] = field(default_factory=dict)
    where: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Advance:
    """Move the clock, then fire whatever timers are due."""

    delta: timedelta


Step = Complete | Advance


def parse(folder: str, *names: str) -> ParsedProcess:
    """The process defined by the first file, parsed with the others as its bundle."""
    files = [SourceFile(name, (FIXTURES / folder / name).read_bytes()) for name in names]
    processes = {p.process_id: p for p in parse_bundle(files)}
    return processes[Path(names[0]).stem]


def _loaded(process: ParsedProcess, spec: Any, subprocess_specs: dict[str, Any]) -> LoadedVersion:
    return LoadedVersion(
        id=1,
        process_id=process.process_id,
        version=1,
        name=process.name,
        dialect=process.dialect,
        spec=spec,
        subprocess_specs=subprocess_specs,
        tasks=process.tasks,
        forms=process.forms,
    )


class Driver:
    """Runs one process in memory; with `roundtrip`, saves and restores it after every step."""

    def __init__(self, process: ParsedProcess, *, roundtrip: bool, start: datetime = START) -> None:
        self.clock = ManualClock(start)
        self.config = EngineConfig(clock=self.clock)
        self.dialect = process.dialect
        self.roundtrip = roundtrip
        self.version = _loaded(process, process.spec, process.subprocess_specs)
        # Instances are restored on specs read back from JSON, as a deployed version is.
        specs_json = dump_specs(self.dialect, process.spec, process.subprocess_specs)
        spec, subprocess_specs = load_specs(self.dialect, specs_json)
        assert dump_specs(self.dialect, spec, subprocess_specs) == specs_json
        self.restored = _loaded(process, spec, subprocess_specs)
        self.workflow: Any = None
        self.saved: str | None = None
        self.saves = 0

    def start(self, **data: Any) -> Seen:
        self.workflow = new_workflow(self.version, self.config)
        with spiff_errors():
            self.workflow.get_next_task(spec_name="Start").set_data(**data)
            self.workflow.do_engine_steps()
        return self._after_step()

    def step(self, step: Step) -> Seen:
        if isinstance(step, Advance):
            return self.advance(step.delta)
        return self.complete(step.element_id, step.data, step.where)

    def complete(
        self,
        element_id: str,
        data: Mapping[str, Any] | None = None,
        where: Mapping[str, Any] | None = None,
    ) -> Seen:
        task = self._one_ready(element_id, where or {})
        with spiff_errors():
            task.set_data(**dict(data or {}))
            task.run()
            self.workflow.do_engine_steps()
        return self._after_step()

    def advance(self, delta: timedelta) -> Seen:
        self.clock.advance(delta)
        with spiff_errors():
            self.workflow.refresh_timers()
            self.workflow.do_engine_steps()
        return self._after_step()

    def rollback(self) -> Seen:
        """Back to the last saved state, as a failed transaction leaves the stored instance."""
        assert self.saved is not None, "only a round-tripping driver saves"
        self.workflow = self._load(self.saved)
        return self.seen()

    def seen(self) -> Seen:
        return Seen(
            ready=tuple(t.task_spec.bpmn_id for t in ready_human_tasks(self.workflow)),
            completed=self.workflow.is_completed(),
            next_timer=next_timer(self.workflow),
        )

    def ready(self, element_id: str) -> list[Any]:
        return [t for t in ready_human_tasks(self.workflow) if t.task_spec.bpmn_id == element_id]

    def pending_timers(self) -> list[datetime]:
        """Due times of every waiting timer, read from Spiff directly (not via next_timer)."""
        return sorted(
            datetime.fromisoformat(event.value)
            for event in self.workflow.waiting_events()
            if isinstance(event.value, str)
        )

    @property
    def data(self) -> dict[str, Any]:
        assert self.workflow.is_completed(), "a workflow's data is final once it has ended"
        return dict(self.workflow.data)

    def _one_ready(self, element_id: str, where: Mapping[str, Any]) -> Any:
        found = [
            t
            for t in self.ready(element_id)
            if all(k in t.data and t.data[k] == v for k, v in where.items())
        ]
        ready = [t.task_spec.bpmn_id for t in ready_human_tasks(self.workflow)]
        assert len(found) == 1, f"{len(found)} ready {element_id!r} tasks match {where}: {ready}"
        return found[0]

    def _after_step(self) -> Seen:
        if self.roundtrip:
            self.saved = dump_state(self.dialect, self.workflow)
            self.saves += 1
            self.workflow = self._load(self.saved)
            # Nothing may be lost or reordered: the restored state saves to the same text.
            assert dump_state(self.dialect, self.workflow) == self.saved
            # The engine's task converters write and read what Spiff's own do (Spiff writes it
            # with the json module, the engine with orjson: the same JSON, spaced otherwise).
            by_reference = dump_state(self.dialect, self.workflow, reference=True)
            assert json.loads(by_reference) == json.loads(self.saved)
            by_spiff = load_state(
                self.dialect,
                self.saved,
                self.restored.spec,
                self.restored.subprocess_specs,
                reference=True,
            )
            assert dump_state(self.dialect, by_spiff) == self.saved
        return self.seen()

    def _load(self, state: str) -> Any:
        workflow = load_state(
            self.dialect, state, self.restored.spec, self.restored.subprocess_specs
        )
        workflow.script_engine = self.config.script_engine()
        return workflow


def run(driver: Driver, steps: Sequence[Step], **start_data: Any) -> list[Seen]:
    """Start, then take every step; what was seen after the start and after each step."""
    seen = [driver.start(**start_data), *(driver.step(step) for step in steps)]
    assert driver.saves == (len(seen) if driver.roundtrip else 0)
    return seen


@pytest.fixture(params=[False, True], ids=["live", "saved_after_every_step"])
def roundtrip(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


# --- approval.bpmn: return loop, parallel branch, non-interrupting 3-day reminder ---------------

REMINDER = START + 3 * DAY


def approval() -> ParsedProcess:
    return parse("spiff", "approval.bpmn", "draft.json", "review.json")


APPROVED = {"summary": "x", "decision": "approve", "approved": True}

APPROVAL_CASES = [
    pytest.param(
        [
            Complete("draft", {"summary": "x"}),
            Complete("review", {"decision": "approve"}),
            Complete("sign"),
            Complete("check"),
        ],
        [
            Seen(("draft",)),
            Seen(("review",), next_timer=REMINDER),
            Seen(("sign", "check")),
            Seen(("check",)),
            Seen((), completed=True),
        ],
        APPROVED,
        id="happy_path",
    ),
    pytest.param(
        [
            Complete("draft", {"summary": "x"}),
            Advance(DAY),
            Complete("review", {"decision": "return"}),
            Complete("draft", {"summary": "y", "budget": 5}),
            Complete("review", {"decision": "approve"}),
            Complete("sign"),
            Complete("check"),
        ],
        [
            Seen(("draft",)),
            Seen(("review",), next_timer=REMINDER),
            Seen(("review",), next_timer=REMINDER),
            Seen(("draft",)),
            # The second review's reminder counts from when that review began.
            Seen(("review",), next_timer=START + DAY + 3 * DAY),
            Seen(("sign", "check")),
            Seen(("check",)),
            Seen((), completed=True),
        ],
        {"summary": "y", "budget": 5, "decision": "approve", "approved": True},
        id="returned_then_approved",
    ),
    pytest.param(
        [
            Complete("draft", {"summary": "x"}),
            Complete("review", {"decision": "approve"}),
            Complete("check", {"format_ok": True}),
            Complete("sign", {"signed_by": "binh"}),
        ],
        [
            Seen(("draft",)),
            Seen(("review",), next_timer=REMINDER),
            Seen(("sign", "check")),
            Seen(("sign",)),
            Seen((), completed=True),
        ],
        {**APPROVED, "format_ok": True, "signed_by": "binh"},
        id="check_before_sign",
    ),
    pytest.param(
        [
            Complete("draft", {"summary": "x"}),
            Advance(DAY),
            Advance(2 * DAY - SECOND),
            Advance(SECOND),
            Advance(DAY),
            Complete("review", {"decision": "approve"}),
            Complete("sign"),
            Complete("check"),
        ],
        [
            Seen(("draft",)),
            Seen(("review",), next_timer=REMINDER),
            Seen(("review",), next_timer=REMINDER),  # one day in: not yet
            Seen(("review",), next_timer=REMINDER),  # one second before
            Seen(("review",)),  # fired; the review stays open, nothing else is due
            Seen(("review",)),  # and it fires only once
            Seen(("sign", "check")),
            Seen(("check",)),
            Seen((), completed=True),
        ],
        {**APPROVED, "reminded": True},
        id="reminded_after_three_days",
    ),
]


@pytest.mark.parametrize(("steps", "expected", "data"), APPROVAL_CASES)
def test_scenarios__approval(
    roundtrip: bool, steps: list[Step], expected: list[Seen], data: dict[str, Any]
) -> None:
    driver = Driver(approval(), roundtrip=roundtrip)
    assert run(driver, steps) == expected
    assert driver.data == data


def test_scenarios__approval_reminder_reads_the_injected_clock(roundtrip: bool) -> None:
    """Years away from the wall clock: a timer that read it would be due long ago or far off."""
    start = datetime(2031, 12, 31, 23, 0, tzinfo=UTC)
    driver = Driver(approval(), roundtrip=roundtrip, start=start)
    driver.start()
    assert driver.complete("draft", {"summary": "x"}).next_timer == start + 3 * DAY
    assert driver.advance(3 * DAY - SECOND) == Seen(("review",), next_timer=start + 3 * DAY)
    assert driver.advance(SECOND) == Seen(("review",))


# --- unit_task.bpmn (Camunda): ${decision == "more"} loop and a bare P10D timer -----------------

UNIT_TASK_CASES = [
    pytest.param(
        [
            Complete("carry_out", {"progress": 100}),
            Complete("accept_report", {"decision": "accept"}),
        ],
        [
            Seen(("carry_out",), next_timer=START + 10 * DAY),
            Seen(("accept_report",)),
            Seen((), completed=True),
        ],
        {"progress": 100, "decision": "accept"},
        id="accepted_at_once",
    ),
    pytest.param(
        [
            Complete("carry_out", {"progress": 50}),
            Advance(DAY),
            Complete("accept_report", {"decision": "more"}),
            Advance(10 * DAY - SECOND),
            Advance(SECOND),
            Complete("chase", {"chased": True}),
            Complete("carry_out", {"progress": 100}),
            Complete("accept_report", {"decision": "accept"}),
        ],
        [
            Seen(("carry_out",), next_timer=START + 10 * DAY),
            Seen(("accept_report",)),
            Seen(("accept_report",)),
            # Back to carry_out: a new boundary timer, counted from now.
            Seen(("carry_out",), next_timer=START + 11 * DAY),
            Seen(("carry_out",), next_timer=START + 11 * DAY),
            Seen(("carry_out", "chase")),  # non-interrupting: carry_out stays
            Seen(("carry_out",)),
            Seen(("accept_report",)),
            Seen((), completed=True),
        ],
        # The chase branch ended first; the main path's end wins on shared keys.
        {"progress": 100, "decision": "accept", "chased": True},
        id="more_asked_then_chased",
    ),
]


@pytest.mark.parametrize(("steps", "expected", "data"), UNIT_TASK_CASES)
def test_scenarios__camunda_unit_task(
    roundtrip: bool, steps: list[Step], expected: list[Seen], data: dict[str, Any]
) -> None:
    process = parse("camunda", "unit_task.bpmn")
    assert process.dialect == "camunda"
    driver = Driver(process, roundtrip=roundtrip)
    assert run(driver, steps) == expected
    assert driver.data == data


# --- a call activity: the callee's user task, its lane, its timer and its data ------------------


@pytest.mark.parametrize("nudged", [False, True], ids=["answered_in_time", "nudged_first"])
def test_scenarios__call_activity(roundtrip: bool, nudged: bool) -> None:
    process = parse("unit", "caller.bpmn", "callee.bpmn")
    assert list(process.subprocess_specs) == ["callee"]
    driver = Driver(process, roundtrip=roundtrip)
    assert driver.start(amount=5) == Seen(("give_opinion",), next_timer=START + 2 * DAY)
    [task] = driver.ready("give_opinion")
    # The runtime keys task metadata by (process, element): the task lives in the callee.
    assert (task.workflow.spec.name, task.task_spec.lane) == ("callee", "Experts")
    assert task.data == {"amount": 5, "question": "budget 5"}  # the caller's data went in
    if nudged:
        # The callee's own timer, seen and fired through the caller.
        nudge = START + 2 * DAY
        assert driver.advance(2 * DAY - SECOND) == Seen(("give_opinion",), next_timer=nudge)
        assert driver.advance(SECOND) == Seen(("give_opinion",))
    assert driver.complete("give_opinion", {"opinion": "ok"}) == Seen(("decide",))

    # Everything the callee ended with came back, its timer branch's data included.
    flowed_back = {
        "amount": 5,
        "question": "budget 5",
        "opinion": "ok",
        "summary": "budget 5: ok",
        **({"nudged": True} if nudged else {}),
    }
    [decide] = driver.ready("decide")
    assert decide.data == flowed_back
    assert driver.complete("decide", {"approved": True}) == Seen((), completed=True)
    assert driver.data == {**flowed_back, "approved": True}


# --- a multi-instance user task over a list in the data -----------------------------------------

MI_CASES = [
    pytest.param(
        "consult_units.bpmn",
        ["a", "b", "c"],
        ["a", "b", "c"],
        ["c", "a", "b"],
        [("consult", "consult", "consult"), ("consult", "consult"), ("consult",), ("conclude",)],
        id="parallel",
    ),
    pytest.param("consult_units.bpmn", [], [], [], [("conclude",)], id="parallel_over_nothing"),
    pytest.param(
        "consult_units_in_turn.bpmn",
        ["a", "b", "c"],
        ["a"],
        ["a", "b", "c"],
        [("consult",), ("consult",), ("consult",), ("conclude",)],
        id="sequential",
    ),
]


@pytest.mark.parametrize(("file", "units", "first_ready", "order", "ready_after"), MI_CASES)
def test_scenarios__multi_instance_user_task(
    roundtrip: bool,
    file: str,
    units: list[str],
    first_ready: list[str],
    order: list[str],
    ready_after: list[tuple[str, ...]],
) -> None:
    driver = Driver(parse("unit", file), roundtrip=roundtrip)
    assert driver.start() == Seen(("pick_units",))
    seen = [driver.complete("pick_units", {"units": units})]
    # One child per item, each with its item in `unit`: they share the element id, each has its
    # own task id, and their spec is the parsed task renamed '<id> [child]'.
    children = driver.ready("consult")
    assert sorted(t.data["unit"] for t in children) == first_ready
    assert len({t.id for t in children}) == len(first_ready)
    assert {t.task_spec.name for t in children} <= {"consult [child]"}
    for unit in order:
        seen.append(driver.complete("consult", {"opinion": unit.upper()}, where={"unit": unit}))
    assert [s.ready for s in seen] == ready_after
    [conclude] = driver.ready("conclude")
    # Opinions are appended in the order they came in, not in the order of the units.
    assert conclude.data == {"units": units, "opinions": [u.upper() for u in order]}
    assert driver.complete("conclude") == Seen((), completed=True)


# --- a timeDate computed by helpers: add_working_days(now(), 2) ---------------------------------

WORKING_DAY_CASES = [
    pytest.param(START, datetime(2026, 3, 4, 1, 0, tzinfo=UTC), id="monday_to_wednesday"),
    pytest.param(
        datetime(2026, 3, 6, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 10, 9, 0, tzinfo=UTC),
        id="friday_over_the_weekend",
    ),
]


@pytest.mark.parametrize(("start", "due"), WORKING_DAY_CASES)
def test_scenarios__timer_date_from_working_days(
    roundtrip: bool, start: datetime, due: datetime
) -> None:
    driver = Driver(parse("unit", "working_days.bpmn"), roundtrip=roundtrip, start=start)
    steps: list[Step] = [
        Advance(due - start - SECOND),
        Advance(SECOND),
        Complete("answer_late"),
    ]
    seen = [driver.start()]
    assert driver.pending_timers() == [due]
    seen += [driver.step(step) for step in steps]
    # next_timer is left out here: see test_scenarios__next_timer_sees_a_time_date_timer.
    assert [(s.ready, s.completed) for s in seen] == [
        (("answer",), False),
        (("answer",), False),
        (("answer_late",), False),  # interrupting: answer is gone
        ((), True),
    ]
    # A date kept by a script survives the save (Spiff's serializer knows datetime, not date).
    assert driver.data == {"escalated": True, "escalated_on": due.date()}


def test_scenarios__next_timer_sees_a_time_date_timer(roundtrip: bool) -> None:
    driver = Driver(parse("unit", "working_days.bpmn"), roundtrip=roundtrip)
    assert driver.start() == Seen(("answer",), next_timer=datetime(2026, 3, 4, 1, 0, tzinfo=UTC))


# --- timer values taken from the data -----------------------------------------------------------

TIMER_VALUE_CASES = [
    pytest.param(
        "2026-03-04T08:00:00",
        "PT2H",
        [START + timedelta(hours=2), datetime(2026, 3, 4, 8, 0, tzinfo=UTC)],
        id="no_zone_means_utc",
    ),
    pytest.param(
        "2026-03-04T08:00:00+07:00",
        "P1D",
        [START + DAY, datetime(2026, 3, 4, 1, 0, tzinfo=UTC)],
        id="with_a_zone",
    ),
    pytest.param(
        "2026-03-04", "P1W", [datetime(2026, 3, 4, tzinfo=UTC), START + 7 * DAY], id="date_only"
    ),
]


@pytest.mark.parametrize(("due", "wait", "timers"), TIMER_VALUE_CASES)
def test_scenarios__timer_values_from_data(
    roundtrip: bool, due: str, wait: str, timers: list[datetime]
) -> None:
    driver = Driver(parse("unit", "timer_from_data.bpmn"), roundtrip=roundtrip)
    assert driver.start(due=due, wait=wait).ready == ("answer",)
    assert driver.pending_timers() == timers
    assert driver.advance(timers[0] - START - SECOND).ready == ("answer",)
    assert driver.advance(SECOND) == Seen((), completed=True)  # interrupting: answer is gone


A_DATE = "an ISO 8601 date and time"
A_DURATION = "an ISO 8601 duration"
BAD_TIMER_CASES = [
    pytest.param("tomorrow", "P1D", "deadline", A_DATE, id="date_in_words"),
    pytest.param("P2D", "P1D", "deadline", A_DATE, id="duration_for_a_date"),
    pytest.param(5, "P1D", "deadline", A_DATE, id="number_for_a_date"),
    pytest.param("2026-03-04", "2 days", "patience", A_DURATION, id="duration_in_words"),
    pytest.param("2026-03-04", 3, "patience", A_DURATION, id="number_for_a_duration"),
]


@pytest.mark.parametrize(("due", "wait", "element", "expected"), BAD_TIMER_CASES)
def test_scenarios__bad_timer_value_is_a_script_error(
    roundtrip: bool, due: Any, wait: Any, element: str, expected: str
) -> None:
    driver = Driver(parse("unit", "timer_from_data.bpmn"), roundtrip=roundtrip)
    with pytest.raises(ScriptError, match=f"^element '{element}': the timer expression") as caught:
        driver.start(due=due, wait=wait)
    assert caught.value.details["element_id"] == element
    assert f"which is not {expected}" in caught.value.message


# --- a failing script ---------------------------------------------------------------------------

SCRIPT_ERROR_CASES = [
    pytest.param(0, "ZeroDivisionError: division by zero", 1, id="division_by_zero"),
    pytest.param("two", "TypeError: unsupported operand", 1, id="text_for_a_number"),
    # An exception whose argument is not text used to crash Spiff's error report.
    pytest.param(3, "KeyError: 3", 3, id="missing_key"),
]


@pytest.mark.parametrize(("parts", "message", "line"), SCRIPT_ERROR_CASES)
def test_scenarios__script_error_names_the_task_and_line(
    roundtrip: bool, parts: Any, message: str, line: int
) -> None:
    driver = Driver(parse("unit", "share_budget.bpmn"), roundtrip=roundtrip)
    assert driver.start() == Seen(("enter",))
    with pytest.raises(ScriptError, match=f"^element 'share': {re.escape(message)}") as caught:
        driver.complete("enter", {"total": 100, "parts": parts})
    assert caught.value.details == {"element_id": "share", "line": line}
    assert driver.seen() == Seen(())  # stuck on the failed script
    if roundtrip:
        # The stored state from before the failing step is intact and can be retried.
        assert driver.rollback() == Seen(("enter",))
        assert driver.complete("enter", {"total": 100, "parts": 4}) == Seen(("confirm",))
        [confirm] = driver.ready("confirm")
        assert confirm.data == {"total": 100, "parts": 4, "each": 25.0, "share_name": "quarter"}


@pytest.mark.parametrize(
    "value",
    [
        2**64,  # beyond what orjson writes: the json module writes the state
        -(2**70),
        {"Trồng nấm": [1.5, 2**63 - 1, None, True]},
        datetime(2026, 12, 4, 9, 30, tzinfo=UTC),  # tagged by Spiff's registry, as before
        "Bổ sung dự toán \u2028 😀",
        "\ud800",  # a lone surrogate: orjson refuses it, the json module writes it
    ],
    ids=["int_65_bits", "negative_int_71_bits", "nested", "datetime", "text", "surrogate"],
)
def test_scenarios__a_saved_state_reads_back_every_value_as_it_was(value: Any) -> None:
    driver = Driver(approval(), roundtrip=True)
    driver.start(extra=value)
    task = driver._one_ready("draft", {})
    assert task.data["extra"] == value
    assert type(task.data["extra"]) is type(value)
    # A state written by the json module (as every state was before orjson) reads back alike.
    by_json = dump_state(driver.dialect, driver.workflow, reference=True)
    again = load_state(
        driver.dialect, by_json, driver.restored.spec, driver.restored.subprocess_specs
    )
    assert dump_state(driver.dialect, again) == driver.saved
