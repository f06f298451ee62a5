"""`pheduyet deploy`, `start --data` and `check` with a Camunda model's forms: the folder's HTML
form and Camunda Form deploy with it, the start data is checked against the start event's
formData (exit 6 naming the field), and a form key naming no file is refused with the file."""

from __future__ import annotations

import json

import pytest

from tests.integration.test_cli__contract import FIXTURES, Cli

FORMS = FIXTURES / "camunda_forms"


@pytest.fixture
def cli(sqlite_url: str) -> Cli:
    run = Cli(sqlite_url)
    run("db", "upgrade")
    run("deploy", str(FORMS / "purchase"))
    run("users", "add", "an", "--name", "Nguyễn Văn An")
    return run


def test_cli__start_data_is_checked_against_the_start_form(cli: Cli) -> None:
    good = json.dumps({"amount": 500000, "purpose": "Giấy in"})
    item = cli.json("start", "purchase_request", "--as", "an", "--data", good)
    assert item["status"] == "running"
    bad = json.dumps({"amount": 0, "purpose": "Giấy in", "channel": "phone"})
    error = cli.json("start", "purchase_request", "--as", "an", "--data", bad, code=6)["error"]
    assert error["code"] == "invalid_data"
    assert error["field_codes"]["amount"]["code"] == "min"
    assert error["field_codes"]["channel"]["code"] == "read_only"


def test_cli__a_missing_form_is_refused_at_deploy_and_in_check(cli: Cli) -> None:
    error = cli.json("deploy", str(FORMS / "missing"), code=6)["error"]
    assert (error["reason"], error["form"], error["line"]) == ("form_missing", "request.html", 6)
    assert error["file"].endswith("missing_form.bpmn") and "request.html" in error["message"]
    report = cli.json("check", str(FORMS), code=6)
    (problem,) = report["problems"]
    assert problem["reason"] == "form_missing" and problem["element_id"] == "fill_in"
