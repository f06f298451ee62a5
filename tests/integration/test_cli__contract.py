"""The `pheduyet` command line: its exact JSON shapes, readable tables and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from cli.main import main

FIXTURES = Path(__file__).parents[1] / "fixtures"
TASK_KEYS = {
    "id",
    "instance_id",
    "process_id",
    "element_id",
    "title",
    "lane",
    "candidate_groups",
    "candidate_users",
    "assignee",
    "status",
    "created_at",
    "due_at",
}
INSTANCE_KEYS = {
    "id",
    "process_id",
    "version",
    "title",
    "status",
    "created_by",
    "created_at",
    "data",
    "open_tasks",
    "history",
}
HISTORY_KEYS = {
    "at",
    "actor",
    "kind",
    "element_id",
    "decision",
    "comment",
    "task_id",
    "handed_to",  # a forward or hand-over: to whom
    "outcome",  # the end: the end event reached, by its name
}
STUCK_KEYS = {
    "instance_id",
    "title",
    "task_id",
    "element_id",
    "lane",
    "holder",
    "since",
    "age_days",
    "due_at",
    "overdue",
    "step",
}


class Cli:
    def __init__(self, url: str) -> None:
        self.runner = CliRunner()
        self.env = {"PHEDUYET_DATABASE_URL": url}

    def __call__(self, *args: str, code: int = 0, stdin: str | None = None) -> Any:
        result = self.runner.invoke(main, list(args), env=self.env, input=stdin)
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)


@pytest.fixture
def cli(sqlite_url: str) -> Cli:
    run = Cli(sqlite_url)
    run("db", "upgrade")
    run("deploy", str(FIXTURES / "spiff"), str(FIXTURES / "camunda"))
    run("groups", "add", "staff", "--name", "Nhân viên")
    run("groups", "add", "heads", "--name", "Lãnh đạo")
    run("users", "add", "an", "--name", "Nguyễn Văn An", "--group", "staff")
    run("users", "add", "binh", "--group", "heads", "--password-stdin", stdin="mật khẩu dài\n")
    run("users", "add", "em", "--unit", "phong_qlkh")
    return run


def test_cli__deploy_twice_is_a_no_op(cli: Cli) -> None:
    again = cli.json("deploy", str(FIXTURES / "spiff"))
    assert again == [
        {
            "process_id": "approval",
            "version": 1,
            "content_hash": again[0]["content_hash"],
            "created": False,
        }
    ]
    processes = cli.json("processes")
    assert {p["process_id"]: p["version"] for p in processes} == {"approval": 1, "unit_task": 1}


def test_cli__a_whole_item_through_the_commands(cli: Cli) -> None:
    item = cli.json(
        "start",
        "approval",
        "--as",
        "an",
        "--title",
        "Đề xuất 1",
        "--data",
        '{"field": "nông nghiệp"}',
    )
    assert set(item) >= INSTANCE_KEYS
    assert (item["title"], item["status"], item["created_by"]) == ("Đề xuất 1", "running", "an")
    [task] = item["open_tasks"]
    assert set(task) == TASK_KEYS
    assert cli.json("tasks", "--as", "an") == [task]
    assert cli.json("tasks", "--as", "binh") == []
    assert cli.json("tasks", "--all") == [task]

    done = cli.json(
        "complete",
        task["id"],
        "--as",
        "an",
        "--data",
        '{"summary": "Nấm"}',
        "--comment",
        "Kính trình",
    )
    [review] = done["open_tasks"]
    cli("claim", review["id"], "--as", "binh")
    cli("unclaim", review["id"], "--as", "binh")
    cli.json(
        "complete",
        review["id"],
        "--as",
        "binh",
        "--data",
        '{"decision": "return"}',
        "--comment",
        "Thiếu dự toán",
    )
    shown = cli.json("show", str(item["id"]))
    assert set(shown["history"][0]) == HISTORY_KEYS
    assert [(h["kind"], h["decision"], h["comment"]) for h in shown["history"]][-1] == (
        "completed",
        "return",
        "Thiếu dự toán",
    )

    stuck = cli.json("stuck", "--now", "2030-01-01T00:00:00+00:00")
    assert len(stuck) == 1 and set(stuck[0]) == STUCK_KEYS
    assert stuck[0]["holder"] == "Staff" and stuck[0]["age_days"] > 1000

    text = cli("show", str(item["id"])).stdout
    assert "Đề xuất 1" in text and "Thiếu dự toán" in text
    cli("cancel", str(item["id"]), "--as", "an", "--reason", "Rút lại")
    assert cli.json("show", str(item["id"]))["status"] == "cancelled"
    assert "intact" in cli("audit", "verify").stdout


@pytest.mark.parametrize(
    ("args", "code", "error_code"),
    [
        (["start", "missing", "--as", "an"], 3, "not_found"),
        (["start", "approval", "--as", "nobody"], 3, "not_found"),
        (["start", "approval", "--as", "an", "--data", "{bad"], 6, "invalid_data"),
        (["start", "approval", "--as", "an", "--data", "[1, 2]"], 6, "invalid_data"),
        (["show", "999"], 3, "not_found"),
        (["complete", "00000000-0000-0000-0000-000000000000", "--as", "an"], 3, "not_found"),
    ],
)
def test_cli__errors_have_their_exit_code_and_one_json_object(
    cli: Cli, args: list[str], code: int, error_code: str
) -> None:
    result = cli(*args, "--json", code=code)
    assert json.loads(result.stdout)["error"]["code"] == error_code
    plain = cli(*args, code=code)
    assert plain.stdout == "" and plain.stderr.startswith("error: ")
    assert len(plain.stderr.strip().splitlines()) == 1


def test_cli__forbidden_conflict_and_usage(cli: Cli) -> None:
    [task] = cli.json("start", "approval", "--as", "an")["open_tasks"]
    cli("complete", task["id"], "--as", "binh", code=4)
    cli("complete", task["id"], "--as", "an", "--data", '{"summary": "x"}')
    again = cli("complete", task["id"], "--as", "an", "--data", '{"summary": "y"}', code=5)
    assert "already handled by an" in again.stderr
    cli("complete", task["id"], code=2)  # --as is required
    cli("tasks", code=2)
    cli("stuck", "--now", "yesterday", code=2)


def test_cli__a_refused_diagram_names_file_element_and_line(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "broken.bpmn"
    text = (FIXTURES / "spiff" / "approval.bpmn").read_text()
    bad.write_text(text.replace("approved = True", "import os"))
    out = cli.json(
        "deploy",
        str(bad),
        str(FIXTURES / "spiff" / "draft.json"),
        str(FIXTURES / "spiff" / "review.json"),
        code=6,
    )["error"]
    assert out["code"] == "invalid_definition"
    assert (out["file"].endswith("broken.bpmn"), out["element_id"]) == (True, "finish")
    assert out["line"] == 63 and "import" in out["message"]
    assert cli.json("processes")[0]["version"] == 1


def test_cli__timers_once_at_a_given_moment(cli: Cli) -> None:
    [task] = cli.json("start", "approval", "--as", "an")["open_tasks"]
    cli("complete", task["id"], "--as", "an", "--data", '{"summary": "x"}')
    assert "0 item(s)" in cli("timers", "--once").stdout
    assert "1 item(s)" in cli("timers", "--once", "--now", "2099-01-01T00:00:00Z").stdout
    assert "0 item(s)" in cli("timers", "--once", "--now", "2099-01-01T00:00:00Z").stdout


def test_cli__database_not_set_up_is_one_clear_line(tmp_path: Path) -> None:
    run = Cli(f"sqlite:///{tmp_path / 'empty.db'}")
    result = run("processes", code=1)
    assert "pheduyet db upgrade" in result.stderr
