"""`pheduyet demo`: a living office for a newcomer. Loads the org chart, deploys the diagrams,
imports the department's plan (its 2020 deadlines make the overdue view real) and moves a few
proposals and drafts to different steps, as if the last weeks had happened. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

import engine
from engine import ManualClock, SourceFile, transaction

from .config import engine_config
from .org_chart import load_org_chart, read_org_chart
from .plan_assign import start_assignments
from .plan_import import find_assignments, read_plan

DEMO_PASSWORD = "pheduyet2026"
BPMN_DIR = Path(__file__).resolve().parents[1] / "bpmn"
PLAN = Path(__file__).parent / "data" / "ke_hoach_2020.txt"
PLAN_IMPORTER = "vp.tp"
DAYS_OF_HISTORY = 24

TO_TRINH = {
    "trich_yeu": "Về việc phê duyệt danh mục nhiệm vụ khoa học và công nghệ cấp tỉnh",
    "noi_dung_to_trinh": "Sở Khoa học và Công nghệ kính trình UBND tỉnh xem xét, phê duyệt.",
    "do_khan": "thuong",
    "do_mat": "thuong",
}
PROPOSALS = [
    (
        "Nghiên cứu đánh giá trình độ công nghệ doanh nghiệp tỉnh giai đoạn 2020-2025",
        "trungtam.cv1",
        "cong_nghiep",
    ),
    ("Phần mềm chấm điểm áp dụng ISO 9001 tại cơ quan hành chính", "chicuc.cv1", "ky_thuat"),
    ("Chuỗi liên kết sản xuất, chế biến, tiêu thụ lúa gạo giống BG1", "cs.cv1", "nong_nghiep"),
    ("Ứng dụng chế phẩm sinh học xử lý phụ phẩm chăn nuôi", "cntt.cv1", "nong_nghiep"),
]
DRAFTS = [
    (
        "Quy định định mức xây dựng, phân bổ dự toán và quyết toán kinh phí nhiệm vụ KH&CN",
        "phong_khtc",
        ["phong_qlkh", "van_phong_so", "thanh_tra_so"],
    ),
    (
        "Quy định quản lý, tổ chức thực hiện nhiệm vụ KH&CN sử dụng ngân sách nhà nước",
        "phong_qlkh",
        ["phong_qlkhcn_cs", "phong_khtc"],
    ),
]


@dataclass(frozen=True)
class DemoReport:
    people: int
    deployed: list[engine.DeployResult]
    plan_items: int
    demo_items: int
    logins: list[tuple[str, str]]


def bpmn_files(folder: Path = BPMN_DIR) -> list[SourceFile]:
    return [
        SourceFile(str(p), p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.suffix.lower() in (".bpmn", ".dmn", ".json")
    ]


class _Office:
    """Acts as the demo's people, one transaction per action, on a clock that moves on."""

    def __init__(self, factory: sessionmaker[Session], clock: ManualClock) -> None:
        self.factory = factory
        self.clock = clock
        self.config = engine_config(clock)

    def start(self, process_id: str, who: str, title: str, **data: Any) -> int:
        with transaction(self.factory) as s:
            return engine.start_instance(s, self.config, process_id, who, title=title, data=data)

    def do(self, who: str, item: int, step: str, comment: str | None = None, **data: Any) -> None:
        self.clock.advance(timedelta(hours=8))
        with transaction(self.factory) as s:
            task = next(
                t
                for t in engine.tasks_for(s, who)
                if t.instance_id == item and t.element_id == step
            )
            engine.complete_task(s, self.config, task.id, who, data=data, comment=comment)


def load_demo(factory: sessionmaker[Session], now: datetime) -> DemoReport:
    chart = read_org_chart()
    start = now - timedelta(days=DAYS_OF_HISTORY)
    clock = ManualClock(start)
    config = engine_config(clock)
    with transaction(factory) as s:
        people = load_org_chart(s, chart, password=DEMO_PASSWORD)
        deployed = engine.deploy(s, bpmn_files(), clock)
    with transaction(factory) as s:
        fresh = not engine.instance_titles(s, "de_xuat_nhiem_vu")
        plan = start_assignments(s, config, find_assignments(read_plan(PLAN)), chart, PLAN_IMPORTER)
    demo_items = _act_out_the_weeks(factory, clock) if fresh else 0
    clock.set(now)
    engine.run_due_timers(factory, engine_config(clock))
    logins = [(p.username, f"{p.name} — {p.title}") for p in chart.people]
    return DemoReport(people, deployed, sum(1 for p in plan if p.instance_id), demo_items, logins)


def _act_out_the_weeks(factory: sessionmaker[Session], clock: ManualClock) -> int:
    office = _Office(factory, clock)
    items = []
    for title, who, field in PROPOSALS:
        clock.advance(timedelta(days=1))
        item = office.start("de_xuat_nhiem_vu", who, title)
        office.do(
            who,
            item,
            "lap_phieu_de_xuat",
            ten_nhiem_vu=title,
            linh_vuc=field,
            tinh_cap_thiet="Phục vụ phát triển kinh tế - xã hội của tỉnh",
            muc_tieu="Xác định giải pháp phù hợp với thực tiễn của tỉnh",
            ket_qua_du_kien="Báo cáo, mô hình ứng dụng",
            thoi_gian_thang=24,
            kinh_phi_du_kien=900_000_000,
        )
        items.append(item)
    _waiting, returned, at_ubnd, approved = items  # the first stays with Phòng QLKH
    office.do(
        "qlkh.cv1",
        returned,
        "xem_xet_de_xuat",
        decision="tra_lai",
        y_kien="Đề nghị bổ sung dự toán chi tiết và tính cấp thiết",
        comment="Đề nghị bổ sung dự toán chi tiết và tính cấp thiết",
    )
    for item in (at_ubnd, approved):
        office.do("qlkh.cv2", item, "xem_xet_de_xuat", decision="dong_y")
        office.do(
            "hoidong",
            item,
            "danh_gia_hoi_dong",
            ket_luan="de_nghi",
            tc_cap_thiet=True,
            tc_quan_trong=True,
            tc_khong_trung_lap=True,
            tc_nguon_luc=True,
            so_bien_ban="05/BB-HĐTV",
        )
        office.do("giamdoc", item, "quyet_dinh_giam_doc", decision="phe_duyet")
        office.do("qlkh.cv1", item, "soan_to_trinh", **TO_TRINH)
        office.do("qlkh.tp", item, "kiem_tra_noi_dung", decision="dong_y")
    for step, who, data in (
        ("kiem_tra_the_thuc", "vp.vanthu", {"decision": "dong_y"}),
        ("ky_to_trinh", "giamdoc", {"decision": "ky", "hinh_thuc_ky": "giam_doc"}),
        (
            "phat_hanh",
            "vp.vanthu",
            {"so_van_ban": 112, "ngay_ban_hanh": clock().date().isoformat()},
        ),
        ("tiep_nhan", "vpubnd", {"so_den": 3021}),
        ("chi_dao", "chutich", {"decision": "phe_duyet"}),
    ):
        office.do(who, approved, step, **data)
    for title, unit, consulted in DRAFTS:
        clock.advance(timedelta(days=1))
        item = office.start("xay_dung_quy_dinh", "giamdoc", title)
        office.do(
            "giamdoc",
            item,
            "giao_soan_thao",
            ten_du_thao=title,
            don_vi_soan_thao=unit,
            don_vi_lay_y_kien=consulted,
            han_gop_y_ngay=7,
        )
        drafter = "khtc.cv1" if unit == "phong_khtc" else "qlkh.cv1"
        office.do(drafter, item, "soan_du_thao", tom_tat_du_thao=f"Dự thảo {title}")
        items.append(item)
    office.do("qlkh.cv2", items[-2], "gop_y", ket_qua_gop_y="thong_nhat")
    for unit_user in ("cs.cv1", "khtc.cv1"):
        office.do(unit_user, items[-1], "gop_y", ket_qua_gop_y="thong_nhat")
    office.do(
        "qlkh.cv1",
        items[-1],
        "tong_hop_y_kien",
        bao_cao_tong_hop="Các đơn vị thống nhất với dự thảo",
    )
    return len(items)
