"""A Camunda model's step named with JUEL ("Vote of ${voter}") reads, on the item's page, as
its task read it on the item's data: in the history, in what each step submitted, and in the
steps done; the diagram's expression is never shown."""

from __future__ import annotations

from typing import Any

from flask import Flask

import engine
from engine import transaction
from tests.conftest import fixture_files
from workflows import engine_config

VOTERS = ["qlkh.cv1", "trungtam.cv1", "giamdoc"]


def test_juel_names__the_item_page_names_each_vote_by_its_voter(
    app: Flask, login: Any, web_clock: engine.ManualClock
) -> None:
    sessions = app.extensions["pheduyet.sessions"]
    settings = engine_config(web_clock)
    with transaction(sessions) as s:
        engine.add_group(s, "buyers_heads", "Buyers")
        engine.deploy(s, fixture_files("camunda_juel"), app.config["NOW"], "quantri")
        item = engine.start_instance(
            s, settings, "juel_quorum", "qlkh.cv1", data={"voters": VOTERS}
        )
    with transaction(sessions) as s:
        [vote] = engine.tasks_for(s, "trungtam.cv1")
        engine.complete_task(s, settings, vote.id, "trungtam.cv1", data={"agree": True})
    page = login("qlkh.cv1").get(f"/items/{item}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Vote of trungtam.cv1" in html
    assert "${" not in html
