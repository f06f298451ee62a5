"""A form's regular expressions: those that can backtrack exponentially are refused before they
run; the patterns forms really use pass, and run quickly on long hostile text."""

from __future__ import annotations

import re
import time

import pytest

from engine.regex_safety import catastrophic_reason

REFUSED = [
    r"^(a+)+$",
    r"(a*)*",
    r"(a|a)*",
    r"(a|b|ab)*",
    r"^(\w+\s?)+$",
    r"([a-z]+ ?)*$",
    r"(a?a)*",
    r"(?:(a+){2})*",
    r"((ab)*)+",
    r"(.*a){20}",
    r"^(\d+)*$",
    r"(?i)^(x+X+)+y",
]
ACCEPTED = [
    r"^[a-z]+(\.[a-z]+)*$",
    r"^[\w.-]+@[\w-]+(\.[\w-]+)+$",
    r"^(\d{1,3}\.){3}\d{1,3}$",
    r"^\d{4}-\d{2}-\d{2}$",
    r"^(\+84|0)\d{9,10}$",
    r"^[A-ZĐ][a-zà-ỹ]+( [A-ZĐ][a-zà-ỹ]+)*$",
    r"^(\w+\s)+$",
    r"^.*$",
    r"(a{3})*",
    r"^\d{2}/\d{2}/\d{4}$",
    r"^[0-9]{1,3}(\.[0-9]{3})*$",
]


@pytest.mark.parametrize("pattern", REFUSED)
def test_regex__an_ambiguous_repetition_is_refused(pattern: str) -> None:
    reason = catastrophic_reason(pattern)
    assert reason is not None and "exponential time" in reason


@pytest.mark.parametrize("pattern", ACCEPTED)
def test_regex__usual_patterns_pass_and_stay_quick(pattern: str) -> None:
    assert catastrophic_reason(pattern) is None
    began = time.monotonic()
    for text in ("a" * 5000 + "!", "1." * 3000 + "!", "Ab " * 3000 + "1", "a.b" * 2000 + "@"):
        re.search(pattern, text)
    assert time.monotonic() - began < 1


def test_regex__a_refused_pattern_really_is_slow() -> None:
    """What the refusal protects from: 22 characters already take a noticeable time."""
    began = time.monotonic()
    re.search(r"^(a+)+$", "a" * 22 + "!")
    assert time.monotonic() - began > 0.05


@pytest.mark.parametrize(
    ("pattern", "words"),
    [("a" * 1001, "longer than 1000"), ("(unclosed", "not a valid regular expression")],
)
def test_regex__too_long_or_broken_is_refused(pattern: str, words: str) -> None:
    assert words in (catastrophic_reason(pattern) or "")
