"""The English catalog: every Vietnamese source string has an English translation, the compiled
.mo matches the .po, placeholders survive translation, and the main pages read in English
(dates stay dd/mm/yyyy) until the user switches back to Tiếng Việt.

After adding or changing a _("…") string: `make translations`, write the English msgstr in
web/translations/en/LC_MESSAGES/messages.po, then compile (make does it when the .po is newer)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from tests.integration.test_processes__de_xuat_nhiem_vu import PHIEU
from tests.web.conftest import PASSWORD, csrf_token, post

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "web" / "translations"
PO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.po"
MO = TRANSLATIONS / "en" / "LC_MESSAGES" / "messages.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[diouxXeEfFgGcrs]")
# Letters only Vietnamese uses (with a tone mark or ă â đ ê ô ơ ư): left in a msgstr, they
# mean the string was copied rather than translated.
VIETNAMESE_LETTER = re.compile(r"[À-ÃÈ-ÊÌÍÒ-ÕÙÚÝà-ãè-êìíò-õùúýĂăĐđĨĩŨũƠơƯưẠ-ỹ]")
# Functions of flask_babel that translate their first argument, as babel keyword specs.
GETTEXT_FUNCTIONS: dict[str, Any] = {
    "gettext": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "lazy_pgettext": ((1, "c"), 2),
    "npgettext": ((1, "c"), 2, 3),
}
START_DAY = "02/03/2026"  # tests.conftest.START, in Asia/Ho_Chi_Minh


def _keywords() -> dict[str, Any]:
    """Babel's default keywords (which include the Makefile's -k _ -k gettext -k ngettext) and
    every name under which web/ imports a flask_babel translation function (such as _l)."""
    keywords = dict(DEFAULT_KEYWORDS)
    for path in sorted((ROOT / "web").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "flask_babel":
                for name in node.names:
                    if name.name in GETTEXT_FUNCTIONS:
                        keywords[name.asname or name.name] = GETTEXT_FUNCTIONS[name.name]
    return keywords


def _extracted() -> dict[str, list[str]]:
    """msgid -> where it is used ("file:line"), extracted from the sources as the Makefile's
    `translations` target does, with babel.cfg's method map."""
    with (ROOT / "babel.cfg").open(encoding="utf-8") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg, str(ROOT / "babel.cfg"))
    found: dict[str, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=_keywords()
    ):
        msgid = message if isinstance(message, str) else message[0]
        if msgid:
            found.setdefault(msgid, []).append(f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def extracted() -> dict[str, list[str]]:
    return _extracted()


@pytest.fixture(scope="module")
def po() -> Catalog:
    with PO.open("rb") as f:
        return read_po(f, locale="en")


def _entries(catalog: Catalog) -> Iterator[Any]:
    return (m for m in catalog if m.id)


# --- the catalog -----------------------------------------------------------------------------


def test_i18n__every_source_string_has_an_english_translation(
    extracted: dict[str, list[str]], po: Catalog
) -> None:
    assert len(extracted) > 300  # the extraction really ran over web/ and its templates
    problems = []
    for msgid, places in sorted(extracted.items(), key=lambda kv: kv[1][0]):
        entry = po.get(msgid)
        if entry is None:
            why = "not in messages.po (run `make translations`)"
        elif entry.fuzzy:
            why = "fuzzy: check the English and remove the fuzzy flag"
        elif not entry.string or not str(entry.string).strip():
            why = "empty msgstr"
        elif VIETNAMESE_LETTER.search(str(entry.string)):
            why = f"msgstr is not English: {entry.string!r}"
        else:
            continue
        problems.append(f"{places[0]}: {msgid!r}: {why}")
    assert not problems, "Untranslated strings:\n" + "\n".join(problems)


def test_i18n__the_catalog_has_no_strings_the_sources_no_longer_use(
    extracted: dict[str, list[str]], po: Catalog
) -> None:
    stale = sorted(m.id for m in _entries(po) if m.id not in extracted)
    assert not stale, f"Run `make translations` to drop them from messages.po: {stale}"
    assert not po.obsolete, f"Obsolete (#~) entries left in messages.po: {list(po.obsolete)}"


def test_i18n__the_compiled_catalog_matches_the_po() -> None:
    with PO.open("rb") as f:
        source = {m.id: m.string for m in _entries(read_po(f)) if m.string and not m.fuzzy}
    with MO.open("rb") as f:
        compiled = {m.id: m.string for m in _entries(read_mo(f))}
    assert compiled == source, (
        "messages.mo is out of date: pybabel compile -d web/translations -D messages"
    )


def test_i18n__placeholders_survive_translation(po: Catalog) -> None:
    wrong = []
    for m in _entries(po):
        if sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(str(m.string))):
            wrong.append(f"{m.id!r} -> {m.string!r}")
        elif str(m.id).count("%") != str(m.string).count("%"):
            wrong.append(f"stray %: {m.id!r} -> {m.string!r}")
    assert not wrong, "Placeholders differ:\n" + "\n".join(wrong)


def test_i18n__the_pot_template_is_kept(extracted: dict[str, list[str]]) -> None:
    with (TRANSLATIONS / "messages.pot").open("rb") as f:
        template = {m.id for m in _entries(read_po(f))}
    assert template == set(extracted), "messages.pot is stale: run `make translations`"


def test_i18n__the_makefile_extracts_every_alias_the_code_uses() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    line = next(x for x in makefile.splitlines() if "pybabel" in x and " extract " in x)
    given = set(re.findall(r"-k\s+(\S+)", line))
    needed = set(_keywords()) - set(DEFAULT_KEYWORDS)
    assert needed <= given, f"add to the Makefile's pybabel extract: -k {' -k '.join(needed)}"


# --- pages in English ------------------------------------------------------------------------


class _Texts(HTMLParser):
    """The text nodes and the user-visible attributes of a page."""

    VISIBLE = ("title", "aria-label", "placeholder", "data-label", "alt")

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        self.texts += [v.strip() for k, v in attrs if k in self.VISIBLE and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        if not self._skip and data.strip():
            self.texts.append(data.strip())


def _untranslated(html: str, po: Catalog, content: frozenset[str] = frozenset()) -> list[str]:
    """Source strings (without placeholders) shown as they are on a page meant to be English:
    a string translated too early (at import time) or a template that bypasses _(). `content`:
    texts the page shows from a process definition (form labels are Vietnamese only)."""
    parser = _Texts()
    parser.feed(html)
    msgids = {m.id for m in _entries(po) if "%" not in m.id} - content
    return sorted({t for t in parser.texts if t in msgids})


def _page(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return str(response.get_data(as_text=True))


def _in_english(client: FlaskClient) -> FlaskClient:
    assert post(client, "/", "/lang/en").status_code == 302
    return client


def _returned_item(office: Any) -> int:
    """A proposal that Phòng Quản lý Khoa học returned to its drafter, with the reason."""
    item = office.start("de_xuat_nhiem_vu", "trungtam.cv1")
    office.do("trungtam.cv1", item, "lap_phieu_de_xuat", **PHIEU)
    office.do("qlkh.cv1", item, "xem_xet_de_xuat", decision="tra_lai", y_kien="Thiếu dự toán")
    return int(item)


def test_i18n__the_inbox_in_english_and_back_in_vietnamese(
    login: Any, office: Any, po: Catalog
) -> None:
    _returned_item(office)
    client = _in_english(login("trungtam.cv1"))
    page = _page(client, "/")
    assert '<html lang="en">' in page
    for english in ("My tasks", "New item", "My items", "Due", "Received", "Returned", "Log out"):
        assert english in page, english
    assert "Việc cần xử lý" not in page and "Đăng xuất" not in page
    assert f">{START_DAY}<" in page  # still dd/mm/yyyy, not 3/2/2026 or 03/02/2026
    assert not _untranslated(page, po)
    assert "Tiếng Việt" in page  # the way back
    assert post(client, "/", "/lang/vi").status_code == 302
    page = _page(client, "/")
    assert '<html lang="vi">' in page
    assert "Việc cần xử lý" in page and "Bị trả lại" in page
    assert "My tasks" not in page and "English" in page
    assert "Việc cần xử lý" in _untranslated(page, po)  # the check above does see Vietnamese


def test_i18n__a_returned_task_in_english_shows_the_reason(
    login: Any, office: Any, po: Catalog
) -> None:
    item = _returned_item(office)
    client = _in_english(login("trungtam.cv1"))
    task = office.task("trungtam.cv1", item, "lap_phieu_de_xuat")
    page = _page(client, f"/tasks/{task.id}")
    assert "Reason for return" in page and "Thiếu dự toán" in page
    assert page.index("Reason for return") < page.index('name="ten_nhiem_vu"')
    assert "Lý do trả lại" not in page
    assert re.search(rf"Returned by [^<]+ at {START_DAY} \d\d:\d\d", page)
    for english in ("Attachments", "Overview", f"Item no. {item}", "Forward"):
        assert english in page, english
    # "Ý kiến xử lý" is also the label of the y_kien field in bpmn/forms/phieu_de_xuat.json;
    # "Trả lại" is the title of the reviewer's choice in bpmn/forms/duyet.json, in the dossier.
    assert not _untranslated(page, po, frozenset({"Ý kiến xử lý", "Trả lại"}))
    history = _page(client, f"/items/{item}")
    assert "History" in history and "Handled" in history
    # The history names a decision by its title in the form, which the diagram gives in Vietnamese.
    assert '<span class="badge decision return">Trả lại</span>' in history
    assert re.search(rf">{START_DAY} \d\d:\d\d<", history)
    assert not _untranslated(history, po, frozenset({"Ý kiến xử lý", "Trả lại"}))


def test_i18n__the_monitor_in_english(login: Any, office: Any, po: Catalog) -> None:
    _returned_item(office)
    client = _in_english(login("giamdoc"))
    page = _page(client, "/monitor/")
    assert "Monitoring" in page and "Item monitoring" in page
    assert "Export to Excel" in page and "Theo dõi" not in page
    assert f">{START_DAY}<" in page
    assert not _untranslated(page, po)


def test_i18n__the_login_page_in_english_and_the_choice_survives_logging_in(
    app: Flask, po: Catalog
) -> None:
    client = app.test_client()
    assert post(client, "/login", "/lang/en").status_code == 302
    page = _page(client, "/login")
    assert '<html lang="en">' in page
    for english in ("Log in", "Username", "Password"):
        assert english in page, english
    assert "Đăng nhập" not in page and "Mật khẩu" not in page
    assert not _untranslated(page, po)
    token = csrf_token(page)
    wrong = client.post(
        "/login", data={"username": "qlkh.cv1", "password": "x", "csrf_token": token}
    )
    assert wrong.status_code == 401
    assert "Incorrect username or password." in wrong.get_data(as_text=True)
    right = client.post(
        "/login", data={"username": "qlkh.cv1", "password": PASSWORD, "csrf_token": token}
    )
    assert right.status_code == 302
    assert "My tasks" in _page(client, "/")
    assert post(client, "/", "/lang/vi").status_code == 302
    assert "Tên đăng nhập" in _page(app.test_client(), "/login")  # others keep Vietnamese
    assert "Việc cần xử lý" in _page(client, "/")
