"""Where people decide, as they see it: signing a tờ trình asks for the form of signature; a
return goes only to the step the person chose; and after each completion the flash says what
was done, without saying the choice twice, and where the item is now and who holds it."""

from __future__ import annotations

from typing import Any

import pytest

from tests.web.conftest import flashes, post
from tests.web.test_web__returns import _at, _checked


def _flashes(response: Any) -> list[str]:
    return flashes(response.get_data(as_text=True))


def _open(office: Any, login: Any, who: str, step: str) -> tuple[int, Any, str]:
    """An item of de_xuat_nhiem_vu at `step`: the item, `who` logged in, the step's page."""
    item = _at(office, "de_xuat_nhiem_vu", step)
    return item, login(who), f"/tasks/{office.task(who, item, step).id}"


@pytest.mark.parametrize(
    ("signer", "signature"),
    [("giamdoc", "Giám đốc ký"), ("phogiamdoc", "KT. GIÁM ĐỐC — Phó Giám đốc ký")],
)
def test_deciding__the_form_of_signature_follows_from_who_signs(
    office: Any, login: Any, signer: str, signature: str
) -> None:
    """Điều 13 NĐ 30/2020: the Director signs as such, a deputy for him (KT.); nobody chooses
    it, so no deputy can sign as the Director, and the item's page says which it was."""
    item, client, url = _open(office, login, signer, "ky_to_trinh")
    page = client.get(url).get_data(as_text=True)
    assert _checked(page, "hinh_thuc_ky") == [] and 'name="hinh_thuc_ky"' not in page
    # A value sent for it anyway (a page of ours has no such field) is not what counts.
    sent = {"decision": "ky", "hinh_thuc_ky": "giam_doc"}
    signed = post(client, url, url, sent, follow_redirects=True)
    assert _flashes(signed) == [
        f"Đã ký duyệt tờ trình — hồ sơ số {item} (Lãnh đạo Sở ký tờ trình). Hồ sơ đang ở bước "
        "«Văn thư cấp số, ngày văn bản», chờ Văn phòng Sở nhận xử lý."
    ]
    assert office.steps(item) == ["phat_hanh"]
    shown = client.get(f"/items/{item}").get_data(as_text=True)
    assert "<dt>Hình thức ký</dt>" in shown and signature in shown


def test_deciding__a_return_of_the_director_needs_him_to_choose_its_step(
    office: Any, login: Any
) -> None:
    """Nothing is chosen beforehand; a return goes where he sends it, to the person who did that
    step, and the flash names both; approving needs no step."""
    item, client, url = _open(office, login, "giamdoc", "quyet_dinh_giam_doc")
    assert _checked(client.get(url).get_data(as_text=True), "buoc_tra_lai") == []

    refused = post(client, url, url, {"decision": "tra_lai", "y_kien": "Bổ sung dự toán"})
    assert refused.status_code == 422
    assert "Hãy chọn bước nhận lại hồ sơ" in refused.get_data(as_text=True)

    returned = post(
        client,
        url,
        url,
        {"decision": "tra_lai", "buoc_tra_lai": "lap_phieu_de_xuat", "y_kien": "Bổ sung dự toán"},
        follow_redirects=True,
    )
    assert office.steps(item) == ["lap_phieu_de_xuat"]
    [said] = _flashes(returned)
    assert said.startswith(
        f"Đã trả lại hồ sơ số {item} (Giám đốc Sở xem xét, quyết định trình). Hồ sơ đang ở bước «"
    )
    assert ": Trả lại" not in said and "», do " in said


def test_deciding__approving_needs_no_step_to_return_to(office: Any, login: Any) -> None:
    item, client, url = _open(office, login, "giamdoc", "quyet_dinh_giam_doc")
    assert post(client, url, url, {"decision": "phe_duyet"}).status_code == 302
    assert office.steps(item) == ["soan_to_trinh"]


def test_deciding__a_return_says_where_the_item_went_and_who_holds_it(
    office: Any, login: Any
) -> None:
    item, client, url = _open(office, login, "qlkh.tp", "kiem_tra_noi_dung")
    returned = post(
        client,
        url,
        url,
        {"decision": "tra_lai", "y_kien": "Sửa căn cứ pháp lý"},
        follow_redirects=True,
    )
    assert office.steps(item) == ["soan_to_trinh"]
    assert _flashes(returned) == [
        f"Đã trả lại hồ sơ số {item} (Lãnh đạo đơn vị kiểm tra nội dung). Hồ sơ đang ở bước "
        "«Soạn thảo tờ trình», chờ Phòng Quản lý Khoa học nhận xử lý."
    ]
