"""Personal access tokens in the engine, on SQLite and PostgreSQL: made with a name, a scope and
an expiry, stored as a SHA-256 only, found by id and checked in constant time; every refusal
with its reason."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

import engine
from engine import ManualClock, transaction
from engine.api_tokens import MAX_ACTIVE, ApiTokenModel
from tests.conftest import add_people


def test_api_tokens__lifecycle(factory: Any, clock: ManualClock) -> None:
    add_people(factory)
    with transaction(factory) as s:
        made = engine.create_api_token(s, "an", "E-office", clock(), scope="write", expires_days=2)
    prefix, number, secret = made.secret.split("_", 2)
    assert (prefix, int(number)) == ("phd", made.token.id)
    with transaction(factory) as s:
        row = s.scalars(select(ApiTokenModel)).one()
        assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
        found = engine.authenticate_api_token(s, made.secret, clock())
    assert found.identity.username == "an" and found.token.scope == "write"
    assert engine.needs_touch(found.token, clock())
    with transaction(factory) as s:
        engine.touch_api_token(s, made.token.id, clock())
        (listed,) = engine.list_api_tokens(s, "an")
    assert listed.last_used_at == clock() and not engine.needs_touch(listed, clock())
    # An id past the database's integers is no token (PostgreSQL would refuse the query).
    with transaction(factory) as s, pytest.raises(engine.NotFound):
        engine.authenticate_api_token(s, "phd_2147483648_x", clock())
    clock.advance(timedelta(days=2))
    with transaction(factory) as s, pytest.raises(engine.Forbidden) as expired:
        engine.authenticate_api_token(s, made.secret, clock())
    assert expired.value.details["reason"] == "token_expired"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("phd_1_wrong", "token_unknown"),
        ("phd_x_y", "token_unknown"),
        ("phd_1_", "token_unknown"),
        ("", "token_unknown"),
        ("phd_99999999999999_x", "token_unknown"),
        ("phd_2147483648_x", "token_unknown"),
        ("phd_٣_x", "token_unknown"),
    ],
)
def test_api_tokens__unknown_texts(
    sqlite_factory: Any, clock: ManualClock, text: str, reason: str
) -> None:
    add_people(sqlite_factory)
    with transaction(sqlite_factory) as s:
        engine.create_api_token(s, "an", "x", clock())
    with transaction(sqlite_factory) as s, pytest.raises(engine.NotFound) as refused:
        engine.authenticate_api_token(s, text, clock())
    assert refused.value.details["reason"] == reason


def test_api_tokens__revoked_and_locked(sqlite_factory: Any, clock: ManualClock) -> None:
    add_people(sqlite_factory)
    with transaction(sqlite_factory) as s:
        one = engine.create_api_token(s, "an", "x", clock())
        two = engine.create_api_token(s, "chi", "y", clock())
    with transaction(sqlite_factory) as s:
        with pytest.raises(engine.NotFound):
            engine.revoke_api_token(s, "chi", one.token.id, clock())  # not hers
        engine.revoke_api_token(s, "an", one.token.id, clock())
        again = engine.revoke_api_token(s, "an", one.token.id, clock() + timedelta(days=1))
        assert again.revoked_at == clock()  # the first revocation stands
        engine.set_active(s, "chi", False)
    for made, reason in ((one, "token_revoked"), (two, "user_inactive")):
        with transaction(sqlite_factory) as s, pytest.raises(engine.Forbidden) as refused:
            engine.authenticate_api_token(s, made.secret, clock())
        assert refused.value.details["reason"] == reason


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"name": " "}, "token_name_required"),
        ({"name": "x" * 101}, "invalid_name"),
        ({"name": "a\x00b"}, "invalid_name"),
        ({"scope": "admin"}, "token_scope"),
        ({"expires_days": 0}, "token_expiry"),
        ({"expires_days": 100_000}, "token_expiry"),
    ],
)
def test_api_tokens__refused(
    sqlite_factory: Any, clock: ManualClock, kwargs: dict[str, Any], reason: str
) -> None:
    add_people(sqlite_factory)
    given = {"name": "ok", **kwargs}
    name = given.pop("name")
    with transaction(sqlite_factory) as s, pytest.raises(engine.InvalidInput) as refused:
        engine.create_api_token(s, "an", name, clock(), **given)
    assert refused.value.details["reason"] == reason


def test_api_tokens__a_person_holds_a_bounded_number(
    sqlite_factory: Any, clock: ManualClock
) -> None:
    add_people(sqlite_factory)
    with transaction(sqlite_factory) as s:
        first = engine.create_api_token(s, "an", "0", clock())
        for n in range(1, MAX_ACTIVE):
            engine.create_api_token(s, "an", str(n), clock())
        with pytest.raises(engine.InvalidInput) as refused:
            engine.create_api_token(s, "an", "one more", clock())
        assert refused.value.details["reason"] == "too_many_tokens"
        engine.revoke_api_token(s, "an", first.token.id, clock())
        engine.create_api_token(s, "an", "one more", clock())
    with transaction(sqlite_factory) as s, pytest.raises(engine.NotFound):
        engine.create_api_token(s, "nobody", "x", clock())
