"""A pure function of a form's schema runs once per schema object: the same object again gets
the same answer without running, an equal copy (a form resolved afresh) runs it again, and the
store starts again once full."""

from __future__ import annotations

from typing import Any

from engine.per_schema import MAX_KEPT, per_schema


def test_per_schema__the_same_schema_object_is_read_once() -> None:
    reads: list[int] = []

    @per_schema
    def names(schema: dict[str, Any]) -> tuple[str, ...]:
        reads.append(id(schema))
        return tuple(schema["properties"])

    form = {"properties": {"a": {}, "b": {}}}
    assert names(form) == ("a", "b")
    assert names(form) is names(form)
    assert len(reads) == 1
    copy = {"properties": {"a": {}, "b": {}}}  # equal, another object: read for itself
    assert names(copy) == ("a", "b")
    assert len(reads) == 2


def test_per_schema__a_full_store_starts_again() -> None:
    reads: list[int] = []

    @per_schema
    def size(schema: dict[str, Any]) -> int:
        reads.append(1)
        return len(schema)

    first = {"x": 1}
    forms = [first, *({"n": n} for n in range(MAX_KEPT))]
    for form in forms:
        size(form)
    assert len(reads) == MAX_KEPT + 1
    size(first)  # dropped when the store was full
    assert len(reads) == MAX_KEPT + 2
    size(forms[-1])  # kept since
    assert len(reads) == MAX_KEPT + 2
