"""The API's OpenAPI document: valid OpenAPI 3.1 (checked by a validator library), the same
routes as the app's url_map, and a readable page for it that loads only this origin's files."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from flask import Flask
from openapi_spec_validator import validate

from web.api.core import bp

STATIC = Path(__file__).parents[2] / "web" / "static"
_VALUE = re.compile(r"<(?:[^:>]+:)?(\w+)>")
NOT_DOCUMENTED = {"api.no_route"}  # the JSON 404/405 for paths that are not routes


def test_openapi__document_is_valid_3_1_and_matches_the_routes(app: Flask) -> None:
    response = app.test_client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    validate(document)
    documented = {
        (path, method)
        for path, operations in document["paths"].items()
        for method in operations
        if method in ("get", "post", "put", "patch", "delete")
    }
    routed = {
        (_VALUE.sub(r"{\1}", rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith(f"{bp.name}.") and rule.endpoint not in NOT_DOCUMENTED
        for method in rule.methods or ()
        if method not in ("HEAD", "OPTIONS")
    }
    assert routed, "no API routes"
    assert documented == routed
    # Every operation but the document's own needs a token and says what its errors look like.
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            if operation.get("security") == []:
                assert path.startswith(("/api/v1/openapi.json", "/api/v1/docs"))
                continue
            assert "401" in operation["responses"], (path, method)
            assert operation["responses"]["401"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorBody"
            }


def test_openapi__docs_page_loads_vendored_files_only(app: Flask) -> None:
    client = app.test_client()
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/api/v1/openapi.json" in html
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources)
    assert "<script>" not in html  # the content security policy allows no inline script
    for source in sources:
        if source.startswith("/static/"):
            assert (STATIC / source.removeprefix("/static/")).is_file(), source


def test_openapi__swagger_ui_is_vendored_with_its_record() -> None:
    vendor = STATIC / "vendor"
    record = json.loads((vendor / "VENDOR.json").read_text("utf-8"))["swagger-ui-dist"]
    assert record["licence"] == "Apache-2.0" and "npm pack swagger-ui-dist@" in record["source"]
    for name, digest in record["files"].items():
        assert hashlib.sha256((vendor / "swagger-ui" / name).read_bytes()).hexdigest() == digest
    on_disk = {p.name for p in (vendor / "swagger-ui").iterdir() if p.is_file()}
    assert on_disk == set(record["files"])
