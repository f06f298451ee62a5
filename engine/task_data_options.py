"""SpiffArena's choices from the item's data: a JSON Schema form field written
``"anyOf": ["options_from_task_data_var:colors"]`` (also as an array's ``"items"``) offers the
options a script or an earlier step put in the variable ``colors``: a list of
``{"value": …, "label": …}`` (or of plain values), as SpiffArena's form builder does; as an
array's ``items``, every item must be one of them (a multiple choice).

At deploy the placeholder becomes a marker schema, ``[{"x-task-data-options": "colors"}]``, so
the form is a valid JSON Schema and is stored as such; when the task's form is shown or a
submission is checked, the marker becomes a ``oneOf`` with one choice per option (``{"const":
value, "title": label}``), so only those values pass. A variable the item does not have, or
one that holds no list of options, stops the form with a message naming it, instead of a form
nobody can send.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import InvalidData

PREFIX = "options_from_task_data_var:"
MARKER = "x-task-data-options"
_KEYS = ("anyOf", "items")
MAX_OPTIONS = 1000


def mark_task_data_options(schema: Any) -> Any:
    """``schema`` with every SpiffArena placeholder turned into the marker (the same object
    when it has none)."""
    if not _has(schema, _placeholder):
        return schema
    # An array's `items` is one schema in JSON Schema 2020-12: each item must be an option.
    return _rewrite(
        schema,
        _placeholder,
        lambda key, name: {
            key: [{MARKER: name}] if key == "anyOf" else {"anyOf": [{MARKER: name}]}
        },
    )


def offers_task_data_options(schema: Any) -> bool:
    """Whether the form has a choice whose options come from the item's data (a marker)."""
    return _has(schema, _marker)


def with_task_data_options(schema: Any, data: Mapping[str, Any]) -> Any:
    """``schema`` with its markers replaced by the options the item's ``data`` holds now."""
    if not offers_task_data_options(schema):
        return schema
    # As a `oneOf` of constants, the shape the pages render as a choice (engine.schema_choices).
    return _rewrite(schema, _marker, lambda key, name: {"oneOf": _options(name, data)})


def _placeholder(value: Any) -> str | None:
    if (
        isinstance(value, list)
        and len(value) == 1
        and isinstance(value[0], str)
        and value[0].startswith(PREFIX)
    ):
        return value[0][len(PREFIX) :].strip()
    return None


def _marker(value: Any) -> str | None:
    if isinstance(value, list) and len(value) == 1 and isinstance(value[0], dict):
        name = value[0].get(MARKER)
        if isinstance(name, str) and len(value[0]) == 1:
            return name
    return None


def _has(node: Any, found: Any) -> bool:
    if isinstance(node, dict):
        return any(
            (key in _KEYS and found(value) is not None) or _has(value, found)
            for key, value in node.items()
        )
    if isinstance(node, list):
        return any(_has(item, found) for item in node)
    return False


def _rewrite(node: Any, found: Any, replace: Any) -> Any:
    if isinstance(node, dict):
        out: dict[str, Any] = {}
        for key, value in node.items():
            name = found(value) if key in _KEYS else None
            if name is None:
                out[key] = _rewrite(value, found, replace)
            else:
                out.update(replace(key, name))
        return out
    if isinstance(node, list):
        return [_rewrite(item, found, replace) for item in node]
    return node


def _options(name: str, data: Mapping[str, Any]) -> list[dict[str, Any]]:
    options = data.get(name)
    if not isinstance(options, list) or not options:
        raise InvalidData(
            f"the form takes its choices from the variable '{name}', which "
            + ("the item does not have" if name not in data else "holds no list of options"),
            reason="form_options_missing",
            variable=name,
        )
    choices = []
    for option in options[:MAX_OPTIONS]:
        if isinstance(option, dict) and "value" in option:
            label = option.get("label", option["value"])
            choices.append({"const": option["value"], "title": str(label)})
        elif isinstance(option, str | int | float | bool) or option is None:
            choices.append({"const": option, "title": str(option)})
        else:
            raise InvalidData(
                f"the variable '{name}' must hold options such as "
                '{"value": "blue", "label": "Blue"}',
                reason="form_options_missing",
                variable=name,
            )
    return choices


def inline_local_refs(schema: Any) -> Any:
    """``schema`` with each field written as ``{"$ref": "#/definitions/Color", ...}`` (as
    SpiffArena's forms share a choice list) replaced by the definition it names, merged with
    the field's own keys, so the pages see its type and choices; one level, for display only
    (the engine checks a submission against the schema as written)."""
    if not isinstance(schema, dict) or not isinstance(schema.get("properties"), dict):
        return schema
    properties = {name: _inlined(spec, schema) for name, spec in schema["properties"].items()}
    if all(properties[name] is spec for name, spec in schema["properties"].items()):
        return schema
    return {**schema, "properties": properties}


def _inlined(spec: Any, schema: dict[str, Any]) -> Any:
    if not isinstance(spec, dict):
        return spec
    items = spec.get("items")
    if isinstance(items, dict) and "$ref" in items:
        spec = {**spec, "items": _inlined(items, schema)}
    ref = spec.get("$ref")
    if not isinstance(ref, str):
        return spec
    for prefix, key in (("#/definitions/", "definitions"), ("#/$defs/", "$defs")):
        target = (schema.get(key) or {}).get(ref[len(prefix) :]) if ref.startswith(prefix) else None
        if isinstance(target, dict) and "$ref" not in target:
            return {**target, **{k: v for k, v in spec.items() if k != "$ref"}}
    return spec
