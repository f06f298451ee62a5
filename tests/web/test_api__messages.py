"""POST /api/v1/messages and /signals: administrators' tokens only; a message starts an item
and a keyed one moves it on, with 404 message_unmatched and 409 message_ambiguous; a signal
reaches every waiting item; Theo dõi lists the items waiting for a message or a signal."""

from __future__ import annotations

from typing import Any

from flask import Flask

import engine
from engine import transaction
from tests.conftest import fixture_files
from tests.web.api_helpers import ON_BOTH, api_as, app_either  # noqa: F401  (the app fixture)
from tests.web.test_web__monitor import Tables, page
from workflows import engine_config


def _deploy(app: Flask) -> Any:
    factory = app.extensions["pheduyet.sessions"]
    with transaction(factory) as s:
        engine.deploy(s, fixture_files("messages"), app.config["NOW"])
    return factory


@ON_BOTH
def test_api__messages_and_signals(app: Flask, login: Any) -> None:
    factory = _deploy(app)
    admin = api_as(app, "quantri")
    assert api_as(app, "cs.cv1").post("/messages", {"name": "ho_so_nop"})[0] == 403
    assert api_as(app, "quantri", scope="read").post("/messages", {"name": "ho_so_nop"})[0] == 403
    status, sent = admin.post("/messages", {"name": "ho_so_nop", "correlation_key": "HS-1"})
    assert status == 200, sent
    (item,) = sent["started"]
    admin.post("/messages", {"name": "ho_so_nop", "correlation_key": "HS-2"})
    status, body = admin.post("/messages", {"name": "da_nop_phi"})
    assert (status, body["error"]["reason"]) == (409, "message_ambiguous")
    status, body = admin.post("/messages", {"name": "da_nop_phi", "correlation_key": "HS-9"})
    assert (status, body["error"]["reason"]) == (404, "message_unmatched")
    assert admin.post("/messages", {"name": "da_nop_phi", "bogus": 1})[0] == 422

    # Theo dõi shows who waits for what.
    html = page(login("giamdoc"), "/monitor/")
    assert "Hồ sơ chờ tin nhắn/tín hiệu" in html
    rows = Tables(html).tables["list compact waiting-items"]
    assert sorted(r["Khóa tương quan"] for r in rows) == ["HS-1", "HS-2"]
    assert {r["Chờ"] for r in rows} == {"Tin nhắn da_nop_phi"}

    status, got = admin.post(
        "/messages", {"name": "da_nop_phi", "correlation_key": "HS-1", "data": {"fee": 5}}
    )
    assert (status, got["received"], got["started"]) == (200, [item], [])
    with transaction(factory) as s:
        assert engine.show_instance(s, item).data["fee"] == 5
        waiting = [
            engine.start_instance(s, engine_config(app.config["NOW"]), "sig_wait", "quantri")
        ]
    status, sent = admin.post("/signals", {"name": "quy_dinh_moi", "data": {"so": "1"}})
    assert (status, sent["kind"], sent["received"]) == (200, "signal", waiting)
    assert len(sent["started"]) == 1
