"""Browser tests: the real app served on 127.0.0.1 from a thread, driven by Python Playwright
on Debian's Chromium (never a downloaded browser). Screenshots of every page go under
test-output/screenshots/<test name>/ to be looked at."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

from engine import ManualClock
from tests.conftest import PASSWORD, START, skip_or_fail
from web import create_app

CHROMIUM = os.environ.get("PHEDUYET_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
OUTPUT = Path(__file__).parents[2] / "test-output" / "screenshots"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not Path(CHROMIUM).exists():
        skip_or_fail(f"Chromium is not installed at {CHROMIUM} (apt-get install -y chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Python Playwright is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live(prepared_db: Path, tmp_path: Path) -> Iterator[dict[str, Any]]:
    """The app on a free port over its own copy of the prepared database (the org chart with
    PASSWORD, the department's diagrams)."""
    path = tmp_path / "pheduyet.db"
    shutil.copy(prepared_db, path)
    clock = ManualClock(START)
    app = create_app(
        {
            "SECRET_KEY": "browser-test",
            "DATABASE_URL": f"sqlite:///{path}",
            "UPLOAD_FOLDER": str(tmp_path / "attachments"),
            "NOW": clock,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{server.server_port}", "app": app, "clock": clock}
    server.shutdown()
    thread.join(timeout=10)


class Person:
    """One person's browser tab; every page they see is saved as a numbered screenshot."""

    def __init__(self, browser: Any, base: str, username: str, shots: Path) -> None:
        self.context = browser.new_context(
            viewport={"width": 1280, "height": 900}, locale="vi-VN", timezone_id="Asia/Ho_Chi_Minh"
        )
        self.page = self.context.new_page()
        self.base = base
        self.username = username
        self.shots = shots

    def login(self) -> Person:
        self.page.goto(f"{self.base}/login")
        self.page.get_by_label("Tên đăng nhập").fill(self.username)
        self.page.get_by_label("Mật khẩu").fill(PASSWORD)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_load_state("networkidle")
        return self

    def shot(self, name: str) -> Path:
        self.shots.mkdir(parents=True, exist_ok=True)
        number = len(list(self.shots.glob("*.png"))) + 1
        path = self.shots / f"{number:02d}-{self.username}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def people(browser: Any, live: dict[str, Any], request: pytest.FixtureRequest) -> Iterator[Any]:
    shots = OUTPUT / re.sub(r"[^\w.-]+", "_", request.node.name)
    shutil.rmtree(shots, ignore_errors=True)
    opened: list[Person] = []

    def person(username: str) -> Person:
        who = Person(browser, live["url"], username, shots).login()
        opened.append(who)
        return who

    yield person
    for who in opened:
        who.close()


def start_from_new(who: Person, process_id: str, filled: dict[str, str]) -> None:
    """Start an item of `process_id` from Tạo mới, its card's fields filled by label."""
    page = who.page
    page.goto(f"{who.base}/items/new")
    start = page.locator(f"form[action$='/items/new/{process_id}']")
    for label, value in filled.items():
        start.get_by_label(label).fill(value)
    start.get_by_role("button", name="Tạo hồ sơ").click()
    page.wait_for_load_state("networkidle")


def start_proposal(who: Person, title: str = "Chuỗi liên kết lúa gạo") -> None:
    """Start a proposal (Đề xuất nhiệm vụ) from Tạo mới; the browser lands on its first step."""
    start_from_new(who, "de_xuat_nhiem_vu", {"Tiêu đề": title})
    expect(who.page.get_by_text("Lập phiếu đề xuất nhiệm vụ").first).to_be_visible()
