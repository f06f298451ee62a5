"""`pheduyet check` and `deploy` take a folder of Camunda 7 deploy units as Camunda does: a
`*.bpmn20.xml` diagram is read beside `*.bpmn` files, once (issue 12)."""

from __future__ import annotations

from tests.integration.test_cli__contract import FIXTURES, Cli

CORPUS = FIXTURES / "camunda_corpus"


def test_cli__a_bpmn20_xml_diagram_is_checked_and_deployed_from_its_folder(
    sqlite_url: str,
) -> None:
    cli = Cli(sqlite_url)
    report = cli.json("check", str(CORPUS))
    assert report["problems"] == []
    assert "overtime" in report["processes"]  # overtime.bpmn20.xml, checked once
    cli("db", "upgrade")
    cli("deploy", str(CORPUS))
    assert "overtime" in {p["process_id"] for p in cli.json("processes")}
