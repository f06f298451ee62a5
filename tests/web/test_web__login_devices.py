"""A browser where a person has logged in before is counted on its own by the login limits:
neither a guesser who locks their account nor a crowd of failures behind the office's one
address keeps them out of it, and it locks itself after as many failures as an account."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient

import engine
from engine.users import UserModel
from tests.conftest import PASSWORD
from tests.web.conftest import csrf_token, post
from web.login_devices import COOKIE


def _try(client: FlaskClient, username: str, password: str) -> int:
    token = csrf_token(client.get("/login").get_data(as_text=True))
    response = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    return int(response.status_code)


def _known_browser(app: Flask, username: str) -> FlaskClient:
    """A browser the person logged in from (and out of) before."""
    client = app.test_client()
    assert _try(client, username, PASSWORD) == 302
    assert client.get_cookie(COOKIE) is not None
    post(client, "/", "/logout")
    return client


def test_devices__a_guesser_who_locks_the_account_does_not_lock_its_owners_browser(
    app: Flask,
) -> None:
    own = _known_browser(app, "giamdoc")
    guesser = app.test_client()
    for _ in range(6):
        _try(guesser, "giamdoc", "doan thu")
    assert _try(guesser, "giamdoc", PASSWORD) == 429  # the account is locked to everyone else
    assert _try(app.test_client(), "giamdoc", PASSWORD) == 429
    assert _try(own, "giamdoc", PASSWORD) == 302  # its owner's browser
    assert "Việc cần xử lý" in own.get("/").get_data(as_text=True)


def test_devices__failures_behind_the_offices_address_do_not_lock_known_browsers(
    app: Flask,
) -> None:
    own = _known_browser(app, "qlkh.cv1")
    crowd = app.test_client()  # the same address, as every client of the test app
    for i in range(app.config["LOGIN_ADDRESS_ATTEMPTS"]):
        _try(crowd, f"khong_co_{i}", "sai")
    assert _try(crowd, "giamdoc", PASSWORD) == 429  # the address is locked to new browsers
    assert _try(own, "qlkh.cv1", PASSWORD) == 302


def test_devices__a_known_browser_locks_itself_after_as_many_failures(app: Flask) -> None:
    own = _known_browser(app, "giamdoc")
    for _ in range(app.config["LOGIN_ATTEMPTS"]):
        assert _try(own, "giamdoc", "sai") == 401
    assert _try(own, "giamdoc", PASSWORD) == 429
    # Its failures were its own: the account and the address were not counted.
    assert _try(app.test_client(), "giamdoc", PASSWORD) == 302
    with engine.transaction(app.extensions["pheduyet.sessions"], write=False) as s:
        counts = engine.login_limits.failures(s, "giamdoc", "127.0.0.1")
    assert set(counts.values()) <= {0}


def test_devices__a_browser_is_known_only_for_the_names_logged_in_from_it(app: Flask) -> None:
    own = _known_browser(app, "giamdoc")
    guesser = app.test_client()
    for _ in range(6):
        _try(guesser, "qlkh.cv1", "sai")
    assert _try(own, "qlkh.cv1", PASSWORD) == 429


def test_devices__a_forged_or_altered_cookie_counts_for_nothing(app: Flask) -> None:
    own = _known_browser(app, "giamdoc")
    value = own.get_cookie(COOKIE)
    assert value is not None
    guesser = app.test_client()
    for _ in range(6):
        _try(guesser, "giamdoc", "sai")
    forged: Any = app.test_client()
    forged.set_cookie(COOKIE, value.value[:-2] + ("AA" if value.value[-2:] != "AA" else "BB"))
    assert _try(forged, "giamdoc", PASSWORD) == 429
    other_key = app.test_client()
    other_key.set_cookie(COOKIE, "W1siZ2lhbWRvYyIsIjAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwIl1d")
    assert _try(other_key, "giamdoc", PASSWORD) == 429


def test_devices__several_people_share_one_office_computer(app: Flask) -> None:
    shared = app.test_client()
    for name in ("giamdoc", "qlkh.cv1"):
        assert _try(shared, name, PASSWORD) == 302
        post(shared, "/", "/logout")
    guesser = app.test_client()
    for name in ("giamdoc", "qlkh.cv1"):
        for _ in range(6):
            _try(guesser, name, "sai")
    assert _try(shared, "giamdoc", PASSWORD) == 302
    post(shared, "/", "/logout")
    assert _try(shared, "qlkh.cv1", PASSWORD) == 302


def test_devices__a_new_password_makes_every_known_browser_a_stranger(app: Flask) -> None:
    """A stolen cookie is worth nothing once the password is changed: the browser counts
    against the account and the address again, until it logs in with the new password."""
    own = _known_browser(app, "qlkh.cv1")
    with engine.transaction(app.extensions["pheduyet.sessions"]) as s:
        found = engine.credentials(s, "qlkh.cv1")
        assert found is not None
        engine.change_password(s, found, engine.new_password_hash("mật khẩu mới của tôi"))
    guesser = app.test_client()
    for _ in range(6):
        _try(guesser, "qlkh.cv1", "sai")
    assert _try(own, "qlkh.cv1", "mật khẩu mới của tôi") == 429


def test_devices__names_differing_in_case_are_different_accounts(app: Flask) -> None:
    """Two such accounts can no longer be made (engine.add_user), but an older database may
    hold them: each stays its own."""
    with engine.transaction(app.extensions["pheduyet.sessions"]) as s:
        hashed = engine.new_password_hash(PASSWORD)
        s.add(UserModel(username="GiamDoc", display_name="Người khác", password_hash=hashed))
    own = _known_browser(app, "giamdoc")
    guesser = app.test_client()
    for _ in range(6):
        _try(guesser, "GiamDoc", "sai")
    assert _try(own, "GiamDoc", PASSWORD) == 429  # giamdoc's browser is not GiamDoc's
