"""`pheduyet message send` and `pheduyet signal send`: a message starts an item and a keyed one
moves it on; an unmatched message exits 3 (message_unmatched), an ambiguous one 5
(message_ambiguous); `pheduyet stuck` lists what the waiting items wait for."""

from __future__ import annotations

import pytest

from tests.integration.test_cli__contract import FIXTURES, Cli


@pytest.fixture
def cli(sqlite_url: str) -> Cli:
    run = Cli(sqlite_url)
    run("db", "upgrade")
    run("deploy", str(FIXTURES / "messages"))
    run("users", "add", "an")
    run("users", "add", "binh")
    return run


def test_cli__a_message_starts_an_item_and_a_keyed_one_moves_it_on(cli: Cli) -> None:
    started = cli.json("message", "send", "ho_so_nop", "--key", "HS-1", "--as", "an")
    assert (started["kind"], started["received"]) == ("message", [])
    (item,) = started["started"]
    cli("message", "send", "ho_so_nop", "--key", "HS-2", "--as", "an")
    waiting = [r for r in cli.json("stuck") if r["instance_id"] == item]
    assert [(r["element_id"], r["holder"]) for r in waiting] == [
        ("wait_fee", "message 'da_nop_phi' (key HS-1)")
    ]
    error = cli.json("message", "send", "da_nop_phi", code=5)["error"]
    assert (error["code"], error["reason"]) == ("conflict", "message_ambiguous")
    error = cli.json("message", "send", "da_nop_phi", "--key", "HS-9", code=3)["error"]
    assert (error["code"], error["reason"]) == ("not_found", "message_unmatched")
    out = cli("message", "send", "da_nop_phi", "--key", "HS-1", "--data", '{"fee": 5}').stdout
    assert out.strip() == f"message 'da_nop_phi' received by item(s) {item}"
    shown = cli.json("show", str(item))
    assert shown["data"]["fee"] == 5
    assert [t["element_id"] for t in shown["open_tasks"]] == ["check"]
    cli("message", "send", "x", "--data", "[1]", code=6)


def test_cli__a_process_started_only_by_its_message_is_not_started_by_hand(cli: Cli) -> None:
    error = cli.json("start", "msg_order", "--as", "an", code=6)["error"]
    assert (error["code"], error["reason"]) == ("invalid_input", "starts_on_event")
    assert "message send" in error["message"]
    assert cli.json("stuck") == []  # no item waiting for a start that never comes


def test_cli__a_signal_reaches_every_waiting_item(cli: Cli) -> None:
    items = [cli.json("start", "sig_wait", "--as", "an")["id"] for _ in range(2)]
    holders = {r["instance_id"]: r["holder"] for r in cli.json("stuck")}
    assert holders == {i: "signal 'quy_dinh_moi'" for i in items}
    sent = cli.json("signal", "send", "quy_dinh_moi", "--as", "binh")
    assert sent["received"] == items
    assert len(sent["started"]) == 1
    assert [cli.json("show", str(i))["status"] for i in items] == ["completed"] * 2
    assert "no item waits for it" in cli("signal", "send", "khong_ai_nghe").stdout
