"""How views reach the engine: one transaction per request action, the department's engine
config, the person logged in. Views never build queries themselves."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy.orm import Session

import engine
from workflows import engine_config
from workflows.config import CALENDAR_ENV
from workflows.roles import AUDITOR_GROUPS
from workflows.services import SECONDS_ENV, SERVICES_ENV

# Requests of these methods only read (HTTP says so, and CSRF protection relies on it).
READING_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_READ = "pheduyet_read"
_DIRECTORY = "pheduyet_directory"
_CONFIG = "pheduyet.engine_config"
_CONFIG_ENV = (CALENDAR_ENV, SERVICES_ENV, SECONDS_ENV)


@contextmanager
def uow(*, write: bool | None = None, stream: bool = False) -> Iterator[Session]:
    """One transaction. A page (GET) reads without the write lock; a form's POST writes and
    takes it at once. `write=False` marks a read inside a POST, `write=True` a write in a GET.

    The reads of one request share one read transaction (the person's identity, the permission
    check, the page's data: on SQLite one snapshot and one BEGIN; on PostgreSQL one pooled
    connection in autocommit, engine.transaction), which ends with the request or when the
    request writes; a write always has a transaction of its own, and so has a read that
    streams its rows (`stream=True`, engine.transaction's)."""
    if write is None:
        write = not has_request_context() or request.method not in READING_METHODS
    if not write and has_request_context() and not stream:
        session = _request_read()
        try:
            yield session
        except BaseException as error:
            end_request_read(error)  # rolled back: the next read, if any, starts afresh
            raise
        return
    if has_request_context():
        # The request's reads so far are done: a read after this write sees it (a snapshot
        # kept open across it would not, on SQLite), and the write does not hold two
        # connections of the pool.
        end_request_read()
    factory = current_app.extensions["pheduyet.sessions"]
    with engine.transaction(factory, write=write, stream=stream) as session:
        if not write:  # a write reads the token itself, with the item's lock (directory_cache)
            _directory_of_request(session)
        yield session


def _request_read() -> Session:
    found: tuple[ExitStack, Session] | None = g._get_current_object().get(_READ)  # see me()
    if found is None:
        stack = ExitStack()
        factory = current_app._get_current_object().extensions["pheduyet.sessions"]
        found = (stack, stack.enter_context(engine.transaction(factory, write=False)))
        setattr(g, _READ, found)
        _directory_of_request(found[1])
    return found[1]


def note_directory_token(session: Session, token: str | None) -> None:
    """The directory's token the request read with the person (engine.directory_cache): its
    reads, this one and those after it, take the directory as the process kept it (a write
    reads its own token, with the item's lock)."""
    if token is None:
        return
    shared = engine.DirectoryToken(token)
    setattr(g, _DIRECTORY, shared)
    engine.use_directory_token(session, shared)


def _directory_of_request(session: Session) -> None:
    if not has_request_context():
        return
    shared: engine.DirectoryToken | None = g._get_current_object().get(_DIRECTORY)
    if shared is not None:
        engine.use_directory_token(session, shared)


def end_request_read(error: BaseException | None = None) -> None:
    """End the request's read transaction, if one was opened: at the end of each request, or
    at once when a read failed (then rolled back)."""
    found: tuple[ExitStack, Session] | None = g._get_current_object().pop(_READ, None)
    if found is None:
        return
    stack = found[0]
    if error is None:
        stack.close()
    else:
        stack.__exit__(type(error), error, error.__traceback__)


def now() -> datetime:
    pinned = current_app._get_current_object().config.get("NOW")  # see me()
    return pinned() if pinned else engine.system_clock()


def config() -> engine.EngineConfig:
    """The department's engine config, built once per process for each value of the settings
    it reads from the environment (the calendar file, the service handlers, their time limit):
    building it reads the org chart and the calendar from disk and imports the handlers, which
    no request should pay for. An edited calendar or handler file takes effect at restart, as
    any setting does; a changed variable (a test's) at once. The clock is `now`, which reads
    the app's pinned clock at each call."""
    settings = tuple(os.environ.get(name) for name in _CONFIG_ENV)
    extensions = current_app._get_current_object().extensions  # see me()
    cache: dict[tuple[str | None, ...], engine.EngineConfig] = extensions.setdefault(_CONFIG, {})
    found = cache.get(settings)
    if found is None:
        found = cache[settings] = engine_config(now)
    return found


def me() -> engine.Identity:
    # Through the proxy's own method: an attribute the proxy lacks (`.identity`) is first
    # looked up on it and fails, an exception made and dropped at every call.
    identity: engine.Identity = current_user._get_current_object().identity
    return identity


def is_auditor(who: engine.Identity | None = None) -> bool:
    return engine.is_auditor(who or me(), AUDITOR_GROUPS)


def is_admin(who: engine.Identity | None = None) -> bool:
    return engine.ADMIN_GROUP in (who or me()).groups


def attachment_store() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"])


def may_view(session: Session, instance_id: int) -> bool:
    return engine.may_view_instance(session, me(), instance_id, AUDITOR_GROUPS)


def require_view(session: Session, instance_id: int) -> None:
    """404 for an item that does not exist or that this person may not see: the same answer,
    so ids cannot be probed."""
    if not may_view(session, instance_id):
        raise engine.NotFound(f"item {instance_id} does not exist")


def as_dict(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, dict) else {}
