"""Comparisons, look-ups and sorts in a script (engine.sandbox_lookups): a value that holds one
list or tuple many times is refused before a single C-level step walks it item by item, and
every ordinary comparison, dict, set and sort gives what Python gives."""

from __future__ import annotations

from typing import Any

import pytest

from engine.sandbox import Limits, Sandbox, SandboxViolation

# Twenty-four levels of `[a, a]`: 16 million items walked by one comparison of two copies, a
# few seconds inside C; the limit below is a tenth of a thousandth of that.
SHARED = (
    "a = [0]\nb = [0]\nt = (0,)\nu = (1,)\n"
    "for i in range(24):\n    a = [a, a]\n    b = [b, b]\n    t = (t, t)\n    u = (u, u)\n"
)
LIMIT = 1_000


def _sandbox() -> Sandbox:
    return Sandbox(cpu_seconds=5, limits=Limits(max_size=LIMIT))


@pytest.mark.parametrize(
    ("operation", "words"),
    [
        ("x = a == b", "a comparison"),
        ("x = a != b", "a comparison"),
        ("x = a < b", "a comparison"),
        ("x = 0 < len(a) < 3 and a <= b", "a comparison"),
        ("x = [] < a <= b", "a comparison"),
        ("x = a in [b, b]", "'in'"),
        ("x = a not in (b,)", "'in'"),
        ("x = [a, b].index(b)", "index()"),
        ("x = [a].count(b)", "count()"),
        ("x = [a]\nx.remove(b)", "remove()"),
        ("x = (a, 1).index(b)", "index()"),
        ("x = hash(t)", "hashing"),
        ("x = {t: 1}", "hashing"),
        ("x = {t}", "hashing"),
        ("x = {*[t]}", "hashing"),
        ("x = {k: 1 for k in [t]}", "hashing"),
        ("x = {k for k in [t]}", "hashing"),
        ("x = {}\nx[t] = 1", "hashing"),
        ("x = {}.get(t)", "hashing"),
        ("x = t in {1: 2}", "hashing"),
        ("x = t in {1, 2}", "hashing"),
        ("x = set([t])", "hashing"),
        ("x = frozenset(k for k in [t])", "hashing"),
        ("x = dict([(t, 1)])", "hashing"),
        ("x = dict.fromkeys([t])", "hashing"),
        ("x = {}\nx.update([(t, 1)])", "hashing"),
        ("x = set()\nx.add(t)", "hashing"),
        ("x = {1}.union([t])", "hashing"),
        ("x = sorted([a, b])", "ordering"),
        ("x = [a, b]\nx.sort()", "ordering"),
        ("x = min(a, b)", "ordering"),
        ("x = max([a, b])", "ordering"),
        ("x = max([a, b], key=list)", "a comparison"),
        ("x = sorted([t, u], key=lambda v: v)", "ordering"),
    ],
)
def test_lookups__a_value_holding_one_list_many_times_is_refused_before_it_is_walked(
    operation: str, words: str
) -> None:
    data: dict[str, Any] = {"kept": 1}
    with pytest.raises(SandboxViolation) as refused:
        _sandbox().execute(SHARED + operation, data)
    assert words in str(refused.value)
    assert f"more than {LIMIT:,} items" in str(refused.value)
    assert data == {"kept": 1}


def test_lookups__one_deeply_shared_value_against_a_plain_one_is_one_step() -> None:
    """A number or text against anything, a small list against a large one: nothing to walk."""
    data: dict[str, Any] = {}
    script = SHARED + (
        "r = [a == 1, 'x' in a, a == [], [0] == a, 1 in a, a is a, a is not b]\ndel a, b, t, u, i"
    )
    _sandbox().execute(script, data)
    assert data == {"r": [False, False, False, False, False, True, True]}


ORDINARY = """
def run():
    p = [[2, 'b'], [1, 'a'], [2, 'a']]
    q = [(1, 2), (3, 4)]
    d = {(1, 2): 'x', 'k': [1]}
    d[3, 4] = 'y'
    del d[3, 4]
    d[(5, 6)] = d.get((1, 2)) + d[1, 2]
    e = dict([('a', 1)], b=2)
    e.update([('c', 3)], d=4)
    e.update({'f': 5})
    f = dict.fromkeys('ab', 0)
    g = {}.fromkeys([(1, 2)])
    s = set('abc') | {'d'}
    s.update([(1, 2)], 'xy')
    s.add((3, 4))
    s.discard((9, 9))
    fs = frozenset([(1, 2), (1, 2)])
    sp = {3}
    popped = [sp.pop(), set.pop({4})]
    e.update(name='v', items=1, target=2, bound=3, key=4)
    named = dict(cls='A', self=1)
    checks = [
        isinstance({}, dict), isinstance(set(), set), isinstance(fs, frozenset),
        issubclass(dict, dict), dict() == {}, set() == frozenset(), frozenset() == set(),
        p == [[2, 'b'], [1, 'a'], [2, 'a']], p != q, q < [(1, 3)], 1 < 2 <= 2 < 3,
        (1, 2) in q, [1, 'a'] in p, (1, 2) in d, 'k' in d, (1, 2) in fs, 'z' not in s,
        {'a': [1]} == {'a': [1]}, d.items() == d.items(), (1, 2) in d.keys(),
        s.issuperset([(1, 2)]), fs.isdisjoint({(7, 8)}), {1, 2}.intersection([2, 3]) == {2},
        hash((1, 2)) == hash((1, 2)), q.index((3, 4)), p.count([1, 'a']), (1, 2, 1).count(1),
    ]
    p.remove([2, 'a'])
    r = sorted([[2, 'b'], [1, 'a'], [2, 'a']])
    o = sorted(q, reverse=True)
    m = [min(p), max(q), min(3, 1, 2), max('ab'), min([(2, 1), (1, 9)]), max([[1], [1, 0]])]
    n = [3, 1, 2]
    n.sort()
    c = {k: len(k) for k in ['a', 'bb']}
    z = sorted({x % 3 for x in range(10)})
    y = {*'ab', *('c',)}
    w = list(e.keys())[1:3] + sorted(s, key=str)[:2]
    kept = [p, q, d, e, f, g, sorted(s, key=str), fs, checks, r, o, m, n, c, z, sorted(y), w,
            popped, named, sp]
    return [repr(v) for v in kept]
out = run()
del run
"""


def test_lookups__ordinary_comparisons_dicts_sets_and_sorts_are_pythons() -> None:
    """The same script in the sandbox and as plain Python leaves the same data."""
    data: dict[str, Any] = {}
    Sandbox(cpu_seconds=5).execute(ORDINARY, data)
    expected: dict[str, Any] = {}
    exec(ORDINARY, {}, expected)  # our own text, not a script from a diagram
    assert data == {"out": expected["out"]}
    assert "False" not in data["out"][8]  # every check held


def test_lookups__a_large_flat_list_compares_within_the_limit() -> None:
    """Two lists of 300,000 numbers: counted by their length, compared as Python does."""
    data: dict[str, Any] = {}
    Sandbox(cpu_seconds=5).execute(
        "a = list(range(100000)) * 3\nb = list(range(100000)) * 3\n"
        "same = a == b\nfound = b in [a]\n"
        "del a, b",
        data,
    )
    assert data == {"same": True, "found": True}


@pytest.mark.parametrize(
    ("script", "words"),
    [
        ("x = set(1, 2)", "set expected at most 1 argument"),
        ("x = set().pop()", "pop from an empty set"),
        ("x = {}.pop('k')", "'k'"),
    ],
)
def test_lookups__pythons_own_refusals_stay_its_own(script: str, words: str) -> None:
    with pytest.raises((TypeError, KeyError)) as refused:
        Sandbox(cpu_seconds=5).execute(script, {})
    assert words in str(refused.value)


def test_lookups__a_shared_value_is_counted_by_its_distinct_lists(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Forty levels of `[x, x]`: the count passes a million at the twentieth, each level's one
    list looked at once once its copies are many (before, every copy was: half a million at the
    last, about 0.2 s of CPU for one refused comparison, as much as a script's whole budget in
    the tests); and values with some sharing, or long texts in many lists, count what a walk of
    every copy counts."""
    import gc

    from engine import sandbox_lookups

    looked: list[int] = []
    real = gc.get_referents

    def counted(*objects: Any) -> list[Any]:
        looked.append(len(objects))
        return real(*objects)

    x: list[Any] = [0]
    for _ in range(40):
        x = [x, x]
    monkeypatch.setattr(sandbox_lookups.gc, "get_referents", counted)
    assert sandbox_lookups.held_items(x, 1_000_000) > 1_000_000
    assert sum(looked) < 20_000  # against 1,048,575
    monkeypatch.undo()
    part = [1, "x" * 500, [2, (3, 4)], {"k": [5]}]
    mixed = [part, part, [part, [part]], {"z": part}, (part,)]
    assert sandbox_lookups.held_items(mixed, 10**9) == _every_copy(mixed)
    texts = [["a" * 99] for _ in range(20_000)]
    assert sandbox_lookups.held_items([texts, texts], 10**9) == _every_copy([texts, texts])


def _every_copy(value: Any) -> int:
    """The count of `held_items`, walking every copy of what is held many times."""
    import gc

    from engine import sandbox_lookups as lookups

    total, level = 1, [value]
    while level:
        held = gc.get_referents(*level)
        texts = sum(len(h) for h in held if type(h) is str) // lookups.TEXT_WEIGHT
        numbers = sum(h.bit_length() for h in held if type(h) is int) // lookups.INT_WEIGHT
        total += len(held) + texts + numbers
        level = [h for h in held if type(h) in (list, tuple, dict)]
    return total
