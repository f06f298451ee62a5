"""How a document's urgency (độ khẩn) shortens each handling step's deadline: the one place of
this rule, used by the diagrams through the script helper `han_theo_do_khan`.

Basis: NĐ 30/2020/NĐ-CP names the urgency levels (Art. 10 and Phụ lục I: Khẩn, Thượng khẩn,
Hỏa tốc) and says urgent documents are issued, sent and presented "ngay" (at once: Art. 16, 21,
23), but gives no figures for the other steps. These figures are therefore this office's rule,
configurable here (a province's own working rules — quy chế làm việc — may set others):
- Thường: the step's usual number of working days;
- Khẩn: half of them, rounded down, at least 1;
- Thượng khẩn: 1 working day (or fewer, if the step's usual time is shorter);
- Hỏa tốc: the same day (the end of the day the step opens).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo

from engine import end_of_day

# Where an item holds its document's urgency (a tờ trình's, to_trinh.json), for the inbox and
# the task page to mark an urgent one: NĐ 30/2020 asks that it be dealt with at once.
URGENCY_FIELD = "do_khan"
URGENCY_LEVELS = (
    ("thuong", "Thường"),
    ("khan", "Khẩn"),
    ("thuong_khan", "Thượng khẩn"),
    ("hoa_toc", "Hỏa tốc"),
)
MAX_WORKING_DAYS = 3660
SAME_DAY = 0  # a step's working days meaning "by the end of the day it opens"


@dataclass(frozen=True)
class UrgencyRule:
    """A step's working days for a document of each level, from its usual working days."""

    khan_divisor: int = 2
    khan_minimum: int = 1
    thuong_khan_days: int = 1
    hoa_toc_days: int = SAME_DAY

    def working_days(self, usual: int, level: str | None) -> int:
        if level == "khan":
            return min(usual, max(self.khan_minimum, usual // self.khan_divisor))
        if level == "thuong_khan":
            return min(usual, self.thuong_khan_days)
        if level == "hoa_toc":
            return min(usual, self.hoa_toc_days)
        return usual  # thường, or no urgency chosen


DEFAULT_RULE = UrgencyRule()


def urgent_deadline(
    rule: UrgencyRule,
    add_working_days: Callable[[datetime, int], datetime],
    zone: tzinfo,
    usual: int,
    level: str | None,
    now: datetime,
) -> datetime:
    """When a step opened at `now` is due: the end of the day `usual` working days later for
    an ordinary document (as dueInWorkingDays counts them), fewer for an urgent one, the same
    day's end for hỏa tốc."""
    if not 0 <= int(usual) <= MAX_WORKING_DAYS:
        raise ValueError(f"a step's working days are a whole number up to {MAX_WORKING_DAYS}")
    days = rule.working_days(int(usual), level)
    last = now if days == SAME_DAY else add_working_days(now, days)
    return end_of_day(last.astimezone(zone).date(), zone)
