"""Sessions are facts the server keeps: a copy of a login cookie stops working once its person
logs out, gets a new password, is locked (and unlocked) or is logged out by an administrator;
the idle timeout counts from the login; HEAD and odd `next` values never log anyone in or
break the login page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import ManualClock, transaction
from tests.web.conftest import PASSWORD, csrf_token, post

ADMIN = "quantri"
PERSON = "qlkh.cv1"


def copy_of(app: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of this client's session cookie."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = app.test_client()
    thief.set_cookie("session", cookie.value)
    return thief


def logged_in(client: FlaskClient) -> bool:
    response = client.get("/")
    assert response.status_code in (200, 302)
    return response.status_code == 200


def edit_person(admin: FlaskClient, app: Flask, username: str, **changes: str) -> None:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        [person] = [u for u in engine.list_users(s) if u.username == username]
    data: dict[str, Any] = {
        "display_name": person.display_name,
        "unit": person.unit or "",
        "groups": list(person.groups),
        "active": "1" if person.active else "",
        **changes,
    }
    url = f"/admin/users/{username}"
    assert post(admin, url, url, data).status_code == 302


def test_sessions__a_copied_cookie_stops_working_after_logout(app: Flask, login: Any) -> None:
    client = login(PERSON)
    thief = copy_of(app, client)
    assert logged_in(thief)
    assert post(client, "/", "/logout").status_code == 302
    assert not logged_in(client) and not logged_in(thief)


def test_sessions__a_new_password_ends_the_old_sessions(app: Flask, login: Any) -> None:
    thief = copy_of(app, login(PERSON))
    edit_person(login(ADMIN), app, PERSON, password="mật khẩu mới 2026")
    assert not logged_in(thief)


def test_sessions__locking_ends_them_and_unlocking_does_not_revive_them(
    app: Flask, login: Any
) -> None:
    thief = copy_of(app, login(PERSON))
    admin = login(ADMIN)
    edit_person(admin, app, PERSON, active="")
    assert not logged_in(thief)
    edit_person(admin, app, PERSON, active="1")
    assert not logged_in(thief)
    assert logged_in(login(PERSON))  # a new login works again


def test_sessions__an_administrator_ends_a_persons_sessions(app: Flask, login: Any) -> None:
    person = login(PERSON)
    thief = copy_of(app, person)
    admin = login(ADMIN)
    url = f"/admin/users/{PERSON}"
    page = admin.get(url).get_data(as_text=True)
    assert "Đăng xuất khỏi mọi máy" in page
    response = post(admin, url, f"{url}/sessions/end", follow_redirects=True)
    assert "Đã đăng xuất qlkh.cv1 khỏi mọi máy." in response.get_data(as_text=True)
    assert not logged_in(person) and not logged_in(thief)
    assert logged_in(admin)


def test_sessions__an_administrator_ends_everyones_sessions_but_their_own(
    app: Flask, login: Any
) -> None:
    people = [login(PERSON), login("giamdoc")]
    admin = login(ADMIN)
    page = admin.get("/admin/users").get_data(as_text=True)
    assert "Đăng xuất mọi người dùng khỏi mọi máy" in page
    response = post(admin, "/admin/users", "/admin/users/sessions/end", follow_redirects=True)
    assert "trừ bạn" in response.get_data(as_text=True)
    assert not any(logged_in(p) for p in people)
    assert logged_in(admin)


def test_sessions__only_administrators_end_sessions(app: Flask, login: Any) -> None:
    victim = login("giamdoc")
    client = login(PERSON)
    token = csrf_token(client.get("/").get_data(as_text=True))
    for url in ("/admin/users/giamdoc/sessions/end", "/admin/users/sessions/end"):
        assert client.post(url, data={"csrf_token": token}).status_code == 403
    assert logged_in(victim)


def test_sessions__the_idle_timeout_counts_from_the_login(
    app: Flask, login: Any, web_clock: ManualClock
) -> None:
    app.config["SESSION_NOW"] = web_clock
    client = login(PERSON)  # not one page loaded after the login's own response
    thief = copy_of(app, client)
    web_clock.advance(app.config["IDLE_TIMEOUT"] + timedelta(minutes=1))
    for browser in (client, thief):
        response = browser.get("/")
        assert response.status_code == 302 and "expired=1" in response.headers["Location"]


def test_sessions__activity_keeps_a_session_alive(
    app: Flask, login: Any, web_clock: ManualClock
) -> None:
    app.config["SESSION_NOW"] = web_clock
    client = login(PERSON)
    for _ in range(3):
        web_clock.advance(app.config["IDLE_TIMEOUT"] - timedelta(minutes=1))
        assert logged_in(client)


def test_sessions__head_with_a_body_never_logs_in(app: Flask) -> None:
    client = app.test_client()
    response = client.open("/login", method="HEAD", data={"username": PERSON, "password": PASSWORD})
    assert response.status_code == 405
    assert not logged_in(client)


@pytest.mark.parametrize(
    "target",
    [
        "/items/\r\nSet-Cookie: x=1",
        "/\nLocation: https://evil.example/",
        "/items/%0d%0a",
        "//evil.example/",
        "/\\evil.example/",
        "https://evil.example/",
        "/[",
        "/" + "a" * 5000,
        "/items/\x00",
    ],
)
def test_sessions__next_is_a_path_on_this_site(app: Flask, target: str) -> None:
    client = app.test_client()
    page = client.get("/login", query_string={"next": target})
    assert page.status_code == 200
    token = csrf_token(page.get_data(as_text=True))
    response = client.post(
        "/login",
        data={"username": PERSON, "password": PASSWORD, "csrf_token": token, "next": target},
    )
    assert response.status_code == 302
    location = response.headers["Location"]
    assert "\r" not in location and "\n" not in location and "evil" not in location
    assert location.startswith("/") and not location.startswith(("//", "/\\"))


def test_sessions__a_safe_next_is_followed(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login?next=/items/").get_data(as_text=True))
    response = client.post(
        "/login",
        data={"username": PERSON, "password": PASSWORD, "csrf_token": token, "next": "/items/"},
    )
    assert response.headers["Location"] == "/items/"


def test_sessions__a_lockout_says_when_to_try_again(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    for _ in range(5):
        client.post("/login", data={"username": PERSON, "password": "sai", "csrf_token": token})
    response = client.post(
        "/login", data={"username": PERSON, "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "900"
    # START is 08:00 in Hà Nội: locked for 15 minutes, until 08:15.
    assert "Hãy thử lại sau 15 phút (từ 08:15)." in response.get_data(as_text=True)
    assert not logged_in(client)
