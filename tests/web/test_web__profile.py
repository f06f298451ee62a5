"""Thông tin cá nhân: a person saves their address, language, digest hour and, per event, how
its mail reaches them, and reads it all back; a malformed address or switching the escalation
off is refused with a clear message and nothing saved; the escalation is offered only to those
it can reach (a unit's leaders, the department's), never to a staff officer; the header's name
leads here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

import engine
from engine import ManualClock, transaction
from tests.web.both_databases import app_on
from tests.web.conftest import post

PAGE = "/account/"
WHO = "trungtam.cv1"  # a staff officer of Trung tâm Ứng dụng, who leads nothing
LEADER = "trungtam.tp"  # the head of that unit
EVENTS = [str(e) for e in engine.CHOOSABLE_EVENTS]


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: pytest.FixtureRequest, tmp_path: Path, web_clock: ManualClock) -> Iterator[Flask]:
    """Each test on SQLite and on PostgreSQL."""
    yield from app_on(request, tmp_path, web_clock)


def prefs(app: Flask, username: str = WHO) -> engine.Preferences:
    with transaction(app.extensions["pheduyet.sessions"], write=False) as s:
        return engine.preferences(s, username)


def form(email: str = "", locale: str = "vi", hour: str = "7", **choices: str) -> dict[str, str]:
    return {
        "email": email,
        "locale": locale,
        "digest_hour": hour,
        **{f"event_{e}": choices.get(e, "immediately") for e in EVENTS},
    }


def test_profile__the_header_name_leads_here_and_here_to_the_tokens(login: Any) -> None:
    client = login(WHO)
    inbox = client.get("/").get_data(as_text=True)
    assert f'<a href="{PAGE}" class="me' in inbox
    page = client.get(PAGE)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Thông tin cá nhân" in html and 'href="/account/tokens/"' in html
    for words in ("Gửi ngay", "Gộp vào thư tổng hợp hằng ngày", "Không gửi", "Tiếng Việt"):
        assert words in html


@pytest.mark.parametrize(
    ("who", "offered"),
    [("trungtam.cv1", False), ("cs.cv1", False), ("trungtam.tp", True), ("giamdoc", True)],
    ids=["staff", "another-staff", "unit-head", "director"],
)
def test_profile__the_escalation_is_offered_only_to_whom_it_can_reach(
    app: Flask, login: Any, who: str, offered: bool
) -> None:
    html = login(who).get(PAGE).get_data(as_text=True)
    if offered:
        assert "Báo cáo quá hạn" in html and "Luôn được gửi, không tắt được." in html
        assert 'name="event_escalated" value="off" disabled' in html
    else:
        assert 'name="event_escalated"' not in html and "Báo cáo quá hạn" not in html
    assert 'name="event_overdue" value="immediately" checked' in html  # the others, for all


def test_profile__a_staff_officer_saves_without_the_escalation_and_keeps_its_default(
    app: Flask, login: Any
) -> None:
    client = login(WHO)
    choices = {e: "digest" for e in EVENTS if e != "escalated"}
    sent = {k: v for k, v in form("cv@skhcn.gov.vn", **choices).items() if k != "event_escalated"}
    answer = post(client, PAGE, PAGE, sent)
    assert answer.status_code == 303, answer.get_data(as_text=True)
    saved = {e: str(d) for e, d in prefs(app).choices.items()}
    assert saved == {**choices, "escalated": "immediately"}
    # A forged field for it changes nothing: the page never offered it.
    post(client, PAGE, PAGE, {**sent, "event_escalated": "digest"})
    assert str(prefs(app).choices["escalated"]) == "immediately"


def test_profile__a_stranger_is_sent_to_the_login(app: Flask) -> None:
    response = app.test_client().get(PAGE)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# Each event gets each delivery once over three saves (escalated never "off").
ROUNDS = [
    {e: ("immediately", "digest", "off")[(n + r) % 3] for n, e in enumerate(EVENTS)}
    for r in range(3)
]


def test_profile__every_choice_is_saved_and_read_back(app: Flask, login: Any) -> None:
    client = login(LEADER)
    seen: dict[str, set[str]] = {e: set() for e in EVENTS}
    for n, chosen in enumerate(ROUNDS):
        chosen = {
            e: ("digest" if e == "escalated" and d == "off" else d) for e, d in chosen.items()
        }
        answer = post(client, PAGE, PAGE, form(f"cv{n}@skhcn.gov.vn", "vi", str(6 + n), **chosen))
        assert answer.status_code == 303, answer.get_data(as_text=True)
        saved = prefs(app, LEADER)
        assert (saved.email, saved.locale, saved.digest_hour) == (
            f"cv{n}@skhcn.gov.vn",
            "vi",
            6 + n,
        )
        assert {e: str(d) for e, d in saved.choices.items()} == chosen
        html = client.get(PAGE).get_data(as_text=True)
        assert "Đã lưu thông tin cá nhân." in html
        assert (
            f'value="cv{n}@skhcn.gov.vn"' in html and f'<option value="{6 + n}" selected>' in html
        )
        for event, delivery in chosen.items():
            assert f'name="event_{event}" value="{delivery}" checked' in html
            seen[event].add(delivery)
    assert all(len(d) == 3 for e, d in seen.items() if e != "escalated")
    assert seen["escalated"] == {"immediately", "digest"}


def test_profile__english_is_saved_and_the_app_follows_then_the_address_can_go(
    app: Flask, login: Any
) -> None:
    client = login(WHO)
    answer = post(client, PAGE, PAGE, form("cv1@skhcn.gov.vn", "en", "0"))
    assert answer.status_code == 303
    assert (prefs(app).locale, prefs(app).digest_hour) == ("en", 0)
    assert '<html lang="en">' in client.get(PAGE).get_data(as_text=True)
    assert post(client, PAGE, PAGE, form("", "vi")).status_code == 303
    assert (prefs(app).email, prefs(app).locale) == (None, "vi")


BAD_ADDRESSES = ["khong-phai-dia-chi", "a@b", "hai@@skhcn.gov.vn", "co dau cach@skhcn.gov.vn"]


def test_profile__a_bad_address_is_refused_and_nothing_changes(app: Flask, login: Any) -> None:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        engine.set_email(s, WHO, "cu@skhcn.gov.vn")
    before = prefs(app)
    client = login(WHO)
    for address in BAD_ADDRESSES:
        answer = post(client, PAGE, PAGE, form(address, "en", "18", new_task="off"))
        html = answer.get_data(as_text=True)
        assert answer.status_code == 422, address
        assert "Địa chỉ thư điện tử không đúng dạng" in html and "Chưa có gì được lưu" in html
        assert 'id="email-error"' in html and 'aria-invalid="true"' in html
        assert 'name="event_new_task" value="off" checked' in html  # what was typed stays
        assert prefs(app) == before, address


def test_profile__the_escalation_cannot_be_switched_off(app: Flask, login: Any) -> None:
    before = prefs(app, LEADER)
    client = login(LEADER)
    answer = post(client, PAGE, PAGE, form("tp@skhcn.gov.vn", escalated="off", finished="off"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "luôn được gửi, không tắt được" in html
    assert prefs(app, LEADER) == before


def test_profile__an_unknown_delivery_or_hour_is_refused(app: Flask, login: Any) -> None:
    before = prefs(app)
    client = login(WHO)
    bad = {**form("cv@skhcn.gov.vn"), "event_reminder": "sometimes", "digest_hour": "24"}
    answer = post(client, PAGE, PAGE, bad)
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert "Hãy chọn một cách nhận thông báo." in html and "từ 0 đến 23 giờ" in html
    assert prefs(app) == before
