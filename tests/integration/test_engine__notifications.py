"""Notifications written in the action's transaction (workflows' listener), a person's choices,
the bell, and the worker's deadline notices: each told once, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

import engine
from engine import DeadlinePolicy, Hierarchy, ManualClock, NotifyEvent, transaction
from engine.notifications import NotificationItem, NotificationModel
from workflows import event_listeners


@pytest.fixture
def office(deployed: Any) -> Any:
    """The fixture office with the department's listeners and everyone's address."""
    factory = engine.bind_listeners(deployed, event_listeners())
    with transaction(factory) as s:
        for person in ("an", "chi", "binh", "dung", "em"):
            engine.set_email(s, person, f"{person}@so-khcn.example.vn")
    return factory


def rows(factory: Any) -> list[tuple[str, str, str | None, str]]:
    """(recipient, event, step, mail status) of every notification, by recipient and event."""
    with transaction(factory) as s:
        found = s.execute(
            select(
                NotificationModel.recipient,
                NotificationModel.event,
                NotificationModel.step,
                NotificationModel.status,
            ).order_by(NotificationModel.recipient, NotificationModel.event)
        )
        return list(found)


def start_and_submit(factory: Any, config: engine.EngineConfig) -> int:
    with transaction(factory) as s:
        item = engine.start_instance(s, config, "approval", "an", title="Đề xuất nhiệm vụ")
    with transaction(factory) as s:
        draft = engine.open_tasks(s, item)[0]
        engine.complete_task(s, config, draft.id, "an", data={"summary": "Trồng nấm"})
    return item


def test_notifications__a_new_task_tells_each_of_its_people_once_but_not_the_actor(
    office: Any, config: engine.EngineConfig
) -> None:
    start_and_submit(office, config)
    assert rows(office) == [
        ("binh", "new_task", "Review the proposal", "pending"),
        ("chi", "new_task", "Draft the proposal", "pending"),
        ("dung", "new_task", "Review the proposal", "pending"),
    ]


def test_notifications__a_rolled_back_action_leaves_no_notification(
    office: Any, config: engine.EngineConfig
) -> None:
    with pytest.raises(RuntimeError), transaction(office) as s:
        engine.start_instance(s, config, "approval", "an", title="Đề xuất")
        raise RuntimeError("the request failed after the action")
    assert rows(office) == []


def test_notifications__a_return_tells_the_drafters_with_the_reason_and_the_end_tells_the_starter(
    office: Any, config: engine.EngineConfig
) -> None:
    item = start_and_submit(office, config)
    with transaction(office) as s:
        review = engine.open_tasks(s, item)[0]
        engine.complete_task(
            s, config, review.id, "binh", data={"decision": "return"}, comment="Bổ sung dự toán"
        )
    with transaction(office) as s:
        returned = s.scalars(
            select(NotificationModel).where(NotificationModel.event == NotifyEvent.RETURNED)
        ).all()
        assert sorted((n.recipient, n.reason, n.actor) for n in returned) == [
            ("an", "Bổ sung dự toán", "binh"),
            ("chi", "Bổ sung dự toán", "binh"),
        ]
    with transaction(office) as s:
        draft = engine.open_tasks(s, item)[0]
        engine.complete_task(s, config, draft.id, "chi", data={"summary": "Đã bổ sung"})
    with transaction(office) as s:
        review = engine.open_tasks(s, item)[0]
        engine.complete_task(s, config, review.id, "dung", data={"decision": "approve"})
    for task in _open(office, item):
        with transaction(office) as s:
            who = "binh" if task.element_id == "sign" else "chi"
            engine.complete_task(s, config, task.id, who)
    finished = [r for r in rows(office) if r[1] == "finished"]
    assert finished == [("an", "finished", None, "pending")]


def _open(factory: Any, item: int) -> list[engine.TaskView]:
    with transaction(factory) as s:
        return engine.open_tasks(s, item)


def test_notifications__choices_decide_the_mail_and_the_bell_counts_unread(
    office: Any, config: engine.EngineConfig, clock: ManualClock
) -> None:
    with transaction(office) as s:
        engine.set_choice(s, "binh", "new_task", "digest")
        engine.set_choice(s, "dung", "new_task", "off")
        engine.set_email(s, "chi", None)
        with pytest.raises(engine.InvalidInput) as refused:
            engine.set_choice(s, "binh", "escalated", "off")
        assert refused.value.details["reason"] == "always_sent"
        with pytest.raises(engine.InvalidInput):
            engine.set_email(s, "binh", "binh at so-khcn")
        prefs = engine.preferences(s, "binh")
    assert prefs.choices["new_task"] == "digest" and prefs.choices["returned"] == "immediately"
    assert (prefs.email, prefs.locale, prefs.digest_hour) == ("binh@so-khcn.example.vn", "vi", 7)
    start_and_submit(office, config)
    assert [(r[0], r[3]) for r in rows(office)] == [
        ("binh", "digest"),
        ("chi", "skipped_no_email"),
        ("dung", "off"),
    ]
    with transaction(office) as s:
        bell = engine.notifications_for(s, "binh")
        assert bell.unread == 1 and bell.rows[0].step == "Review the proposal"
        assert engine.mark_read(s, "chi", clock(), [bell.rows[0].id]) == 0  # not hers
        assert engine.mark_read(s, "binh", clock()) == 1
        assert engine.unread_count(s, "binh") == 0


def test_notifications__deadline_notices_are_written_once_each_even_over_many_rounds(
    office: Any, config: engine.EngineConfig, clock: ManualClock
) -> None:
    with transaction(office) as s:
        engine.add_group(s, "phong_a.lanh_dao", "Lãnh đạo Phòng A")
        engine.add_group(s, "phong_a", "Phòng A", unit=True)
        engine.add_user(s, "binh", unit="phong_a")
        engine.add_user(s, "dung", unit="phong_a")
        engine.add_user(s, "lan", display_name="Lê Lan", groups=["phong_a.lanh_dao"])
        engine.set_email(s, "lan", "lan@so-khcn.example.vn")
    item = start_and_submit(office, config)
    due = _open(office, item)[0].due_at
    assert due is not None
    config = engine.EngineConfig(
        clock=clock,
        hierarchy=Hierarchy(leaders_group=lambda unit: f"{unit}.lanh_dao", head_group="root"),
    )
    policy = DeadlinePolicy(remind_working_days=1, escalate_after_working_days=2)

    def scan() -> dict[str, int]:
        with transaction(office) as s:
            return engine.scan_deadlines(s, config, policy)

    assert scan() == {"reminder": 0, "overdue": 0, "escalated": 0}
    clock.set(due - timedelta(hours=2))
    assert scan() == {"reminder": 2, "overdue": 0, "escalated": 0}
    assert scan() == {"reminder": 0, "overdue": 0, "escalated": 0}
    clock.set(due + timedelta(hours=1))
    assert scan() == {"reminder": 0, "overdue": 2, "escalated": 0}
    clock.set(due + timedelta(days=4))  # past two working days, whatever the weekday
    assert scan() == {"reminder": 0, "overdue": 0, "escalated": 1}
    assert scan() == {"reminder": 0, "overdue": 0, "escalated": 0}
    escalated = [r for r in rows(office) if r[1] == "escalated"]
    assert escalated == [("lan", "escalated", "Review the proposal", "pending")]


@pytest.mark.parametrize(
    ("units", "told", "named"),
    [
        ({"binh": "phong_a", "dung": "phong_a"}, ["lan"], "Phòng A"),
        ({"binh": "phong_a", "dung": "phong_b"}, ["lan", "tam"], "Phòng A, Phòng B"),
        ({}, ["root"], None),  # no unit holds it: the head group is told, no unit named
    ],
    ids=["one-unit", "two-units", "no-unit"],
)
def test_notifications__an_escalation_names_the_units_late_with_the_step(
    office: Any,
    config: engine.EngineConfig,
    clock: ManualClock,
    units: dict[str, str],
    told: list[str],
    named: str | None,
) -> None:
    with transaction(office) as s:
        for key, name in (("phong_a", "Phòng A"), ("phong_b", "Phòng B")):
            engine.add_group(s, key, name, unit=True)
            engine.add_group(s, f"{key}.lanh_dao", f"Lãnh đạo {name}")
        for person, unit in units.items():
            engine.add_user(s, person, unit=unit)
        engine.add_user(s, "lan", display_name="Lê Lan", groups=["phong_a.lanh_dao"])
        engine.add_user(s, "tam", display_name="Đỗ Tâm", groups=["phong_b.lanh_dao"])
    item = start_and_submit(office, config)
    due = _open(office, item)[0].due_at
    assert due is not None
    clock.set(due + timedelta(days=4))
    config = engine.EngineConfig(
        clock=clock,
        hierarchy=Hierarchy(leaders_group=lambda unit: f"{unit}.lanh_dao", head_group="admin"),
    )
    with transaction(office) as s:
        engine.scan_deadlines(s, config, DeadlinePolicy())
        # The text each is shown (the bell's and the mail's), made from the row's units.
        found = [
            (row.recipient, NotificationItem.of(row).reason)
            for row in s.scalars(
                select(NotificationModel)
                .where(NotificationModel.event == NotifyEvent.ESCALATED)
                .order_by(NotificationModel.recipient)
            )
        ]
    assert [tuple(row) for row in found] == [(person, named) for person in told]
    # Thông tin cá nhân offers the escalation by the same rule: to whom it can reach, never to
    # the holders or the staff (they lead nothing).
    with transaction(office, write=False) as s:
        offered = {
            person
            for person in ("an", "chi", "binh", "dung", "lan", "tam", "root")
            if NotifyEvent.ESCALATED in engine.choosable_events_of(s, config.hierarchy, person)
        }
    assert offered == {"lan", "tam", "root"} >= set(told)


def test_notifications__a_scan_reads_page_after_page(
    office: Any, config: engine.EngineConfig, clock: ManualClock
) -> None:
    items = [start_and_submit(office, config) for _ in range(3)]  # three reviews, one deadline
    due = _open(office, items[0])[0].due_at
    assert due is not None
    clock.set(due + timedelta(minutes=1))
    with transaction(office) as s:
        written = engine.scan_deadlines(s, config, DeadlinePolicy(), limit=2)
    assert written["overdue"] == 6  # binh and dung, for each of the three
