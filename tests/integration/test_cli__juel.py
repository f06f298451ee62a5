"""`pheduyet deploy` of Camunda 7 models written in JUEL: the subset deploys; anything outside
it exits 6 naming the file, the element, the line and the expression, and deploys nothing."""

from __future__ import annotations

import pytest

from tests.integration.test_cli__contract import FIXTURES, Cli

REFUSED = FIXTURES / "camunda_juel_refused"


@pytest.fixture
def cli(sqlite_url: str) -> Cli:
    run = Cli(sqlite_url)
    run("db", "upgrade")
    return run


def test_cli__juel_models_deploy(cli: Cli) -> None:
    cli("deploy", str(FIXTURES / "camunda_juel"))
    listed = {p["process_id"] for p in cli.json("processes")}
    assert listed == {"juel_purchase", "juel_quorum", "juel_reviews"}


@pytest.mark.parametrize(
    ("name", "element_id", "line", "words"),
    [
        (
            "juel_method_call.bpmn",
            "sign",
            6,
            ("${dateTime().withTimeAtStartOfDay()", "no method withTimeAtStartOfDay()"),
        ),
        (
            "juel_set_variable.bpmn",
            "f_yes",
            8,  # the condition's own line
            ('${execution.setVariable("approved", true)}', "may only read it"),
        ),
    ],
)
def test_cli__juel_outside_the_subset_exits_6_naming_where(
    cli: Cli, name: str, element_id: str, line: int, words: tuple[str, ...]
) -> None:
    error = cli.json("deploy", str(REFUSED / name), code=6)["error"]
    assert error["code"] == "invalid_definition"
    assert (error["element_id"], error["line"]) == (element_id, line)
    assert error["file"].endswith(name)
    assert all(word in error["message"] for word in words), error["message"]
    assert cli.json("processes") == []
