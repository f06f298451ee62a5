"""SpiffArena's dot notation in forms: a JSON Schema property named `invoice.amount` sets
`amount` inside the item's `invoice`, as SpiffArena's task submission does."""

from __future__ import annotations

from typing import Any

MAX_DEPTH = 8


def is_dotted(name: str) -> bool:
    """A name of identifiers joined by dots (`invoice.amount`), none private."""
    parts = name.split(".")
    return 1 < len(parts) <= MAX_DEPTH and all(
        part.isidentifier() and not part.startswith("_") for part in parts
    )


def expand_dots(data: dict[str, Any]) -> dict[str, Any]:
    """The form's values with each dotted name turned into nested objects; as in SpiffArena a
    top-level name is replaced, not merged into what the item held."""
    expanded: dict[str, Any] = {}
    for name, value in data.items():
        if not is_dotted(name):
            expanded[name] = value
            continue
        *path, last = name.split(".")
        target = expanded
        for part in path:
            inner = target.get(part)
            if not isinstance(inner, dict):
                inner = target[part] = {}
            target = inner
        target[last] = value
    return expanded
