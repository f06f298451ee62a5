"""The write path of an action: a fixed number of SQL statements however long the item's history
and however many items there are; one version step per action, a rename from the form
included; candidate rows only for open tasks, while a former candidate still sees the item."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select, text

import engine
from engine import transaction
from engine.human_tasks import ItemCandidateModel, TaskCandidateModel
from tests.conftest import add_people, fixture_files
from tests.migrations import downgrade
from tests.statements import counted
from workflows.notifications import notification_listener

# What one completion that opens the next step writes and reads: the locked item with the task
# row (and the directory's token: the person is then taken as the process keeps them,
# engine.directory_cache; read once after the directory changes), the task row closed (the
# database drops its candidate rows: migration 0025), the new task row and its candidate rows
# (the database keeps them for the item too), the item row; at commit, the audit chain's head
# read, the event written sealed, the head moved, the step totals of the two task rows, the
# search row written (its parts as this process wrote them after the item's previous event:
# engine.search_written). The item's open task rows are those its workflow's last save in this
# process left (runtime.load_workflow_and_rows); a workflow read from the state reads them, one
# statement more. On SQLite the item's lock reads the chain's head too (the transaction is the
# one writer from there): one statement fewer (was 14 on both before 0025, 13 and 12 while each
# action read the person, 12 and 11 while each read the search row's parts back, 11 and 10
# while each read the item's open task rows).
STATEMENTS_PER_COMPLETION = 10
STATEMENTS_PER_COMPLETION_SQLITE = 9


def _per_completion(factory: Any) -> int:
    sqlite = factory.kw["bind"].dialect.name == "sqlite"
    return STATEMENTS_PER_COMPLETION_SQLITE if sqlite else STATEMENTS_PER_COMPLETION


def _task(factory: Any, item: int, element: str) -> engine.TaskView:
    with transaction(factory) as s:
        [task] = [t for t in engine.open_tasks(s, item) if t.element_id == element]
    return task


def _open(factory: Any, item: int) -> list[engine.TaskView]:
    with transaction(factory) as s:
        return engine.open_tasks(s, item)


def _complete(factory: Any, config: Any, item: int, element: str, who: str, **kw: Any) -> None:
    task = _task(factory, item, element)
    with transaction(factory) as s:
        engine.complete_task(s, config, task.id, who, **kw)


def _start(factory: Any, config: Any, title: str = "Đề xuất") -> int:
    with transaction(factory) as s:
        return engine.start_instance(s, config, "approval", "an", title=title)


def _draft_statements(factory: Any, config: Any, item: int, summary: str) -> list[str]:
    task = _task(factory, item, "draft")
    with counted(factory, with_begin=False) as statements, transaction(factory) as s:
        engine.complete_task(s, config, task.id, "an", data={"summary": summary})
    return statements


def test_write_path__a_completion_takes_the_same_statements_whatever_the_history(
    deployed: Any, config: Any
) -> None:
    _complete(deployed, config, _start(deployed, config), "draft", "an", data={"summary": "x"})
    first = _start(deployed, config)
    fresh = _draft_statements(deployed, config, first, "Trồng nấm")
    assert len(fresh) == _per_completion(deployed), "\n".join(fresh)

    long = _start(deployed, config)
    for _ in range(20):
        _start(deployed, config)  # other items
    for round_ in range(6):  # a long history: returned again and again
        _complete(deployed, config, long, "draft", "an", data={"summary": f"Bản {round_}"})
        _complete(
            deployed, config, long, "review", "binh", data={"decision": "return"}, comment="Sửa"
        )
    later = _draft_statements(deployed, config, long, "Bản cuối")
    assert later == fresh


def _item_update(statements: list[str]) -> str:
    [update] = [q for q in statements if q.startswith("UPDATE instances SET")]
    return update.split(" WHERE ")[0]


def test_write_path__the_item_row_sets_its_status_and_timer_only_when_they_change(
    deployed: Any, config: Any
) -> None:
    """SQLite rewrites an index's entry whenever an UPDATE sets its column, to the same value or
    not: a step that leaves the item's status and next timer as they were does not set them; the
    step that ends the item sets its status, and the item reads as ended."""
    item = _start(deployed, config)
    _complete(deployed, config, item, "draft", "an", data={"summary": "Trồng nấm"})
    _complete(deployed, config, item, "review", "dung", data={"decision": "approve"})
    sign = _task(deployed, item, "sign")
    with counted(deployed, with_begin=False) as statements, transaction(deployed) as s:
        engine.complete_task(s, config, sign.id, "binh")  # "check" still open: still running
    kept = _item_update(statements)
    assert "status" not in kept and "next_timer_at" not in kept, kept
    check = _task(deployed, item, "check")
    with counted(deployed, with_begin=False) as statements, transaction(deployed) as s:
        engine.complete_task(s, config, check.id, "an")
    assert "status" in _item_update(statements)
    with transaction(deployed) as s:
        assert engine.show_instance(s, item).status == engine.InstanceStatus.COMPLETED


def test_write_path__a_start_reads_no_task_rows(deployed: Any, config: Any) -> None:
    """A new item has no task rows: its start writes its first ones without looking."""
    with counted(deployed, with_begin=False) as statements:
        item = _start(deployed, config)
    read = [st for st in statements if st.startswith("SELECT") and "FROM human_tasks" in st]
    assert not read, read
    assert [t.element_id for t in _open(deployed, item)] == ["draft"]


def test_write_path__identity_passed_in_is_not_read_again(deployed: Any, config: Any) -> None:
    item = _start(deployed, config)
    task = _task(deployed, item, "draft")
    with transaction(deployed) as s:
        who = engine.get_identity(s, "an")
    with counted(deployed, with_begin=False) as statements, transaction(deployed) as s:
        engine.complete_task(s, config, task.id, who, data={"summary": "Trồng nấm"})
    assert len(statements) == _per_completion(deployed)  # as when the process keeps them
    assert not any("FROM users" in statement for statement in statements)


def test_write_path__listeners_read_without_writing_the_item_early(
    deployed: Any, config: Any
) -> None:
    """The webhook and notification listeners read while the action runs: the item row is
    still written once, at the end of the action, and its version moves by one."""
    factory = engine.bind_listeners(deployed, [engine.webhook_listener, notification_listener])
    item = _start(factory, config)
    task = _task(factory, item, "draft")
    with transaction(factory) as s:
        before = engine.instance_revision(s, item)
    with counted(factory, with_begin=False) as statements, transaction(factory) as s:
        engine.complete_task(s, config, task.id, "an", data={"summary": "Trồng nấm"})
    assert sum(st.startswith("UPDATE instances") for st in statements) == 1, statements
    assert any(st.startswith("INSERT INTO notifications") for st in statements)
    with transaction(factory) as s:
        assert engine.instance_revision(s, item) == before + 1


def test_write_path__a_rename_from_the_form_is_one_version_step(deployed: Any, config: Any) -> None:
    item = _start(deployed, config, title="Phê duyệt")
    task = _task(deployed, item, "draft")
    with transaction(deployed) as s:
        before = engine.instance_revision(s, item)
    rule = {"approval": engine.Retitle("summary", frozenset({"Phê duyệt"}))}
    with transaction(deployed) as s:
        engine.complete_task(s, config, task.id, "an", data={"summary": "Trồng nấm"}, retitle=rule)
    with transaction(deployed) as s:
        view = engine.show_instance(s, item)
        after = engine.instance_revision(s, item)
    assert view.title == "Trồng nấm"
    assert after == before + 1
    assert [h.kind for h in view.history][-2:] == ["completed", "renamed"]
    # A title someone chose is kept: the rule renames only a default one.
    _complete(deployed, config, item, "review", "binh", data={"decision": "return"})
    with transaction(deployed) as s:
        engine.rename_instance(s, config, item, "an", "Nấm linh chi")
    task = _task(deployed, item, "draft")
    with transaction(deployed) as s:
        engine.complete_task(s, config, task.id, "an", data={"summary": "Khác"}, retitle=rule)
    with transaction(deployed) as s:
        assert engine.show_instance(s, item).title == "Nấm linh chi"
        assert engine.verify_audit(s, item) == (1, [])


def test_write_path__closed_tasks_keep_no_candidate_rows_yet_their_candidates_see_the_item(
    deployed: Any, config: Any
) -> None:
    item = _start(deployed, config)
    _complete(deployed, config, item, "draft", "an", data={"summary": "Trồng nấm"})
    _complete(deployed, config, item, "review", "binh", data={"decision": "approve"})
    with transaction(deployed) as s:
        open_ids = {t.id for t in engine.open_tasks(s, item)}
        with_rows = set(s.scalars(select(TaskCandidateModel.task_id).distinct()))
        assert with_rows == open_ids
        item_rows = s.scalar(
            select(func.count())
            .select_from(ItemCandidateModel)
            .where(ItemCandidateModel.instance_id == item)
        )
        assert item_rows
        # dung (heads) never acted, but was a candidate of the review, now done.
        dung = engine.get_identity(s, "dung")
        assert engine.may_view_instance(s, dung, item, ())
        assert item in {h.id for h in engine.search_items(s, dung, "nấm")}


def test_write_path__the_database_keeps_the_candidate_rules_whoever_writes_the_rows(
    deployed: Any, config: Any
) -> None:
    """Migration 0025's triggers, not the engine's statements, keep the two candidate tables in
    step: a candidate row written by anything (a tool, a bulk copy) is kept for its item, and a
    task row closed by anything drops its candidate rows (and only a close does)."""
    item = _start(deployed, config)
    task = _task(deployed, item, "draft")
    with transaction(deployed) as s:
        s.execute(
            text(
                "INSERT INTO task_candidates (task_id, kind, value, instance_id) "
                "VALUES (:task, 'user', 'khach', :item)"
            ),
            {"task": task.id, "item": item},
        )
        s.execute(
            text("UPDATE human_tasks SET title = 'Soạn thảo' WHERE id = :id"), {"id": task.id}
        )
    with transaction(deployed) as s:
        kept = set(
            s.execute(
                select(ItemCandidateModel.kind, ItemCandidateModel.value).where(
                    ItemCandidateModel.instance_id == item
                )
            )
        )
        assert ("user", "khach") in kept
        rows = select(func.count()).where(TaskCandidateModel.task_id == task.id)
        assert s.scalar(rows) == 2  # the lane's group and the new one: a rename drops nothing
        s.execute(
            text("UPDATE human_tasks SET status = 'cancelled' WHERE id = :id"), {"id": task.id}
        )
        assert s.scalar(rows) == 0
    with transaction(deployed) as s:
        assert ("user", "khach") in set(
            s.execute(
                select(ItemCandidateModel.kind, ItemCandidateModel.value).where(
                    ItemCandidateModel.instance_id == item
                )
            )
        )


def test_write_path__a_completion_rolled_back_to_its_savepoint_leaves_the_task_in_the_inbox(
    deployed: Any, config: Any
) -> None:
    """The task row's close and its candidate rows' delete are undone together: after a
    rollback to a savepoint, the task is open and in its candidates' inbox, and completing it
    then leaves no candidate row behind."""
    item = _start(deployed, config)
    task = _task(deployed, item, "draft")
    with transaction(deployed) as s:
        savepoint = s.begin_nested()
        engine.complete_task(s, config, task.id, "an", data={"summary": "Trồng nấm"})
        savepoint.rollback()
        assert task.id in {t.id for t in engine.tasks_for(s, "an")}
        engine.complete_task(s, config, task.id, "an", data={"summary": "Lần hai"})
    with transaction(deployed) as s:
        assert task.id not in {t.id for t in engine.tasks_for(s, "an")}
        left = s.scalars(
            select(TaskCandidateModel.task_id).where(TaskCandidateModel.task_id == task.id)
        )
        assert left.all() == []
        assert [t.element_id for t in engine.open_tasks(s, item)] == ["review"]
        assert engine.show_instance(s, item).data["summary"] == "Lần hai"


def test_write_path__migration_0007_keeps_only_open_tasks_candidate_rows(
    deployed: Any, config: Any
) -> None:
    """Down to 0006 (closed tasks get their candidate rows back) and up again: the rows of
    closed tasks go, and every item keeps who its candidates were."""
    done = _start(deployed, config)  # its draft and review done, sign and check open
    _complete(deployed, config, done, "draft", "an", data={"summary": "Trồng nấm"})
    _complete(deployed, config, done, "review", "binh", data={"decision": "approve"})
    waiting = _start(deployed, config)

    def candidates() -> tuple[set[tuple[str, str, str]], set[tuple[int, str, str]]]:
        with transaction(deployed) as s:
            task_rows = {
                (r.task_id, r.kind, r.value)
                for r in s.execute(select(TaskCandidateModel.__table__))
            }
            item_rows = {(i, k, v) for i, k, v in s.execute(select(ItemCandidateModel.__table__))}
        return task_rows, item_rows

    before = candidates()
    db = deployed.kw["bind"]
    downgrade(db, "0006")
    with db.connect() as conn:
        restored = {row[0] for row in conn.execute(text("SELECT task_id FROM task_candidates"))}
        closed = {
            row[0]
            for row in conn.execute(text("SELECT id FROM human_tasks WHERE status <> 'open'"))
        }
    assert closed and closed <= restored  # the old schema's rows of closed tasks are back
    engine.upgrade_database(db)
    assert candidates() == before
    with transaction(deployed) as s:
        assert {t.id for t in engine.open_tasks(s)} == {t for t, _k, _v in before[0]}
        assert {i for i, _k, _v in before[1]} == {done, waiting}


def test_write_path__candidate_rows_carry_their_tasks_sort_keys_through_migration_0012(
    deployed: Any, config: Any
) -> None:
    """The inbox reads each candidate key in urgency order from the candidate rows: their due
    and creation times are their task's, written with the row and refilled by 0012 on a
    database that had rows before it."""
    first = _start(deployed, config)
    _complete(deployed, config, first, "draft", "an", data={"summary": "Trồng nấm"})
    _start(deployed, config)
    query = text(
        "SELECT c.task_id, c.due_at = t.due_at OR (c.due_at IS NULL AND t.due_at IS NULL),"
        " c.created_at = t.created_at FROM task_candidates c JOIN human_tasks t ON t.id = c.task_id"
    )
    db = deployed.kw["bind"]

    def keys_match() -> dict[str, tuple[bool, bool]]:
        with db.connect() as conn:
            return {r[0]: (bool(r[1]), bool(r[2])) for r in conn.execute(query)}

    written = keys_match()
    assert written and all(same == (True, True) for same in written.values())
    downgrade(db, "0011")
    engine.upgrade_database(db)
    assert keys_match() == written


def test_write_path__the_candidate_rules_survive_a_sqlite_table_rebuild(
    sqlite_factory: Any, config: Any, clock: Any
) -> None:
    """A later migration that rebuilds a candidate table on SQLite (Alembic's batch mode)
    drops the triggers first and creates them after, as engine.candidate_triggers says: the
    rebuild then goes through, and the rules hold on the rebuilt tables."""
    from alembic.operations import Operations
    from alembic.runtime.migration import MigrationContext

    from engine.candidate_triggers import create_candidate_triggers, drop_candidate_triggers

    db = sqlite_factory.kw["bind"]
    with db.begin() as conn:
        operations = Operations(MigrationContext.configure(conn))
        drop_candidate_triggers(conn)
        for table in ("human_tasks", "task_candidates", "item_candidates"):
            with operations.batch_alter_table(table, recreate="always"):
                pass
        create_candidate_triggers(conn)
    add_people(sqlite_factory)
    with transaction(sqlite_factory) as s:
        engine.deploy(s, fixture_files("spiff"), clock)
    item = _start(sqlite_factory, config)
    _complete(sqlite_factory, config, item, "draft", "an", data={"summary": "Trồng nấm"})
    with transaction(sqlite_factory) as s:
        open_ids = {t.id for t in engine.open_tasks(s, item)}
        assert set(s.scalars(select(TaskCandidateModel.task_id).distinct())) == open_ids
        kept = select(ItemCandidateModel.value).where(ItemCandidateModel.instance_id == item)
        assert {"staff", "heads"} <= set(s.scalars(kept))
