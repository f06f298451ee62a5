"""`pheduyet stuck --json` streams its rows: the text is the one `json.dumps(..., indent=2)`
gives the whole list, whether it is empty, one row, or rows past a written chunk."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from cli.stuck import stream_json
from engine import StuckRow, to_jsonable

SINCE = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


def rows(count: int) -> list[StuckRow]:
    return [
        StuckRow(
            instance_id=n,
            title=f'Hồ sơ "số" {n}\\ngiữa',
            task_id="" if n % 5 else f"task-{n}",
            element_id="xem_xet",
            lane=None if n % 2 else "Phòng QLKH",
            holder="Nguyễn Văn A",
            since=SINCE + timedelta(minutes=n),
            age_days=n / 10,
            due_at=None if n % 3 else SINCE + timedelta(days=n),
            overdue=bool(n % 3 == 0),
        )
        for n in range(count)
    ]


@pytest.mark.parametrize("count", [0, 1, 2, 1000, 1001, 2500])
def test_stuck_json__streamed_as_the_whole_list_is_dumped(
    count: int, capsys: pytest.CaptureFixture[str]
) -> None:
    listed = rows(count)
    stream_json(iter(listed))
    expected = json.dumps(to_jsonable(listed), ensure_ascii=False, indent=2) + "\n"
    assert capsys.readouterr().out == expected
