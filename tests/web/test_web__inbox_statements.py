"""The inbox, the task page and a task's POST each cost a fixed number of SQL statements,
whatever the number of tasks, items and the length of their histories (no listing may become
N+1 again); the inbox pages 50 at a time, most urgent first, none missing, none twice."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import ManualClock, transaction
from tests.integration.test_processes__giao_nhiem_vu import TASK as GIAO_TASK
from tests.statements import counted
from tests.web.api_helpers import ON_BOTH, app_either  # noqa: F401  (the app fixture)
from tests.web.conftest import csrf_token

# Counted once the process keeps the directory (engine.directory_cache): the first request
# after the directory changed reads it once more (the units, the names of groups and people,
# the webhooks: a statement each).
# BEGIN, the person with the bell's count and the directory's token, the counts with the
# page's rows: was 6 when the counts and the page were two statements (two round trips), 5
# when the bell had its own, 4 when the names on the rows were read at each page.
INBOX_STATEMENTS = 3
# BEGIN, the person with the bell's count, the task with its item, the item's history with its
# steps' keys, its open tasks (and its files, one statement more, when its history has a file
# added): was 12 when the check of the person's rights read the task's candidate rows (it reads
# the task's row with its item's starter, as the actions do) and the steps' keys came in a
# statement of their own, 13 when the forms and the colleagues each read the units, 14 when
# the names took two, 10 when the bell had its own, 9 when the units, the names it shows and
# the colleagues to forward to were read at each page, 6 when an item without files read them.
TASK_PAGE_STATEMENTS = 5
# SQLite: the check and the form read (and the step rehearsed) before the write, each with its
# BEGIN; PostgreSQL: the check is the write's own lock of the item, no BEGIN counted (it was a
# read of its own, 16 in all). On SQLite: was 24 when the item's open steps were read before
# the write and again after it, to tell which it opened (the write knows), 22 when the names
# were read in a third transaction, 21 when each action read the webhooks, the people its new
# step tells (with their addresses and choices) and the names of the steps' holders, 18 when
# each action read the item's comments, files and search row back (engine.search_written), 17
# when each cleared the item's waits for messages and signals, whether it had any or not, 16
# (PostgreSQL 13) when each read the item's open steps, which its last save in this process
# left (runtime.load_workflow_and_rows).
TASK_POST_STATEMENTS = {"sqlite": 14, "postgresql": 12}
# A start with its key: the read's BEGIN, the person, the newest versions (the form); the
# write's BEGIN, the key kept (a new one is not read back), the versions (the rights to start,
# the newest one with the directory's token), the item row, its first step's row, the person it
# tells, the step's candidate rows, the item row with its state, the key's item; at commit the
# chain's head read, the event, the head moved, the step totals, the search row. Was 29 when
# the write read the directory itself (the webhooks, the people its first step tells), cleared
# the new item's waits and read its search row's parts back, and the item and its steps were
# read again after the commit (in a transaction of their own); 21 when each start purged the
# old keys and read its new one back.
START_STATEMENTS = 19
PROGRESS = {"ty_le_hoan_thanh": 40, "noi_dung_cap_nhat": "Đã khảo sát", "hoan_thanh": False}
_ROW = re.compile(r'<a href="/tasks/([0-9a-f-]{36})" class="item-link">')
_NEXT = re.compile(r'<a class="button" href="([^"]+)" rel="next">')


def _assign(office: Any, title: str, deadline: str | None = "2026-03-20") -> int:
    data = {**GIAO_TASK, "gia_tri_han": deadline, "loai_han": "date" if deadline else "none"}
    with transaction(office.factory) as s:
        return engine.start_instance(
            s, office.config, "giao_nhiem_vu", "vp.tp", title=title, data=data
        )


def _progress(office: Any, item: int, times: int) -> None:
    """Progress updates loop on the same step: each one adds to the item's history."""
    for n in range(times):
        office.do("cs.cv1", item, "cap_nhat_tien_do", comment=f"Lần {n}", **PROGRESS)


def _get(client: FlaskClient, app: Flask, url: str) -> tuple[int, str]:
    with counted(app.extensions["pheduyet.sessions"]) as seen:
        response = client.get(url)
    assert response.status_code == 200, response.status_code
    return len(seen), response.get_data(as_text=True)


def _complete(client: FlaskClient, app: Flask, office: Any, item: int) -> int:
    url = f"/tasks/{office.task('cs.cv1', item, 'cap_nhat_tien_do').id}"
    page = client.get(url).get_data(as_text=True)
    revision = re.search(r'name="_revision" value="(\d+)"', page)
    assert revision
    form = {
        "csrf_token": csrf_token(page),
        "_revision": revision.group(1),
        "ty_le_hoan_thanh": "60",
        "noi_dung_cap_nhat": "Đã xong dự thảo",
    }
    with counted(app.extensions["pheduyet.sessions"]) as seen:
        response = client.post(url, data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return len(seen)


def test_statements__the_inbox_costs_the_same_for_3_tasks_and_for_43_with_history(
    office: Any, login: Any, app: Flask
) -> None:
    first = [_assign(office, f"Nhiệm vụ {n}") for n in range(3)]
    client = login("cs.cv1")
    client.get("/")  # the process reads the directory once
    few, page = _get(client, app, "/")
    assert len(_ROW.findall(page)) == 3
    more = [_assign(office, f"Nhiệm vụ thêm {n}", f"2026-03-{n % 20 + 3:02d}") for n in range(40)]
    for item in more[:10]:
        _progress(office, item, 3)
    office.do("cs.cv1", more[10], "cap_nhat_tien_do", **{**PROGRESS, "hoan_thanh": True})
    office.do("cs.cv1", more[10], "bao_cao_ket_qua", so_bao_cao="1/BC", ket_qua="Xong")
    office.do("giamdoc", more[10], "danh_gia_ket_qua", decision="yeu_cau_bo_sung", y_kien="Bổ sung")
    office.do("cs.cv1", first[0], "cap_nhat_tien_do", **PROGRESS)
    claimed = office.task("cs.cv1", first[1], "cap_nhat_tien_do")
    with transaction(office.factory) as s:
        engine.claim_task(s, office.config, claimed.id, "cs.cv1")
    many, page = _get(client, app, "/")
    assert len(_ROW.findall(page)) == 43
    assert "Bị trả lại" in page and "Thôi nhận xử lý" in page
    assert many == few, f"{few} statements for 3 tasks, {many} for 43"
    assert few == INBOX_STATEMENTS, f"{few} statements instead of {INBOX_STATEMENTS}"


def test_statements__the_task_page_costs_the_same_whatever_the_history(
    office: Any, login: Any, app: Flask, tmp_path: Path
) -> None:
    short, long = _assign(office, "Ngắn"), _assign(office, "Dài")
    _progress(office, short, 1)
    _progress(office, long, 15)
    client = login("cs.cv1")
    client.get(f"/tasks/{office.task('cs.cv1', short, 'cap_nhat_tien_do').id}")  # the directory
    counts = []
    for item in (short, long):
        task = office.task("cs.cv1", item, "cap_nhat_tien_do")
        count, page = _get(client, app, f"/tasks/{task.id}")
        assert 'name="_revision"' in page
        counts.append(count)
    assert counts[0] == counts[1], f"{counts[0]} statements after one step, {counts[1]} after 15"
    assert counts[0] == TASK_PAGE_STATEMENTS, f"{counts[0]} instead of {TASK_PAGE_STATEMENTS}"
    for item, files in ((short, 1), (long, 3)):
        with transaction(office.factory) as s:
            for n in range(files):
                engine.add_attachment(
                    s, office.clock, tmp_path, item, "cs.cv1", f"Báo cáo {n}.pdf", b"%PDF-1.4\n"
                )
        task = office.task("cs.cv1", item, "cap_nhat_tien_do")
        count, page = _get(client, app, f"/tasks/{task.id}")
        assert f"Báo cáo {files - 1}.pdf" in page
        assert count == TASK_PAGE_STATEMENTS + 1, f"{count} with {files} file(s)"


@ON_BOTH
def test_statements__a_task_post_costs_the_same_whatever_the_history(
    office: Any, login: Any, app: Flask
) -> None:
    short, long = _assign(office, "Ngắn"), _assign(office, "Dài")
    _progress(office, long, 15)
    for n in range(20):
        _assign(office, f"Nhiệm vụ khác {n}")
    client = login("cs.cv1")
    _complete(client, app, office, _assign(office, "Đầu tiên"))  # the process reads the directory
    counts = [_complete(client, app, office, item) for item in (short, long)]
    assert counts[0] == counts[1], (
        f"{counts[0]} statements for a new item, {counts[1]} for 15 steps"
    )
    pinned = TASK_POST_STATEMENTS[app.extensions["pheduyet.sessions"].kw["bind"].dialect.name]
    assert counts[0] == pinned, f"{counts[0]} instead of {pinned}"


def test_statements__the_forward_list_names_the_unit_never_everyone(
    office: Any, login: Any, app: Flask
) -> None:
    with transaction(office.factory) as s:
        for n in range(200):
            engine.add_user(s, f"nguoi{n}", display_name=f"Người ngoài {n}", unit="van_phong_so")
    item = _assign(office, "Chuyển xử lý")
    client = login("cs.cv1")
    _count, page = _get(client, app, f"/tasks/{office.task('cs.cv1', item, 'cap_nhat_tien_do').id}")
    assert '<option value="cs.tp">' in page
    assert "Người ngoài" not in page


def test_paging__120_tasks_come_50_50_20_most_urgent_first_each_once(
    office: Any, login: Any, app: Flask, web_clock: ManualClock
) -> None:
    for n in range(100):
        # Twenty due dates, five tasks each, some created later than others of the same date.
        if n % 7 == 0:
            web_clock.advance(timedelta(minutes=5))
        _assign(office, f"Nhiệm vụ {n}", f"2026-03-{n % 20 + 3:02d}")
    for n in range(20):  # proposals of their own: no due date, at the end
        with transaction(office.factory) as s:
            engine.start_instance(
                s, office.config, "de_xuat_nhiem_vu", "cs.cv1", title=f"Đề xuất {n}"
            )
    web_clock.advance(timedelta(days=4, hours=1))  # Friday 6 March: the 3rd to 5th are overdue
    with transaction(office.factory) as s:
        tasks = engine.tasks_for(s, "cs.cv1")
    assert len(tasks) == 120
    expected = sorted(
        tasks,
        key=lambda t: (
            t.due_at is None,
            t.due_at.timestamp() if t.due_at else 0,
            -t.created_at.timestamp(),
            t.id,
        ),
    )
    overdue = sum(1 for t in tasks if t.due_at and t.due_at < web_clock())
    client = login("cs.cv1")
    url: str | None = "/"
    pages: list[list[str]] = []
    counts = []
    while url:
        count, page = _get(client, app, url.replace("&amp;", "&"))
        counts.append(count)
        pages.append(_ROW.findall(page))
        assert "120 việc đang chờ" in page and f"{overdue} việc quá hạn" in page
        found = _NEXT.search(page)
        url = found.group(1) if found else None
    assert [len(p) for p in pages] == [50, 50, 20]
    assert [i for p in pages for i in p] == [t.id for t in expected]
    assert max(counts) == counts[0], counts  # a later page costs no more than the first
    # A cursor that is not one of ours is the first page, never an error.
    _count, page = _get(client, app, "/?after=not-a-cursor")
    assert _ROW.findall(page) == pages[0]
    # Past its count cap, the inbox walks the urgency index instead: the same pages, and the
    # counts say "more than" the cap.
    walked, cursor, first = [], None, None
    while True:
        with transaction(office.factory) as s:
            who = engine.get_identity(s, "cs.cv1")
            result = engine.inbox(s, who, web_clock(), after=cursor, count_cap=30)
        first = first or result
        walked.append([r.id for r in result.rows])
        cursor = result.next_cursor
        if cursor is None:
            break
    assert walked == pages
    assert (first.total, first.overdue, first.more) == (30, 0, True)


def test_statements__a_start_reads_nothing_it_wrote(login: Any, app: Flask) -> None:
    """The start's write takes the directory's token with the version (the people it tells come
    from what the process keeps), clears no waits and reads no search parts of an item it has
    just made, and tells whether the starter holds its first step from what it wrote, not from
    a third read (tests/web/test_web__items.py follows a start to the starter's own step)."""
    client = login("vp.tp")
    sent = {"tieu_de": "Việc mới", "noi_dung_day_du": "Tổng hợp báo cáo tình hình thực hiện"}

    def keyed_form() -> dict[str, str]:
        page = client.get("/items/new").get_data(as_text=True)
        key = re.search(r'name="khoa_tao_moi" value="([^"]+)"', page)
        assert key
        return {**sent, "csrf_token": csrf_token(page), "khoa_tao_moi": key.group(1)}

    # The process's first start reads the directory and lets the old start keys go (once
    # every engine.start_keys.PURGED_EVERY).
    assert client.post("/items/new/giao_nhiem_vu", data=keyed_form()).status_code == 303
    form = keyed_form()
    with counted(app.extensions["pheduyet.sessions"]) as seen:
        response = client.post("/items/new/giao_nhiem_vu", data=form)
    assert response.status_code == 303
    assert response.headers["Location"] == "/items/2"  # its first step is the leadership's
    assert not [q for q in seen if "waiting_events" in q or "audit_events.comment" in q]
    assert len(seen) == START_STATEMENTS, f"{len(seen)} instead of {START_STATEMENTS}"
