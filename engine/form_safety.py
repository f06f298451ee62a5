"""Deploy-time limits on a JSON Schema form, so that checking a person's input stays quick: no
regular expression that can backtrack exponentially, no reference that leads back to itself
(a form is a list of fields; a validator would recurse without end on `{"$ref": "#"}`)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from .errors import InvalidDefinition
from .graphs import find_cycle
from .regex_safety import catastrophic_reason

_REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")
_ANCHOR_KEYWORDS = ("$anchor", "$dynamicAnchor")
MAX_REFERENCES = 500

Pointer = tuple[str, ...]


def check_form_safety(name: str, schema: Any) -> None:
    """Refuse a form whose patterns could stall a request, or whose references form a cycle or
    point nowhere, or whose date rules name a day the engine does not know (a misspelt
    "todya" would check nothing). References outside the form are refused elsewhere."""
    _check_patterns(name, schema)
    _check_references(name, schema)
    _check_day_rules(name, schema)


# The days a date field's rules may name (engine/forms.py _DAY_RULES).
_DAYS = {"x-not-before": ("today", "started"), "x-not-later": ("today",)}


def _check_day_rules(name: str, schema: Any) -> None:
    for pointer, node in _nodes(schema):
        if not isinstance(node, dict) or (pointer and pointer[-1] == "errorMessages"):
            continue
        for rule, days in _DAYS.items():
            if rule in node and node[rule] not in days:
                raise InvalidDefinition(
                    f"the rule {rule} at {_where(pointer)} names {_short(str(node[rule]))!r}: "
                    f"it takes {' or '.join(repr(d) for d in days)}",
                    file=name,
                    reason="form_day_rule",
                    rule=rule,
                    at=_where(pointer),
                )


def _nodes(schema: Any) -> list[tuple[Pointer, Any]]:
    """Every value of the form with its JSON pointer, parents before children."""
    found: list[tuple[Pointer, Any]] = []
    todo: list[tuple[Pointer, Any]] = [((), schema)]
    while todo:
        pointer, node = todo.pop()
        found.append((pointer, node))
        if isinstance(node, dict):
            todo.extend(((*pointer, str(k)), v) for k, v in node.items())
        elif isinstance(node, list):
            todo.extend(((*pointer, str(i)), v) for i, v in enumerate(node))
    return found


def _where(pointer: Pointer) -> str:
    if not pointer:
        return "# (the whole form)"
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in pointer)


def _check_patterns(name: str, schema: Any) -> None:
    for pointer, node in _nodes(schema):
        if not isinstance(node, dict):
            continue
        patterns = [("pattern", node["pattern"])] if isinstance(node.get("pattern"), str) else []
        if isinstance(node.get("patternProperties"), dict):
            patterns += [("patternProperties", key) for key in node["patternProperties"]]
        for keyword, pattern in patterns:
            reason = catastrophic_reason(pattern)
            if reason:
                raise InvalidDefinition(
                    f"the {keyword} '{_short(pattern)}' at {_where(pointer)} is refused: {reason}",
                    file=name,
                    reason="form_pattern_unsafe",
                    pattern=pattern,
                    at=_where(pointer),
                    detail=reason,
                )


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _check_references(name: str, schema: Any) -> None:
    nodes = _nodes(schema)
    resources = {p for p, n in nodes if isinstance(n, dict) and p and isinstance(n.get("$id"), str)}
    anchors: dict[tuple[Pointer, str], Pointer] = {}
    refs: list[tuple[Pointer, str]] = []
    for pointer, node in nodes:
        if not isinstance(node, dict):
            continue
        for keyword in _ANCHOR_KEYWORDS:
            if isinstance(node.get(keyword), str):
                anchors[(_resource(pointer, resources), node[keyword])] = pointer
        refs.extend((pointer, node[k]) for k in _REF_KEYWORDS if isinstance(node.get(k), str))
    if len(refs) > MAX_REFERENCES:
        raise InvalidDefinition(
            f"the form has more than {MAX_REFERENCES} references",
            file=name,
            reason="form_too_many_references",
            limit=MAX_REFERENCES,
        )
    values = dict(nodes)
    targets: list[Pointer] = []
    for pointer, ref in refs:
        target = _resolve(ref, _resource(pointer, resources), anchors, values)
        if target is None:
            raise InvalidDefinition(
                f"the reference '{_short(ref)}' at {_where(pointer)} points to nothing in the form",
                file=name,
                reason="form_reference_missing",
                reference=ref,
                at=_where(pointer),
            )
        targets.append(target)
    # Following a reference enters its target; a reference inside that target is followed next.
    # A path that comes back to a reference already on it never ends.
    edges = [
        [j for j, (inner, _ref) in enumerate(refs) if inner[: len(target)] == target]
        for target in targets
    ]
    cycle = find_cycle(edges)
    if cycle is not None:
        pointer, ref = refs[cycle]
        raise InvalidDefinition(
            f"the reference '{_short(ref)}' at {_where(pointer)} leads back to itself; "
            "a form cannot contain itself",
            file=name,
            reason="form_reference_cycle",
            reference=ref,
            at=_where(pointer),
        )


def _resource(pointer: Pointer, resources: set[Pointer]) -> Pointer:
    """The nearest enclosing subschema with its own $id: '#' references are relative to it."""
    for length in range(len(pointer), 0, -1):
        if pointer[:length] in resources:
            return pointer[:length]
    return ()


def _resolve(
    ref: str,
    resource: Pointer,
    anchors: dict[tuple[Pointer, str], Pointer],
    values: dict[Pointer, Any],
) -> Pointer | None:
    fragment = unquote(ref[1:]) if ref.startswith("#") else None
    if fragment is None:
        return None
    if fragment and not fragment.startswith("/"):
        return anchors.get((resource, fragment))
    parts = [p.replace("~1", "/").replace("~0", "~") for p in fragment.split("/")[1:]]
    target = (*resource, *parts)
    return target if target in values else None
