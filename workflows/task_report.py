"""The report of assigned tasks in the four states of QĐ 42/2014/QĐ-TTg (as amended by
QĐ 23/2018/QĐ-TTg; reporting regime NĐ 09/2019/NĐ-CP): which items are the department's tasks
and which of their data say the lead unit, the deadline and the report's date. The engine
counts them (engine.task_report); Theo dõi, its export and `pheduyet report` show them."""

from __future__ import annotations

from engine import TaskSource

# An item's whole wording, where its title is cut (a plan task's at 160 characters): the
# plan's text, else what the leader typed. The task report and Theo dõi's export show it.
CONTENT_KEYS = ("noi_dung_day_du", "noi_dung")

# A task from a plan is an item of `giao_nhiem_vu`: its lead unit (don_vi_chu_tri, a unit's
# key), its deadline then in force (han_xu_ly, extensions included), the date of the unit's
# result report (ngay_bao_cao) and the verdict `on_time` the process writes when the leader
# accepts the result. A periodic task keeps each finished occurrence (its period's deadline,
# report date and verdict) in the list `cac_ky`, its own keys describing the current one.
ASSIGNED_TASKS = TaskSource(
    process_ids=("giao_nhiem_vu",),
    unit_key="don_vi_chu_tri",
    deadline_key="han_xu_ly",
    done_key="ngay_bao_cao",
    occurrences_key="cac_ky",
    content_keys=CONTENT_KEYS,
)
