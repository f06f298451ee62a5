"""The document that assigns a plan's tasks, as its header states it: number and symbol (số ký
hiệu), date, issuing body and summary (trích yếu).

Read only from the header the administrative format puts above the body (NĐ 30/2020): the
issuing body's lines, "Số: 05/KH-KHCN", "Bắc Giang, ngày 10 tháng 01 năm 2022", then the genre
("KẾ HOẠCH") and the summary under it. A number or a date left blank for the clerk ("Số:
/KH-KHCN", "ngày   tháng 5 năm 2020") is not a number or a date: it stays empty for a person to
fill. Documents the body cites ("Thực hiện Kế hoạch số 45/KH-UBND ngày 10/3/2021…") are never
taken for the plan itself.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from .plan_deadline import plan_year_of
from .plan_text import paragraphs

__all__ = ["SourceDocument", "read_source"]

HEADER_LINES = 30
_NUMBER = re.compile(r"Số\s*:\s*(\d+\S*/\S+)", re.IGNORECASE)
_BLANK_NUMBER = re.compile(r"Số\s*:", re.IGNORECASE)
_DATE = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)
_GENRE = re.compile(r"KẾ HOẠCH|THÔNG BÁO|QUYẾT ĐỊNH|CHỈ THỊ|CHƯƠNG TRÌNH")
_BODY = re.compile(r"[IVXL]+\.\s|\d+\.\s")


@dataclass(frozen=True)
class SourceDocument:
    number: str | None = None
    issued: date | None = None
    issuer: str | None = None
    summary: str | None = None
    # The year the plan is for, as its title or its date line says (plan_deadline.plan_year_of).
    year: int | None = None

    def to_data(self) -> dict[str, str | None]:
        """The start data of an item, by the fields of bpmn/forms/nhiem_vu_ke_hoach.json."""
        return {
            "so_ky_hieu_van_ban": self.number,
            "ngay_van_ban": self.issued.isoformat() if self.issued else None,
            "co_quan_ban_hanh": self.issuer,
            "trich_yeu_van_ban": self.summary,
        }


# A line that only names the place of the body above it: "ỦY BAN NHÂN DÂN" / "TỈNH BẮC GIANG".
_PLACE = re.compile(r"(?:TỈNH|HUYỆN|THÀNH PHỐ|THỊ XÃ|QUẬN|XÃ|PHƯỜNG|THỊ TRẤN)\s")


def _issuer(upper: list[str]) -> str | None:
    """The issuing body: the last capitalised line of the header (a Sở under "UBND TỈNH …"),
    with the line above it when it only names the body's place ("ỦY BAN NHÂN DÂN" over "TỈNH
    BẮC GIANG")."""
    if not upper:
        return None
    if len(upper) > 1 and _PLACE.match(upper[-1]):
        return f"{upper[-2]} {upper[-1]}"
    return upper[-1]


def read_source(text: str) -> SourceDocument:
    """What the plan's header says of the plan itself; None for what it leaves blank."""
    lines = paragraphs(text)[:HEADER_LINES]
    number: str | None = None
    issued: date | None = None
    issuer: str | None = None
    summary: str | None = None
    for index, line in enumerate(lines):
        if _BODY.match(line):
            break
        if _BLANK_NUMBER.match(line):
            found = _NUMBER.match(line)
            number = found.group(1) if found else None
            issuer = _issuer([x for x in lines[:index] if x.isupper()])
        elif (day := _DATE.search(line)) and issued is None and summary is None:
            try:
                issued = date(int(day.group(3)), int(day.group(2)), int(day.group(1)))
            except ValueError:
                issued = None
        elif _GENRE.fullmatch(line) and index + 1 < len(lines):
            summary = lines[index + 1]
            break
    return SourceDocument(number, issued, issuer, summary, plan_year_of(text))
