"""An urgent tờ trình (Khẩn, Thượng khẩn, Hỏa tốc) is marked in its handlers' inbox and on the
task page: NĐ 30/2020 asks that it be issued and presented at once, and its shortened deadline
alone did not say why it came first."""

from __future__ import annotations

from typing import Any

from tests.office import TO_TRINH
from tests.web.test_web__dossier import _walk_until
from tests.web.test_web__inbox import _page, _proposal, _url


def test_urgency__an_urgent_document_is_marked_where_its_handlers_look(
    office: Any, login: Any
) -> None:
    item = _proposal(office)
    _walk_until(office, item, "soan_to_trinh")
    office.do("qlkh.cv1", item, "soan_to_trinh", **{**TO_TRINH, "do_khan": "hoa_toc"})
    head = login("qlkh.tp")
    url = _url(office, "qlkh.tp", item, "kiem_tra_noi_dung")
    inbox = _page(head, "/")
    row = inbox[inbox.index(url) :]
    assert '<span class="badge urgent">Hỏa tốc</span>' in row[: row.index("</tr>")]
    task = _page(head, url)
    heading = task[task.index('class="task-head"') :]
    assert '<span class="badge urgent">Hỏa tốc</span>' in heading[: heading.index("</header>")]


def test_urgency__an_ordinary_document_carries_no_mark(office: Any, login: Any) -> None:
    item = _proposal(office)
    _walk_until(office, item, "soan_to_trinh")
    office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)  # "thuong"
    head = login("qlkh.tp")
    assert "badge urgent" not in _page(head, "/")
    assert "badge urgent" not in _page(head, _url(office, "qlkh.tp", item, "kiem_tra_noi_dung"))
