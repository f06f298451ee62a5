"""Đổi mật khẩu on Thông tin cá nhân: a person changes their own password, which ends every other
copy of their login and keeps this one; a wrong current password changes nothing and counts as a
failed login; a new password too short or typed differently twice is refused by field. Locked or
busy, the page says so in one message (the lock: that the login waits too) and sends the same
Retry-After as the login."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

import engine
from engine import ManualClock, transaction
from engine.login_limits import failures as login_failures
from engine.login_limits import login_keys
from tests.web.conftest import PASSWORD, csrf_token, post

PAGE = "/account/"
URL = "/account/password"
WHO = "trungtam.cv1"
NEW = "mật khẩu mới của tôi"


def change(client: FlaskClient, current: str, new: str, again: str | None = None) -> Any:
    data = {
        "current_password": current,
        "new_password": new,
        "new_password_again": new if again is None else again,
    }
    return post(client, PAGE, URL, data)


def logs_in(app: Flask, password: str, username: str = WHO) -> bool:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    answer = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    return bool(answer.status_code == 302)


def generation(app: Flask) -> int:
    with transaction(app.extensions["pheduyet.sessions"], write=False) as s:
        found = engine.credentials(s, WHO)
    assert found is not None
    return found.session_generation


def failures(app: Flask) -> int:
    with transaction(app.extensions["pheduyet.sessions"], write=False) as s:
        counts = login_failures(s, WHO, "127.0.0.1")
    return counts.get(login_keys(WHO, "127.0.0.1")[0], 0)


def test_password_change__the_page_offers_it(login: Any) -> None:
    html = login(WHO).get(PAGE).get_data(as_text=True)
    assert "Đổi mật khẩu" in html and f'action="{URL}"' in html
    for name, completion in (
        ("current_password", "current-password"),
        ("new_password", "new-password"),
        ("new_password_again", "new-password"),
    ):
        assert f'name="{name}" type="password" autocomplete="{completion}"' in html


def test_password_change__works_and_ends_every_other_login(app: Flask, login: Any) -> None:
    client, elsewhere = login(WHO), login(WHO)
    before = generation(app)
    answer = change(client, PASSWORD, NEW)
    assert answer.status_code == 303 and answer.headers["Location"] == PAGE
    page = client.get(PAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc." in html
    assert generation(app) == before + 1
    gone = elsewhere.get(PAGE)
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    assert not logs_in(app, PASSWORD) and logs_in(app, NEW)


def test_password_change__a_wrong_current_password_changes_nothing_and_counts(
    app: Flask, login: Any
) -> None:
    client = login(WHO)
    before = generation(app)
    answer = change(client, "không phải mật khẩu", NEW)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert html.count("Mật khẩu chưa được đổi") == 1  # said once, in the summary
    assert "Mật khẩu chưa được đổi: hãy sửa các mục được đánh dấu bên dưới." in html
    assert "Mật khẩu hiện tại không đúng." in html and 'id="current_password-error"' in html
    assert failures(app) == 1  # as a failed login: the page cannot be used to guess
    assert generation(app) == before and client.get(PAGE).status_code == 200
    assert logs_in(app, PASSWORD) and not logs_in(app, NEW)


def test_password_change__too_many_wrong_passwords_lock_as_logins_do(
    app: Flask, login: Any, web_clock: ManualClock
) -> None:
    client = login(WHO)
    for _n in range(app.config["LOGIN_ATTEMPTS"]):
        assert change(client, "đoán sai", NEW).status_code == 422
    # The clock stands at 08:00 in Hà Nội: locked for 15 minutes, until 08:15, as a login is.
    locked = change(client, PASSWORD, NEW)
    assert locked.status_code == 429 and locked.headers["Retry-After"] == "900"
    html = locked.get_data(as_text=True)
    # One message where the form's summary stands, saying the login waits too: nothing to mend.
    assert (
        '<div class="flash error" role="alert" tabindex="-1" data-show-on-load>'
        "Mật khẩu chưa được đổi. Do nhập sai mật khẩu quá nhiều lần, việc đăng nhập vào tài "
        "khoản này cũng tạm thời bị khóa. Hãy thử lại sau 15 phút (từ 08:15).</div>"
    ) in html
    assert html.count("Mật khẩu chưa được đổi") == 1
    assert "hãy sửa các mục" not in html and 'class="field-error"' not in html
    assert 'aria-invalid="true"' not in html
    web_clock.advance(timedelta(minutes=10, seconds=30))
    later = change(client, PASSWORD, NEW)
    assert later.status_code == 429 and later.headers["Retry-After"] == "270"
    assert "Hãy thử lại sau 5 phút (từ 08:15)." in later.get_data(as_text=True)
    assert not logs_in(app, PASSWORD)  # the login waits as the page said
    web_clock.advance(timedelta(minutes=5))
    assert not logs_in(app, NEW) and logs_in(app, PASSWORD)


def test_password_change__a_busy_server_asks_to_come_back_in_a_minute_as_the_login_does(
    app: Flask, login: Any
) -> None:
    client, stranger = login(WHO), app.test_client()
    token = csrf_token(stranger.get("/login").get_data(as_text=True))
    app.config["PASSWORD_CHECK_WAIT"] = timedelta(0)
    gate = app.extensions["pheduyet.password_checks"]
    taken = 0
    while gate.acquire(blocking=False):  # every check slot held, as by a crowd hashing
        taken += 1
    try:
        busy = change(client, PASSWORD, NEW)
        login_busy = stranger.post(
            "/login", data={"username": WHO, "password": PASSWORD, "csrf_token": token}
        )
    finally:
        for _n in range(taken):
            gate.release()
    assert busy.status_code == 503 and busy.headers["Retry-After"] == "60"
    html = busy.get_data(as_text=True)
    assert "Hệ thống đang bận. Xin vui lòng thử lại sau ít phút. Mật khẩu chưa được đổi." in html
    assert html.count("Mật khẩu chưa được đổi") == 1  # one message: nothing to mend, only wait
    assert "hãy sửa các mục" not in html and 'class="field-error"' not in html
    assert login_busy.status_code == 503 and login_busy.headers["Retry-After"] == "60"
    assert logs_in(app, PASSWORD) and not logs_in(app, NEW)


def test_password_change__field_problems_are_refused_before_any_check(
    app: Flask, login: Any
) -> None:
    client = login(WHO)
    cases = [
        ((PASSWORD, "ngắn", None), "new_password", "Mật khẩu mới phải có ít nhất 8 ký tự."),
        ((PASSWORD, NEW, NEW + "!"), "new_password_again", "Hai lần nhập mật khẩu mới không"),
        ((PASSWORD, PASSWORD, None), "new_password", "Mật khẩu mới phải khác mật khẩu hiện"),
        (("", NEW, None), "current_password", "Hãy nhập mật khẩu hiện tại."),
    ]
    for (current, new, again), field, words in cases:
        answer = change(client, current, new, again)
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422, field
        assert words in html and f'id="{field}-error"' in html
        assert f'id="{field}" name="{field}"' in html and 'aria-invalid="true"' in html
        assert PASSWORD not in html and NEW not in html  # a password is never sent back
    assert failures(app) == 0
    assert logs_in(app, PASSWORD)


def test_password_change__needs_the_csrf_token_and_a_login(app: Flask, login: Any) -> None:
    client = login(WHO)
    data = {"current_password": PASSWORD, "new_password": NEW, "new_password_again": NEW}
    assert client.post(URL, data=data).status_code == 400
    stranger = app.test_client().post(URL, data=data)
    assert stranger.status_code in (302, 400)
    assert logs_in(app, PASSWORD)
