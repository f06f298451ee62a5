"""The script sandbox on its own: what BPMN scripts and expressions may do, what they may not, and
that a script which never ends is stopped. No database, no workflow."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import pytest

from engine.sandbox import Sandbox, SandboxViolation

CPU_SECONDS = 0.2

# (script, data before, data after)
ALLOWED_SCRIPTS: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("total = price * count + 1", {"price": 3, "count": 4}, {"price": 3, "count": 4, "total": 13}),
    ("x = 1\nx += 1\nx *= 5", {}, {"x": 10}),
    ("d = {}\nd['a'] = 1\nd['b'] = d.get('a', 0) + 1", {}, {"d": {"a": 1, "b": 2}}),
    ("items[0] = 'first'\nitems.append('last')", {"items": ["x"]}, {"items": ["first", "last"]}),
    (
        "n = 0\nfor i in range(10):\n    n += i\nsquares = [i * i for i in range(4)]",
        {},
        {"n": 45, "squares": [0, 1, 4, 9], "i": 9},
    ),
    ("a, b = sorted([3, 1])\nkeys = list({'k': 1})", {}, {"a": 1, "b": 3, "keys": ["k"]}),
    (
        "due = datetime(2026, 3, 2) + timedelta(days=3)\nday = date(2026, 3, 2).isoformat()",
        {},
        {"due": datetime(2026, 3, 5), "day": "2026-03-02"},
    ),
    ("def double(v):\n    return v * 2\nresult = double(21)", {}, {"result": 42}),
    ("label = f'{name}: {len(name)}'.upper()", {"name": "an"}, {"name": "an", "label": "AN: 2"}),
    ("del temp\nkept = True", {"temp": 1}, {"kept": True}),
]

# (expression, data, value)
ALLOWED_EXPRESSIONS: list[tuple[str, dict[str, Any], Any]] = [
    ("decision == 'return'", {"decision": "return"}, True),
    ("budget > 100 and unit in ('a', 'b')", {"budget": 200, "unit": "b"}, True),
    ("sum(v for v in values) / len(values)", {"values": [1, 2, 3]}, 2),
    ("max(scores.values())", {"scores": {"a": 3, "b": 7}}, 7),
    ("'P%dD' % days", {"days": 3}, "P3D"),
    ("start + timedelta(days=1)", {"start": date(2026, 3, 2)}, date(2026, 3, 3)),
    # A data field may carry a name the sandbox keeps from scripts: it is only data.
    ("type == 'urgent'", {"type": "urgent"}, True),
]

# (script, words of the refusal)
REFUSED: list[tuple[str, str]] = [
    ("import os", "imports are not allowed"),
    ("from os import path", "imports are not allowed"),
    ("x = 1\nimport subprocess as sp", "imports are not allowed"),
    ("x = __import__('os')", "starts with"),
    ("x = ().__class__.__base__.__subclasses__()", "starts with"),
    ("x = [].__class__", "starts with"),
    ("x = getattr((), '__class__')", "getattr() is not available"),
    ("x = open('/etc/passwd').read()", "open() is not available"),
    ("x = eval('1 + 1')", "Eval calls are not allowed"),
    ("exec('x = 1')", "Exec calls are not allowed"),
    ("x = compile('1', 'f', 'eval')", "compile() is not available"),
    ("x = globals()", "globals() is not available"),
    ("x = vars()", "vars() is not available"),
    ("x = type(())", "type() is not available"),
    ("x = type('Escape', (), {})", "type() is not available"),
    ("class Escape:\n    pass", "class definitions are not allowed"),
    ("x = (lambda: 1).__globals__", "starts with"),
    ("g = (i for i in [1])\nx = g.gi_frame", "restricted name"),
    ("x = range(10**9)", "range() of more than 100,000 items"),
    ("x = str.format('{0.__class__}', 1)", "str.format() is not allowed"),
    ("x = '{0.__globals__}'.format_map({})", "str.format_map() is not allowed"),
]


def _sandbox() -> Sandbox:
    return Sandbox(cpu_seconds=CPU_SECONDS)


@pytest.mark.parametrize(("script", "before", "after"), ALLOWED_SCRIPTS)
def test_sandbox__allowed_scripts_change_the_data(
    script: str, before: dict[str, Any], after: dict[str, Any]
) -> None:
    data = dict(before)
    _sandbox().execute(script, data)
    assert data == after


@pytest.mark.parametrize(("expression", "data", "value"), ALLOWED_EXPRESSIONS)
def test_sandbox__allowed_expressions_evaluate(
    expression: str, data: dict[str, Any], value: Any
) -> None:
    assert _sandbox().evaluate(expression, data) == value


@pytest.mark.parametrize(("script", "words"), REFUSED)
def test_sandbox__escapes_are_refused(script: str, words: str) -> None:
    data: dict[str, Any] = {}
    with pytest.raises(SandboxViolation) as refused:
        _sandbox().execute(script, data)
    assert words in str(refused.value)
    assert data == {}


@pytest.mark.parametrize(
    "script",
    [
        "while True: pass",
        "while 1:\n    pass",
        "n = 0\nwhile n >= 0:\n    n += 1",
        "items = [1]\nfor item in items:\n    items.append(item)",
        "x = sum(1 for a in range(100000) for b in range(100000))",
        "def spin(n):\n    return spin(n - 1) + spin(n - 1) if n else 1\nx = spin(60)",
    ],
    ids=["while_true_pass", "while_1", "counting", "growing_for", "comprehension", "recursion"],
)
def test_sandbox__an_endless_script_is_stopped_by_the_cpu_limit(script: str) -> None:
    with pytest.raises(SandboxViolation) as stopped:
        _sandbox().execute(script, {})
    assert str(stopped.value) == (
        f"the script ran longer than its limit of {CPU_SECONDS:g} s of CPU time"
    )


def test_sandbox__an_endless_expression_is_stopped_by_the_cpu_limit() -> None:
    with pytest.raises(SandboxViolation, match="CPU time"):
        _sandbox().evaluate("sum(1 for a in range(100000) for b in range(100000)) > 0", {})


def test_sandbox__the_budget_is_per_run() -> None:
    """Runs that together spend more than one budget each get a whole budget of their own."""
    sandbox = Sandbox(cpu_seconds=0.5)
    busy = "n = 0\nfor i in range(100000):\n    n += i"
    for _ in range(5):
        data: dict[str, Any] = {}
        sandbox.execute(busy, data)
        assert data["n"] == sum(range(100000))


def test_sandbox__task_data_may_not_shadow_a_helper() -> None:
    sandbox = Sandbox({"add_working_days": lambda start, days: start}, cpu_seconds=CPU_SECONDS)
    with pytest.raises(SandboxViolation, match=r"overwrites a helper.*add_working_days"):
        sandbox.execute("x = 1", {"add_working_days": 3})
