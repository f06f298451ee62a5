"""A diagram naming a message, error, signal or escalation its file no longer declares, or using
an element this engine cannot run, is refused on the deploy page with what to fix, in the
administrator's language: not with the library's AssertionError or its "this task type"."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FIXTURES
from tests.web.conftest import post, refused_deploy

REFUSED = FIXTURES / "camunda_refused"


@pytest.mark.parametrize(
    ("name", "vietnamese", "english"),
    [
        (
            "dangling_message.bpmn",
            "Phần tử này gắn với message có id «Message_Deleted», nhưng trong tệp không có",
            "This element refers to the message with id «Message_Deleted», but the file",
        ),
        (
            "complex_gateway.bpmn",
            "Hệ thống chưa chạy được loại phần tử bpmn:complexGateway.",
            "This system cannot run elements of type bpmn:complexGateway yet.",
        ),
    ],
)
def test_dangling_references__the_deploy_page_says_what_to_fix(
    login: Any, tmp_path: Path, name: str, vietnamese: str, english: str
) -> None:
    path = tmp_path / name
    shutil.copy(REFUSED / name, path)
    client = login("quantri")
    page = refused_deploy(client, path)
    assert vietnamese in page and "AssertionError" not in page and "task type" not in page
    post(client, "/", "/lang/en")
    assert english in refused_deploy(client, path)
