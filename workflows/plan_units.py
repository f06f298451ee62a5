"""The units a plan names: the Sở's own, the registry of outside bodies, and unknown ones.

A unit is recognised by any spelling its registry gives, longest first, in any case, words split
by spaces or dashes alike. A ``UnitRegistry`` holds the Sở's units (the database's at run time:
the chart's and those Quản trị added) and the outside bodies (the database's registry, edited in
Quản trị; until its first edit, the shipped list ``data/outside_bodies.json``). The importer
reads the registry made current by ``recognising`` (the web and the CLI set it from their
session); without one it reads the shipped files (the default chart and the shipped list).
A name no list holds but shaped like a unit ("Phòng …", "Chi cục …", "Trung tâm …", "Quỹ …",
"Văn phòng …", "Sở …", "UBND …", "Ban …"), or an abbreviation where a unit is named ("VP chủ
trì", "P.KHTC; TTr"), is kept as written and reported as unknown, for a person to decide. A
short name the plan gives a unit in brackets after its full name ("Trung tâm Phục vụ hành chính
công tỉnh (sau đây gọi tắt là Trung tâm PVHCC)") stands for that name wherever the plan uses it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path

from sqlalchemy.orm import Session

import engine
from engine import OutsideBody

from .org_chart import DEFAULT_PATH, read_org_chart

__all__ = [
    "ALL_SO_UNITS",
    "REGISTRY_PATH",
    "THE_SO",
    "UnitRegistry",
    "ensure_outside_bodies",
    "is_collective",
    "is_known",
    "is_the_so",
    "outside_bodies_of",
    "recognising",
    "registry_from_files",
    "registry_of",
    "shipped_outside_bodies",
    "unit_pattern",
    "units_at",
    "with_short_names",
]

REGISTRY_PATH = Path(__file__).parent / "data" / "outside_bodies.json"
ALL_SO_UNITS = "Các phòng, đơn vị trực thuộc Sở"
# The Sở itself, as data/outside_bodies.json records it when another body's plan names it.
THE_SO = "Sở Khoa học và Công nghệ"
_DASHES = frozenset("-–—")


def _normal(spelling: str) -> str:
    """A spelling as the pattern matches it: case and dashes between words aside."""
    return " ".join(w for w in spelling.split() if w not in _DASHES).lower()


@dataclass(frozen=True)
class UnitRegistry:
    """The Sở's units (names) and the outside bodies a plan may name."""

    units: tuple[str, ...]
    bodies: tuple[OutsideBody, ...] = field(default=())
    # A plan's own short names ("Sở Thông tin và Truyền thông (Sở TT&TT)"): normalised short
    # name -> the name it stands for, which they do not make known (see `plan_abbreviations`).
    short_names: tuple[tuple[str, str], ...] = ()

    @cached_property
    def spellings(self) -> dict[str, str]:
        """Every spelling (normalised) -> the name recorded. A body that is another spelling of
        one of the Sở's units records the unit's name."""
        found: dict[str, str] = {}
        for unit in self.units:
            found.setdefault(_normal(unit), unit)
        for body in self.bodies:
            said = (body.name, *body.aliases)
            name = next((found[_normal(s)] for s in said if _normal(s) in found), body.name)
            for spelling in said:
                found.setdefault(_normal(spelling), name)
        return found

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(self.spellings.values())

    @cached_property
    def collective(self) -> frozenset[str]:
        return frozenset(b.name for b in self.bodies if b.collective)

    @cached_property
    def table(self) -> tuple[re.Pattern[str], tuple[str, ...]]:
        """One pattern for every spelling (and short name), longest first, and the recorded
        name of each."""
        every = {**dict(self.short_names), **self.spellings}
        spellings = sorted(every.items(), key=lambda pair: len(pair[0]), reverse=True)
        # Words may be split by spaces or dashes: "Phòng Kế hoạch - Tài chính".
        alternatives = (
            r"[\s\-–—]+".join(re.escape(word) for word in spelling.split())
            for spelling, _ in spellings
        )
        pattern = "|".join(f"(?P<u{i}>{alt})" for i, alt in enumerate(alternatives))
        compiled = re.compile(rf"(?<!\w)(?:{pattern})(?![\w&])", re.IGNORECASE)
        return compiled, tuple(name for _, name in spellings)


def shipped_outside_bodies(path: Path = REGISTRY_PATH) -> tuple[OutsideBody, ...]:
    """The outside bodies shipped with the application (the seed of Quản trị's registry)."""
    data = json.loads(path.read_text(encoding="utf-8"))
    return tuple(
        OutsideBody(b["name"], tuple(b.get("aliases", ())), bool(b.get("collective")))
        for b in data["bodies"]
    )


@lru_cache(maxsize=4)
def registry_from_files(chart: Path = DEFAULT_PATH, bodies: Path = REGISTRY_PATH) -> UnitRegistry:
    """The registry of a chart file and a list of outside bodies, without a database."""
    return UnitRegistry(
        tuple(u.name for u in read_org_chart(chart).units), shipped_outside_bodies(bodies)
    )


def outside_bodies_of(session: Session) -> tuple[OutsideBody, ...]:
    """The database's registry; the shipped list while nobody has edited it yet."""
    return tuple(engine.list_outside_bodies(session)) or shipped_outside_bodies()


def ensure_outside_bodies(session: Session) -> None:
    """Copy the shipped list into an empty registry, before its first edit in Quản trị."""
    engine.seed_outside_bodies(session, shipped_outside_bodies())


def registry_of(session: Session) -> UnitRegistry:
    """The units and outside bodies as the database knows them now."""
    units = tuple(name for _key, name in engine.list_units(session))
    return UnitRegistry(units, outside_bodies_of(session))


_CURRENT: ContextVar[UnitRegistry | None] = ContextVar("plan_unit_registry", default=None)


@contextmanager
def recognising(registry: UnitRegistry) -> Iterator[UnitRegistry]:
    """Read plans with ``registry`` inside the block (the database's, from ``registry_of``)."""
    token = _CURRENT.set(registry)
    try:
        yield registry
    finally:
        _CURRENT.reset(token)


def _current() -> UnitRegistry:
    return _CURRENT.get() or registry_from_files()


# What an unknown unit's name starts with, capitalised as a name is ("Ban hành", "phòng chống",
# "sở hữu" are not units); the next word must be capitalised too, or one of these.
_HEAD = (
    r"(?:Phòng|Chi cục|Trung tâm|Quỹ|Văn phòng|Sở|UBND|Ủy ban nhân dân|Uỷ ban nhân dân|Ban|"
    r"Cục|Viện|Hội|Liên hiệp|Đài|Trường|Bệnh viện|Công an|Kho bạc|Tỉnh đoàn|Hội đồng|"
    # A commune's plan assigns its officers by post: "Công chức Văn phòng - Thống kê".
    r"Công chức|Hợp tác xã)"
)
_UNKNOWN = re.compile(rf"{_HEAD}\s+(?=\w)")
_AFTER_HEAD = re.compile(r"(?:các|tỉnh|huyện|xã|thành phố|cấp|nhân dân)\b")
# Where an unknown name ends: punctuation, or the words that say what it does.
_NAME_END = re.compile(
    rf"\s*[,.;:()]|(?<!HĐND)\s+(?:và|với)\s+(?={_HEAD}\s)|"
    r"\s+(?:chủ trì|phối hợp|có trách nhiệm|chịu trách nhiệm|tham mưu|"
    r"thực hiện|xây dựng|triển khai|tổ chức|nghiên cứu|rà soát|hướng dẫn|báo cáo|theo dõi|"
    r"kiểm tra|chỉ đạo|bố trí|đôn đốc|tổng hợp|trình|đề xuất|lập|cân đối|cung cấp|căn cứ|"
    r"tuyên truyền|thẩm định|đảm bảo|bảo đảm|giám sát|hỗ trợ|chuẩn bị|ban hành|cập nhật|"
    r"quản lý|phổ biến|đăng tải|ưu tiên|tiếp nhận|là|được|nghiêm túc|khẩn trương)\b|\s*$"
)


# A name goes on past a comma ("Phòng Công chức, viên chức", "UBND các xã, thị trấn", "Trung
# tâm Văn hóa, Thông tin và Thể thao huyện") unless another unit, a list's words or what the
# unit does come next.
_GOES_ON = re.compile(rf",\s+(?!{_HEAD}\s|(?:các|những|và|với|cùng|để)\b)(?=[^\W\d_])")


def _name_end(text: str, start: int) -> int:
    """Where an unknown unit's name that starts before ``start`` ends."""
    end = _NAME_END.search(text, start)
    stop = end.start() if end else len(text)
    while (more := _GOES_ON.match(text, stop)) and not _NAME_END.match(text, more.end() - 1):
        end = _NAME_END.search(text, more.end())
        stop = end.start() if end else len(text)
    return stop


def unit_pattern() -> re.Pattern[str]:
    """Matches any known unit or outside body, in any case, longest spelling first."""
    return _current().table[0]


def is_known(name: str) -> bool:
    return name in _current().names


def is_the_so(name: str) -> bool:
    """Whether ``name`` is the Sở itself, one of its units, or all of them."""
    return name in {THE_SO, ALL_SO_UNITS} or name in _current().units


def is_collective(name: str) -> bool:
    return name in _current().collective


# A unit written as its abbreviation ("VP", "TTr", "P.KHTC", "P. NVY"), where a name would
# stand: before a list's separator or what the unit does. Kept as written, as unknown.
_ABBREVIATION = re.compile(
    r"(?:[PB]\.\s?)?[A-ZĐ][A-Za-zĐđ&]{0,7}(?![\w.])"
    r"(?=\s*(?:[,;:]|và\s|chủ trì|phối hợp|có trách nhiệm|chịu trách nhiệm|$))"
)


def _abbreviation_at(text: str, pos: int) -> tuple[str, int] | None:
    match = _ABBREVIATION.match(text, pos)
    if match is None or sum(ch.isupper() for ch in match.group()) < 2:
        return None
    return match.group(), match.end()


def _unit_at(text: str, pos: int, unknown: bool) -> tuple[str, int] | None:
    pattern, names = _current().table
    if match := pattern.match(text, pos):
        return names[int((match.lastgroup or "u0")[1:])], match.end()
    if unknown and (abbreviated := _abbreviation_at(text, pos)):
        return abbreviated
    head = _UNKNOWN.match(text, pos) if unknown else None
    if head and (text[head.end()].isupper() or _AFTER_HEAD.match(text, head.end())):
        stop = _name_end(text, head.end())
        words = text[pos:stop].split()
        if len(words) >= 2 and len(words) <= 12:
            return " ".join(words), stop
    return None


# A short name given in brackets right after a unit's name: "(Sở TT&TT)", "(sau đây gọi tắt là
# Trung tâm PVHCC)", "(viết tắt: BQL KCN)".
_SHORT_NAME = re.compile(
    r"\s*\(\s*(?:(?:sau\s+đây\s+)?(?:gọi|viết)\s+tắt(?:\s+là)?\s*:?\s*)?[\"“']?"
    r"(?P<short>[^()\"“”'\d]{2,40}?)[\"”']?\s*\)",
    re.IGNORECASE,
)
_CAPITALS = re.compile(r"[A-ZĐ][A-ZĐ&.\-]*[A-ZĐ]")


def _is_short_name(words: str) -> bool:
    """Whether the words in brackets read as a unit's short name: at most five words, one of
    them in capitals ("TT&TT", "PVHCC"), the first either that or a unit's first word."""
    split = words.split()
    if not split or len(split) > 5 or not any(_CAPITALS.fullmatch(w) for w in split):
        return False
    return bool(_CAPITALS.fullmatch(split[0]) or _UNKNOWN.match(words + " "))


def plan_abbreviations(text: str) -> tuple[tuple[str, str], ...]:
    """The short names a plan gives its units in brackets after their names, each (normalised)
    with the name it stands for, the first given for a short name."""
    found: dict[str, str] = {}
    starts = {m.start() for m in unit_pattern().finditer(text)}
    starts.update(m.start() for m in _UNKNOWN.finditer(text))
    for start in sorted(starts):
        unit = _unit_at(text, start, unknown=True)
        short = None if unit is None else _short_name_at(text, unit[1])
        if unit is not None and short is not None and _normal(short[0]) != _normal(unit[0]):
            found.setdefault(_normal(short[0]), unit[0])
    return tuple(found.items())


def _short_name_at(text: str, pos: int) -> tuple[str, int] | None:
    """The short name in brackets a unit's name carries at ``pos`` ("… (Sở TT&TT) chủ trì"),
    and where the brackets end."""
    short = _SHORT_NAME.match(text, pos)
    if short is None or not _is_short_name(words := " ".join(short["short"].split())):
        return None
    return words, short.end()


@contextmanager
def with_short_names(text: str) -> Iterator[UnitRegistry]:
    """Read inside the block with the short names ``text`` gives its units as their names."""
    current = _current()
    with recognising(replace(current, short_names=plan_abbreviations(text))) as registry:
        yield registry


def units_at(text: str, pos: int, *, unknown: bool = False) -> tuple[list[str], int]:
    """The names of the units listed from ``pos`` on ("A, B và C"), and their end. With
    ``unknown``, a name shaped like a unit that no list holds is kept as written."""
    units: list[str] = []
    while found := _unit_at(text, pos, unknown):
        units.append(found[0])
        pos = short[1] if (short := _short_name_at(text, found[1])) else found[1]
        separator = re.match(r"\s*(?:,|và|;)\s*", text[pos:])
        if separator is None or _unit_at(text, pos + separator.end(), unknown) is None:
            break
        pos += separator.end()
    return units, pos
