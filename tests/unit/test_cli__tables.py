"""The CLI's tables are read by people in the office: a moment shows on the office's clock
(a deadline at the end of its day reads 23:59, not the 16:59 UTC the database holds), while
`--json` keeps the exact moment for scripts; a table read only in part is no error."""

from __future__ import annotations

import subprocess
import sys
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


def test_cli__a_reader_that_stops_is_no_error() -> None:
    """`pheduyet stuck | head`: the pipe closed under the command ends it quietly, with the
    shell's code for a broken pipe, not "unexpected error: BrokenPipeError"."""
    script = "from cli.output import reporting\nwith reporting(False):\n    raise BrokenPipeError"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert (done.returncode, done.stderr) == (141, "")
