"""The session cookie as someone who holds one might try it: altered, forged with another key,
replayed after its lifetime, or not a cookie of ours at all, it logs no one in and breaks no
page; a key rotated into SECRET_KEY_FALLBACKS keeps its people logged in. (What a form leaves
for the next page is seen there in tests/web/test_web__deciding.py.)"""

from __future__ import annotations

import io
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from engine import unpadded_b64encode
from tests.web.conftest import csrf_token, post
from web import create_app
from web.session_cookie import SessionSigner, _cookie_key, _mac


def _cookie(client: FlaskClient) -> str:
    found = client.get_cookie("session")
    assert found is not None
    return found.value


def _with_cookie(app: Flask, value: str) -> FlaskClient:
    client = app.test_client()
    client.set_cookie("session", value)
    return client


def _logged_in(client: FlaskClient) -> bool:
    response = client.get("/")
    if response.status_code == 302:
        assert "/login" in response.headers["Location"]
        return False
    assert response.status_code == 200
    return True


def test_session_cookie__as_signed_it_logs_in_and_altered_it_does_not(
    app: Flask, login: Any
) -> None:
    cookie = _cookie(login("qlkh.cv1"))
    assert _logged_in(_with_cookie(app, cookie))
    body, mac = cookie.rsplit(".", 1)
    flip = {"A": "B"}.get(body[5], "A")
    for altered in (
        f"{body[:5]}{flip}{body[6:]}.{mac}",  # one character of the content
        f"{body}.{mac[:-2]}{'AA' if mac[-2:] != 'AA' else 'BB'}",  # of the signature
        f"{body}.",  # no signature
        body,  # no dot at all
        f"{body}x.{mac}",
        "",
        "ờ.ờ",  # not ASCII
        "." * 3000,
    ):
        assert not _logged_in(_with_cookie(app, altered)), altered


def test_session_cookie__one_signed_with_another_key_is_refused(app: Flask, login: Any) -> None:
    session = SessionSigner((app.secret_key,)).loads(_cookie(login("giamdoc")))
    assert session["_user_id"] == "giamdoc"
    assert not _logged_in(_with_cookie(app, SessionSigner(("another key",)).dumps(session)))
    # The same session signed again with the site's key is taken: the key alone was wrong.
    assert _logged_in(_with_cookie(app, SessionSigner((app.secret_key,)).dumps(session)))


def test_session_cookie__a_rotated_key_keeps_people_logged_in(app: Flask, login: Any) -> None:
    client = login("giamdoc")
    old_key = app.secret_key
    app.secret_key = "the new key of this site, rotated today"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    assert _logged_in(client)
    # What is signed from now on is signed with the new key: it holds once the old one is gone.
    post(client, "/", "/lang/en")
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert _logged_in(client)
    assert "My tasks" in client.get("/").get_data(as_text=True)


def test_session_cookie__a_form_opened_before_the_key_changed_is_taken_after(
    app: Flask, login: Any
) -> None:
    """A page's form token signed with the key before a rotation: sent after it, the form is
    taken while that key is among the earlier ones, and refused as stale once it is not (as is
    a token signed with any other key)."""
    client = login("giamdoc")
    signed_before = csrf_token(client.get("/").get_data(as_text=True))
    old_key = app.secret_key
    app.secret_key = "the new key of this site, rotated today"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    sent = client.post("/lang/en", data={"csrf_token": signed_before})
    assert sent.status_code == 302
    assert "My tasks" in client.get("/").get_data(as_text=True)
    signed_now = csrf_token(client.get("/").get_data(as_text=True))
    assert signed_now != signed_before  # pages now carry the token signed with the new key
    # The same session's token, signed with a key this site never had: refused, in English.
    raw = SessionSigner((app.secret_key,)).loads(_cookie(client))["csrf_token"]
    forged = URLSafeTimedSerializer("a key this site never had", salt="wtf-csrf-token").dumps(raw)
    refused = client.post("/lang/vi", data={"csrf_token": forged})
    assert refused.status_code == 400
    assert "The form is out of date or invalid" in refused.get_data(as_text=True)
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.post("/lang/vi", data={"csrf_token": signed_before}).status_code == 400
    assert client.post("/lang/vi", data={"csrf_token": signed_now}).status_code == 302


def test_session_cookie__a_form_taken_under_an_earlier_key_vouches_for_no_other(
    app: Flask, login: Any
) -> None:
    """The current key's signature made for a form signed with an earlier one lasts for that
    form's check only, even where one app context spans several requests (a script's, a
    test's): the next form without a token is refused."""
    client = login("giamdoc")
    signed_before = csrf_token(client.get("/").get_data(as_text=True))
    old_key = app.secret_key
    app.secret_key = "the new key of this site, rotated today"
    app.config["SECRET_KEY_FALLBACKS"] = [old_key]
    with app.app_context():
        assert client.post("/lang/en", data={"csrf_token": signed_before}).status_code == 302
        assert client.post("/lang/vi", data={}).status_code == 400


def test_session_cookie__refused_the_login_page_says_the_earlier_session_ended(
    app: Flask, login: Any
) -> None:
    """Someone whose cookie no longer holds (a changed key, an upgrade, an old or altered
    cookie) is taken to the login page, which says why; a first visit is not told so."""
    session = SessionSigner((app.secret_key,)).loads(_cookie(login("giamdoc")))
    stale = _with_cookie(app, SessionSigner(("the key before it changed",)).dumps(session))
    page = stale.get("/", follow_redirects=True).get_data(as_text=True)
    assert 'name="password"' in page
    assert "Phiên đăng nhập trước đây không còn hiệu lực. Hãy đăng nhập lại." in page
    # Said once: the page after it, and a newcomer's login page, say nothing of it.
    assert "không còn hiệu lực" not in stale.get("/login").get_data(as_text=True)
    assert "không còn hiệu lực" not in app.test_client().get("/").get_data(as_text=True)
    fresh = app.test_client().get("/", follow_redirects=True).get_data(as_text=True)
    assert 'name="password"' in fresh and "không còn hiệu lực" not in fresh


def _same_site(app: Flask, key: str) -> dict[str, Any]:
    """The settings of another process of `app`'s site (its database, files and clock)."""
    given = ("TESTING", "DATABASE_URL", "UPLOAD_FOLDER", "NOW")
    return {**{name: app.config[name] for name in given}, "SECRET_KEY": key}


def test_session_cookie__keys_named_in_the_environment_as_earlier_ones_are_taken(
    app: Flask, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a deployment sets to rotate its key: the new one in PHEDUYET_SECRET_KEY, the old
    ones in PHEDUYET_SECRET_KEY_FALLBACKS, comma-separated (spaces and empty parts ignored)."""
    cookie = _cookie(login("giamdoc"))  # signed by a site whose key is "test"
    monkeypatch.setenv("PHEDUYET_SECRET_KEY_FALLBACKS", " an older key , test,,")
    rotated = create_app(_same_site(app, "the key of this site from today"))
    assert rotated.config["SECRET_KEY_FALLBACKS"] == ["an older key", "test"]
    assert _logged_in(_with_cookie(rotated, cookie))
    monkeypatch.delenv("PHEDUYET_SECRET_KEY_FALLBACKS")
    forgotten = create_app(_same_site(app, "the key of this site from today"))
    assert forgotten.config["SECRET_KEY_FALLBACKS"] == []
    assert not _logged_in(_with_cookie(forgotten, cookie))


def test_session_cookie__older_than_the_sessions_lifetime_is_refused(
    app: Flask, login: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = login("qlkh.cv1")
    app.permanent_session_lifetime = timedelta(hours=1)
    assert _logged_in(client)
    later = time.time() + 3601
    monkeypatch.setattr("web.session_cookie.time.time", lambda: later)
    assert not _logged_in(client)


def test_session_cookie__the_signer_says_why_it_refuses() -> None:
    signer = SessionSigner(("k",))
    cookie = signer.dumps({"lang": "en", "_flashes": [("success", "Đã trình Giám đốc Sở")]})
    assert signer.loads(cookie) == {"lang": "en", "_flashes": [["success", "Đã trình Giám đốc Sở"]]}
    assert signer.loads(cookie, max_age=60)["lang"] == "en"
    with pytest.raises(SignatureExpired):
        signer.loads(cookie, max_age=-1)
    with pytest.raises(BadSignature):
        SessionSigner(("other",)).loads(cookie)
    with pytest.raises(BadSignature):
        signer.loads(cookie.replace(".", ".x", 1))


def test_session_cookie__one_cookie_has_one_spelling() -> None:
    """What base64 lets through unread (padding, the last character's spare bits, another
    alphabet) is another cookie, refused."""
    signer = SessionSigner(("k",))
    cookie = signer.dumps({"lang": "vi"})
    body, mac = cookie.rsplit(".", 1)
    spare = {"A": "B", "B": "A"}.get(mac[-1], "A")  # 32 bytes: the last character's 2 spare bits
    for other in (f"{cookie}=", f"{cookie}==", f"{cookie}!!", f"{body}.{mac[:-1]}{spare}"):
        with pytest.raises(BadSignature):
            signer.loads(other)
    assert signer.loads(cookie) == {"lang": "vi"}


def test_session_cookie__many_messages_stay_under_what_a_browser_keeps() -> None:
    """An upload of 25 files leaves a message for each: the cookie is stored compressed."""
    signer = SessionSigner(("k",))
    messages = [
        ["error", f"Không nhận tệp Báo cáo thẩm định dự án số {n} - Phòng Kế hoạch Tài chính.pdf"]
        for n in range(25)
    ]
    cookie = signer.dumps({"_user_id": "qlkh.cv1", "_flashes": messages})
    assert len(cookie) < 1500
    assert signer.loads(cookie)["_flashes"] == messages
    assert signer.dumps({"lang": "vi"}).startswith("j")  # a small session is not compressed


def test_session_cookie__signed_ahead_of_the_clock_or_in_another_form_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    signer = SessionSigner(("k",))
    ahead = time.time() + 3600
    monkeypatch.setattr("web.session_cookie.time.time", lambda: ahead)
    cookie = signer.dumps({"lang": "vi"})
    monkeypatch.undo()
    with pytest.raises(BadSignature):
        signer.loads(cookie)
    # A cookie signed with the key in a form this release does not write: no session, no 500.
    for body in (
        "x" + unpadded_b64encode(b"[1,{}]"),
        "j" + unpadded_b64encode(b"[1,2,3]"),
        "j" + unpadded_b64encode(b"{}"),
    ):
        forged = f"{body}.{unpadded_b64encode(_mac(_cookie_key('k'), body.encode()))}"
        with pytest.raises(BadSignature):
            signer.loads(forged)


def test_session_cookie__a_value_json_lacks_is_kept_as_its_text() -> None:
    """Never a failure after the request's work is done: the value's text is kept instead."""
    signer = SessionSigner(("k",))
    assert signer.loads(signer.dumps({"amount": Decimal("1.50")})) == {"amount": "1.50"}


_PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n"


def test_session_cookie__an_upload_of_many_files_shows_every_message(
    office: Any, login: Any
) -> None:
    """25 files leave 25 messages for the next page; a browser keeps a cookie of at most 4 KB
    and drops a larger one without a word, messages and all."""
    item = int(office.start("de_xuat_nhiem_vu", "trungtam.cv1"))
    client = login("trungtam.cv1")
    files = [
        (io.BytesIO(_PDF), f"Báo cáo thẩm định dự án số {n:02d} - Phòng Kế hoạch Tài chính.pdf")
        for n in range(25)
    ]
    sent = post(
        client,
        f"/items/{item}",
        f"/items/{item}/attachments",
        {"tep": files},
        content_type="multipart/form-data",
    )
    [cookie] = [c for c in sent.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookie) < 4000
    page = client.get(sent.headers["Location"]).get_data(as_text=True)
    assert page.count('<div class="flash') == 25
