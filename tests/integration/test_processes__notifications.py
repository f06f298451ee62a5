"""The department's own process tells the right people: the science office's return reaches the
proposer with its reason, and the review it sends on reaches the science office, not the
proposer's head (2020 chart, the de_xuat_nhiem_vu diagram)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

import engine
from engine import transaction
from engine.notifications import NotificationModel
from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.office import Office
from workflows import event_listeners


def told(office: Office, event: str) -> list[tuple[str, str | None, str | None]]:
    with transaction(office.factory) as s:
        rows = s.execute(
            select(NotificationModel.recipient, NotificationModel.step, NotificationModel.reason)
            .where(NotificationModel.event == event)
            .order_by(NotificationModel.recipient)
        ).all()
    return [tuple(r) for r in rows]  # type: ignore[misc]


def test_notifications__a_return_of_the_proposal_tells_the_proposer_why(
    sqlite_factory: Any, clock: Any
) -> None:
    office = Office(engine.bind_listeners(sqlite_factory, event_listeners()), clock)
    item = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    reviewers = {who for who, _step, _reason in told(office, "new_task")}
    assert "trungtam.cv1" not in reviewers and reviewers  # the proposer drafted it himself
    office.do(
        "qlkh.cv2", item, "xem_xet_de_xuat", decision="tra_lai", y_kien="Thiếu dự toán kinh phí"
    )
    assert told(office, "returned") == [
        ("trungtam.cv1", "Lập phiếu đề xuất nhiệm vụ", "Thiếu dự toán kinh phí")
    ]


def test_notifications__a_task_forwarded_to_someone_told_of_it_before_tells_them_again(
    sqlite_factory: Any, clock: Any
) -> None:
    """qlkh.cv2 was told of the review as one of the science office; forwarded to her by a
    colleague, she is told again, with the colleague's words (the task's one notice per
    person had swallowed it)."""
    office = Office(engine.bind_listeners(sqlite_factory, event_listeners()), clock)
    item = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    assert "qlkh.cv2" in {who for who, _step, _reason in told(office, "new_task")}
    task = office.task("qlkh.cv1", item, "xem_xet_de_xuat")
    with transaction(office.factory) as s:
        engine.assign_task(s, office.config, task.id, "qlkh.cv1", "qlkh.cv2", comment="Chị xử lý")
    reasons = [reason for who, _step, reason in told(office, "new_task") if who == "qlkh.cv2"]
    assert sorted(reasons, key=str) == sorted([None, "Chị xử lý"], key=str)
