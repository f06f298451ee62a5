"""The audit trail: each item's history is hash-chained, and every event is sealed into one
keyed chain across all items, with the hash of the item's data after the action. Someone with
SQL access who edits, deletes or re-chains events, deletes an item or edits an item's data is
reported; without the key, verify says what it cannot see, and a checkpoint kept elsewhere still
catches a rewrite before it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import delete, func, literal_column, select, text, update
from sqlalchemy.orm import Session

import engine
from cli.main import main
from engine import transaction
from engine.audit import (
    AuditChainModel,
    AuditEventModel,
    _digest,
    data_digest,
    event_seal,
    head_seal,
)
from engine.human_tasks import HumanTaskModel, TaskCandidateModel
from engine.instances import InstanceModel
from engine.search import SearchDocumentModel
from engine.users import UserModel
from tests.conftest import add_people, fixture_files
from tests.integration.test_engine__actions import _complete, _inbox, _start
from tests.statements import counted
from workflows.config import audit_key

KEY = b"a key kept outside the database, 32b"


def _history(factory: Any, config: Any) -> int:
    """Item 1: started, drafted, returned; item 2: started. Returns item 1's id."""
    instance_id = _start(factory, config)
    [draft] = _inbox(factory, "an")
    _complete(factory, config, draft.id, "an", data={"summary": "x"}, comment="Kính trình")
    [review] = _inbox(factory, "binh")
    _complete(factory, config, review.id, "binh", data={"decision": "return"}, comment="Sửa")
    _start(factory, config)  # a second, untouched item
    return instance_id


@pytest.fixture
def item(deployed: Any, config: Any) -> int:
    return _history(deployed, config)


@pytest.fixture
def keyed(deployed: Any) -> Any:
    """The deployed factory, sealing with the key from now on."""
    return engine.bind_audit_key(deployed, KEY)


@pytest.fixture
def keyed_item(keyed: Any, config: Any) -> int:
    return _history(keyed, config)


def _report(factory: Any, instance_id: int | None = None, **kwargs: Any) -> engine.AuditReport:
    with transaction(factory) as s:
        return engine.audit_report(s, instance_id, **kwargs)


def _verify(factory: Any, instance_id: int | None = None) -> tuple[int, list[Any]]:
    with transaction(factory) as s:
        return engine.verify_audit(s, instance_id)


def _messages(report: engine.AuditReport) -> str:
    return "\n".join(p.message for p in report.problems)


def _event(instance_id: int, seq: int) -> Any:
    return (AuditEventModel.instance_id == instance_id) & (AuditEventModel.seq == seq)


def _events(s: Session, instance_id: int | None = None) -> list[AuditEventModel]:
    query = select(AuditEventModel).order_by(AuditEventModel.chain_seq)
    if instance_id is not None:
        query = query.where(AuditEventModel.instance_id == instance_id)
    return list(s.scalars(query))


# -- the per-item chain, with or without a key --------------------------------------------------


def test_audit__an_intact_history_verifies(deployed: Any, item: int) -> None:
    assert _verify(deployed) == (2, [])
    assert _verify(deployed, item) == (1, [])
    report = _report(deployed)
    assert (report.events, report.keyed, report.unchecked) == (4, False, 0)


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"comment": "Đồng ý"}, "event #3 (completed) was altered"),
        ({"actor": "dung"}, "event #3 (completed) was altered"),
        ({"decision": "approve"}, "event #3 (completed) was altered"),
    ],
)
def test_audit__an_edited_event_is_named(
    deployed: Any, item: int, values: dict[str, str], words: str
) -> None:
    with transaction(deployed) as s:
        s.execute(update(AuditEventModel).where(_event(item, 3)).values(**values))
    checked, problems = _verify(deployed)
    assert checked == 2 and [(p.instance_id, p.event_seq) for p in problems] == [(item, 3)]
    assert words in problems[0].message


def test_audit__a_deleted_event_is_named(deployed: Any, item: int) -> None:
    with transaction(deployed) as s:
        s.execute(delete(AuditEventModel).where(_event(item, 2)))
    problems = _verify(deployed, item)[1]
    assert problems[0].event_seq == 2 and "missing" in problems[0].message


def test_audit__a_cut_off_tail_is_caught(deployed: Any, item: int) -> None:
    with transaction(deployed) as s:
        last = s.scalar(
            select(func.max(AuditEventModel.seq)).where(AuditEventModel.instance_id == item)
        )
        s.execute(delete(AuditEventModel).where(_event(item, last)))
    problems = _verify(deployed, item)[1]
    assert "events were recorded" in problems[0].message


def test_audit__rewriting_one_items_chain_still_fails_at_the_head(deployed: Any, item: int) -> None:
    # Recomputing the item's hashes after an edit does not match the head kept on its row.
    with transaction(deployed) as s:
        events = _events(s, item)
        events[1].comment = "đã sửa"
        previous = events[0].hash
        for e in events[1:]:
            e.prev_hash = previous
            e.hash = _digest(e)
            previous = e.hash
    [problem, *_] = _verify(deployed, item)[1]
    assert "rewritten" in problem.message


# -- the keyed chain across items ---------------------------------------------------------------


def _rechain_item(s: Session, instance_id: int, comment: str) -> None:
    """What someone with SQL access and the public recipe does: edit an event, recompute the
    item's hashes and the head on its row."""
    events = sorted(_events(s, instance_id), key=lambda e: e.seq)
    events[1].comment = comment
    previous = events[0].hash
    for e in events[1:]:
        e.prev_hash = previous
        e.hash = _digest(e)
        previous = e.hash
    s.execute(
        update(InstanceModel)
        .where(InstanceModel.id == instance_id)
        .values(audit_head=previous, audit_count=len(events))
    )


def _rechain_all_public(s: Session) -> None:
    """...and the chain across items and its head, with the public SHA-256 recipe."""
    previous, position = "0" * 64, 0
    for e in _events(s):
        position += 1
        e.chain_seq = position
        e.mac, e.seal = event_seal(
            None, position, e.instance_id, e.seq, e.hash, e.data_hash, previous
        )
        previous = e.mac
    head = s.get(AuditChainModel, 1)
    assert head is not None
    head.seq, head.mac = position, previous
    head.sig, head.seal = head_seal(None, position, previous)


def _delete_item(s: Session, instance_id: int) -> None:
    tasks = select(HumanTaskModel.id).where(HumanTaskModel.instance_id == instance_id)
    s.execute(delete(TaskCandidateModel).where(TaskCandidateModel.task_id.in_(tasks)))
    s.execute(delete(HumanTaskModel).where(HumanTaskModel.instance_id == instance_id))
    s.execute(delete(SearchDocumentModel).where(SearchDocumentModel.instance_id == instance_id))
    s.execute(delete(AuditEventModel).where(AuditEventModel.instance_id == instance_id))
    s.execute(delete(InstanceModel).where(InstanceModel.id == instance_id))


def _fix_heads(s: Session) -> None:
    """Make every item row and the chain head agree with what is left, as far as SQL can."""
    for instance in s.scalars(select(InstanceModel)):
        events = sorted(_events(s, instance.id), key=lambda e: e.seq)
        instance.audit_count = len(events)
        instance.audit_head = events[-1].hash if events else "0" * 64
    last = _events(s)[-1]
    head = s.get(AuditChainModel, 1)
    assert head is not None and last.chain_seq is not None and last.mac is not None
    head.seq, head.mac = last.chain_seq, last.mac


def _edit_event(s: Session, item: int, other: int) -> None:
    s.execute(update(AuditEventModel).where(_event(item, 2)).values(comment="Đồng ý"))


def _delete_event(s: Session, item: int, other: int) -> None:
    s.execute(delete(AuditEventModel).where(_event(item, 2)))
    _rechain_item(s, item, "Kính trình")


def _delete_last_event_and_fix_the_head(s: Session, item: int, other: int) -> None:
    last = _events(s)[-1]
    s.delete(last)
    s.flush()
    _fix_heads(s)


def _delete_an_item(s: Session, item: int, other: int) -> None:
    _delete_item(s, item)


def _delete_the_last_item_and_fix_the_head(s: Session, item: int, other: int) -> None:
    _delete_item(s, other)
    s.flush()
    _fix_heads(s)


def _rechain_with_the_public_recipe(s: Session, item: int, other: int) -> None:
    _rechain_item(s, item, "đã sửa")
    s.flush()
    _rechain_all_public(s)


def _rechain_the_item_only(s: Session, item: int, other: int) -> None:
    _rechain_item(s, item, "đã sửa")


def _edit_the_data(s: Session, item: int, other: int) -> None:
    instance = s.get(InstanceModel, item)
    assert instance is not None
    s.execute(
        update(InstanceModel)
        .where(InstanceModel.id == item)
        .values(data={**instance.data, "summary": "số liệu đã sửa"})
    )


def _forge_an_event(s: Session, item: int, other: int) -> None:
    instance = s.get(InstanceModel, other)
    assert instance is not None
    forged = AuditEventModel(
        instance_id=other,
        seq=instance.audit_count + 1,
        at=instance.created_at,
        actor="binh",
        kind="completed",
        decision="approve",
        details={},
        prev_hash=instance.audit_head,
    )
    forged.hash = _digest(forged)
    s.add(forged)
    s.execute(
        update(InstanceModel)
        .where(InstanceModel.id == other)
        .values(audit_head=forged.hash, audit_count=forged.seq)
    )


REWRITES: list[tuple[Callable[[Session, int, int], None], str]] = [
    (_edit_event, "event #2 (completed) was altered"),
    (_delete_event, "missing"),
    (_delete_last_event_and_fix_the_head, "head of the common chain does not match its signature"),
    (_delete_an_item, "of the common chain are missing: events or whole items were deleted"),
    (_delete_the_last_item_and_fix_the_head, "does not match its signature"),
    (_rechain_with_the_public_recipe, "sealed without the audit key"),
    (_rechain_the_item_only, "does not match its seal"),
    (_edit_the_data, "the item's data was changed outside an action"),
    (_forge_an_event, "not in the common chain"),
]


@pytest.mark.parametrize(("rewrite", "words"), REWRITES, ids=[r.__name__ for r, _ in REWRITES])
def test_audit__with_a_key_every_rewrite_is_reported(
    keyed: Any, keyed_item: int, rewrite: Callable[[Session, int, int], None], words: str
) -> None:
    assert _report(keyed).problems == []
    other = keyed_item + 1
    with transaction(keyed) as s:
        rewrite(s, keyed_item, other)
    report = _report(keyed)
    assert report.keyed and words in _messages(report)


def test_audit__with_a_key_an_intact_history_verifies_and_every_seal_is_checked(
    keyed: Any, keyed_item: int
) -> None:
    report = _report(keyed)
    assert (report.checked, report.events, report.keyed, report.problems) == (2, 4, True, [])
    assert _report(keyed, keyed_item).problems == []
    with transaction(keyed) as s:
        seals = {e.seal for e in _events(s)}
        head = s.get(AuditChainModel, 1)
        assert head is not None and (head.seq, head.seal) == (4, "hmac-sha256")
    assert seals == {"hmac-sha256"}


def test_audit__the_data_hash_is_the_data_after_the_action(keyed: Any, keyed_item: int) -> None:
    with transaction(keyed) as s:
        instance = s.get(InstanceModel, keyed_item)
        assert instance is not None
        last = _events(s, keyed_item)[-1]
        assert last.data_hash == data_digest(instance.data)
        assert instance.data.get("summary") == "x"


@pytest.mark.parametrize("read_before_commit", [False, True], ids=["at_commit", "read_first"])
def test_audit__an_event_is_in_the_history_its_own_transaction_reads_and_sealed_alike(
    keyed: Any, keyed_item: int, config: Any, read_before_commit: bool
) -> None:
    """An action's events are written at its commit, sealed, unless the transaction reads
    through the session first: then they are written at once and sealed at commit."""
    [task] = [t for t in _inbox(keyed, "an") if t.instance_id == keyed_item]
    with transaction(keyed) as s:
        engine.claim_task(s, config, task.id, "an")
        engine.unclaim_task(s, config, task.id, "an")
        if read_before_commit:
            kinds = [h.kind for h in engine.show_instance(s, keyed_item).history]
            assert kinds[-2:] == ["claimed", "unclaimed"]
    with transaction(keyed) as s:
        events = _events(s, keyed_item)
        assert [e.kind for e in events][-2:] == ["claimed", "unclaimed"]
        assert events[-1].chain_seq == events[-2].chain_seq + 1  # type: ignore[operator]
        assert all(e.mac and e.seal == "hmac-sha256" for e in events)
    assert _report(keyed).problems == []
    assert _verify(keyed, keyed_item) == (1, [])


def _count_events(s: Session, instance_id: int) -> int:
    return s.scalar(select(func.count()).where(AuditEventModel.instance_id == instance_id)) or 0


def _count_events_in_subquery(s: Session, instance_id: int) -> int:
    events = select(AuditEventModel.id).where(AuditEventModel.instance_id == instance_id)
    return s.scalar(select(func.count()).select_from(events.subquery())) or 0


def _count_events_by_text(s: Session, instance_id: int) -> int:
    query = text("SELECT count(*) FROM audit_events WHERE instance_id = :item")
    return int(s.execute(query, {"item": instance_id}).scalar_one())


def _count_events_by_literal_column(s: Session, instance_id: int) -> int:
    sql = f"(SELECT count(*) FROM audit_events WHERE instance_id = {int(instance_id)})"
    return int(s.execute(select(literal_column(sql))).scalar_one())


@pytest.mark.parametrize(
    "read",
    [
        _count_events,
        _count_events_in_subquery,
        _count_events_by_text,
        _count_events_by_literal_column,
    ],
    ids=["query", "subquery", "sql_text", "literal_column"],
)
def test_audit__a_read_of_the_history_in_any_form_finds_the_actions_events(
    keyed: Any, keyed_item: int, config: Any, read: Callable[[Session, int], int]
) -> None:
    """However the transaction's own read reaches the history (a query, a subquery, SQL text),
    the events it added are there; the chain stays intact."""
    [task] = [t for t in _inbox(keyed, "an") if t.instance_id == keyed_item]
    with transaction(keyed) as s:
        before = _count_events(s, keyed_item)
    with transaction(keyed) as s:
        engine.claim_task(s, config, task.id, "an")
        assert read(s, keyed_item) == before + 1
    assert _report(keyed).problems == []
    assert _verify(keyed, keyed_item) == (1, [])


def test_audit__a_read_of_other_tables_leaves_the_events_to_the_commit(
    keyed: Any, keyed_item: int, config: Any
) -> None:
    """A listener reading the people to tell while the action runs does not write the events
    early: the commit writes them sealed, in one INSERT (no UPDATE to seal them after)."""
    [task] = [t for t in _inbox(keyed, "an") if t.instance_id == keyed_item]
    with counted(keyed, with_begin=False) as statements, transaction(keyed) as s:
        engine.claim_task(s, config, task.id, "an")
        assert s.scalars(select(UserModel.username).where(UserModel.username == "an")).all()
    assert not [st for st in statements if st.startswith("UPDATE audit_events")], statements
    assert sum(st.startswith("INSERT INTO audit_events") for st in statements) == 1
    assert _report(keyed).problems == []
    assert _verify(keyed, keyed_item) == (1, [])


def test_audit__one_item_is_checked_against_its_neighbours_in_the_chain(
    keyed: Any, keyed_item: int, config: Any
) -> None:
    [task] = [t for t in _inbox(keyed, "an") if t.instance_id == keyed_item]
    with transaction(keyed) as s:
        engine.claim_task(s, config, task.id, "an")  # sealed right after the other item's start
    with transaction(keyed) as s:
        _delete_item(s, keyed_item + 1)
    problems = _report(keyed, keyed_item).problems
    [problem] = problems
    assert problem.instance_id == keyed_item
    assert "the event before #4 in the common chain is missing" in problem.message


def test_audit__without_the_key_keyed_seals_are_counted_not_checked(
    keyed: Any, keyed_item: int
) -> None:
    plain = engine.session_factory(keyed.kw["bind"])
    report = _report(plain)
    assert (report.keyed, report.problems, report.unchecked) == (False, [], 5)


def test_audit__a_history_sealed_before_the_key_is_adopted_once(deployed: Any, item: int) -> None:
    keyed = engine.bind_audit_key(deployed, KEY)
    assert "sealed without the audit key" in _messages(_report(keyed))
    with transaction(keyed) as s:
        assert engine.reseal_chain(s, KEY) == 4
    assert _report(keyed).problems == []


# -- checkpoints --------------------------------------------------------------------------------


def test_audit__without_a_key_a_full_rewrite_passes_but_not_past_a_checkpoint(
    deployed: Any, item: int, clock: Any
) -> None:
    with transaction(deployed) as s:
        line = engine.make_checkpoint(s, clock()).line()
    with transaction(deployed) as s:
        _rechain_with_the_public_recipe(s, item, item + 1)
    plain = _report(deployed)
    assert (plain.keyed, plain.problems) == (False, [])  # the limit verify states
    since = _report(deployed, since=line)
    assert "the history before the checkpoint was rewritten" in _messages(since)


def test_audit__with_a_key_a_replayed_older_head_is_caught_by_the_checkpoint(
    keyed: Any, keyed_item: int, config: Any, clock: Any
) -> None:
    # Someone who kept a copy of the head from before an action can cut that action off and
    # put the genuine older head back: only a checkpoint taken after the action sees it.
    with transaction(keyed) as s:
        head = s.get(AuditChainModel, 1)
        assert head is not None
        old = (head.seq, head.mac, head.sig)
        row = s.get(InstanceModel, keyed_item)
        assert row is not None
        old_item = (row.audit_head, row.audit_count)
    [task] = [t for t in _inbox(keyed, "an") if t.instance_id == keyed_item]
    with transaction(keyed) as s:
        engine.claim_task(s, config, task.id, "an")
    with transaction(keyed) as s:
        line = engine.make_checkpoint(s, clock()).line()
    assert line.startswith(f"pheduyet-audit:1:{old[0] + 1}:")
    with transaction(keyed) as s:
        s.execute(delete(AuditEventModel).where(AuditEventModel.chain_seq > old[0]))
        s.execute(update(AuditChainModel).values(seq=old[0], mac=old[1], sig=old[2]))
        s.execute(
            update(InstanceModel)
            .where(InstanceModel.id == keyed_item)
            .values(audit_head=old_item[0], audit_count=old_item[1])
        )
        s.execute(update(HumanTaskModel).where(HumanTaskModel.id == task.id).values(assignee=None))
    assert _report(keyed).problems == []
    assert "no longer in the common chain" in _messages(_report(keyed, since=line))


def test_audit__a_forged_checkpoint_is_refused(keyed: Any, keyed_item: int, clock: Any) -> None:
    with transaction(keyed) as s:
        line = engine.make_checkpoint(s, clock()).line()
    parts = line.split(":")
    parts[2] = "3"
    assert "signature does not match" in _messages(_report(keyed, since=":".join(parts)))
    with pytest.raises(engine.InvalidInput):
        _report(keyed, since="not a checkpoint")


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def cli_env(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    # On SQLite only, as the other CLI tests: the command opens an engine of its own.
    monkeypatch.delenv("PHEDUYET_AUDIT_KEY", raising=False)
    monkeypatch.delenv("PHEDUYET_AUDIT_KEY_FILE", raising=False)
    audit_key.cache_clear()
    yield {"PHEDUYET_DATABASE_URL": sqlite_url}
    audit_key.cache_clear()


@pytest.fixture
def cli_item(sqlite_factory: Any, clock: Any, config: Any) -> int:
    add_people(sqlite_factory)
    with transaction(sqlite_factory) as s:
        engine.deploy(s, fixture_files("spiff", "camunda"), clock)
    return _history(sqlite_factory, config)


def test_audit__the_cli_without_a_key_says_what_it_cannot_detect(
    sqlite_factory: Any, cli_item: int, cli_env: dict[str, str]
) -> None:
    item = cli_item
    runner = CliRunner()
    result = runner.invoke(main, ["audit", "verify"], env=cli_env)
    assert result.exit_code == 0, result.output
    assert "ok: 2 item(s), 4 event(s)" in result.stdout
    assert "no audit key is set" in result.stderr
    assert "recomputes every hash" in result.stderr
    checkpoint = runner.invoke(main, ["audit", "checkpoint"], env=cli_env)
    assert checkpoint.exit_code == 0 and "no audit key is set" in checkpoint.stderr
    with transaction(sqlite_factory) as s:
        _rechain_with_the_public_recipe(s, item, item + 1)
    line = checkpoint.stdout.strip()
    caught = runner.invoke(main, ["audit", "verify", "--since", line], env=cli_env)
    assert caught.exit_code == 1
    assert "chain: the common chain differs from the checkpoint" in caught.stderr
    refused = runner.invoke(main, ["audit", "adopt"], env=cli_env)
    assert refused.exit_code == 6 and "PHEDUYET_AUDIT_KEY" in refused.stderr


def test_audit__the_cli_with_a_key_file_seals_checks_and_checkpoints(
    sqlite_factory: Any, cli_item: int, cli_env: dict[str, str], tmp_path: Any
) -> None:
    item = cli_item
    key_file = tmp_path / "audit.key"
    key_file.write_bytes(KEY + b"\n")
    env = {**cli_env, "PHEDUYET_AUDIT_KEY_FILE": str(key_file)}
    runner = CliRunner()
    before = runner.invoke(main, ["audit", "verify"], env=env)
    assert before.exit_code == 1 and "sealed without the audit key" in before.stderr
    adopted = runner.invoke(main, ["audit", "adopt"], env=env)
    assert adopted.exit_code == 0 and "ok: 4 event(s) sealed" in adopted.stdout
    checkpoint = runner.invoke(main, ["audit", "checkpoint"], env=env)
    assert checkpoint.exit_code == 0 and ":hmac-sha256:" in checkpoint.stdout
    ok = runner.invoke(main, ["audit", "verify", "--since", checkpoint.stdout.strip()], env=env)
    assert ok.exit_code == 0 and "still holds the checkpoint" in ok.stdout
    assert "no audit key" not in ok.stderr
    with transaction(sqlite_factory) as s:
        s.execute(update(InstanceModel).where(InstanceModel.id == item).values(data={}))
    edited = runner.invoke(main, ["audit", "verify", str(item)], env=env)
    assert edited.exit_code == 1
    assert f"item {item}: the item's data was changed outside an action" in edited.stderr
