"""Comparisons, look-ups and sorts in a script, bounded before they run.

A value that holds one list or tuple many times is small in memory: `a = [a, a]` forty times
over is 41 lists, yet comparing it with a copy, hashing such a tuple (a dict's key, a set's
item, `hash()`), sorting two of them or `list.index` walks 2**40 items inside one C-level call,
which the CPU budget (checked between a script's own steps) cannot stop. So each of these is
checked first: `held_items` counts the items the C code may walk, each list counted every time
it is held (as the C code walks it) but looked at once, so that counting costs no more than the
distinct values; over the limit, the script is refused.

What is checked, and what is not: a scalar (a number, a text, a date) against anything is one
step, and most of a script's comparisons are that. Two containers compared walk no more than
the smaller, so one of them must be within the limit. `x in items` compares `x` with each item
of a list or tuple (the list within the limit, or `x` small enough for all of them), and looks
`x` up by its hash in a dict or set; the set operators (`|`, `&`, `-`, `^`) hash the other
side's items. Only a tuple's hash walks what it holds (a frozenset's is made from its items'
hashes, kept when it was built). A long text or a large number is read digit by digit when it
is compared: it weighs in what is counted (TEXT_WEIGHT, INT_WEIGHT).
"""

from __future__ import annotations

import gc
import operator
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import compress
from typing import Any

from .sandbox_errors import SandboxViolation

SCALARS = frozenset(
    {int, float, bool, complex, str, bytes, type(None), Decimal, date, datetime, time, timedelta}
)
MAX_WALK_DEPTH = 200  # Python's own comparisons give up at about a thousand levels
_VIEWS: tuple[type, ...] = (type({}.keys()), type({}.values()), type({}.items()))
# What holds other values a comparison walks into (a slice its bounds, a view its dict).
_WALKED = frozenset({list, tuple, dict, set, frozenset, slice, *_VIEWS})
_is_walked = _WALKED.__contains__
_SIZED = frozenset({list, tuple, dict, set, frozenset})
# What hashes what it is given to look up or to join (`in`, `|`, `&`, ...).
_HASHED_TYPES: frozenset[type] = frozenset(
    {dict, set, frozenset, type({}.keys()), type({}.items())}
)
_TEXTS = frozenset({str, bytes})
_is_text = _TEXTS.__contains__
_WEIGHED = frozenset({str, bytes, int, Decimal})  # compared digit by digit
TEXT_WEIGHT = 100  # characters of a text compared for one item walked
INT_WEIGHT = 640  # bits of a whole number compared for one item walked
_is_int = frozenset({int}).__contains__
SHORT_TEXT = 10_000  # a text this long is looked for in a list without counting
_HASHED: tuple[type, ...] = tuple(_HASHED_TYPES)
_HASH_WALKS = (tuple, frozenset)
_SEQUENCES = (list, tuple)

OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
    "in": lambda a, b: a in b,
    "not in": lambda a, b: a not in b,
}


def held_items(value: Any, limit: int) -> int:
    """How many items a C-level walk of `value` goes through (itself included), counted only a
    little past `limit`: level by level, each level's items found by the C code that finds an
    object's references (a list's items, a dict's keys and values), each counted every time it
    is held; where a level holds one list many times (`a = [a, a]` forty times over), each
    distinct one is looked at once, weighed by how often it is held, so that counting costs
    what the distinct values do, not a million looks. A level's containers held the same
    number of times are looked at together, in one C call. A text counts as an item per
    TEXT_WEIGHT characters, a whole number per INT_WEIGHT bits: comparing two long ones reads
    them."""
    kind = type(value)
    if kind is int:
        bits: int = value.bit_length()
        return 1 + bits // INT_WEIGHT
    if kind not in _WALKED:
        return 1 + len(value) // TEXT_WEIGHT if kind in _TEXTS else 1
    total = 1
    level: dict[int, list[Any]] = {1: [value]}  # how many times held -> the containers
    for _ in range(MAX_WALK_DEPTH):
        walked: list[tuple[int, list[Any]]] = []
        for times, containers in level.items():
            held = gc.get_referents(*containers)
            total += times * _weight(held)
            if total > limit:
                return total
            walked.append((times, _containers(held)))
        level = _next_level(walked)
        if not level:
            return total
    raise SandboxViolation(
        f"a value nested more than {MAX_WALK_DEPTH} levels deep cannot be compared"
    )


def _weight(held: list[Any]) -> int:
    """The items of one level: each value one, and the length of long texts and numbers."""
    kinds = list(map(type, held))
    texts = sum(map(len, compress(held, map(_is_text, kinds)))) // TEXT_WEIGHT
    numbers = sum(map(int.bit_length, compress(held, map(_is_int, kinds)))) // INT_WEIGHT
    return len(held) + texts + numbers


def _containers(held: list[Any]) -> list[Any]:
    return list(compress(held, map(_is_walked, map(type, held))))


_SAMPLE = 4096  # a level of this many containers or fewer is walked as it is


def _next_level(walked: list[tuple[int, list[Any]]]) -> dict[int, list[Any]]:
    """The containers the next level looks at, each once, grouped by how many times each is
    held in all (a container held once under a list held three times: three)."""
    if len(walked) == 1:
        times, containers = walked[0]
        # Copies are counted right either way; looking at each once pays only where one list
        # is held many times, which shows among the first containers of a large level.
        if len(containers) <= _SAMPLE or len(set(map(id, containers[:_SAMPLE]))) == _SAMPLE:
            return {times: containers} if containers else {}
    often: dict[int, int] = {}
    found: dict[int, Any] = {}
    for times, containers in walked:
        for key, count in Counter(map(id, containers)).items():
            often[key] = often.get(key, 0) + times * count
        found.update(zip(map(id, containers), containers, strict=True))
    level: dict[int, list[Any]] = {}
    for key, times in often.items():
        level.setdefault(times, []).append(found[key])
    return level


class Lookups:
    """The checks, for one sandbox's limit on the items one operation may walk."""

    def __init__(self, limit: int) -> None:
        self.limit = limit

    def _refuse(self, what: str) -> SandboxViolation:
        return SandboxViolation(
            f"{what} would go through more than {self.limit:,} items, the limit (a value that "
            "holds one list many times is small, yet compared item by item)"
        )

    def _within(self, value: Any) -> bool:
        return held_items(value, self.limit) <= self.limit

    def compare(self, a: Any, op: str, b: Any) -> Any:
        """`a op b` for one comparison operator of a script (`==`, `<`, `in`, ...)."""
        kind = type(a)
        if op == "in" or op == "not in":
            # A long text or number looked for in a list is read against each item as long.
            if (
                kind not in SCALARS
                or (kind in _TEXTS and len(a) > SHORT_TEXT)
                or (kind is int and a.bit_length() > SHORT_TEXT)
            ):
                self._look_up(a, b, "'in'")
        elif kind not in SCALARS and type(b) not in SCALARS and not self._either_within(a, op, b):
            raise self._refuse("a comparison")
        return OPERATORS[op](a, b)

    def _either_within(self, a: Any, op: str, b: Any) -> bool:
        """Whether the walk of `a op b` stays within the limit: Python's own answer from the
        lengths (`rows == []`), else the smaller within it (the walk stops with it)."""
        if type(a) in _SIZED and type(b) in _SIZED:
            if len(a) != len(b) and type(a) is type(b) and (op == "==" or op == "!="):
                return True
            if len(b) < len(a):
                a, b = b, a
        return self._within(a) or self._within(b)

    def held(self, value: Any) -> Any:
        """An operand of a chained comparison (`a < b < c`), each within the limit."""
        if type(value) not in SCALARS and not self._within(value):
            raise self._refuse("a comparison")
        return value

    def _look_up(self, wanted: Any, items: Any, what: str) -> None:
        if isinstance(items, _HASHED):
            self.key(wanted)
        elif isinstance(items, _SEQUENCES):
            # Each item is compared with `wanted`, each comparison no longer than `wanted`.
            if len(items) * held_items(wanted, self.limit) > self.limit and not self._within(items):
                raise self._refuse(what)
        elif not self._within(wanted):  # made step by step (a generator): each comparison
            raise self._refuse(what)

    def key(self, value: Any) -> Any:
        """A dict's key or a set's item, about to be hashed (and compared with its equal)."""
        if type(value) in _HASH_WALKS and not self._within(value):
            raise self._refuse("hashing a value")
        return value

    def keys(self, values: Iterable[Any]) -> list[Any]:
        """Values about to be hashed one by one (set(), a set's update), as a list: made before
        they are checked, as the C code would make them."""
        found = list(values)
        if not set(map(type, found)).isdisjoint(_HASH_WALKS):
            for value in found:
                self.key(value)
        return found

    def pairs(self, values: Iterable[Any]) -> list[Any]:
        """`dict(pairs)`: each pair's key about to be hashed."""
        found = list(values)
        for pair in found:
            if isinstance(pair, _SEQUENCES) and len(pair) == 2:
                self.key(pair[0])
        return found

    def ordered(self, items: Any) -> Any:
        """What a sort, `min` or `max` compares with one another: each item compared a few times,
        each comparison no longer than the items."""
        kinds = set(map(type, items))
        if (not kinds <= SCALARS or kinds & _WEIGHED) and not self._within(items):
            raise self._refuse("ordering values (a sort, min or max)")
        return items

    def set_operands(self, a: Any, b: Any) -> tuple[Any, Any]:
        """`a | b`, `&`, `-`, `^` (and `|=` ...): where one side is a set, a dict or a dict's
        view, the other's items are hashed (a dict's view takes any iterable)."""
        if type(a) in _HASHED_TYPES and type(b) not in _HASHED_TYPES:
            b = self.pairs(b) if type(a) is dict else self.keys(b)
        if type(b) in _HASHED_TYPES and type(a) not in _HASHED_TYPES:
            a = self.pairs(a) if type(b) is dict else self.keys(a)
        return a, b

    def hashed(self, value: Any, /) -> int:
        """The builtin `hash`."""
        return hash(self.key(value))

    def search(self, items: Any, name: str, bound: Any, /, wanted: Any, *rest: Any) -> Any:
        """`list.count`, `index` or `remove` (and a tuple's): `wanted` against each item."""
        self._look_up(wanted, items, f"{name}()")
        return bound(wanted, *rest)

    def mapping_key(self, _items: Any, _name: str, bound: Any, /, key: Any, *rest: Any) -> Any:
        """`dict.get`, `pop`, `setdefault`; `set.add`, `discard`, `remove`."""
        return bound(self.key(key), *rest)

    def mapping_keys(self, items: Any, name: str, bound: Any, /, *others: Any, **kw: Any) -> Any:
        """`set.update`, `union`, ... and `dict.fromkeys`: each other value's items hashed;
        `dict.update`: each pair's key. A dict or set given keeps the hashes it has."""
        if name == "update" and isinstance(items, dict):
            others = tuple(o if hasattr(o, "keys") else self.pairs(o) for o in others)
        elif name == "fromkeys":
            others = (self.keys(others[0]), *others[1:]) if others else others
        else:
            others = tuple(o if isinstance(o, _HASHED) else self.keys(o) for o in others)
        return bound(*others, **kw)

    def guard_of(self, kind: type, name: str) -> Callable[..., Any] | None:
        """The check of a container's method that compares or hashes what it is given."""
        if issubclass(kind, _SEQUENCES):
            return self.search if name in _SEARCHES else None
        if issubclass(kind, _VIEWS):
            return self.mapping_keys if name == "isdisjoint" else None
        if issubclass(kind, dict | set | frozenset):
            if name in (_DICT_KEY if issubclass(kind, dict) else _SET_KEY):
                return self.mapping_key
            if name in _MANY_KEYS:
                return self.mapping_keys
        return None


_SEARCHES = frozenset({"count", "index", "remove"})
_DICT_KEY = frozenset({"get", "pop", "setdefault"})
_SET_KEY = frozenset({"add", "discard", "remove"})
_MANY_KEYS = frozenset(
    {
        "update",
        "fromkeys",
        "union",
        "intersection",
        "difference",
        "symmetric_difference",
        "intersection_update",
        "difference_update",
        "symmetric_difference_update",
        "issubset",
        "issuperset",
        "isdisjoint",
    }
)


def checked_type(base: type, check: Callable[..., Any]) -> type:
    """`base` as scripts see it: the type itself to `isinstance`, `issubclass` and as the owner of
    its methods (`str.upper`, `dict.fromkeys`), and a call of it made by `check(*args, **kwargs)`,
    which checks what it is given and makes the value."""

    class _Checked(type):
        def __call__(cls, /, *args: Any, **kwargs: Any) -> Any:
            return check(*args, **kwargs)

        def __instancecheck__(cls, instance: Any) -> bool:
            return isinstance(instance, base)

        def __subclasscheck__(cls, subclass: Any) -> bool:
            return issubclass(subclass, base)

    name = base.__name__
    return _Checked(name, (base,), {"__module__": "builtins", "__qualname__": name})


def container_types(lookups: Lookups) -> dict[str, type]:
    """`dict`, `set` and `frozenset` as scripts see them: what they hash checked first."""

    def make_dict(*args: Any, **kwargs: Any) -> dict[Any, Any]:
        if args and not isinstance(args[0], dict) and not hasattr(args[0], "keys"):
            args = (lookups.pairs(args[0]), *args[1:])
        return dict(*args, **kwargs)

    def make_set(*args: Any) -> set[Any]:
        return set(lookups.keys(args[0])) if len(args) == 1 else set(*args)  # its own refusal

    def make_frozenset(*args: Any) -> frozenset[Any]:
        return frozenset(lookups.keys(args[0])) if len(args) == 1 else frozenset(*args)

    return {
        "dict": checked_type(dict, make_dict),
        "set": checked_type(set, make_set),
        "frozenset": checked_type(frozenset, make_frozenset),
    }
