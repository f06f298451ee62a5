"""The CLI's tables are read by people in the office: a moment shows on the office's clock
(a deadline at the end of its day reads 23:59, not the 16:59 UTC the database holds), while
`--json` keeps the exact moment for scripts."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cli.output import emit

DUE = datetime(2026, 12, 21, 16, 59, 59, tzinfo=UTC)  # the end of 21/12 in Hanoi


def test_cli_table__a_moment_on_the_office_clock(capsys: pytest.CaptureFixture[str]) -> None:
    emit([DUE], [("DUE", lambda moment: moment)], as_json=False)
    assert capsys.readouterr().out.splitlines() == ["DUE", "2026-12-21 23:59"]


def test_cli_json__the_exact_moment(capsys: pytest.CaptureFixture[str]) -> None:
    emit([DUE], [("DUE", lambda moment: moment)], as_json=True)
    assert '"2026-12-21T16:59:59+00:00"' in capsys.readouterr().out
