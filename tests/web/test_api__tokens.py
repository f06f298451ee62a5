"""Personal access tokens: made, listed and revoked by the CLI and on the person's own page,
stored hashed, shown once; the API's answers to no token, a wrong, expired or revoked one, a
locked person, a read token writing, and too many requests."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from sqlalchemy import select

import engine
from cli.main import main
from engine import ManualClock, transaction
from engine.api_tokens import ApiTokenModel
from tests.web.api_helpers import (  # noqa: F401  (app_either: the app fixture)
    ON_BOTH,
    Api,
    api_as,
    app_either,
    make_token,
)
from tests.web.conftest import post


def _rows(app: Flask) -> list[ApiTokenModel]:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return list(s.scalars(select(ApiTokenModel).order_by(ApiTokenModel.id)))


def _cli(app: Flask, *args: str, code: int = 0) -> Any:
    result = CliRunner().invoke(
        main, list(args), env={"PHEDUYET_DATABASE_URL": app.config["DATABASE_URL"]}
    )
    assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
    return json.loads(result.stdout) if "--json" in args else result.stdout


def test_tokens__cli_creates_lists_and_revokes_and_stores_only_a_hash(app: Flask) -> None:
    made = _cli(app, "tokens", "create", "trungtam.cv1", "--name", "E-office", "--json")
    secret = made["token"]
    assert re.fullmatch(rf"phd_{made['id']}_[A-Za-z0-9_-]{{43}}", secret)
    assert made["scope"] == "read" and made["expires_at"] is None
    (row,) = _rows(app)
    stored = hashlib.sha256(secret.split("_", 2)[2].encode()).hexdigest()
    assert row.secret_hash == stored and secret not in repr(vars(row))
    listed = _cli(app, "tokens", "list", "trungtam.cv1", "--json")
    assert [t["name"] for t in listed] == ["E-office"] and "token" not in listed[0]
    status, _ = Api(app.test_client(), secret).get("/items")
    assert status == 200
    revoked = _cli(app, "tokens", "revoke", "trungtam.cv1", str(made["id"]), "--json")
    assert revoked["revoked_at"] is not None
    status, body = Api(app.test_client(), secret).get("/items")
    assert (status, body["error"]["code"]) == (401, "token_revoked")
    # Another person's token is no one's to revoke; an unknown person has no list.
    other = _cli(app, "tokens", "revoke", "qlkh.cv1", str(made["id"]), "--json", code=3)
    assert other["error"]["reason"] == "token_unknown"
    _cli(app, "tokens", "list", "nobody", "--json", code=3)
    bad = _cli(app, "tokens", "create", "qlkh.cv1", "--name", " ", "--json", code=6)
    assert bad["error"]["reason"] == "token_name_required"
    text = _cli(app, "tokens", "create", "qlkh.cv1", "--name", "x", "--expires-days", "7")
    assert "phd_" in text


def test_tokens__web_page_shows_a_new_token_once_and_revokes_it(app: Flask, login: Any) -> None:
    client = login("qlkh.cv1")
    page = client.get("/account/tokens/")
    assert page.status_code == 200 and "Mã truy cập API" in page.get_data(as_text=True)
    made = post(
        client,
        "/account/tokens/",
        "/account/tokens/",
        {"ten": "Ứng dụng di động", "pham_vi": "write", "thoi_han": "30"},
    )
    html = made.get_data(as_text=True)
    secret = re.search(r'value="(phd_\d+_[^"]+)"', html)
    assert made.status_code == 200 and secret, html
    (row,) = _rows(app)
    assert (row.username, row.scope, row.name) == ("qlkh.cv1", "write", "Ứng dụng di động")
    assert f"(#{row.id})" in html  # listed at once, beside the text shown once
    assert row.expires_at == app.config["NOW"]() + timedelta(days=30)
    # Shown once: the list never shows it again, nor does any cookie carry it.
    again = client.get("/account/tokens/").get_data(as_text=True)
    assert secret.group(1) not in again and "Ứng dụng di động" in again
    assert all(secret.group(1) not in c for c in made.headers.getlist("Set-Cookie"))
    # Someone else cannot revoke it; its owner can.
    stranger = login("trungtam.cv1")
    refused = post(stranger, "/account/tokens/", f"/account/tokens/{row.id}/revoke")
    assert refused.status_code == 404 and _rows(app)[0].revoked_at is None
    done = post(client, "/account/tokens/", f"/account/tokens/{row.id}/revoke")
    assert done.status_code == 303 and _rows(app)[0].revoked_at is not None
    assert "Đã thu hồi" in client.get("/account/tokens/").get_data(as_text=True)
    empty = post(client, "/account/tokens/", "/account/tokens/", {"ten": ""})
    assert empty.status_code == 422 and "Hãy đặt tên" in empty.get_data(as_text=True)


@pytest.mark.parametrize("days", ["²", "-5", "abc", "7", "99999999999"])
def test_tokens__an_expiry_not_offered_makes_no_token(app: Flask, login: Any, days: str) -> None:
    """Not silently a token that never expires (the widest choice), nor an error page."""
    client = login("qlkh.cv1")
    form = {"ten": "Ứng dụng", "pham_vi": "write", "thoi_han": days}
    refused = post(client, "/account/tokens/", "/account/tokens/", form)
    assert refused.status_code == 422
    assert "Hãy chọn thời hạn của mã trong danh sách." in refused.get_data(as_text=True)
    assert _rows(app) == []
    # What was typed is still there, to choose an expiry and send again.
    page = refused.get_data(as_text=True)
    assert 'value="Ứng dụng"' in page and 'value="write" checked' in page


def test_tokens__the_page_is_for_people_logged_in(app: Flask) -> None:
    response = app.test_client().get("/account/tokens/")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    ("header", "code"),
    [
        (None, "token_missing"),
        ("Basic dXNlcjpwYXNz", "token_missing"),
        ("Bearer ", "token_missing"),
        ("Bearer phd_1_wrong", "token_unknown"),
        ("Bearer phd_999_x", "token_unknown"),
        ("Bearer nonsense", "token_unknown"),
    ],
)
def test_tokens__no_or_unknown_token_is_401(app: Flask, header: str | None, code: str) -> None:
    make_token(app, "qlkh.cv1")
    headers = {"Authorization": header} if header else {}
    response = app.test_client().get("/api/v1/items", headers=headers)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == code
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@ON_BOTH
def test_tokens__expired_revoked_and_locked_are_401(app: Flask, web_clock: ManualClock) -> None:
    expiring = Api(app.test_client(), make_token(app, "qlkh.cv1", expires_days=1))
    assert expiring.get("/items")[0] == 200
    web_clock.advance(timedelta(days=1))
    status, body = expiring.get("/items")
    assert (status, body["error"]["code"]) == (401, "token_expired")
    locked = Api(app.test_client(), make_token(app, "qlkh.cv2"))
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        engine.set_active(s, "qlkh.cv2", False)
    status, body = locked.get("/items")
    assert (status, body["error"]["code"]) == (401, "user_inactive")


@ON_BOTH
def test_tokens__a_read_token_may_not_write(app: Flask) -> None:
    reader = api_as(app, "trungtam.cv1", scope="read")
    assert reader.get("/processes")[0] == 200
    status, body = reader.post("/processes/de_xuat_nhiem_vu/items", {})
    assert (status, body["error"]["code"]) == (403, "token_scope")
    assert _items(app) == 0


def _items(app: Flask) -> int:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return len(engine.visible_instance_ids(s, engine.get_identity(s, "trungtam.cv1")))


@ON_BOTH
def test_tokens__use_is_recorded_once_a_minute(app: Flask, web_clock: ManualClock) -> None:
    api = api_as(app, "qlkh.cv1")
    api.get("/items")
    first = _rows(app)[0].last_used_at
    assert first == web_clock()
    web_clock.advance(timedelta(seconds=30))
    api.get("/items")
    assert _rows(app)[0].last_used_at == first
    web_clock.advance(timedelta(seconds=30))
    api.get("/items")
    assert _rows(app)[0].last_used_at == web_clock()


def test_tokens__rate_limit_per_token_with_retry_after(
    prepared_db: Any, tmp_path: Any, web_clock: ManualClock
) -> None:
    import shutil

    from web import create_app

    path = tmp_path / "limited.db"
    shutil.copy(prepared_db, path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{path}",
            "NOW": web_clock,
            "API_RATE_LIMIT": 3,
            "API_RATE_WINDOW": timedelta(minutes=1),
        }
    )
    api, other = api_as(app, "qlkh.cv1"), api_as(app, "qlkh.cv2")
    assert [api.get("/items")[0] for _ in range(3)] == [200, 200, 200]
    status, body = api.get("/items")
    assert (status, body["error"]["code"]) == (429, "rate_limited")
    assert api.last.headers["Retry-After"] == "60"
    assert other.get("/items")[0] == 200  # per token
    web_clock.advance(timedelta(seconds=45))
    assert api.get("/items")[0] == 429 and api.last.headers["Retry-After"] == "15"
    web_clock.advance(timedelta(seconds=15))
    assert api.get("/items")[0] == 200


def test_tokens__the_operator_sets_the_rate_limit_in_the_environment(
    prepared_db: Any, tmp_path: Any, web_clock: ManualClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from web import create_app

    monkeypatch.setenv("PHEDUYET_API_RATE_LIMIT", "2")
    path = tmp_path / "limited.db"
    shutil.copy(prepared_db, path)
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": f"sqlite:///{path}",
            "NOW": web_clock,
        }
    )
    api = api_as(app, "qlkh.cv1")
    assert [api.get("/items")[0] for _ in range(3)] == [200, 200, 429]


def test_tokens__cookies_do_not_log_in_to_the_api(login: Any) -> None:
    client = login("qlkh.cv1")
    response = client.get("/api/v1/items")
    assert response.status_code == 401
    assert not response.headers.getlist("Set-Cookie")
    # And no CSRF token is asked of an API write (its token is the proof).
    status, body = Api(client, None).post("/items/1/cancel", {"reason": "x"})
    assert (status, body["error"]["code"]) == (401, "token_missing")
