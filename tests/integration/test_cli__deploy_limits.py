"""`pheduyet deploy` of a diagram past a deploy-time limit (a timer that reaches too far, a
process that calls itself, a loop over a million instances, a decision table the sandbox refuses)
exits 6 with the file, the element and the line, and deploys nothing."""

from __future__ import annotations

import time

import pytest

from tests.integration.test_cli__contract import FIXTURES, Cli

HOSTILE = FIXTURES / "hostile"


@pytest.fixture
def cli(sqlite_url: str) -> Cli:
    run = Cli(sqlite_url)
    run("db", "upgrade")
    return run


@pytest.mark.parametrize(
    ("files", "named", "element_id", "line", "word"),
    [
        (("timer_huge_duration.bpmn",), 0, "wait", 8, "longer than 100 years"),
        (("timer_zero_cycle.bpmn",), 0, "remind", 9, "at least a minute"),
        (("call_self.bpmn",), 0, "again", 6, "may not call itself"),
        (("call_mutual_a.bpmn", "call_mutual_b.bpmn"), 0, "call_b", 6, "may not call itself"),
        (("multi_instance_huge.bpmn",), 0, "consult", 8, "at most 1,000 instances"),
        (("dmn_escape.bpmn", "dmn_escape.dmn"), 1, "rule_big_out", 17, "__subclasses__"),
    ],
)
def test_cli__a_diagram_past_a_limit_exits_6_naming_where(
    cli: Cli, files: tuple[str, ...], named: int, element_id: str, line: int, word: str
) -> None:
    paths = [str(HOSTILE / name) for name in files]
    began = time.monotonic()
    error = cli.json("deploy", *paths, code=6)["error"]
    assert time.monotonic() - began < 5
    assert error["code"] == "invalid_definition"
    assert (error["element_id"], error["line"]) == (element_id, line)
    assert error["file"].endswith(files[named])
    assert word in error["message"]
    assert cli.json("processes") == []


def test_cli__the_plain_refusal_is_one_line_on_stderr(cli: Cli) -> None:
    result = cli("deploy", str(HOSTILE / "call_self.bpmn"), code=6)
    assert result.stdout == ""
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("error: ") and "call_self.bpmn, element 'again', line 6" in line
