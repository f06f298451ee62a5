"""Checking submitted form data against the task's form before anything changes: JSON Schema for
the Spiff dialect, Camunda formData field types and constraints for the Camunda dialect."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import jsonschema
from referencing import Registry

from .errors import InvalidData
from .task_meta import TaskMeta

MAX_FIELDS = 200


def validate_form(meta: TaskMeta | None, forms: dict[str, Any], data: Any) -> dict[str, Any]:
    """The data to store on the task, or InvalidData naming each bad field."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InvalidData("form data must be a JSON object of field names and values")
    _check_names(data)
    if meta is not None and meta.form_file:
        return _json_schema(forms[meta.form_file], data)
    if meta is not None and meta.form_fields:
        return _camunda(meta.form_fields, data)
    return dict(data)


def _without_nul(value: Any, field: str) -> None:
    """A NUL character is never text a person typed, and PostgreSQL cannot store it."""
    if isinstance(value, str) and "\x00" in value:
        raise InvalidData("a field holds a NUL character", {field: "contains a NUL character"})
    if isinstance(value, dict):
        for item in value.values():
            _without_nul(item, field)
    elif isinstance(value, list | tuple):
        for item in value:
            _without_nul(item, field)


def _check_names(data: dict[str, Any]) -> None:
    if len(data) > MAX_FIELDS:
        raise InvalidData(f"a form has at most {MAX_FIELDS} fields")
    bad = {}
    for name in data:
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            bad[str(name)] = "not a valid field name"
        elif name == "typename":
            bad[name] = "this field name is reserved"
    if bad:
        raise InvalidData("some field names are not allowed", bad)
    for name, value in data.items():
        _without_nul(value, name)


def _json_schema(schema: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    # An empty registry: a form never makes the server fetch anything it references.
    validator = jsonschema.Draft202012Validator(
        schema,
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        registry=Registry(),
    )
    problems: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.path)):
        if error.validator == "required":
            # The missing property is named in the error's message, not its path.
            missing = str(error.message).split("'")[1] if "'" in error.message else "?"
            problems.setdefault(missing, _schema_message(schema, missing, "required"))
            continue
        field = str(error.path[0]) if error.path else "_form"
        problems.setdefault(field, _schema_message(schema, field, error.validator, error.message))
    if problems:
        raise InvalidData("the form has errors: " + _summary(problems), problems)
    return dict(data)


def _schema_message(
    schema: dict[str, Any], field: str, validator: str, default: str = "this field is required"
) -> str:
    """The form's own wording for this kind of error (its `errorMessages`), else the default."""
    spec = schema.get("properties", {}).get(field, {})
    messages = spec.get("errorMessages") or {}
    if isinstance(messages, dict) and validator in messages:
        return str(messages[validator])
    return default


def _summary(problems: dict[str, str]) -> str:
    return "; ".join(f"{k}: {v}" for k, v in problems.items())


def _camunda(fields: tuple[dict[str, Any], ...], data: dict[str, Any]) -> dict[str, Any]:
    known = {f["id"]: f for f in fields}
    problems: dict[str, str] = {}
    clean: dict[str, Any] = {}
    for name in data:
        if name not in known:
            problems[name] = "the form has no such field"
    for field_id, spec in known.items():
        value = data.get(field_id)
        if value is None or value == "":
            if spec.get("required"):
                problems[field_id] = "this field is required"
            continue
        try:
            clean[field_id] = _camunda_value(spec, value)
        except ValueError as exc:
            problems[field_id] = str(exc)
    if problems:
        raise InvalidData("the form has errors: " + _summary(problems), problems)
    return clean


def _camunda_value(spec: dict[str, Any], value: Any) -> Any:
    kind = spec.get("type", "string")
    constraints = spec.get("constraints") or {}
    if kind == "long":
        if isinstance(value, bool) or not (
            isinstance(value, int)
            or (isinstance(value, str) and value.strip().lstrip("-").isdigit())
        ):
            raise ValueError("a whole number is expected")
        number = int(value)
        if "min" in constraints and number < int(constraints["min"]):
            raise ValueError(f"must be at least {constraints['min']}")
        if "max" in constraints and number > int(constraints["max"]):
            raise ValueError(f"must be at most {constraints['max']}")
        return number
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise ValueError("true or false is expected")
    if kind == "date":
        return _date(value)
    if kind == "enum":
        options = [o["id"] for o in spec.get("options", [])]
        if value not in options:
            raise ValueError("must be one of: " + ", ".join(options))
        return value
    if not isinstance(value, str):
        raise ValueError("text is expected")
    if "minlength" in constraints and len(value) < int(constraints["minlength"]):
        raise ValueError(f"needs at least {constraints['minlength']} characters")
    if "maxlength" in constraints and len(value) > int(constraints["maxlength"]):
        raise ValueError(f"allows at most {constraints['maxlength']} characters")
    return value


def _date(value: Any) -> str:
    if isinstance(value, str):
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(value.strip(), fmt).date().isoformat()
            except ValueError:
                continue
    if isinstance(value, date):
        return value.isoformat()
    raise ValueError("a date is expected (dd/mm/yyyy or yyyy-mm-dd)")
