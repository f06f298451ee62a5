"""SpiffArena's pre-loaded modules in the sandbox: what they give, what they refuse."""

from __future__ import annotations

from typing import Any

import pytest

from engine.sandbox import Sandbox, SandboxViolation


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("json.loads('{\"a\": [1, 2]}')", {"a": [1, 2]}),
        ('json.dumps({"b": 1, "a": 2}, sort_keys=True)', '{"a": 2, "b": 1}'),
        ("len(str(uuid.uuid4()))", 36),
        ('re.sub(r"\\s+", " ", "a   b")', "a b"),
        ('re.findall(r"\\d+", "1 and 22")', ["1", "22"]),
        ('re.match(r"(\\d+)-(\\d+)", "12-34").group(2)', "34"),
        ('re.search("x", "abc")', None),
        ("calendar.monthrange(2028, 2)[1]", 29),
        ('str(decimal.Decimal("0.1") + decimal.Decimal("0.2"))', "0.3"),
        ('format(1234.5, ",.1f")', "1,234.5"),
        ("random.randint(3, 3)", 3),
        ('hasattr("text", "upper")', True),
        ('hasattr({}, "body")', False),
        ('hasattr((), "__class__")', False),
    ],
)
def test_script_modules__give_plain_values(expression: str, expected: Any) -> None:
    assert Sandbox().evaluate(expression, {}) == expected


@pytest.mark.parametrize(
    ("expression", "refusal"),
    [
        ('re.match("(a+)+$", "aaaa")', "exponential time"),
        ('format(1, "99999999")', "the limit is"),
        ('json.dumps("x" * 900000 + "y" * 900000)', "limit"),
    ],
)
def test_script_modules__refuse_what_could_run_away(expression: str, refusal: str) -> None:
    with pytest.raises(SandboxViolation) as refused:
        Sandbox().evaluate(expression, {})
    assert refusal in str(refused.value)


@pytest.mark.parametrize(
    "expression",
    ["json.JSONDecoder", "re.compile", "random.seed", "uuid.uuid1", "json._default_decoder"],
)
def test_script_modules__reach_nothing_else(expression: str) -> None:
    with pytest.raises((AttributeError, SandboxViolation)):
        Sandbox().evaluate(expression, {})


def test_script_modules__a_variable_of_the_same_name_shadows_the_module() -> None:
    data: dict[str, Any] = {"format": "pdf", "json": "yes"}
    Sandbox().execute("label = format + '/' + json", data)
    assert data == {"format": "pdf", "json": "yes", "label": "pdf/yes"}
