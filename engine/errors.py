"""The one error tree of the engine.

Every error carries a stable ``code``, its kind (for the API and the CLI's exit status), a message
a person can act on (in English: the log's and the CLI's), and details: where a refusal has a
cause of its own, ``reason`` names it (``title_too_long``, ``file_type``, ``not_a_colleague``…)
with its parameters (``limit``, ``extension``…). Callers choose their words by code and reason,
never by reading the message. Errors of the libraries underneath never leave the engine: they
are translated here into one of these kinds.
"""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "error"
    exit_code = 1

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = {k: v for k, v in details.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, **self.details}


class NotFound(EngineError):
    code = "not_found"
    exit_code = 3


class Forbidden(EngineError):
    code = "forbidden"
    exit_code = 4


class Conflict(EngineError):
    """Someone acted first, or the item is no longer in a state that allows the action."""

    code = "conflict"
    exit_code = 5


class InvalidInput(EngineError):
    code = "invalid_input"
    exit_code = 6


class InvalidDefinition(InvalidInput):
    """A diagram, decision table or form file was refused: names the file, element and line."""

    code = "invalid_definition"

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        file: str | None = None,
        element_id: str | None = None,
        line: int | None = None,
        **details: Any,
    ) -> None:
        where = ", ".join(
            part
            for part in (
                file,
                f"element '{element_id}'" if element_id else None,
                f"line {line}" if line else None,
            )
            if part
        )
        super().__init__(
            f"{where}: {message}" if where else message,
            file=file,
            element_id=element_id,
            line=line,
            reason=reason,
            **details,  # the reason's parameters
        )
        self.reason = message


class InvalidData(InvalidInput):
    """Form data that does not fit the task's form. ``fields`` maps a field to its problem in
    words (the form's own `errorMessages` where it has them, else English); ``field_codes``
    maps it to the problem's code and parameters, e.g. ``{"code": "max", "limit": 100}``, with
    code one of: required, unknown, read_only, type, enum, not_an_option, min, max,
    min_length, max_length, min_items, max_items, format, date_window, not_before,
    before_start, not_later, not_after, excludes, too_large, too_deep, invalid."""

    code = "invalid_data"

    def __init__(
        self,
        message: str,
        fields: dict[str, str] | None = None,
        field_codes: dict[str, dict[str, Any]] | None = None,
        **details: Any,
    ) -> None:
        super().__init__(message, fields=fields or None, field_codes=field_codes or None, **details)
        self.fields = fields or {}
        self.field_codes = field_codes or {}


class ScriptError(InvalidInput):
    """A BPMN script, condition or expression failed or was refused by the sandbox."""

    code = "script_error"

    def __init__(
        self, message: str, *, element_id: str | None = None, line: int | None = None
    ) -> None:
        prefix = f"element '{element_id}': " if element_id else ""
        super().__init__(prefix + message, element_id=element_id, line=line)
        self.reason = message
