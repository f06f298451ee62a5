"""A plan's deadlines: the kinds an assignment may carry and the grammar that reads them.

The grammar reads what plans of the genre write: a date with or without its year ("trước ngày
30/6", "ngày 15/9/2021"), a month ("trong tháng 9", "tháng 10/2021"), a quarter or a half ("Quý
III/2021", "6 tháng đầu năm"), a range or list of them ("tháng 9-10/2021", "Quý III-IV/2021",
"tháng 6, 12"), a period ("giai đoạn 2021-2025"), a start ("từ Quý II/2021"), and periodic work
with or without its day ("hằng quý", "trước ngày 25 hằng tháng", "hằng tháng (trước ngày 25)",
"hằng quý, trước ngày 20 tháng cuối quý", "định kỳ 6 tháng"). A month, a quarter or a half means
its last day; a range or list its end; a period its last year. A week or the start of a month
("tuần đầu tháng 7") names no day: it is Unreadable, for a person to set. A date that belongs to
another document ("Quyết định số 12/2019/QĐ-UBND ngày 3/5/2019") is never a deadline.

Then the day a task is due by those words, and whether that day has passed when the task is
given (``due_day``, ``due_passed``): the one rule that both the plan's review («Đã hết hạn»,
workflows.plan_assign) and giao_nhiem_vu's diagram (its script helpers) follow.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from .calendar import as_date

__all__ = [
    "FIRST_YEAR",
    "LAST_YEAR",
    "NO_DEADLINE",
    "Deadline",
    "DeadlineKind",
    "Every",
    "Unreadable",
    "due_day",
    "due_passed",
    "given_on",
    "plan_year_of",
    "read_deadlines",
    "stated_day",
]


class DeadlineKind(StrEnum):
    DATE = "date"  # trước ngày 10/6/2020; a month, a quarter: its last day
    YEAR = "year"  # trong năm 2020; giai đoạn 2021-2025: its last year
    FROM_YEAR = "from_year"  # từ năm 2021, từ Quý II/2021
    RECURRING = "recurring"  # thường xuyên (value None); hằng tháng, hằng quý… (an Every)
    NONE = "none"  # the plan gives none


PERIODS = ("month", "quarter", "half_year", "year")
# The years a plan may be for (and be moved to: plan_year.in_year).
FIRST_YEAR = 2000
LAST_YEAR = 2100


@dataclass(frozen=True)
class Every:
    """Periodic work: ``every`` one of PERIODS; ``day`` the day of the period's (last) month it
    is due, None for the period's last day; ``month`` only for a yearly date ("15/12 hằng
    năm")."""

    every: str
    day: int | None = None
    month: int | None = None

    def to_json(self) -> dict[str, object]:
        value: dict[str, object] = {"every": self.every, "day": self.day}
        if self.month is not None:
            value["month"] = self.month
        return value

    def describe(self) -> str:
        words = {
            "month": "hằng tháng",
            "quarter": "hằng quý",
            "half_year": "định kỳ 6 tháng",
            "year": "hằng năm",
        }[self.every]
        if self.day is not None and self.month is not None:
            return f"trước ngày {self.day:02d}/{self.month:02d} {words}"
        if self.day is not None:
            return f"trước ngày {self.day} {words}"
        return words


@dataclass(frozen=True)
class Deadline:
    """``value``: a date for DATE, a year for YEAR and FROM_YEAR, an Every for periodic work,
    else None."""

    kind: DeadlineKind
    value: date | int | Every | None = None

    def to_json(self) -> dict[str, object]:
        value: object = self.value
        if isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, Every):
            value = value.to_json()
        return {"kind": str(self.kind), "value": value}

    def describe(self) -> str:
        """In Vietnamese, as a plan would say it."""
        if isinstance(self.value, date):
            return f"trước ngày {self.value:%d/%m/%Y}"
        if isinstance(self.value, Every):
            return self.value.describe()
        if self.kind is DeadlineKind.YEAR:
            return f"trong năm {self.value}"
        if self.kind is DeadlineKind.FROM_YEAR:
            return f"từ năm {self.value}"
        return "thường xuyên hàng năm" if self.kind is DeadlineKind.RECURRING else "không nêu"


NO_DEADLINE = Deadline(DeadlineKind.NONE)


@dataclass(frozen=True)
class Unreadable:
    """Words that name a deadline the grammar cannot settle, and why."""

    words: str
    reason: str


# --- the day a task is due ----------------------------------------------------------------
# What an item starts with: `kind` and `value` are its data's `loai_han` and `gia_tri_han`, as
# workflows.plan_assign.start_data writes them (a DeadlineKind's word; an ISO date, a year, or
# None), or as a person or a script gave them (a date, a year as text): hence `object`.


def stated_day(kind: object, value: object) -> date | None:
    """The day the plan's words name: the date ("trước ngày 10/6/2026"), the last day of the
    year ("trong năm 2026"); None for words that name no day ("từ năm", "thường xuyên", none)."""
    if kind == DeadlineKind.DATE and value:
        return as_date(value)
    if kind == DeadlineKind.YEAR and value:
        return date(_year_of(value), 12, 31)
    return None


def given_on(today: date, plan_year: object = None) -> date:
    """The day a task of the plan counts as given: ``today``, or the first day of the plan's
    year when the plan is for a later year (next year's plan, imported in December): its
    periodic and yearly work starts with that year, not with the weeks left of this one."""
    if plan_year in (None, ""):
        return today
    try:
        year = _year_of(plan_year)
    except (TypeError, ValueError):  # a year typed by hand that is none
        return today
    return max(today, date(year, 1, 1)) if FIRST_YEAR <= year <= LAST_YEAR else today


def due_day(kind: object, value: object, today: date, plan_year: object = None) -> date | None:
    """The day a task of the plan, given on ``today`` (the office's date), is due: the day its
    words name; for open-ended work ("từ năm 2021") the last day of that year or of the year it
    is given in (``given_on``: the plan's year when that is later), whichever is later, and for
    work done every year ("thường xuyên") the last day of the year it is given in (the diagram
    reopens it each year); None when the plan gives none."""
    if (day := stated_day(kind, value)) is not None:
        return day
    year = given_on(today, plan_year).year
    if kind == DeadlineKind.FROM_YEAR and value:
        return date(max(_year_of(value), year), 12, 31)
    if kind == DeadlineKind.RECURRING:
        return date(year, 12, 31)
    return None


def due_passed(kind: object, value: object, today: date, plan_year: object = None) -> bool:
    """Whether the task's due day is already behind it when it is given on ``today``: a day
    before today (today itself is still in time). Such a task is not given to its unit, which
    would receive it overdue on day one, but waits at the leadership's Phân công for a new
    deadline; the plan's review flags it «Đã hết hạn» beforehand."""
    day = due_day(kind, value, today, plan_year)
    return day is not None and day < today


def _year_of(value: object) -> int:
    """A year as start data gives it: a number (2026, or 2026.0 through the API) or its text."""
    return int(value) if isinstance(value, int | float) else int(str(value))


# --- the plan's year -----------------------------------------------------------------------

_TITLE = re.compile(r"^(?:KẾ HOẠCH|Kế hoạch)\b", re.MULTILINE)
_DATE_LINE = re.compile(r",\s*ngày\s+[\d. …]*tháng\s+[\d. …]*năm\s+(\d{4})", re.IGNORECASE)
_FAR_YEAR = re.compile(r"(?:định hướng|tầm nhìn)\s+đến\s+năm\s+\d{4}", re.IGNORECASE)


def plan_year_of(text: str) -> int | None:
    """The year the plan is for: its title's "năm 2021" ("Kế hoạch … năm 2021"), else the year
    of its date line ("Bắc Giang, ngày … tháng 5 năm 2020"); None when neither says."""
    head = text[:4000]
    if title := _TITLE.search(head):
        # The title runs up to the first paragraph that gives its grounds or a section.
        rest = head[title.end() :]
        stop = re.search(r"\n\s*(?:Căn cứ|Thực hiện|Nhằm|I\.|[IVX]+\.\s)", rest)
        words = _FAR_YEAR.sub("", rest[: stop.start() if stop else 600])
        if years := re.findall(r"năm\s+(\d{4})(?!\s*[-–])", words, re.IGNORECASE):
            return int(years[0])
    if line := _DATE_LINE.search(head):
        return int(line.group(1))
    return None


# --- the grammar ---------------------------------------------------------------------------

_D = r"(\d{1,2})"
_Y = r"(\d{4})"
_NUM_DATE = rf"{_D}\s*[/.-]\s*{_D}(?:\s*[/.-]\s*{_Y})?(?![\d/])"
_WORD_DATE = rf"{_D}\s+tháng\s+{_D}(?:\s+năm\s+{_Y})?"
# Another document's number and date: "Quyết định số 12/2019/QĐ-UBND ngày 3/5/2019".
_DOC_REF = re.compile(
    rf"\bsố\s*:?\s*[\w./\-–]+(?:\s+ngày\s+(?:{_NUM_DATE}|{_WORD_DATE}))?", re.IGNORECASE
)
_DOC_WORDS = (
    r"thay thế|số\s*\d|Quyết định|Kế hoạch|Thông báo|Công văn|Văn bản|Nghị quyết|Nghị định|"
    r"Chỉ thị|Thông tư|Tờ trình|Kết luận"
)
_DOC_ASIDE = re.compile(rf"\((?=[^()]*(?:{_DOC_WORDS}))[^()]*\)", re.IGNORECASE)
_ROMAN_Q = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_PERIODIC = r"(?:hằng|hàng|mỗi)"
_OF_YEAR = rf"(?:\s*/\s*{_Y}|\s+năm\s+{_Y})?"
_Q = r"(?:I{1,3}|IV|[1-4])(?![\w\d])"
# "9-10", "6, 12", "6 và tháng 12", "III đến IV": a range or list of months or quarters.
_AND = r"\s*(?:[-–,]|và|đến|tới)\s*"
# The day periodic work is due, after its period: "hằng quý, trước ngày 20 tháng cuối quý",
# "hằng tháng (trước ngày 25)"; never a date of its own ("trước ngày 15/6").
_DAY_AFTER = (
    rf"(?:\s*[,(]?\s*(?:(?:trước|chậm nhất(?:\s+là)?|vào|không quá)\s+)?ngày\s+{_D}"
    r"(?!\s*[\d/.\-–])(?!\s+tháng\s+\d)(?:\s+(?:của\s+)?tháng\s+cuối\s+(?:mỗi\s+)?(?:quý|kỳ))?"
    r"\s*\)?)?"
)

_RULES: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in [
        ("every_month_day", rf"ngày\s+{_D}\s+(?:{_PERIODIC}|của\s+mỗi)\s+tháng"),
        ("every_year_date", rf"ngày\s+{_D}\s*/\s*{_D}\s+{_PERIODIC}\s+năm"),
        (
            "every_quarter_day",
            rf"ngày\s+{_D}\s+(?:của\s+)?tháng\s+cuối\s+(?:của\s+)?(?:mỗi|hằng|hàng)?\s*quý",
        ),
        ("continuous", rf"thường xuyên(?:,?\s+{_PERIODIC}\s+năm)?"),
        (
            "every_half",
            rf"(?:định kỳ\s+0?6\s+tháng|0?6\s+tháng\s+(?:một|1)\s+lần|{_PERIODIC}\s+0?6\s+tháng)"
            rf"{_DAY_AFTER}",
        ),
        ("every_month", rf"(?:(?:định kỳ\s+)?{_PERIODIC}\s+tháng|định kỳ\s+tháng){_DAY_AFTER}"),
        (
            "every_quarter",
            rf"(?:(?:định kỳ\s+)?{_PERIODIC}\s+quý|định kỳ\s+(?:theo\s+)?quý){_DAY_AFTER}",
        ),
        ("every_year", rf"(?:định kỳ\s+)?{_PERIODIC}\s+năm|định kỳ\s+năm"),
        ("periodic", r"định kỳ"),
        (
            "from",
            rf"từ\s+(?:quý\s+(?:I{{1,3}}|IV|[1-4])|tháng\s+\d{{1,2}}|năm)\s*(?:/\s*|năm\s+)?{_Y}",
        ),
        ("period", rf"(?:giai đoạn|năm|thời kỳ)\s+{_Y}\s*[-–]\s*{_Y}"),
        # A week, or the start or middle of a month or quarter, names no day to hold to.
        (
            "part_of",
            r"(?:tuần\s+(?:đầu|cuối|giữa|thứ\s+(?:nhất|hai|ba|tư|năm|\d))|tuần|đầu|giữa)"
            rf"\s+(?:của\s+)?(?:tháng\s+{_D}|quý\s+{_Q}){_OF_YEAR}",
        ),
        (
            "month_range",
            rf"tháng\s+\d{{1,2}}(?:{_AND}(?:tháng\s+)?\d{{1,2}}(?!\d))*{_AND}(?:tháng\s+)?"
            rf"{_D}(?!\d){_OF_YEAR}(?![\d/])",
        ),
        (
            "quarter_range",
            rf"quý\s+{_Q}(?:{_AND}(?:quý\s+)?{_Q})*{_AND}(?:quý\s+)?({_Q}){_OF_YEAR}",
        ),
        ("word_date", rf"(?<!\d){_WORD_DATE}"),
        ("num_date", rf"(?<![\d/]){_NUM_DATE}"),
        ("month", rf"tháng\s+{_D}{_OF_YEAR}(?![\d/])"),
        ("quarter", rf"quý\s+(I{{1,3}}|IV|[1-4])\b{_OF_YEAR}"),
        ("first_half", rf"0?6\s+tháng\s+đầu\s+năm(?:\s+{_Y})?"),
        ("second_half", rf"(?:0?6\s+tháng\s+)?cuối\s+năm(?:\s+{_Y})?"),
        ("year", rf"(?:trong|đến hết|đến|hết|thực hiện)\s+năm\s+{_Y}|(?:^|:)\s*năm\s+{_Y}"),
    ]
]


_AFTER_PERIOD = re.compile(r"(?:tháng|quý)\s*$", re.IGNORECASE)
_UNSURE_PERIOD = "không rõ là ngày hay khoảng tháng, quý"


def _clean(sentence: str) -> str:
    """The sentence without what names other documents or far horizons."""
    text = _DOC_ASIDE.sub(" ", sentence)
    text = _DOC_REF.sub(" ", text)
    return _FAR_YEAR.sub(" ", text)


def read_deadlines(sentence: str, year: int | None) -> list[Deadline | Unreadable]:
    """Every deadline the sentence names, in order; ``year`` is the plan's, for words that name
    none ("trước ngày 30/6", "Quý III")."""
    text = _clean(sentence)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Deadline | Unreadable]] = []
    for name, pattern in _RULES:
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(start < e and s < end for s, e in taken):
                continue
            if name == "num_date" and "/" not in match.group(0) and match.group(3) is None:
                continue  # "4.0", "1-2": a dotted or dashed date always gives its year
            taken.append((start, end))
            if name == "num_date" and _AFTER_PERIOD.search(text, 0, start):
                # "tháng 9-10/2021" that no range rule read: never a day and a month.
                found.append((start, Unreadable(match.group(0), _UNSURE_PERIOD)))
                continue
            found.append((start, _deadline(name, match, year)))
    return [deadline for _, deadline in sorted(found, key=lambda pair: pair[0])]


def _deadline(name: str, match: re.Match[str], plan_year: int | None) -> Deadline | Unreadable:
    groups = [g for g in match.groups()]
    numbers = [int(g) for g in groups if g is not None and g.isdigit()]
    said = match.group(0)
    if name == "continuous":
        return Deadline(DeadlineKind.RECURRING)
    if name == "periodic":
        return Unreadable(said, "không rõ chu kỳ (hằng tháng, hằng quý, 6 tháng hay hằng năm)")
    if name.startswith("every_"):
        return _periodic(name, numbers, said)
    if name == "from":
        return Deadline(DeadlineKind.FROM_YEAR, numbers[-1])
    if name == "period":
        return Deadline(DeadlineKind.YEAR, numbers[1])
    if name == "part_of":
        return Unreadable(said, "tuần, đầu hay giữa tháng, quý không phải một ngày cụ thể")
    if name == "year":
        return Deadline(DeadlineKind.YEAR, numbers[-1])
    year = _year(groups, name, plan_year)
    if year is None:
        return Unreadable(said, "không nêu năm và không xác định được năm của kế hoạch")
    try:
        return Deadline(DeadlineKind.DATE, _day(name, match, year))
    except ValueError:
        return Unreadable(said, "không phải một ngày có thật")


def _periodic(name: str, numbers: list[int], said: str) -> Deadline | Unreadable:
    if name == "every_quarter_day":
        if not 1 <= numbers[0] <= 31:
            return Unreadable(said, "không phải một ngày có thật")
        return Deadline(DeadlineKind.RECURRING, Every("quarter", numbers[0]))
    if name == "every_month_day":
        if not 1 <= numbers[0] <= 31:
            return Unreadable(said, "không phải một ngày có thật")
        return Deadline(DeadlineKind.RECURRING, Every("month", numbers[0]))
    if name == "every_year_date":
        day, month = numbers
        try:
            date(2024, month, day)  # a leap year: 29/2 is a date
        except ValueError:
            return Unreadable(said, "không phải một ngày có thật")
        return Deadline(DeadlineKind.RECURRING, Every("year", day, month))
    every = {"every_half": "half_year", "every_month": "month", "every_quarter": "quarter"}
    due = numbers[0] if numbers else None  # "hằng tháng (trước ngày 25)"
    if due is not None and not 1 <= due <= 31:
        return Unreadable(said, "không phải một ngày có thật")
    return Deadline(DeadlineKind.RECURRING, Every(every.get(name, "year"), due))


def _year(groups: list[str | None], name: str, plan_year: int | None) -> int | None:
    if name in {"word_date", "num_date"}:
        given = groups[2]
    elif name in {"month", "quarter", "month_range", "quarter_range"}:
        given = groups[1] or groups[2]
    else:
        given = groups[0]
    return int(given) if given else plan_year


def _day(name: str, match: re.Match[str], year: int) -> date:
    groups = match.groups()
    if name in {"word_date", "num_date"}:
        return date(year, int(groups[1] or 0), int(groups[0] or 0))
    if name == "month":
        month = int(groups[0] or 0)
        return date(year, month, calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0)
    if name == "month_range":  # its end: the last day of the last month
        month = int(groups[0] or 0)
        return date(year, month, calendar.monthrange(year, month)[1] if 1 <= month <= 12 else 0)
    if name in {"quarter", "quarter_range"}:
        last = 3 * _ROMAN_Q[(groups[0] or "").lower()]
        return date(year, last, calendar.monthrange(year, last)[1])
    if name == "first_half":
        return date(year, 6, 30)
    return date(year, 12, 31)
