"""The OpenAPI 3.1 document, built by apispec from the operations the routes declared and the
pydantic models they validate with (their JSON Schemas are 2020-12, OpenAPI 3.1's own dialect),
and a readable page for it (Swagger UI, vendored: no CDN)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from apispec import APISpec
from flask import Response, jsonify, render_template, url_for
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from .core import OPERATIONS, PUBLIC, WRITE, Operation, bp, operation
from .schemas import ErrorBody

REF = "#/components/schemas/{model}"
_PATH_VALUE = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?(\w+)>")
_VALUE_TYPES = {"int": "integer", "float": "number"}
_STATUS_WORDS = {
    400: "The body is not JSON (invalid_json), or another malformed request",
    401: "No token, or a token that is unknown, expired or revoked, or whose person is locked",
    403: "The token may only read (token_scope), or the engine refuses the caller (forbidden)",
    404: "No such resource, or one the caller may not see",
    409: "Someone acted first, or the item no longer allows this (conflict)",
    413: "The body is too large (body_too_large)",
    422: "The data does not fit (invalid_data with fields, or invalid_input with a reason)",
    429: "Too many requests for this token (rate_limited); see Retry-After",
}
DESCRIPTION = (
    "pheduyet's JSON API. Authenticate with a personal access token (Mã truy cập API, made on "
    "the account page or by `pheduyet tokens create`): `Authorization: Bearer phd_…`. Read "
    "tokens only read; write tokens act too. Every error is "
    '`{"error": {"code", "message", "reason"?, "details"?, "fields"?}}`.'
)


def openapi_path(rule: str) -> tuple[str, list[dict[str, Any]]]:
    """Flask's rule as an OpenAPI path, with a parameter for each of its values."""
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": {"type": _VALUE_TYPES.get(converter or "", "string")},
        }
        for converter, name in _PATH_VALUE.findall(rule)
    ]
    return _PATH_VALUE.sub(lambda m: "{" + m.group(2) + "}", bp.url_prefix + rule), parameters


def _models() -> list[tuple[type[BaseModel], Any]]:
    chosen: dict[tuple[type[BaseModel], str], None] = {(ErrorBody, "serialization"): None}
    for o in OPERATIONS:
        for model, mode in ((o.query, "validation"), (o.body, "validation")):
            if model is not None:
                chosen[(model, mode)] = None
        if o.response is not None:
            chosen[(o.response, "serialization")] = None
    return list(chosen)


def _query_parameters(schema: dict[str, Any]) -> list[dict[str, Any]]:
    required = set(schema.get("required", ()))
    return [
        {
            "name": name,
            "in": "query",
            "required": name in required,
            "description": field.get("description"),
            "schema": {k: v for k, v in field.items() if k not in ("description", "title")},
        }
        for name, field in schema.get("properties", {}).items()
    ]


def _operation(o: Operation, refs: dict[Any, dict[str, Any]], defs: dict[str, Any]) -> Any:
    path, parameters = openapi_path(o.rule)
    if o.query is not None:
        name = refs[(o.query, "validation")]["$ref"].rsplit("/", 1)[1]
        parameters += _query_parameters(defs[name])
    document: dict[str, Any] = {
        "operationId": o.endpoint.removeprefix(f"{bp.name}."),
        "summary": o.summary,
        "tags": [o.tag],
        "responses": {},
    }
    if o.description:
        document["description"] = o.description
    if o.scope is PUBLIC:
        document["security"] = []
    elif o.scope == WRITE:
        document["description"] = (
            document.get("description", "") + "\n\nNeeds a write token."
        ).strip()
    if o.body is not None:
        document["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": refs[(o.body, "validation")]}},
        }
    success: dict[str, Any] = {"description": "OK" if o.status == 200 else "Created"}
    if o.response is not None:
        success["content"] = {o.media: {"schema": refs[(o.response, "serialization")]}}
    else:
        kind = "object" if o.media == "application/json" else "string"
        success["content"] = {o.media: {"schema": {"type": kind}}}
    document["responses"][str(o.status)] = success
    error_schema = {"application/json": {"schema": refs[(ErrorBody, "serialization")]}}
    for status in o.errors:
        document["responses"][str(status)] = {
            "description": _STATUS_WORDS.get(status, "Error"),
            "content": error_schema,
        }
    if parameters:
        document["parameters"] = parameters
    for key, value in o.extra.items():
        if key == "parameters":
            document["parameters"] = [*document.get("parameters", []), *value]
        else:
            document[key] = value
    return path, document


@cache
def document() -> dict[str, Any]:
    """The whole document; built once per process (the routes do not change at run time)."""
    spec = APISpec(
        title="pheduyet API",
        version="1",
        openapi_version="3.1.0",
        info={"description": DESCRIPTION},
    )
    spec.components.security_scheme(
        "token", {"type": "http", "scheme": "bearer", "description": "phd_<id>_<secret>"}
    )
    refs, schemas = models_json_schema(_models(), ref_template=REF)
    defs = schemas.get("$defs", {})
    for name, schema in sorted(defs.items()):
        spec.components.schema(name, schema)
    paths: dict[str, dict[str, Any]] = {}
    for o in OPERATIONS:
        path, op = _operation(o, refs, defs)
        paths.setdefault(path, {})[o.method] = op
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    found = spec.to_dict()
    found["security"] = [{"token": []}]
    return found


@operation("/openapi.json", "GET", summary="This document", tag="documentation", scope=PUBLIC)
def openapi_json() -> Response:
    return jsonify(document())


@operation(
    "/docs",
    "GET",
    summary="This document, to read",
    tag="documentation",
    scope=PUBLIC,
    media="text/html",
)
def docs() -> str:
    return render_template("api/docs.html", spec_url=url_for("api.openapi_json"))
