"""Quản trị's deploy page and JavaScript in Camunda models: a syntax error and a Groovy script
are refused naming the element and the line in the file."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.web.conftest import refused_deploy


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
    page = refused_deploy(login("quantri"), path)
    for part in where:
        assert part in page
    assert words in page
