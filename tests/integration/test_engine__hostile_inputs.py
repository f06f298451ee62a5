"""Hostile input that is not a diagram: names a person or a group cannot carry (NUL, direction
overrides, piles of combining marks, too long), office files that would unpack to gigabytes,
and files an interrupted upload leaves on disk. SQLite and PostgreSQL: the refusal is the
engine's, never a database error."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import engine
from cli.main import main
from engine import ManualClock, transaction
from tests import hostile_archives

# --- names -----------------------------------------------------------------------------------

NFD_NAME = "Nguye\u0323\u0302n Thi\u0323 A\u0301nh"  # "Nguyễn Thị Ánh" typed decomposed

BAD_NAMES = [
    pytest.param({"username": "an\x00"}, "username", "control_character", id="nul_username"),
    pytest.param({"display_name": "An\x00"}, "display_name", "control_character", id="nul_name"),
    pytest.param({"display_name": "An\nB"}, "display_name", "control_character", id="newline"),
    pytest.param({"unit": "phong\x00"}, "unit", "control_character", id="nul_unit"),
    pytest.param({"groups": ["staff\x00"]}, "group", "control_character", id="nul_group"),
    pytest.param(
        {"display_name": "Giám đốc \u202egnáiđ"}, "display_name", "bidi_control", id="rlo"
    ),
    pytest.param({"display_name": "An\u2067x\u2069"}, "display_name", "bidi_control", id="fsi"),
    pytest.param(
        {"display_name": "Ze" + "\u0301" * 200}, "display_name", "combining_marks", id="zalgo"
    ),
    pytest.param({"display_name": "A" * 301}, "display_name", "too_long", id="long_name"),
    pytest.param({"username": "a" * 101}, "username", "too_long", id="long_username"),
]


def _people(factory: Any) -> tuple[list[engine.UserView], list[tuple[str, str]]]:
    with transaction(factory) as s:
        return engine.list_users(s), engine.list_groups(s)


@pytest.mark.parametrize(("given", "field", "problem"), BAD_NAMES)
def test_names__a_bad_name_is_refused_and_nothing_changes(
    factory: Any, given: dict[str, Any], field: str, problem: str
) -> None:
    with transaction(factory) as s:
        engine.add_group(s, "staff", "Nhân viên")
        engine.add_user(s, "an", display_name="Nguyễn Văn An", groups=["staff"])
    before = _people(factory)
    kwargs = {"display_name": "Người mới", **given}
    # A new person, and (unless the bad part is the login name) an existing one being changed.
    people = [kwargs.pop("username")] if "username" in kwargs else ["moi", "an"]
    for who in people:
        with pytest.raises(engine.InvalidInput) as refused, transaction(factory) as s:
            engine.add_user(s, who, **kwargs)
        details = refused.value.details
        assert (details["reason"], details["field"], details["problem"]) == (
            "invalid_name",
            field,
            problem,
        )
        assert _people(factory) == before


@pytest.mark.parametrize(
    ("key", "name", "field"),
    [
        ("nhom\x00", "Nhóm", "group_key"),
        ("nhom", "Nhóm\x00", "group_name"),
        ("nhom", "\u202eNhóm", "group_name"),
        ("nhom", "N" * 301, "group_name"),
    ],
)
def test_names__a_bad_group_is_refused(factory: Any, key: str, name: str, field: str) -> None:
    with transaction(factory) as s:
        engine.add_group(s, "nhom", "Nhóm cũ")
    with pytest.raises(engine.InvalidInput) as refused, transaction(factory) as s:
        engine.add_group(s, key, name)
    assert refused.value.details["field"] == field
    assert _people(factory)[1] == [("nhom", "Nhóm cũ")]


def test_names__vietnamese_names_pass_composed_or_not(factory: Any) -> None:
    with transaction(factory) as s:
        engine.add_group(s, "phong_qlkh", "Phòng Quản lý Khoa học")
        engine.add_user(s, "anh", display_name=NFD_NAME, unit="phong_qlkh")
        engine.add_user(s, "an", display_name="Nguyễn Văn An (Trưởng phòng)")
    users, _groups = _people(factory)
    assert [u.display_name for u in users] == ["Nguyễn Văn An (Trưởng phòng)", NFD_NAME]


def test_names__the_cli_refuses_with_exit_6_and_the_reason(sqlite_url: str) -> None:
    runner = CliRunner()
    env = {"PHEDUYET_DATABASE_URL": sqlite_url}
    assert runner.invoke(main, ["db", "upgrade"], env=env).exit_code == 0
    result = runner.invoke(main, ["users", "add", "an", "--name", "An \u202eoc"], env=env)
    assert result.exit_code == 6, result.output
    assert "text-direction control U+202E" in result.stderr
    result = runner.invoke(main, ["groups", "add", "nhom", "--name", "x\x01"], env=env)
    assert result.exit_code == 6 and "control character U+0001" in result.stderr


# --- office files ----------------------------------------------------------------------------


@pytest.fixture
def item(deployed: Any, config: engine.EngineConfig) -> int:
    with transaction(deployed) as s:
        return engine.start_instance(s, config, "approval", "an")


HOSTILE_UPLOADS = [
    pytest.param("bom.docx", hostile_archives.zip_bomb_docx, "compressed", id="zip_bomb"),
    pytest.param(
        "bang.xlsx",
        lambda: hostile_archives.declares_huge_size(hostile_archives.real_docx("x")),
        "unpacks to more than 500 MB",
        id="declares_4gb",
    ),
    pytest.param("long.docx", lambda: hostile_archives.nested(3), "nested", id="nested"),
    pytest.param(
        "nhieu.docx", lambda: hostile_archives.many_entries(2001), "2,002 files", id="entries"
    ),
    pytest.param("hong.docx", lambda: b"PK\x03\x04" + b"\x00" * 40, "not a readable", id="broken"),
]


@pytest.mark.parametrize(("name", "make", "words"), HOSTILE_UPLOADS)
def test_uploads__an_unsafe_office_file_is_refused_and_nothing_kept(
    deployed: Any, clock: ManualClock, tmp_path: Path, item: int, name: str, make: Any, words: str
) -> None:
    store = tmp_path / "files"
    content = make()
    began = time.monotonic()
    with pytest.raises(engine.InvalidInput) as refused, transaction(deployed) as s:
        engine.add_attachment(s, clock, store, item, "an", name, content)
    assert time.monotonic() - began < 2
    assert refused.value.details["reason"] == "unsafe_archive" and words in refused.value.message
    with transaction(deployed) as s:
        assert engine.list_attachments(s, item) == []
    assert not store.exists() or list(store.iterdir()) == []


def test_uploads__a_real_docx_with_an_embedded_workbook_is_kept(
    deployed: Any, clock: ManualClock, tmp_path: Path, item: int
) -> None:
    with transaction(deployed) as s:
        view = engine.add_attachment(
            s, clock, tmp_path, item, "an", "Báo cáo.docx", hostile_archives.nested(2)
        )
    assert view.filename == "Báo cáo.docx"


# --- files without a row ---------------------------------------------------------------------


def _aged(path: Path, content: bytes, written: float) -> Path:
    path.write_bytes(content)
    os.utime(path, (written, written))
    return path


def _store_with_orphans(
    deployed: Any, clock: ManualClock, store: Path, item: int, now: float
) -> dict[str, Path]:
    """An attached file, and what crashes leave: an old orphan, an old partial file, a fresh
    orphan (its upload may still be committing), and a file that is not ours."""
    with transaction(deployed) as s:
        engine.add_attachment(s, clock, store, item, "an", "Tờ trình.pdf", b"%PDF-1.4\n%%EOF")
    [attached] = list(store.iterdir())
    os.utime(attached, (now - 86400, now - 86400))
    return {
        "attached": attached,
        "old": _aged(store / ("a" * 32), b"old orphan", now - 7200),
        "partial": _aged(store / f".{'b' * 32}.part", b"half", now - 3 * 3600),
        "fresh": _aged(store / ("c" * 32), b"fresh", now - 600),
        "foreign": _aged(store / "README.txt", b"not ours", now - 7200),
    }


def test_gc__removes_old_orphans_only_and_reports_them(
    deployed: Any, clock: ManualClock, tmp_path: Path, item: int
) -> None:
    store = tmp_path / "files"
    files = _store_with_orphans(deployed, clock, store, item, clock().timestamp())
    with transaction(deployed) as s:
        found = engine.collect_orphan_files(s, clock, store, dry_run=True)
    assert [f.name for f in found] == [files["partial"].name, files["old"].name]
    assert all(p.exists() for p in files.values())
    with transaction(deployed) as s:
        removed = engine.collect_orphan_files(s, clock, store)
    assert removed == found
    assert (removed[1].size, removed[1].modified_at) == (10, clock() - timedelta(hours=2))
    assert sorted(p.name for p in store.iterdir()) == sorted(
        files[k].name for k in ("attached", "fresh", "foreign")
    )
    with transaction(deployed) as s:
        assert engine.collect_orphan_files(s, clock, store) == []
        [attachment] = engine.list_attachments(s, item)
        _view, path = engine.attachment_file(s, store, attachment.id)
    assert path.read_bytes() == b"%PDF-1.4\n%%EOF"


# SQLite only: the CLI leaves its connection pool to the end of the process, which pytest
# reports as an unclosed PostgreSQL connection.
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_gc__the_cli_reports_in_text_and_json(
    deployed: Any, clock: ManualClock, tmp_path: Path, item: int, db_url: str
) -> None:
    store = tmp_path / "files"
    files = _store_with_orphans(deployed, clock, store, item, time.time())
    runner = CliRunner()
    env = {"PHEDUYET_DATABASE_URL": db_url}
    result = runner.invoke(
        main, ["attachments", "gc", "--folder", str(store), "--dry-run"], env=env
    )
    assert result.exit_code == 0, result.output
    assert f"would remove {files['old'].name} (10 bytes, written " in result.output
    assert f"2 orphan file(s) to remove from {store}" in result.output
    assert files["old"].exists()
    result = runner.invoke(main, ["attachments", "gc", "--folder", str(store), "--json"], env=env)
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["folder"] == str(store) and report["dry_run"] is False
    assert [f["name"] for f in report["removed"]] == [files["partial"].name, files["old"].name]
    assert not files["old"].exists() and files["fresh"].exists() and files["attached"].exists()
    result = runner.invoke(main, ["attachments", "gc", "--folder", str(store)], env=env)
    assert result.exit_code == 0 and f"0 orphan file(s) removed from {store}" in result.output
