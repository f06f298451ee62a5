"""Two people acting at the same moment from two OS processes, on a SQLite file and on PostgreSQL:
on the same task exactly one wins and the other is told who handled it and when; on two parallel
tasks of one item both count (no lost update)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

import engine
from engine import transaction
from tests.conftest import START
from tests.forked_workers import CTX, TIMEOUT_S, run_together

ROUNDS = 5

Job = tuple[str, dict[str, Any]]  # task id, form data
Outcome = tuple[str, str, str, str]  # who, task id, "ok" or error code, message


def _act(
    url: str,
    moment: datetime,
    who: str,
    jobs: Sequence[Job],
    barrier: Barrier,
    results: Queue[Outcome],
) -> None:
    """In a child process: for each job, wait for the other child, then complete the task."""
    db = engine.create_db_engine(url)
    factory = engine.session_factory(db)
    config = engine.EngineConfig(clock=engine.ManualClock(moment))
    try:
        for task_id, data in jobs:
            barrier.wait(TIMEOUT_S)
            try:
                with transaction(factory) as s:
                    engine.complete_task(s, config, task_id, who, data=data)
                results.put((who, task_id, "ok", ""))
            except engine.EngineError as exc:
                results.put((who, task_id, exc.code, exc.message))
            except Exception as exc:  # anything else is a failure the parent must see
                results.put((who, task_id, type(exc).__name__, str(exc)))
    except BaseException:
        barrier.abort()  # do not leave the other child waiting
        raise
    finally:
        db.dispose()


def _race(factory: Any, url: str, people: dict[str, tuple[datetime, list[Job]]]) -> list[Outcome]:
    """Run one child per person, each doing its jobs in lock-step with the others."""
    factory.kw["bind"].dispose()  # no pooled connection may cross the fork
    barrier = CTX.Barrier(len(people))
    results: Queue[Outcome] = CTX.Queue()
    children = [
        CTX.Process(target=_act, args=(url, moment, who, jobs, barrier, results), name=who)
        for who, (moment, jobs) in people.items()
    ]
    return run_together(children, results, sum(len(jobs) for _, jobs in people.values()))


def _start(factory: Any, config: engine.EngineConfig, n: int) -> list[int]:
    with transaction(factory) as s:
        return [engine.start_instance(s, config, "approval", "an") for _ in range(n)]


def _open(factory: Any, instance_id: int) -> dict[str, engine.TaskView]:
    with transaction(factory) as s:
        return {t.element_id: t for t in engine.open_tasks(s, instance_id)}


def _complete(
    factory: Any, config: engine.EngineConfig, task_id: str, who: str, **data: Any
) -> None:
    with transaction(factory) as s:
        engine.complete_task(s, config, task_id, who, data=data)


def test_races__the_same_task_at_the_same_moment_has_one_winner(
    deployed: Any, config: engine.EngineConfig, db_url: str
) -> None:
    items = _start(deployed, config, ROUNDS)
    drafts = [_open(deployed, item)["draft"].id for item in items]
    moments = {"an": START + timedelta(hours=1), "chi": START + timedelta(hours=2)}

    outcomes = _race(
        deployed,
        db_url,
        {
            who: (moment, [(task_id, {"summary": f"by {who}"}) for task_id in drafts])
            for who, moment in moments.items()
        },
    )

    winners = {}
    for task_id in drafts:
        mine = sorted((o for o in outcomes if o[1] == task_id), key=lambda o: o[2] != "ok")
        assert [o[2] for o in mine] == ["ok", "conflict"], mine
        (winner, _, _, _), (_, _, _, message) = mine
        at = moments[winner].isoformat(timespec="seconds")
        assert f"already handled by {winner} at {at}" in message
        winners[task_id] = winner
    with transaction(deployed) as s:
        for item, task_id in zip(items, drafts, strict=True):
            view = engine.show_instance(s, item)
            done = [h for h in view.history if h.kind == "completed"]
            assert [(h.element_id, h.actor) for h in done] == [("draft", winners[task_id])]
            assert view.data["summary"] == f"by {winners[task_id]}"
            assert [t.element_id for t in view.open_tasks] == ["review"]
            assert engine.get_task(s, task_id).status == "completed"
        assert engine.verify_audit(s) == (ROUNDS, [])


def test_races__two_parallel_tasks_of_one_item_both_count(
    deployed: Any, config: engine.EngineConfig, db_url: str
) -> None:
    items = _start(deployed, config, ROUNDS)
    for item in items:
        _complete(deployed, config, _open(deployed, item)["draft"].id, "an", summary="x")
        _complete(deployed, config, _open(deployed, item)["review"].id, "binh", decision="approve")
    branches = [_open(deployed, item) for item in items]
    assert all(set(b) == {"sign", "check"} for b in branches)
    moment = START + timedelta(hours=1)

    outcomes = _race(
        deployed,
        db_url,
        {
            "binh": (moment, [(b["sign"].id, {}) for b in branches]),
            "an": (moment, [(b["check"].id, {}) for b in branches]),
        },
    )

    assert sorted(o[2] for o in outcomes) == ["ok"] * 2 * ROUNDS, outcomes
    with transaction(deployed) as s:
        for item, branch in zip(items, branches, strict=True):
            view = engine.show_instance(s, item)
            assert view.status == "completed" and view.open_tasks == []
            assert view.data["approved"] is True
            done = {(h.element_id, h.actor) for h in view.history if h.kind == "completed"}
            assert {("sign", "binh"), ("check", "an")} <= done
            assert view.history[-1].kind == "finished"
            assert {engine.get_task(s, t.id).status for t in branch.values()} == {"completed"}
        assert engine.verify_audit(s) == (ROUNDS, [])
