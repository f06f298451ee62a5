"""Reads that stream their rows a batch at a time (the Theo dõi export, `pheduyet stuck`) work on
both databases: on PostgreSQL they keep a transaction for their server-side cursor, where the
other reads run in autocommit (engine.transaction's `stream`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from openpyxl import load_workbook

from cli.main import main
from engine import ManualClock
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.web.both_databases import app_on


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, tmp_path: Path, web_clock: ManualClock) -> Iterator[Flask]:
    """Each test on SQLite and on PostgreSQL."""
    yield from app_on(request, tmp_path, web_clock)


def test_streamed_reads__the_export_and_stuck_list_the_waiting_item(
    app: Flask, login: Any, office: Any
) -> None:
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)

    response = login("giamdoc").get("/monitor/export.xlsx")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.data)).active
    assert sheet is not None
    assert item in [row[0] for row in sheet.iter_rows(min_row=3, values_only=True)]

    env = {"PHEDUYET_DATABASE_URL": app.config["DATABASE_URL"]}
    runner = CliRunner()
    listed = runner.invoke(main, ["stuck", "--json"], env=env)
    assert listed.exit_code == 0, (listed.stdout, listed.stderr, listed.exception)
    assert item in [row["instance_id"] for row in json.loads(listed.stdout)]
    table = runner.invoke(main, ["stuck"], env=env)
    assert table.exit_code == 0, (table.stdout, table.stderr, table.exception)
    assert str(item) in table.stdout
