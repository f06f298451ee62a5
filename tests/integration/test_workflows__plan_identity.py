"""Which task of which plan an item is: importing a plan twice starts nothing the second time,
but the same words in another plan (next year's, another district's) are another task, and two
tasks of one plan alike for as long as a title runs are two items, told apart by their titles."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

import engine
from engine import transaction
from tests.office import Office
from workflows.org_chart import CHART_2020_PATH, read_org_chart
from workflows.plan_assign import TITLE_CHARS, Started, start_assignments, start_data
from workflows.plan_import import Assignment, Deadline, DeadlineKind
from workflows.plan_source import SourceDocument

LONG = (
    "Tổ chức triển khai đồng bộ các giải pháp ứng dụng tiến bộ khoa học và công nghệ, chuyển "
    "đổi số trong sản xuất nông nghiệp hàng hóa tập trung gắn với xây dựng nông thôn mới nâng "
    "cao, nông thôn mới kiểu mẫu tại các xã "
)


@pytest.fixture
def office(sqlite_factory: Any, clock: Any) -> Office:
    return Office(sqlite_factory, clock)


def _task(summary: str, number: str | None, section: str = "II.1") -> Assignment:
    return Assignment(
        section=section,
        summary=summary,
        lead_unit="Phòng Quản lý Khoa học",
        cooperating_units=(),
        deadline=Deadline(DeadlineKind.DATE, date(2026, 6, 30)),
        needs_decision=None,
        text=summary,
        source=SourceDocument(number=number),
    )


def _import(office: Office, tasks: list[Assignment]) -> list[Started]:
    with transaction(office.factory) as s:
        return start_assignments(s, office.config, tasks, read_org_chart(CHART_2020_PATH), "vp.tp")


def _titles(office: Office, started: list[Started]) -> list[str]:
    return [office.show(r.instance_id).title for r in started if r.instance_id is not None]


def test_plan_identity__the_same_words_in_two_plans_are_two_tasks(office: Office) -> None:
    this_year = _import(office, [_task("Tuyên truyền kiến thức KH&CN", "12/KH-UBND")])
    next_year = _import(office, [_task("Tuyên truyền kiến thức KH&CN", "45/KH-UBND")])
    assert _titles(office, this_year + next_year) == [
        "II.1: Tuyên truyền kiến thức KH&CN (12/KH-UBND)",
        "II.1: Tuyên truyền kiến thức KH&CN (45/KH-UBND)",
    ]
    again = _import(office, [_task("Tuyên truyền kiến thức KH&CN", "45/KH-UBND")])
    assert [r.instance_id for r in again] == [None]  # imported before: nothing started


def test_plan_identity__two_tasks_alike_for_a_whole_title_are_two_items(office: Office) -> None:
    tasks = [_task(LONG + "Huyền Sơn, Lục Sơn.", "7/KH-UBND"), _task(LONG + "Tam Dị.", "7/KH-UBND")]
    started = _import(office, tasks)
    first, second = _titles(office, started)
    assert len(first) <= TITLE_CHARS and len(second) <= TITLE_CHARS
    assert first.endswith("… (7/KH-UBND)") and second.endswith("… (7/KH-UBND) (2)")
    assert first[:140] == second[:140]  # the same words, cut shorter to make room for "(2)"
    assert [r.instance_id for r in _import(office, tasks)] == [None, None]


def test_plan_identity__a_plan_without_a_number_keeps_its_titles(office: Office) -> None:
    started = _import(office, [_task("Việc A", None), _task("Việc A", None, "II.2")])
    assert _titles(office, started) == ["II.1: Việc A", "II.2: Việc A"]


def test_plan_identity__a_plan_imported_before_titles_carried_its_number(office: Office) -> None:
    """Items imported before today are titled without the plan's number: importing the plan
    again starts nothing for them, while another plan in the same words still starts."""
    chart = read_org_chart(CHART_2020_PATH)
    with transaction(office.factory) as s:
        for number in ("45/KH-UBND", "7/KH-UBND"):
            engine.start_instance(
                s,
                office.config,
                "giao_nhiem_vu",
                "vp.tp",
                title="II.1: Tuyên truyền kiến thức KH&CN",
                data=start_data(_task("Tuyên truyền kiến thức KH&CN", number), chart, 2026),
            )
    again = _import(office, [_task("Tuyên truyền kiến thức KH&CN", "45/KH-UBND")])
    other = _import(office, [_task("Tuyên truyền kiến thức KH&CN", "12/KH-UBND")])
    assert [r.instance_id for r in again] == [None]
    assert _titles(office, other) == ["II.1: Tuyên truyền kiến thức KH&CN (12/KH-UBND)"]


def test_plan_identity__a_task_whose_words_end_in_a_rank_gets_its_own_title(
    office: Office,
) -> None:
    tasks = [_task("Việc A", "9/KH"), _task("Việc A", "9/KH"), _task("Việc A (9/KH) (2)", "9/KH")]
    titles = _titles(office, _import(office, tasks))
    assert len(set(titles)) == 3, titles
    assert [r.instance_id for r in _import(office, tasks)] == [None, None, None]


def _from(issuer: str, summary: str = "Kiện toàn Ban Chỉ huy phòng, chống thiên tai") -> Assignment:
    task = _task(summary, None)
    return Assignment(**{**task.__dict__, "source": SourceDocument(issuer=issuer)})


def test_plan_identity__two_communes_plans_of_one_template_are_two_plans(office: Office) -> None:
    """Communes write their plans from the district's template and leave the number blank:
    without a number the issuer tells the plans apart (the second commune's tasks were
    skipped as "imported before"); each plan imported again still starts nothing."""
    tan_thanh = _import(office, [_from("ỦY BAN NHÂN DÂN XÃ TÂN THANH")])
    an_ha = _import(office, [_from("ỦY BAN NHÂN DÂN XÃ AN HÀ")])
    assert _titles(office, tan_thanh + an_ha) == [
        "II.1: Kiện toàn Ban Chỉ huy phòng, chống thiên tai (UBND xã Tân Thanh)",
        "II.1: Kiện toàn Ban Chỉ huy phòng, chống thiên tai (UBND xã An Hà)",
    ]
    assert [r.instance_id for r in _import(office, [_from("ỦY BAN NHÂN DÂN XÃ AN HÀ")])] == [None]


def test_plan_identity__a_plan_without_a_number_imported_before_its_issuer_was_in_titles(
    office: Office,
) -> None:
    chart = read_org_chart(CHART_2020_PATH)
    issuer = "ỦY BAN NHÂN DÂN XÃ TÂN THANH"
    with transaction(office.factory) as s:
        engine.start_instance(
            s,
            office.config,
            "giao_nhiem_vu",
            "vp.tp",
            title="II.1: Kiện toàn Ban Chỉ huy phòng, chống thiên tai",
            data=start_data(_from(issuer), chart, 2026),
        )
    assert [r.instance_id for r in _import(office, [_from(issuer)])] == [None]
    other = _import(office, [_from("ỦY BAN NHÂN DÂN XÃ AN HÀ")])
    assert [r.instance_id is not None for r in other] == [True]
