"""A refused diagram is explained in the administrator's language, by the refusal's reason code
(web/definition_refusals.py): on the deploy page, with nothing stored, and on the error page of
a failed step. Every reason code the engine raises has its words, and every word names only
parameters its raise passes: a new refusal without words fails here."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

import engine
from engine import transaction
from tests.conftest import FIXTURES
from tests.web.conftest import csrf_token
from web.admin import MAX_DEFINITION_BYTES
from web.definition_refusals import REFUSALS, refusal_words
from web.errors import explain

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Given by every InvalidDefinition: where it is, and its code.
WHERE = {"file", "element_id", "line", "reason"}

MALFORMED = b'<?xml version="1.0"?>\n<definitions>\n  <process id="x">\n</definitions>\n'
OVERSIZED = b"<definitions>" + b" " * MAX_DEFINITION_BYTES + b"</definitions>"

PAGES = [
    (
        "camunda_services.bpmn",
        (FIXTURES / "services" / "camunda_services.bpmn").read_bytes(),
        "chưa được khai báo trong mô-đun dịch vụ (PHEDUYET_SERVICES)",
        "which no handler is mapped to",
    ),
    (
        "hỏng.bpmn",
        MALFORMED,
        "Tệp không phải XML hợp lệ (",
        "not well-formed XML",
    ),
    (
        "condition_import.bpmn",
        (FIXTURES / "hostile" / "condition_import.bpmn").read_bytes(),
        "Mã lệnh hoặc điều kiện dùng thao tác không được phép",
        "refused script",
    ),
    (
        "script_syntax_error.bpmn",
        (FIXTURES / "hostile" / "script_syntax_error.bpmn").read_bytes(),
        "Mã lệnh (python) có lỗi cú pháp: &#39;(&#39; was never closed.",
        "SyntaxError",
    ),
    (
        "script_indentation_error.bpmn",
        (FIXTURES / "hostile" / "script_indentation_error.bpmn").read_bytes(),
        "Mã lệnh (python) có lỗi cú pháp: unexpected indent.",
        "IndentationError",
    ),
    (
        "juel_method_call.bpmn",
        (FIXTURES / "camunda_juel_refused" / "juel_method_call.bpmn").read_bytes(),
        "cú pháp JUEL mà hệ thống không hỗ trợ",
        "refused expression",
    ),
    (
        "lớn.bpmn",
        OVERSIZED,
        f"vượt mức tối đa {MAX_DEFINITION_BYTES:,} byte".replace(",", "."),
        "over the limit",
    ),
    (
        "missing_call_target.bpmn",
        (FIXTURES / "hostile" / "missing_call_target.bpmn").read_bytes(),
        "chưa được triển khai",
        "neither in these files nor deployed",
    ),
]


def _stored(app: Flask) -> Any:
    with transaction(app.extensions["pheduyet.sessions"]) as s:
        return engine.process_versions(s)


@pytest.mark.parametrize(("name", "content", "words", "english"), PAGES, ids=[p[0] for p in PAGES])
def test_deploy_refusal_words__the_page_says_what_is_wrong_in_vietnamese(
    app: Flask, login: Any, name: str, content: bytes, words: str, english: str
) -> None:
    client = login("quantri")
    before = _stored(app)
    token = csrf_token(client.get("/admin/processes").get_data(as_text=True))
    # The body encoded here, in memory: the test client would spool a large one to a temporary
    # file it never closes.
    boundary, body = encode_multipart(
        {"csrf_token": token, "files": FileStorage(io.BytesIO(content), name)}
    )
    response = client.post(
        "/admin/processes/deploy",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"tệp {name}" in page and words in page
    # The checker's own words stay one click away, for a search or the diagram's author.
    assert "Nguyên văn của bộ kiểm tra (tiếng Anh)" in page and english in page
    assert "Không có tệp nào trong lần tải lên này được lưu" in page
    assert _stored(app) == before


def test_deploy_refusal_words__a_failed_step_names_the_file_and_the_reason(app: Flask) -> None:
    refused = engine.InvalidDefinition(
        "the service task calls 'tra_cuu', which no handler is mapped to",
        file="tra_cuu.bpmn",
        element_id="goi_dich_vu",
        line=12,
        reason="service_unmapped",
        key="tra_cuu",
    )
    with app.test_request_context("/"):
        words = explain(refused)
    assert words.startswith(
        "Tệp quy trình bị từ chối (tệp tra_cuu.bpmn, phần tử goi_dich_vu, dòng 12): "
        "Bước này là service task gọi dịch vụ «tra_cuu»"
    )


@pytest.mark.parametrize(
    "details",
    [{"reason": "a_code_without_words"}, {"reason": "service_unmapped"}],
    ids=["unknown code", "a parameter missing"],
)
def test_deploy_refusal_words__without_words_the_engines_stay(
    app: Flask, details: dict[str, str]
) -> None:
    refused = engine.InvalidDefinition("the engine's words", file="x.bpmn", **details)
    with app.test_request_context("/"):
        assert refusal_words(refused) == "the engine's words"


def test_deploy_refusal_words__a_long_expression_is_cut(app: Flask) -> None:
    refused = engine.InvalidDefinition(
        "refused", reason="juel_refused", expression="${" + "a" * 500 + "}", detail="why"
    )
    with app.test_request_context("/"):
        words = refusal_words(refused)
    assert "a" * 198 + "…»" in words and "a" * 199 not in words


# --- Every refusal of the engine has its words ------------------------------------------------


def _raises() -> list[tuple[str, int, str | None, set[str]]]:
    """(file, line, reason, keyword names) of every InvalidDefinition the engine builds:
    the class called, or a helper of a module returning one whose caller gives the reason."""
    found = []
    for path in sorted((ROOT / "engine").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        helpers = {
            f.name
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef)
            and isinstance(f.returns, ast.Name)
            and f.returns.id == "InvalidDefinition"
        }
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", None)
            if name != "InvalidDefinition" and name not in helpers:
                continue
            given = {k.arg: k.value for k in node.keywords}
            reason = given.get("reason")
            if name in helpers and reason is None:
                continue  # the helper names its reason itself: its own call is checked
            if (None in given and reason is None) or isinstance(reason, ast.Name):
                continue  # a helper passing on its caller's reason
            found.append(
                (
                    path.name,
                    node.lineno,
                    reason.value if isinstance(reason, ast.Constant) else None,
                    {k for k in given if k},
                )
            )
    return found


RAISES = _raises()


def test_deploy_refusal_words__every_refusal_has_a_reason_code() -> None:
    assert len(RAISES) > 80
    assert [(f, n) for f, n, reason, _k in RAISES if not reason] == []


def test_deploy_refusal_words__every_reason_has_words_and_every_word_a_reason() -> None:
    raised = {reason for _f, _n, reason, _k in RAISES}
    assert raised - set(REFUSALS) == set()
    assert set(REFUSALS) - raised == set()


def test_deploy_refusal_words__the_words_name_only_what_their_raise_gives(app: Flask) -> None:
    with app.test_request_context("/"):
        named = {key: set(PLACEHOLDER.findall(str(words))) for key, words in REFUSALS.items()}
    missing = [
        (f, n, sorted(needed - keywords))
        for f, n, reason, keywords in RAISES
        for needed in [named.get(str(reason), set())]
        if needed - keywords - WHERE
    ]
    assert missing == []


HOSTILE = sorted((FIXTURES / "hostile").iterdir())


def test_deploy_refusal_words__the_hostile_corpus_is_refused_in_words() -> None:
    """Every refusal `pheduyet check` finds in the hostile corpus (each diagram with the form or
    decision table of its name) has a code with words."""
    without = []
    for diagram in (p for p in HOSTILE if p.suffix == ".bpmn"):
        stems = (diagram.stem, diagram.stem.removeprefix("uses_"))
        files = [diagram, *(p for p in HOSTILE if p.suffix != ".bpmn" and p.stem in stems)]
        report = engine.check_definitions(
            [engine.SourceFile(p.name, p.read_bytes()) for p in files]
        )
        without += [(diagram.name, p.message) for p in report.problems if p.reason not in REFUSALS]
    assert without == []
