"""Failed-login limits per account and per address, kept in the database so that every worker
and every host counts together, and taken before the password is checked so that parallel
attempts cannot all slip under the limit.

Each attempt is counted as a failure when it starts (`take_attempt`); a right password gives
the count back (`attempt_succeeded`). The counting is one short write transaction: on SQLite
`BEGIN IMMEDIATE` serializes it, on PostgreSQL the rows are locked `FOR UPDATE`.

A browser where the person has logged in before (a "device", known to the web layer by a
signed cookie naming the account and a random id) is counted on its own, as the account's limit
allows, and neither the account's nor the address's count applies to it: someone guessing a
colleague's password, or a crowd of failures behind the office's one address, cannot lock a
person out of the browser they use every day (OWASP's device cookies)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, Session, mapped_column

from .db import Base, UTCDateTime
from .passwords import is_plausible_username

MAX_KEY = 200
FORGET_AT_ONCE = 50


class LoginAttemptModel(Base):
    __tablename__ = "login_attempts"

    key: Mapped[str] = mapped_column(String(MAX_KEY), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_started: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures an account and an address may have within `window` before they are
    locked for `lock`. An address counts every name tried from it: an office behind one NAT
    shares it, so it is set higher than an account's."""

    account_attempts: int = 5
    address_attempts: int = 20
    window: timedelta = timedelta(minutes=15)
    lock: timedelta = timedelta(minutes=15)


def _key(kind: str, value: str, readable: bool) -> str:
    if readable and len(value) <= MAX_KEY - 20:
        return f"{kind}:{value}"
    return f"{kind}#{hashlib.sha256(value.encode('utf-8', 'surrogatepass')).hexdigest()}"


def login_keys(username: str, address: str) -> tuple[str, str]:
    """The account's key (its name, case-folded) and the address's key."""
    name = username.strip().casefold()
    printable_address = address.isprintable() and address.isascii()
    return _key("account", name, is_plausible_username(name)), _key(
        "address", address, printable_address
    )


def device_key(device: str) -> str:
    """The count of one trusted browser (its id is the web layer's random hex)."""
    return _key("device", device, device.isascii() and device.isalnum())


def _limits(username: str, address: str, policy: LoginPolicy, device: str | None) -> dict[str, int]:
    if device is not None:
        return {device_key(device): policy.account_attempts}
    account, at = login_keys(username, address)
    return {account: policy.account_attempts, at: policy.address_attempts}


def _rows(session: Session, keys: list[str], now: datetime) -> dict[str, LoginAttemptModel]:
    """The rows of these keys, created when missing, locked until the transaction ends."""
    query = (
        select(LoginAttemptModel)
        .where(LoginAttemptModel.key.in_(keys))
        .order_by(LoginAttemptModel.key)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    for _attempt in range(3):
        missing = [k for k in keys if k not in {r.key for r in session.scalars(query)}]
        if not missing:
            break
        values = [{"key": k, "failures": 0, "window_started": now} for k in missing]
        dialect = session.get_bind().dialect.name
        if dialect == "postgresql":
            session.execute(
                postgresql.insert(LoginAttemptModel).values(values).on_conflict_do_nothing()
            )
        elif dialect == "sqlite":
            session.execute(
                sqlite.insert(LoginAttemptModel).values(values).on_conflict_do_nothing()
            )
        else:  # other databases: the transaction's own locking must serialize the insert
            session.add_all(LoginAttemptModel(**v) for v in values)
            session.flush()
    return {r.key: r for r in session.scalars(query)}


def _forget_old(session: Session, now: datetime, policy: LoginPolicy, keep: list[str]) -> None:
    """Drop counts whose window and lock are over, so names tried once do not pile up. A few
    at a time, skipping rows another login holds (PostgreSQL): two logins never wait on each
    other's rows in opposite orders."""
    stale = (
        select(LoginAttemptModel.key)
        .where(
            LoginAttemptModel.window_started < now - policy.window,
            or_(LoginAttemptModel.locked_until.is_(None), LoginAttemptModel.locked_until < now),
            LoginAttemptModel.key.not_in(keep),
        )
        .limit(FORGET_AT_ONCE)
        .with_for_update(skip_locked=True)
    )
    session.execute(
        delete(LoginAttemptModel).where(LoginAttemptModel.key.in_(stale.scalar_subquery()))
    )


def _refresh(row: LoginAttemptModel, now: datetime, policy: LoginPolicy) -> None:
    lock_over = row.locked_until is not None and row.locked_until <= now
    if lock_over or row.window_started + policy.window <= now:
        row.failures = 0
        row.window_started = now
        row.locked_until = None


def take_attempt(
    session: Session,
    username: str,
    address: str,
    now: datetime,
    policy: LoginPolicy,
    *,
    device: str | None = None,
) -> datetime | None:
    """Count one login attempt against the account and the address (from a trusted `device`,
    against the device alone), before its password is checked. None: go on and check it. A
    moment: the account, the address or the device is locked until then, and the password
    must not be checked (nothing is counted)."""
    limits = _limits(username, address, policy, device)
    keys = sorted(limits)
    _forget_old(session, now, policy, keys)
    rows = _rows(session, keys, now)
    until: datetime | None = None
    for key in keys:
        row = rows[key]
        _refresh(row, now, policy)
        if row.locked_until is None and row.failures >= limits[key]:
            row.locked_until = now + policy.lock
        if row.locked_until is not None:
            until = max(until or row.locked_until, row.locked_until)
    if until is not None:
        return until
    for row in rows.values():
        row.failures += 1
    return None


def attempt_succeeded(
    session: Session,
    username: str,
    address: str,
    now: datetime,
    policy: LoginPolicy,
    *,
    device: str | None = None,
) -> None:
    """A right password: the account's failures are forgotten, the address gets its attempt
    back (its other failures stand); from a trusted `device`, the device's are forgotten."""
    if device is not None:
        key = device_key(device)
        row = _rows(session, [key], now)[key]
        row.failures = 0
        row.locked_until = None
        return
    account, at = login_keys(username, address)
    rows = _rows(session, sorted((account, at)), now)
    rows[account].failures = 0
    rows[account].locked_until = None
    address_row = rows[at]
    address_row.failures = max(address_row.failures - 1, 0)


def failures(session: Session, username: str, address: str) -> dict[str, int]:
    """The counts as they stand (for the tests and the administrators)."""
    keys = list(login_keys(username, address))
    return {
        r.key: r.failures
        for r in session.scalars(select(LoginAttemptModel).where(LoginAttemptModel.key.in_(keys)))
    }
