"""`pheduyet org load`: a production database gets its units from the shipped 2025 chart (or
another), idempotently, without touching a password; a broken chart changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import engine
from cli.main import main
from workflows.org_chart import CHART_2020_PATH, DEFAULT_PATH


class Cli:
    def __init__(self, url: str) -> None:
        self.runner = CliRunner()
        self.url = url

    def __call__(self, *args: str, code: int = 0, stdin: str | None = None) -> Any:
        env = {"PHEDUYET_DATABASE_URL": self.url}
        result = self.runner.invoke(main, list(args), env=env, input=stdin)
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)

    def snapshot(self) -> tuple[Any, ...]:
        """Every group, unit and person the database holds."""
        db = engine.create_db_engine(self.url)
        try:
            with engine.transaction(engine.session_factory(db), write=False) as s:
                return (engine.list_groups(s), engine.list_units(s), engine.list_users(s))
        finally:
            db.dispose()

    def logs_in(self, *usernames: str, password: str = "mật khẩu ban đầu") -> dict[str, bool]:
        """Whether each person's password is right, checked as the login checks it: the
        credentials read, then the hash verified outside the transaction."""
        db = engine.create_db_engine(self.url)
        try:
            with engine.transaction(engine.session_factory(db), write=False) as s:
                found = {u: engine.credentials(s, u) for u in usernames}
        finally:
            db.dispose()
        return {u: engine.verify_password(c, password) for u, c in found.items()}


@pytest.fixture
def cli(sqlite_url: str) -> Cli:
    run = Cli(sqlite_url)
    run("db", "upgrade")
    return run


def test_loads_the_2025_chart_by_default(cli: Cli) -> None:
    result = cli("org", "load")
    groups, units, people = cli.snapshot()
    keys = {key for key, _name in units}
    assert {"van_phong_so", "phong_qlkh", "phong_cds", "chi_cuc_tdc"} <= keys
    assert len(keys) == 9
    assert "thanh_tra_so" not in dict(groups)
    assert dict(groups)["van_phong_so.lanh_dao"] == "Lãnh đạo Văn phòng Sở"
    vp = next(p for p in people if p.username == "vp.tp")
    assert vp.unit == "van_phong_so" and "van_phong_so.lanh_dao" in vp.groups
    # Nobody was given a password, and the output says what that means.
    assert cli.logs_in("vp.tp", "giamdoc") == {"vp.tp": False, "giamdoc": False}
    assert "cannot log in until one is set in Quản trị" in result.stdout
    assert "units: 9 created, 0 updated, 0 kept" in result.stdout


def test_loading_twice_changes_nothing(cli: Cli) -> None:
    first = cli.json("org", "load")
    before = cli.snapshot()
    second = cli.json("org", "load")
    assert cli.snapshot() == before
    assert {c["state"] for c in first["changes"]} == {"created"}
    assert {c["state"] for c in second["changes"]} == {"kept"}
    assert second["without_password"] == []


def test_a_password_file_gives_new_people_a_password_and_never_resets_one(
    cli: Cli, tmp_path: Path
) -> None:
    cli("users", "add", "vp.tp", "--password-stdin", stdin="mật khẩu riêng của Hoa\n")
    secret = tmp_path / "password.txt"
    secret.write_text("mật khẩu ban đầu\n", encoding="utf-8")
    # Two people of the shipped chart only: every password costs a slow hash.
    chart = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    chart["users"] = [u for u in chart["users"] if u["username"] in {"vp.tp", "giamdoc"}]
    small = tmp_path / "chart.json"
    small.write_text(json.dumps(chart, ensure_ascii=False), encoding="utf-8")
    out = cli.json("org", "load", "--chart", str(small), "--password-file", str(secret))
    # She keeps her own password; a new person gets the file's.
    assert cli.logs_in("vp.tp", "giamdoc") == {"vp.tp": False, "giamdoc": True}
    assert cli.logs_in("vp.tp", password="mật khẩu riêng của Hoa") == {"vp.tp": True}
    states = {c["key"]: (c["state"], c["password"]) for c in out["changes"] if c["password"]}
    assert states["vp.tp"] == ("updated", "kept")
    assert states["giamdoc"] == ("created", "set")
    assert out["without_password"] == []


def test_the_2020_chart_over_the_2025_one_adds_and_removes_nothing_else(cli: Cli) -> None:
    cli("org", "load")
    out = cli.json("org", "load", "--chart", str(CHART_2020_PATH))
    keys = {key for key, _name in cli.snapshot()[1]}
    assert {"thanh_tra_so", "phong_cds"} <= keys
    assert "phong_cds" in out["units_not_in_chart"]


@pytest.mark.parametrize(
    "content",
    [
        "{ not json",
        "[]",
        json.dumps({"organisation": "Sở", "units": [], "groups": [], "users": []}),
        # A person in a group the chart does not have: refused before anything is written.
        json.dumps(
            {
                **json.loads(DEFAULT_PATH.read_text(encoding="utf-8")),
                "users": [
                    {
                        "username": "x",
                        "name": "X",
                        "title": "Chuyên viên",
                        "unit": "van_phong_so",
                        "groups": ["khong_co"],
                    }
                ],
            }
        ),
    ],
)
def test_a_broken_chart_exits_6_and_loads_nothing(cli: Cli, tmp_path: Path, content: str) -> None:
    before = cli.snapshot()
    broken = tmp_path / "chart.json"
    broken.write_text(content, encoding="utf-8")
    out = cli.json("org", "load", "--chart", str(broken), code=6)
    assert out["error"]["code"] == "invalid_input"
    assert "nothing was loaded" in out["error"]["message"] or "JSON" in out["error"]["message"]
    assert cli.snapshot() == before
    assert cli.snapshot()[1] == []


def test_refuses_a_missing_file_a_short_password_and_both_password_options(
    cli: Cli, tmp_path: Path
) -> None:
    cli("org", "load", "--chart", str(tmp_path / "none.json"), code=6)
    short = tmp_path / "short.txt"
    short.write_text("ngắn\n", encoding="utf-8")
    cli("org", "load", "--password-file", str(short), code=6)
    cli("org", "load", "--password-file", str(short), "--no-passwords", code=2)
    assert cli.snapshot()[1] == []


def test_org_load__a_person_the_chart_puts_in_no_unit_leaves_the_one_held(cli: Cli) -> None:
    """A database loaded when the administrator was of Văn phòng Sở: loading the chart again
    takes them out of it, as the chart now says (they held the office's tasks)."""
    cli("org", "load")
    db = engine.create_db_engine(cli.url)
    try:
        factory = engine.session_factory(db)
        with engine.transaction(factory) as s:
            engine.add_user(s, "quantri", unit="van_phong_so")
        cli("org", "load")
        with engine.transaction(factory, write=False) as s:
            assert engine.get_identity(s, "quantri").unit is None
    finally:
        db.dispose()
