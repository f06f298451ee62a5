"""What a script is refused with: the sandbox's errors, apart from the guards that raise them so
that every guard module can raise them (engine.sandbox_guards, engine.sandbox_lookups)."""

from __future__ import annotations


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
