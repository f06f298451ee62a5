"""A SpiffArena form whose choices come from the item's data (`"anyOf":
["options_from_task_data_var:free_rooms"]`, through a `$ref` to its definitions, as SpiffArena's
forms share a choice list) through the pages: the options the item holds are offered, a value
that is none of them is refused, one of them completes the step."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

import engine
from engine import transaction
from tests.conftest import fixture_files
from tests.web.conftest import post

STAFF = "qlkh.cv1"


@pytest.fixture
def booking(app: Flask, office: Any) -> int:
    factory = app.extensions["pheduyet.sessions"]
    with transaction(factory) as s:
        engine.deploy(
            s,
            [
                *fixture_files("spiff_arena_models/book_room.bpmn"),
                *fixture_files("spiff_arena_models/choose-room-schema.json"),
            ],
            office.clock,
        )
    item: int = office.start("book_room", STAFF, no_rooms=False)
    return item


def test_spiff_arena_forms__choices_from_the_data_on_the_page(
    booking: int, office: Any, login: Any
) -> None:
    client = login(STAFF)
    url = f"/tasks/{office.task(STAFF, booking, 'choose_room').id}"
    page = client.get(url).get_data(as_text=True)
    assert "Phòng 201" in page and "Phòng 305" in page
    assert 'value="p305"' in page

    refused = post(client, url, url, {"room": "p999"})
    assert refused.status_code == 422

    done = post(client, url, url, {"room": "p305"})
    assert done.status_code == 302
    with transaction(office.factory) as s:
        view = engine.show_instance(s, booking)
    assert (view.status, view.data["room"]) == ("completed", "p305")
