"""The units a plan names: the org chart's, the registry of outside bodies, and unknown ones.

A unit is recognised by any spelling the org chart (``data/org_chart.json``) or the registry
(``data/outside_bodies.json``) gives, longest first, in any case. A name no list holds but
shaped like a unit ("Phòng …", "Chi cục …", "Trung tâm …", "Quỹ …", "Văn phòng …", "Sở …",
"UBND …", "Ban …") is kept as written and reported as unknown, for a person to decide.
"""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

from .org_chart import read_org_chart

__all__ = [
    "ALL_SO_UNITS",
    "REGISTRY_PATH",
    "is_collective",
    "is_known",
    "unit_pattern",
    "units_at",
]

REGISTRY_PATH = Path(__file__).parent / "data" / "outside_bodies.json"
ALL_SO_UNITS = "Các phòng, đơn vị trực thuộc Sở"

# What an unknown unit's name starts with, capitalised as a name is ("Ban hành", "phòng chống",
# "sở hữu" are not units); the next word must be capitalised too, or one of these.
_HEAD = (
    r"(?:Phòng|Chi cục|Trung tâm|Quỹ|Văn phòng|Sở|UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Ban|"
    r"Cục|Viện|Hội|Liên hiệp|Đài|Trường|Bệnh viện|Công an|Kho bạc|Tỉnh đoàn|Hội đồng)"
)
_UNKNOWN = re.compile(rf"{_HEAD}\s+(?=\w)")
_AFTER_HEAD = re.compile(r"(?:các|tỉnh|huyện|xã|thành phố|cấp|nhân dân)\b")
# Where an unknown name ends: punctuation, or the words that say what it does.
_NAME_END = re.compile(
    rf"\s*[,.;:()]|\s+(?:và|với)\s+(?={_HEAD}\s)|"
    r"\s+(?:chủ trì|phối hợp|có trách nhiệm|chịu trách nhiệm|tham mưu|"
    r"thực hiện|xây dựng|triển khai|tổ chức|nghiên cứu|rà soát|hướng dẫn|báo cáo|theo dõi|"
    r"kiểm tra|chỉ đạo|bố trí|đôn đốc|tổng hợp|trình|đề xuất|lập|cân đối|cung cấp|căn cứ|"
    r"tuyên truyền|thẩm định|đảm bảo|bảo đảm|giám sát|hỗ trợ|chuẩn bị|ban hành|cập nhật|"
    r"quản lý|phổ biến|đăng tải|ưu tiên|tiếp nhận|là|được|nghiêm túc|khẩn trương)\b|\s*$"
)


@lru_cache(maxsize=1)
def _registry() -> tuple[dict[str, str], frozenset[str]]:
    """Every spelling -> the name recorded, and the names of collective bodies."""
    data = json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))
    spellings: dict[str, str] = {}
    collective: set[str] = set()
    for unit in read_org_chart().units:
        spellings[unit.name] = unit.name
    for body in data["bodies"]:
        for spelling in (body["name"], *body.get("aliases", ())):
            spellings.setdefault(spelling, body["name"])
        if body.get("collective"):
            collective.add(body["name"])
    return spellings, frozenset(collective)


@lru_cache(maxsize=1)
def _unit_table() -> tuple[re.Pattern[str], tuple[str, ...]]:
    """One pattern for every spelling, longest first, and the recorded name of each."""
    spellings = sorted(_registry()[0].items(), key=lambda pair: len(pair[0]), reverse=True)
    # Words may be split by spaces or hyphens: "Phòng Kế hoạch - Tài chính".
    alternatives = (
        r"[\s\-–]+".join(re.escape(word) for word in spelling.split()) for spelling, _ in spellings
    )
    pattern = "|".join(f"(?P<u{i}>{alt})" for i, alt in enumerate(alternatives))
    compiled = re.compile(rf"(?<!\w)(?:{pattern})(?![\w&])", re.IGNORECASE)
    return compiled, tuple(name for _, name in spellings)


def unit_pattern() -> re.Pattern[str]:
    """Matches any known unit or outside body, in any case, longest spelling first."""
    return _unit_table()[0]


def is_known(name: str) -> bool:
    return name in _registry()[0].values()


def is_collective(name: str) -> bool:
    return name in _registry()[1]


def _unit_at(text: str, pos: int, unknown: bool) -> tuple[str, int] | None:
    pattern, names = _unit_table()
    if match := pattern.match(text, pos):
        return names[int((match.lastgroup or "u0")[1:])], match.end()
    head = _UNKNOWN.match(text, pos) if unknown else None
    if head and (text[head.end()].isupper() or _AFTER_HEAD.match(text, head.end())):
        end = _NAME_END.search(text, head.end())
        stop = end.start() if end else len(text)
        words = text[pos:stop].split()
        if len(words) >= 2 and len(words) <= 12:
            return " ".join(words), stop
    return None


def units_at(text: str, pos: int, *, unknown: bool = False) -> tuple[list[str], int]:
    """The names of the units listed from ``pos`` on ("A, B và C"), and their end. With
    ``unknown``, a name shaped like a unit that no list holds is kept as written."""
    units: list[str] = []
    while found := _unit_at(text, pos, unknown):
        units.append(found[0])
        pos = found[1]
        separator = re.match(r"\s*(?:,|và|;)\s*", text[pos:])
        if separator is None or _unit_at(text, pos + separator.end(), unknown) is None:
            break
        pos += separator.end()
    return units, pos
