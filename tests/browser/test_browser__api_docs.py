"""The API's documentation page (/api/v1/docs): vendored Swagger UI draws every route under
the site's content security policy, without a CDN and without a CSP violation."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_api_docs__swagger_ui_renders_under_the_csp(browser: Any, live: dict[str, Any]) -> None:
    context = browser.new_context()
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    outside: list[str] = []
    page.on(
        "request",
        lambda r: outside.append(r.url) if not r.url.startswith(live["url"]) else None,
    )
    page.goto(f"{live['url']}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any("/api/v1/items" in p for p in paths), paths
    assert any("/api/v1/processes/{key}/items" in p.replace("\u200b", "") for p in paths), paths
    assert not outside, outside
    assert not problems, problems
    context.close()
