"""The command line of service tasks: `pheduyet deploy` refuses an unmapped one with exit 6
naming file, element, line and key; `pheduyet check` lists every such problem without a
database; `pheduyet retry ITEM` runs an item parked by a failed call again. The services module
is a Python file named by PHEDUYET_SERVICES."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.integration.test_cli__contract import FIXTURES, Cli

SERVICES = FIXTURES / "services"
DIAGRAMS = [str(p) for p in sorted(SERVICES.glob("*.bpmn"))]


def handlers_file(tmp_path: Path, drop: str | None = None) -> str:
    """A fresh copy per test (the module is loaded once per path), minus one key if asked."""
    path = tmp_path / (f"without_{drop.replace(':', '_')}.py" if drop else "handlers.py")
    text = (FIXTURES / "service_handlers" / "handlers.py").read_text()
    if drop:
        text = "\n".join(line for line in text.splitlines() if not line.startswith(f'    "{drop}"'))
    path.write_text(text)
    return str(path)


@pytest.fixture
def cli(sqlite_url: str, tmp_path: Path) -> Cli:
    run = Cli(sqlite_url)
    run.env["PHEDUYET_SERVICES"] = handlers_file(tmp_path)
    run("db", "upgrade")
    return run


def test_cli__deploy_refuses_an_unmapped_service_task_with_exit_6(cli: Cli, tmp_path: Path) -> None:
    cli.env["PHEDUYET_SERVICES"] = handlers_file(tmp_path, drop="connector:http-connector")
    error = cli.json("deploy", *DIAGRAMS, code=6)["error"]
    assert error["code"] == "invalid_definition"
    assert error["file"].endswith("camunda_services.bpmn")
    lines = (SERVICES / "camunda_services.bpmn").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if 'id="st_connector"' in text)
    assert (error["element_id"], error["line"]) == ("st_connector", line)
    assert (error["reason"], error["key"]) == ("service_unmapped", "connector:http-connector")
    assert "map 'connector:http-connector' in the services module" in error["message"]
    assert cli.json("processes") == []


def test_cli__without_a_services_module_every_service_task_is_refused(cli: Cli) -> None:
    cli.env["PHEDUYET_SERVICES"] = ""
    result = cli("deploy", *DIAGRAMS, code=6)
    assert "PHEDUYET_SERVICES" in result.stderr


def test_cli__retry_runs_an_item_in_error_again(cli: Cli) -> None:
    cli("deploy", *DIAGRAMS)
    cli("users", "add", "an")
    item = cli.json(
        "start",
        "camunda_services",
        "--as",
        "an",
        "--data",
        '{"archive_down": true, "invoice": "HD-02"}',
    )
    assert item["status"] == "error"
    assert "ConnectionError: kho lưu trữ không phản hồi" in item["error"]
    assert (
        cli("retry", str(item["id"])).stdout.strip()
        == f"item {item['id']} retried; it is completed"
    )
    again = cli.json("retry", str(item["id"]), code=5)["error"]
    assert again["reason"] == "not_in_error"
    shown = cli.json("show", str(item["id"]))
    kinds = [h["kind"] for h in shown["history"]]
    assert kinds.count("service_called") == 6 and "retried" in kinds


def test_cli__check_lists_every_problem_of_a_folder_and_exits_6(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "models"
    shutil.copytree(SERVICES, folder)
    (folder / "broken.bpmn").write_text(
        (SERVICES / "camunda_after_user.bpmn")
        .read_text()
        .replace('id="camunda_after_user"', 'id="broken"')
        .replace('targetRef="gw"', 'targetRef="nowhere"')
    )
    cli.env["PHEDUYET_SERVICES"] = handlers_file(tmp_path, drop="notifier")
    cli.env["PHEDUYET_DATABASE_URL"] = "sqlite:////nonexistent/folder/no.db"  # no database used
    report = cli.json("check", str(folder), code=6)
    found = {(Path(p["file"]).name, p["element_id"], p["reason"]) for p in report["problems"]}
    assert found == {
        ("camunda_services.bpmn", "st_delegate", "service_unmapped"),
        ("broken.bpmn", "f3", "flow_end_unknown"),
    }
    assert sorted(report["processes"]) == [
        "camunda_after_user",
        "camunda_send_rule",
        "spiff_services",
    ]
    table = cli("check", str(folder), code=6).stdout
    assert "map 'notifier' in the services module" in table
    assert "2 problem(s) in 5 file(s)" in table


def test_cli__check_of_models_that_all_run_exits_0(cli: Cli) -> None:
    result = cli("check", str(SERVICES))
    assert "nothing refused" in result.stdout
