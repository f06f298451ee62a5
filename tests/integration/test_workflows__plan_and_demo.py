"""The plan importer starts one item per assignment, once, as written or as a plan of another
year; the demo loads a living office of the current year, and tells each login what to try."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import engine
from cli.main import main
from engine import transaction
from workflows.demo import FIRST_STEPS, bpmn_files, load_demo
from workflows.org_chart import CHART_2020_PATH, load_org_chart, read_org_chart

PLAN = Path(__file__).parents[1] / "fixtures" / "plan" / "ke_hoach_2020.txt"
ROW_KEYS = {
    "section",
    "section_title",
    "summary",
    "text",
    "lead_unit",
    "cooperating_units",
    "deadline",
    "source_deadline",
    "needs_decision",
    "product",
}


@pytest.fixture
def cli(sqlite_url: str, tmp_path: Path) -> Any:
    runner = CliRunner()
    # The demo's drafts are attached files: in the test's folder, never the checkout's.
    env = {"PHEDUYET_DATABASE_URL": sqlite_url, "PHEDUYET_UPLOAD_FOLDER": str(tmp_path / "up")}

    def run(*args: str, code: int = 0) -> Any:
        result = runner.invoke(main, list(args), env=env)
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result

    run("db", "upgrade")
    return run


def _factory(url: str) -> Any:
    return engine.session_factory(engine.create_db_engine(url))


def _office_without_items(url: str) -> None:
    """The org chart and the diagrams, as the demo loads them, and nothing started."""
    with transaction(_factory(url)) as s:
        load_org_chart(s, read_org_chart(CHART_2020_PATH))
        engine.deploy(s, bpmn_files(), engine.ManualClock(datetime.now(UTC)))


def test_plan_import__dry_run_starts_nothing(cli: Any) -> None:
    rows = json.loads(cli("plan", "import", str(PLAN), "--dry-run", "--json").stdout)
    assert len(rows) == 17
    assert {r["section"] for r in rows} >= {"II.1", "II.2", "II.3", "II.4.1", "II.4.2", "II.4.3"}
    assert set(rows[0]) == ROW_KEYS
    assert rows[0]["deadline"] == {"kind": "date", "value": "2020-06-10"}
    assert rows[0]["source_deadline"] is None
    assert rows[0]["lead_unit"] is None and rows[0]["needs_decision"]


def test_plan_import__year_moves_the_deadlines_and_keeps_the_plans_own(cli: Any) -> None:
    rows = json.loads(
        cli("plan", "import", str(PLAN), "--dry-run", "--year", "2026", "--json").stdout
    )
    assert rows[0]["deadline"] == {"kind": "date", "value": "2026-06-10"}
    assert rows[0]["source_deadline"] == {"kind": "date", "value": "2020-06-10"}
    assert rows[0]["text"].endswith("trước ngày 10/6/2020.")  # the plan's words, as written
    table = cli("plan", "import", str(PLAN), "--dry-run", "--year", "2026").stdout
    assert "date 2026-06-10 (plan: 2020-06-10)" in table


@pytest.mark.parametrize(
    ("year", "message"),
    [
        ("abc", "is not a valid integer"),
        ("1999", "2000<=x<=2100"),
        ("2101", "2000<=x<=2100"),
        ("", "is not a valid integer"),
    ],
)
def test_plan_import__a_bad_year_is_a_usage_error(cli: Any, year: str, message: str) -> None:
    result = cli("plan", "import", str(PLAN), "--dry-run", "--year", year, code=2)
    assert message in result.stderr and "--year" in result.stderr
    cli("plan", "import", str(PLAN), "--dry-run", "--year", code=2)  # no value at all


def test_plan_import__one_item_per_assignment_and_only_once(cli: Any, sqlite_url: str) -> None:
    _office_without_items(sqlite_url)
    first = json.loads(cli("plan", "import", str(PLAN), "--json").stdout)
    assert all(r["instance_id"] for r in first)
    again = json.loads(cli("plan", "import", str(PLAN), "--json").stdout)
    assert [r["instance_id"] for r in again] == [None] * 17  # nothing started twice
    moved = json.loads(cli("plan", "import", str(PLAN), "--year", "2026", "--json").stdout)
    assert [r["instance_id"] for r in moved] == [None] * 17  # the same tasks, whatever the year
    with transaction(_factory(sqlite_url)) as s:
        titles = engine.instance_titles(s, "giao_nhiem_vu")
        stuck = engine.stuck(s, datetime.now(UTC))
        data = engine.show_instance(s, first[2]["instance_id"]).data
    assert len(titles) == 17
    # Imported as written, the plan's 2020 deadlines are long past: no unit receives a task
    # overdue on its first day; the leadership sets a new deadline first, told why.
    waiting = {r.instance_id: r for r in stuck if r.title.startswith("II.2")}
    assert waiting and not any(r.overdue for r in waiting.values())
    assert waiting[first[2]["instance_id"]].element_id == "phan_cong"
    assert "Thời hạn trong kế hoạch đã qua" in data["can_quyet_dinh"]
    assert (data["han_hoan_thanh"], data["han_goc"], data["nam_ke_hoach"]) == (
        "2020-06-15",
        None,
        2020,
    )


def _plan_items(s: Any) -> list[engine.InstanceView]:
    ids = {t.instance_id for t in engine.open_tasks(s) if t.process_id == "giao_nhiem_vu"}
    return [engine.show_instance(s, i) for i in sorted(ids)]


@pytest.mark.parametrize(
    "now",
    [
        datetime(2026, 3, 2, 2, 0, tzinfo=UTC),  # before the plan's June dates
        datetime(2026, 9, 15, 3, 0, tzinfo=UTC),  # after them
        datetime(2026, 1, 10, 3, 0, tzinfo=UTC),  # early in the year
    ],
)
def test_demo__a_plan_of_the_current_year_a_few_items_overdue(
    cli: Any, sqlite_url: str, now: datetime
) -> None:
    out = cli("demo", "--now", now.isoformat()).stdout
    assert "plan: 17 new item(s)" in out
    with transaction(_factory(sqlite_url)) as s:
        items = _plan_items(s)
        stuck = engine.stuck(s, now)
        assert engine.verify_audit(s)[1] == []
    assert len(items) == 17  # one item reported done is still open, waiting to be judged
    by_section = {(i.data["section"], i.data["noi_dung"][:25]): i.data for i in items}
    review = next(d for (section, _), d in by_section.items() if section == "II.1")
    # the plan's own date is kept beside the moved one; its words are not touched
    assert (review["han_hoan_thanh"], review["han_goc"]) == ("2026-06-10", "2020-06-10")
    assert review["thoi_han"] == "Trước ngày 10/06/2026"
    assert review["noi_dung_day_du"].endswith("Thời gian hoàn thành trước ngày 10/6/2020.")
    assert "cần chọn đơn vị chủ trì" in review["can_quyet_dinh"]
    for data in (i.data for i in items):
        assert data["nam_ke_hoach"] == 2020
        if data["han_hoan_thanh"]:
            assert data["han_hoan_thanh"].startswith("2026-")
            assert data["han_goc"].startswith("2020-")
        if data.get("han_xu_ly"):
            # "từ năm 2021" of a plan of 2020 is next year in a plan of 2026
            expected = 2027 if data["thoi_han"] == "Từ năm 2027" else 2026
            assert date.fromisoformat(data["han_xu_ly"]).year == expected
    plan_ids = {i.id for i in items}
    late = {r.instance_id for r in stuck if r.overdue and r.instance_id in plan_ids}
    # on purpose: II.1 still waits for its lead unit, one assigned task is past its deadline;
    # after June, the plan's June dates too
    assert 2 <= len(late) <= 5 < len(plan_ids) - len(late)
    others = [r for r in stuck if r.instance_id not in plan_ids]
    assert others and not any(r.overdue for r in others)  # proposals and drafts within time


def test_demo__is_idempotent_and_each_login_says_what_to_try(cli: Any, sqlite_url: str) -> None:
    first = cli("demo").stdout
    assert "pheduyet2026" in first
    lines = {line.split()[0]: line for line in first.splitlines() if line.startswith("  ")}
    people = read_org_chart(CHART_2020_PATH).people  # the demo's chart
    assert set(lines) == {p.username for p in people}  # one line each
    second = cli("demo").stdout
    assert "plan: 0 new item(s); demo items: 0 new" in second
    with transaction(_factory(sqlite_url)) as s:
        assert len(engine.instance_titles(s, "de_xuat_nhiem_vu")) == 9
        steps = {t.element_id for t in engine.open_tasks(s)}
        assert engine.verify_audit(s)[1] == []
        # what each hint says to try is in that person's inbox
        for hint in FIRST_STEPS:
            assert f"{hint.role}: {hint.hint}" in lines[hint.username]
            waiting = {t.element_id for t in engine.tasks_for(s, hint.username)}
            assert set(hint.steps) <= waiting, hint.username
    # the others' lines say what waits for them
    assert "việc đang chờ: " in lines["qlkh.cv2"] and "Xem xét" in lines["qlkh.cv2"]
    assert {
        "xem_xet_de_xuat",
        "lap_phieu_de_xuat",
        "danh_gia_hoi_dong",
        "quyet_dinh_giam_doc",
        "kiem_tra_noi_dung",
        "kiem_tra_the_thuc",
        "tiep_nhan",
        "chi_dao",
        "gop_y",
        "tham_dinh",
        "don_doc",
        "phan_cong",
        "cap_nhat_tien_do",
        "danh_gia_ket_qua",
    } <= steps


def test_demo__a_bad_moment_is_a_usage_error(cli: Any) -> None:
    assert "--now" in cli("demo", "--now", "yesterday", code=2).stderr


def test_demo__on_postgresql(pg_url: str, tmp_path: Path) -> None:
    db = engine.create_db_engine(pg_url)
    try:
        engine.upgrade_database(db)
        factory = engine.session_factory(db)
        now = datetime(2026, 9, 15, 3, 0, tzinfo=UTC)
        report = load_demo(factory, now, tmp_path)
        assert (report.plan_items, report.demo_items) == (17, 11)
        assert load_demo(factory, now, tmp_path).demo_items == 0
        with transaction(factory) as s:
            assert engine.verify_audit(s)[1] == []
            for hint in FIRST_STEPS:
                waiting = {t.element_id for t in engine.tasks_for(s, hint.username)}
                assert set(hint.steps) <= waiting, hint.username
    finally:
        db.dispose()


def test_cli_start__names_an_item_as_the_web_does(cli: Any, sqlite_url: str) -> None:
    """An operator's `pheduyet start` without a title: the catalog's name, or the words of the
    field that names the process's items; a title given also fills that field when empty."""
    _office_without_items(sqlite_url)
    proposal = json.loads(cli("start", "de_xuat_nhiem_vu", "--as", "cs.cv1", "--json").stdout)
    assert proposal["title"] == "Đề xuất nhiệm vụ khoa học và công nghệ"
    words = "Rà soát quy chế quản lý nhiệm vụ\nChi tiết: các điều 5, 7"
    task = json.loads(
        cli(
            "start",
            "giao_nhiem_vu",
            "--as",
            "giamdoc",
            "--data",
            json.dumps({"noi_dung_day_du": words}),
            "--json",
        ).stdout
    )
    assert task["title"] == "Rà soát quy chế quản lý nhiệm vụ"
    named = json.loads(
        cli(
            "start", "de_xuat_nhiem_vu", "--as", "cs.cv1", "--title", "Mô hình nấm", "--json"
        ).stdout
    )
    assert (named["title"], named["data"]["ten_nhiem_vu"]) == ("Mô hình nấm", "Mô hình nấm")


def test_plan_import__the_review_flags_the_deadlines_the_diagram_sends_back(
    cli: Any, sqlite_url: str
) -> None:
    """The review's "Đã hết hạn" (workflows.plan_assign.deadline_passed, on a row of the plan)
    and the diagram's xac_dinh_han (on the item's data) follow one rule,
    workflows.plan_deadline.due_passed: on every row of a real plan, read as a plan of 2026 on
    15/09/2026 (dates, years, "từ năm", yearly, periodic work, none), a row flagged is exactly a
    task given to the leadership for a new deadline, and a task given keeps the rule's day."""
    from workflows import engine_config
    from workflows.plan_assign import deadline_passed, start_assignments
    from workflows.plan_deadline import due_day
    from workflows.plan_import import find_assignments, read_plan
    from workflows.plan_year import in_year

    _office_without_items(sqlite_url)
    config = engine_config(engine.ManualClock(datetime(2026, 9, 15, 3, 0, tzinfo=UTC)))
    today = config.today()
    rows = in_year(find_assignments(read_plan(PLAN)), 2026)
    factory = _factory(sqlite_url)
    with transaction(factory) as s:
        started = start_assignments(s, config, rows, read_org_chart(CHART_2020_PATH), "vp.tp")
    flagged, sent_back = [], []
    with transaction(factory) as s:
        for one in started:
            assert one.instance_id is not None
            data = engine.show_instance(s, one.instance_id).data
            passed = deadline_passed(one.assignment.deadline, today)
            flagged.append(passed)
            sent_back.append("Thời hạn trong kế hoạch đã qua" in (data["can_quyet_dinh"] or ""))
            due = due_day(data["loai_han"], data["gia_tri_han"], today)
            assert data["han_xu_ly"] == (None if passed or due is None else due.isoformat())
    assert flagged == sent_back
    kinds = {str(one.assignment.deadline.kind) for one in started}
    assert {"date", "year", "from_year", "recurring", "none"} <= kinds, kinds
    assert 0 < sum(flagged) < len(flagged)
