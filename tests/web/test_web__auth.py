"""Logging in and out, CSRF, security headers, the idle timeout, the login limit."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import flask_wtf.csrf
import pytest
from flask import Flask
from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from tests.web.conftest import PASSWORD, csrf_token, post


def test_auth__pages_need_a_login(app: Flask) -> None:
    client = app.test_client()
    for url in ("/", "/items/new", "/items/", "/monitor/", "/admin/processes"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_auth__log_in_and_out(login: Any) -> None:
    client = login("qlkh.cv1")
    page = client.get("/")
    assert page.status_code == 200 and "Việc cần xử lý" in page.get_data(as_text=True)
    assert post(client, "/", "/logout").status_code == 302
    assert client.get("/").status_code == 302


def test_auth__a_name_typed_in_other_case_logs_in_as_the_person(login: Any) -> None:
    """A phone's keyboard capitalises the first letter ("Qlkh.cv1"): the same person, whose
    pages and name follow; the form asks phones not to, too."""
    client = login("Qlkh.CV1")
    page = client.get("/").get_data(as_text=True)
    assert "Việc cần xử lý" in page
    form = client.application.test_client().get("/login").get_data(as_text=True)
    assert 'autocapitalize="none"' in form


def test_auth__a_wrong_password_says_so_in_vietnamese(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    page = client.post(
        "/login", data={"username": "qlkh.cv1", "password": "sai", "csrf_token": token}
    )
    assert page.status_code == 401
    html = page.get_data(as_text=True)
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in html
    # The name typed stays; the password is typed again (the cursor waits in its box).
    assert 'spellcheck="false" required value="qlkh.cv1">' in html
    assert 'autocomplete="current-password" required autofocus>' in html


def test_auth__too_many_failures_lock_the_name(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    for _ in range(5):
        client.post("/login", data={"username": "giamdoc", "password": "x", "csrf_token": token})
    page = client.post(
        "/login", data={"username": "giamdoc", "password": PASSWORD, "csrf_token": token}
    )
    assert page.status_code == 429 and "quá nhiều lần" in page.get_data(as_text=True)


def test_auth__a_form_without_its_csrf_token_is_refused(login: Any) -> None:
    client = login("qlkh.cv1")
    response = client.post("/logout")
    assert response.status_code == 400
    assert "Phiên làm việc đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still logged in: nothing happened


def test_auth__a_sessions_form_token_is_the_same_on_every_page_and_its_own(
    login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Signed once per session (web/security.py): every page of a session carries one token,
    which its forms are accepted with, however much later; another session's token is another,
    and refused here."""
    an, other = login("qlkh.cv1"), login("giamdoc")
    seconds = iter(range(1_800_000_000, 1_900_000_000, 60))

    class MinuteLater(TimestampSigner):  # each form token Flask-WTF signs, a minute later
        def get_timestamp(self) -> int:
            return next(seconds)

    class Tokens(URLSafeTimedSerializer):
        default_signer = MinuteLater

    monkeypatch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", Tokens)
    pages = [csrf_token(an.get(page).get_data(as_text=True)) for page in ("/", "/items/new", "/")]
    assert len(set(pages)) == 1
    theirs = csrf_token(other.get("/").get_data(as_text=True))
    assert theirs != pages[0]
    assert an.post("/logout", data={"csrf_token": theirs}).status_code == 400
    assert an.get("/").status_code == 200  # still logged in
    assert an.post("/logout", data={"csrf_token": pages[0]}).status_code == 302
    assert an.get("/").status_code == 302


def test_auth__with_a_time_limit_each_page_signs_its_token_afresh(
    app: Flask, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A token that expires is not kept: each page carries one signed for it, still accepted."""
    app.config["WTF_CSRF_TIME_LIMIT"] = 3600
    an = login("qlkh.cv1")
    seconds = iter(range(int(time.time()), int(time.time()) + 10_000, 60))

    class MinuteLater(TimestampSigner):
        def get_timestamp(self) -> int:
            return next(seconds)

    class Tokens(URLSafeTimedSerializer):
        default_signer = MinuteLater

    monkeypatch.setattr(flask_wtf.csrf, "URLSafeTimedSerializer", Tokens)
    pages = [csrf_token(an.get(page).get_data(as_text=True)) for page in ("/", "/")]
    assert pages[0] != pages[1]
    assert an.post("/logout", data={"csrf_token": pages[1]}).status_code == 302


def test_auth__security_headers_and_cookie_flags(app: Flask, login: Any) -> None:
    client = app.test_client()
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    token = csrf_token(response.get_data(as_text=True))
    login_response = client.post(
        "/login", data={"username": "qlkh.cv1", "password": PASSWORD, "csrf_token": token}
    )
    cookie = login_response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_auth__idle_sessions_end(login: Any, app: Flask, monkeypatch: Any) -> None:
    client = login("qlkh.cv1")
    assert client.get("/").status_code == 200
    app.config["IDLE_TIMEOUT"] = timedelta(seconds=-1)
    response = client.get("/")
    assert response.status_code == 302 and "expired=1" in response.headers["Location"]


def test_auth__english_is_one_click_away(login: Any) -> None:
    client = login("qlkh.cv1")
    post(client, "/", "/lang/en")
    assert "My tasks" in client.get("/").get_data(as_text=True)


def test_auth__one_persons_typos_do_not_lock_out_colleagues(app: Flask) -> None:
    client = app.test_client()
    token = csrf_token(client.get("/login").get_data(as_text=True))
    for name in ("a", "b", "c", "d", "e", "f"):
        client.post("/login", data={"username": name, "password": "x", "csrf_token": token})
    response = client.post(
        "/login", data={"username": "giamdoc", "password": PASSWORD, "csrf_token": token}
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    "referrer",
    [
        "http://localhost//evil.example/x",
        "http://localhost/\\evil.example/x",
        "https://evil.example/?localhost",
    ],
)
def test_auth__the_language_switch_never_leaves_the_site(login: Any, referrer: str) -> None:
    client = login("qlkh.cv1")
    token = csrf_token(client.get("/").get_data(as_text=True))
    response = client.post("/lang/en", data={"csrf_token": token}, headers={"Referer": referrer})
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
