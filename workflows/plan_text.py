"""Reading a plan's text for the importer: paragraphs, numbered sections, sentences, unit names.

Internal to ``plan_import``; kept apart so that each module holds one concern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from engine import InvalidInput

__all__ = [
    "ALL_SO_UNITS",
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
ALL_SO_UNITS = "Các phòng, đơn vị trực thuộc Sở"
# Bodies outside the Sở that plans name as partners (phối hợp). Extend as plans name others.
OUTSIDE_BODIES = (
    "Liên hiệp các Hội khoa học và kỹ thuật tỉnh",
    "Sở Thông tin và Truyền thông",
    "Bộ Khoa học và Công nghệ",
    "Ban Quản lý các KCN tỉnh",
    "Sở Tư pháp",
    "Sở Tài chính",
    "Sở Nội vụ",
    "Văn phòng UBND tỉnh",
)
# Other spellings of the same body (canonical name -> spellings).
_ALIASES: dict[str, tuple[str, ...]] = {
    ALL_SO_UNITS: (
        "các phòng, đơn vị thuộc Sở",
        "các phòng chuyên môn, đơn vị trực thuộc Sở",
    ),
    "Trung tâm Ứng dụng khoa học và công nghệ": (
        "Trung tâm Ứng dụng tiến bộ khoa học và công nghệ",
    ),
    "Liên hiệp các Hội khoa học và kỹ thuật tỉnh": ("Liên hiệp các Hội khoa học và kỹ thuật",),
    "Ban Quản lý các KCN tỉnh": (
        "Ban Quản lý các KCN",
        "Ban Quản lý các khu công nghiệp tỉnh",
        "Ban Quản lý các khu công nghiệp",
    ),
    "Văn phòng UBND tỉnh": ("Văn phòng Ủy ban nhân dân tỉnh",),
}


@lru_cache(maxsize=1)
def _unit_table() -> tuple[re.Pattern[str], tuple[str, ...]]:
    """One pattern for every spelling, longest first, and the canonical name of each."""
    spellings = [(name, name) for name in (*SO_UNITS, ALL_SO_UNITS, *OUTSIDE_BODIES)]
    spellings += [(alias, name) for name, aliases in _ALIASES.items() for alias in aliases]
    # Longest first, so that "Phòng Quản lý Khoa học và Công nghệ cơ sở" is never read as
    # "Phòng Quản lý Khoa học" followed by other words.
    spellings.sort(key=lambda pair: len(pair[0]), reverse=True)
    # Words may be split by spaces or hyphens: "Phòng Kế hoạch - Tài chính".
    alternatives = (
        r"[\s\-–]+".join(re.escape(word) for word in spelling.split()) for spelling, _ in spellings
    )
    pattern = "|".join(f"(?P<u{i}>{alt})" for i, alt in enumerate(alternatives))
    compiled = re.compile(rf"(?<!\w)(?:{pattern})(?!\w)", re.IGNORECASE)
    return compiled, tuple(name for _, name in spellings)


def unit_pattern() -> re.Pattern[str]:
    """Matches any known unit or outside body, in any case, longest spelling first."""
    return _unit_table()[0]


def units_at(text: str, pos: int) -> tuple[list[str], int]:
    """The canonical names of the units listed from ``pos`` on ("A, B và C"), and their end."""
    pattern, names = _unit_table()
    units: list[str] = []
    while match := pattern.match(text, pos):
        units.append(names[int((match.lastgroup or "u0")[1:])])
        pos = match.end()
        separator = re.match(r"\s*(?:,|và|;)\s*", text[pos:])
        if separator is None or not pattern.match(text, pos + separator.end()):
            break
        pos += separator.end()
    return units, pos


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
    """A numbered part of the section of tasks and the paragraphs directly under it."""

    label: str  # "II.4.2"
    title: str
    units: list[str]  # from a heading "4.2. Giao Phòng Quản lý Khoa học"
    paragraphs: list[str] = field(default_factory=list)
    has_children: bool = False


_ROMAN = re.compile(r"([IVXL]+)\.\s+(.+)")
_NUMBERED = re.compile(r"(\d{1,2}(?:\.\d{1,2})*)\.\s+(.+)")
_GIAO = re.compile(r"Giao\s+", re.IGNORECASE)


def task_sections(lines: list[str]) -> list[Section]:
    """The parts of the plan's section of tasks ("II. NHIỆM VỤ VÀ GIẢI PHÁP"), in order."""
    sections: list[Section] = []
    roman: str | None = None
    for line in lines:
        if match := _ROMAN.fullmatch(line):
            # Only the part that assigns tasks: not "I. MỤC ĐÍCH - YÊU CẦU" nor
            # "III. TỔ CHỨC THỰC HIỆN".
            roman = match.group(1) if "nhiệm vụ" in match.group(2).casefold() else None
            if roman:
                sections.append(Section(roman, match.group(2), []))
        elif roman is None:
            continue
        elif match := _NUMBERED.fullmatch(line):
            sections.append(_heading(f"{roman}.{match.group(1)}", match.group(2), sections))
        else:
            sections[-1].paragraphs.append(line)
    if not sections:
        raise InvalidInput(
            "found no section of tasks: the plan needs a heading like 'II. NHIỆM VỤ VÀ GIẢI PHÁP'"
        )
    return sections


def _heading(label: str, title: str, sections: list[Section]) -> Section:
    parent = label.rsplit(".", 1)[0]
    for section in sections:
        if section.label == parent:
            section.has_children = True
    giao = _GIAO.match(title)
    return Section(label, title, units_at(title, giao.end())[0] if giao else [])
