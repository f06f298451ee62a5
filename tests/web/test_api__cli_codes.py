"""The same refusal through the API and through the CLI's --json carries the same `code`, and the
same per-field codes for a form's errors (issue 11: "the CLI's --json errors carry the same
code"): a program may move between the two without learning new words."""

from __future__ import annotations

import json
from typing import Any

from click.testing import CliRunner
from flask import Flask

from cli.main import main
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.web.api_helpers import api_as
from tests.web.test_api__items import START


def _cli(app: Flask, *args: str) -> dict[str, Any]:
    result = CliRunner().invoke(
        main, [*args, "--json"], env={"PHEDUYET_DATABASE_URL": app.config["DATABASE_URL"]}
    )
    assert result.exit_code != 0, result.stdout
    error: dict[str, Any] = json.loads(result.stdout)["error"]
    return error


def test_api_and_cli__a_refusal_has_one_code(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    item = api.post(START, {})[1]["id"]
    (task,) = api.get(f"/items/{item}")[1]["open_tasks"]
    complete = ("complete", task["id"], "--as", "trungtam.cv1", "--data")

    # A form's errors: invalid_data, each field with its code (an unknown one, a missing one).
    status, body = api.post(f"/tasks/{task['id']}/complete", {"data": {"khong_co": 1}})
    by_api = {name: f["code"] for name, f in body["error"]["fields"].items()}
    cli = _cli(app, *complete, '{"khong_co": 1}')
    by_cli = {name: f["code"] for name, f in cli["field_codes"].items()}
    assert (status, body["error"]["code"], cli["code"]) == (422, "invalid_data", "invalid_data")
    assert by_api == by_cli and by_api["khong_co"] == "unknown"
    assert by_api["ten_nhiem_vu"] == "required"

    # No such item: not_found.
    status, body = api.get("/items/999")
    assert (status, body["error"]["code"]) == (404, "not_found")
    assert _cli(app, "show", "999")["code"] == "not_found"

    # A step done already: conflict, with the same reason when the engine names one.
    status, _done = api.post(f"/tasks/{task['id']}/complete", {"data": PHIEU})
    assert status == 200
    status, body = api.post(f"/tasks/{task['id']}/complete", {"data": PHIEU})
    cli = _cli(app, *complete, json.dumps(PHIEU))
    assert (status, body["error"]["code"]) == (409, cli["code"])
    assert body["error"].get("reason") == cli.get("reason")
