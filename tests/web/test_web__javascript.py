"""Quản trị's deploy page and JavaScript in Camunda models: a syntax error and a Groovy script
are refused naming the element and the line in the file."""

from __future__ import annotations

import io
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.web.conftest import post


@pytest.mark.parametrize(
    ("name", "where", "words"),
    [
        ("js_syntax_error", ("phần tử act", "dòng 12"), "JavaScript syntax error"),
        ("groovy_script", ("phần tử act", "dòng 8"), "scripts in &#39;groovy&#39; cannot run"),
    ],
)
def test_the_deploy_page_refuses_javascript_that_cannot_run(
    login: Any, name: str, where: tuple[str, str], words: str
) -> None:
    path = FIXTURES / "javascript" / "refused" / f"{name}.bpmn"
    response = post(
        login("quantri"),
        "/admin/processes",
        "/admin/processes/deploy",
        {"files": [(io.BytesIO(path.read_bytes()), path.name)]},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    for part in where:
        assert part in page
    assert words in page
