"""A step whose script leaves a value the item cannot keep, or data over the limit, is refused
in Vietnamese, naming the step (by its label) and the value's type; nothing is saved."""

from __future__ import annotations

from typing import Any

import pytest

import engine
from engine import SourceFile, transaction
from tests.conftest import FIXTURES
from tests.web.conftest import post

STARTER = "qlkh.cv1"

# (hostile diagram, the Vietnamese sentence shown)
CASES = [
    (
        "script_limit_generator_stored",
        "Bước «Tính toán» tạo ra giá trị kiểu generator, không lưu được vào hồ sơ.",
    ),
    (
        "script_limit_nan_stored",
        "Bước «Tính toán» tạo ra giá trị kiểu float, không lưu được vào hồ sơ.",
    ),
    (
        "script_limit_data_too_large",
        "Dữ liệu của hồ sơ vượt quá dung lượng cho phép ở bước «Tính toán».",
    ),
]


@pytest.mark.parametrize(("process", "sentence"), CASES, ids=[c[0] for c in CASES])
def test_script_limits__the_refusal_reads_in_vietnamese(
    office: Any, login: Any, process: str, sentence: str
) -> None:
    source = (FIXTURES / "hostile" / f"{process}.bpmn").read_bytes()
    with transaction(office.factory) as s:
        engine.deploy(s, [SourceFile(f"{process}.bpmn", source)], office.clock)
    item = office.start(process, STARTER)
    url = f"/tasks/{office.task(STARTER, item, 'draft').id}"
    client = login(STARTER)

    refused = post(client, url, url)
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert sentence in html
    assert "Thông tin bạn nhập chưa được ghi; hãy báo quản trị viên." in html
    for leak in ("Traceback", "act", "TypeError", "cannot be saved", "script_error"):
        assert f">{leak}" not in html and f"'{leak}'" not in html
    assert office.steps(item) == ["draft"]
