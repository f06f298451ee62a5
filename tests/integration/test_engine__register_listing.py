"""The register of outgoing documents as a read model (engine.register_listing, register_book,
register_books) and as the CLI prints it (`pheduyet registers`): the numbers the issuing step
took, with their item, issuer and status, newest first in keyset pages or in register order."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

import engine
from cli.main import main
from engine.registers import RegisterField, issue_number
from tests.conftest import START
from tests.office import TO_TRINH, Office
from workflows.register_access import may_read_register
from workflows.roles import AUDITOR_GROUPS

HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
TTR = RegisterField("so_ky_hieu", "TTr", "/TTr-SKHCN")
QD = RegisterField("so_ky_hieu", "QĐ", "/QĐ-SKHCN")
ALL_2026 = engine.RegisterFilter(year=2026)


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


@pytest.fixture
def two(office: Office) -> tuple[int, int]:
    first = office.issued_to_trinh("Về việc phê duyệt danh mục nhiệm vụ năm 2027")
    office.clock.advance(timedelta(days=1))
    return first, office.issued_to_trinh("Về việc ban hành quy định quản lý nhiệm vụ")


def identity(office: Office, username: str) -> engine.Identity:
    with engine.transaction(office.factory) as s:
        return engine.get_identity(s, username)


def test_register_listing__the_issued_numbers_newest_first(
    office: Office, two: tuple[int, int]
) -> None:
    first, second = two
    clerk = identity(office, "vp.vanthu")
    with engine.transaction(office.factory, write=False) as s:
        page = engine.register_listing(s, ALL_2026, clerk, AUDITOR_GROUPS)
    assert page.next_cursor is None
    assert [(r.text, r.instance_id, r.status) for r in page.rows] == [
        ("02/TTr-SKHCN", second, "issued"),
        ("01/TTr-SKHCN", first, "issued"),
    ]
    newest = page.rows[0]
    assert newest.title == "Về việc ban hành quy định quản lý nhiệm vụ"
    assert newest.process_id == "trinh_ubnd"
    assert newest.issued_at == START + timedelta(days=1)
    assert (newest.issued_by, newest.issued_by_name) == ("vp.vanthu", "Lê Thị Mai (Văn thư)")
    # The văn thư was a candidate of the issuing step: the item is theirs to open.
    assert all(r.may_view for r in page.rows)


def test_register_listing__a_number_keeps_its_documents_trich_yeu_and_signer(
    office: Office,
) -> None:
    """The tờ trình's own trích yếu, not its item's name; the deputy who signed it (KT.)."""
    with engine.transaction(office.factory) as s:
        item = engine.start_instance(
            s,
            office.config,
            "trinh_ubnd",
            "qlkh.cv1",
            title="Chuỗi lúa gạo BG1",
            data={"don_vi_soan_thao": "phong_qlkh"},
        )
    trich_yeu = "Về việc phê duyệt nhiệm vụ   “Chuỗi lúa gạo BG1”"
    office.do("qlkh.cv1", item, "soan_to_trinh", **{**TO_TRINH, "trich_yeu": trich_yeu})
    office.issue(item, "qlkh.tp", signer="phogiamdoc")
    with engine.transaction(office.factory, write=False) as s:
        (row,) = engine.register_listing(s, ALL_2026, None).rows
        found = engine.register_listing(s, engine.RegisterFilter(year=2026, text="phê duyệt"), None)
    assert (row.title, row.summary, row.trich_yeu) == (
        "Chuỗi lúa gạo BG1",
        "Về việc phê duyệt nhiệm vụ “Chuỗi lúa gạo BG1”",
        "Về việc phê duyệt nhiệm vụ “Chuỗi lúa gạo BG1”",
    )
    assert (row.signer, row.signer_name) == ("phogiamdoc", "Lê Thị Thanh (Phó Giám đốc Sở)")
    assert office.show(item).data["hinh_thuc_ky"] == "kt_giam_doc"
    assert [r.id for r in found.rows] == [row.id]


def test_register_listing__the_item_link_follows_the_items_visibility(
    office: Office, two: tuple[int, int]
) -> None:
    clerk, inspector = identity(office, "khtc.cv1"), identity(office, "tt.tp")
    with engine.transaction(office.factory, write=False) as s:
        stranger = engine.register_listing(s, ALL_2026, clerk)
        auditor = engine.register_listing(s, ALL_2026, inspector, AUDITOR_GROUPS)
        operator = engine.register_listing(s, ALL_2026, None)
    assert [r.may_view for r in stranger.rows] == [False, False]
    assert [r.may_view for r in auditor.rows] == [True, True]
    assert [r.may_view for r in operator.rows] == [True, True]


def test_register_listing__who_may_read_the_register(office: Office) -> None:
    # The Văn phòng Sở (whose lane issues the numbers), the Sở's leadership, the administrator.
    for username in ("vp.vanthu", "vp.cv2", "vp.tp", "giamdoc", "phogiamdoc", "quantri"):
        assert may_read_register(identity(office, username)), username
    # Whoever the auditors are at the time.
    for group in AUDITOR_GROUPS:
        who = engine.Identity("x", "X", None, (group,), frozenset({group}))
        assert may_read_register(who), group
    for username in ("qlkh.cv1", "qlkh.tp", "khtc.cv1", "vpubnd", "chutich"):
        assert not may_read_register(identity(office, username)), username


def test_register_listing__keyset_pages_each_number_once(factory: Any) -> None:
    with engine.transaction(factory) as s:
        for n in range(7):
            issue_number(s, QD if n % 3 == 0 else TTR, START + timedelta(hours=n), HANOI)
    texts: list[str] = []
    after = None
    while True:
        with engine.transaction(factory) as s:
            page = engine.register_listing(s, ALL_2026, None, after=after, limit=2)
        texts += [r.text for r in page.rows]
        if page.next_cursor is None:
            break
        after = page.next_cursor
    assert texts == [
        "03/QĐ-SKHCN",
        "04/TTr-SKHCN",
        "03/TTr-SKHCN",
        "02/QĐ-SKHCN",
        "02/TTr-SKHCN",
        "01/TTr-SKHCN",
        "01/QĐ-SKHCN",
    ]
    with engine.transaction(factory) as s:
        # A cursor that is not ours is the first page, never an error.
        assert len(engine.register_listing(s, ALL_2026, None, after="!!", limit=2).rows) == 2


def test_register_listing__filters_and_the_book_in_register_order(factory: Any) -> None:
    with engine.transaction(factory) as s:
        for n in range(4):
            issue_number(s, QD if n % 2 else TTR, START + timedelta(hours=n), HANOI)
        issue_number(s, TTR, START.replace(year=2025), HANOI)
        engine.void_number(s, "TTr", 2026, 1, "Thu hồi 100% văn bản")

    def texts(filters: engine.RegisterFilter) -> list[str]:
        with engine.transaction(factory) as s:
            return [r.text for r in engine.register_listing(s, filters, None).rows]

    assert texts(engine.RegisterFilter(key="QĐ", year=2026)) == ["02/QĐ-SKHCN", "01/QĐ-SKHCN"]
    assert texts(engine.RegisterFilter(year=2025)) == ["01/TTr-SKHCN"]
    assert texts(engine.RegisterFilter(year=2024)) == []
    assert texts(engine.RegisterFilter(year=2026, text="02/ttr")) == ["02/TTr-SKHCN"]
    # LIKE's wildcards in the text are plain characters.
    assert texts(engine.RegisterFilter(year=2026, text="%")) == []
    with engine.transaction(factory) as s:
        book = engine.register_book(s, ALL_2026, None)
        books = engine.register_books(s)
    assert [(r.text, r.status) for r in book] == [
        ("01/QĐ-SKHCN", "issued"),
        ("02/QĐ-SKHCN", "issued"),
        ("01/TTr-SKHCN", "void"),
        ("02/TTr-SKHCN", "issued"),
    ]
    assert book[2].void_reason == "Thu hồi 100% văn bản"
    assert book[0].instance_id is None and not book[0].may_view  # given with no item
    assert books == [("QĐ", 2026), ("TTr", 2026), ("TTr", 2025)]


def test_register_listing__the_cli_prints_the_years_register(
    office: Office, two: tuple[int, int], sqlite_url: str
) -> None:
    first, second = two
    runner = CliRunner()
    env = {"PHEDUYET_DATABASE_URL": sqlite_url}
    result = runner.invoke(main, ["registers", "--year", "2026", "--json"], env=env)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    rows = json.loads(result.stdout)
    assert [(r["text"], r["instance_id"], r["issued_by"]) for r in rows] == [
        ("01/TTr-SKHCN", first, "vp.vanthu"),
        ("02/TTr-SKHCN", second, "vp.vanthu"),
    ]
    assert rows[0]["document_type"] == "Tờ trình"
    assert rows[0]["issued_at"] == START.isoformat()
    assert "may_view" not in rows[0]
    result = runner.invoke(main, ["registers", "--key", "TTr", "--year", "2026"], env=env)
    assert result.exit_code == 0
    assert "02/TTr-SKHCN" in result.stdout and "NUMBER" in result.stdout
    result = runner.invoke(main, ["registers", "--year", "2025", "--json"], env=env)
    assert json.loads(result.stdout) == []


def test_register_listing__the_cli_voids_a_withdrawn_number_once(
    sqlite_factory: Any, sqlite_url: str
) -> None:
    with engine.transaction(sqlite_factory) as s:
        engine.add_user(s, "vp.vanthu", display_name="Văn thư")
        for n in range(2):
            issue_number(s, TTR, START + timedelta(hours=n), HANOI)
    runner = CliRunner()
    env = {"PHEDUYET_DATABASE_URL": sqlite_url}
    void = ["registers", "void", "1", "--key", "TTr", "--year", "2026"]
    who = ["--reason", "Văn bản bị thu hồi", "--as", "vp.vanthu"]
    result = runner.invoke(main, [*void, *who, "--json"], env=env)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    done = json.loads(result.stdout)
    assert (done["text"], done["status"]) == ("01/TTr-SKHCN", "void")
    assert done["void_reason"] == "Văn bản bị thu hồi [vp.vanthu]"
    # The listing shows it void, with who and why.
    result = runner.invoke(main, ["registers", "--year", "2026", "--json"], env=env)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    rows = {r["text"]: r for r in json.loads(result.stdout)}
    assert rows["01/TTr-SKHCN"]["status"] == "void"
    assert rows["01/TTr-SKHCN"]["void_reason"] == "Văn bản bị thu hồi [vp.vanthu]"
    assert rows["02/TTr-SKHCN"]["status"] == "issued"
    # Voiding again, a number never issued, an unknown user, no reason: refused, no change.
    result = runner.invoke(main, [*void, *who, "--json"], env=env)
    assert result.exit_code == engine.Conflict.exit_code
    assert json.loads(result.stdout)["error"]["reason"] == "already_void"
    result = runner.invoke(main, [*void[:2], "9", *void[3:], *who], env=env)
    assert result.exit_code == engine.NotFound.exit_code and "never issued" in result.stderr
    result = runner.invoke(
        main, [*void[:2], "2", *void[3:], "--reason", "x", "--as", "ai_do"], env=env
    )
    assert result.exit_code == engine.NotFound.exit_code and "ai_do" in result.stderr
    blank = ["--reason", " ", "--as", "vp.vanthu"]
    result = runner.invoke(main, [*void[:2], "2", *void[3:], *blank], env=env)
    assert result.exit_code == engine.InvalidInput.exit_code
    with engine.transaction(sqlite_factory) as s:
        assert [(e.number, e.status) for e in engine.register_entries(s, "TTr", 2026)] == [
            (1, "void"),
            (2, "issued"),
        ]
        # The next issue takes the next number, never the voided one.
        assert issue_number(s, TTR, START + timedelta(hours=3), HANOI).text == "03/TTr-SKHCN"
