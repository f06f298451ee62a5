"""The web chooses its words by an engine error's reason, never by reading the engine's English
message: a reworded message keeps its Vietnamese, an unknown reason gets the general words."""

from __future__ import annotations

import pytest
from flask import Flask

import engine
from web.errors import explain
from web.wording import file_refusal

MAX = 20 * 1024 * 1024

EXPLAINED = [
    (engine.InvalidInput("x", reason="title_too_long", limit=300), "Tiêu đề quá dài (tối đa 300"),
    (engine.InvalidInput("x", reason="title_empty"), "Tiêu đề không được để trống."),
    (engine.InvalidInput("x", reason="comment_too_long", limit=10_000), "Ý kiến quá dài."),
    (engine.InvalidInput("x", reason="reason_required"), "Hãy nêu lý do."),
    (engine.InvalidInput("x", reason="password_too_short", minimum=8), "ít nhất 8 ký tự"),
    (engine.InvalidData("x", {"f": "NUL"}, reason="nul_character"), "ký tự không hợp lệ"),
    (engine.InvalidInput("a title has at most 300 characters"), "Dữ liệu không hợp lệ"),
    (engine.Conflict("x", reason="signal_loop", limit=100), "gửi tín hiệu cho nhau không dứt"),
]


@pytest.mark.parametrize(("error", "words"), EXPLAINED, ids=[e.message for e, _ in EXPLAINED])
def test_error_reasons__explained_by_reason(
    app: Flask, error: engine.EngineError, words: str
) -> None:
    with app.test_request_context("/"):
        assert words in explain(error)


FILES = [
    ({"reason": "file_type", "extension": ".exe"}, "loại tệp .exe không được nhận"),
    ({"reason": "file_content", "extension": ".pdf"}, "không phải là tệp .pdf thật"),
    ({"reason": "file_too_large", "limit_bytes": MAX}, "lớn hơn giới hạn 20 MB"),
    ({"reason": "file_empty"}, "tệp rỗng."),
    ({"reason": "file_not_utf8"}, "UTF-8"),
    ({"reason": "unsafe_archive"}, "giải nén"),
    ({"reason": "file_name"}, "không có tên hợp lệ"),
]


@pytest.mark.parametrize(("details", "words"), FILES, ids=[f[0]["reason"] for f in FILES])
def test_error_reasons__a_refused_file_by_reason(
    app: Flask, details: dict[str, object], words: str
) -> None:
    """Said once, after the file's name ("«rong.txt»: tệp rỗng."): a headline before it
    said the same again ("Tệp rỗng. tệp rỗng.")."""
    refused = engine.InvalidInput("words the engine may change", **details)
    with app.test_request_context("/"):
        why = file_refusal(refused, MAX)
    assert words in why
