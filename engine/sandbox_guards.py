"""What one script evaluation may build, and what a script may leave in an item's data.

A CPU budget checked between lines cannot stop a single C-level operation (`10**10**8`,
`'x' * 10**10`, a nested `str.replace`), and it bounds time, not memory. So the operators and
methods that can make a value much larger than their operands are routed through the guards
below, which work out the size of the result *before* making it and refuse what is over the
limit; and the growth of the process's resident memory is watched while a script runs, for the
rest. Writing a value as text (str(), repr(), an f-string, `%`, print, json.dumps) is such an
operation too: a list that holds one list of a thousand items a thousand times is a thousand
references in memory and millions of characters as text, so its text's size is worked out first
(`text_size`). What a script leaves in the data is checked too: only values that can be saved
and read back unchanged, nested to a sane depth, within the item's data limit.

The memory watch reads the process's resident size now (/proc/self/statm on Linux): it is
shared by the threads of a process, so it bounds the process's growth while the script runs,
not the script's exact use. (It once read the peak, getrusage's ru_maxrss, which only moves
above the highest the process has ever been: after one large export in the same worker, a
script could take that much more before being stopped.) Cost, measured: a three-line script
7.8 -> 14.9 us, a condition 3.0 -> 4.0 us; bench/engine_actions.py's CPU ms per action
6.78-7.20 -> 6.89-7.28 (+0.1 ms, about 1.5 %).
"""

from __future__ import annotations

import codecs
import gc
import math
import operator
import os
import re
import resource
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, cast

from .sandbox_errors import SandboxViolation, UnstorableValue
from .sandbox_lookups import Lookups, checked_type
from .sandbox_stepped import stepped_builtins

MAX_SIZE = 1_000_000  # items, characters or bytes of one value made by one operation
MAX_INT_BITS = 100_000  # about 30,000 digits
MAX_MODULAR_BITS = 4096  # pow(a, b, m): as large as the keys of public-key cryptography
MAX_MEMORY_BYTES = 128 * 1024 * 1024  # growth of the resident memory during one run
MAX_DATA_BYTES = 2 * 1024 * 1024  # an item's data, as JSON
MAX_DEPTH = 32  # lists and dicts within lists and dicts
MAX_STORED_INT_BITS = 1024  # about 300 digits: larger is no amount anyone writes down
MAX_STORED_DAYS = 36_525  # a hundred years


@dataclass(frozen=True)
class Limits:
    """The bounds of one evaluation; the defaults are far above what an approval needs."""

    max_size: int = MAX_SIZE
    max_int_bits: int = MAX_INT_BITS
    max_memory_bytes: int = MAX_MEMORY_BYTES
    max_data_bytes: int = MAX_DATA_BYTES


_SEQUENCES = (str, bytes, list, tuple)
_COLLECTIONS = (*_SEQUENCES, dict, set, frozenset)
# `%` formats: a `*` width or precision, or a number in one (the flags come first).
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d+)?(?:\.(\*|\d+))?")
_DIGITS = re.compile(r"\d+")
_FIXED_POINT = frozenset("fF%")  # the format types that write every digit of a number


# The run on this thread, if any: what checks its memory (engine.sandbox sets it).
RUNNING = threading.local()
LARGE_VALUE = 65_536  # items or characters: a step that makes this much checks the memory

_PAGE_BYTES = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
_statm: tuple[int, int] | None = None  # (pid, descriptor): /proc/self is the opener's


def resident_memory_bytes() -> int:
    """The process's resident memory now (Linux: /proc/self/statm, kept open: reading it costs
    what getrusage does); elsewhere the peak, which only bounds growth above the highest the
    process has been."""
    global _statm
    try:
        if _statm is None or _statm[0] != os.getpid():
            _statm = (os.getpid(), os.open("/proc/self/statm", os.O_RDONLY))
        return int(os.pread(_statm[1], 64, 0).split()[1]) * _PAGE_BYTES
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


class Guards:
    """The operators and methods a script reaches through the names the compiler puts in
    (`_mul_`, `_pow_`, ...), each refusing a result over the limits before computing it."""

    def made(self, value: Any) -> Any:
        """A value just made by one step: a large one (a list of a million items) has the
        process's memory checked at once, not at the next line; one line may make many
        (`([0] * 10**6, [0] * 10**6, ...)` took 1.25 GB before its line ended)."""
        if len(value) >= LARGE_VALUE:
            check = getattr(RUNNING, "memory_check", None)
            if check is not None:
                check()
        return value

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.lookups = Lookups(limits.max_size)
        self.stepped = stepped_builtins(self.lookups)

    def _size(self, size: int, what: str) -> None:
        if size > self.limits.max_size:
            raise SandboxViolation(
                f"{what} would make a value of {size:,} items or characters; "
                f"the limit is {self.limits.max_size:,}"
            )

    def _bits(self, bits: int, what: str) -> None:
        if bits > self.limits.max_int_bits:
            raise SandboxViolation(
                f"{what} would make a number of about {int(bits * 0.30103):,} digits; "
                f"the limit is {int(self.limits.max_int_bits * 0.30103):,}"
            )

    def written_out(self, value: Any, what: str, *, fraction: bool = False) -> Any:
        """A Decimal about to be written with all its digits (int(), round(), `%d`; with its
        fraction, a fixed-point format): `Decimal('1e100000000')` is a few bytes, its integer a
        hundred million digits made in one C-level call (int() of 1e1000000 alone took 9 s), so
        its exponent is the size."""
        if isinstance(value, Decimal) and value.is_finite():
            exponent = value.adjusted()
            digits = abs(exponent) if fraction else max(exponent, 0)
            self._bits(math.ceil((digits + 1) * math.log2(10)), what)
        return value

    def mul(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int):
            self._bits(a.bit_length() + b.bit_length(), "a multiplication")
        elif isinstance(a, _SEQUENCES) and isinstance(b, int):
            self._size(len(a) * b, "repeating a value")
            return self.made(a * b)
        elif isinstance(b, _SEQUENCES) and isinstance(a, int):
            self._size(len(b) * a, "repeating a value")
        return a * b

    def pow(self, a: Any, b: Any, modulo: Any = None) -> Any:
        if modulo is not None:
            # The result is smaller than the modulo, but its time grows with the cube of the
            # numbers' size: pow(3, m, m) of 20,000 bits took 11 s inside one C-level call.
            if isinstance(b, int) and isinstance(modulo, int):
                bits = max(abs(b).bit_length(), abs(modulo).bit_length())
                if bits > MAX_MODULAR_BITS:
                    raise SandboxViolation(
                        f"pow() with a modulus takes numbers of at most {MAX_MODULAR_BITS:,} bits"
                        f" (about {int(MAX_MODULAR_BITS * 0.30103):,} digits)"
                    )
            return pow(a, b, modulo)
        if isinstance(a, int) and isinstance(b, int) and b > 1 and abs(a) > 1:
            self._bits(a.bit_length() * b, "a power")
        return a**b

    def lshift(self, a: Any, b: Any) -> Any:
        if isinstance(a, int) and isinstance(b, int) and a and b > 0:
            self._bits(a.bit_length() + b, "a shift")
        return a << b

    def add(self, a: Any, b: Any) -> Any:
        if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
            self._size(len(a) + len(b), "joining two values")
            return self.made(operator.add(a, b))
        return a + b

    def mod(self, a: Any, b: Any) -> Any:
        if not isinstance(a, str | bytes):
            return a % b
        pattern = a if isinstance(a, str) else a.decode("latin-1")
        self.text(b, "a % format")
        for value in b.values() if isinstance(b, dict) else b if isinstance(b, tuple) else (b,):
            self.written_out(value, "a % format")
        for width, precision in _PERCENT_SPEC.findall(pattern):
            for number in (width, precision):
                if number == "*":
                    raise SandboxViolation("a '*' width in a % format is not allowed")
                if number:
                    self._size(int(number), "a % format")
        result = a % b
        self._size(len(result), "a % format")
        return result

    def text(self, value: Any, what: str, indent: int = 0) -> None:
        """Refuse writing `value` as text (str(), repr(), a format, print, json.dumps with its
        `indent`) when the text would be over the limit: a list that holds one large list many
        times is small in memory, yet its text is made in one C-level step."""
        limit = self.limits.max_size
        if type(value) is not str and text_size(value, limit, indent) > limit:
            raise SandboxViolation(
                f"{what} would write a text of more than {limit:,} characters, the limit"
            )

    def format(self, value: Any, conversion: int, spec: str) -> str:
        """An f-string's `{value!c:spec}` (and the builtin `format`): the value's text and a
        width or precision are sizes too."""
        self.text(value, "a format")
        if conversion == -1 and spec[-1:] in _FIXED_POINT:
            self.written_out(value, "a format", fraction=True)
        if conversion == -1 and isinstance(value, date | time):
            check_date_format(spec, "a date's format")
        if conversion == ord("r"):
            value = repr(value)
        elif conversion == ord("s"):
            value = str(value)
        elif conversion == ord("a"):
            value = ascii(value)
        for number in _DIGITS.findall(spec):
            self._size(int(number), "a format")
        return format(value, spec)

    def set_op(self, op: Callable[[Any, Any], Any], a: Any, b: Any) -> Any:
        """`|`, `&`, `-`, `^`: a set's or dict's items hashed are checked first."""
        return op(*self.lookups.set_operands(a, b))

    def inplace(self, op: str, target: Any, value: Any) -> Any:
        if op in ("|=", "&="):
            target, value = self.lookups.set_operands(target, value)
        if op == "+=":
            if isinstance(target, _SEQUENCES) and isinstance(value, _SEQUENCES):
                self._size(len(target) + len(value), "joining two values")
        elif op == "*=":
            return self.mul(target, value)
        return _INPLACE[op](target, value)

    def starred(self, value: Any) -> Any:
        """`*value` inside a list, tuple or set display: each part within the limit."""
        if isinstance(value, _COLLECTIONS):
            self._size(len(value), "unpacking a value")
        return value

    def sum(self, values: Iterable[Any], start: Any = 0) -> Any:
        # sum() of lists copies the growing list at every step, inside C.
        if not isinstance(start, int | float | complex):
            raise SandboxViolation("sum() adds numbers only: build lists with a loop")
        if isinstance(values, list | tuple) and len(values) > LARGE_VALUE:
            # A million large numbers added inside one C call (1.6 s): step by step instead,
            # where the budget sees each.
            return self.stepped["sum"](values, start)
        return sum(values, start)

    def method(self, obj: Any, name: str, bound: Any) -> Any:
        """The guarded version of a method that can make a much larger value, or compare or
        hash what it is given, else `bound`; taken from the type as well (`str.join(sep,
        parts)`), guarded the same way."""
        if isinstance(obj, type):
            guard = self._guard_of(obj, name)
            if guard is None:
                return bound
            if getattr(bound, "__self__", None) is obj:  # a class method: bound to the type

                def of_type(*args: Any, **kwargs: Any) -> Any:
                    return guard(self, obj, bound, *args, **kwargs)

                return of_type

            def unbound(target: Any, /, *args: Any, **kwargs: Any) -> Any:
                if not isinstance(target, obj):
                    return bound(target, *args, **kwargs)  # Python's own TypeError
                return guard(self, target, getattr(target, name), *args, **kwargs)

            return unbound
        guard = self._guard_of(type(obj), name)
        if guard is None:
            return bound

        def guarded(*args: Any, **kwargs: Any) -> Any:
            return guard(self, obj, bound, *args, **kwargs)

        return guarded

    def _guard_of(self, kind: type, name: str) -> Any:
        if issubclass(kind, str | bytes):
            return _STRING_GUARDS.get(name)
        if issubclass(kind, list) and name in _LIST_GUARDS:
            return _LIST_GUARDS[name]
        if issubclass(kind, int) and name in _INT_GUARDS:
            return _INT_GUARDS[name]
        if issubclass(kind, date | time) and name in _DATE_GUARDS:
            return _DATE_GUARDS[name]
        if issubclass(kind, Decimal) and name == "as_integer_ratio":
            return _integer_ratio
        lookup = self.lookups.guard_of(kind, name)
        if lookup is None:
            return None

        def looked_up(_g: Guards, target: Any, bound: Any, /, *args: Any, **kwargs: Any) -> Any:
            return lookup(target, name, bound, *args, **kwargs)

        return looked_up


def text_type(guards: Guards) -> type[str]:
    """`str` as scripts see it: the type itself to `isinstance` and as the owner of its methods
    (`str.upper`), and `str(value)` checked by `guards.text` before the text is made."""

    def make(*args: Any, **kwargs: Any) -> str:
        if args or "object" in kwargs:
            guards.text(args[0] if args else kwargs["object"], "str()")
        return str(*args, **kwargs)

    return cast(type[str], checked_type(str, make))


def text_builtins(guards: Guards) -> dict[str, Any]:
    """The builtins that write a value as text, each checked by `guards.text` first (`format`,
    with SpiffArena's other names, is in engine.script_modules)."""

    def repr_(value: Any) -> str:
        guards.text(value, "repr()")
        return repr(value)

    def ascii_(value: Any) -> str:
        guards.text(value, "ascii()")
        return ascii(value)

    return {"str": text_type(guards), "repr": repr_, "ascii": ascii_}


def made_builtins(guards: Guards) -> dict[str, Any]:
    """`int` and `round` as scripts see them: a Decimal's integer made only within the limit on
    a number's digits (`guards.written_out`); `list` and `tuple`, whose copies are `made`."""

    def make_int(*args: Any, **kwargs: Any) -> int:
        if args:
            guards.written_out(args[0], "int()")
        made = int(*args, **kwargs)  # a text in another base has no limit on its digits
        guards._bits(made.bit_length(), "int()")
        return made

    def round_(*args: Any, **kwargs: Any) -> Any:
        if args and (args[1] if len(args) > 1 else kwargs.get("ndigits")) is None:
            guards.written_out(args[0], "round()")  # to a whole number
        return round(*args, **kwargs)  # its own answer, or its own refusal

    def make_list(*args: Any) -> list[Any]:
        made: list[Any] = guards.made(list(*args))
        return made

    def make_tuple(*args: Any) -> tuple[Any, ...]:
        made: tuple[Any, ...] = guards.made(tuple(*args))
        return made

    return {
        "int": checked_type(int, make_int),
        "round": round_,
        "list": checked_type(list, make_list),
        "tuple": checked_type(tuple, make_tuple),
    }


MAX_TEXT_DEPTH = 200  # repr() itself gives up at about a thousand levels
_CONTAINERS = (list, tuple, set, frozenset, dict)
# Written with what they hold, which the guards would otherwise never see.
_HOLDERS: tuple[type, ...] = (
    slice,
    BaseException,
    type({}.keys()),
    type({}.values()),
    type({}.items()),
)


def text_size(value: Any, limit: int, indent: int = 0) -> int:
    """About how many characters `repr(value)` takes (`str()` takes no more; with `indent`, a
    JSON text indented so), counted only a little past `limit`. Each container (and each
    other object) is looked at once however often it is held, and its size counted each time:
    what holds it a thousand times writes it a thousand times. A slice, a dict's view and an
    exception are written with what they hold."""
    known: dict[int, int] = {}

    def size(item: Any, depth: int) -> int:
        kind = type(item)
        if kind is str:
            return len(item) + 2
        if kind is int:
            bits: int = item.bit_length()
            return bits * 31 // 100 + 2
        if kind is float or kind is bool or item is None:
            return 25
        found: int | None = known.get(id(item))
        if found is not None:
            return found
        if isinstance(item, _HOLDERS):
            held = item.args if isinstance(item, BaseException) else gc.get_referents(item)
            found = known[id(item)] = len(kind.__name__) + 2 + size(tuple(held), depth + 1)
            return found
        if not isinstance(item, _CONTAINERS):
            found = known[id(item)] = len(repr(item))  # a date, a number, bytes: its own size
            return found
        if depth >= MAX_TEXT_DEPTH:
            raise SandboxViolation(
                f"a value nested more than {MAX_TEXT_DEPTH} levels deep cannot be written as text"
            )
        known[id(item)] = 5  # held inside itself: written as [...]
        total = 2
        line = indent * (depth + 1) + 1 if indent else 0  # a new line, indented, per item
        if isinstance(item, dict):
            for key, held in item.items():
                total += size(key, depth + 1) + size(held, depth + 1) + 4 + line
                if total > limit:
                    break
        else:
            for held in item:
                total += size(held, depth + 1) + 2 + line
                if total > limit:
                    break
        known[id(item)] = total
        return total

    return size(value, 0)


def _replace(g: Guards, s: Any, bound: Any, old: Any, new: Any, count: int = -1) -> Any:
    found = s.count(old) if old else len(s) + 1
    if count >= 0:
        found = min(found, count)
    g._size(len(s) + found * (len(new) - len(old)), "replace()")
    return bound(old, new, count)


def _join(g: Guards, s: Any, bound: Any, items: Iterable[Any]) -> Any:
    parts = list(items)
    lengths = sum(len(p) for p in parts if isinstance(p, str | bytes))
    g._size(lengths + len(s) * max(len(parts) - 1, 0), "join()")
    return bound(parts)


def _pad(g: Guards, s: Any, bound: Any, width: Any, *rest: Any) -> Any:
    if isinstance(width, int):
        g._size(width, "padding a text")
    return bound(width, *rest)


def _expandtabs(g: Guards, s: Any, bound: Any, tabsize: int = 8) -> Any:
    tab = "\t" if isinstance(s, str) else b"\t"
    g._size(len(s) + s.count(tab) * max(tabsize, 0), "expandtabs()")
    return bound(tabsize)


def _translate(g: Guards, s: Any, bound: Any, table: Any, *rest: Any) -> Any:
    longest = 1
    values: Iterable[Any]
    if isinstance(table, Mapping):
        values = table.values()
    elif isinstance(table, list | tuple):
        values = table
    else:
        values = []
    for value in values:
        if isinstance(value, str | bytes):
            longest = max(longest, len(value))
    g._size(len(s) * longest, "translate()")
    return bound(table, *rest)


def _extend(g: Guards, s: Any, bound: Any, items: Iterable[Any]) -> Any:
    parts = items if isinstance(items, _COLLECTIONS) else list(items)
    g._size(len(s) + len(parts), "extend()")
    return bound(parts)


def _codec(g: Guards, s: Any, bound: Any, *args: Any, **kwargs: Any) -> Any:
    """str.encode and bytes.decode with a codec written in C: the others (punycode, idna) are
    Python the budget does not follow, and took more than 20 s for 20,000 characters."""
    encoding = args[0] if args else kwargs.get("encoding", "utf-8")
    if isinstance(encoding, str) and codecs.lookup(encoding).name not in _C_CODECS:
        raise SandboxViolation(
            f"the codec {encoding!r} is not available in BPMN scripts: use utf-8"
        )
    errors = args[1] if len(args) > 1 else kwargs.get("errors", "strict")
    if errors not in _CODEC_ERRORS:  # 'namereplace' writes 90 characters for one
        raise SandboxViolation(f"the error handler {errors!r} is not available in BPMN scripts")
    return g.made(bound(*args, **kwargs))


_CODEC_ERRORS = frozenset({"strict", "ignore", "replace", "backslashreplace", "xmlcharrefreplace"})
_C_CODECS = frozenset(
    {"utf-8", "utf-8-sig", "ascii", "iso8859-1", "utf-16", "utf-16-le", "utf-16-be", "utf-32"}
    | {"utf-32-le", "utf-32-be", "cp1252", "cp1258", "iso8859-15"}  # Vietnamese Windows: cp1258
)


_Guard = Callable[..., Any]
_STRING_GUARDS: dict[str, _Guard] = {
    "encode": _codec,
    "decode": _codec,
    "replace": _replace,
    "join": _join,
    "ljust": _pad,
    "rjust": _pad,
    "center": _pad,
    "zfill": _pad,
    "expandtabs": _expandtabs,
    "translate": _translate,
}


def _sort(g: Guards, items: Any, bound: Any, *, key: Any = None, reverse: bool = False) -> None:
    # A key function's keys are made one by one where the budget sees them (sandbox_stepped).
    if key is None:
        g.lookups.ordered(items)
        bound(reverse=reverse)
    else:
        items[:] = g.stepped["sorted"](items, key=key, reverse=reverse)


_LIST_GUARDS: dict[str, _Guard] = {"extend": _extend, "sort": _sort}


def _integer_ratio(g: Guards, d: Any, bound: Any) -> Any:
    g.written_out(d, "as_integer_ratio()")
    return bound()


def _to_bytes(g: Guards, n: Any, bound: Any, length: Any = 1, *args: Any, **kwargs: Any) -> Any:
    # (0).to_bytes(n) makes n bytes from nothing, inside C.
    if isinstance(length, int):
        g._size(length, "to_bytes()")
    return bound(length, *args, **kwargs)


def _from_bytes(g: Guards, _kind: Any, bound: Any, data: Any, *args: Any, **kwargs: Any) -> Any:
    if isinstance(data, bytes | bytearray | list | tuple):
        g._bits(8 * len(data), "int.from_bytes()")
    return bound(data, *args, **kwargs)


_INT_GUARDS: dict[str, _Guard] = {"to_bytes": _to_bytes, "from_bytes": _from_bytes}


def check_date_format(pattern: Any, what: str) -> None:
    """A strftime or strptime pattern: short, and without the C library's widths (`%1270Y`
    pads to 1,270 characters; a pattern of them asked for a gigabyte), which Python leaves to
    the C library and Camunda has none of."""
    if not isinstance(pattern, str):
        return
    if len(pattern) > MAX_DATE_FORMAT:
        raise SandboxViolation(f"{what} takes a pattern of at most {MAX_DATE_FORMAT} characters")
    if _DATE_WIDTH.search(pattern.replace("%%", "")):  # `%%20` is a percent sign and 20
        raise SandboxViolation(f"{what} takes no widths such as %10Y in its pattern")


def _strftime(g: Guards, _d: Any, bound: Any, pattern: Any, *args: Any) -> Any:
    check_date_format(pattern, "strftime()")
    return bound(pattern, *args)


def _strptime(g: Guards, _kind: Any, bound: Any, text: Any, pattern: Any, *args: Any) -> Any:
    check_date_format(pattern, "strptime()")
    if isinstance(text, str) and len(text) > MAX_DATE_FORMAT:
        raise SandboxViolation(f"strptime() reads a text of at most {MAX_DATE_FORMAT} characters")
    return bound(text, pattern, *args)


_DATE_GUARDS: dict[str, _Guard] = {"strftime": _strftime, "strptime": _strptime}
MAX_DATE_FORMAT = 1000
_DATE_WIDTH = re.compile(r"%[-_0^#]*\d")


def _iadd(a: Any, b: Any) -> Any:
    a += b
    return a


def _isub(a: Any, b: Any) -> Any:
    a -= b
    return a


def _itruediv(a: Any, b: Any) -> Any:
    a /= b
    return a


def _ifloordiv(a: Any, b: Any) -> Any:
    a //= b
    return a


def _imod(a: Any, b: Any) -> Any:
    a %= b
    return a


def _ior(a: Any, b: Any) -> Any:
    a |= b
    return a


def _iand(a: Any, b: Any) -> Any:
    a &= b
    return a


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": _iadd,
    "-=": _isub,
    "/=": _itruediv,
    "//=": _ifloordiv,
    "%=": _imod,
    "|=": _ior,
    "&=": _iand,
}
INPLACE_OPERATORS = frozenset({*_INPLACE, "*="})


# --------------------------------------------------------------------------------------------
# What a script may leave in the data


def check_storable(values: Mapping[str, Any], limits: Limits) -> None:
    """Refuse a value that cannot be saved and read back as it is, or data over the limit.

    The walk stops as soon as the data is over the limit, so a list that holds the same large
    list a thousand times costs no more than the limit to look at.
    """
    walk = _StoredSize(limits.max_data_bytes)
    for key, value in values.items():
        walk.field = key
        walk.spend(len(key) + 4)
        walk.size(value, 0)


def data_too_large(limit: int, field: str | None = None) -> UnstorableValue:
    return UnstorableValue(
        f"the item's data would be larger than its limit of {shown_size(limit)}",
        reason="data_too_large",
        field=field or "",
        value_type="",
    )


def shown_size(size: int) -> str:
    """2 MB, 512 KB or 1,000 bytes."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}"
    return f"{size:,} bytes"


def _unstorable(field: str, value: Any, why: str) -> UnstorableValue:
    kind = type(value).__name__
    return UnstorableValue(
        f"the field '{field}' holds a value of type {kind} that cannot be saved: {why}",
        reason="unstorable_value",
        field=field,
        value_type=kind,
    )


class _StoredSize:
    """About how many bytes of JSON the values take; refuses what cannot be stored."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.left = limit
        self.field = ""

    def spend(self, size: int) -> None:
        self.left -= size
        if self.left < 0:
            raise data_too_large(self.limit, self.field)

    def size(self, value: Any, depth: int) -> None:
        kind = type(value)
        if kind is str:
            self.spend(len(value) + 3)
        elif value is None or kind is bool:
            self.spend(5)
        elif kind is int:
            if value.bit_length() > MAX_STORED_INT_BITS:
                raise _unstorable(self.field, value, "the number is too large")
            self.spend(2)
        elif kind is float:
            if not math.isfinite(value):
                raise _unstorable(self.field, value, "not a finite number")
            self.spend(4)
        elif kind is list or kind is tuple:
            _deeper(self.field, value, depth)
            self.spend(2)
            for item in value:
                self.size(item, depth + 1)
        elif kind is dict:
            _deeper(self.field, value, depth)
            self.spend(2)
            for key, item in value.items():
                if not isinstance(key, str | int) or (
                    isinstance(key, int) and key.bit_length() > MAX_STORED_INT_BITS
                ):
                    raise _unstorable(self.field, key, "a key of a dict must be a text")
                self.spend(len(str(key)) + 4)
                self.size(item, depth + 1)
        elif kind is datetime or kind is date:
            if not 1 < value.year < 9999:
                raise _unstorable(self.field, value, "the year is out of range")
            self.spend(60)
        elif kind is timedelta:
            if abs(value.days) > MAX_STORED_DAYS:
                raise _unstorable(self.field, value, "a duration of more than a hundred years")
            self.spend(60)
        else:
            raise _unstorable(
                self.field, value, "only texts, numbers, dates, lists and dicts can be saved"
            )


def _deeper(field: str, value: Any, depth: int) -> None:
    if depth >= MAX_DEPTH:
        raise _unstorable(field, value, f"nested more than {MAX_DEPTH} levels deep")
