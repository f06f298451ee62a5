"""The API's errors: one JSON shape, ``{"error": {"code", "message", "reason"?, "details"?,
"fields"?}}``, with the HTTP status of its kind. Engine errors keep their ``code`` and
``details["reason"]``; the API's own refusals (a token, a body, a limit) have codes of their own.
Messages are English, for the program's log: programs decide by ``code`` and ``reason``."""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, jsonify
from pydantic import ValidationError
from pydantic_core import ErrorDetails

import engine

log = logging.getLogger(__name__)

STATUS: tuple[tuple[type[engine.EngineError], int], ...] = (
    (engine.NotFound, 404),
    (engine.Forbidden, 403),
    (engine.Conflict, 409),
    (engine.InvalidInput, 422),
)


class ApiError(Exception):
    """A refusal of the API layer itself, with its status and code."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        self.extra = {k: v for k, v in extra.items() if v is not None}


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None, **extra: Any
) -> Response:
    given = {k: v for k, v in extra.items() if v is not None}
    response = jsonify({"error": {"code": code, "message": message, **given}})
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def from_api_error(error: ApiError) -> Response:
    return error_response(error.status, error.code, error.message, error.headers, **error.extra)


def from_engine_error(error: engine.EngineError) -> Response:
    """An engine error by its kind: the status, its code, its reason and parameters; an
    InvalidData's fields each with its code, parameters and words."""
    status = next((code for kind, code in STATUS if isinstance(error, kind)), 400)
    details = {
        k: v for k, v in error.details.items() if k not in ("reason", "fields", "field_codes")
    }
    extra: dict[str, Any] = {
        "reason": error.details.get("reason"),
        "details": engine.to_jsonable(details) or None,
    }
    if isinstance(error, engine.InvalidData) and (error.field_codes or error.fields):
        names = list(dict.fromkeys([*error.field_codes, *error.fields]))
        extra["fields"] = {
            name: {
                "code": "invalid",
                **engine.to_jsonable(error.field_codes.get(name, {})),
                "message": error.fields.get(name),
            }
            for name in names
        }
    message = error.message
    if isinstance(error, engine.ScriptError):
        # Its words (an expression, a Python error) are for the administrator's log, as on
        # the pages; the caller learns the kind, the reason and the step.
        log.warning("script error through the API: %s", error.message)
        message = "the process failed at this step; nothing was recorded: tell an administrator"
        extra["details"] = {k: v for k, v in (extra["details"] or {}).items() if k == "step"}
        extra["details"] = extra["details"] or None
    return error_response(status, error.code, message, **extra)


# pydantic's error types -> the engine's field codes (engine/errors.py, InvalidData).
_FIELD_CODES = {
    "missing": "required",
    "extra_forbidden": "unknown",
    "string_too_short": "min_length",
    "string_too_long": "max_length",
    "too_short": "min_items",
    "too_long": "max_items",
    "greater_than_equal": "min",
    "greater_than": "min",
    "less_than_equal": "max",
    "less_than": "max",
    "literal_error": "enum",
    "enum": "enum",
}
_LIMITS = ("min_length", "max_length", "ge", "gt", "le", "lt")


def _field(problem: ErrorDetails) -> dict[str, Any]:
    kind = problem["type"]
    code = _FIELD_CODES.get(kind) or ("type" if kind.endswith(("_type", "_parsing")) else "invalid")
    found: dict[str, Any] = {"code": code}
    context = problem.get("ctx") or {}
    for key in _LIMITS:
        if key in context:
            found["limit"] = context[key]
    if code == "enum" and "expected" in context:
        found["options"] = str(context["expected"])
    found["message"] = problem["msg"]
    return found


def from_validation_error(error: ValidationError, where: str) -> Response:
    """A request that does not fit its schema: 422 ``invalid_data``, each field by its path
    (``data.title``, ``limit``) with the engine's field codes."""
    fields = {
        ".".join(str(part) for part in problem["loc"]) or where: _field(problem)
        for problem in error.errors(include_url=False)
    }
    return error_response(
        422,
        "invalid_data",
        f"the request's {where} does not fit its schema: " + ", ".join(fields),
        fields=fields,
    )
