"""Reading a plan's text for the importer: paragraphs, numbered sections, sentences, unit names.

Internal to ``plan_import``; kept apart so that each module holds one concern.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from engine import InvalidInput

from .plan_units import ALL_SO_UNITS, REGISTRY_PATH, unit_pattern, units_at

__all__ = [
    "ALL_SO_UNITS",
    "LOOKED_FOR",
    "OUTSIDE_BODIES",
    "SO_UNITS",
    "Section",
    "is_bullet",
    "paragraphs",
    "sentences",
    "shorten",
    "task_sections",
    "unit_pattern",
    "units_at",
    "without_asides",
    "without_quotes",
]

# The Sở's units, as the plan names them.
SO_UNITS = (
    "Văn phòng Sở",
    "Thanh tra Sở",
    "Phòng Kế hoạch Tài chính",
    "Phòng Quản lý Khoa học",
    "Phòng Quản lý Khoa học và Công nghệ cơ sở",
    "Phòng Quản lý Công nghệ và Thị trường công nghệ",
    "Phòng Quản lý Chuyên ngành",
    "Chi cục Tiêu chuẩn Đo lường Chất lượng",
    "Trung tâm Ứng dụng khoa học và công nghệ",
    "Lãnh đạo Sở",
)
# Bodies outside the Sở that plans name: now in data/outside_bodies.json (plan_units).
OUTSIDE_BODIES = tuple(
    body["name"]
    for body in json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))["bodies"]
    if body["name"] not in SO_UNITS
)


def paragraphs(text: str) -> list[str]:
    """Non-empty lines, whitespace collapsed, markdown emphasis (*, **, ***) dropped."""
    # Bold and italic say nothing about who does what by when.
    text = text.replace("\u00a0", " ").replace("*", "")
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def is_bullet(line: str) -> bool:
    return re.match(r"[-–•+]\s", line) is not None


def without_quotes(line: str) -> str:
    """The line with quoted titles blanked: they name documents, not partners or deadlines."""
    # e.g. "“Chương trình phối hợp … giữa Bộ Khoa học và Công nghệ …”" in II.4.2.
    return re.sub(r"“[^”]*”|\"[^\"]*\"", "“…”", line)


def without_asides(text: str) -> str:
    """The text without asides in brackets: "(thay thế Quyết định số …)" is detail."""
    return re.sub(r"\s*\([^()]*\)", "", text)


def sentences(text: str, *, split_on_semicolons: bool = True) -> list[str]:
    ends = r"(?<=[.;!?])\s+" if split_on_semicolons else r"(?<=[.!?])\s+"
    return [s for s in re.split(ends, text.strip()) if s]


def shorten(text: str, limit: int) -> str:
    """``text`` cut at a word boundary to at most about ``limit`` characters, with "…"."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    cut = cut[: cut.rfind(" ")] if " " in cut else cut
    cut = cut.rstrip(" ,;:-–") + "…"
    return cut + "”" if cut.count("“") > cut.count("”") else cut


@dataclass
class Section:
    """A numbered part of the plan and the paragraphs directly under it.

    ``strict``: a part whose heading does not announce tasks ("III. TỔ CHỨC THỰC HIỆN", "IV.
    KINH PHÍ"); only paragraphs that name who leads count as tasks there. ``purpose``: a part
    that says why ("I. MỤC ĐÍCH, YÊU CẦU"); only a paragraph that opens with who leads ("Giao X
    chủ trì …", "X chủ trì …") counts as a task there."""

    label: str  # "II.4.2"
    title: str
    units: list[str]  # from a heading "4.2. Giao Phòng Quản lý Khoa học", "1. Sở Tài chính:"
    paragraphs: list[str] = field(default_factory=list)
    has_children: bool = False
    strict: bool = False
    intro: str = ""  # the heading's words after its unit: "1. Sở Tài chính: <intro>"
    purpose: bool = False


_ROMAN = re.compile(r"([IVXL]+)\.\s+(.+)")
_NUMBERED = re.compile(r"(\d{1,3}(?:\.\d{1,3})*)\.\s+(.+)")
_GIAO = re.compile(r"Giao\s+", re.IGNORECASE)
# Parts that say why, not who does what: read only for paragraphs that say who leads.
_PURPOSE = re.compile(r"mục đích|yêu cầu|căn cứ|sự cần thiết|quan điểm|mục tiêu", re.IGNORECASE)
# Parts whose every paragraph is a task.
_TASKS = re.compile(r"nhiệm vụ|nội dung|giải pháp|phân công|hoạt động|công việc", re.IGNORECASE)
# The end of the plan's body: what follows is its addressees and its signature.
_BODY_END = re.compile(r"(?:Nơi nhận|Nơi gửi)\s*:?", re.IGNORECASE)
# What a unit heading may hold after its unit: "1. Sở Tài chính:", "2. Sở Nội vụ (chủ trì)".
_UNIT_HEADING_REST = re.compile(r"\s*(?:\([^()]*\))?\s*(?::\s*(.*))?$")
LOOKED_FOR = (
    "looked for a heading like 'II. NHIỆM VỤ VÀ GIẢI PHÁP', 'II. NỘI DUNG' or 'III. TỔ CHỨC "
    "THỰC HIỆN', and for tasks written 'Giao <đơn vị> chủ trì …', '<đơn vị> chủ trì …', "
    "'Đơn vị chủ trì: …', a unit heading ('1. Sở Tài chính:') or a table with a column "
    "'Đơn vị chủ trì'"
)


def task_sections(lines: list[str]) -> list[Section]:
    """Every part of the plan, in order: each Roman-numbered section, those that state purposes
    ("I. MỤC ĐÍCH - YÊU CẦU") marked ``purpose`` (a "Giao X chủ trì …" there is still a task); a
    plan without Roman headings is one strict part. Reading stops at "Nơi nhận"."""
    sections: list[Section] = []
    roman: str | None = None
    seen_roman = False
    body: list[str] = []
    for line in lines:
        if _BODY_END.fullmatch(line):
            break
        body.append(line)
        if match := _ROMAN.fullmatch(line):
            seen_roman = True
            title = match.group(2)
            purpose = bool(_PURPOSE.search(title)) and not _TASKS.search(title)
            roman = match.group(1)
            strict = purpose or not _TASKS.search(title)
            sections.append(Section(roman, title, [], strict=strict, purpose=purpose))
        elif roman is None:
            continue
        elif match := _NUMBERED.fullmatch(line):
            sections.append(_heading(f"{roman}.{match.group(1)}", match.group(2), sections))
        else:
            sections[-1].paragraphs.append(line)
    if not seen_roman:
        return [Section("", "", [], paragraphs=body, strict=True)]
    if all(section.purpose for section in sections):
        raise InvalidInput(f"found no section of tasks: {LOOKED_FOR}", reason="no_assignments")
    return sections


def _heading(label: str, title: str, sections: list[Section]) -> Section:
    parent = label.rsplit(".", 1)[0]
    strict = purpose = False
    for section in sections:
        if section.label == parent:
            section.has_children = True
            strict, purpose = section.strict, section.purpose
        elif section.label == parent.split(".")[0]:
            strict, purpose = section.strict, section.purpose
    if _PURPOSE.match(title):
        strict = True  # "1. Mục tiêu" inside "II. NỘI DUNG"
    units: list[str] = []
    intro = ""
    if giao := _GIAO.match(title):
        units = units_at(title, giao.end())[0]
    elif (found := units_at(title, 0, unknown=True))[0] and (
        rest := _UNIT_HEADING_REST.match(title, found[1])
    ):
        units, intro = found[0], (rest.group(1) or "").strip()
    return Section(label, title, units, strict=strict, intro=intro, purpose=purpose)
