"""Personal access tokens: how a program acts for a person through the JSON API.

A token is ``phd_<id>_<secret>``: the id finds its row, the secret (32 random bytes, 256 bits)
is compared in constant time with the SHA-256 stored for it. The secret is shown once, when it
is made, and never stored. SHA-256 and not Argon2 as for passwords: a password is guessable and
needs a slow hash to make each guess expensive; a 256-bit random secret cannot be guessed, so a
fast hash protects it as well and every API request stays cheap.

A token carries its person's rights, no more: ``read`` tokens only read, ``write`` tokens act
too. It ends when it expires, when its person revokes it, or when its person is locked."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime
from .errors import Forbidden, InvalidInput, NotFound
from .names import check_name
from .users import Identity, get_identity, user_exists

PREFIX = "phd"
NAME_LENGTH = 100
MAX_ACTIVE = 50  # tokens a person may hold at once (revoked and expired ones do not count)
MAX_DAYS = 3650
MAX_ID = 2**31 - 1
# last_used_at moves on only after this much time: a busy script does not write on every call.
TOUCH_AFTER = timedelta(minutes=1)


class TokenScope(StrEnum):
    READ = "read"
    WRITE = "write"


class ApiTokenModel(Base):
    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(
        String(100), ForeignKey("users.username", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_LENGTH))
    scope: Mapped[str] = mapped_column(String(10))
    secret_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class ApiTokenView:
    id: int
    username: str
    name: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    def state(self, now: datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "active"


@dataclass(frozen=True)
class NewApiToken:
    """A token just made: `secret` is the whole text to send, shown this once."""

    token: ApiTokenView
    secret: str


@dataclass(frozen=True)
class ApiCaller:
    """Who a token speaks for, and the token itself (its scope, when it was last used)."""

    identity: Identity
    token: ApiTokenView


def _view(row: ApiTokenModel) -> ApiTokenView:
    return ApiTokenView(
        row.id,
        row.username,
        row.name,
        row.scope,
        row.created_at,
        row.expires_at,
        row.last_used_at,
        row.revoked_at,
    )


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_api_token(
    session: Session,
    username: str,
    name: str,
    now: datetime,
    *,
    scope: str = TokenScope.READ,
    expires_days: int | None = None,
) -> NewApiToken:
    """A new token of this person; InvalidInput (reasons ``token_name_required``,
    ``invalid_name``, ``token_scope``, ``token_expiry``, ``too_many_tokens``) or NotFound."""
    if not user_exists(session, username):
        raise NotFound(f"user '{username}' does not exist")
    name = check_name((name or "").strip(), "token_name", NAME_LENGTH)
    if not name:
        raise InvalidInput("a token needs a name", reason="token_name_required")
    if scope not in {s.value for s in TokenScope}:
        raise InvalidInput(
            f"a token's scope is 'read' or 'write', not '{scope}'", reason="token_scope"
        )
    if expires_days is not None and not 1 <= expires_days <= MAX_DAYS:
        raise InvalidInput(
            f"a token expires after 1 to {MAX_DAYS} days",
            reason="token_expiry",
            minimum=1,
            limit=MAX_DAYS,
        )
    active = session.scalar(
        select(func.count())
        .select_from(ApiTokenModel)
        .where(
            ApiTokenModel.username == username,
            ApiTokenModel.revoked_at.is_(None),
            (ApiTokenModel.expires_at.is_(None)) | (ApiTokenModel.expires_at > now),
        )
    )
    if (active or 0) >= MAX_ACTIVE:
        raise InvalidInput(
            f"a person holds at most {MAX_ACTIVE} tokens: revoke one first",
            reason="too_many_tokens",
            limit=MAX_ACTIVE,
        )
    secret = secrets.token_urlsafe(32)
    row = ApiTokenModel(
        username=username,
        name=name,
        scope=str(scope),
        secret_hash=_digest(secret),
        created_at=now,
        expires_at=now + timedelta(days=expires_days) if expires_days else None,
    )
    session.add(row)
    session.flush()
    return NewApiToken(_view(row), f"{PREFIX}_{row.id}_{secret}")


def list_api_tokens(session: Session, username: str) -> list[ApiTokenView]:
    """This person's tokens, newest first (revoked and expired ones too)."""
    rows = session.scalars(
        select(ApiTokenModel)
        .where(ApiTokenModel.username == username)
        .order_by(ApiTokenModel.id.desc())
    )
    return [_view(row) for row in rows]


def revoke_api_token(session: Session, username: str, token_id: int, now: datetime) -> ApiTokenView:
    """End one of this person's tokens (again: nothing changes). NotFound, reason
    ``token_unknown``, for a token that is not theirs."""
    row = session.get(ApiTokenModel, token_id)
    if row is None or row.username != username:
        raise NotFound(f"{username} has no token {token_id}", reason="token_unknown")
    if row.revoked_at is None:
        row.revoked_at = now
    return _view(row)


def _parse(text: str) -> tuple[int, str] | None:
    parts = text.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or not parts[1].isascii():
        return None
    if not parts[1].isdigit() or len(parts[1]) > 10 or not parts[2]:
        return None
    number = int(parts[1])
    # A database integer: PostgreSQL refuses a larger one in the query instead of finding none.
    return (number, parts[2]) if number <= MAX_ID else None


def authenticate_api_token(session: Session, text: str, now: datetime) -> ApiCaller:
    """Who the token speaks for. NotFound (reason ``token_unknown``) for a malformed or
    unknown token or a wrong secret; Forbidden for one that expired (``token_expired``), was
    revoked (``token_revoked``) or whose person is locked or gone (``user_inactive``). Only
    reads: `touch_api_token` records the use."""
    parsed = _parse(text)
    row = session.get(ApiTokenModel, parsed[0]) if parsed else None
    # Hash even when there is no row: the answer takes the same time either way.
    given = _digest(parsed[1] if parsed else text)
    if row is None or not hmac.compare_digest(given, row.secret_hash):
        raise NotFound("no such token", reason="token_unknown")
    view = _view(row)
    state = view.state(now)
    if state == "revoked":
        raise Forbidden(f"token {row.id} was revoked", reason="token_revoked")
    if state == "expired":
        raise Forbidden(f"token {row.id} has expired", reason="token_expired")
    try:
        identity = get_identity(session, row.username)
    except NotFound as error:
        raise Forbidden(f"{row.username} may not log in", reason="user_inactive") from error
    return ApiCaller(identity, view)


def needs_touch(token: ApiTokenView, now: datetime) -> bool:
    """Whether this use should be recorded (the last one is older than `TOUCH_AFTER`)."""
    return token.last_used_at is None or now - token.last_used_at >= TOUCH_AFTER


def touch_api_token(session: Session, token_id: int, now: datetime) -> None:
    """Record that the token was used now (one short write; skipped by `needs_touch`)."""
    session.execute(
        update(ApiTokenModel).where(ApiTokenModel.id == token_id).values(last_used_at=now)
    )
