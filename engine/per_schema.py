"""What is read off a form's schema once, kept with the schema object it was read from.

A version's forms are parsed once per process and shared by every request (never changed in
place: a form whose choices are read from the database is resolved into a new dict, see
form_options), so a pure function of a schema gives the same answer for the same object at
every page and every submission (the dossier's fields, the JSON Schema validator with the
names a form declares). Kept by the object's identity (schemas are dicts, which cannot be
hashed or weakly referenced); the object is held with its result, so its id is not reused
while kept. A form resolved afresh for one request is a new object: kept too, until the store
is full and starts again."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

R = TypeVar("R")

MAX_KEPT = 128  # schemas kept by each function (a version has a few dozen forms)


def per_schema(read: Callable[[Any], R]) -> Callable[[Any], R]:
    """`read(schema)`, computed once per schema object. The result is shared: it must not be
    changed by whoever receives it (return tuples and frozen dataclasses)."""
    kept: dict[int, tuple[Any, R]] = {}
    lock = threading.Lock()

    @wraps(read)
    def cached(schema: Any) -> R:
        found = kept.get(id(schema))
        if found is not None and found[0] is schema:
            return found[1]
        result = read(schema)
        with lock:
            if len(kept) >= MAX_KEPT:
                kept.clear()
            kept[id(schema)] = (schema, result)
        return result

    return cached
