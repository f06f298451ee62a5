"""The report of assigned tasks in the four states (QĐ 42/2014): per lead unit, for a period,
judged at the report's date; tasks made through the real process with the clock moved, and the
engine's generic rules on items of a fixture process (a recurring task's listed occurrences)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest

import engine
from engine import ManualClock, TaskSource, report_period, transaction
from engine.task_report import DONE_LATE, DONE_ON_TIME, OPEN_OVERDUE, OPEN_WITHIN
from tests.integration.test_processes__giao_nhiem_vu import TASK, _report
from tests.office import Office
from workflows.task_report import ASSIGNED_TASKS

CS, VP = "phong_qlkhcn_cs", "van_phong_so"


def _task(office: Office, unit: str, deadline: str, title: str) -> int:
    return office.start(
        "giao_nhiem_vu",
        "vp.tp",
        **{**TASK, "noi_dung": title, "don_vi_chu_tri": unit, "gia_tri_han": deadline},
    )


def _done(office: Office, item: int, who: str) -> None:
    if "don_doc" in office.steps(item):  # overdue: the leaders chased it first
        office.do("phogiamdoc", item, "don_doc", noi_dung_don_doc="Đề nghị báo cáo ngay")
    _report(office, item, who)
    office.do("giamdoc", item, "danh_gia_ket_qua", decision="chap_nhan")


def _until(office: Office, day: date) -> None:
    """Move the clock to 09:00 of that day in Hà Nội, firing the timers due on the way."""
    target = office.clock() + timedelta(days=(day - office.clock().date()).days)
    office.tick((target - office.clock()).total_seconds() / 86400)


def _counts(report: engine.TaskReport) -> dict[str | None, tuple[int, int, int, int]]:
    return {
        r.unit: (r.done_on_time, r.done_late, r.open_within, r.open_overdue) for r in report.rows
    }


@pytest.fixture
def office(factory: Any, clock: ManualClock) -> Office:
    return Office(factory, clock)


@pytest.fixture
def tasks(office: Office) -> dict[str, int]:
    return _made(office)


@pytest.fixture
def sqlite_office(sqlite_factory: Any, clock: ManualClock) -> Office:
    return Office(sqlite_factory, clock)


def _made(office: Office) -> dict[str, int]:
    """Made on Monday 2 March 2026: in Phòng QLKHCN cơ sở one done on time, one done late, one
    done after the quarter; in Văn phòng Sở one open within its deadline (the quarter's last
    day), one open overdue, one due next quarter."""
    made = {
        "on_time": _task(office, CS, "2026-03-20", "Đúng hạn"),
        "late": _task(office, CS, "2026-03-13", "Quá hạn, đã xong"),
        "after": _task(office, CS, "2026-03-25", "Xong sau quý"),
        "within": _task(office, VP, "2026-03-31", "Trong hạn"),
        "overdue": _task(office, VP, "2026-03-16", "Quá hạn"),
        "next": _task(office, VP, "2026-06-30", "Quý sau"),
    }
    _until(office, date(2026, 3, 10))
    _done(office, made["on_time"], "cs.cv1")
    _until(office, date(2026, 3, 17))
    _done(office, made["late"], "cs.cv1")
    return made


def _report_at(office: Office, code: str, today: date) -> engine.TaskReport:
    with transaction(office.factory) as s:
        return engine.task_report(s, ASSIGNED_TASKS, report_period(code, 2026), today)


def test_task_report__four_states_per_unit_while_the_quarter_runs(
    office: Office, tasks: dict[str, int]
) -> None:
    report = _report_at(office, "q1", date(2026, 3, 18))
    assert report.as_of == date(2026, 3, 18)
    assert _counts(report) == {CS: (1, 1, 1, 0), VP: (0, 0, 1, 1)}
    assert all(r.name for r in report.rows)  # the units' names, from the groups
    assert (report.totals.done_on_time, report.totals.total) == (1, 5)  # next quarter's: out


def test_task_report__a_past_quarter_is_judged_at_its_last_day(
    office: Office, tasks: dict[str, int]
) -> None:
    _until(office, date(2026, 4, 2))
    _done(office, tasks["after"], "cs.cv1")  # a week late, in the next quarter
    q1 = _report_at(office, "q1", date(2026, 4, 3))
    assert q1.as_of == date(2026, 3, 31)
    # Done after the quarter: open and overdue at its end. Due on its last day: within.
    assert _counts(q1) == {CS: (1, 1, 0, 1), VP: (0, 0, 1, 1)}
    # The next quarter carries what was open at its start: done late in it, or still open.
    q2 = _report_at(office, "q2", date(2026, 4, 3))
    assert _counts(q2) == {CS: (0, 1, 0, 0), VP: (0, 0, 1, 2)}
    # A month, a half and the year choose their tasks the same way.
    assert _counts(_report_at(office, "m2", date(2026, 4, 3))) == {}
    year = _report_at(office, "y", date(2026, 4, 3))
    assert _counts(year) == {CS: (1, 2, 0, 0), VP: (0, 0, 1, 2)}
    assert _counts(_report_at(office, "h1", date(2026, 4, 3))) == _counts(year)


def test_task_report__each_number_lists_its_tasks(office: Office, tasks: dict[str, int]) -> None:
    period = report_period("q1", 2026)
    with transaction(office.factory) as s:
        overdue = engine.task_report_items(
            s, ASSIGNED_TASKS, period, date(2026, 3, 18), unit=VP, state=OPEN_OVERDUE
        )
        everything = engine.task_report_items(s, ASSIGNED_TASKS, period, date(2026, 3, 18))
    assert [(i.instance_id, i.deadline, i.state) for i in overdue] == [
        (tasks["overdue"], "2026-03-16", OPEN_OVERDUE)
    ]
    assert [i.instance_id for i in everything] == [
        tasks[k] for k in ("late", "overdue", "on_time", "after", "within")
    ]  # by deadline
    done = {i.instance_id: i.done_on for i in everything if i.done_on}
    assert done == {tasks["on_time"]: "2026-03-10", tasks["late"]: "2026-03-17"}


def test_task_report__a_cancelled_task_is_not_counted(
    office: Office, tasks: dict[str, int]
) -> None:
    office.cancel(tasks["overdue"], "vp.tp", "Nhiệm vụ được điều chỉnh")
    assert _counts(_report_at(office, "q1", date(2026, 3, 18)))[VP] == (0, 0, 1, 0)


# --- the engine's generic rules, on items of a fixture process ----------------------------

SERIES = TaskSource(
    process_ids=("approval",),
    unit_key="unit",
    deadline_key="deadline",
    done_key="reported",
    occurrences_key="series",
)


def _item(deployed: Any, clock: ManualClock, **data: Any) -> int:
    with transaction(deployed) as s:
        return engine.start_instance(
            s, engine.EngineConfig(clock=clock), "approval", "an", data=data
        )


def test_task_report__a_recurring_task_counts_each_occurrence(
    deployed: Any, clock: ManualClock
) -> None:
    # Monthly: January done on time, February done late (in March), March open.
    january = {"deadline": "2026-01-25", "reported": "2026-01-20T10:00:00+07:00", "on_time": True}
    february = {"deadline": "2026-02-25", "reported": "2026-03-03", "on_time": False}
    _item(
        deployed,
        clock,
        unit="phong_qlkh",
        deadline="2026-03-25",
        reported="2026-03-03",  # the last occurrence's, still in the item's own data
        on_time=False,
        series=[january, february],
    )
    # One occurrence, done: it is listed, and the item's own keys describe the same one.
    _item(
        deployed,
        clock,
        unit="heads",
        deadline="2026-02-10",
        reported="2026-02-09",
        on_time=True,
        series=[{"deadline": "2026-02-10", "reported": "2026-02-09", "on_time": True}],
    )
    # An item from before the list existed: its own verdict says it is done.
    _item(
        deployed, clock, unit="heads", deadline="2026-03-05", reported="2026-03-06", on_time=False
    )
    with transaction(deployed) as s:
        q1 = engine.task_report(s, SERIES, report_period("q1", 2026), date(2026, 3, 30))
        feb = engine.task_report(s, SERIES, report_period("m2", 2026), date(2026, 3, 30))
        listed = engine.task_report_items(s, SERIES, report_period("q1", 2026), date(2026, 3, 30))
    assert _counts(q1) == {"phong_qlkh": (1, 1, 0, 1), "heads": (1, 1, 0, 0)}
    # February's report, at its last day: February's occurrence was still open (reported in
    # March), January's is of another month.
    assert _counts(feb) == {"phong_qlkh": (0, 0, 0, 1), "heads": (1, 0, 0, 0)}
    assert sorted(i.state for i in listed) == sorted(
        [DONE_ON_TIME, DONE_LATE, OPEN_OVERDUE, DONE_ON_TIME, DONE_LATE]
    )


def test_task_report__without_a_deadline_or_with_a_bad_period(
    deployed: Any, clock: ManualClock
) -> None:
    _item(deployed, clock, unit="heads")  # not yet given a deadline: in no period
    with transaction(deployed) as s:
        assert engine.task_report(s, SERIES, report_period("y", 2026), date(2026, 3, 2)).rows == []
    for code in ("q5", "m0", "m13", "h3", "x1", "", "y2", "q"):
        with pytest.raises(engine.InvalidInput) as failed:
            report_period(code, 2026)
        assert failed.value.details["reason"] == "bad_period"
    assert report_period("m2", 2028).end == date(2028, 2, 29)
    assert report_period("h2", 2026).start == date(2026, 7, 1)
    assert report_period("q4", 2026).end == date(2026, 12, 31)
    assert engine.current_period(date(2026, 8, 15)).code == "q3"
    assert OPEN_WITHIN in engine.REPORT_STATES


def test_task_report__the_command_line(sqlite_office: Office, sqlite_url: str) -> None:
    """Once, on the SQLite file: the command opens its own database, as an operator's would."""
    _made(sqlite_office)
    from click.testing import CliRunner

    from cli.main import main

    env = {"PHEDUYET_DATABASE_URL": sqlite_url}
    args = ["report", "--period", "q1", "--year", "2026", "--now", "2026-03-18T09:00:00+07:00"]
    found = CliRunner().invoke(main, [*args, "--json"], env=env)
    assert found.exit_code == 0, found.output
    data = json.loads(found.output)
    assert (data["as_of"], data["totals"]["total"]) == ("2026-03-18", 5)
    units = {u["unit"]: u for u in data["units"]}
    assert (units[VP][OPEN_WITHIN], units[VP][OPEN_OVERDUE]) == (1, 1)
    table = CliRunner().invoke(main, args, env=env)
    assert table.exit_code == 0 and "OPEN OVERDUE" in table.output
    bad = CliRunner().invoke(main, ["report", "--period", "q9", "--json"], env=env)
    assert bad.exit_code == 6 and json.loads(bad.output)["error"]["reason"] == "bad_period"
