"""Quartz cron expressions (Camunda 7 timeCycles): which texts are crons, the next firings in
the office's zone, and the refusals; what `pheduyet check` notes without refusing."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from engine.definition_report import check_definitions
from engine.limits import OutOfBounds
from engine.quartz_cron import looks_like_quartz, next_fire, parse_quartz
from tests.conftest import fixture_files

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")


def _hn(month: int, day: int, hour: int, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=HANOI).astimezone(UTC)


@pytest.mark.parametrize(
    ("text", "after", "expected"),
    [
        # Friday 10:00 -> Monday 08:00 (MON-FRI by name)
        ("0 0 8 ? * MON-FRI", _hn(3, 6, 10), [_hn(3, 9, 8), _hn(3, 10, 8)]),
        # 2-6 is Monday to Friday in Quartz's numbering (1 = Sunday)
        ("0 0 8 ? * 2-6", _hn(3, 6, 10), [_hn(3, 9, 8), _hn(3, 10, 8)]),
        # the last day of the month, every half hour from 9 to 10
        ("0 0/30 9-10 L * ?", _hn(3, 1, 0), [_hn(3, 31, 9), _hn(3, 31, 9, 30), _hn(3, 31, 10)]),
        # a list of days and a step of months; a year field
        ("0 15 7 1,15 1/6 ? 2026", _hn(1, 1, 8), [_hn(1, 15, 7, 15), _hn(7, 1, 7, 15)]),
        # every minute is still allowed
        ("0 * * * * ?", _hn(3, 1, 0), [_hn(3, 1, 0, 1), _hn(3, 1, 0, 2)]),
    ],
)
def test_quartz_cron__next_firings(text: str, after: datetime, expected: list[datetime]) -> None:
    cron = parse_quartz(text)
    found = []
    moment: datetime | None = after
    for _ in expected:
        assert moment is not None
        moment = next_fire(cron, moment, HANOI)
        found.append(moment)
    assert found == expected


def test_quartz_cron__a_past_year_never_fires_again() -> None:
    assert next_fire(parse_quartz("0 0 8 * * ? 2025"), _hn(3, 1, 0), HANOI) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0/5 0/1 * 1/1 * ?", "several times a minute"),
        ("* * * * * ?", "several times a minute"),
        ("0 0 8 15W * ?", "not supported"),
        ("0 0 8 ? * 6#3", "not supported"),
        ("0 0 8 ? * 6L", "not supported"),
        ("0 0 24 * * ?", "outside 0 to 23"),
        ("0 0 8 ? * FOO", "not a Quartz cron expression"),
        ("0 0 8 ? ? *", "not a Quartz cron expression"),
    ],
)
def test_quartz_cron__refused(text: str, message: str) -> None:
    with pytest.raises(OutOfBounds, match=message):
        parse_quartz(text)


@pytest.mark.parametrize(
    ("text", "cron"),
    [
        ("0 0 8 ? * MON-FRI", True),
        ("0/5 0/1 * 1/1 * ?", True),
        ("0 0 12 * * ? 2027", True),
        ("'R3/PT1H'", False),
        ("a if b else c", False),
        ("P3D", False),
    ],
)
def test_quartz_cron__recognised(text: str, cron: bool) -> None:
    assert looks_like_quartz(text) is cron


def test_quartz_cron__check_notes_async_attributes_and_data_stores() -> None:
    report = check_definitions(fixture_files("camunda_rest/cron_reminder.bpmn"))
    assert report.problems == () and report.processes == ("cron_reminder",)
    noted = [(n.element_id, n.message.split(" ")[0]) for n in report.notes]
    assert noted == [
        ("start", 'camunda:asyncBefore="true"'),
        ("handle", 'camunda:asyncAfter="true"'),
        ("handle", 'camunda:exclusive="false"'),
        ("handle", 'camunda:jobPriority="10"'),
        ("register_ref", "the"),
    ]
    assert all(n.line for n in report.notes)
