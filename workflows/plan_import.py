"""The plan importer's parser: reads a kế hoạch and finds the tasks it assigns (no database).

A plan in the department's usual shape has a section "II. NHIỆM VỤ VÀ GIẢI PHÁP" with numbered
parts. In a part, each paragraph "Giao <đơn vị> chủ trì ..." is one task; a part's opening
paragraph that assigns work without naming a unit is one task too, with no lead unit. In a part
headed "4.x. Giao <đơn vị>", each paragraph "Chủ trì ..." is one task of that unit. Bullet lines
("- ...") belong to the task above them.

The parser never guesses silently: whatever a person must still settle (a lead unit, a deadline,
which of two units leads) is written in ``Assignment.needs_decision``.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from engine import ArchiveLimits, InvalidInput, check_office_archive

from .plan_text import (
    ALL_SO_UNITS,
    Section,
    is_bullet,
    paragraphs,
    sentences,
    shorten,
    task_sections,
    unit_pattern,
    units_at,
    without_asides,
    without_quotes,
)

if TYPE_CHECKING:
    from docx.table import Table

# A plan is a few pages (the department's own is 13 kB): far more is a mistake or an attack, and
# reading it would hold the command for minutes.
MAX_PLAN_BYTES = 2 * 1024 * 1024
MAX_DOCX_BYTES = 20 * 1024 * 1024
PLAN_ARCHIVE = ArchiveLimits(max_entries=1000, max_total_bytes=100 * 1024 * 1024, scan_xml=True)

__all__ = [
    "Assignment",
    "Deadline",
    "DeadlineKind",
    "find_assignments",
    "read_plan",
]

SUMMARY_CHARS = 200


class DeadlineKind(StrEnum):
    DATE = "date"  # trước ngày 10/6/2020
    YEAR = "year"  # trong năm 2020
    FROM_YEAR = "from_year"  # từ năm 2021
    RECURRING = "recurring"  # thường xuyên hàng năm
    NONE = "none"  # the plan gives none


@dataclass(frozen=True)
class Deadline:
    """``value`` is a date for DATE, a year for YEAR and FROM_YEAR, else None."""

    kind: DeadlineKind
    value: date | int | None = None

    def to_json(self) -> dict[str, object]:
        value = self.value.isoformat() if isinstance(self.value, date) else self.value
        return {"kind": str(self.kind), "value": value}

    def describe(self) -> str:
        """In Vietnamese, as a plan would say it."""
        if isinstance(self.value, date):
            return f"trước ngày {self.value:%d/%m/%Y}"
        if self.kind is DeadlineKind.YEAR:
            return f"trong năm {self.value}"
        if self.kind is DeadlineKind.FROM_YEAR:
            return f"từ năm {self.value}"
        return "thường xuyên hàng năm" if self.kind is DeadlineKind.RECURRING else "không nêu"


NO_DEADLINE = Deadline(DeadlineKind.NONE)


@dataclass(frozen=True)
class Assignment:
    """One task the plan assigns. ``text`` is the plan's own wording, bullet lines included."""

    section: str
    summary: str
    lead_unit: str | None
    cooperating_units: tuple[str, ...]
    deadline: Deadline
    needs_decision: str | None
    text: str = field(default="", repr=False)
    section_title: str = ""  # the heading of ``section`` in the plan
    # The plan's own deadline when an import moved the plan to another year (plan_year).
    source_deadline: Deadline | None = None

    def to_json(self) -> dict[str, object]:
        return {
            "section": self.section,
            "section_title": self.section_title,
            "summary": self.summary,
            "text": self.text,
            "lead_unit": self.lead_unit,
            "cooperating_units": list(self.cooperating_units),
            "deadline": self.deadline.to_json(),
            "source_deadline": self.source_deadline.to_json() if self.source_deadline else None,
            "needs_decision": self.needs_decision,
        }


# --- reading files -------------------------------------------------------------------------


def read_plan(path: str | Path) -> str:
    """The text of a plan: a UTF-8 ``.txt`` file, or a ``.docx`` file's paragraphs in order.

    A plan is a few pages: a text over ``MAX_PLAN_BYTES``, or a .docx that would unpack to more
    than a real one (``PLAN_ARCHIVE``, or a DOCTYPE in its XML), is refused before it is read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in {".txt", ".docx"}:
        raise InvalidInput(f"{path}: a plan must be a .txt or .docx file")
    try:
        size = path.stat().st_size
        if suffix == ".txt":
            _check_plan_size(path, size)
            # utf-8-sig: Windows editors put a byte-order mark in front of UTF-8 files.
            return path.read_text(encoding="utf-8-sig")
        if size > MAX_DOCX_BYTES:
            raise InvalidInput(
                f"{path}: the file is {size:,} bytes, over the limit of {MAX_DOCX_BYTES:,} bytes "
                "for a plan"
            )
        text = _docx_text(path)
        _check_plan_size(path, len(text.encode("utf-8")))
        return text
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"{path}: the plan is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise InvalidInput(f"{path}: cannot read the plan: {exc.strerror or exc}") from exc


def _check_plan_size(path: Path, size: int) -> None:
    if size > MAX_PLAN_BYTES:
        raise InvalidInput(
            f"{path}: the plan's text is {size:,} bytes, over the limit of {MAX_PLAN_BYTES:,} "
            "bytes (a plan is a few pages)"
        )


def _docx_text(path: Path) -> str:
    # Imported here: reading a .txt plan needs no python-docx (nor the lxml under it).
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    if not path.is_file():
        raise InvalidInput(f"{path}: cannot read the plan: no such file")
    content = path.read_bytes()
    # Before python-docx unpacks anything: a zip bomb or an XML part with entities stops here.
    check_office_archive(str(path), content, PLAN_ARCHIVE)
    try:
        document = docx.Document(io.BytesIO(content))
    except (PackageNotFoundError, KeyError, ValueError) as exc:
        raise InvalidInput(f"{path}: not a readable .docx file") from exc
    except SyntaxError as exc:  # lxml's XMLSyntaxError: a part that is not well-formed XML
        raise InvalidInput(f"{path}: not a readable .docx file ({exc.msg})") from exc
    lines: list[str] = []
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend(_table_lines(block))
            continue
        # Word's own bullet lists carry no "- " in the text: put it back, so that the bullet
        # stays with the task above it as in a .txt plan.
        style = (block.style.name if block.style is not None else None) or ""
        bullet = style.startswith("List") and not is_bullet(block.text)
        lines.append(("- " if bullet else "") + block.text)
    return "\n\n".join(lines)


def _table_lines(table: Table) -> Iterator[str]:
    seen: set[int] = set()
    for row in table.rows:
        for cell in row.cells:
            # A merged cell comes once per grid column it spans: read it once.
            if id(cell._tc) not in seen:
                seen.add(id(cell._tc))
                yield from (p.text for p in cell.paragraphs)


# --- finding the tasks ---------------------------------------------------------------------


def find_assignments(text: str) -> list[Assignment]:
    """Every task assigned in the plan's section of tasks (the "II. NHIỆM VỤ ..." part)."""
    found: list[Assignment] = []
    for section in task_sections(paragraphs(text)):
        found.extend(_build(draft) for draft in _drafts(section))
    return found


@dataclass
class _Draft:
    """A task being gathered: its paragraphs, the units named to lead it, notes on choices."""

    section: Section
    leads: list[str]
    lines: list[str]
    unnamed: str | None = None  # "Giao …" words that named no known unit
    notes: list[str] = field(default_factory=list)


_GIAO = re.compile(r"Giao\s+")
_CHU_TRI = re.compile(r"\s*Chủ trì\b[\s,]*", re.IGNORECASE)


def _drafts(section: Section) -> list[_Draft]:
    drafts: list[_Draft] = []
    # A numbered part with no paragraph and no sub-parts is a task written as its own heading.
    own_task = not section.has_children and "." in section.label
    lines = section.paragraphs or ([section.title] if own_task else [])
    for line in lines:
        current = drafts[-1] if drafts else None
        giao = _GIAO.match(line)
        if giao:
            leads = units_at(line, giao.end())[0]
            if current is not None and _completes(section, current, leads, line):
                # II.4.3 closes with "Giao Trung tâm … chuẩn bị các tài liệu phục vụ buổi làm
                # việc trước ngày 01/6/2020". Its heading already gave the Trung tâm that task
                # ("Chủ trì, chuẩn bị báo cáo … phục vụ buổi làm việc …"), and the documents are
                # that report: the paragraph adds the deadline the task lacked. Two tasks would
                # duplicate the work and leave the first without a deadline. needs_decision
                # says so, for a person to confirm.
                current.lines.append(line)
                current.notes.append(_completion_note(line))
                continue
            unnamed = None if leads else shorten(line, 60)
            drafts.append(_Draft(section, leads, [line], unnamed))
        elif current is not None and (is_bullet(line) or _only_states_deadline(line)):
            current.lines.append(line)
        else:
            drafts.append(_Draft(section, list(section.units), [line]))
    return drafts


def _completes(section: Section, current: _Draft, leads: list[str], line: str) -> bool:
    """Whether "Giao <the heading's unit> …" only gives the deadline of the task above it."""
    return (
        bool(section.units)
        and leads == section.units == current.leads
        and _deadline_of(current.lines)[0] == NO_DEADLINE
        and _deadline_of([line])[0] != NO_DEADLINE
    )


def _completion_note(line: str) -> str:
    deadline = _deadline_of([line])[0]
    return (
        f"Thời hạn “{deadline.describe()}” lấy từ đoạn cuối mục (“{shorten(line, 90)}”): "
        "cần xác nhận đó là thời hạn của nhiệm vụ này."
    )


def _only_states_deadline(line: str) -> bool:
    """A paragraph like "Thời gian hoàn thành: trước ngày 30/6/2020." after a task."""
    parts = sentences(without_quotes(line))
    return all(_DEADLINE_START.match(s) and _read_deadline(s) for s in parts)


def _build(draft: _Draft) -> Assignment:
    lead = draft.leads[0] if draft.leads else None
    deadline, deadline_notes = _deadline_of(draft.lines)
    notes = [*_lead_notes(draft), *_unknown_partner_notes(draft), *deadline_notes, *draft.notes]
    return Assignment(
        section=draft.section.label,
        section_title=draft.section.title,
        summary=_summary(draft.lines),
        lead_unit=lead,
        cooperating_units=_cooperating(draft, lead),
        deadline=deadline,
        needs_decision=" ".join(notes) or None,
        text="\n".join(draft.lines),
    )


def _lead_notes(draft: _Draft) -> list[str]:
    if draft.unnamed is not None:
        return [f"Không nhận ra đơn vị được giao trong “{draft.unnamed}”: cần chọn đơn vị chủ trì."]
    if not draft.leads:
        return ["Kế hoạch không nêu đơn vị chủ trì: cần chọn đơn vị chủ trì."]
    if draft.leads[0] == ALL_SO_UNITS:
        return ["Kế hoạch giao cho các phòng, đơn vị trực thuộc Sở: cần chọn một đơn vị chủ trì."]
    if len(draft.leads) > 1:
        return [
            f"Kế hoạch giao cùng lúc cho {' và '.join(draft.leads)}: đã tạm lấy {draft.leads[0]} "
            "chủ trì, đơn vị còn lại phối hợp; cần xác nhận đơn vị chủ trì."
        ]
    return []


# --- partners ------------------------------------------------------------------------------

# A unit right after these words is whom the work is for ("tham mưu lãnh đạo Sở", "đề xuất
# UBND tỉnh"), not a partner in it.
_ADDRESSEE = re.compile(r"(?:tham mưu|đề xuất|báo cáo|trình|xin ý kiến)\s*$", re.IGNORECASE)


def _cooperating(draft: _Draft, lead: str | None) -> tuple[str, ...]:
    """Other units named to lead, then every unit in a sentence that says "phối hợp"."""
    found = list(draft.leads[1:])
    for line in draft.lines:
        for sentence in sentences(without_quotes(line)):
            if re.search(r"phối hợp", sentence, re.IGNORECASE):
                found.extend(_partners(sentence))
    return tuple(dict.fromkeys(unit for unit in found if unit != lead))


def _unknown_partner_notes(draft: _Draft) -> list[str]:
    """Partners named in words no unit list resolves, as "phối hợp với các ngành …"."""
    notes: list[str] = []
    for line in draft.lines:
        text = without_quotes(line)
        for match in re.finditer(r"phối hợp với\s+", text, re.IGNORECASE):
            if not units_at(text, match.end())[0]:
                said = shorten(text[match.start() :], 45)
                notes.append(
                    f"Kế hoạch nêu “{said}” mà không rõ đơn vị: cần xác định đơn vị phối hợp."
                )
    return notes


def _partners(sentence: str) -> Iterator[str]:
    for match in unit_pattern().finditer(sentence):
        if not _ADDRESSEE.search(sentence[: match.start()]):
            yield from units_at(sentence, match.start())[0][:1]


# --- deadlines -----------------------------------------------------------------------------

_DATE = r"(?:(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d{4})|(\d{1,2}) tháng (\d{1,2}) năm (\d{4}))"
# A date is a deadline after words that make it one: "ngày 31/12/2015" alone is the date of a
# decision being replaced.
_BEFORE_DATE = re.compile(
    rf"(?:trước|chậm nhất|muộn nhất|không quá|hạn chót|hoàn thành|xong)\s+(?:là\s+|vào\s+)?"
    rf"ngày\s+{_DATE}",
    re.IGNORECASE,
)
_ANY_DATE = re.compile(rf"ngày\s+{_DATE}", re.IGNORECASE)
_IN_YEAR = re.compile(r"trong năm\s+(\d{4})", re.IGNORECASE)
_FROM_YEAR = re.compile(r"từ năm\s+(\d{4})", re.IGNORECASE)
_RECURRING = re.compile(r"thường xuyên|hàng năm|hằng năm|định kỳ", re.IGNORECASE)
# Sentences that say when: "Thời gian hoàn thành …", "Thực hiện trong năm 2020". Only the first
# two words surely announce a deadline; "Thực hiện …" may also start a task.
_SURE_DEADLINE = re.compile(r"(?:thời gian|thời hạn|hạn chót|hạn hoàn thành)\b", re.IGNORECASE)
_DEADLINE_START = re.compile(
    r"(?:thời gian|thời hạn|hạn chót|hạn hoàn thành|thực hiện|hoàn thành)\b", re.IGNORECASE
)


def _deadline_of(lines: list[str]) -> tuple[Deadline, list[str]]:
    """The task's deadline, and what a person must settle about it."""
    found: list[Deadline] = []
    unread: list[str] = []
    for line in lines:
        for sentence in sentences(without_quotes(line)):
            if not (_DEADLINE_START.match(sentence) or _BEFORE_DATE.search(sentence)):
                continue
            deadline = _read_deadline(sentence)
            if deadline is None and _SURE_DEADLINE.match(sentence):
                unread.append(sentence)
            elif deadline is not None and deadline not in found:
                found.append(deadline)
    if not found and unread:
        said = shorten(unread[0], 80)
        return NO_DEADLINE, [f"Không đọc được thời hạn “{said}”: cần đặt thời hạn."]
    if not found:
        return NO_DEADLINE, ["Kế hoạch không nêu thời hạn: cần đặt thời hạn."]
    if len(found) > 1:
        listed = "; ".join(d.describe() for d in found)
        return found[0], [
            f"Kế hoạch nêu nhiều thời hạn ({listed}): đã tạm lấy “{found[0].describe()}”, "
            "cần xác nhận thời hạn."
        ]
    return found[0], []


def _read_deadline(sentence: str) -> Deadline | None:
    if match := _BEFORE_DATE.search(sentence) or _ANY_DATE.search(sentence):
        day, month, year = (int(g) for g in match.groups() if g is not None)
        try:
            return Deadline(DeadlineKind.DATE, date(year, month, day))
        except ValueError:
            return None  # "31/2/2020": the caller reports it as unreadable
    if match := _IN_YEAR.search(sentence):
        return Deadline(DeadlineKind.YEAR, int(match.group(1)))
    if match := _FROM_YEAR.search(sentence):
        return Deadline(DeadlineKind.FROM_YEAR, int(match.group(1)))
    if _RECURRING.search(sentence):
        return Deadline(DeadlineKind.RECURRING)
    return None


# --- summary -------------------------------------------------------------------------------


def _summary(lines: list[str]) -> str:
    """What is to be done: the opening sentences without who does it, and the bullet lines."""
    parts = sentences(without_asides(_without_who(lines[0])), split_on_semicolons=False)
    kept = [s for s in parts if not _DEADLINE_START.match(s)]
    kept = kept or parts[:1]
    summary = shorten(kept[0].rstrip("."), SUMMARY_CHARS)
    for sentence in kept[1:]:
        # Short opening sentences ("Đẩy mạnh … cải cách hành chính.") say little alone.
        if len(summary) + len(sentence) + 2 > SUMMARY_CHARS:
            break
        summary = f"{summary}. {sentence.rstrip('.')}"
    bullets = [_bullet_text(line) for line in lines[1:] if is_bullet(line)]
    if not bullets:
        return summary
    # "…, cụ thể:" and "…, tập trung vào một số nội dung sau:" only announce the list.
    summary = re.sub(r",[^,]*:$", "", summary).rstrip(" :")
    digest = "; ".join(f"“{shorten(bullet, 50)}”" for bullet in bullets)
    return f"{summary}, gồm {len(bullets)} nội dung: {digest}"


def _bullet_text(line: str) -> str:
    text = re.sub(r"^[-–•+]\s*", "", line).strip().rstrip(".;")
    return text.strip('“”"')


def _without_who(line: str) -> str:
    """The paragraph less its "Giao <units> chủ trì, phối hợp với <units>"."""
    rest = line
    if giao := _GIAO.match(rest):
        units, end = units_at(rest, giao.end())
        rest = rest[end:] if units else rest
    if chu_tri := _CHU_TRI.match(rest):
        rest = rest[chu_tri.end() :]
    if partner := re.match(r"\s*phối hợp với\s+", rest, re.IGNORECASE):
        units, end = units_at(rest, partner.end())
        rest = rest[end:] if units else rest
    rest = rest.lstrip(" ,")
    return rest[:1].upper() + rest[1:]
