"""Templates compiled for each language and site root (web/localized_templates.py) write the same
pages, byte for byte, as the same templates calling `_()` and `url_for()` at every rendering,
in Vietnamese and in English, every page that needs no value in its address; a template that
gives `_` or `url_for` a value of its own keeps its calls."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale, get_translations

from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.web.conftest import post
from web.localized_templates import MAX_ROOTS, LocalizedEnvironment

# A new item's page carries a key of its own, made afresh at each showing (start_keys).
_START_KEY = re.compile(r'name="khoa_tao_moi" value="[^"]+"')


def _pages(client: FlaskClient, urls: list[str]) -> dict[str, str]:
    pages = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = _START_KEY.sub("(key)", response.get_data(as_text=True))
    return pages


@pytest.mark.parametrize("language", ["vi", "en"])
def test_localized_templates__pages_are_the_same_as_with_a_call_for_each_word(
    app: Flask, login: Any, office: Any, language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    item = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    office.do("qlkh.cv1", item, "xem_xet_de_xuat", decision="tra_lai", y_kien="Thiếu dự toán")
    task = office.task("trungtam.cv1", item, "lap_phieu_de_xuat")
    drafter, director, admin = login("trungtam.cv1"), login("giamdoc"), login("quantri")
    visitor = app.test_client()
    if language == "en":
        for client in (drafter, director, admin, visitor):
            assert post(client, "/login", "/lang/en").status_code == 302
    seen = {
        drafter: ["/", f"/tasks/{task.id}", f"/items/{item}", "/items/new", "/items/"],
        director: [
            "/monitor/",
            "/monitor/report/",
            "/account/",
            "/account/tokens/",
            "/notifications/",
            "/plan-import/",
            "/so-van-ban-di/",
            "/tim-kiem?q=du+toan",
        ],
        admin: [
            "/admin/processes",
            "/admin/users",
            "/admin/groups",
            "/admin/bodies/",
            "/admin/webhooks/",
            "/admin/mail/",
        ],
        visitor: ["/login"],
    }
    folded = {url: page for who, urls in seen.items() for url, page in _pages(who, urls).items()}

    # The same requests through the app's own environment, whose templates call `_()`.
    monkeypatch.setattr(LocalizedEnvironment, "_localized", lambda self: self)
    called = {url: page for who, urls in seen.items() for url, page in _pages(who, urls).items()}
    assert app.jinja_env.cache  # they were compiled there, apart
    for url, page in folded.items():
        assert page == called[url], url
    task_page = folded[f"/tasks/{task.id}"]
    assert ("Reason for return" if language == "en" else "Lý do trả lại") in task_page


def test_localized_templates__a_word_becomes_text_unless_the_template_names_its_own(
    app: Flask,
) -> None:
    with app.test_request_context(), force_locale("en"):
        english = app.jinja_env.for_request(get_translations())
    plain = '<p title="{{ _("Đăng xuất") }}">{{ _("Việc cần xử lý") }} 100%</p>'
    code = english.compile(plain, name="page.html", raw=True)
    assert "context.call" not in code and "Log out" in code and "My tasks" in code
    with app.test_request_context():
        assert english.from_string(plain).render() == '<p title="Log out">My tasks 100%</p>'
    # A text with a value to fill in, or a template's own `_`, goes through the call.
    for own in (
        '{{ _("Số %(n)s", n=3) }}',
        '{% set _ = upper %}{{ _("Đăng xuất") }}',
        '{% macro m(_) %}{{ _("Đăng xuất") }}{% endmacro %}',
    ):
        assert "context.call" in english.compile(own, name="page.html", raw=True), own


def test_localized_templates__a_fixed_link_becomes_its_url_under_each_site_root(
    app: Flask,
) -> None:
    page = (
        '<a href="{{ url_for("inbox.index") }}">'
        '<link href="{{ url_for("static", filename="css/app.css") }}">'
    )
    for root in ("", "/pheduyet"):
        with app.test_request_context("/", base_url=f"http://localhost{root}/"):
            env = app.jinja_env.for_request(get_translations())
            code = env.compile(page, name="page.html", raw=True)
            assert "context.call" not in code
            assert f"{root}/static/css/app.css" in code and f'href="{root}/"' in code
            assert env.from_string(page).render() == (
                f'<a href="{root}/"><link href="{root}/static/css/app.css">'
            )
            # Links with values, to a blueprint's own endpoint, or to no endpoint at all: built
            # when the page is.
            for built in (
                '{{ url_for("items.show", item_id=3) }}',
                '{{ url_for(".index") }}',
                '{{ url_for("no.such_page") }}',
                '{{ url_for("static", filename=name) }}',
                '{% set url_for = upper %}{{ url_for("inbox.index") }}',
            ):
                assert "context.call" in env.compile(built, name="p.html", raw=True), built
    with app.test_request_context("/"):
        site = app.jinja_env.for_request(get_translations())
    with app.test_request_context("/", base_url="http://localhost/pheduyet/"):
        assert app.jinja_env.for_request(get_translations()) is not site
    # Requests that name root after root (SCRIPT_NAME) compile for a few, then use the calls.
    made = []
    for number in range(MAX_ROOTS + 3):
        with app.test_request_context("/", base_url=f"http://localhost/r{number}/"):
            made.append(app.jinja_env.for_request(get_translations()))
    assert made[-1] is made[-2] is app.jinja_env
    # Two roots were compiled for above ("" and /pheduyet): six more, then the calls.
    assert len(set(made) - {app.jinja_env}) == MAX_ROOTS - 2
