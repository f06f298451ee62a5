"""Checking and changing a password without holding the database: read the stored hash in one
short read, hash outside any transaction (Argon2 takes tens of milliseconds and 64 MB on purpose),
store an upgraded or a new hash in one short write."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.orm import Session

from .errors import Conflict, NotFound
from .users import UserModel, account_named, check_new_password, end_user_sessions

# The parameters of users.py's hasher (argon2-cffi's defaults): the hashes are interchangeable.
_hasher = PasswordHasher()
MAX_USERNAME = 100  # users.username is String(100)


@dataclass(frozen=True)
class Credentials:
    """What a login needs of a person: the stored hash and the session generation to carry."""

    username: str
    password_hash: str | None
    session_generation: int


def is_plausible_username(username: str) -> bool:
    """False for a name no account can have (too long, control characters such as NUL, which
    PostgreSQL cannot even compare): such a login is wrong without asking the database."""
    return 0 < len(username) <= MAX_USERNAME and not any(
        unicodedata.category(c).startswith("C") for c in username
    )


def credentials(session: Session, username: str) -> Credentials | None:
    """An active person's credentials, else None. Only reads: run it with `write=False`."""
    if not is_plausible_username(username):
        return None
    user = session.get(UserModel, username)
    if user is None and (named := account_named(session, username)) is not None:
        user = session.get(UserModel, named)  # "GiamDoc" typed for "giamdoc"
    if user is None or not user.active:
        return None
    return Credentials(user.username, user.password_hash, user.session_generation)


def verify_password(found: Credentials | None, password: str) -> bool:
    """Whether the password is right. Hashes, so call it outside any transaction; takes the
    same time when there is no such person, so the answer does not tell names apart."""
    if found is None or not found.password_hash:
        _hasher.hash(password)
        return False
    try:
        return bool(_hasher.verify(found.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def upgraded_hash(found: Credentials, password: str) -> str | None:
    """A new hash when the stored one uses weaker parameters than today's (hashes: call it
    outside any transaction), else None."""
    if found.password_hash and _hasher.check_needs_rehash(found.password_hash):
        return _hasher.hash(password)
    return None


def store_upgraded_hash(session: Session, found: Credentials, new_hash: str) -> None:
    """Store the upgraded hash unless the password changed meanwhile."""
    user = session.get(UserModel, found.username)
    if user is not None and user.password_hash == found.password_hash:
        user.password_hash = new_hash


def new_password_hash(password: str) -> str:
    """The hash of a new password, once it keeps the rule (InvalidInput otherwise). Hashes:
    call it outside any transaction."""
    check_new_password(password)
    return _hasher.hash(password)


def change_password(session: Session, found: Credentials, new_hash: str) -> int:
    """A person's own new password (`new_hash` from new_password_hash), after their current one
    was checked against `found`: every session the old one opened ends. Returns the new session
    generation, for the login that made the change to carry on. NotFound when there is no such
    active person; Conflict when their password or sessions changed since `found` was read."""
    user = session.get(UserModel, found.username)
    if user is None or not user.active:
        raise NotFound(f"user '{found.username}' does not exist")
    if (user.password_hash, user.session_generation) != (
        found.password_hash,
        found.session_generation,
    ):
        raise Conflict(
            f"the password or sessions of '{found.username}' changed meanwhile: try again",
            reason="password_changed_meanwhile",
        )
    user.password_hash = new_hash
    end_user_sessions(user)
    return user.session_generation
