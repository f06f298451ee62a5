"""SpiffArena's pre-loaded modules in the sandbox: what they give, what they refuse."""

from __future__ import annotations

from typing import Any

import pytest

from engine import script_modules
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


@pytest.mark.parametrize(
    ("script", "words"),
    [
        ("r = re.sub('(?=(.*))', '\\\\1', 'a' * 40000)", "re.sub() would make a text"),
        ("r = re.findall('(?=(.*))', 'a' * 40000)", "re.findall() would make a text"),
    ],
)
def test_re__a_result_growing_past_the_limit_is_refused_as_it_grows(
    script: str, words: str
) -> None:
    """Each match of `(?=(.*))` gives the rest of the text: 1.6 GB for 40,000 characters once."""
    with pytest.raises(SandboxViolation) as refused:
        Sandbox().execute(script, {})
    assert words in str(refused.value)


def test_re__a_search_that_is_quadratic_in_pythons_re_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    """`a*b` searched in a million a's ran without end in Python's `re`; the `regex` module
    answers at once, and any call is stopped at REGEX_SECONDS."""
    data: dict[str, Any] = {}
    Sandbox().execute("r = re.search('a*b', 'a' * 1000000)", data)
    assert data == {"r": None}
    monkeypatch.setattr(script_modules, "REGEX_SECONDS", 1e-9)
    with pytest.raises(SandboxViolation, match="regular expression ran longer than its limit"):
        Sandbox().execute("r = re.findall('a', 'a' * 1000000)", {})


def test_re__ordinary_patterns_keep_pythons_answers_at_their_speed() -> None:
    """What a review found the first `regex` change refused or slowed: a capturing group over a
    long text, a literal `%%20` in a date pattern, the BOM and Vietnamese Windows codecs. (The
    texts are long for a script and short enough for a machine three times slower than usual
    to stay within the sandbox's budget.)"""
    data: dict[str, Any] = {"t": "Nguyễn Văn Tiến trình hồ sơ. " * 10000}
    Sandbox().execute(
        "n = len(re.findall(r'(\\w+)', 'ab ' * 100000))\n"
        "w = len(re.findall(r'\\w+', t))\ns = len(re.sub(r'\\s+', ' ', t))\n"
        "u = date(2026, 3, 5).strftime('https://x.vn/?q=ngay%%20%d-%m')\n"
        "b = len('x'.encode('utf-8-sig')) + len('A'.encode('cp1258'))\ndel t",
        data,
    )
    assert data == {
        "n": 100000,
        "w": 60000,
        "s": 290000,
        "u": "https://x.vn/?q=ngay%2005-03",
        "b": 5,
    }
