"""The box a return or a refusal writes its reason in: one box whatever the decision (the
decision is the button pressed), named by the step, its hint saying which decisions need it,
and a missing reason said by the decision that needs it."""

from __future__ import annotations

from typing import Any

from tests.web.conftest import post
from tests.web.test_web__dossier import PROPOSAL_STEPS, _walk_until
from tests.web.test_web__inbox import _page, _proposal, _url


def _box(page: str, name: str) -> str:
    """The field's block: from its label to the end of its notes."""
    start = page.index(f'<label for="f-{name}">')
    return page[start : page.index("</div>", start)]


def test_reason_box__a_return_is_told_its_reason_is_required_there(office: Any, login: Any) -> None:
    item = _proposal(office)
    reviewer = login("qlkh.cv1")
    url = _url(office, "qlkh.cv1", item, "xem_xet_de_xuat")
    box = _box(_page(reviewer, url), "y_kien")
    assert '<label for="f-y_kien">Ý kiến xử lý</label>' in box
    assert "Bắt buộc khi chọn: Trả lại</" in box
    assert " / " not in box


def test_reason_box__the_councils_refusal_names_itself(office: Any, login: Any) -> None:
    item = _proposal(office)
    _walk_until(office, item, "danh_gia_hoi_dong")
    council = login("hoidong")
    url = _url(office, "hoidong", item, "danh_gia_hoi_dong")
    box = _box(_page(council, url), "y_kien")
    assert "Bắt buộc khi chọn: Không đề nghị thực hiện</" in box

    sent = {k: ("on" if v is True else str(v)) for k, v in PROPOSAL_STEPS[2][2].items()}
    refused = post(council, url, url, {**sent, "ket_luan": "khong_de_nghi"})
    assert refused.status_code == 422
    html = refused.get_data(as_text=True)
    assert "Không đề nghị thực hiện phải nêu lý do" in html
    assert "Trả lại phải nêu lý do" not in html  # the council returns nothing
    assert "danh_gia_hoi_dong" in office.steps(item)
