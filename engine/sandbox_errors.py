"""What a script is refused with: the sandbox's errors, apart from the guards that raise them so
that every guard module can raise them (engine.sandbox_guards, engine.sandbox_lookups)."""

from __future__ import annotations

import re


class SandboxViolation(Exception):
    """Raised inside a running script; carries a line so Spiff's error formatter can cope."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.lineno = line


class SandboxSyntaxError(SandboxViolation):
    """The script is not Python at all: `detail` is Python's own words for what is wrong."""

    def __init__(self, message: str, line: int, detail: str) -> None:
        super().__init__(message, line)
        self.detail = detail


class UnstorableValue(SandboxViolation):
    """A script left a value in the data that cannot be saved; names the field and its type."""

    def __init__(self, message: str, *, reason: str, field: str, value_type: str) -> None:
        super().__init__(message)
        self.reason = reason
        self.field = field
        self.value_type = value_type


# What a refused script did, as a code a page says in its own words: the checker's words are
# RestrictedPython's and this sandbox's own (engine.sandbox), in English, and known only here.
_REFUSED = (
    (re.compile(r"imports are not allowed"), "import"),
    (re.compile(r"class definitions are not allowed"), "class"),
    (
        re.compile(
            r'"(?P<name>[^"]+)" is an invalid (?:variable|attribute) name because it '
            r'starts with "_"'
        ),
        "underscore_name",
    ),
    (re.compile(r"(?P<name>\w+)\(\) is not available"), "unavailable_function"),
    (re.compile(r"(?P<name>Eval|Exec) calls are not allowed"), "unavailable_function"),
    (re.compile(r"generator functions \(yield\) are not allowed"), "generator"),
)


def refused_kind(message: str) -> dict[str, str]:
    """A refused script's kind of refusal (`refused`) and the name it concerns (`name`), where
    it is one people meet; empty for another (its words stand alone)."""
    for pattern, kind in _REFUSED:
        if found := pattern.search(message):
            name = found.groupdict().get("name")
            if name is None:
                return {"refused": kind}
            return {"refused": kind, "name": name if kind == "underscore_name" else name.lower()}
    return {}
