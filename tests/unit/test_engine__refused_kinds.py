"""A script the sandbox refuses at deploy carries its kind of refusal as a code (and the name it
concerns), read from the checker's own words here, in the engine: a page says it in its
language by the code, never by reading the English."""

from __future__ import annotations

import pytest

from engine.sandbox import compile_script
from engine.sandbox_errors import SandboxViolation, refused_kind


@pytest.mark.parametrize(
    ("source", "kind"),
    [
        ("import os", {"refused": "import"}),
        ("class A: pass", {"refused": "class"}),
        ("_x = 1", {"refused": "underscore_name", "name": "_x"}),
        ("y = a.__class__", {"refused": "underscore_name", "name": "__class__"}),
        ('open("x")', {"refused": "unavailable_function", "name": "open"}),
        ('x = eval("1")', {"refused": "unavailable_function", "name": "eval"}),
        ("def f():\n    yield 1", {"refused": "generator"}),
    ],
)
def test_refused_kinds__each_refusal_people_meet_has_its_code(
    source: str, kind: dict[str, str]
) -> None:
    with pytest.raises(SandboxViolation) as refused:
        compile_script(source, "exec")
    assert refused_kind(str(refused.value)) == kind


def test_refused_kinds__another_refusal_has_none() -> None:
    assert refused_kind("the operator @ is not allowed") == {}
