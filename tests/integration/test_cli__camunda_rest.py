"""The command line and the smaller Camunda 7 constructs: `pheduyet start` by someone outside a
process's candidate starters exits 4 with reason not_a_starter; `pheduyet check` lists the
accepted async attributes and data store references as notes without failing, and refuses a
cron that fires several times a minute with exit 6."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.integration.test_cli__contract import FIXTURES, Cli

CRON = str(FIXTURES / "camunda_rest" / "cron_reminder.bpmn")


@pytest.fixture
def cli(sqlite_url: str) -> Cli:
    run = Cli(sqlite_url)
    run("db", "upgrade")
    return run


def test_cli__only_candidate_starters_start(cli: Cli) -> None:
    cli("deploy", CRON)
    cli("groups", "add", "staff")
    cli("users", "add", "an", "--group", "staff")
    cli("users", "add", "em")
    error = cli.json("start", "cron_reminder", "--as", "em", code=4)["error"]
    assert (error["code"], error["reason"]) == ("forbidden", "not_a_starter")
    assert cli.json("start", "cron_reminder", "--as", "an")["status"] == "running"


def test_cli__check_notes_without_failing(cli: Cli) -> None:
    result = cli("check", CRON)
    assert "nothing refused (processes: cron_reminder)" in result.stdout
    assert 'camunda:asyncBefore="true" is accepted and not needed' in result.stdout
    assert "5 note(s)" in result.stdout
    report = cli.json("check", CRON)
    assert report["problems"] == [] and len(report["notes"]) == 5


def test_cli__check_refuses_a_cron_firing_every_few_seconds(cli: Cli, tmp_path: Path) -> None:
    model = tmp_path / "fast.bpmn"
    model.write_text(
        Path(CRON).read_text().replace("0 0 8 ? * MON-FRI", "0/5 0/1 * 1/1 * ?"),
        encoding="utf-8",
    )
    [problem] = cli.json("check", str(model), code=6)["problems"]
    lines = Path(CRON).read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if "<bpmn:timeCycle" in text)
    assert (problem["element_id"], problem["line"]) == ("every_morning", line)
    assert "fires several times a minute" in problem["message"]


def test_cli__a_timer_start_event_starts_items_in_the_deployers_name(
    cli: Cli, tmp_path: Path
) -> None:
    """A Camunda model that starts itself each working morning: deployed with who deploys it
    (refused without, nothing stored), the worker starts one item at the next 08:00 in Hà Nội,
    on the timer's path, and none again at the same moment."""
    model = tmp_path / "morning.bpmn"
    model.write_text(
        Path(CRON)
        .read_text()
        .replace(
            '<bpmn:startEvent id="start" camunda:asyncBefore="true" />',
            '<bpmn:startEvent id="start"><bpmn:timerEventDefinition><bpmn:timeCycle>'
            "0 0 8 ? * MON-FRI</bpmn:timeCycle></bpmn:timerEventDefinition></bpmn:startEvent>",
        ),
        encoding="utf-8",
    )
    cli("groups", "add", "heads")
    cli("users", "add", "binh", "--group", "heads")
    error = cli.json("deploy", str(model), code=6)["error"]
    assert error["reason"] == "timer_start_needs_deployer"
    assert cli.json("processes") == []
    cli("deploy", str(model), "--as", "binh")
    later = (datetime.now(UTC) + timedelta(days=4)).isoformat()
    assert "1 timer start event(s) were due" in cli("timers", "--once", "--now", later).stdout
    assert "timer start" not in cli("timers", "--once", "--now", later).stdout
    [task] = cli.json("tasks", "--as", "binh")
    assert task["element_id"] == "handle"
