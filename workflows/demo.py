"""`pheduyet demo`: a living office for a newcomer. Loads the org chart, deploys the diagrams,
imports the department's plan as a plan of the current year (its deadlines moved to this year,
its text as written) and acts out the last weeks: the leadership assigns the plan's open tasks,
units report progress, proposals and drafts stand at different steps, so that every role finds
something in its inbox. Most steps are within their deadline; a few are overdue on purpose.
Idempotent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

import engine
from engine import ManualClock, SourceFile, transaction

from .calendar import DEFAULT_ZONE
from .config import engine_config
from .demo_documents import draft_pdf
from .org_chart import CHART_2020_PATH, OrgChart, load_org_chart, read_org_chart
from .plan_assign import Started, start_assignments
from .plan_import import Assignment, find_assignments, read_plan
from .plan_units import recognising, registry_of
from .plan_year import in_year

DEMO_PASSWORD = "pheduyet2026"
BPMN_DIR = Path(__file__).resolve().parents[1] / "bpmn"
PLAN = Path(__file__).parent / "data" / "ke_hoach_2020.txt"
PLAN_IMPORTER = "vp.tp"
DAYS_OF_HISTORY = 24
TIMER_ROUNDS = 5  # a timer may start another that is due as well (a reminder, then overdue)


@dataclass(frozen=True)
class Proposal:
    """A proposal of the demo and the step it waits at (None: it went all the way)."""

    title: str
    proposer: str
    area: str  # linh_vuc
    need: str
    goal: str
    results: str
    months: int
    budget: int
    waits_at: str | None
    waiting_days: float  # how long it has waited there, in days
    days_per_step: float

    def form(self) -> dict[str, Any]:
        return {
            "ten_nhiem_vu": self.title,
            "linh_vuc": self.area,
            "tinh_cap_thiet": self.need,
            "muc_tieu": self.goal,
            "ket_qua_du_kien": self.results,
            "thoi_gian_thang": self.months,
            "kinh_phi_du_kien": self.budget,
        }


PROPOSALS = [
    Proposal(
        "Nghiên cứu đánh giá trình độ công nghệ doanh nghiệp tỉnh giai đoạn 2020-2025",
        "trungtam.cv1",
        "cong_nghiep",
        "Tỉnh chưa có số liệu đánh giá trình độ công nghệ của doanh nghiệp để xây dựng chính "
        "sách hỗ trợ đổi mới công nghệ.",
        "Đánh giá trình độ công nghệ của 300 doanh nghiệp theo Thông tư 17/2019/TT-BKHCN; đề "
        "xuất giải pháp nâng cao.",
        "Báo cáo đánh giá theo ngành; cơ sở dữ liệu doanh nghiệp; đề xuất chính sách.",
        18,
        850_000_000,
        "xem_xet_de_xuat",
        3,
        1,
    ),
    Proposal(
        "Phần mềm chấm điểm áp dụng ISO 9001 tại cơ quan hành chính",
        "chicuc.cv1",
        "ky_thuat",
        "Việc chấm điểm áp dụng ISO 9001 tại các cơ quan hành chính đang làm thủ công.",
        "Xây dựng phần mềm chấm điểm trực tuyến, dùng chung cho các sở, ngành và huyện.",
        "Phần mềm chạy thử tại 10 cơ quan; tài liệu hướng dẫn sử dụng.",
        12,
        450_000_000,
        "lap_phieu_de_xuat",  # returned by Phòng Quản lý Khoa học, see RETURN_REASON
        5,
        2,
    ),
    Proposal(
        "Chuỗi liên kết sản xuất, chế biến, tiêu thụ lúa gạo giống BG1",
        "cs.cv1",
        "nong_nghiep",
        "Giống lúa BG1 cho chất lượng cao nhưng sản xuất còn nhỏ lẻ, chưa có đầu ra ổn định.",
        "Hình thành chuỗi liên kết 100 ha từ sản xuất đến tiêu thụ gạo BG1.",
        "Mô hình chuỗi liên kết; quy trình kỹ thuật; nhãn hiệu gạo BG1.",
        24,
        1_200_000_000,
        "kiem_tra_the_thuc",
        0.2,
        2,
    ),
    Proposal(
        "Ứng dụng chế phẩm sinh học xử lý phụ phẩm chăn nuôi",
        "cntt.cv1",
        "nong_nghiep",
        "Phụ phẩm chăn nuôi chưa được xử lý gây ô nhiễm môi trường nông thôn.",
        "Ứng dụng chế phẩm sinh học xử lý phụ phẩm làm phân bón hữu cơ tại 3 huyện.",
        "Mô hình xử lý; 500 tấn phân hữu cơ; tài liệu tập huấn.",
        24,
        900_000_000,
        None,
        2,
        1.5,
    ),
    Proposal(
        "Giải pháp nâng cao chất lượng vải thiều theo tiêu chuẩn VietGAP",
        "cn.cv1",
        "nong_nghiep",
        "Vải thiều là sản phẩm chủ lực; tỷ lệ diện tích đạt VietGAP còn thấp.",
        "Nâng tỷ lệ diện tích vải thiều đạt VietGAP; xây dựng vùng nguyên liệu xuất khẩu.",
        "Quy trình canh tác; mô hình 50 ha; hướng dẫn truy xuất nguồn gốc.",
        24,
        1_050_000_000,
        "danh_gia_hoi_dong",
        4,
        2,
    ),
    Proposal(
        "Ứng dụng chuyển đổi số trong quản lý hồ sơ thủ tục hành chính cấp xã",
        "vp.cv2",
        "ky_thuat",
        "Hồ sơ thủ tục hành chính cấp xã còn lưu trữ giấy, khó tra cứu và liên thông.",
        "Số hóa và quản lý hồ sơ thủ tục hành chính tại 20 xã thí điểm.",
        "Hệ thống quản lý hồ sơ; quy trình số hóa; báo cáo đánh giá thí điểm.",
        18,
        700_000_000,
        "quyet_dinh_giam_doc",
        1,
        3,
    ),
    Proposal(
        "Đánh giá thực trạng và giải pháp phát triển thị trường khoa học và công nghệ tỉnh",
        "cntt.cv1",
        "xa_hoi",
        "Giao dịch công nghệ trên địa bàn tỉnh còn ít, chưa có tổ chức trung gian hoạt động "
        "hiệu quả.",
        "Đánh giá cung, cầu công nghệ; đề xuất giải pháp phát triển thị trường.",
        "Báo cáo thực trạng; đề án phát triển sàn giao dịch công nghệ.",
        12,
        500_000_000,
        "kiem_tra_noi_dung",
        0.5,
        2,
    ),
    Proposal(
        "Nghiên cứu sản xuất giá thể hữu cơ từ phụ phẩm nông nghiệp",
        "trungtam.cv1",
        "nong_nghiep",
        "Rơm rạ và phụ phẩm nông nghiệp phần lớn bị đốt bỏ ngoài đồng.",
        "Làm chủ quy trình sản xuất giá thể hữu cơ cho rau, hoa.",
        "Quy trình sản xuất; 200 tấn giá thể; mô hình ứng dụng.",
        18,
        650_000_000,
        "tiep_nhan",
        0.25,
        1.5,
    ),
    Proposal(
        "Xây dựng bản đồ số vùng trồng cây ăn quả chủ lực của tỉnh",
        "cs.cv1",
        "ky_thuat",
        "Chưa có dữ liệu không gian vùng trồng để quản lý mã số vùng trồng.",
        "Xây dựng bản đồ số và cơ sở dữ liệu vùng trồng vải, cam, bưởi.",
        "Bản đồ số; cơ sở dữ liệu; phần mềm tra cứu trên điện thoại.",
        15,
        800_000_000,
        "chi_dao",
        2,
        1.5,
    ),
]
RETURN_REASON = "Đề nghị bổ sung dự toán chi tiết và làm rõ tính cấp thiết"

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

# The plan's tasks the leadership assigned (section, words of the summary, lead unit, days from
# now to the deadline: below zero, overdue on purpose). II.1 is left for the leadership.
ASSIGNED = [
    ("II.2", "Rà soát lại chức năng", "van_phong_so", 25),
    ("II.4.2", "bổ sung 03 nhiệm vụ", "phong_qlkh", -3),
    ("II.4.2", "Hội nghị sơ kết", "phong_qlkh", 45),
    ("II.4.2", "tổng kết", "phong_qlkh", 60),
]


@dataclass(frozen=True)
class FirstStep:
    """What one login should try first; ``steps``: what the demo leaves in their inbox for it."""

    username: str
    role: str
    hint: str
    steps: tuple[str, ...] = ()


FIRST_STEPS = [
    FirstStep(
        "qlkh.cv1",
        "chuyên viên Phòng Quản lý Khoa học",
        "xem xét đề xuất đang chờ (Việc cần xử lý)",
        ("xem_xet_de_xuat",),
    ),
    FirstStep(
        "qlkh.tp",
        "Trưởng phòng Quản lý Khoa học",
        "kiểm tra nội dung tờ trình trước khi trình ký",
        ("kiem_tra_noi_dung",),
    ),
    FirstStep(
        "hoidong",
        "thư ký Hội đồng tư vấn",
        "đánh giá đề xuất theo 4 tiêu chí, ghi số biên bản họp",
        ("danh_gia_hoi_dong",),
    ),
    FirstStep(
        "giamdoc",
        "Giám đốc Sở",
        "quyết định đề xuất đã qua hội đồng; đánh giá kết quả nhiệm vụ; "
        "phân công mục II.1 của kế hoạch; đôn đốc nhiệm vụ quá hạn",
        ("quyet_dinh_giam_doc", "danh_gia_ket_qua", "phan_cong", "don_doc"),
    ),
    FirstStep(
        "vp.vanthu",
        "văn thư Văn phòng Sở",
        "kiểm tra thể thức tờ trình",
        ("kiem_tra_the_thuc",),
    ),
    FirstStep(
        "vpubnd",
        "văn thư Văn phòng UBND tỉnh",
        "tiếp nhận tờ trình của Sở, trình lãnh đạo UBND tỉnh",
        ("tiep_nhan",),
    ),
    FirstStep(
        "chutich",
        "Phó Chủ tịch UBND tỉnh",
        "cho ý kiến chỉ đạo về tờ trình của Sở (phê duyệt hoặc trả lại)",
        ("chi_dao",),
    ),
    FirstStep(
        "chicuc.cv1",
        "chuyên viên Chi cục Tiêu chuẩn Đo lường Chất lượng",
        "đọc lý do trả lại, bổ sung phiếu đề xuất rồi trình lại",
        ("lap_phieu_de_xuat",),
    ),
    FirstStep(
        "trungtam.cv1",
        "viên chức Trung tâm Ứng dụng khoa học và công nghệ",
        "cập nhật tiến độ nhiệm vụ kế hoạch của Trung tâm; “Tạo mới” một đề xuất",
        ("cap_nhat_tien_do",),
    ),
    FirstStep(
        "tuphap",
        "chuyên viên Sở Tư pháp",
        "thẩm định dự thảo quy định",
        ("tham_dinh",),
    ),
    FirstStep(
        "vp.tp",
        "Chánh Văn phòng Sở",
        "góp ý dự thảo quy định; kiểm tra thể thức tờ trình",
        ("gop_y", "kiem_tra_the_thuc"),
    ),
    FirstStep(
        "tt.tp",
        "Chánh Thanh tra Sở",
        "xem “Theo dõi” (hồ sơ nào đang ở đâu, việc nào quá hạn); góp ý dự thảo quy định",
        ("gop_y",),
    ),
    FirstStep(
        "quantri",
        "quản trị hệ thống",
        "vào “Quản trị” xem quy trình và phiên bản, người dùng, đơn vị",
    ),
]


@dataclass(frozen=True)
class DemoReport:
    people: int
    deployed: list[engine.DeployResult]
    plan_items: int
    demo_items: int
    logins: list[tuple[str, str]]  # (username, what to try first, or who they are)


def bpmn_files(folder: Path = BPMN_DIR) -> list[SourceFile]:
    return [
        SourceFile(str(p), p.read_bytes())
        for p in sorted(folder.rglob("*"))
        if p.suffix.lower() in (".bpmn", ".dmn", ".json")
    ]


def plan_assignments(year: int) -> list[Assignment]:
    """The department's plan, as a plan of ``year``."""
    return in_year(find_assignments(read_plan(PLAN)), year)


def load_demo(factory: sessionmaker[Session], now: datetime, store: Path) -> DemoReport:
    """Load the demo office as of ``now``, its drafts' files in ``store`` (the upload folder);
    an office already acted out is left as it is."""
    chart = read_org_chart(CHART_2020_PATH)  # the chart the 2020 plan names
    clock = ManualClock(_history_starts(now))
    config = engine_config(clock)
    with transaction(factory) as s:
        people = load_org_chart(s, chart, password=DEMO_PASSWORD)
        deployed = engine.deploy(s, bpmn_files(), clock)
    with transaction(factory) as s:
        fresh = not engine.instance_titles(s, "de_xuat_nhiem_vu")
        year = now.astimezone(DEFAULT_ZONE).year
        with recognising(registry_of(s)):  # the units as the database has them
            assignments = plan_assignments(year)
        plan = start_assignments(s, config, assignments, chart, PLAN_IMPORTER)
    demo_items = _act_out_the_weeks(_Office(factory, clock, now, store), plan) if fresh else 0
    clock.set(now)
    for _ in range(TIMER_ROUNDS):
        if not engine.run_due_timers(factory, engine_config(clock)):
            break
    return DemoReport(
        people,
        deployed,
        sum(1 for p in plan if p.instance_id),
        demo_items,
        _logins(factory, chart),
    )


def _history_starts(now: datetime) -> datetime:
    """When the acted-out weeks begin: DAYS_OF_HISTORY ago, but never in last year, so that
    the plan of this year is imported in this year (a yearly task's deadline is the end of the
    year it is imported in): early in January the weeks are squeezed into the days gone by."""
    weeks_ago = now - timedelta(days=DAYS_OF_HISTORY)
    new_year = datetime(now.astimezone(DEFAULT_ZONE).year, 1, 1, 8, tzinfo=DEFAULT_ZONE)
    if now - new_year < timedelta(days=1):
        return weeks_ago  # too few hours of this year to act the weeks in
    return max(weeks_ago, new_year)


def _logins(factory: sessionmaker[Session], chart: OrgChart) -> list[tuple[str, str]]:
    """Every login with what to try first: the hints of FIRST_STEPS, then for everyone else
    who they are and what waits in their inbox."""
    units = {u.key: u.name for u in chart.units}
    hinted = {f.username for f in FIRST_STEPS}
    lines = [(f.username, f"{f.role}: {f.hint}") for f in FIRST_STEPS]
    with transaction(factory) as s:
        for person in chart.people:
            if person.username in hinted:
                continue
            who = person.title + (f", {units[person.unit]}" if person.unit else "")
            steps = list(dict.fromkeys(t.title for t in engine.tasks_for(s, person.username)))
            todo = f"việc đang chờ: {'; '.join(steps)}" if steps else "chưa có việc đang chờ"
            lines.append((person.username, f"{who}: {todo}"))
    return lines


# The step of an act where nobody acts: the timers due by then fire.
TIMERS = "(hẹn giờ)"


# A form's date of something done then (issued, signed, posted): the office's day when the
# act runs, which acts of one moment kept a few minutes apart may carry past midnight.
ON_THE_DAY = "(on the day)"


@dataclass(frozen=True)
class _Act:
    """One thing a person did, ``days_ago`` days before now, on an item the script names."""

    days_ago: float
    who: str
    item: str
    step: str | None  # None: the person started the item (``data``: process and title)
    data: dict[str, Any]
    # Skipped when its step is not open: one that waits for a legal period (the 10 days on the
    # portal) which the weeks squeezed into early January do not reach.
    optional: bool = False


class _Office:
    """Acts as the demo's people, one transaction per action, each at its moment of the last
    weeks (the clock only moves forward)."""

    def __init__(
        self, factory: sessionmaker[Session], clock: ManualClock, now: datetime, store: Path
    ):
        self.factory = factory
        self.clock = clock
        self.now = now
        self.store = store
        self.config = engine_config(clock)
        self.items: dict[str, int] = {}

    def day(self, days_from_now: float) -> str:
        """The office's calendar date that many days from now, as a form takes it."""
        moment = self.now + timedelta(days=days_from_now)
        return moment.astimezone(DEFAULT_ZONE).date().isoformat()

    def act(self, act: _Act) -> None:
        moment = self.now - timedelta(days=act.days_ago)
        # Acts of one moment keep their order, a few minutes apart.
        self.clock.set(max(moment, self.clock() + timedelta(minutes=5)))
        if act.step == TIMERS:
            engine.run_due_timers(self.factory, self.config)
            return
        with transaction(self.factory) as s:
            if act.step is None:
                self.items[act.item] = engine.start_instance(
                    s, self.config, act.data["process"], act.who, title=act.data["title"]
                )
                return
            item = self.items[act.item]
            task = next(
                (
                    t
                    for t in engine.tasks_for(s, act.who)
                    if t.instance_id == item and t.element_id == act.step
                ),
                None,
            )
            if task is None and act.optional:
                return
            assert task is not None, f"{act.who} has no {act.step} in the demo's {act.item}"
            if engine.required_document(engine.task_form(s, task.id).schema):
                self._attach_draft(s, act.who, task)
            today = self.config.today().isoformat()
            data = {k: today if v == ON_THE_DAY else v for k, v in act.data.items()}
            engine.complete_task(s, self.config, task.id, act.who, data=data)

    def _attach_draft(self, s: Session, who: str, task: engine.TaskView) -> None:
        """The draft a drafting step needs, as its drafter attaches it on the page."""
        engine.add_attachment(
            s,
            self.clock,
            self.store,
            task.instance_id,
            who,
            "du-thao.pdf",
            draft_pdf((engine.item_facts(s, task.instance_id) or (task.title,))[0]),
            task_id=task.id,
        )


def _act_out_the_weeks(office: _Office, plan: list[Started]) -> int:
    acts = [*_plan_acts(office, plan), *_urge_acts(office), *_draft_acts(office)]
    for n, proposal in enumerate(PROPOSALS):
        acts.extend(_proposal_acts(office, n, proposal))
    # Longest ago first; acts of one moment in the order they were written (a stable sort).
    for act in sorted(acts, key=lambda a: -a.days_ago):
        office.act(act)
    return len(PROPOSALS) + len(DRAFTS)


def _plan_item(plan: list[Started], section: str, words: str) -> int:
    return next(
        p.instance_id
        for p in plan
        if p.instance_id
        and p.assignment.section == section
        and words.casefold() in p.assignment.summary.casefold()
    )


def _plan_acts(office: _Office, plan: list[Started]) -> list[_Act]:
    for section, words, *_ in ASSIGNED:
        office.items[f"{section} {words}"] = _plan_item(plan, section, words)
    office.items["cấp cơ sở"] = _plan_item(plan, "II.3", "nghiên cứu khoa học ở cấp cơ sở")
    office.items["phổ biến"] = _plan_item(plan, "II.3", "phổ biến khoa học và công nghệ")
    acts = [
        _Act(
            DAYS_OF_HISTORY - 1 - n * 0.1,
            "giamdoc",
            f"{section} {words}",
            "phan_cong",
            {
                "don_vi_chu_tri": unit,
                "han_xu_ly": office.day(due_in),
                "y_kien": "Giao đơn vị chủ trì thực hiện, báo cáo kết quả đúng hạn",
            },
        )
        for n, (section, words, unit, due_in) in enumerate(ASSIGNED)
    ]
    # Phòng Quản lý Khoa học và Công nghệ cơ sở reports a task done: the Director judges it.
    # Trung tâm Ứng dụng reports its progress.
    return [
        *acts,
        _Act(
            15,
            "cs.cv1",
            "cấp cơ sở",
            "cap_nhat_tien_do",
            {
                "ty_le_hoan_thanh": 60,
                "noi_dung_cap_nhat": "Đã rà soát quy chế hội đồng khoa học cấp cơ sở của 8 đơn vị",
                "hoan_thanh": False,
            },
        ),
        _Act(
            4,
            "cs.cv1",
            "cấp cơ sở",
            "cap_nhat_tien_do",
            {
                "ty_le_hoan_thanh": 100,
                "noi_dung_cap_nhat": "Hoàn thành dự thảo hướng dẫn củng cố hội đồng khoa học "
                "cấp cơ sở",
                "hoan_thanh": True,
            },
        ),
        _Act(
            2,
            "cs.cv1",
            "cấp cơ sở",
            "bao_cao_ket_qua",
            {
                "so_bao_cao": "45/BC-QLCS",
                "ket_qua": "Đã đề xuất giải pháp thúc đẩy nghiên cứu cấp cơ sở và hướng dẫn "
                "củng cố hội đồng khoa học cấp cơ sở.",
            },
        ),
        _Act(
            8,
            "trungtam.cv1",
            "phổ biến",
            "cap_nhat_tien_do",
            {
                "ty_le_hoan_thanh": 40,
                "noi_dung_cap_nhat": "Đã phối hợp Liên hiệp các Hội khoa học và kỹ thuật tỉnh "
                "xây dựng dự thảo Kế hoạch phổ biến kiến thức khoa học và công nghệ",
                "hoan_thanh": False,
            },
        ),
    ]


def _urge_acts(office: _Office) -> list[_Act]:
    """The leadership urges the units on every task already overdue when the plan came in
    (the plan's dates of the year already gone by)."""
    with transaction(office.factory) as s:
        late = [t.instance_id for t in engine.open_tasks(s) if t.element_id == "don_doc"]
    for item in late:
        office.items[f"quá hạn {item}"] = item
    return [
        _Act(
            DAYS_OF_HISTORY - 2,
            "giamdoc",
            f"quá hạn {item}",
            "don_doc",
            {"noi_dung_don_doc": "Đề nghị đơn vị khẩn trương hoàn thành, báo cáo kết quả"},
        )
        for item in late
    ]


def _proposal_path(
    office: _Office, n: int, p: Proposal, days_ago: float
) -> list[tuple[str, str, dict[str, Any]]]:
    """(step, who, data) of every step from the proposal to the Chairman's approval."""
    number = 112 + n  # the VP UBND's incoming number and the Chairman's decision
    return [
        ("lap_phieu_de_xuat", p.proposer, p.form()),
        ("xem_xet_de_xuat", "qlkh.cv2", {"decision": "dong_y"}),
        (
            "danh_gia_hoi_dong",
            "hoidong",
            {
                "ket_luan": "de_nghi",
                "tc_cap_thiet": True,
                "tc_quan_trong": True,
                "tc_khong_trung_lap": True,
                "tc_nguon_luc": True,
                "so_bien_ban": f"{n + 5:02d}/BB-HĐTV",
            },
        ),
        ("quyet_dinh_giam_doc", "giamdoc", {"decision": "phe_duyet"}),
        (
            "soan_to_trinh",
            "qlkh.cv1",
            {
                "trich_yeu": "Về việc phê duyệt nhiệm vụ khoa học và công nghệ cấp tỉnh "
                f"“{p.title}”",
                "noi_dung_to_trinh": "Sở Khoa học và Công nghệ kính trình UBND tỉnh xem xét, "
                f"phê duyệt nhiệm vụ “{p.title}”, thời gian thực hiện {p.months} tháng.",
                "do_khan": "thuong",
            },
        ),
        ("kiem_tra_noi_dung", "qlkh.tp", {"decision": "dong_y"}),
        ("kiem_tra_the_thuc", "vp.vanthu", {"decision": "dong_y"}),
        ("ky_to_trinh", "giamdoc", {"decision": "ky"}),
        # The number of the tờ trình is given by the register at issue, never typed.
        ("phat_hanh", "vp.vanthu", {"ngay_ban_hanh": ON_THE_DAY}),
        ("gui_van_ban", "vp.vanthu", {}),  # the issued copy attached (the demo's draft file)
        ("tiep_nhan", "vpubnd", {"so_den": 3000 + number}),
        ("tham_tra_ho_so", "vpubnd", {"decision": "du_ho_so"}),
        (
            "chi_dao",
            "chutich",
            {
                "decision": "phe_duyet",
                "so_quyet_dinh": f"{number}/QĐ-UBND",
                "ngay_ky": ON_THE_DAY,
            },
        ),
    ]


def _proposal_acts(office: _Office, n: int, p: Proposal) -> list[_Act]:
    """The proposal's steps, the last one ``p.waiting_days`` ago, ``p.days_per_step`` apart."""
    name = f"đề xuất {n}"
    steps = [step for step, _, _ in _proposal_path(office, n, p, 0)]
    returned = p.waits_at == "lap_phieu_de_xuat"  # returned by the review
    done = 2 if returned else steps.index(p.waits_at) if p.waits_at else len(steps)
    first = p.waiting_days + p.days_per_step * (done - 1)
    process = {"process": "de_xuat_nhiem_vu", "title": p.title}
    acts = [_Act(first + 0.05, p.proposer, name, None, process)]
    for k in range(done):
        days_ago = first - k * p.days_per_step
        step, who, data = _proposal_path(office, n, p, days_ago)[k]
        if returned and step == "xem_xet_de_xuat":
            who, data = "qlkh.cv1", {"decision": "tra_lai", "y_kien": RETURN_REASON}
        acts.append(_Act(days_ago, who, name, step, data))
    return acts


def _draft_acts(office: _Office) -> list[_Act]:
    acts = []
    # (started, drafted and posted on the portal) days ago, and the decision's form: the first
    # draft a Chairman's decision (Sở Tài chính, Nội vụ, Tư pháp consulted too), the second the
    # UBND's, whose 10 days on the portal are over.
    for (started, drafted, form), (title, unit, consulted) in zip(
        ((6, 3, "qd_chu_tich"), (20, 16, "qd_ubnd")), DRAFTS, strict=True
    ):
        drafter = "khtc.cv1" if unit == "phong_khtc" else "qlkh.cv1"
        outside = ["so_tai_chinh", "so_noi_vu", "so_tu_phap"] if form == "qd_chu_tich" else []
        acts += [
            _Act(
                started + 0.05,
                "giamdoc",
                unit,
                None,
                {"process": "xay_dung_quy_dinh", "title": title},
            ),
            _Act(
                started,
                "giamdoc",
                unit,
                "giao_soan_thao",
                {
                    "ten_du_thao": title,
                    "hinh_thuc_van_ban": form,
                    "don_vi_soan_thao": unit,
                    "trinh_tu_rut_gon": False,
                    "so_ngay_tham_dinh": 10,
                },
            ),
            _Act(
                drafted,
                drafter,
                unit,
                "soan_du_thao",
                {
                    "tom_tat_du_thao": f"Dự thảo {title}",
                    "co_quan_lay_y_kien": outside,
                    "don_vi_lay_y_kien": consulted,
                },
            ),
            _Act(
                drafted,
                drafter,
                unit,
                "dang_tai",
                {
                    "duong_dan_dang_tai": "https://congthongtin.example.gov.vn/du-thao",
                    "ngay_dang_tai": ON_THE_DAY,
                },
            ),
        ]
    # The first draft waits for Văn phòng Sở, Thanh tra Sở and the outside bodies; the second is
    # at Sở Tư pháp.
    return [
        *acts,
        _Act(1, "qlkh.cv2", "phong_khtc", "gop_y", {"ket_qua_gop_y": "thong_nhat"}),
        _Act(14, "cs.cv1", "phong_qlkh", "gop_y", {"ket_qua_gop_y": "thong_nhat"}),
        _Act(13, "khtc.cv1", "phong_qlkh", "gop_y", {"ket_qua_gop_y": "thong_nhat"}),
        _Act(4.5, "", "phong_qlkh", TIMERS, {}),  # the 10 days on the portal end
        _Act(
            4,
            "qlkh.cv1",
            "phong_qlkh",
            "tong_hop_y_kien",
            {"bao_cao_tong_hop": "Các đơn vị thống nhất với dự thảo"},
            optional=True,
        ),
    ]
