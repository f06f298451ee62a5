"""Failed-login limits live in the database and are taken before the password is checked: a
crowd of parallel attempts, or several workers, cannot check more passwords than the limit."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

import engine
from engine.login_limits import LoginPolicy, attempt_succeeded, take_attempt
from engine.passwords import credentials, verify_password
from tests.conftest import START, add_people

POLICY = LoginPolicy(account_attempts=5, address_attempts=1000)
RIGHT = "mật khẩu đúng của An"


@pytest.fixture
def people(factory: Any) -> Any:
    add_people(factory)
    with engine.transaction(factory) as s:
        engine.add_user(s, "an", password=RIGHT)
    return factory


def _attempt(factory: Any, username: str, password: str, address: str, policy: LoginPolicy) -> str:
    """One login as the web does it: take the attempt, read, hash outside any transaction."""
    with engine.transaction(factory) as s:
        locked_until = take_attempt(s, username, address, START, policy)
    if locked_until is not None:
        return "locked"
    with engine.transaction(factory, write=False) as s:
        found = credentials(s, username)
    if not verify_password(found, password):
        return "checked"
    with engine.transaction(factory) as s:
        attempt_succeeded(s, username, address, START, policy)
    return "ok"


def _crowd(n: int, attempt: Callable[[int], str]) -> list[str]:
    results: list[str] = []
    lock = threading.Lock()
    gate = threading.Barrier(n)

    def run(i: int) -> None:
        gate.wait()
        outcome = attempt(i)
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(results) == n
    return results


def test_limits__30_parallel_wrong_passwords_check_at_most_5(people: Any) -> None:
    results = _crowd(30, lambda i: _attempt(people, "an", f"sai {i}", f"10.0.0.{i}", POLICY))
    assert results.count("checked") == 5
    assert results.count("locked") == 25
    # Locked: even the right password is not checked now, from any address.
    assert _attempt(people, "an", RIGHT, "10.9.9.9", POLICY) == "locked"


def test_limits__two_app_instances_share_the_count(people: Any, db_url: str) -> None:
    other = engine.session_factory(engine.create_db_engine(db_url))
    try:
        factories = (people, other)
        results = _crowd(
            12, lambda i: _attempt(factories[i % 2], "an", "sai", f"10.0.1.{i}", POLICY)
        )
    finally:
        other.kw["bind"].dispose()
    assert results.count("checked") == 5 and results.count("locked") == 7


def test_limits__per_address_across_names(people: Any) -> None:
    policy = LoginPolicy(account_attempts=5, address_attempts=8)
    results = _crowd(20, lambda i: _attempt(people, f"khong_co_{i}", "sai", "203.0.113.7", policy))
    assert results.count("checked") == 8 and results.count("locked") == 12
    # Another address is not affected, and neither is the account from there.
    assert _attempt(people, "an", RIGHT, "203.0.113.8", policy) == "ok"


def test_limits__the_account_is_counted_from_every_address(people: Any) -> None:
    for i in range(5):
        assert _attempt(people, "AN", "sai", f"198.51.100.{i}", POLICY) == "checked"
    assert _attempt(people, "an", RIGHT, "198.51.100.99", POLICY) == "locked"


def test_limits__a_right_password_resets_the_account(people: Any) -> None:
    for _ in range(4):
        assert _attempt(people, "an", "sai", "10.1.1.1", POLICY) == "checked"
    assert _attempt(people, "an", RIGHT, "10.1.1.1", POLICY) == "ok"
    for _ in range(5):
        assert _attempt(people, "an", "sai", "10.1.1.1", POLICY) == "checked"
    assert _attempt(people, "an", RIGHT, "10.1.1.1", POLICY) == "locked"


def test_limits__the_lock_ends_and_says_when(people: Any) -> None:
    policy = LoginPolicy(
        account_attempts=2, window=timedelta(minutes=10), lock=timedelta(minutes=15)
    )
    for _ in range(2):
        with engine.transaction(people) as s:
            assert take_attempt(s, "an", "10.2.2.2", START, policy) is None
    later = START + timedelta(minutes=1)
    with engine.transaction(people) as s:
        assert take_attempt(s, "an", "10.2.2.2", later, policy) == later + timedelta(minutes=15)
    with engine.transaction(people) as s:  # still locked, the end does not move
        until = take_attempt(s, "an", "10.2.2.2", later + timedelta(minutes=5), policy)
        assert until == later + timedelta(minutes=15)
    with engine.transaction(people) as s:
        assert take_attempt(s, "an", "10.2.2.2", later + timedelta(minutes=16), policy) is None


@pytest.mark.parametrize("name", ["an\x00", "a" * 5000, "an\r\nX-Evil: 1", "‮nа"])
def test_limits__names_no_account_can_have_are_only_counted(people: Any, name: str) -> None:
    assert _attempt(people, name, RIGHT, "10.3.3.3", POLICY) == "checked"


def test_limits__old_counts_are_forgotten(people: Any) -> None:
    from engine.login_limits import LoginAttemptModel

    for i in range(10):
        with engine.transaction(people) as s:
            take_attempt(s, f"ten_{i}", "10.4.4.4", START, POLICY)
    later = START + POLICY.window + timedelta(minutes=1)
    with engine.transaction(people) as s:
        assert take_attempt(s, "an", "10.5.5.5", later, POLICY) is None
    with engine.transaction(people, write=False) as s:
        keys = set(s.scalars(select(LoginAttemptModel.key)))
    assert keys == {"account:an", "address:10.5.5.5"}


def test_limits__a_known_device_is_counted_alone(people: Any) -> None:
    policy = LoginPolicy(account_attempts=2, address_attempts=2)
    device = "0123456789abcdef0123456789abcdef"
    for _ in range(2):
        with engine.transaction(people) as s:
            assert take_attempt(s, "an", "10.6.6.6", START, policy) is None
    with engine.transaction(people) as s:  # the account and the address are locked ...
        assert take_attempt(s, "an", "10.6.6.6", START, policy) is not None
        # ... but not the browser the person logged in from before, which counts on its own
        assert take_attempt(s, "an", "10.6.6.6", START, policy, device=device) is None
        attempt_succeeded(s, "an", "10.6.6.6", START, policy, device=device)
    for _ in range(2):
        with engine.transaction(people) as s:
            assert take_attempt(s, "an", "10.6.6.6", START, policy, device=device) is None
    with engine.transaction(people) as s:
        assert take_attempt(s, "an", "10.6.6.6", START, policy, device=device) is not None
