"""A small driver for process-path tests: people act through the engine's public API, the clock
moves only when told, timers fire as a worker would fire them."""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import engine
from engine import ManualClock, SourceFile, transaction
from tests import prepared
from workflows import engine_config
from workflows.catalog import entry
from workflows.org_chart import CHART_2020_PATH, load_org_chart, read_org_chart

BPMN = Path(__file__).parents[1] / "bpmn"
TO_TRINH = {
    "trich_yeu": "Về việc phê duyệt danh mục nhiệm vụ KH&CN năm 2027",
    "noi_dung_to_trinh": "Sở Khoa học và Công nghệ kính trình…",
    "do_khan": "thuong",
}

# The Chairman's approval is recorded with the decision's number and date of signing.
DECISION_RECORD = {"so_quyet_dinh": "1234/QĐ-UBND", "ngay_ky": "2026-03-02"}
# A drafting step's draft (engine/required_documents.py): what the drafter attaches, kept in
# one folder for this test process (an office of the web tests keeps them in the app's).
DRAFT_PDF = b"%PDF-1.4\n% du thao\n%%EOF\n"
_DRAFTS = Path(tempfile.gettempdir()) / f"pheduyet-office-drafts-{os.getpid()}"
# The "person" of a path table's step where nobody acts and the clock moves on by
# `days` (a legal waiting period such as the draft's posting on the portal).
TIME_PASSES = "(thời gian trôi)"
# A date value given as the office's day at the moment of the step (a path of fixed values
# that lets time pass: a date of something done is neither ahead of today nor behind it).
TODAY = "(hôm nay)"


def bpmn_files() -> list[SourceFile]:
    return [
        SourceFile(p.name, p.read_bytes())
        for p in sorted(BPMN.rglob("*"))
        if p.suffix in (".bpmn", ".json")
    ]


def office_setup(moment: datetime, password: str | None = None) -> prepared.Build:
    """What an office's database holds before anyone acts: the 2020 org chart (`password` for
    everyone, if given) and the department's diagrams, deployed at `moment`."""

    def build(factory: Any) -> None:
        with transaction(factory) as s:
            load_org_chart(s, read_org_chart(CHART_2020_PATH), password=password)
            engine.deploy(s, bpmn_files(), ManualClock(moment))

    return build


class Office:
    def __init__(self, factory: Any, clock: ManualClock) -> None:
        self.factory = factory
        self.clock = clock
        self.config = engine_config(clock)
        prepared.hold(factory, f"office@{clock()}", office_setup(clock()))

    def start(self, process_id: str, who: str, **data: Any) -> int:
        with transaction(self.factory) as s:
            return engine.start_instance(s, self.config, process_id, who, data=data)

    def inbox(self, who: str, item: int | None = None) -> list[engine.TaskView]:
        with transaction(self.factory) as s:
            tasks = engine.tasks_for(s, who)
        return [t for t in tasks if item is None or t.instance_id == item]

    def steps(self, item: int) -> list[str]:
        """The element ids of the item's open tasks, sorted."""
        with transaction(self.factory) as s:
            return sorted(t.element_id for t in engine.open_tasks(s, item))

    def task(self, who: str, item: int, element_id: str) -> engine.TaskView:
        found = [t for t in self.inbox(who, item) if t.element_id == element_id]
        assert found, f"{who} has no '{element_id}' of item {item}; open: {self.steps(item)}"
        return found[0]

    def do(
        self, who: str, item: int, element_id: str, comment: str | None = None, **data: Any
    ) -> None:
        if who == TIME_PASSES:
            self.tick(float(data["days"]))
            return
        task = self.task(who, item, element_id)
        today = self.config.today().isoformat()
        data = {k: today if v == TODAY else v for k, v in data.items()}
        with transaction(self.factory) as s:
            if engine.required_document(engine.task_form(s, task.id).schema):
                self.attach_draft(s, who, task)  # as the drafter attaches it on the page
            engine.complete_task(s, self.config, task.id, who, data=data, comment=comment)

    def attach_draft(self, s: Any, who: str, task: engine.TaskView) -> None:
        """The draft a drafting step needs (its form's `x-attachment-required`), added at it."""
        store = getattr(self, "store", None) or _DRAFTS
        self.store = store
        engine.add_attachment(
            s, self.clock, store, task.instance_id, who, "du-thao.pdf", DRAFT_PDF, task_id=task.id
        )

    def show(self, item: int) -> engine.InstanceView:
        with transaction(self.factory) as s:
            return engine.show_instance(s, item)

    def tick(self, days: float) -> int:
        self.clock.advance(timedelta(days=days))
        return engine.run_due_timers(self.factory, self.config)

    def start_by_hand(self, process_id: str, who: str) -> int:
        """An item started from the catalogue, with the data a person's start gives it."""
        found = entry(process_id)
        assert found is not None
        return self.start(process_id, who, **found.start_data)

    def issue(self, item: int, head: str, *, signer: str = "giamdoc") -> None:
        """A drafted tờ trình checked, signed (its form of signature follows from the signer)
        and issued (its number from the register)."""
        self.do(head, item, "kiem_tra_noi_dung", decision="dong_y")
        self.do("vp.vanthu", item, "kiem_tra_the_thuc", decision="dong_y")
        self.do(signer, item, "ky_to_trinh", decision="ky")
        self.do("vp.vanthu", item, "phat_hanh", ngay_ban_hanh=self.config.today().isoformat())
        self.do("vp.vanthu", item, "gui_van_ban")  # with the issued copy attached

    def issued_to_trinh(self, title: str) -> int:
        """A tờ trình of Phòng QLKH titled `title`, drafted and issued."""
        with transaction(self.factory) as s:
            item = engine.start_instance(
                s,
                self.config,
                "trinh_ubnd",
                "qlkh.cv1",
                title=title,
                data={"don_vi_soan_thao": "phong_qlkh"},
            )
        self.do("qlkh.cv1", item, "soan_to_trinh", **{**TO_TRINH, "trich_yeu": title})
        self.issue(item, "qlkh.tp")
        return item

    def submit_to_ubnd(
        self,
        item: int,
        drafter: str,
        head: str,
        decision: dict[str, Any] | None = None,
        *,
        signer: str = "giamdoc",
        drafted: bool = False,
    ) -> None:
        """Take an item through the trinh_ubnd call activity up to the chairman's decision
        (made only when `decision` is given); `drafted`: the tờ trình is written already."""
        if not drafted:
            self.do(drafter, item, "soan_to_trinh", **TO_TRINH)
        self.issue(item, head, signer=signer)
        self.do("vpubnd", item, "tiep_nhan", so_den=4410)
        self.do("vpubnd", item, "tham_tra_ho_so", decision="du_ho_so")
        if decision is not None:
            if decision.get("decision") == "phe_duyet":  # signed the day it is recorded
                today = {"ngay_ky": self.config.today().isoformat()}
                decision = {**DECISION_RECORD, **today, **decision}
            self.do("chutich", item, "chi_dao", **decision)

    def cancel(self, item: int, who: str, reason: str) -> None:
        with transaction(self.factory) as s:
            engine.cancel_instance(s, self.config, item, who, reason)
