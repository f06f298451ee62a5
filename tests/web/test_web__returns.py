"""Returning never breaks, in the browser: at every decision whose return offers a choice of
step, no step comes preselected (a return goes only where the person sends it); a return sent
without a step is refused (422) with the form's message next to the field, never "Quy trình gặp
lỗi"; with the step, the item goes there."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.test_processes__returns import PATHS
from tests.web.conftest import post

# (process, who decides, step, a step to return to, where a return there lands, reason)
RETURNS_WITH_A_CHOICE = [
    (
        "de_xuat_nhiem_vu",
        "giamdoc",
        "quyet_dinh_giam_doc",
        "danh_gia_hoi_dong",
        "danh_gia_hoi_dong",
        "y_kien",
    ),
    ("de_xuat_nhiem_vu", "chutich", "chi_dao", "soan_to_trinh", "soan_to_trinh", "y_kien_chi_dao"),
    ("xay_dung_quy_dinh", "chutich", "chi_dao", "soan_to_trinh", "soan_to_trinh", "y_kien_chi_dao"),
]


def _at(office: Any, process: str, step: str) -> int:
    starter, data, steps = PATHS[process]
    item = office.start(process, starter, **data)
    for who, name, values in steps[: [s for _w, s, _v in steps].index(step)]:
        office.do(who, item, name, **values)
    return int(item)


def _checked(html: str, name: str) -> list[str]:
    return re.findall(
        rf'<input type="radio" id="[^"]+" name="{name}" value="([^"]+)" checked>', html
    )


@pytest.mark.parametrize(
    ("process", "who", "step", "target", "lands_at", "reason"), RETURNS_WITH_A_CHOICE
)
def test_returns__a_return_without_its_step_is_refused_next_to_the_field(
    office: Any,
    login: Any,
    process: str,
    who: str,
    step: str,
    target: str,
    lands_at: str,
    reason: str,
) -> None:
    item = _at(office, process, step)
    client = login(who)
    url = f"/tasks/{office.task(who, item, step).id}"
    page = client.get(url).get_data(as_text=True)
    assert _checked(page, "buoc_tra_lai") == []  # none chosen for the person
    assert "Bắt buộc khi chọn: Trả lại" in page

    refused = post(client, url, url, {"decision": "tra_lai", reason: "Làm rõ kinh phí"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert '<p class="error" id="f-buoc_tra_lai-error">Hãy chọn bước nhận lại hồ sơ</p>' in html
    field = html[html.index('id="f-buoc_tra_lai"') : html.index('id="f-buoc_tra_lai-error"')]
    assert "<legend>Trả lại về bước" in field  # the message sits in the field's own fieldset
    assert "Quy trình gặp lỗi" not in html and "báo quản trị viên" not in html
    assert ">Làm rõ kinh phí</textarea>" in html  # what was typed is kept
    assert office.steps(item) == [step]

    sent = post(
        client,
        url,
        url,
        {"decision": "tra_lai", "buoc_tra_lai": target, reason: "Làm rõ kinh phí"},
    )
    assert sent.status_code == 302
    assert office.steps(item) == [lands_at]
