"""The directory (units, names of groups and people) and the webhooks kept by a process between
requests (engine.directory_cache), on both databases: the database's token moves with every
write of those tables, whoever makes it, and with nothing else; a transaction given the token
reads once and the next ones take what was kept; a change made elsewhere is seen at the next
token; a transaction that changes the directory sees its own change, and keeps nothing another
request could see before it commits, or after it rolls back."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

import engine
from engine import transaction
from engine.directory_cache import TOKEN_COLUMN, DirectoryToken, use_directory_token
from engine.form_options import units
from engine.webhooks import _active
from tests.conftest import add_people, fixture_files
from tests.integration.test_engine__actions import _inbox, _start
from tests.statements import counted

NOW = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


def _token(factory: Any) -> str:
    with transaction(factory, write=False) as s:
        return str(s.execute(select(TOKEN_COLUMN)).scalar_one())


@contextmanager
def _request(factory: Any, token: str, *, write: bool = False) -> Iterator[Session]:
    """A transaction as a web request's: given the token the request read first."""
    with transaction(factory, write=write) as session:
        use_directory_token(session, DirectoryToken(token))
        yield session


@pytest.fixture
def office(factory: Any) -> Any:
    with transaction(factory) as s:
        engine.add_group(s, "phong_a", "Phòng A", unit=True)
        engine.add_group(s, "phong_b", "Phòng B", unit=True)
        engine.add_user(s, "an", display_name="Nguyễn Văn An", unit="phong_a")
    return factory


@pytest.mark.parametrize(
    "write",
    [
        "UPDATE groups SET name = 'Phòng A mới' WHERE key = 'phong_a'",
        "INSERT INTO groups (key, name, is_unit, is_outside) VALUES ('phong_c', 'C', true, false)",
        "DELETE FROM groups WHERE key = 'phong_b'",
        "UPDATE users SET display_name = 'Nguyễn An' WHERE username = 'an'",
        "UPDATE users SET unit = 'phong_b' WHERE username = 'an'",
        "UPDATE users SET active = false WHERE username = 'an'",
        "INSERT INTO group_members (username, group_key) VALUES ('an', 'phong_b')",
        "UPDATE users SET email = 'an@example.vn' WHERE username = 'an'",
        "INSERT INTO notification_choices (username, event, delivery) "
        "VALUES ('an', 'new_task', 'none')",
        "DELETE FROM users WHERE username = 'an'",
    ],
)
def test_directory_token__moves_with_every_write_of_the_directory(office: Any, write: str) -> None:
    before = _token(office)
    with transaction(office) as s:
        s.execute(text(write))
    assert _token(office) != before


def test_directory_token__moves_with_webhooks_and_not_with_passwords_or_sessions(
    office: Any,
) -> None:
    before = _token(office)
    with transaction(office) as s:
        s.execute(text("UPDATE users SET password_hash = 'x', session_generation = 7"))
        s.execute(text("UPDATE users SET locale = 'en', digest_hour = 9"))
    assert _token(office) == before
    with transaction(office) as s:
        engine.add_webhook(s, NOW, "https://example.vn/hook", ["task.created"], created_by="an")
    assert _token(office) != before


def test_directory_cache__read_once_then_taken_until_the_token_moves(office: Any) -> None:
    token = _token(office)
    with counted(office) as seen, _request(office, token) as s:
        assert units(s) == (("phong_a", "Phòng A"), ("phong_b", "Phòng B"))
    assert any("groups" in q for q in seen)
    with counted(office) as seen, _request(office, token) as s:  # another request, same token
        assert units(s) == (("phong_a", "Phòng A"), ("phong_b", "Phòng B"))
        assert engine.names_of(s, ["PHONG_A"], ["an", "nobody"]) == (
            {"phong_a": "Phòng A"},
            {"an": "Nguyễn Văn An"},
        )
    directory_reads = [q for q in seen if "groups" in q]
    assert len(directory_reads) == 1  # the names' directory, once; the units were kept
    with counted(office) as seen, _request(office, token) as s:
        engine.names_of(s, ["phong_b"], ["an"])
        units(s)
    assert not [q for q in seen if "groups" in q or "users" in q]
    # Another process (here SQL by hand) renames a unit: the next request's token sees it.
    with transaction(office) as s:
        s.execute(text("UPDATE groups SET name = 'Phòng A (mới)' WHERE key = 'phong_a'"))
    with _request(office, _token(office)) as s:
        assert units(s)[0] == ("phong_a", "Phòng A (mới)")
        assert engine.names_of(s, ["phong_a"], [])[0] == {"phong_a": "Phòng A (mới)"}


def test_directory_cache__a_request_that_changes_it_sees_its_change_and_keeps_nothing(
    office: Any,
) -> None:
    token = _token(office)
    with _request(office, token) as s:
        units(s)  # kept under the token
    shared = DirectoryToken(token)
    with pytest.raises(RuntimeError), transaction(office) as s:
        use_directory_token(s, shared)
        engine.add_group(s, "phong_c", "Phòng C", unit=True)  # not flushed yet
        assert ("phong_c", "Phòng C") in units(s)
        assert engine.names_of(s, ["phong_c"], [])[0] == {"phong_c": "Phòng C"}
        raise RuntimeError("the request fails: its change rolls back")
    assert shared.value is None  # the rest of that request reads the directory afresh
    with _request(office, token) as s:  # the old token still holds: nothing changed
        assert ("phong_c", "Phòng C") not in units(s)
        assert engine.names_of(s, ["phong_c"], [])[0] == {}


def test_directory_cache__a_webhook_added_elsewhere_gets_the_next_event(office: Any) -> None:
    token = _token(office)
    with _request(office, token, write=True) as s:
        assert _active(s) == ()
    with transaction(office) as s:
        engine.add_webhook(s, NOW, "https://example.vn/hook", ["task.created"], created_by="an")
    with _request(office, token, write=True) as s:  # a request that began before the change
        assert _active(s) == ()
    with _request(office, _token(office), write=True) as s:
        [(_id, types)] = _active(s)
        assert "task.created" in types


def test_directory_cache__colleagues_kept_per_person_until_someone_joins(office: Any) -> None:
    with transaction(office) as s:
        engine.add_user(s, "binh", display_name="Trần Thị Bình", unit="phong_a")
        an = engine.get_identity(s, "an")
    hierarchy = engine.Hierarchy()
    with _request(office, _token(office)) as s:
        assert [c.username for c in engine.colleagues(s, hierarchy, an)] == ["binh"]
    token = _token(office)
    with counted(office) as seen, _request(office, token) as s:
        assert [c.username for c in engine.colleagues(s, hierarchy, an)] == ["binh"]
    assert seen in ([], ["BEGIN"])  # nothing read (SQLite's BEGIN aside)
    with transaction(office) as s:
        s.execute(text("UPDATE users SET unit = 'phong_a' WHERE username = 'an'"))  # no change
        engine.add_user(s, "cuong", display_name="Lê Văn Cường", unit="phong_a")
    with _request(office, _token(office)) as s:
        assert [c.username for c in engine.colleagues(s, hierarchy, an)] == ["cuong", "binh"]


def test_directory_cache__an_action_tells_the_webhooks_as_its_own_write_sees_them(
    deployed: Any, config: Any
) -> None:
    """A webhook removed after the request began (its reads kept the webhook under their
    token) gets no delivery from the request's action: the write reads its own token with
    the item's lock, so the removal is seen (a delivery would break its foreign key)."""
    engine.bind_listeners(deployed, [engine.webhook_listener])
    with transaction(deployed) as s:
        hook = engine.add_webhook(s, NOW, "https://example.vn/hook", ["task.created"]).webhook
    item = _start(deployed, config)
    token = _token(deployed)
    with _request(deployed, token) as s:
        assert [h for h, _types in _active(s)] == [hook.id]  # kept under the request's token
    with transaction(deployed) as s:
        engine.remove_webhook(s, hook.id)
    [draft] = _inbox(deployed, "an")
    with transaction(deployed) as s:
        use_directory_token(s, DirectoryToken(token))  # as a request's would, were it given
        engine.complete_task(s, config, draft.id, "an", data={"summary": "Trồng nấm"})
    with transaction(deployed, write=False) as s:
        assert engine.list_deliveries(s) == []
        assert engine.show_instance(s, item).status == "running"


def test_directory_token__postgresql_writers_in_crossing_order_do_not_deadlock(
    pg_url: str,
) -> None:
    """The token's one row is written when a writer commits (deferred triggers): two
    transactions that change people in crossing order wait for each other's rows as they
    always did, and never for the token's row while holding one of theirs."""
    db = engine.create_db_engine(pg_url)
    engine.upgrade_database(db)
    factory = engine.session_factory(db)
    with transaction(factory) as s:
        for name in ("u1", "u2"):
            engine.add_user(s, name, display_name=name)
    before = _token(factory)
    first, second = db.connect(), db.connect()
    try:
        one, two = first.begin(), second.begin()
        first.execute(text("UPDATE users SET display_name = 'A' WHERE username = 'u1'"))
        second.execute(text("UPDATE users SET display_name = 'B' WHERE username = 'u2'"))
        failed: list[BaseException] = []

        def crossing() -> None:
            try:
                first.execute(text("UPDATE users SET email = 'a@x.vn' WHERE username = 'u2'"))
                one.commit()
            except BaseException as error:  # a deadlock would land here
                failed.append(error)

        waiter = threading.Thread(target=crossing)
        waiter.start()
        waiter.join(0.5)
        assert waiter.is_alive()  # waits for u2, which the second holds
        two.commit()
        waiter.join(10)
        assert not waiter.is_alive() and failed == []
    finally:
        first.close()
        second.close()
    assert _token(factory) != before
    db.dispose()


def test_directory_token__postgresql_moves_whatever_the_writers_search_path(pg_url: str) -> None:
    db = engine.create_db_engine(pg_url)
    engine.upgrade_database(db)
    factory = engine.session_factory(db)
    with transaction(factory) as s:
        schema = s.execute(text("SELECT current_schema()")).scalar_one()
        engine.add_user(s, "an", display_name="An")
    before = _token(factory)
    with db.connect() as connection, connection.begin():
        connection.execute(text("SET LOCAL search_path TO public"))
        connection.execute(text(f"UPDATE \"{schema}\".users SET display_name = 'Ân'"))
    assert _token(factory) != before
    db.dispose()


def test_directory_cache__an_action_refuses_someone_locked_out_since_their_last(
    deployed: Any, config: Any
) -> None:
    """The person acting is kept under the token the action's lock reads: locked out by
    another process after their last action, they are refused at the next."""
    _start(deployed, config)
    _start(deployed, config)
    first, second = _inbox(deployed, "an")
    with transaction(deployed) as s:
        engine.complete_task(s, config, first.id, "an", data={"summary": "Một"})  # kept
    with transaction(deployed) as s:
        s.execute(text("UPDATE users SET active = false WHERE username = 'an'"))
    with pytest.raises(engine.NotFound), transaction(deployed) as s:
        engine.complete_task(s, config, second.id, "an", data={"summary": "Hai"})


def test_directory_cache__a_start_after_a_change_in_its_transaction_sees_the_change(
    factory: Any, config: engine.EngineConfig
) -> None:
    """A change of the directory written before the transaction read any token (on PostgreSQL
    the token moves only at the commit) is not hidden by what the process kept, and what such a
    transaction reads is not kept for others, whether it commits or rolls back."""
    add_people(factory)
    files = fixture_files("spiff", "camunda_rest/cron_reminder.bpmn")  # started by staff only
    with transaction(factory) as s:
        engine.deploy(s, files, engine.system_clock)
    # The process keeps dung's groups: heads only.
    with transaction(factory) as s, pytest.raises(engine.Forbidden):
        engine.start_instance(s, config, "cron_reminder", "dung")
    with transaction(factory) as s:
        engine.add_user(s, "dung", groups=["staff"])
        s.flush()
        engine.start_instance(s, config, "cron_reminder", "dung")
    with transaction(factory) as s:
        engine.start_instance(s, config, "approval", "an", title="Đã có")
    with pytest.raises(RuntimeError), transaction(factory) as s:
        engine.add_user(s, "moi", groups=["staff"])
        s.flush()
        engine.start_instance(s, config, "approval", "moi", title="Bỏ")
        raise RuntimeError("rolled back")
    with transaction(factory) as s, pytest.raises(engine.NotFound):
        engine.start_instance(s, config, "approval", "moi", title="Không có người này")
