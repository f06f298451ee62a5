"""The plan importer starts one item per assignment, once; the demo loads a living office."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import engine
from cli.main import main
from engine import transaction

PLAN = Path(__file__).parents[1] / "fixtures" / "plan" / "ke_hoach_2020.txt"


@pytest.fixture
def cli(sqlite_url: str) -> Any:
    runner = CliRunner()
    env = {"PHEDUYET_DATABASE_URL": sqlite_url}

    def run(*args: str, code: int = 0) -> Any:
        result = runner.invoke(main, list(args), env=env)
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result

    run("db", "upgrade")
    return run


def test_plan_import__dry_run_starts_nothing(cli: Any) -> None:
    rows = json.loads(cli("plan", "import", str(PLAN), "--dry-run", "--json").stdout)
    assert len(rows) == 17
    assert {r["section"] for r in rows} >= {"II.1", "II.2", "II.3", "II.4.1", "II.4.2", "II.4.3"}
    assert set(rows[0]) == {
        "section",
        "summary",
        "lead_unit",
        "cooperating_units",
        "deadline",
        "needs_decision",
    }
    assert rows[0]["deadline"] == {"kind": "date", "value": "2020-06-10"}
    assert rows[0]["lead_unit"] is None and rows[0]["needs_decision"]


def test_plan_import__one_item_per_assignment_and_only_once(cli: Any, sqlite_url: str) -> None:
    cli("demo")  # org chart and diagrams (and the plan once already)
    again = json.loads(cli("plan", "import", str(PLAN), "--json").stdout)
    assert [r["instance_id"] for r in again] == [None] * 17  # nothing started twice
    factory = engine.session_factory(engine.create_db_engine(sqlite_url))
    with transaction(factory) as s:
        titles = engine.instance_titles(s, "giao_nhiem_vu")
        stuck = engine.stuck(s, datetime.now(UTC))
    assert len(titles) == 17
    overdue = [r for r in stuck if r.title.startswith("II.2") and r.overdue]
    assert overdue  # the plan's 2020 deadlines are long past


def test_demo__is_idempotent_and_prints_logins(cli: Any, sqlite_url: str) -> None:
    first = cli("demo").stdout
    assert "pheduyet2026" in first and "giamdoc" in first and "qlkh.cv1" in first
    second = cli("demo").stdout
    assert "plan: 0 new item(s); demo items: 0 new" in second
    factory = engine.session_factory(engine.create_db_engine(sqlite_url))
    with transaction(factory) as s:
        assert len(engine.instance_titles(s, "de_xuat_nhiem_vu")) == 4
        steps = {t.element_id for t in engine.open_tasks(s)}
        assert engine.verify_audit(s)[1] == []
    assert {
        "xem_xet_de_xuat",
        "lap_phieu_de_xuat",
        "kiem_tra_the_thuc",
        "gop_y",
        "tham_dinh",
        "don_doc",
        "phan_cong",
        "cap_nhat_tien_do",
    } <= steps
