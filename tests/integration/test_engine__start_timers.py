"""Timer start events start items by themselves (Camunda 7's timer start event), on a SQLite
file and on PostgreSQL: at the times of their date, duration, ISO cycle or Quartz cron in the
office's time zone, each time exactly once however many workers run, on the timer's own path
only, in the name of who deployed the version; a new version replaces the old schedule."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import delete, func, select

import engine
from engine import transaction
from engine.instances import InstanceModel
from engine.start_timer_schedule import StartTimerModel
from tests.conftest import START, add_people
from tests.forked_workers import run_workers

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
MODEL = Path(__file__).parent.parent / "fixtures" / "timer_start" / "weekly_report.bpmn"
CRON = "0 0 8 ? * MON"


def _model(timer: str = f"<bpmn:timeCycle>{CRON}</bpmn:timeCycle>", **renames: str) -> bytes:
    text = MODEL.read_text(encoding="utf-8").replace(
        f"<bpmn:timeCycle>{CRON}</bpmn:timeCycle>", timer
    )
    for old, new in renames.items():
        text = text.replace(old, new)
    return text.encode()


@pytest.fixture
def office(factory: Any) -> Any:
    add_people(factory)
    return factory


def _config(moment: datetime) -> engine.EngineConfig:
    return engine.EngineConfig(clock=engine.ManualClock(moment), timezone=HANOI)


def _deploy(
    factory: Any, config: engine.EngineConfig, model: bytes, who: str | None = "binh"
) -> None:
    with transaction(factory) as s:
        engine.deploy(
            s,
            [engine.SourceFile("weekly_report.bpmn", model)],
            config.clock,
            who,
            timezone=config.timezone,
        )


def _items(factory: Any, process_id: str = "weekly_report") -> list[engine.InstanceView]:
    with transaction(factory) as s:
        ids = s.scalars(
            select(InstanceModel.id)
            .where(InstanceModel.process_id == process_id)
            .order_by(InstanceModel.id)
        )
        return [engine.show_instance(s, item) for item in ids]


def test_start_timers__a_weekly_cron_starts_one_item_each_monday_morning_on_its_own_path(
    office: Any,
) -> None:
    monday = _config(START)  # Monday 2 March 2026, 08:00 in Hà Nội: the cron's moment now
    _deploy(office, monday, _model())
    with transaction(office) as s:
        [row] = s.scalars(select(StartTimerModel))
        assert row.next_at == START + timedelta(days=7)  # 08:00 now is not after now

    assert engine.run_start_timers(office, _config(START + timedelta(days=6))) == 0
    next_monday = _config(START + timedelta(days=7, minutes=3))
    assert engine.run_start_timers(office, next_monday) == 1
    assert engine.run_start_timers(office, next_monday) == 0  # once, however often it runs

    [item] = _items(office)
    assert [t.element_id for t in item.open_tasks] == ["write_report"]  # not the hand path
    assert item.created_by == "binh"  # who deployed it
    assert item.title == "Weekly report (09/03/2026 08:03)"  # in Hà Nội
    started = item.history[0]
    assert (started.kind, started.actor) == ("started", None)
    with transaction(office) as s:
        [row] = s.scalars(select(StartTimerModel))
        assert row.next_at == START + timedelta(days=14)
        assert (row.started_count, row.last_error) == (1, None)
    # The timer's item has no timer left in it: the next Monday starts a new item.
    assert engine.run_due_timers(office, _config(START + timedelta(days=21))) == 0


def test_start_timers__started_by_hand_the_item_takes_the_plain_start_and_no_timer(
    office: Any,
) -> None:
    config = _config(START)
    _deploy(office, config, _model())
    with transaction(office) as s:
        item = engine.start_instance(s, config, "weekly_report", "dung")
    later = _config(START + timedelta(days=7, minutes=1))
    assert engine.run_due_timers(office, later) == 0
    with transaction(office) as s:
        view = engine.show_instance(s, item)
    assert [t.element_id for t in view.open_tasks] == ["extra_report"]


def _row(factory: Any) -> StartTimerModel:
    with transaction(factory) as s:
        [row] = s.scalars(select(StartTimerModel))
        s.expunge(row)
        return row


@pytest.mark.parametrize(
    ("timer", "due", "starts_at"),
    [
        # A date already past starts one item at once, as Camunda's job does.
        (
            "<bpmn:timeDate>2026-01-01T00:00:00Z</bpmn:timeDate>",
            [datetime(2026, 1, 1, tzinfo=UTC)],
            [START],
        ),
        ("<bpmn:timeDuration>PT2H</bpmn:timeDuration>", [START + timedelta(hours=2)], None),
        (
            "<bpmn:timeCycle>R3/PT1H</bpmn:timeCycle>",
            [START + timedelta(hours=n) for n in (1, 2, 3)],
            None,
        ),
        # A time without a zone is on the office's clock, as in Camunda.
        (
            "<bpmn:timeDate>2026-03-09T08:00:00</bpmn:timeDate>",
            [datetime(2026, 3, 9, 8, 0, tzinfo=HANOI)],
            None,
        ),
        (
            "<bpmn:timeCycle>R2/2027-01-05T08:00:00/P1D</bpmn:timeCycle>",
            [datetime(2027, 1, d, 8, 0, tzinfo=HANOI) for d in (5, 6)],
            None,
        ),
        # Months counted on the office's clock: midnight on the 1st there is the 31st in UTC.
        (
            "<bpmn:timeCycle>R4/2027-01-01T00:00:00/P1M</bpmn:timeCycle>",
            [datetime(2027, m, 1, tzinfo=HANOI) for m in (1, 2, 3, 4)],
            None,
        ),
        # Each month on the 5th at 08:00 in Hà Nội, whatever the months' lengths.
        (
            "<bpmn:timeCycle>R4/2027-01-05T08:00:00+07:00/P1M</bpmn:timeCycle>",
            [datetime(2027, m, 5, 8, 0, tzinfo=HANOI) for m in (1, 2, 3, 4)],
            None,
        ),
    ],
)
def test_start_timers__dates_durations_and_counted_cycles_end(
    office: Any, timer: str, due: list[datetime], starts_at: list[datetime] | None
) -> None:
    _deploy(office, _config(START), _model(timer))
    for at, moment in zip(due, starts_at or due, strict=True):
        assert _row(office).next_at == at
        assert engine.run_start_timers(office, _config(moment)) == 1
    assert engine.run_start_timers(office, _config(due[-1] + timedelta(days=90))) == 0
    assert len(_items(office)) == len(due)
    over = _row(office)  # kept, its times over: a deploy of the same files knows it ran
    assert (over.next_at, over.started_count) == (None, len(due))


def test_start_timers__times_missed_while_no_worker_ran_start_one_item(office: Any) -> None:
    _deploy(office, _config(START), _model("<bpmn:timeCycle>R/PT1H</bpmn:timeCycle>"))
    assert engine.run_start_timers(office, _config(START + timedelta(hours=5, minutes=30))) == 1
    assert _row(office).next_at == START + timedelta(hours=6)
    assert len(_items(office)) == 1


def test_start_timers__a_cycle_begun_before_the_deploy_starts_at_its_next_time(
    office: Any,
) -> None:
    """Deployed at 10:00 on 2 March, a daily 08:00 cycle begun in January first starts an item
    on 3 March at 08:00; one whose repetitions all ended in January is refused."""
    ten = _config(START + timedelta(hours=2))
    _deploy(office, ten, _model("<bpmn:timeCycle>R/2026-01-01T08:00:00+07:00/P1D</bpmn:timeCycle>"))
    assert _row(office).next_at == datetime(2026, 3, 3, 8, 0, tzinfo=HANOI)
    assert engine.run_start_timers(office, ten) == 0
    with pytest.raises(engine.InvalidDefinition) as refused:
        _deploy(
            office, ten, _model("<bpmn:timeCycle>R3/2026-01-01T08:00:00+07:00/P1D</bpmn:timeCycle>")
        )
    assert refused.value.details["reason"] == "timer_start_never"


def test_start_timers__a_new_version_replaces_the_schedule_the_same_content_keeps_it(
    office: Any,
) -> None:
    _deploy(office, _config(START), _model())
    _deploy(office, _config(START + timedelta(days=1)), _model())  # the same: nothing changes
    assert (_row(office).next_at, _row(office).started_by) == (START + timedelta(days=7), "binh")
    # The same files deployed by someone else: the items start in their name from now on (the
    # one who deployed them may have left); the schedule is kept.
    _deploy(office, _config(START + timedelta(days=1)), _model(), who="dung")
    assert (_row(office).next_at, _row(office).started_by) == (START + timedelta(days=7), "dung")
    _deploy(
        office,
        _config(START + timedelta(days=1)),
        _model("<bpmn:timeCycle>R/P1D</bpmn:timeCycle>", **{"Weekly report": "Daily report"}),
        who="dung",
    )
    assert _row(office).next_at == START + timedelta(days=2)
    _deploy(
        office,
        _config(START + timedelta(days=1)),
        _model(
            "",
            **{
                '<bpmn:timerEventDefinition id="every_monday_def">': "",
                "</bpmn:timerEventDefinition>": "",
            },
        ),
        who="dung",
    )
    with transaction(office) as s:
        assert s.scalar(select(func.count()).select_from(StartTimerModel)) == 0


def test_start_timers__a_version_never_scheduled_is_scheduled_by_deploying_it_again(
    office: Any,
) -> None:
    """A version deployed before the schedule existed (migration 0032 leaves it no row)."""
    _deploy(office, _config(START), _model())
    with transaction(office) as s:
        s.execute(delete(StartTimerModel))
    _deploy(office, _config(START + timedelta(days=8)), _model(), who="dung")
    assert _row(office).next_at == START + timedelta(days=14)


@pytest.mark.parametrize(
    ("timer", "who", "reason"),
    [
        ("<bpmn:timeCycle>${weekly}</bpmn:timeCycle>", "binh", "timer_start_expression"),
        (f"<bpmn:timeCycle>{CRON}</bpmn:timeCycle>", None, "timer_start_needs_deployer"),
        ("<bpmn:timeCycle>0 0 8 1 1 ? 2020</bpmn:timeCycle>", "binh", "timer_start_never"),
        ("<bpmn:timeCycle>R0/PT1H</bpmn:timeCycle>", "binh", "timer_start_never"),
    ],
)
def test_start_timers__refused_at_deploy_with_nothing_stored(
    office: Any, timer: str, who: str | None, reason: str
) -> None:
    with pytest.raises(engine.InvalidDefinition) as refused:
        _deploy(office, _config(START), _model(timer), who=who)
    assert refused.value.details["reason"] == reason
    assert refused.value.details["element_id"] == "every_monday"
    with transaction(office) as s:
        assert engine.list_processes(s) == []
        assert s.scalar(select(func.count()).select_from(StartTimerModel)) == 0


def _failing(timer: str) -> bytes:
    flow = '<bpmn:sequenceFlow id="f_timer" sourceRef="every_monday" targetRef="write_report" />'
    return _model(
        timer,
        **{
            flow: (
                flow.replace("write_report", "boom")
                + '<bpmn:scriptTask id="boom" scriptFormat="python">'
                + "<bpmn:script>1 / 0</bpmn:script></bpmn:scriptTask>"
                + '<bpmn:sequenceFlow id="f_boom" sourceRef="boom" targetRef="write_report" />'
            )
        },
    )


def test_start_timers__a_start_that_fails_keeps_its_message_and_moves_on(office: Any) -> None:
    _deploy(office, _config(START), _failing("<bpmn:timeCycle>R/PT1H</bpmn:timeCycle>"))
    assert engine.run_start_timers(office, _config(START + timedelta(hours=1))) == 1
    assert _items(office) == []
    row = _row(office)
    assert (row.next_at, row.started_count) == (START + timedelta(hours=2), 0)
    assert row.last_error is not None and "division" in row.last_error


def test_start_timers__the_last_start_failing_stays_on_the_processes_page(office: Any) -> None:
    _deploy(office, _config(START), _failing("<bpmn:timeDuration>PT1H</bpmn:timeDuration>"))
    assert engine.run_start_timers(office, _config(START + timedelta(hours=1))) == 1
    with transaction(office) as s:
        [shown] = engine.next_starts(s)["weekly_report"]
    assert shown.next_at is None and shown.last_error is not None


def test_start_timers__the_timer_asks_nothing_of_the_plain_starts_form(office: Any) -> None:
    """The hand start's form (a required field, a default) is the hand start's alone."""
    hand = '<bpmn:startEvent id="by_hand" name="Asked for" />'
    form = (
        '<bpmn:startEvent id="by_hand" name="Asked for"><bpmn:extensionElements>'
        '<camunda:formData><camunda:formField id="reason" label="Why" type="string">'
        '<camunda:validation><camunda:constraint name="required" /></camunda:validation>'
        '</camunda:formField><camunda:formField id="source" label="Source" type="string" '
        'defaultValue="asked by hand" /></camunda:formData></bpmn:extensionElements>'
        "</bpmn:startEvent>"
    )
    _deploy(
        office,
        _config(START),
        _model("<bpmn:timeDuration>PT1H</bpmn:timeDuration>", **{hand: form}),
    )
    assert engine.run_start_timers(office, _config(START + timedelta(hours=1))) == 1
    [item] = _items(office)
    with transaction(office) as s:
        data = engine.item_data(s, item.id)
    assert "source" not in data and "reason" not in data
    assert _row(office).last_error is None


def test_start_timers__an_item_no_column_holds_fails_alone(office: Any, db_url: str) -> None:
    """A first step whose owner is longer than the column (PostgreSQL refuses it; SQLite keeps
    it): the other processes' items still start, and the failure stays on its row."""
    long_owner = _model(
        "<bpmn:timeDuration>PT1H</bpmn:timeDuration>",
        **{
            '<bpmn:userTask id="write_report" name="Write the weekly report" '
            'camunda:candidateGroups="staff" />': (
                '<bpmn:userTask id="write_report" name="Write the weekly report" '
                f'camunda:assignee="{"x" * 300}" />'
            )
        },
    )
    plain = _model(
        "<bpmn:timeDuration>PT1H</bpmn:timeDuration>",
        weekly_report="plain_report",
        defs_weekly_report="defs_plain",
    )
    with transaction(office) as s:
        engine.deploy(
            s,
            [engine.SourceFile("a.bpmn", long_owner), engine.SourceFile("b.bpmn", plain)],
            engine.ManualClock(START),
            "binh",
        )
    assert engine.run_start_timers(office, _config(START + timedelta(hours=1))) == 2
    assert len(_items(office, "plain_report")) == 1
    with transaction(office) as s:
        errors = {r.process_id: r.last_error for r in s.scalars(select(StartTimerModel))}
    if db_url.startswith("postgresql"):
        assert _items(office) == [] and "cannot be saved" in str(errors["weekly_report"])
    else:
        assert len(_items(office)) == 1 and errors["weekly_report"] is None
    assert errors["plain_report"] is None


def test_start_timers__three_workers_start_each_due_item_exactly_once(
    office: Any, db_url: str
) -> None:
    processes = 30
    config = _config(START)
    with transaction(office) as s:
        engine.deploy(
            s,
            [
                engine.SourceFile(
                    f"p{n}.bpmn",
                    _model(
                        "<bpmn:timeDuration>PT1H</bpmn:timeDuration>",
                        weekly_report=f"p{n}",
                        defs_weekly_report=f"defs_p{n}",
                    ),
                )
                for n in range(processes)
            ],
            config.clock,
            "binh",
        )
    later = _config(START + timedelta(hours=1))
    reports = run_workers(office, db_url, lambda mine: engine.run_start_timers(mine, later), 3)
    assert [status for status, _ in reports] == ["ok"] * 3, reports
    assert sum(count for _, count in reports) == processes
    with transaction(office) as s:
        started = Counter(s.scalars(select(InstanceModel.process_id)))
        assert started == {f"p{n}": 1 for n in range(processes)}
        assert engine.verify_audit(s) == (processes, [])
