"""The processes this department offers: their titles in both languages and who may start them.
A deployed process not listed here is offered as its model says (workflows/items.py, which
answers "what may this person start" for both kinds)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class CatalogEntry:
    process_id: str
    title_vi: str
    title_en: str
    description_vi: str
    description_en: str
    # Group keys whose members may start it; empty: anyone; None: only called by other processes.
    starters: tuple[str, ...] | None
    # Data an item starts with when a person starts it by hand (no plan behind it).
    start_data: dict[str, Any] = field(default_factory=dict)
    # The form field that names the item: once filled, the item takes it as its title.
    title_field: str | None = None
    # Fields of the start event's form a person starting it by hand fills in (a program, such
    # as the plan's import, fills in the whole form).
    start_asks: tuple[str, ...] = ()


CATALOG: tuple[CatalogEntry, ...] = (
    CatalogEntry(
        "de_xuat_nhiem_vu",
        "Đề xuất nhiệm vụ khoa học và công nghệ",
        "Propose a science and technology task",
        "Lập phiếu đề xuất nhiệm vụ KH&CN cấp tỉnh để Sở xem xét, trình UBND tỉnh phê duyệt.",
        "Fill in a proposal for a provincial science and technology task, for the Department to "
        "review and submit to the provincial People's Committee for approval.",
        (),
        title_field="ten_nhiem_vu",
    ),
    CatalogEntry(
        "xac_dinh_nhiem_vu_nam",
        "Xác định nhiệm vụ khoa học và công nghệ cấp tỉnh hằng năm",
        "Yearly identification of provincial S&T tasks",
        "Thông báo đề xuất với hạn nộp, tổng hợp danh mục của năm, Hội đồng tư vấn đánh giá "
        "từng đề xuất, trình UBND tỉnh một tờ trình, công bố và thông báo kết quả.",
        "Announce the call for proposals and its deadline, compile the year's list, have the "
        "advisory council assess each proposal, submit one report to the provincial People's "
        "Committee, then publish and announce the result.",
        ("phong_qlkh", "lanh_dao_so"),
        title_field="trich_yeu_thong_bao",
    ),
    CatalogEntry(
        "xay_dung_quy_dinh",
        "Xây dựng dự thảo quy định",
        "Draft a regulation",
        "Giao soạn thảo, lấy ý kiến, thẩm định và trình UBND tỉnh ban hành một quy định.",
        "Assign the drafting of a regulation, collect comments, have it appraised and submit it "
        "to the provincial People's Committee for issue.",
        ("lanh_dao_so",),
        title_field="ten_du_thao",
    ),
    CatalogEntry(
        "giao_nhiem_vu",
        "Giao nhiệm vụ theo kế hoạch",
        "Assign a planned task",
        "Giao một nhiệm vụ của kế hoạch cho đơn vị chủ trì, theo dõi đến khi hoàn thành.",
        "Assign a task of the plan to a lead unit and follow it until it is done.",
        ("lanh_dao_so", "van_phong_so"),
        # Started by hand, the leadership first names the lead unit and the deadline.
        {
            "section": None,
            "don_vi_chu_tri": None,
            "don_vi_phoi_hop": [],
            "loai_han": "none",
            "gia_tri_han": None,
        },
        # What the task is, so the leadership knows what they assign; it names the item too.
        title_field="noi_dung_day_du",
        start_asks=("noi_dung_day_du",),
    ),
    CatalogEntry(
        "trinh_ubnd",
        "Trình UBND tỉnh",
        "Submit to the People's Committee",
        "Tờ trình gửi UBND tỉnh; dùng trong các quy trình khác.",
        "A submission to the provincial People's Committee; used within other processes.",
        None,
        title_field="trich_yeu",
    ),
    CatalogEntry(
        "thuc_hien_nhiem_vu",
        "Thực hiện nhiệm vụ được giao",
        "Carry out an assigned task",
        "Phần thực hiện của quy trình Giao nhiệm vụ theo kế hoạch.",
        "The carrying-out part of the process Assign a planned task.",
        None,
    ),
)


def entry(process_id: str) -> CatalogEntry | None:
    return next((e for e in CATALOG if e.process_id == process_id), None)


def may_start(process_id: str, groups: tuple[str, ...], unit: str | None = None) -> bool:
    """Whether a person of these groups (and this unit, which counts as a group) may start it."""
    found = entry(process_id)
    if found is None or found.starters is None:
        return False
    mine = set(groups) | ({unit} if unit else set())
    return not found.starters or bool(set(found.starters) & mine)
