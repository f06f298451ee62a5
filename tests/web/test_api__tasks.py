"""The API's tasks: my inbox with keyset paging, one task with its form as JSON Schema, the
dossier and the item's version, claim, release, forward and complete; every refusal with its
status and code; another unit's task is 404 as on the pages; two completions with the same
expected_version: one wins, the other is 409 with who acted and when. The main job end to end
through the API only (start, dossier, return, revise, approve, find what is stuck) runs on SQLite
and PostgreSQL."""

from __future__ import annotations

import io
import threading
from typing import Any

from flask import Flask

from tests.integration.test_processes__de_xuat_nhiem_vu import HOI_DONG, PHIEU
from tests.web.api_helpers import ON_BOTH, Api, api_as, app_either  # noqa: F401  (the app fixture)
from tests.web.test_api__items import START, any_app  # noqa: F401  (a fixture)


def _task(api: Api, item: int, element_id: str) -> dict[str, Any]:
    status, body = api.get("/tasks")
    assert status == 200, body
    found = [t for t in body["tasks"] if t["item_id"] == item and t["element_id"] == element_id]
    assert found, (element_id, body["tasks"])
    return found[0]


def _do(api: Api, item: int, element_id: str, **data: Any) -> dict[str, Any]:
    task = _task(api, item, element_id)
    status, shown = api.get(f"/tasks/{task['id']}")
    assert status == 200, shown
    version = shown["version"]
    if shown["form"]["json_schema"].get("x-attachment-required"):  # the step asks a document
        status, sent = api.call(
            "POST",
            f"/items/{item}/attachments",
            data={"file": (io.BytesIO(b"%PDF-1.4\n"), "bien-ban.pdf"), "task_id": task["id"]},
            content_type="multipart/form-data",
        )
        assert status == 201, sent
        version = sent["item_version"]
    body = {"data": data, "expected_version": version}
    status, done = api.post(f"/tasks/{task['id']}/complete", body)
    assert status == 200, done
    return done


def _proposed(app: Flask) -> tuple[Api, int]:
    starter = api_as(app, "trungtam.cv1")
    status, item = starter.post(START, {"title": "Chuỗi lúa gạo"})
    assert status == 201, item
    _do(starter, item["id"], "lap_phieu_de_xuat", **PHIEU)
    return starter, item["id"]


def test_tasks__main_job_through_the_api_only(any_app: Flask) -> None:  # noqa: F811
    app = any_app
    starter, item = _proposed(app)
    reviewer = api_as(app, "qlkh.cv2")
    task = _task(reviewer, item, "xem_xet_de_xuat")
    status, shown = reviewer.get(f"/tasks/{task['id']}")
    assert status == 200 and shown["may_act"] is True
    assert shown["item_id"] == item and isinstance(shown["version"], int)
    fields = {f["name"]: f["value"] for s in shown["dossier"] for f in s["fields"]}
    assert fields["ten_nhiem_vu"] == PHIEU["ten_nhiem_vu"]
    schema = shown["form"]["json_schema"]
    assert shown["form"]["decision_field"] == "decision"
    assert "decision" in schema["properties"]
    # Return it with a reason: the proposer has it again.
    status, done = reviewer.post(
        f"/tasks/{task['id']}/complete",
        {
            "data": {"decision": "tra_lai", "y_kien": "Thiếu dự toán kinh phí"},
            "expected_version": shown["version"],
        },
    )
    assert status == 200 and done["item_status"] == "running", done
    assert [t["element_id"] for t in done["open_tasks"]] == ["lap_phieu_de_xuat"]
    # Revise and send again; reviewed, judged by the council, approved by the director.
    _do(starter, item, "lap_phieu_de_xuat", **{**PHIEU, "muc_tieu": "Mô hình 60 ha"})
    _do(reviewer, item, "xem_xet_de_xuat", decision="dong_y")
    _do(api_as(app, "hoidong"), item, "danh_gia_hoi_dong", **HOI_DONG)
    leader = api_as(app, "giamdoc")
    done = _do(leader, item, "quyet_dinh_giam_doc", decision="phe_duyet")
    assert [t["element_id"] for t in done["open_tasks"]] == ["soan_to_trinh"]
    # Where it waits now: Theo dõi, for the director.
    status, stuck = leader.get("/monitor?process=de_xuat_nhiem_vu")
    assert status == 200, stuck
    rows = [r for r in stuck["rows"] if r["item_id"] == item]
    assert [r["element_id"] for r in rows] == ["soan_to_trinh"] and stuck["total"] >= 1
    status, history = starter.get(f"/items/{item}")
    decisions = [h["decision"] for h in history["history"] if h["kind"] == "completed"]
    assert "tra_lai" in decisions and "phe_duyet" in decisions


@ON_BOTH
def test_tasks__inbox_pages_with_a_cursor(app: Flask) -> None:
    api = api_as(app, "trungtam.cv1")
    ids = [api.post(START, {"title": f"Hồ sơ {n}"})[1]["id"] for n in range(3)]
    status, page = api.get("/tasks?limit=2")
    assert status == 200 and len(page["tasks"]) == 2 and page["total"] == 3
    assert page["next_cursor"]
    status, rest = api.get(f"/tasks?limit=2&cursor={page['next_cursor']}")
    assert len(rest["tasks"]) == 1 and rest["next_cursor"] is None
    seen = {t["item_id"] for t in page["tasks"] + rest["tasks"]}
    assert seen == set(ids)
    assert api_as(app, "cs.cv1").get("/tasks")[1]["tasks"] == []
    status, body = api.get("/tasks?limit=99")
    assert (status, body["error"]["fields"]["limit"]["code"]) == (422, "max")


@ON_BOTH
def test_tasks__another_units_task_is_404_and_unknown_fields_are_422(app: Flask) -> None:
    starter = api_as(app, "trungtam.cv1")
    item = starter.post(START, {})[1]["id"]
    task = _task(starter, item, "lap_phieu_de_xuat")
    stranger = api_as(app, "cs.cv1")
    for path in ("", "/claim", "/release", "/complete", "/forward"):
        method = stranger.get if not path else stranger.post
        body = {"to": "cs.cv2"} if path == "/forward" else None
        status, answer = (
            method(f"/tasks/{task['id']}{path}", body)
            if body
            else method(f"/tasks/{task['id']}{path}")
        )
        assert (status, answer["error"]["code"]) == (404, "not_found"), path
    for bad in ("not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        assert starter.get(f"/tasks/{bad}")[0] == 404
    status, body = starter.post(
        f"/tasks/{task['id']}/complete", {"data": {**PHIEU, "khong_co": "x"}}
    )
    assert (status, body["error"]["code"]) == (422, "invalid_data")
    assert body["error"]["fields"]["khong_co"]["code"] == "unknown"
    status, body = starter.post(f"/tasks/{task['id']}/complete", {"data": {}, "extra": 1})
    assert (status, body["error"]["fields"]["extra"]["code"]) == (422, "unknown")
    status, body = api_as(app, "trungtam.cv1", "read").post(f"/tasks/{task['id']}/complete", {})
    assert (status, body["error"]["code"]) == (403, "token_scope")


@ON_BOTH
def test_tasks__claim_release_and_forward(app: Flask) -> None:
    _starter, item = _proposed(app)
    one, two = api_as(app, "qlkh.cv1"), api_as(app, "qlkh.cv2")
    task = _task(one, item, "xem_xet_de_xuat")
    status, claimed = one.post(f"/tasks/{task['id']}/claim")
    assert status == 200 and claimed["task"]["assignee"] == "qlkh.cv1" and claimed["releasable"]
    status, body = two.post(f"/tasks/{task['id']}/claim")
    assert (status, body["error"]["code"]) == (409, "conflict")
    assert body["error"]["details"]["handled_by"] == "qlkh.cv1"
    status, body = two.post(f"/tasks/{task['id']}/release")
    assert status in (403, 404)
    status, released = one.post(f"/tasks/{task['id']}/release")
    assert status == 200 and released["task"]["assignee"] is None
    one.post(f"/tasks/{task['id']}/claim")
    shown = one.get(f"/tasks/{task['id']}")[1]
    assert "qlkh.cv2" in {c["username"] for c in shown["forward_to"]}
    status, body = one.post(f"/tasks/{task['id']}/forward", {"to": "cs.cv1"})
    assert (status, body["error"]["reason"]) == (403, "not_a_colleague")
    status, body = one.post(f"/tasks/{task['id']}/forward", {"to": "qlkh.cv2", "comment": "Nhờ"})
    assert status == 200 and body["assignee"] == "qlkh.cv2", body
    assert _task(two, item, "xem_xet_de_xuat")["assignee"] == "qlkh.cv2"
    status, body = one.post(f"/tasks/{task['id']}/forward", {})
    assert (status, body["error"]["fields"]["to"]["code"]) == (422, "required")


def test_tasks__two_completions_with_one_version_one_wins_the_other_409(
    any_app: Flask,  # noqa: F811
) -> None:
    """Two threads complete the same task with the same expected_version at once: the write
    lock orders them (BEGIN IMMEDIATE on SQLite, FOR UPDATE on PostgreSQL); exactly one wins,
    the other is 409 with who acted and when."""
    app = any_app
    _starter, item = _proposed(app)
    one, two = api_as(app, "qlkh.cv1"), api_as(app, "qlkh.cv2")
    task = _task(one, item, "xem_xet_de_xuat")
    version = one.get(f"/tasks/{task['id']}")[1]["version"]
    answers: dict[str, tuple[int, Any]] = {}
    gate = threading.Barrier(2)

    def complete(name: str, api: Api, decision: str) -> None:
        gate.wait()
        answers[name] = api.post(
            f"/tasks/{task['id']}/complete",
            {"data": {"decision": decision, "y_kien": name}, "expected_version": version},
        )

    threads = [
        threading.Thread(target=complete, args=("qlkh.cv1", one, "dong_y")),
        threading.Thread(target=complete, args=("qlkh.cv2", two, "tra_lai")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(status for status, _ in answers.values())
    assert statuses == [200, 409], answers
    (winner,) = [name for name, (status, _) in answers.items() if status == 200]
    (loser,) = [body for status, body in answers.values() if status == 409]
    error = loser["error"]
    assert error["code"] == "conflict" and error["reason"] == "stale_version"
    assert error["details"]["acted_by"] == winner and error["details"]["acted_at"]
    assert error["details"]["expected_version"] == version
    assert error["details"]["version"] > version
    # Without a version, the task done already: 409 with who handled it (or 404 if the
    # caller no longer sees it).
    status, body = one.post(f"/tasks/{task['id']}/complete", {"data": {"decision": "dong_y"}})
    assert status in (403, 404, 409), body
