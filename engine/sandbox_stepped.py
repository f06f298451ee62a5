"""The builtins that loop inside C over what a script gives them (map, filter, zip, and the key
function of sorted, min and max), written as Python whose every step the sandbox's budget
sees.

The builtins make every item inside one C-level call of whatever consumes them:
`list(map(list, rows))` copies each row before anything is checked, and rows may hold one large
list many times over. These are compiled under a file name of their own, which the budget's
trace follows as it follows a script's (engine.sandbox): each item they make is a step, its time
and the process's memory checked. A refusal raised in them names no line of theirs, so the
script's own line is found in the traceback. `sorted` computes the keys one by one, then sorts
their positions: as stable as the builtin, `reverse` included; a list's own `sort(key=…)` is
sorted so too (engine.sandbox_guards). `min` and `max` with a key compute the keys one by one
and keep the first item whose key is least (greatest), as the builtins do; without a key, or
called as the builtins refuse (a default with several items, no item at all), the builtins
answer. What they compare (the items sorted, the keys) is checked first, as a script's own
comparisons are (engine.sandbox_lookups)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .sandbox_lookups import Lookups

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
        return _sorted(_ordered(items), reverse=reverse)
    keys = _ordered([key(item) for item in items])
    return [items[i] for i in _sorted(_range(_len(items)), key=keys.__getitem__, reverse=reverse)]

def sum(values, start=0):
    total = start
    for value in values:
        total = total + value
    return total

def min(*args, key=None, default=_NO_DEFAULT):
    return _keyed(_min, "<", args, key, default)

def max(*args, key=None, default=_NO_DEFAULT):
    return _keyed(_max, ">", args, key, default)

def _keyed(pick, better, args, key, default):
    given = {} if default is _NO_DEFAULT else {"default": default}
    if not args or _len(args) > 1 and given:
        return pick(*args, key=key, **given)  # its own refusal
    items = args[0] if _len(args) == 1 else args
    if key is None:
        return pick(_ordered(_list(items)), **given)
    best, best_key = _NO_DEFAULT, None
    for item in items:
        found = key(item)
        if best is _NO_DEFAULT or _compare(found, better, best_key):
            best, best_key = item, found
    return pick((), **given) if best is _NO_DEFAULT else best
"""


def stepped_builtins(lookups: Lookups) -> dict[str, Callable[..., Any]]:
    """The builtins above, their comparisons checked by `lookups` (engine.sandbox_lookups)."""
    scope: dict[str, Any] = {
        "_zip": zip,
        "_list": list,
        "_sorted": sorted,
        "_range": range,
        "_len": len,
        "_min": min,
        "_max": max,
        "_ordered": lookups.ordered,
        "_compare": lookups.compare,
        "_NO_DEFAULT": object(),
    }
    exec(_CODE, scope)  # our own code, not a script
    names = ("map", "filter", "zip", "sorted", "min", "max", "sum")
    return {name: scope[name] for name in names}


_CODE = compile(_SOURCE, FILENAME, "exec")
