"""A person's own new password: hashed outside any transaction, stored only for the person whose
current password was checked and only if nothing changed meanwhile; it ends every session."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine.passwords import Credentials

OLD, NEW = "mật khẩu cũ của An", "mật khẩu mới của An"


@pytest.fixture
def people(factory: Any) -> Any:
    with engine.transaction(factory) as s:
        engine.add_user(s, "an", password=OLD)
    return factory


def _found(factory: Any, username: str = "an") -> Credentials | None:
    with engine.transaction(factory, write=False) as s:
        return engine.credentials(s, username)


def test_password_change__stores_the_new_password_and_moves_the_generation(people: Any) -> None:
    found = _found(people)
    assert found is not None and engine.verify_password(found, OLD)
    new_hash = engine.new_password_hash(NEW)
    with engine.transaction(people) as s:
        generation = engine.change_password(s, found, new_hash)
    assert generation == found.session_generation + 1
    after = _found(people)
    assert after is not None and after.session_generation == generation
    assert engine.verify_password(after, NEW) and not engine.verify_password(after, OLD)


@pytest.mark.parametrize("who", ["nobody", "an-locked"])
def test_password_change__refuses_a_person_who_does_not_exist_or_is_locked(
    people: Any, who: str
) -> None:
    with engine.transaction(people) as s:
        engine.add_user(s, "an-locked", password=OLD)
        engine.set_active(s, "an-locked", False)
    stranger = Credentials(who, None, 1)
    with pytest.raises(engine.NotFound), engine.transaction(people) as s:
        engine.change_password(s, stranger, engine.new_password_hash(NEW))


def test_password_change__refuses_when_the_password_changed_meanwhile(people: Any) -> None:
    found = _found(people)
    assert found is not None
    with engine.transaction(people) as s:
        engine.add_user(s, "an", password="đổi bởi quản trị viên")
    with pytest.raises(engine.Conflict) as refused, engine.transaction(people) as s:
        engine.change_password(s, found, engine.new_password_hash(NEW))
    assert refused.value.details["reason"] == "password_changed_meanwhile"
    after = _found(people)
    assert after is not None and engine.verify_password(after, "đổi bởi quản trị viên")


def test_password_change__a_short_password_is_refused_before_hashing() -> None:
    with pytest.raises(engine.InvalidInput) as refused:
        engine.new_password_hash("x" * (engine.MIN_PASSWORD_LENGTH - 1))
    assert refused.value.details == {
        "reason": "password_too_short",
        "minimum": engine.MIN_PASSWORD_LENGTH,
    }


def test_password_change__a_name_in_other_case_is_the_person_and_no_second_account(
    people: Any,
) -> None:
    """ "AN" finds an's credentials (a login typed on a phone); a new person "An" is refused,
    naming the account that exists, and nothing is added."""
    found = _found(people, "AN")
    assert found is not None and found.username == "an"
    with pytest.raises(engine.InvalidInput) as refused, engine.transaction(people) as s:
        engine.add_user(s, "An", password=NEW)
    assert refused.value.details == {"reason": "username_taken", "username": "an"}
    with engine.transaction(people, write=False) as s:
        assert [u.username for u in engine.list_users(s)] == ["an"]
