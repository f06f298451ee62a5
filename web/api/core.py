"""What every API route shares: the blueprint, the `operation` decorator (token, scope, rate
limit, query and body validated by their pydantic models, the answer serialized by its model),
the registry of operations the OpenAPI document is built from, and the error handlers."""

from __future__ import annotations

import functools
import json
import math
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from flask_login import AnonymousUserMixin
from pydantic import BaseModel, ConfigDict, ValidationError
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

import engine

from ..unit_of_work import now, uow
from .errors import (
    ApiError,
    error_response,
    from_api_error,
    from_engine_error,
    from_validation_error,
    log,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")

READ, WRITE = "read", "write"
RATE_LIMIT_ENV = "PHEDUYET_API_RATE_LIMIT"
PUBLIC = None  # no token needed (the document that describes the API)
MAX_BODY_BYTES = 1024 * 1024  # a JSON body; files go through the attachments' own route
_CALLER = "pheduyet_api_caller"
# The statuses every operation with a token can answer besides its success, for the document.
AUTH_ERRORS = (401, 429)

View = TypeVar("View", bound=Callable[..., Any])


@dataclass(frozen=True)
class Operation:
    """One route as the OpenAPI document describes it."""

    rule: str  # Flask's, under /api/v1 ("/items/<int:item_id>")
    method: str
    endpoint: str
    summary: str
    tag: str
    scope: str | None
    query: type[BaseModel] | None
    body: type[BaseModel] | None
    response: type[BaseModel] | None
    status: int
    errors: tuple[int, ...]
    media: str = "application/json"
    # Merged into the operation's document: a route whose body is not JSON (an upload) or
    # whose answer is a file describes them here.
    extra: dict[str, Any] = field(default_factory=dict)
    description: str | None = None


OPERATIONS: list[Operation] = []


def caller() -> engine.ApiCaller:
    """Who the request's token speaks for (inside an `operation` with a scope)."""
    found: engine.ApiCaller = g.get(_CALLER)
    return found


def me() -> engine.Identity:
    return caller().identity


def operation(
    rule: str,
    method: str,
    *,
    summary: str,
    tag: str,
    scope: str | None = READ,
    query: type[BaseModel] | None = None,
    body: type[BaseModel] | None = None,
    response: type[BaseModel] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    media: str = "application/json",
    extra: dict[str, Any] | None = None,
) -> Callable[[View], View]:
    """Register a view as an API route and in the OpenAPI document. The view is called with
    the path's values, and ``query=``/``body=`` the validated models when declared; it returns
    an instance of `response` (or a Flask Response, e.g. a file). A write scope refuses read
    tokens (403 ``token_scope``)."""

    def decorate(view: View) -> View:
        @functools.wraps(view)
        def run(**path: Any) -> Any:
            if scope is not None:
                _authenticate(scope)
            values = dict(path)
            # What an operation does not declare is refused as a declared one's extra names
            # are (422 `unknown`): a query parameter, a JSON body's field.
            asked = _validated(query or _Nothing, request.args.to_dict(), "query")
            if query is not None:
                values["query"] = asked
            if body is not None:
                values["body"] = _validated(body, _json_body(), "body")
            elif method == "POST" and request.mimetype != "multipart/form-data":
                _validated(_Nothing, _json_body(), "body")  # 400, 413 as for any body
            answer = view(**values)
            if isinstance(answer, BaseModel):
                made = jsonify(answer.model_dump(mode="json"))
                made.status_code = status
                return made
            return answer

        bp.add_url_rule(rule, view.__name__, run, methods=[method])
        OPERATIONS.append(
            Operation(
                rule=rule,
                method=method.lower(),
                endpoint=f"{bp.name}.{view.__name__}",
                summary=summary,
                tag=tag,
                scope=scope,
                query=query,
                body=body,
                response=response,
                status=status,
                errors=tuple(sorted({*errors, *_implied_errors(scope, query, body)})),
                media=media,
                extra=extra or {},
                description=(view.__doc__ or "").strip() or None,
            )
        )
        return run  # type: ignore[return-value]

    return decorate


def _implied_errors(
    scope: str | None, query: type[BaseModel] | None, body: type[BaseModel] | None
) -> set[int]:
    """The statuses the decorator itself may answer, for the document."""
    implied = set(AUTH_ERRORS) if scope else set()
    if scope == WRITE:
        implied.add(403)
    if query is not None:
        implied.add(422)
    if body is not None:
        implied |= {400, 413, 422}
    return implied


class _Nothing(BaseModel):
    """What an operation that declares no query, or no body, takes: nothing."""

    model_config = ConfigDict(extra="forbid")


class _Invalid(Exception):
    def __init__(self, error: ValidationError, where: str) -> None:
        super().__init__(where)
        self.error, self.where = error, where


Model = TypeVar("Model", bound=BaseModel)


def _validated(model: type[Model], value: Any, where: str) -> Model:
    try:
        return model.model_validate(value)
    except ValidationError as error:
        raise _Invalid(error, where) from error


def _json_body() -> Any:
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise ApiError(413, "body_too_large", "the body is too large", limit=MAX_BODY_BYTES)
    raw = request.stream.read(MAX_BODY_BYTES + 1)
    if len(raw) > MAX_BODY_BYTES:
        raise ApiError(413, "body_too_large", "the body is too large", limit=MAX_BODY_BYTES)
    if not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as error:
        raise ApiError(400, "invalid_json", f"the body is not JSON: {error}") from error
    except RecursionError as error:  # "[[[[…" a hundred thousand deep
        raise ApiError(400, "invalid_json", "the body is nested too deeply") from error
    if not isinstance(value, dict):
        raise ApiError(400, "invalid_json", "the body must be a JSON object")
    # Only an escape can put half of a surrogate pair in a text: it is no character, and the
    # database refuses to store it (as Python's UTF-8 codec does).
    if b"\\ud" in raw.lower() and _holds_lone_surrogate(value):
        raise ApiError(
            400,
            "invalid_json",
            "the body holds a lone surrogate (\\ud800-\\udfff): not a character",
        )
    return value


def _holds_lone_surrogate(value: Any) -> bool:
    todo = [value]
    while todo:
        item = todo.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            todo.extend((*item.keys(), *item.values()))
        elif isinstance(item, list):
            todo.extend(item)
    return False


# --- tokens and the rate limit ---------------------------------------------------------------

_TOKEN_ERRORS = {"token_unknown", "token_expired", "token_revoked", "user_inactive"}
_CHALLENGE = 'Bearer realm="pheduyet"'


def _authenticate(scope: str) -> None:
    header = request.headers.get("Authorization", "")
    kind, _, token = header.partition(" ")
    if kind.lower() != "bearer" or not token.strip():
        raise ApiError(
            401,
            "token_missing",
            "send a personal access token: Authorization: Bearer <token>",
            headers={"WWW-Authenticate": _CHALLENGE},
        )
    moment = now()
    try:
        with uow(write=False) as s:
            found = engine.authenticate_api_token(s, token.strip(), moment)
    except (engine.NotFound, engine.Forbidden) as error:
        reason = str(error.details.get("reason"))
        if reason not in _TOKEN_ERRORS:
            raise
        raise ApiError(
            401,
            reason,
            error.message,
            headers={"WWW-Authenticate": f'{_CHALLENGE}, error="invalid_token"'},
        ) from error
    setattr(g, _CALLER, found)
    _limits().take(found.token.id, moment)
    if scope == WRITE and found.token.scope != WRITE:
        raise ApiError(403, "token_scope", "this token may only read: make a write token")
    if engine.needs_touch(found.token, moment):
        with uow(write=True) as s:
            engine.touch_api_token(s, found.token.id, moment)


class RateLimits:
    """A fixed window per token, counted in this process's memory: no database write per
    request (on SQLite every count would take the one write lock). Each worker process counts
    on its own, so with W workers a token may make up to W times the limit; the limit stops a
    runaway script, it is not a quota."""

    def __init__(self, limit: int, window: timedelta) -> None:
        self.limit, self.window = limit, window
        self._lock = threading.Lock()
        self._counts: dict[int, tuple[datetime, int]] = {}

    def take(self, token_id: int, moment: datetime) -> None:
        with self._lock:
            start, count = self._counts.get(token_id, (moment, 0))
            if moment - start >= self.window or moment < start:
                start, count = moment, 0
            if count >= self.limit:
                wait = math.ceil((start + self.window - moment).total_seconds())
                raise ApiError(
                    429,
                    "rate_limited",
                    f"at most {self.limit} requests per {int(self.window.total_seconds())} s "
                    "per token: wait and retry",
                    headers={"Retry-After": str(max(wait, 1))},
                    limit=self.limit,
                )
            self._counts[token_id] = (start, count + 1)
            if len(self._counts) > 10_000:  # forget windows long past
                self._counts = {
                    k: v for k, v in self._counts.items() if moment - v[0] < self.window
                }


def _limits() -> RateLimits:
    limits: RateLimits = current_app.extensions["pheduyet.api_limits"]
    return limits


# --- errors and the routes that are not there --------------------------------------------------


@bp.url_value_preprocessor
def _no_cookie_login(_endpoint: str | None, _values: dict[str, Any] | None) -> None:
    # Before the app's own before_request (the idle timeout reads current_user): the API
    # never takes a login cookie for a person; Flask-Login reads the user from g.
    g._login_user = AnonymousUserMixin()


@bp.errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return from_api_error(error)


@bp.errorhandler(_Invalid)
def _invalid(error: _Invalid) -> Response:
    return from_validation_error(error.error, error.where)


@bp.errorhandler(engine.EngineError)
def _engine_error(error: engine.EngineError) -> Response:
    return from_engine_error(error)


@bp.errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    codes = {413: "body_too_large", 404: "not_found", 405: "method_not_allowed"}
    code = error.code or 500
    if code == 413 and request.mimetype == "multipart/form-data":
        # A file far over the limit, refused before it is read: as one just over it is.
        limit = current_app.config["MAX_ATTACHMENT_BYTES"]
        return error_response(
            413, "file_too_large", "the file is too large", reason="file_too_large", limit=limit
        )
    return error_response(code, codes.get(code, "bad_request"), error.description or "")


@bp.errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    log.exception("unexpected error on %s %s", request.method, request.path)
    return error_response(500, "internal", "unexpected error; nothing was recorded")


_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@bp.route("/", defaults={"rest": ""}, methods=_ALL_METHODS)
@bp.route("/<path:rest>", methods=_ALL_METHODS)
def no_route(rest: str) -> Response:
    """Any other path or method under /api/v1: JSON, never the pages' HTML error."""
    allowed = _routes().allowed_methods(request.path)
    if allowed:
        return error_response(
            405,
            "method_not_allowed",
            f"{request.method} is not allowed here",
            headers={"Allow": ", ".join(sorted(allowed))},
        )
    return error_response(404, "not_found", f"no route {request.path}")


@functools.cache
def _route_map() -> Map:
    return Map([Rule(f"{bp.url_prefix}{o.rule}", methods=[o.method.upper()]) for o in OPERATIONS])


def _routes() -> Any:
    return _route_map().bind("api")


def init_app(app: Flask) -> None:
    """The rate limit's configuration: `API_RATE_LIMIT` requests per `API_RATE_WINDOW`; an
    operator sets the first with PHEDUYET_API_RATE_LIMIT (requests per minute)."""
    app.config.setdefault("API_RATE_LIMIT", int(os.environ.get(RATE_LIMIT_ENV) or 300))
    app.config.setdefault("API_RATE_WINDOW", timedelta(minutes=1))
    app.extensions["pheduyet.api_limits"] = RateLimits(
        app.config["API_RATE_LIMIT"], app.config["API_RATE_WINDOW"]
    )
