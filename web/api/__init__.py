"""The JSON API under /api/v1: personal access tokens, no cookies, no CSRF, the pages' rules.

How a route module plugs in (``web/api/tasks.py``, ``attachments.py``, ``monitor.py``, …):

* Declare each route with ``core.operation(rule, method, summary=…, tag=…, scope=READ|WRITE,
  query=Model, body=Model, response=Model, status=…, errors=(404, 409, …))``. It registers
  the view on the blueprint ``core.bp`` (rules are relative to /api/v1, Flask's converters as
  usual) and records it for the OpenAPI document: nothing else to list anywhere.
* The decorator authenticates the Bearer token before the view runs (401 with codes
  ``token_missing``, ``token_unknown``, ``token_expired``, ``token_revoked``,
  ``user_inactive``), counts it against the token's rate limit (429 ``rate_limited`` with
  Retry-After), refuses a read token on a WRITE route (403 ``token_scope``), and validates the
  query string and the JSON body with the pydantic models (400 ``invalid_json``, 413
  ``body_too_large``, 422 ``invalid_data`` with ``fields``). The view gets the path's values
  and ``query=``/``body=`` the validated models; ``core.me()`` is the token's Identity.
* Reach the engine as the pages do: ``unit_of_work.uow()`` (a GET reads in the request's read
  transaction, a POST writes in its own), the same engine functions and checks the page uses
  (``items.require_view`` answers 404 for an item the caller may not see). Read what a write
  made inside its write transaction (as ``items.cancel_item`` does): the request's read
  transaction began with the token's check, before the write, and does not see it. Raise
  engine errors
  freely: ``errors.from_engine_error`` turns them into ``{"error": {"code", "message",
  "reason"?, "details"?, "fields"?}}`` with 404/403/409/422; raise ``errors.ApiError`` for a
  refusal of your own.
* Return an instance of the ``response`` model (serialized with ``model_dump(mode="json")``
  with the declared status), or a Flask Response (a file: say its ``media`` then). A route
  that reads no JSON body (an upload) declares ``body=None`` and describes its
  ``requestBody`` in ``extra=``; the app's MAX_CONTENT_LENGTH answers 413 ``body_too_large``.
* Shared shapes and converters are in ``schemas.py`` (``TaskOut``, ``task_out``, ``PageQuery``
  for ``limit``/``cursor`` keyset paging with ``next_cursor`` in the answer, ``Request`` as the
  base of every query and body: unknown names are refused). Models of your own may live in your
  module: the document takes every model an operation names.
* Import your module in the list below. ``tests/web/test_api__openapi.py`` checks that every
  /api/v1 route is in the document and the document names no route that does not exist.
"""

from __future__ import annotations

from flask import Flask

from . import core

bp = core.bp

# Route modules: importing one registers its operations on the blueprint.
from . import attachments, external_tasks, items, monitor, openapi, processes, tasks  # noqa: E402
from .messages import DeliveryOut  # noqa: E402, F401  (registers POST /messages, /signals)


def init_app(app: Flask) -> None:
    """Register the blueprint, without CSRF (no cookie is ever a login here)."""
    from ..extensions import csrf

    core.init_app(app)
    csrf.exempt(bp)
    app.register_blueprint(bp)


__all__ = [
    "attachments",
    "bp",
    "external_tasks",
    "init_app",
    "items",
    "monitor",
    "openapi",
    "processes",
    "tasks",
]
