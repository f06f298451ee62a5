"""A proposal from a unit to the chairman's approval, clicked through in Chromium by the people
who handle it, and found afterwards by an inspector in "Theo dõi" with its step on the diagram.
Every page each person sees is saved under test-output/screenshots/."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.office import Office

REASON = "Đề nghị bổ sung dự toán chi tiết"


def _open_task(person: Any, step_title: str) -> None:
    page = person.page
    page.goto(f"{person.base}/")
    row = page.locator("tr", has_text=step_title).first
    expect(row).to_be_visible()
    row.get_by_role("link", name="Xử lý").click()
    page.wait_for_load_state("networkidle")


def _office(live: dict[str, Any]) -> Office:
    from workflows import engine_config

    office = Office.__new__(Office)
    office.factory = live["app"].extensions["pheduyet.sessions"]
    office.clock = live["clock"]
    office.config = engine_config(live["clock"])
    return office


def test_browser__a_proposal_returned_revised_and_approved(people: Any, live: Any) -> None:
    staff = people("trungtam.cv1")
    page = staff.page
    page.goto(f"{staff.base}/items/new")
    staff.shot("tao-moi")
    start = page.locator("form[action$='/items/new/de_xuat_nhiem_vu']")
    start.get_by_role("button", name="Tạo hồ sơ").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Lập phiếu đề xuất nhiệm vụ").first).to_be_visible()
    page.get_by_label("Tên nhiệm vụ").fill("Chuỗi liên kết sản xuất lúa gạo BG1")
    page.get_by_label("Nông nghiệp").check()
    page.get_by_label("Tính cấp thiết").fill("Nâng cao giá trị lúa gạo của tỉnh")
    page.get_by_label("Mục tiêu").fill("Xây dựng mô hình chuỗi liên kết 50 ha")
    page.get_by_label("Kết quả dự kiến").fill("Mô hình, quy trình kỹ thuật")
    page.get_by_label("Thời gian thực hiện (tháng)").fill("24")
    staff.shot("phieu-de-xuat")
    page.get_by_role("button", name="Trình", exact=True).click()
    page.wait_for_load_state("networkidle")
    expect(page.locator(".flash")).to_be_visible()
    staff.shot("da-trinh")

    reviewer = people("qlkh.cv1")
    _open_task(reviewer, "Xem xét, tổng hợp đề xuất")
    reviewer.shot("xem-xet")
    reviewer.page.get_by_role("button", name="Trả lại", exact=True).click()
    reviewer.page.wait_for_load_state("networkidle")
    expect(reviewer.page.get_by_text("Trả lại phải nêu lý do").first).to_be_visible()
    reviewer.shot("tra-lai-thieu-ly-do")
    reviewer.page.get_by_label("Ý kiến xử lý").fill(REASON)
    reviewer.page.get_by_role("button", name="Trả lại", exact=True).click()
    reviewer.page.wait_for_load_state("networkidle")
    reviewer.shot("da-tra-lai")

    _open_task(staff, "Lập phiếu đề xuất nhiệm vụ")
    expect(page.get_by_text("Lý do trả lại").first).to_be_visible()
    expect(page.get_by_text(REASON).first).to_be_visible()
    staff.shot("doc-ly-do")
    page.get_by_label("Kinh phí dự kiến (đồng)").fill("900000000")
    page.get_by_role("button", name="Trình", exact=True).click()
    page.wait_for_load_state("networkidle")

    _open_task(reviewer, "Xem xét, tổng hợp đề xuất")
    reviewer.page.get_by_role("button", name="Đạt, trình Hội đồng", exact=True).click()
    reviewer.page.wait_for_load_state("networkidle")

    council = people("hoidong")
    _open_task(council, "Hội đồng tư vấn")
    for criterion in (
        "Đạt tiêu chí: có tính cấp thiết",
        "Đạt tiêu chí: quan trọng đối với nhiều ngành",
        "Đạt tiêu chí: không trùng lặp",
        "Đạt tiêu chí: cần nguồn lực của tỉnh",
    ):
        council.page.get_by_label(criterion).check()
    council.page.get_by_label("Số biên bản họp hội đồng").fill("05/BB-HĐTV")
    minutes = {"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}
    council.page.locator("input[type=file]").first.set_input_files(minutes)  # it is asked
    council.shot("hoi-dong")
    council.page.get_by_role("button", name="Đề nghị thực hiện", exact=True).click()
    council.page.wait_for_load_state("networkidle")

    director = people("giamdoc")
    _open_task(director, "Giám đốc Sở xem xét, quyết định trình")
    director.shot("giam-doc")
    director.page.get_by_role("button", name="Đồng ý trình UBND tỉnh").click()
    director.page.wait_for_load_state("networkidle")

    # The tờ trình's own steps (drafted, checked, signed, numbered, received) go quickly through
    # the engine; the chairman decides in the browser.
    office = _office(live)
    [item] = {t.instance_id for t in office.inbox("qlkh.cv1")}
    office.submit_to_ubnd(item, "qlkh.cv1", "qlkh.tp")
    chairman = people("chutich")
    _open_task(chairman, "Lãnh đạo UBND tỉnh cho ý kiến chỉ đạo")
    # The approval is recorded with the decision's number and date of signing.
    chairman.page.get_by_label("Số quyết định", exact=True).fill("1234/QĐ-UBND")
    chairman.page.get_by_label("Ngày ký", exact=True).fill("02/03/2026")  # signed today
    chairman.shot("chu-tich")
    chairman.page.get_by_role("button", name="Đồng ý", exact=True).click()
    chairman.page.wait_for_load_state("networkidle")
    assert office.show(item).status == "completed"

    inspector = people("tt.tp")
    inspector.page.goto(f"{inspector.base}/monitor/")
    inspector.shot("theo-doi")
    # A second proposal still waiting, to find on the monitor and on its diagram.
    waiting = office.start("de_xuat_nhiem_vu", "cs.cv1")
    office.do(
        "cs.cv1",
        waiting,
        "lap_phieu_de_xuat",
        ten_nhiem_vu="Mô hình nấm ăn",
        linh_vuc="nong_nghiep",
        tinh_cap_thiet="Cần thiết",
        muc_tieu="Mô hình",
        ket_qua_du_kien="Quy trình",
    )
    inspector.page.goto(f"{inspector.base}/monitor/?q={waiting}")
    row = inspector.page.locator("tr", has_text="Xem xét, tổng hợp đề xuất").first
    expect(row).to_be_visible()
    inspector.shot("theo-doi-loc")
    inspector.page.goto(f"{inspector.base}/items/{waiting}")
    current = inspector.page.locator("g.djs-element.pd-current")
    expect(current.first).to_be_visible(timeout=10_000)
    inspector.shot("so-do-ho-so")
    inspector.page.goto(f"{inspector.base}/items/{item}")
    expect(inspector.page.get_by_text(REASON).first).to_be_visible()
    inspector.shot("ho-so-da-duyet")
