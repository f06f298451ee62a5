"""The builtins that loop inside C over what a script gives them (map, filter, zip, and sorted's
key function), written as Python whose every step the sandbox's budget sees.

The builtins make every item inside one C-level call of whatever consumes them:
`list(map(list, rows))` copies each row before anything is checked, and rows may hold one large
list many times over. These are compiled under a file name of their own, which the budget's
trace follows as it follows a script's (engine.sandbox): each item they make is a step, its time
and the process's memory checked. A refusal raised in them names no line of theirs, so the
script's own line is found in the traceback. `sorted` computes the keys one by one, then sorts
their positions: as stable as the builtin, `reverse` included; a list's own `sort(key=…)` is
sorted so too (engine.sandbox_guards)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FILENAME = "<bpmn-script-builtins>"

_SOURCE = """
def map(function, *iterables):
    for values in _zip(*iterables):
        yield function(*values)

def filter(function, iterable):
    for value in iterable:
        if (value if function is None else function(value)):
            yield value

def zip(*iterables, strict=False):
    for values in _zip(*iterables, strict=strict):
        yield values

def sorted(iterable, *, key=None, reverse=False):
    items = _list(iterable)
    if key is None:
        return _sorted(items, reverse=reverse)
    keys = [key(item) for item in items]
    return [items[i] for i in _sorted(_range(_len(items)), key=keys.__getitem__, reverse=reverse)]
"""


def _compiled() -> dict[str, Callable[..., Any]]:
    scope: dict[str, Any] = {
        "_zip": zip,
        "_list": list,
        "_sorted": sorted,
        "_range": range,
        "_len": len,
    }
    exec(compile(_SOURCE, FILENAME, "exec"), scope)  # our own code, not a script
    return {name: scope[name] for name in ("map", "filter", "zip", "sorted")}


STEPPED: dict[str, Callable[..., Any]] = _compiled()
