"""Đôn đốc reaches the unit: when the leadership urges the lead unit of an overdue task, the
officer holding the unit's step and the unit's head are told (the bell), and the unit's step
shows the urging at the top of its page, with who urged and when, while the deadline it chased
stands."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.integration.test_processes__giao_nhiem_vu import TASK
from tests.web.conftest import post

URGING = "Đề nghị hoàn thành, báo cáo kết quả trước ngày 25/3"


def _overdue(office: Any) -> int:
    """A task of the plan, its deadline (20 March) gone by: the leaders' chaser is open."""
    item = office.start("giao_nhiem_vu", "vp.tp", **TASK)
    for _day in range(60):
        if "don_doc" in office.steps(item):
            return int(item)
        office.tick(1)
    raise AssertionError(f"no chaser opened: {office.steps(item)}")


def test_urging__tells_the_units_officer_and_head_and_shows_on_the_units_step(
    office: Any, login: Any
) -> None:
    item = _overdue(office)
    officer = login("cs.cv1")
    step = f"/tasks/{office.task('cs.cv1', item, 'cap_nhat_tien_do').id}"
    assert post(officer, step, f"{step}/claim").status_code in (302, 303)
    assert "Lãnh đạo Sở đôn đốc" not in officer.get(step).get_data(as_text=True)

    director = login("giamdoc")
    chase = f"/tasks/{office.task('giamdoc', item, 'don_doc').id}"
    done = post(director, chase, chase, {"noi_dung_don_doc": URGING}, follow_redirects=True)
    said = done.get_data(as_text=True)
    assert "Đã đôn đốc đơn vị chủ trì" in said
    # The unit's step stays where it was, and the flash says so: with whom it is.
    assert "Hồ sơ đang ở bước «Thực hiện, cập nhật tiến độ», do " in said

    for who in ("cs.cv1", "cs.tp"):  # the officer holds the step; the head answers for the unit
        bell = login(who).get("/notifications/").get_data(as_text=True)
        assert "Lãnh đạo Sở đôn đốc" in bell, who
        assert f"Nội dung đôn đốc: {URGING}" in bell
        assert "Người đôn đốc: Nguyễn Văn Bình" in bell
        assert "Bước: Thực hiện, cập nhật tiến độ" in bell

    page = officer.get(step).get_data(as_text=True)
    box = page[page.index('<section class="card reason urged"') :]
    box = box[: box.index("</section>")]
    assert "<h2" in box and "Lãnh đạo Sở đôn đốc" in box
    assert URGING in box
    assert "Nguyễn Văn Bình (Giám đốc Sở) đôn đốc lúc 21/03/2026" in box


def test_urging__the_director_who_urged_is_not_told_of_it(office: Any, login: Any) -> None:
    item = _overdue(office)
    director = login("giamdoc")
    chase = f"/tasks/{office.task('giamdoc', item, 'don_doc').id}"
    post(director, chase, chase, {"noi_dung_don_doc": URGING})
    assert "Nội dung đôn đốc" not in director.get("/notifications/").get_data(as_text=True)


def test_urging__asks_one_box_and_its_text_is_the_steps_comment(office: Any, login: Any) -> None:
    """The urging form asks its content once ("Nội dung đôn đốc", required), no "Ý kiến xử lý"
    beside it; an empty one changes nothing; the text sent is the urging and the step's comment."""
    item = _overdue(office)
    director = login("giamdoc")
    chase = f"/tasks/{office.task('giamdoc', item, 'don_doc').id}"
    page = director.get(chase).get_data(as_text=True)
    form = page[page.index('<form method="post" action="' + chase) :]
    form = form[: form.index("</form>")]
    assert form.count("<textarea") == 1
    assert 'name="noi_dung_don_doc"' in form and 'aria-required="true"' in form
    assert "Ý kiến xử lý" not in form and 'name="_comment"' not in form

    refused = post(director, chase, chase, {"noi_dung_don_doc": "  "})
    assert refused.status_code == 422
    assert "Hãy nhập nội dung đôn đốc" in refused.get_data(as_text=True)
    assert "don_doc" in office.steps(item)

    post(director, chase, chase, {"noi_dung_don_doc": URGING})
    [urged] = [h for h in office.show(item).history if h.element_id == "don_doc"]
    assert urged.comment == URGING
    # The item's history shows it once: as what the step sent, not again as a comment.
    history = director.get(f"/items/{item}").get_data(as_text=True).split('id="qua-trinh"')[1]
    assert history.count(URGING) == 1


def test_urging__a_leader_looking_at_the_units_late_step_is_led_to_the_urging(
    office: Any, login: Any
) -> None:
    """A report of a unit's late step leads the director to that step, which he may only look
    at: the page names his own step on the item, the urging, and links to it."""
    item = _overdue(office)
    director = login("giamdoc")
    units_step = f"/tasks/{office.task('cs.cv1', item, 'cap_nhat_tien_do').id}"
    chase = f"/tasks/{office.task('giamdoc', item, 'don_doc').id}"
    page = director.get(units_step).get_data(as_text=True)
    notice = page[page.index("Bạn chỉ được xem việc này") :]
    notice = notice[: notice.index("</div>")]
    assert "Việc của bạn ở hồ sơ này:" in notice
    assert f'href="{chase}"' in notice and "Đôn đốc" in notice
    # Looking at the urging, the unit's officer is led to his own step; the office head who
    # started the item, with no step of hers open, to none.
    officer = login("cs.cv1").get(chase).get_data(as_text=True)
    assert f'Việc của bạn ở hồ sơ này: <a href="{units_step}">' in officer
    starter = login("vp.tp").get(chase).get_data(as_text=True)
    assert "Bạn chỉ được xem việc này" in starter and "Việc của bạn ở hồ sơ này" not in starter


def test_urging__the_directors_page_shows_the_units_late_step(office: Any, login: Any) -> None:
    """What the director decides on when urging is the unit's step: the urging's page lists it
    with who holds it, its deadline and how many days it is late."""
    item = _overdue(office)
    director = login("giamdoc")
    chase = f"/tasks/{office.task('giamdoc', item, 'don_doc').id}"
    page = director.get(chase).get_data(as_text=True)
    card = page[page.index("Các bước khác đang xử lý") :]
    card = card[: card.index("</section>")]
    assert "Thực hiện, cập nhật tiến độ" in card
    assert "Phòng Quản lý Khoa học và Công nghệ cơ sở" in card
    assert "Hạn: 20/03/2026" in card
    late = (office.clock().date() - date(2026, 3, 20)).days
    assert late > 0 and f"Quá hạn {late} ngày" in card


def test_urging__the_leaders_guide_says_what_to_do_now(office: Any, login: Any) -> None:
    """The chaser's page tells the leader what to write, who gets it on «Đôn đốc», and that the
    deadline stays: an instruction to the one at the screen, not the process's rules."""
    item = _overdue(office)
    director = login("giamdoc")
    page = director.get(f"/tasks/{office.task('giamdoc', item, 'don_doc').id}").get_data(
        as_text=True
    )
    guide = page[page.index('<section class="card doc"') :]
    guide = guide[: guide.index("</section>")]
    assert "Hướng dẫn" in guide
    assert (
        "Ghi nội dung đôn đốc: yêu cầu đơn vị chủ trì báo cáo kết quả và thời hạn báo cáo" in guide
    )
    assert "Khi bấm «Đôn đốc», nội dung được gửi đến đơn vị chủ trì" in guide
    assert "Đôn đốc không thay đổi hạn của nhiệm vụ" in guide
    assert "tự đóng lại" not in guide and "Đôn đốc:" not in guide
