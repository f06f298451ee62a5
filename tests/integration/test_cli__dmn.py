"""The command line of Camunda decision tables: `pheduyet check` and `pheduyet deploy` refuse a
business rule task calling a decision no file defines with exit 6 naming file, element and
line; an item whose UNIQUE table matched two rules is in error, and `pheduyet retry ITEM --data`
runs the decision again on the fixed data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.integration.test_cli__contract import FIXTURES, Cli

DMN = FIXTURES / "camunda_dmn"


@pytest.fixture
def cli(sqlite_url: str) -> Cli:
    run = Cli(sqlite_url)
    run("db", "upgrade")
    return run


def test_cli__a_unique_conflict_is_retried_with_fixed_data(cli: Cli) -> None:
    cli("deploy", str(DMN))
    cli("users", "add", "an")
    item = cli.json("start", "risk_check", "--as", "an", "--data", '{"score": 45}')
    assert item["status"] == "error"
    assert "matched more than one rule: rule_low, rule_high" in item["error"]
    refused = cli.json("retry", str(item["id"]), "--data", "[1]", code=6)["error"]
    assert refused["reason"] == "not_an_object"
    assert (
        cli("retry", str(item["id"]), "--data", '{"score": 20}').stdout.strip()
        == f"item {item['id']} retried; it is completed"
    )
    shown = cli.json("show", str(item["id"]))
    assert shown["data"]["risk"] == "low" and shown["data"]["score"] == 20
    kinds = [h["kind"] for h in shown["history"]]
    assert kinds.count("decision_evaluated") == 1 and kinds.count("retried") == 1


def test_cli__a_missing_decision_is_refused_with_exit_6(cli: Cli, tmp_path: Path) -> None:
    folder = tmp_path / "models"
    shutil.copytree(DMN, folder)
    (folder / "risk_level.dmn").unlink()
    error = cli.json("deploy", str(folder), code=6)["error"]
    lines = (DMN / "risk_check.bpmn").read_text().splitlines()
    line = next(n for n, text in enumerate(lines, 1) if 'id="rate_risk"' in text)
    assert (error["file"], error["element_id"], error["line"]) == (
        str(folder / "risk_check.bpmn"),
        "rate_risk",
        line,
    )
    assert "decision 'riskLevel'" in error["message"]
    report = cli("check", str(folder), code=6).stdout
    assert "rate_risk" in report and "deploy its .dmn file together with the diagram" in report
